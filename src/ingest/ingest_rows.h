/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every CSV reader of the ingest layer does per row besides parsing:
 * report a rejected record with a reason that names the column and quotes
 * the value, count it, report progress, and tell file kinds apart by header.
 * Shared by the events and reference-table readers (and open to the
 * bandicoot and operator readers). */
#ifndef LINESIGHT_INGEST_INGEST_ROWS_H
#define LINESIGHT_INGEST_INGEST_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/ingest_csv.h"
#include "linesight/ls_ingest.h"

#define LS_ROW_REASON_MAX 512
#define LS_ROW_PROGRESS_ROWS 65536u /* rows between progress callbacks */

typedef struct ls_row_ctx {
  const char *file;
  const ls_read_opts *opts; /* may be NULL */
  ls_read_stats *stats;     /* never NULL (points at a local when the caller gave none) */
  char reason[LS_ROW_REASON_MAX];
} ls_row_ctx;

/* Sets up ctx for one file; stats is zeroed except bytes. */
void ls_row_begin(ls_row_ctx *ctx, const ls_csv *csv, const ls_read_opts *opts,
                  ls_read_stats *stats);

/* Rejects the current record of csv with a printf-style reason: counts it
 * and passes it to opts->on_reject. Returns LS_OK, or the callback's error
 * (with err filled) which the reader must return. O(reason length). */
ls_status ls_row_reject(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Rejects with "<column>: <why> ('<value>')"; the value is shown up to 60
 * bytes with control characters as '?'. */
ls_status ls_row_reject_value(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err,
                              const char *column, const char *why, const char *val, size_t len);

/* Rejects a record the CSV layer found malformed (ls_csv_next returned
 * LS_ERR_INPUT). */
ls_status ls_row_reject_malformed(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err);

/* Calls opts->on_progress every LS_ROW_PROGRESS_ROWS rows (or always when
 * final). O(1). */
void ls_row_progress(const ls_row_ctx *ctx, const ls_csv *csv, int final);

/* Whether the current record has the header's width: exactly ncols
 * fields, or more whose extra ones are all empty (exports that end every
 * data row with a comma). Fewer fields is never fine: a missing comma
 * shifts values into the wrong columns. O(fields). */
int ls_row_width_ok(const ls_csv *csv, size_t ncols);

/* Drops blanks (space, tab) around a field. */
static inline void ls_row_trim(const char **s, size_t *len) {
  const char *p = *s;
  size_t n = *len;
  while (n && (*p == ' ' || *p == '\t'))
    p++, n--;
  while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  *s = p;
  *len = n;
}

/* A finite decimal number (strtod syntax, no hex, inf or nan) filling the
 * whole field. Returns LS_ERR_INPUT otherwise. O(len). */
ls_status ls_row_parse_double(const char *s, size_t len, double *out);

/* The kind of a linesight CSV by its header (DESIGN.md s.4), or
 * LS_KIND_UNKNOWN. Addresses are tested before cells (both have lat, lon)
 * and persons before attributions (both have person_id). O(columns). */
ls_file_kind ls_row_kind(const ls_csv *csv);

/* Tests only, before any reader runs: the events reader parses a file in
 * two ranges on two threads from this many bytes after the header on
 * (0 restores the default, 16 MB), so that small files exercise that path. */
void ls__ingest_events_parallel_min(uint64_t bytes);

#endif
