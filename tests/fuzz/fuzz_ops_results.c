/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the week-of-action results import (ls_ops_results_import,
 * DESIGN.md s.7, docs/operations.md): the CSV, its columns, every record's
 * validation (ls_ops_record_parse and the exact money, grams, count and
 * date parsers), the quarantine file, and what is stored read back as
 * reports. The store is a SQLite file in a temporary folder (on /dev/shm
 * when there is one), made once; after each input the results are deleted
 * again so that reports stay small. Checks:
 *  - without skip_bad a file either imports every row or none (input error
 *    naming the file); with skip_bad read = stored + rejected, and the
 *    quarantine file exists exactly when rows were rejected;
 *  - an imported file is refused the second time (same SHA-256);
 *  - the reports of what was stored render as text, JSON and HTML;
 *  - money and grams formatted by the ops module parse back to themselves.
 * Seeds: the CSV files of tests/data/ops. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "linesight/ls_ops.h"
#include "linesight/ls_store.h"

static ls_store *st;
static char dir[64], db[96];

static void cleanup(void) {
  ls_store_close(st);
  st = NULL;
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
    char p[128];
    snprintf(p, sizeof p, "%s%s", db, suffix[i]);
    unlink(p);
  }
  rmdir(dir);
}

static void open_store(void) {
  struct stat sb;
  snprintf(dir, sizeof dir, "%s/ls_fuzz_ops_XXXXXX",
           stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  if (!mkdtemp(dir))
    abort();
  snprintf(db, sizeof db, "%s/ops.db", dir);
  ls_error err;
  if (ls_store_open(db, &st, &err))
    abort();
  atexit(cleanup);
}

static ls_status on_reject(void *ctx, const ls_error *problem, const char *raw, size_t raw_len) {
  if (problem->code != LS_ERR_INPUT || !problem->message[0] || problem->line < 1 || (raw_len && !raw))
    abort();
  (*(uint64_t *)ctx)++;
  return LS_OK;
}

static void reports(void) {
  ls_ops_operation *ops = NULL;
  size_t n = 0;
  ls_error err;
  if (ls_ops_operations_list(st, &ops, &n, &err))
    abort();
  for (size_t i = 0; i < n && i < 2; i++) {
    ls_ops_scope scope = {.operation = ops[i].name, .national = (int)(i & 1)};
    ls_ops_report *r = NULL;
    if (ls_ops_report_build(st, &scope, &r, &err))
      abort();
    static const ls_ops_format fmts[] = {LS_OPS_FORMAT_TEXT, LS_OPS_FORMAT_JSON, LS_OPS_FORMAT_HTML};
    for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
      char *out = NULL;
      size_t len = 0;
      if (ls_ops_report_render(r, fmts[f], &out, &len, &err) || !out || strlen(out) != len)
        abort();
      ls_ops_free(out);
    }
    ls_ops_report_free(r);
  }
  ls_ops_operations_free(ops, n);
  if (ls_store_begin(st, &err) || ls_store_exec(st, "DELETE FROM ops_results", &err) ||
      ls_store_exec(st, "DELETE FROM ops_imports", &err) || ls_store_commit(st, &err))
    abort();
}

static void parsers(const uint8_t *data, size_t size) {
  const char *s = (const char *)data, *why = NULL;
  size_t len = size < 64 ? size : 64;
  int64_t v, back;
  char text[64], date[LS_OPS_DATE_MAX];
  if (ls_ops_parse_money(s, len, &v, &why) == LS_OK) {
    ls_ops_format_money(v, text, sizeof text);
    if (v < 0 || ls_ops_parse_money(text, strlen(text), &back, &why) != LS_OK || back != v)
      abort();
  }
  if (ls_ops_parse_grams(s, len, &v, &why) == LS_OK && v < 1000000) {
    ls_ops_format_weight(v, text, sizeof text); /* "12.5g" below a kilogram */
    size_t tl = strlen(text);
    if (v < 0 || tl < 2 || text[tl - 1] != 'g' || ls_ops_parse_grams(text, tl - 1, &back, &why) != LS_OK ||
        back != v)
      abort();
  }
  (void)ls_ops_parse_count(s, len, &v, &why);
  if (ls_ops_parse_date(s, len, date, &why) == LS_OK && strlen(date) != 10)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!st)
    open_store();
  parsers(data, size);
  char path[64];
  if (fz_file(0, data, size, path))
    return 0;

  /* all or nothing first */
  uint64_t rejected = 0;
  ls_ops_import_opts opts = {.on_reject = on_reject, .reject_ctx = &rejected, .quarantine_dir = dir};
  ls_ops_import_stats stats;
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = ls_ops_results_import(st, path, &opts, &stats, &err);
  if (rc == LS_OK) {
    if (stats.rows_rejected || stats.rows_stored != stats.rows_read || !stats.rows_read || stats.quarantine_file[0])
      abort();
    if (ls_ops_results_import(st, path, &opts, &stats, &err) != LS_ERR_DUPLICATE)
      abort();
  } else {
    if (rc != LS_ERR_INPUT || !err.message[0] || stats.rows_stored || rejected != stats.rows_rejected)
      abort();
    /* then the good rows, the bad ones quarantined */
    opts.skip_bad = 1;
    rejected = 0;
    ls_error_clear(&err);
    rc = ls_ops_results_import(st, path, &opts, &stats, &err);
    if (rc == LS_OK) {
      if (stats.rows_stored + stats.rows_rejected != stats.rows_read || rejected != stats.rows_rejected ||
          !stats.rows_rejected != !stats.quarantine_file[0])
        abort();
      if (stats.quarantine_file[0] && unlink(stats.quarantine_file) != 0)
        abort(); /* the file it named is there */
    } else if (rc != LS_ERR_INPUT || !err.message[0]) {
      abort();
    }
  }
  reports();
  return 0;
}
