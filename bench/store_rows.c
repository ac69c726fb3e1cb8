/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Store backends on row-form events (bench/store-backends runs it): the
 * figures behind the cluster-size estimate in docs/deployment.md.
 *
 *   store_rows URI ROWS
 *
 * Loads ROWS synthetic events into a table events_rows (one row per event,
 * the layout a Citus cluster distributes by caller) with ls_store_copy in one
 * transaction, with an index on (caller, start); then times 2000 lookups of
 * one number each, chosen uniformly (the query that stays on one shard), and
 * one full GROUP BY scan.
 * Prints one line of key=value pairs. Callers follow a Zipf-like popularity
 * (rank^-1 over ROWS/20 numbers) as bench/gen_events.c does, because a few
 * busy numbers carry most traffic in real call records. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linesight/ls_store.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void) { /* xorshift64*: fast, deterministic */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717u;
}
static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

/* Zipf-like rank in [0, n): inverse of the continuous rank^-1 CDF. */
static int64_t zipf(int64_t n) {
  int64_t r = (int64_t)exp(uniform() * log((double)n + 1.0)) - 1;
  return r < 0 ? 0 : r >= n ? n - 1 : r;
}

static int fail(const char *what, const ls_error *err) {
  fprintf(stderr, "store_rows: %s: %s\n", what, err->message);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: store_rows URI ROWS\n");
    return 2;
  }
  const char *uri = argv[1];
  long long rows = strtoll(argv[2], NULL, 10);
  int64_t numbers = rows / 20 > 100 ? rows / 20 : 100;
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  if (ls_store_open(uri, &st, &err))
    return fail("open", &err);
  if (ls_store_exec(st, "DROP TABLE IF EXISTS events_rows", &err) ||
      ls_store_exec(st,
                    "CREATE TABLE events_rows (start BIGINT NOT NULL, caller BIGINT NOT NULL,"
                    " callee BIGINT NOT NULL, type INTEGER NOT NULL, duration INTEGER NOT NULL,"
                    " caller_cell INTEGER, callee_cell INTEGER)",
                    &err))
    return fail("create", &err);

  static const char *const cols[] = {"start", "caller", "callee", "type", "duration", "caller_cell", "callee_cell"};
  double t0 = now();
  ls_copy *c = NULL;
  if (ls_store_begin(st, &err) || ls_store_copy_begin(st, "events_rows", cols, 7, 0, &c, &err))
    return fail("copy", &err);
  int64_t start = 1728259200; /* 2024-10-07 */
  for (long long i = 0; i < rows; i++) {
    start += (int64_t)(next() % 7);
    int sms = next() % 3 == 0;
    ls_copy_int64(c, start);
    ls_copy_int64(c, zipf(numbers));
    ls_copy_int64(c, zipf(numbers));
    ls_copy_int64(c, sms);
    ls_copy_int64(c, sms ? 0 : (int64_t)(next() % 600));
    ls_copy_int64(c, (int64_t)(next() % 1150));
    if (next() % 4 == 0)
      ls_copy_null(c);
    else
      ls_copy_int64(c, (int64_t)(next() % 1150));
    if (ls_copy_row(c, &err))
      return fail("copy row", &err);
  }
  int64_t stored = 0;
  if (ls_copy_end(c, &stored, &err) || ls_store_commit(st, &err))
    return fail("copy end", &err);
  double load = now() - t0;
  t0 = now();
  if (ls_store_exec(st, "CREATE INDEX events_rows_caller ON events_rows(caller, start)", &err))
    return fail("index", &err);
  double index = now() - t0;

  ls_stmt *q = NULL;
  if (ls_stmt_prepare(st, "SELECT COUNT(*), SUM(duration) FROM events_rows WHERE caller = ? AND start >= ?", &q, &err))
    return fail("prepare", &err);
  const int lookups = 2000;
  int64_t seen = 0;
  t0 = now();
  for (int i = 0; i < lookups; i++) {
    ls_stmt_bind_int64(q, 1, (int64_t)(next() % (uint64_t)numbers)); /* a typical number, not a busy one */
    ls_stmt_bind_int64(q, 2, 1728259200);
    if (ls_stmt_step(q, &err) != LS_ROW)
      return fail("lookup", &err);
    seen += ls_stmt_int64(q, 0);
    ls_stmt_reset(q);
  }
  double lookup = (now() - t0) / lookups;
  ls_stmt_finalize(q);

  t0 = now();
  int64_t groups = 0;
  if (ls_store_query_int64(st, "SELECT COUNT(*) FROM (SELECT caller, COUNT(*) FROM events_rows GROUP BY caller) g",
                           &groups, &err))
    return fail("scan", &err);
  double scan = now() - t0;

  int64_t bytes = -1;
  if (!strcmp(ls_store_backend(st), "postgresql"))
    ls_store_query_int64(st, "SELECT pg_total_relation_size('events_rows')", &bytes, &err);
  printf("backend=%s rows=%lld load_s=%.2f load_rows_per_s=%.0f index_s=%.2f lookup_ms=%.3f "
         "rows_per_lookup=%.1f scan_s=%.2f callers=%lld bytes=%lld bytes_per_row=%.1f\n",
         ls_store_backend(st), rows, load, rows / load, index, lookup * 1e3, (double)seen / lookups, scan,
         (long long)groups, (long long)bytes, bytes > 0 ? (double)bytes / (double)rows : -1.0);
  ls_store_close(st);
  return 0;
}
