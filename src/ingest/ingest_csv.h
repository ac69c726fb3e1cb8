/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fast RFC 4180 CSV reader for the ingest layer (events, reference tables,
 * bandicoot and operator returns, week-of-action results).
 *
 * Hand-written rather than taken from a library because it is the hot path of
 * a 10M-row ingest: it walks an mmap'd file (or a caller's memory buffer) once,
 * hands out fields as pointer + length into that buffer without allocating per
 * row, and copies a field only when it holds doubled quotes ("" -> "), into
 * one scratch buffer reused for every record.
 *
 * Dialect: comma separator; LF or CRLF line ends; a UTF-8 BOM at the start is
 * skipped; empty lines are skipped; a field that starts with `"` is quoted and
 * may hold commas, line ends and `""`; a `"` inside an unquoted field is kept
 * as data. A malformed record (unterminated quote, text after a closing quote,
 * a field over LS_LIMIT_CSV_FIELD, a record over LS_LIMIT_CSV_RECORD, more than
 * LS_LIMIT_CSV_COLUMNS fields) makes ls_csv_next return LS_ERR_INPUT with the
 * record's line, raw text and a reason; the reader then resumes at the line
 * after the one where the bad record started, so callers can quarantine it and
 * go on.
 *
 * Typical use:
 *
 *   ls_csv csv;
 *   rc = ls_csv_open(&csv, path, err);                 // or ls_csv_open_mem
 *   rc = ls_csv_read_header(&csv, err);
 *   ls_csv_col cols[] = {{"start", 1, -1}, {"duration_s", 0, -1}};
 *   rc = ls_csv_map_columns(&csv, cols, 2, err);
 *   while ((rc = ls_csv_next(&csv)) != LS_DONE) {
 *     if (rc == LS_ERR_INPUT) { quarantine(ls_csv_raw(..), ls_csv_reason(..)); continue; }
 *     if (rc < 0) goto out;                              // out of memory
 *     size_t n; const char *s = ls_csv_field(&csv, cols[0].index, &n);
 *   }
 *   ls_csv_close(&csv);
 */
#ifndef LINESIGHT_INGEST_INGEST_CSV_H
#define LINESIGHT_INGEST_INGEST_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "core/ls_limits.h"
#include "linesight/ls_error.h"

typedef struct ls_csv_span {
  const char *ptr; /* not NUL-terminated */
  size_t len;
} ls_csv_span;

/* The reader. Callers may keep it on the stack; treat members as private and
 * use the functions below. */
typedef struct ls_csv {
  const char *data; /* the whole input */
  size_t size;
  size_t pos;       /* next byte to read */
  long line;        /* 1-based line number at pos */
  void *map;        /* owned mapping or heap copy (ls_csv_open) or NULL */
  size_t map_len;
  int map_is_heap;  /* map came from ls_malloc (a pipe), not mmap */
  int drop_behind;  /* data is a private file mapping: release what was read */
  size_t dropped;   /* bytes before this offset were released */
  char name[LS_ERROR_FILE_MAX]; /* file name for errors */

  /* the current record */
  const char *rec; /* raw bytes, without the line end */
  size_t rec_len;
  long rec_line;   /* 1-based line where the record starts */
  size_t nfields;
  ls_csv_span fields[LS_LIMIT_CSV_COLUMNS];
  char *scratch;   /* unescaped quoted fields of this record */
  size_t scratch_cap;
  const char *reason; /* static text, set when ls_csv_next returns LS_ERR_INPUT */
  size_t err_field;   /* 1-based field where the error was found, 0 if none */

  /* memo of the last search for a closing quote (keeps a file full of
   * unterminated quotes linear rather than quadratic) */
  size_t q_from, q_at; /* searched from q_from; next quote at q_at (size: none) */
  int q_valid;

  /* the header, copied out of the input */
  char **cols;
  size_t *col_lens;
  size_t ncols;
} ls_csv;

/* Opens `path` read-only and maps it (madvise sequential). An empty file
 * opens fine and yields no records. Errors: LS_ERR_IO (cannot open, map or
 * stat; err names the file and the system's reason). O(1). */
ls_status ls_csv_open(ls_csv *csv, const char *path, ls_error *err);

/* Reads from a caller's buffer, which must outlive the reader; `name` (may
 * be NULL) is used in errors. Cannot fail. O(1). */
void ls_csv_open_mem(ls_csv *csv, const char *data, size_t size, const char *name);

/* A second reader over bytes [from, end) of `parent`'s input (to read a
 * large file on two threads); the parent must outlive it. Like the parent,
 * it releases the pages of a mapped file once read. O(1). */
void ls_csv_open_view(ls_csv *view, const ls_csv *parent, size_t from);

/* Tests: release read pages every `bytes` (0: back to 32 MB); returns the
 * bytes released so far by all readers. Not thread-safe; call between reads. */
size_t ls__csv_drop_step(size_t bytes);

/* Unmaps and frees everything the reader owns; accepts a zeroed or closed
 * reader. Spans handed out earlier become invalid. */
void ls_csv_close(ls_csv *csv);

/* Advances to the next record. Returns LS_ROW when a record was read,
 * LS_DONE at the end of input, LS_ERR_INPUT for a malformed record (see
 * ls_csv_reason, ls_csv_line, ls_csv_raw; the next call continues after it),
 * LS_ERR_NOMEM when the scratch buffer cannot grow. Spans from the previous
 * record become invalid. O(record length). */
ls_status ls_csv_next(ls_csv *csv);

/* The fields of the current record. Index i out of range (including a
 * negative index for an absent column) yields an empty field: "" and 0. */
size_t ls_csv_count(const ls_csv *csv);
static inline const char *ls_csv_field(const ls_csv *csv, long i, size_t *len) {
  if (i < 0 || (size_t)i >= csv->nfields) {
    *len = 0;
    return "";
  }
  *len = csv->fields[i].len;
  return csv->fields[i].ptr;
}

/* 1-based line where the current (or just rejected) record starts. */
long ls_csv_line(const ls_csv *csv);
/* The current record as it is in the input, without its line end. For a
 * malformed record: its text up to the end of its first line. */
const char *ls_csv_raw(const ls_csv *csv, size_t *len);
/* Why the last ls_csv_next returned LS_ERR_INPUT (static text), and the
 * 1-based field where it happened (0 when not known). */
const char *ls_csv_reason(const ls_csv *csv);
size_t ls_csv_error_field(const ls_csv *csv);
/* 1-based line number of the next byte to read (the line a record read
 * next would start on, before empty lines are skipped). */
long ls_csv_pos_line(const ls_csv *csv);
/* Bytes consumed so far and the input's size, for progress. */
uint64_t ls_csv_offset(const ls_csv *csv);
uint64_t ls_csv_size(const ls_csv *csv);
/* The whole input (ls_csv_size bytes), e.g. to read a byte range of it with
 * a second reader (ls_csv_open_mem) on another thread. */
const char *ls_csv_data(const ls_csv *csv);
/* The name given at open. */
const char *ls_csv_name(const ls_csv *csv);

/* ---- header --------------------------------------------------------------- */

/* Reads the first record as the header and keeps a copy of its names
 * (surrounding blanks trimmed; an empty name is kept and matches nothing).
 * Errors: LS_ERR_INPUT for an empty file or a malformed header record (err
 * names file, line, column); LS_ERR_NOMEM. O(header length). */
ls_status ls_csv_read_header(ls_csv *csv, ls_error *err);

/* Number of header columns and the name of column i (NULL if out of range). */
size_t ls_csv_header_count(const ls_csv *csv);
const char *ls_csv_header_name(const ls_csv *csv, size_t i);

/* Index of the header column named `name` (ASCII case-insensitive), or -1.
 * O(columns). */
long ls_csv_column(const ls_csv *csv, const char *name);

/* A column a reader wants: fill name and required; ls_csv_map_columns sets
 * index (-1 when an optional column is absent). */
typedef struct ls_csv_col {
  const char *name;
  int required;
  long index;
} ls_csv_col;

/* Finds every wanted column in the header (order free, unknown columns
 * ignored). Errors: LS_ERR_INPUT "missing column 'x'" for an absent required
 * column, "column 'x' appears twice" for a wanted name given twice; err names
 * the file and the header's line. O(columns * wanted). */
ls_status ls_csv_map_columns(const ls_csv *csv, ls_csv_col *cols, size_t n, ls_error *err);

/* Case-insensitive comparison of a span with a NUL-terminated ASCII word. */
int ls_csv_span_ieq(const char *s, size_t len, const char *word);

#endif
