/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The events reader's two-range path (a large file parsed on two threads,
 * dictionaries merged after): on small files with the threshold lowered, it
 * must give exactly what one thread gives - the same events with the same
 * ids, the same counts, the same rejects with the same file line numbers, in
 * order - including when the middle of the file falls inside a quoted field
 * that spans lines (the second range is then discarded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest_csv.h"
#include "ingest/ingest_rows.h"
#include "linesight/ls_ingest.h"

typedef struct rejects {
  char text[1 << 18];
  size_t len;
  int n;
} rejects;

static ls_status on_reject(void *ctx, const ls_reject *r) {
  rejects *x = ctx;
  int n = snprintf(x->text + x->len, sizeof x->text - x->len, "%ld|%s|%.*s\n", r->line, r->reason,
                   (int)r->raw_len, r->raw);
  if (n < 0 || (size_t)n >= sizeof x->text - x->len)
    return LS_ERR_LIMIT;
  x->len += (size_t)n;
  x->n++;
  return LS_OK;
}

typedef struct result {
  ls_events ev;
  ls_read_stats stats;
  rejects rej;
} result;

static void read_file(const char *path, uint64_t parallel_min, result *r) {
  ls_error err;
  ls_read_opts o = {.on_reject = on_reject, .reject_ctx = &r->rej};
  memset(r, 0, sizeof *r);
  ls_events_init(&r->ev);
  ls__ingest_events_parallel_min(parallel_min);
  assert_int_equal(ls_ingest_read_events(path, &o, &r->ev, &r->stats, &err), LS_OK);
  ls__ingest_events_parallel_min(0);
}

#define SAME_COLUMN(col, n) assert_memory_equal(a->ev.col, b->ev.col, (n) * sizeof *a->ev.col)

static void assert_same(const result *a, const result *b) {
  assert_int_equal(a->stats.rows_read, b->stats.rows_read);
  assert_int_equal(a->stats.rows_ok, b->stats.rows_ok);
  assert_int_equal(a->stats.rows_rejected, b->stats.rows_rejected);
  assert_int_equal(a->ev.count, b->ev.count);
  size_t n = a->ev.count;
  SAME_COLUMN(start, n);
  SAME_COLUMN(type, n);
  SAME_COLUMN(caller, n);
  SAME_COLUMN(callee, n);
  SAME_COLUMN(duration, n);
  SAME_COLUMN(caller_cell, n);
  SAME_COLUMN(callee_cell, n);
  SAME_COLUMN(caller_imei, n);
  SAME_COLUMN(callee_imei, n);
  const ls_dict *da[3] = {&a->ev.numbers, &a->ev.cells, &a->ev.imeis};
  const ls_dict *db[3] = {&b->ev.numbers, &b->ev.cells, &b->ev.imeis};
  for (int t = 0; t < 3; t++) {
    assert_int_equal(da[t]->count, db[t]->count);
    for (uint32_t id = 0; id < da[t]->count; id++)
      assert_string_equal(ls_dict_str(da[t], id), ls_dict_str(db[t], id));
  }
  assert_int_equal(a->rej.n, b->rej.n);
  assert_int_equal(a->rej.len, b->rej.len);
  assert_memory_equal(a->rej.text, b->rej.text, a->rej.len);
}

/* rows: good ones (zone-less and UTC times, numbers in several forms, cells,
 * IMEIs), every 97th bad, every 211th with a quoted cell holding a line end,
 * every 503rd followed by an empty line. big_quote: one quoted field of many
 * lines in the middle of the file. */
static void write_file(const char *path, int rows, int big_quote) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("start,type,caller,callee,duration_s,caller_cell,callee_cell,caller_imei\n", fp);
  for (int i = 0; i < rows; i++) {
    int a = (i * 7919) % 1500, b = (i * 104729) % 1700;
    if (big_quote && i == rows / 2) {
      fputs("2024-10-07T12:00:00Z,call,07700900001,07700900002,5,\"BIG", fp);
      for (int k = 0; k < 1000; k++)
        fputs("\nline of a long quoted cell name", fp);
      fputs("\",C1,\n", fp);
      continue;
    }
    if (i % 97 == 5) {
      fprintf(fp, "2024-10-07T12:00:%02dZ,fax,0770090%04d,07700900%03d,1,C1,,\n", i % 60, a,
              b % 1000);
      continue;
    }
    fprintf(fp, "2024-%02d-%02d %02d:%02d:%02d,%s,%s0770090%04d,+44 7700 90%04d,%d,", 3 + i % 8,
            1 + i % 28, i % 24, i % 60, (i * 13) % 60, i % 3 ? "sms" : "call", i % 2 ? "" : "+44 ",
            a % 10000 < 1000 ? a + 1000 : a, b, i % 3 ? 0 : i % 600);
    if (i % 211 == 7)
      fprintf(fp, "\"C%d\nsplit\",", i % 50);
    else
      fprintf(fp, "C%d,", (i * 31) % 400);
    fprintf(fp, "%s,%s\n", i % 5 ? "" : "D9", i % 4 ? "" : "35-209900-176148-1");
    if (i % 503 == 11)
      fputs("\n", fp);
  }
  assert_int_equal(fclose(fp), 0);
}

static void same_as_one_thread(int rows, int big_quote) {
  char path[] = "/tmp/ls-test-split-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  write_file(path, rows, big_quote);
  result *one = calloc(1, sizeof *one), *two = calloc(1, sizeof *two);
  assert_non_null(one);
  assert_non_null(two);
  read_file(path, UINT64_MAX, one);
  read_file(path, 1, two);
  if (rows >= 1000) { /* the file has what the comparison is about */
    assert_true(one->stats.rows_rejected > 10);
    assert_true(one->ev.count > (size_t)rows / 2);
  }
  assert_same(one, two);
  /* releasing the pages already read (a page at a time here) loses nothing:
   * the same events and the same rejected rows, raw text included */
  result *dropped = calloc(1, sizeof *dropped);
  assert_non_null(dropped);
  size_t before = ls__csv_drop_step(4096);
  read_file(path, 1, dropped);
  size_t released = ls__csv_drop_step(0) - before;
  assert_same(one, dropped);
  if (rows >= 1000)
    assert_true(released > 0);
  ls_events_free(&one->ev);
  ls_events_free(&two->ev);
  ls_events_free(&dropped->ev);
  free(one);
  free(two);
  free(dropped);
  unlink(path);
}

static void split_matches_one_thread(void **state) {
  (void)state;
  same_as_one_thread(5000, 0);
}

static void quoted_field_across_the_middle(void **state) {
  (void)state;
  same_as_one_thread(3000, 1);
}

static void small_files_and_odd_splits(void **state) {
  (void)state;
  /* sizes where the middle falls on the header's end, the last line, or a
   * file with no final line end */
  for (int rows = 1; rows <= 12; rows++)
    same_as_one_thread(rows * 10, 0);
  char path[] = "/tmp/ls-test-split-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char text[] = "start,type,caller,callee\n"
                      "2024-10-07T12:00:00Z,sms,07700900001,07700900002\n"
                      "2024-10-07T12:00:01Z,sms,07700900002,07700900003";
  assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
  close(fd);
  result *one = calloc(1, sizeof *one), *two = calloc(1, sizeof *two);
  assert_non_null(one);
  assert_non_null(two);
  read_file(path, UINT64_MAX, one);
  read_file(path, 1, two);
  assert_int_equal(one->ev.count, 2);
  assert_same(one, two);
  ls_events_free(&one->ev);
  ls_events_free(&two->ev);
  free(one);
  free(two);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(split_matches_one_thread),
      cmocka_unit_test(quoted_field_across_the_middle),
      cmocka_unit_test(small_files_and_odd_splits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
