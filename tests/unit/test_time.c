/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ISO 8601 parsing and local times through the system tz database,
 * including both BST changes of 2024 for Europe/London. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_ingest.h"
#include "linesight/ls_time.h"

static ls_tz *open_tz(const char *name) {
  ls_tz *tz = NULL;
  ls_error err;
  ls_error_clear(&err);
  if (ls_tz_open(name, &tz, &err) != LS_OK)
    fail_msg("cannot open %s: %s", name, err.message);
  return tz;
}

static void expect_utc(const ls_tz *tz, const char *in, const char *want) {
  int64_t t = 0;
  const char *reason = NULL;
  if (ls_time_parse(in, strlen(in), tz, &t, &reason) != LS_OK)
    fail_msg("'%s' rejected: %s", in, reason ? reason : "?");
  char out[LS_ISO_MAX];
  ls_time_format_utc(t, out);
  if (strcmp(out, want) != 0)
    fail_msg("'%s' in %s -> %s, want %s", in, tz ? ls_tz_name(tz) : "-", out, want);
}

static void expect_reject(const ls_tz *tz, const char *in, const char *reason_part) {
  int64_t t = 0;
  const char *reason = NULL;
  if (ls_time_parse(in, strlen(in), tz, &t, &reason) != LS_ERR_INPUT)
    fail_msg("'%s' accepted", in);
  assert_non_null(reason);
  if (!strstr(reason, reason_part))
    fail_msg("'%s': reason '%s' lacks '%s'", in, reason, reason_part);
}

static void zulu_and_offsets(void **state) {
  (void)state;
  expect_utc(NULL, "2024-10-07T13:45:12Z", "2024-10-07T13:45:12Z");
  expect_utc(NULL, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
  expect_utc(NULL, "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z");
  expect_utc(NULL, "2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z");
  expect_utc(NULL, "2024-10-07T13:45:12+01:00", "2024-10-07T12:45:12Z");
  expect_utc(NULL, "2024-10-07T13:45:12+0100", "2024-10-07T12:45:12Z");
  expect_utc(NULL, "2024-10-07T13:45:12+01", "2024-10-07T12:45:12Z");
  expect_utc(NULL, "2024-10-07T13:45:12-05:30", "2024-10-07T19:15:12Z");
  expect_utc(NULL, "2024-10-07 13:45:12Z", "2024-10-07T13:45:12Z");
  expect_utc(NULL, "2024-10-07T13:45:12.123456Z", "2024-10-07T13:45:12Z");
  expect_utc(NULL, "2024-10-07T13:45Z", "2024-10-07T13:45:00Z");
  expect_utc(NULL, " 2024-10-07T13:45:12z ", "2024-10-07T13:45:12Z");
  expect_utc(NULL, "2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z");
}

static void fields_are_validated(void **state) {
  (void)state;
  expect_reject(NULL, "", "empty");
  expect_reject(NULL, "yesterday", "ISO 8601");
  expect_reject(NULL, "2024-13-01T00:00:00Z", "month");
  expect_reject(NULL, "2024-00-01T00:00:00Z", "month");
  expect_reject(NULL, "2023-02-29T00:00:00Z", "day");
  expect_reject(NULL, "2024-04-31T00:00:00Z", "day");
  expect_reject(NULL, "2024-04-00T00:00:00Z", "day");
  expect_reject(NULL, "2024-04-01T24:00:00Z", "hour");
  expect_reject(NULL, "2024-04-01T23:60:00Z", "minute");
  expect_reject(NULL, "2024-04-01T23:59:60Z", "second");
  expect_reject(NULL, "2024-04-01T23:59:59+19:00", "offset");
  expect_reject(NULL, "2024-04-01T23:59:59+01:75", "offset");
  expect_reject(NULL, "2024-04-01T23:59:59Zjunk", "after the time");
  expect_reject(NULL, "2024-04-01T23:59:59 +01:00", "after the time");
  expect_reject(NULL, "2024/04/01T23:59:59Z", "ISO 8601");
  expect_reject(NULL, "2024-04-01X23:59:59Z", "ISO 8601");
  expect_reject(NULL, "2024-04-01T23:59:59.Z", "ISO 8601");
  expect_reject(NULL, "2024-04-01T23:59:59", "without a time zone");
}

static void london_spring_gap_and_autumn_fold(void **state) {
  (void)state;
  ls_tz *tz = open_tz("Europe/London");
  /* winter: GMT */
  expect_utc(tz, "2024-01-15T10:00:00", "2024-01-15T10:00:00Z");
  /* spring forward 2024-03-31 01:00 GMT -> 02:00 BST */
  expect_utc(tz, "2024-03-31T00:59:59", "2024-03-31T00:59:59Z");
  expect_reject(tz, "2024-03-31T01:00:00", "clocks went forward");
  expect_reject(tz, "2024-03-31 01:30", "clocks went forward");
  expect_reject(tz, "2024-03-31T01:59:59", "clocks went forward");
  expect_utc(tz, "2024-03-31T02:00:00", "2024-03-31T01:00:00Z");
  /* summer: BST */
  expect_utc(tz, "2024-07-01 12:00:00", "2024-07-01T11:00:00Z");
  /* autumn fold 2024-10-27 02:00 BST -> 01:00 GMT: 01:00-01:59 twice */
  expect_utc(tz, "2024-10-27T00:59:59", "2024-10-26T23:59:59Z");
  expect_utc(tz, "2024-10-27T01:00:00", "2024-10-27T00:00:00Z");
  expect_utc(tz, "2024-10-27T01:30:00", "2024-10-27T00:30:00Z");
  expect_utc(tz, "2024-10-27T01:59:59", "2024-10-27T00:59:59Z");
  expect_utc(tz, "2024-10-27T02:00:00", "2024-10-27T02:00:00Z");
  /* an explicit zone wins over tz */
  expect_utc(tz, "2024-03-31T01:30:00Z", "2024-03-31T01:30:00Z");
  /* offsets the library reports */
  assert_int_equal(ls_tz_offset_at(tz, 1719835200), 3600); /* 2024-07-01T12:00Z */
  assert_int_equal(ls_tz_offset_at(tz, 1704110400), 0);    /* 2024-01-01T12:00Z */
  ls_tz_close(tz);
}

static void utc_and_new_york(void **state) {
  (void)state;
  ls_tz *utc = open_tz("UTC");
  expect_utc(utc, "2024-03-31T01:30:00", "2024-03-31T01:30:00Z");
  expect_utc(utc, "2024-10-27T01:30:00", "2024-10-27T01:30:00Z");
  ls_tz_close(utc);

  ls_tz *ny = open_tz("America/New_York");
  expect_utc(ny, "2024-01-15T10:00:00", "2024-01-15T15:00:00Z");
  expect_utc(ny, "2024-07-01T10:00:00", "2024-07-01T14:00:00Z");
  /* 2024-03-10 02:00 EST -> 03:00 EDT */
  expect_reject(ny, "2024-03-10T02:30:00", "clocks went forward");
  expect_utc(ny, "2024-03-10T03:00:00", "2024-03-10T07:00:00Z");
  /* 2024-11-03 02:00 EDT -> 01:00 EST: 01:30 first as EDT */
  expect_utc(ny, "2024-11-03T01:30:00", "2024-11-03T05:30:00Z");
  expect_utc(ny, "2024-11-03T02:30:00", "2024-11-03T07:30:00Z");
  ls_tz_close(ny);
}

static void unknown_zone_is_refused_and_tz_restored(void **state) {
  (void)state;
  ls_tz *tz = (ls_tz *)1;
  ls_error err;
  ls_error_clear(&err);
  setenv("TZ", "Asia/Tokyo", 1);
  assert_int_equal(ls_tz_open("Mars/Olympus_Mons", &tz, &err), LS_ERR_USAGE);
  assert_null(tz);
  assert_non_null(strstr(err.message, "Mars/Olympus_Mons"));
  assert_int_equal(ls_tz_open("../../etc/passwd", &tz, &err), LS_ERR_USAGE);
  tz = open_tz("Europe/London");
  assert_string_equal(getenv("TZ"), "Asia/Tokyo");
  ls_tz_close(tz);
  unsetenv("TZ");
  tz = open_tz("Europe/London");
  assert_null(getenv("TZ"));
  ls_tz_close(tz);
  ls_tz_close(NULL);
}

static void dates(void **state) {
  (void)state;
  int32_t d = -1;
  const char *reason = NULL;
  assert_int_equal(ls_date_parse("1970-01-01", 10, &d, &reason), LS_OK);
  assert_int_equal(d, 0);
  assert_int_equal(ls_date_parse("2008-02-29", 10, &d, &reason), LS_OK);
  assert_int_equal(d, 13938);
  assert_int_equal(ls_date_parse("1950-06-15", 10, &d, &reason), LS_OK);
  assert_int_equal(d, -7140);
  assert_int_equal(ls_date_parse("2007-02-29", 10, &d, &reason), LS_ERR_INPUT);
  assert_non_null(strstr(reason, "day"));
  assert_int_equal(ls_date_parse("15/06/1950", 10, &d, &reason), LS_ERR_INPUT);
  assert_non_null(strstr(reason, "YYYY-MM-DD"));
  assert_int_equal(ls_date_parse("2008-02-29T00:00:00Z", 20, &d, &reason), LS_ERR_INPUT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zulu_and_offsets),
      cmocka_unit_test(fields_are_validated),
      cmocka_unit_test(london_spring_gap_and_autumn_fold),
      cmocka_unit_test(utc_and_new_york),
      cmocka_unit_test(unknown_zone_is_refused_and_tz_restored),
      cmocka_unit_test(dates),
  };
  return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
