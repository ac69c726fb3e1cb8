/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The RFC 4180 reader: quoting, line ends, BOM, empty lines, limits and
 * resynchronisation after a malformed record, header mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/ls_mem.h"
#include "ingest/ingest_csv.h"

static void expect_field(const ls_csv *csv, long i, const char *want) {
  size_t n;
  const char *s = ls_csv_field(csv, i, &n);
  if (n != strlen(want) || memcmp(s, want, n) != 0)
    fail_msg("line %ld field %ld: '%.*s', want '%s'", ls_csv_line(csv), i, (int)n, s, want);
}

static void expect_raw(const ls_csv *csv, const char *want) {
  size_t n;
  const char *s = ls_csv_raw(csv, &n);
  if (n != strlen(want) || memcmp(s, want, n) != 0)
    fail_msg("raw '%.*s', want '%s'", (int)n, s, want);
}

static void plain_records_and_line_numbers(void **state) {
  (void)state;
  static const char in[] = "a,b,c\n1,2,3\n\n4,,6\n";
  ls_csv csv;
  ls_csv_open_mem(&csv, in, sizeof in - 1, "t.csv");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_count(&csv), 3);
  assert_int_equal(ls_csv_line(&csv), 1);
  expect_field(&csv, 2, "c");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 2);
  expect_raw(&csv, "1,2,3");
  assert_int_equal(ls_csv_next(&csv), LS_ROW); /* the empty line 3 is skipped */
  assert_int_equal(ls_csv_line(&csv), 4);
  expect_field(&csv, 0, "4");
  expect_field(&csv, 1, "");
  expect_field(&csv, 2, "6");
  expect_field(&csv, 3, "");  /* out of range: empty */
  expect_field(&csv, -1, ""); /* absent column: empty */
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  assert_int_equal(ls_csv_offset(&csv), sizeof in - 1);
  ls_csv_close(&csv);
}

static void quoting_crlf_bom_and_embedded_newlines(void **state) {
  (void)state;
  static const char in[] = "\xEF\xBB\xBF"
                           "name,note\r\n"
                           "\"Smith, J\",\"said \"\"hi\"\"\"\r\n"
                           "\r\n"
                           "\"multi\nline\r\nfield\",x\r\n"
                           "plain,\"\"\r\n"
                           "5\"3,last"; /* no final line end; a bare quote is data */
  ls_csv csv;
  ls_csv_open_mem(&csv, in, sizeof in - 1, "t.csv");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  expect_field(&csv, 0, "name"); /* BOM skipped */
  expect_field(&csv, 1, "note"); /* CR dropped */
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 2);
  expect_field(&csv, 0, "Smith, J");
  expect_field(&csv, 1, "said \"hi\"");
  expect_raw(&csv, "\"Smith, J\",\"said \"\"hi\"\"\"");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 4);
  expect_field(&csv, 0, "multi\nline\r\nfield");
  expect_field(&csv, 1, "x");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 7); /* the quoted field spanned 3 lines */
  expect_field(&csv, 0, "plain");
  expect_field(&csv, 1, "");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 8);
  expect_field(&csv, 0, "5\"3");
  expect_field(&csv, 1, "last");
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
}

static void trailing_comma_and_lone_cr(void **state) {
  (void)state;
  static const char in[] = "a,b,\n\"q\"\r";
  ls_csv csv;
  ls_csv_open_mem(&csv, in, sizeof in - 1, NULL);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_count(&csv), 3);
  expect_field(&csv, 2, "");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_count(&csv), 1);
  expect_field(&csv, 0, "q");
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
}

static void malformed_records_are_reported_and_skipped(void **state) {
  (void)state;
  static const char in[] = "a,b\n"
                           "\"x\"y,1\n"   /* text after the closing quote */
                           "ok,2\n"
                           "\"open,3\n"   /* unterminated: no quote follows */
                           "ok,4\n";
  ls_csv csv;
  ls_csv_open_mem(&csv, in, sizeof in - 1, NULL);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 2);
  assert_non_null(strstr(ls_csv_reason(&csv), "closing quote"));
  assert_int_equal(ls_csv_error_field(&csv), 1);
  expect_raw(&csv, "\"x\"y,1");
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 3);
  expect_field(&csv, 1, "2");
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 4);
  assert_non_null(strstr(ls_csv_reason(&csv), "unterminated"));
  expect_raw(&csv, "\"open,3");
  assert_int_equal(ls_csv_next(&csv), LS_ROW); /* resynced at the next line */
  assert_int_equal(ls_csv_line(&csv), 5);
  expect_field(&csv, 0, "ok");
  expect_field(&csv, 1, "4");
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
}

/* A NUL byte would cut a value short once it is a C string: the record is
 * rejected whole (naming the field), its raw bytes kept for the quarantine,
 * and reading goes on - also after a quoted field spanning lines. */
static void nul_bytes_reject_the_record(void **state) {
  (void)state;
  static const char in[] = "a,b,c\n"
                           "x,C1\0X,1\n"
                           "\"two\nlines\",y\0,2\n"
                           "ok,z,3\n";
  ls_csv csv;
  ls_csv_open_mem(&csv, in, sizeof in - 1, NULL);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 2);
  assert_non_null(strstr(ls_csv_reason(&csv), "NUL"));
  assert_int_equal(ls_csv_error_field(&csv), 2);
  size_t n;
  const char *raw = ls_csv_raw(&csv, &n);
  assert_int_equal(n, 8);
  assert_memory_equal(raw, "x,C1\0X,1", 8);
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 3);
  assert_int_equal(ls_csv_error_field(&csv), 2);
  assert_int_equal(ls_csv_count(&csv), 0);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 5);
  expect_field(&csv, 2, "3");
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
}

static void huge_field_and_too_many_columns(void **state) {
  (void)state;
  size_t big = LS_LIMIT_CSV_FIELD + 10;
  size_t cols = LS_LIMIT_CSV_COLUMNS + 1;
  size_t cap = 64 + 2 * big + 2 * cols;
  char *in = ls_malloc(cap);
  assert_non_null(in);
  size_t n = 0;
  n += (size_t)snprintf(in + n, cap - n, "a,b\n");
  in[n++] = 'x'; /* line 2: an unquoted field over the limit */
  memset(in + n, 'y', big);
  n += big;
  n += (size_t)snprintf(in + n, cap - n, ",1\nafter,2\n\""); /* line 4: quoted, over limit */
  memset(in + n, 'z', big);
  n += big;
  n += (size_t)snprintf(in + n, cap - n, "\"\nafter,3\n");
  for (size_t i = 0; i < cols; i++) { /* line 6: too many fields */
    in[n++] = 'c';
    in[n++] = i + 1 < cols ? ',' : '\n';
  }
  n += (size_t)snprintf(in + n, cap - n, "after,4\n");
  assert_true(n <= cap);

  ls_csv csv;
  ls_csv_open_mem(&csv, in, n, NULL);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 2);
  assert_non_null(strstr(ls_csv_reason(&csv), "limit"));
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 3);
  expect_field(&csv, 1, "2");
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 4);
  assert_non_null(strstr(ls_csv_reason(&csv), "limit"));
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 5);
  expect_field(&csv, 1, "3");
  assert_int_equal(ls_csv_next(&csv), LS_ERR_INPUT);
  assert_int_equal(ls_csv_line(&csv), 6);
  assert_non_null(strstr(ls_csv_reason(&csv), "too many fields"));
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  assert_int_equal(ls_csv_line(&csv), 7);
  expect_field(&csv, 1, "4");
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
  ls_free(in);
}

static void many_unterminated_quotes_stay_linear(void **state) {
  (void)state;
  /* 200k lines that each open a quote and never close it: every one is
   * rejected and reading goes on (the quote search is memoised). */
  size_t lines = 200000, n = 0;
  char *in = ls_malloc(lines * 3);
  assert_non_null(in);
  for (size_t i = 0; i < lines; i++) {
    in[n++] = '"';
    in[n++] = 'a';
    in[n++] = '\n';
  }
  ls_csv csv;
  ls_csv_open_mem(&csv, in, n, NULL);
  size_t bad = 0;
  ls_status rc;
  while ((rc = ls_csv_next(&csv)) != LS_DONE) {
    assert_int_equal(rc, LS_ERR_INPUT);
    bad++;
  }
  assert_int_equal(bad, lines);
  ls_csv_close(&csv);
  ls_free(in);
}

static void header_mapping(void **state) {
  (void)state;
  static const char in[] = " Caller ,START,extra,Type,callee\n1,2,3,4,5\n";
  ls_csv csv;
  ls_error err;
  ls_error_clear(&err);
  ls_csv_open_mem(&csv, in, sizeof in - 1, "ev.csv");
  assert_int_equal(ls_csv_read_header(&csv, &err), LS_OK);
  assert_int_equal(ls_csv_header_count(&csv), 5);
  assert_string_equal(ls_csv_header_name(&csv, 0), "Caller");
  assert_null(ls_csv_header_name(&csv, 5));
  assert_int_equal(ls_csv_column(&csv, "caller"), 0);
  assert_int_equal(ls_csv_column(&csv, "type"), 3);
  assert_int_equal(ls_csv_column(&csv, "missing"), -1);
  ls_csv_col cols[] = {{"start", 1, 0}, {"callee", 1, 0}, {"duration_s", 0, 0}};
  assert_int_equal(ls_csv_map_columns(&csv, cols, 3, &err), LS_OK);
  assert_int_equal(cols[0].index, 1);
  assert_int_equal(cols[1].index, 4);
  assert_int_equal(cols[2].index, -1);
  ls_csv_col need[] = {{"start", 1, 0}, {"imei", 1, 0}};
  assert_int_equal(ls_csv_map_columns(&csv, need, 2, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "missing column 'imei'"));
  assert_string_equal(err.file, "ev.csv");
  assert_int_equal(err.line, 1);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  expect_field(&csv, cols[1].index, "5");
  ls_csv_close(&csv);

  static const char dup[] = "a,A\n";
  ls_csv_open_mem(&csv, dup, sizeof dup - 1, "d.csv");
  assert_int_equal(ls_csv_read_header(&csv, &err), LS_OK);
  ls_csv_col a[] = {{"a", 1, 0}};
  assert_int_equal(ls_csv_map_columns(&csv, a, 1, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "twice"));
  ls_csv_close(&csv);
}

static void empty_and_bad_headers(void **state) {
  (void)state;
  ls_csv csv;
  ls_error err;
  ls_error_clear(&err);
  ls_csv_open_mem(&csv, "\n\r\n", 3, "e.csv");
  assert_int_equal(ls_csv_read_header(&csv, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "empty"));
  ls_csv_close(&csv);
  ls_csv_open_mem(&csv, "\xEF\xBB\xBF", 3, "bom.csv");
  assert_int_equal(ls_csv_read_header(&csv, &err), LS_ERR_INPUT);
  ls_csv_close(&csv);
  ls_csv_open_mem(&csv, "\"a,b\n", 5, "q.csv");
  assert_int_equal(ls_csv_read_header(&csv, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "unterminated"));
  assert_int_equal(err.line, 1);
  ls_csv_close(&csv);
}

static void files_map_and_fail_cleanly(void **state) {
  (void)state;
  char path[] = "/tmp/ls_test_csv_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  static const char in[] = "x,y\n1,2\n";
  assert_int_equal(write(fd, in, sizeof in - 1), (ssize_t)(sizeof in - 1));
  close(fd);
  ls_csv csv;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_csv_open(&csv, path, &err), LS_OK);
  assert_int_equal(ls_csv_size(&csv), sizeof in - 1);
  assert_string_equal(ls_csv_name(&csv), path);
  assert_int_equal(ls_csv_read_header(&csv, &err), LS_OK);
  assert_int_equal(ls_csv_next(&csv), LS_ROW);
  expect_field(&csv, 1, "2");
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
  ls_csv_close(&csv); /* closing twice is harmless */

  /* an empty file opens and has no records */
  fd = open(path, O_WRONLY | O_TRUNC);
  close(fd);
  assert_int_equal(ls_csv_open(&csv, path, &err), LS_OK);
  assert_int_equal(ls_csv_next(&csv), LS_DONE);
  ls_csv_close(&csv);
  unlink(path);

  assert_int_equal(ls_csv_open(&csv, "/nonexistent/x.csv", &err), LS_ERR_IO);
  assert_string_equal(err.file, "/nonexistent/x.csv");
  ls_csv_close(&csv);
  assert_int_equal(ls_csv_open(&csv, "/tmp", &err), LS_ERR_IO);
  ls_csv_close(&csv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_records_and_line_numbers),
      cmocka_unit_test(quoting_crlf_bom_and_embedded_newlines),
      cmocka_unit_test(trailing_comma_and_lone_cr),
      cmocka_unit_test(malformed_records_are_reported_and_skipped),
      cmocka_unit_test(nul_bytes_reject_the_record),
      cmocka_unit_test(huge_field_and_too_many_columns),
      cmocka_unit_test(many_unterminated_quotes_stay_linear),
      cmocka_unit_test(header_mapping),
      cmocka_unit_test(empty_and_bad_headers),
      cmocka_unit_test(files_map_and_fail_cleanly),
  };
  return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
