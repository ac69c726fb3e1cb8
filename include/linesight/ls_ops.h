/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weeks of action: result records, their totals and the published reports.
 *
 * A week of action ("operation") is recorded as one CSV row per result
 * (DESIGN.md section 7): an arrest, a safeguarded person, a seizure, a visit,
 * a closed deal line... `ls_ops_results_import` validates a whole file and
 * stores it in one transaction; `ls_ops_report_build` loads an operation's
 * records and sums them (money exactly, in pence; weights in milligrams);
 * the render functions turn the totals into the press-office text, the JSON
 * of DESIGN.md section 7, a self-contained HTML page, a PDF (cairo) or an
 * XLSX workbook (libxlsxwriter). Formats and wording: docs/operations.md. */
#ifndef LINESIGHT_LS_OPS_H
#define LINESIGHT_LS_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_store.h"

/* ---- records ---------------------------------------------------------- */

typedef enum ls_ops_kind {
  LS_OPS_ARREST = 0,
  LS_OPS_SAFEGUARD,
  LS_OPS_WARRANT,
  LS_OPS_STOP_SEARCH,
  LS_OPS_SEIZURE,
  LS_OPS_VISIT,
  LS_OPS_LINE_CLOSED,
  LS_OPS_MESSAGES_SENT,
  LS_OPS_NETWORK_DISRUPTED,
  LS_OPS_KIND_COUNT
} ls_ops_kind;

typedef enum ls_ops_age { LS_OPS_AGE_UNKNOWN = 0, LS_OPS_AGE_UNDER_18, LS_OPS_AGE_ADULT } ls_ops_age;
typedef enum ls_ops_sex { LS_OPS_SEX_UNKNOWN = 0, LS_OPS_SEX_MALE, LS_OPS_SEX_FEMALE } ls_ops_sex;

#define LS_OPS_DATE_MAX 11 /* YYYY-MM-DD + NUL */

/* One validated result record. Strings are owned by whoever filled the
 * record (ls_ops_record_clear frees them); absent text fields are "", absent
 * numbers are -1. value_pence is exact money; weight_mg is grams * 1000. */
typedef struct ls_ops_record {
  char *operation, *force, *category, *item, *area, *note;
  char date[LS_OPS_DATE_MAX];
  ls_ops_kind kind;
  int64_t count;       /* >= 1 */
  int64_t value_pence; /* -1: not yet valued */
  int64_t weight_mg;   /* -1: not weighed */
  int64_t wraps;       /* -1: not counted */
  ls_ops_age age;
  ls_ops_sex sex;
  int out_of_area; /* 1 yes, 0 no or not recorded */
  long line;       /* line in the source file, 0 when not from a file */
} ls_ops_record;

void ls_ops_record_clear(ls_ops_record *r); /* frees the strings; accepts NULL */

const char *ls_ops_kind_name(ls_ops_kind kind); /* "arrest", ... ; "" if out of range */

/* The raw text of one record, one entry per DESIGN.md section 7 column
 * (NULL or length 0 = empty cell), in this order. */
enum {
  LS_OPS_COL_OPERATION = 0,
  LS_OPS_COL_FORCE,
  LS_OPS_COL_DATE,
  LS_OPS_COL_KIND,
  LS_OPS_COL_CATEGORY,
  LS_OPS_COL_ITEM,
  LS_OPS_COL_COUNT,
  LS_OPS_COL_VALUE_GBP,
  LS_OPS_COL_WEIGHT_G,
  LS_OPS_COL_WRAPS,
  LS_OPS_COL_AGE_BAND,
  LS_OPS_COL_SEX,
  LS_OPS_COL_AREA,
  LS_OPS_COL_OUT_OF_AREA,
  LS_OPS_COL_NOTE,
  LS_OPS_COLS
};
extern const char *const ls_ops_column_names[LS_OPS_COLS];

typedef struct ls_ops_row_text {
  const char *text[LS_OPS_COLS];
  size_t len[LS_OPS_COLS];
} ls_ops_row_text;

#define LS_OPS_REASON_MAX 256

/* Validates one record (kind, category by kind, item, numbers, date, money,
 * grams, age band, sex, out_of_area; fields that do not apply to the kind
 * must be empty) and fills `out` (which the caller clears). On a bad value
 * returns LS_ERR_INPUT, writes why into reason (e.g. "value_gbp: '12.345' has
 * more than two decimal places") and sets *column to the LS_OPS_COL_* at
 * fault. LS_ERR_NOMEM when a string cannot be copied. O(record length). */
ls_status ls_ops_record_parse(const ls_ops_row_text *row, ls_ops_record *out, int *column,
                              char reason[LS_OPS_REASON_MAX]);

/* Exact parsers (never through floating point); `s` need not be
 * NUL-terminated; surrounding blanks are allowed. On failure LS_ERR_INPUT
 * and a static reason. O(len).
 *  money: `50272`, `30240.89`, `£1,250.5`, `1,250.50` -> pence (>= 0)
 *  grams: `12`, `0.75`, `1,250.125` -> milligrams (at most 3 decimals)
 *  count: `1`, `1,200` -> integer >= 0
 *  date:  `2024-10-07` (a real calendar day) */
ls_status ls_ops_parse_money(const char *s, size_t len, int64_t *pence, const char **reason);
ls_status ls_ops_parse_grams(const char *s, size_t len, int64_t *mg, const char **reason);
ls_status ls_ops_parse_count(const char *s, size_t len, int64_t *n, const char **reason);
ls_status ls_ops_parse_date(const char *s, size_t len, char out[LS_OPS_DATE_MAX], const char **reason);

/* ---- import ----------------------------------------------------------- */

#define LS_OPS_PATH_MAX 4096

/* Told of each bad row: `problem` names the file, line, column (0 when the
 * record itself is malformed) and the reason; raw is the record as written.
 * A non-zero return stops the import with that status. */
typedef ls_status (*ls_ops_reject_fn)(void *ctx, const ls_error *problem, const char *raw,
                                      size_t raw_len);

typedef struct ls_ops_import_opts {
  int skip_bad;               /* import the good rows, quarantine the bad */
  ls_ops_reject_fn on_reject; /* told of every bad row (may be NULL) */
  void *reject_ctx;
  /* where the quarantine CSV goes; NULL means beside the store (SQLite) or
   * the current directory (other backends) */
  const char *quarantine_dir;
} ls_ops_import_opts;

typedef struct ls_ops_import_stats {
  uint64_t rows_read, rows_stored, rows_rejected;
  char sha256[65];
  char quarantine_file[LS_OPS_PATH_MAX]; /* "" when nothing was quarantined */
} ls_ops_import_stats;

/* Imports a results CSV (DESIGN.md section 7; columns matched by name, case
 * free, order free, unknown columns ignored) into the store, in one
 * transaction. Every row is validated first. Errors:
 *  LS_ERR_DUPLICATE  the same file (SHA-256) was imported before;
 *  LS_ERR_INPUT      a missing column, no records, or bad rows without
 *                    skip_bad: nothing is imported, err names the file and
 *                    the first bad line, on_reject hears of every bad row;
 *  LS_ERR_IO, LS_ERR_DB, LS_ERR_NOMEM.
 * With skip_bad, bad rows are written to a quarantine CSV (its columns:
 * line, reason, then the file's own) and the rest are stored.
 * O(rows) time; the file's records are held in memory. */
ls_status ls_ops_results_import(ls_store *st, const char *path, const ls_ops_import_opts *opts,
                                ls_ops_import_stats *stats, ls_error *err);

/* Stores already validated records as one batch (the HTTP API's POST),
 * `source` naming where they came from. One transaction. O(n). */
ls_status ls_ops_results_store(ls_store *st, const ls_ops_record *recs, size_t n, const char *source,
                               ls_error *err);

/* ---- operations ------------------------------------------------------- */

typedef struct ls_ops_operation {
  char *name;
  char **forces; /* sorted */
  size_t nforces;
  int64_t records; /* rows stored */
  char first_date[LS_OPS_DATE_MAX], last_date[LS_OPS_DATE_MAX];
} ls_ops_operation;

/* Every operation in the store, sorted by name. O(records). */
ls_status ls_ops_operations_list(ls_store *st, ls_ops_operation **out, size_t *n, ls_error *err);
void ls_ops_operations_free(ls_ops_operation *ops, size_t n); /* accepts NULL */

/* ---- reports ---------------------------------------------------------- */

typedef enum ls_ops_format {
  LS_OPS_FORMAT_TEXT = 0,
  LS_OPS_FORMAT_JSON,
  LS_OPS_FORMAT_HTML,
  LS_OPS_FORMAT_PDF,
  LS_OPS_FORMAT_XLSX
} ls_ops_format;

/* "text", "json", "html", "pdf", "xlsx" -> format; LS_ERR_USAGE otherwise. */
ls_status ls_ops_format_parse(const char *name, ls_ops_format *out);

typedef struct ls_ops_scope {
  const char *operation; /* required */
  const char *force;     /* NULL: every force and unit; else one (case-insensitive) */
  int national;          /* add each force's totals and share */
} ls_ops_scope;

typedef struct ls_ops_report ls_ops_report;

/* Loads the operation's records and sums them. Errors: LS_ERR_NOTFOUND when
 * the operation (or the force under it) has no records; LS_ERR_USAGE for a
 * scope with both force and national; LS_ERR_DB, LS_ERR_NOMEM.
 * O(records log records). */
ls_status ls_ops_report_build(ls_store *st, const ls_ops_scope *scope, ls_ops_report **out,
                              ls_error *err);
void ls_ops_report_free(ls_ops_report *r); /* accepts NULL */

/* Renders text, JSON or HTML into a new NUL-terminated string (free with
 * ls_ops_free). PDF and XLSX are files: use ls_ops_report_save (LS_ERR_USAGE
 * here). O(records). */
ls_status ls_ops_report_render(const ls_ops_report *r, ls_ops_format fmt, char **out, size_t *len,
                               ls_error *err);
/* Writes any format to `path` (replaced if it exists). LS_ERR_IO on failure. */
ls_status ls_ops_report_save(const ls_ops_report *r, ls_ops_format fmt, const char *path,
                             ls_error *err);

/* The change from operation `before` to `after` (same force filter for both),
 * as text or JSON (other formats: LS_ERR_USAGE). Errors as for
 * ls_ops_report_build. O(records). */
ls_status ls_ops_compare_render(ls_store *st, const char *before, const char *after, const char *force,
                                ls_ops_format fmt, char **out, size_t *len, ls_error *err);

void ls_ops_free(void *p); /* frees strings returned above; accepts NULL */

/* Money as a press office writes it: "£50,272", "£30,240.89". `out` gets at
 * most n bytes including the NUL. */
void ls_ops_format_money(int64_t pence, char *out, size_t n);
/* Weight as "56g", "12.5g", "1.25kg" (kg from 1,000g up; rounded to 3
 * decimals of the unit shown). */
void ls_ops_format_weight(int64_t mg, char *out, size_t n);

#endif
