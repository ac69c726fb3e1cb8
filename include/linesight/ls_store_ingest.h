/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ingest: read files with the ingest layer's readers and store them, all in
 * one write transaction (DESIGN.md s.4; docs/store.md).
 *
 * For every file: its kind is told from its header; it is read (rejected rows
 * go to a quarantine CSV `file,line,reason,record` in the quarantine
 * directory); its events are made unique against the store and the files
 * before it (same start, type, caller, callee, duration = one event); a
 * dataset row records its name, SHA-256, kind, format, size, counts,
 * quarantine file and time of ingest. A file whose SHA-256 is already a
 * dataset (or appears twice on one command line) is refused. Any failure
 * rolls the whole ingest back: the store is then exactly as it was, and the
 * quarantine files this ingest wrote are removed.
 *
 * With format "operator" every file is an operator call-data return read
 * through opts->mapping (ls_ingest_read_operator): its kind is events, its
 * format "operator"; mirror records (the MO and MT record of one call when
 * both parties are targets) are merged into one event, also across the
 * returns of one ingest, and count as duplicates of the file that brings the
 * second record. Events are written to the store after every file is read,
 * so an event completed by a later return of the same ingest is stored with
 * both sides; one completed by a return of a later ingest keeps its stored
 * copy (the mirror record still counts as a duplicate). */
#ifndef LINESIGHT_LS_STORE_INGEST_H
#define LINESIGHT_LS_STORE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_ingest.h"
#include "ls_store.h"

#define LS_SHA256_HEX 65 /* 64 hex digits + NUL */

/* What happened to one file; handed to on_file once the file is stored (the
 * ingest may still fail and roll back later). */
typedef struct ls_store_ingest_file {
  const char *path;       /* as given */
  ls_file_kind kind;
  const char *format;     /* "linesight", ... */
  char sha256[LS_SHA256_HEX];
  int64_t dataset_id;
  uint64_t bytes;
  uint64_t rows_read, rows_stored, rows_duplicate, rows_rejected;
  const char *quarantine; /* path of its quarantine CSV, NULL when no row was rejected */
} ls_store_ingest_file;

typedef void (*ls_store_ingest_file_fn)(void *ctx, const ls_store_ingest_file *file);

typedef struct ls_store_ingest_opts {
  const char *format;         /* NULL or "auto": told from the header; "linesight";
                               * or "operator" (needs mapping) */
  const char *mapping;        /* operator returns: the mapping file (docs/formats-operator.md) */
  const char *const *mappings; /* NULL, or one per path (NULL entries: `mapping`): returns of
                                * several layouts in one ingest */
  const char *tz;             /* zone for zone-less times; NULL = LS_DEFAULT_TZ */
  const char *quarantine_dir; /* NULL = "<store file>.quarantine" beside the store */
  ls_progress_fn on_progress; /* per file, while reading; may be NULL */
  void *progress_ctx;
  ls_store_ingest_file_fn on_file; /* may be NULL */
  void *file_ctx;
} ls_store_ingest_opts;

/* Whether a format name is known and whether this build reads it:
 * 1 supported, 0 known but not ingested into the store (bandicoot: see
 * ls_store_ingest_format_refusal), -1 unknown. */
int ls_store_ingest_format_supported(const char *format);

/* Why a known format (supported == 0) is not ingested, as one sentence for
 * a usage error; NULL for any other format. */
const char *ls_store_ingest_format_refusal(const char *format);

/* Ingests paths[0..n) into st in one transaction (BEGIN IMMEDIATE on
 * SQLite: concurrent ingests wait for each other). Errors:
 * LS_ERR_USAGE (unknown or unsupported format, unknown time zone,
 * operator with a file that has no mapping, a mapping without operator),
 * LS_ERR_INPUT (a file that is not a regular file or not a recognised CSV;
 * err names the file), LS_ERR_DUPLICATE (a file already ingested),
 * LS_ERR_IO, LS_ERR_DB, LS_ERR_NOMEM. On any error nothing is stored.
 * Time: O(total bytes + events already stored), the latter because the
 * stored events are loaded to find duplicates. Memory: ~45 bytes an event
 * (stored and new) plus the mapped input file. */
ls_status ls_store_ingest(ls_store *st, const char *const *paths, size_t n,
                          const ls_store_ingest_opts *opts, ls_error *err);

#endif
