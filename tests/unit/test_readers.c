/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The events and reference-table readers on small files with good and bad
 * rows: counts, stored values, and each reject's line, raw text and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ls_mem.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_time.h"

#define MAX_REJECTS 32

typedef struct rejects {
  size_t n;
  long line[MAX_REJECTS];
  char raw[MAX_REJECTS][160];
  char reason[MAX_REJECTS][200];
  int fail; /* make the callback fail */
} rejects;

static ls_status on_reject(void *ctx, const ls_reject *r) {
  rejects *rj = ctx;
  if (rj->fail)
    return LS_ERR_IO;
  if (rj->n < MAX_REJECTS) {
    rj->line[rj->n] = r->line;
    snprintf(rj->raw[rj->n], sizeof rj->raw[0], "%.*s", (int)r->raw_len, r->raw);
    snprintf(rj->reason[rj->n], sizeof rj->reason[0], "%s", r->reason);
  }
  rj->n++;
  return LS_OK;
}

static char *write_temp(const char *text) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/ls_test_readers_XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  size_t n = strlen(text);
  assert_int_equal(write(fd, text, n), (ssize_t)n);
  close(fd);
  return path;
}

static void expect_reject(const rejects *rj, size_t i, long line, const char *reason_part) {
  if (i >= rj->n)
    fail_msg("reject %zu missing (only %zu)", i, rj->n);
  if (rj->line[i] != line)
    fail_msg("reject %zu at line %ld, want %ld (%s)", i, rj->line[i], line, rj->reason[i]);
  if (!strstr(rj->reason[i], reason_part))
    fail_msg("reject %zu: '%s' lacks '%s'", i, rj->reason[i], reason_part);
}

static const char k_events[] =
    "caller,Type,start,callee,duration_s,caller_cell,callee_cell,caller_imei,callee_imei,notes\n"
    "07700 900123,call,2024-10-07T13:45:12Z,+44 7700 900456,61,C1,C2,356938035643809,,x\n"
    "447700900456,SMS,2024-10-07T13:46:00+01:00,07700900123,,C2,,,35-693803-564380-9,\n"
    "abc,call,2024-10-07T13:45:12Z,07700900123,5,,,,,\n"            /* 4: caller */
    "07700900123,fax,2024-10-07T13:45:12Z,07700900456,5,,,,,\n"     /* 5: type */
    "07700900123,call,2024-03-31 01:30:00,07700900456,5,,,,,\n"     /* 6: gap */
    "07700900123,call,2024-10-27 01:30:00,07700900456,-5,,,,,\n"    /* 7: duration */
    "\n"
    "07700900123,mms,2024-10-27 01:30:00,07700900456,,C1,,,,\n"     /* 9: ok, fold */
    "07700900123,call,2024-10-07T13:45:12Z,07700900456,5,,,12345,,\n" /* 10: imei */
    "07700900123,call,,07700900456,5,,,,,\n"                        /* 11: start missing */
    "07700900123,call,2024-10-07T13:45:12Z,07700900456,5\n"         /* 12: short row */
    "\"07700900123,call,2024-10-07T13:45:12Z,07700900456,5,,,,,\n"  /* 13: bad quote */
    "07700900123,call,2024-10-07T13:45:12Z,07700900456,1.5,,,,,\n"  /* 14: duration */
    "\"0770\n0900123\",call,2024-10-07T13:45:12Z,07700900456,0,,,,,\n" /* 15: embedded LF */
    "07700900123,Call,2024-10-07T13:45:12Z,07700900999,12.0,,,,,,\n"  /* 17: ok, trailing comma */
    "07700900123,call,2024-10-07T13:45:12Z,07700900999,12,,,,,,x\n"; /* 18: extra value */

static void events_good_and_bad_rows(void **state) {
  (void)state;
  char *path = write_temp(k_events);
  ls_events ev;
  ls_events_init(&ev);
  rejects rj = {0};
  ls_read_opts opts = {NULL, on_reject, &rj, NULL, NULL};
  ls_read_stats st;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_ingest_read_events(path, &opts, &ev, &st, &err), LS_OK);
  assert_int_equal(st.rows_read, 15);
  assert_int_equal(st.rows_ok, 4);
  assert_int_equal(st.rows_rejected, 11);
  assert_int_equal(rj.n, 11);
  assert_int_equal(ev.count, 4);

  expect_reject(&rj, 0, 4, "caller: not a phone number ('abc')");
  assert_string_equal(rj.raw[0], "abc,call,2024-10-07T13:45:12Z,07700900123,5,,,,,");
  expect_reject(&rj, 1, 5, "type: not call, sms or mms ('fax')");
  expect_reject(&rj, 2, 6, "start: local time does not exist (clocks went forward)");
  expect_reject(&rj, 3, 7, "duration_s: negative duration ('-5')");
  expect_reject(&rj, 4, 10, "caller_imei: not a 14-16 digit IMEI ('12345')");
  expect_reject(&rj, 5, 11, "start: missing value");
  expect_reject(&rj, 6, 12, "expected 10 fields as in the header, found 5");
  /* line 13's quote closes at the start of line 15, followed by text: a
   * malformed record, and reading resumes at line 14 */
  expect_reject(&rj, 7, 13, "malformed CSV record: text after the closing quote of a field (field 1)");
  expect_reject(&rj, 8, 14, "duration_s: not whole seconds ('1.5')");
  /* a well-formed quoted field over lines 15-16, but no number */
  expect_reject(&rj, 9, 15, "caller: not a phone number ('0770?0900123')");
  expect_reject(&rj, 10, 18, "expected 10 fields as in the header, found 11");

  char iso[LS_ISO_MAX];
  assert_string_equal(ls_dict_str(&ev.numbers, ev.caller[0]), "+447700900123");
  assert_string_equal(ls_dict_str(&ev.numbers, ev.callee[0]), "+447700900456");
  ls_time_format_utc(ev.start[0], iso);
  assert_string_equal(iso, "2024-10-07T13:45:12Z");
  assert_int_equal(ev.type[0], LS_EV_CALL);
  assert_int_equal(ev.duration[0], 61);
  assert_string_equal(ls_dict_str(&ev.cells, ev.caller_cell[0]), "C1");
  assert_string_equal(ls_dict_str(&ev.imeis, ev.caller_imei[0]), "356938035643809");
  assert_int_equal(ev.callee_imei[0], LS_NO_ID);

  assert_int_equal(ev.type[1], LS_EV_SMS);
  assert_int_equal(ev.duration[1], 0);
  ls_time_format_utc(ev.start[1], iso);
  assert_string_equal(iso, "2024-10-07T12:46:00Z");
  assert_int_equal(ev.caller[1], ev.callee[0]); /* same number, same id */
  assert_int_equal(ev.callee_cell[1], LS_NO_ID);
  assert_string_equal(ls_dict_str(&ev.imeis, ev.callee_imei[1]), "356938035643809");

  assert_int_equal(ev.type[2], LS_EV_SMS); /* mms */
  ls_time_format_utc(ev.start[2], iso);
  assert_string_equal(iso, "2024-10-27T00:30:00Z"); /* the fold's first 01:30 */
  assert_int_equal(ev.duration[3], 12);
  assert_int_equal(ev.numbers.count, 3);

  ls_events_free(&ev);
  unlink(path);
}

static ls_status count_progress_calls(void *ctx, const ls_reject *r) {
  (void)r;
  (*(int *)ctx)++;
  return LS_OK;
}

static void events_zone_option_and_failures(void **state) {
  (void)state;
  char *path = write_temp("start,type,caller,callee\n2024-03-31 01:30:00,call,07700900123,07700900456\n");
  ls_events ev;
  ls_events_init(&ev);
  ls_tz *utc = NULL;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_tz_open("UTC", &utc, &err), LS_OK);
  int nrej = 0;
  ls_read_opts opts = {utc, count_progress_calls, &nrej, NULL, NULL};
  ls_read_stats st;
  assert_int_equal(ls_ingest_read_events(path, &opts, &ev, &st, &err), LS_OK);
  assert_int_equal(st.rows_ok, 1); /* no gap in UTC */
  assert_int_equal(nrej, 0);
  char iso[LS_ISO_MAX];
  ls_time_format_utc(ev.start[0], iso);
  assert_string_equal(iso, "2024-03-31T01:30:00Z");
  ls_tz_close(utc);
  unlink(path);

  /* a failing reject callback stops the file and leaves `ev` as it was */
  path = write_temp("start,type,caller,callee\n2024-01-01T00:00:00Z,call,07700900123,07700900456\n"
                    "x,call,07700900123,07700900456\n");
  rejects rj = {0};
  rj.fail = 1;
  ls_read_opts fopts = {NULL, on_reject, &rj, NULL, NULL};
  assert_int_equal(ls_ingest_read_events(path, &fopts, &ev, NULL, &err), LS_ERR_IO);
  assert_int_equal(ev.count, 1);
  assert_int_equal(err.line, 3);
  unlink(path);

  /* without a tz database, UTC times still read; a local time cannot */
  setenv("TZDIR", "/nonexistent-zoneinfo", 1);
  path = write_temp("start,type,caller,callee\n2024-01-01T00:00:00Z,call,07700900123,07700900456\n");
  assert_int_equal(ls_ingest_read_events(path, NULL, &ev, &st, &err), LS_OK);
  assert_int_equal(st.rows_ok, 1);
  unlink(path);
  path = write_temp("start,type,caller,callee\n2024-01-01 00:00:00,call,07700900123,07700900456\n");
  assert_int_equal(ls_ingest_read_events(path, NULL, &ev, &st, &err), LS_ERR_USAGE);
  assert_non_null(strstr(err.message, "Europe/London"));
  unlink(path);
  unsetenv("TZDIR");

  /* not an events file */
  path = write_temp("cell_id,lat,lon\nC1,51.5,-0.1\n");
  assert_int_equal(ls_ingest_read_events(path, NULL, &ev, NULL, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "not an events file"));
  assert_non_null(strstr(err.message, "start"));
  unlink(path);
  assert_int_equal(ls_ingest_read_events("/nonexistent.csv", NULL, &ev, NULL, &err), LS_ERR_IO);
  ls_events_free(&ev);
}

static void detect_kinds(void **state) {
  (void)state;
  static const struct {
    const char *header;
    ls_file_kind kind;
  } cases[] = {
      {"start,type,caller,callee\n", LS_KIND_EVENTS},
      {"\xEF\xBB\xBF" "CALLEE,caller,TYPE,start,duration_s\r\n", LS_KIND_EVENTS},
      {"cell_id,lat,lon,azimuth\n", LS_KIND_CELLS},
      {"person_id,dob,sex,flags\n", LS_KIND_PERSONS},
      {"number,person_id,from,to\n", LS_KIND_ATTRIBUTIONS},
      {"address_id,lat,lon,cell_id,occupant\n", LS_KIND_ADDRESSES},
      {"foo,bar\n", LS_KIND_UNKNOWN},
  };
  ls_error err;
  ls_error_clear(&err);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *path = write_temp(cases[i].header);
    ls_file_kind k = LS_KIND_EVENTS;
    assert_int_equal(ls_ingest_detect(path, &k, &err), LS_OK);
    if (k != cases[i].kind)
      fail_msg("%s detected as %s", cases[i].header, ls_file_kind_name(k));
    unlink(path);
  }
  char *path = write_temp("");
  ls_file_kind k;
  assert_int_equal(ls_ingest_detect(path, &k, &err), LS_ERR_INPUT);
  assert_int_equal(k, LS_KIND_UNKNOWN);
  unlink(path);
  assert_string_equal(ls_file_kind_name(LS_KIND_ATTRIBUTIONS), "attributions");
  assert_string_equal(ls_file_kind_name(LS_KIND_UNKNOWN), "unknown");
}

static void reference_tables(void **state) {
  (void)state;
  ls_refdata rd;
  ls_refdata_init(&rd);
  rejects rj = {0};
  ls_read_opts opts = {NULL, on_reject, &rj, NULL, NULL};
  ls_read_stats st;
  ls_file_kind kind;
  ls_error err;
  ls_error_clear(&err);

  char *path = write_temp("cell_id,lat,lon,azimuth,name\n"
                          "C1,51.5074,-0.1278,120,Charing Cross\n"
                          "C2,50.9097,-1.4044,,\n"
                          "C3,91,0,,\n"
                          "C4,50,east,,\n"
                          ",50,1,,\n"
                          "C5,50,1,400,\n");
  assert_int_equal(ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err), LS_OK);
  assert_int_equal(kind, LS_KIND_CELLS);
  assert_int_equal(st.rows_read, 6);
  assert_int_equal(st.rows_ok, 2);
  assert_int_equal(rd.n_cells, 2);
  assert_string_equal(rd.cells[0].name, "Charing Cross");
  assert_true(fabs(rd.cells[0].lon + 0.1278) < 1e-9);
  assert_true(fabs(rd.cells[0].azimuth - 120) < 1e-9);
  assert_true(isnan(rd.cells[1].azimuth));
  assert_null(rd.cells[1].name);
  assert_null(rd.cells[1].area);
  expect_reject(&rj, 0, 4, "lat: latitude outside -90..90 ('91')");
  expect_reject(&rj, 1, 5, "lon: not a number ('east')");
  expect_reject(&rj, 2, 6, "cell_id: missing value");
  expect_reject(&rj, 3, 7, "azimuth");
  unlink(path);

  memset(&rj, 0, sizeof rj);
  path = write_temp("person_id,dob,sex,flags\n"
                    "P1,2008-02-29,M,looked_after; Missing_Episodes\n"
                    "P2,1970-01-01,female,\n"
                    "P3,1990-01-01,x,\n"
                    "P4,01/01/1990,M,\n"
                    "P5,1990-01-01,U,gang_member\n"
                    "P6,2999-01-01,,\n"
                    "P7,1990-01-01,,\n");
  assert_int_equal(ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err), LS_OK);
  assert_int_equal(kind, LS_KIND_PERSONS);
  assert_int_equal(st.rows_ok, 3);
  assert_int_equal(rd.n_persons, 3);
  assert_int_equal(rd.persons[0].sex, 'M');
  assert_int_equal(rd.persons[0].dob_days, 13938);
  assert_int_equal(rd.persons[0].flags, LS_FLAG_LOOKED_AFTER | LS_FLAG_MISSING_EPISODES);
  assert_int_equal(rd.persons[1].sex, 'F');
  assert_int_equal(rd.persons[2].sex, 'U');
  expect_reject(&rj, 0, 4, "sex: not M, F");
  expect_reject(&rj, 1, 5, "dob: not an ISO 8601 date");
  expect_reject(&rj, 2, 6, "flags: unknown flag 'gang_member'");
  expect_reject(&rj, 3, 7, "dob: in the future");
  unlink(path);

  memset(&rj, 0, sizeof rj);
  path = write_temp("number,person_id,from,to,source\n"
                    "07700 900123,P1,2024-01-01,2024-06-30T23:59:59Z,intel\n"
                    "+447700900456,P2,,,\n"
                    "nope,P1,,,\n"
                    "07700900123,P1,2024-06-01,2024-01-01,\n"
                    "07700900123,,,,\n");
  assert_int_equal(ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err), LS_OK);
  assert_int_equal(kind, LS_KIND_ATTRIBUTIONS);
  assert_int_equal(rd.n_attributions, 2);
  assert_string_equal(rd.attributions[0].number, "+447700900123");
  char iso[LS_ISO_MAX];
  ls_time_format_utc(rd.attributions[0].from, iso);
  assert_string_equal(iso, "2024-01-01T00:00:00Z"); /* GMT in January */
  assert_string_equal(rd.attributions[0].source, "intel");
  assert_true(rd.attributions[1].from == INT64_MIN && rd.attributions[1].to == INT64_MAX);
  assert_null(rd.attributions[1].source);
  expect_reject(&rj, 0, 4, "number: not a phone number ('nope')");
  expect_reject(&rj, 1, 5, "to: before from");
  expect_reject(&rj, 2, 6, "person_id: missing value");
  unlink(path);

  memset(&rj, 0, sizeof rj);
  path = write_temp("address_id,lat,lon,cell_id,occupant,flags\n"
                    "A1,50.9,-1.4,C2,P2,vulnerable_adult;drug_dependency\n"
                    "A2,50.9,-181,,,\n");
  assert_int_equal(ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err), LS_OK);
  assert_int_equal(kind, LS_KIND_ADDRESSES);
  assert_int_equal(rd.n_addresses, 1);
  assert_string_equal(rd.addresses[0].cell_id, "C2");
  assert_string_equal(rd.addresses[0].occupant, "P2");
  assert_int_equal(rd.addresses[0].flags, LS_FLAG_VULNERABLE_ADULT | LS_FLAG_DRUG_DEPENDENCY);
  expect_reject(&rj, 0, 3, "lon: longitude outside -180..180 ('-181')");
  unlink(path);

  /* an events file is not a reference table; a failing callback rolls back */
  path = write_temp("start,type,caller,callee\n");
  assert_int_equal(ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err), LS_ERR_INPUT);
  unlink(path);
  path = write_temp("cell_id,lat,lon\nC9,1,1\nC10,x,1\n");
  rj.fail = 1;
  assert_int_equal(ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err), LS_ERR_IO);
  assert_int_equal(rd.n_cells, 2);
  unlink(path);
  ls_refdata_free(&rd);
  ls_refdata_free(NULL);
}

/* Enough distinct numbers and cells to grow the reader's maps several times;
 * every id must still name the string of its row. */
static void many_numbers_and_cells_keep_their_ids(void **state) {
  (void)state;
  const int rows = getenv("LS_SANITIZED") ? 12000 : 40000;
  char path[] = "/tmp/ls_test_readers_many_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fprintf(f, "start,type,caller,callee,caller_cell,callee_cell\n");
  for (int i = 0; i < rows; i++)
    fprintf(f, "2024-10-07T13:45:12Z,call,07700 9%05d,+4477009%05d,C%d,long-cell-identifier-%d\n",
            i % 25000, (i * 7) % 30000, i % 9000, i % 5000);
  fclose(f);
  ls_events ev;
  ls_events_init(&ev);
  ls_error err;
  ls_error_clear(&err);
  ls_read_stats st;
  assert_int_equal(ls_ingest_read_events(path, NULL, &ev, &st, &err), LS_OK);
  assert_int_equal(ev.count, (size_t)rows);
  char want[64];
  for (int i = 0; i < rows; i++) {
    snprintf(want, sizeof want, "+4477009%05d", i % 25000);
    assert_string_equal(ls_dict_str(&ev.numbers, ev.caller[i]), want);
    snprintf(want, sizeof want, "+4477009%05d", (i * 7) % 30000);
    assert_string_equal(ls_dict_str(&ev.numbers, ev.callee[i]), want);
    snprintf(want, sizeof want, "C%d", i % 9000);
    assert_string_equal(ls_dict_str(&ev.cells, ev.caller_cell[i]), want);
    snprintf(want, sizeof want, "long-cell-identifier-%d", i % 5000);
    assert_string_equal(ls_dict_str(&ev.cells, ev.callee_cell[i]), want);
  }
  /* a second file appends and reuses the ids already given */
  uint32_t numbers = ev.numbers.count;
  assert_int_equal(ls_ingest_read_events(path, NULL, &ev, &st, &err), LS_OK);
  assert_int_equal(ev.count, 2 * (size_t)rows);
  assert_int_equal(ev.numbers.count, numbers);
  assert_int_equal(ev.caller[rows], ev.caller[0]);
  ls_events_free(&ev);
  unlink(path);
}

/* Allocation failure at every point of a read (curl's torture idea): the
 * reader returns LS_ERR_NOMEM, leaks nothing (ASan checks) and leaves the
 * tables as they were; with no failure it succeeds. */
static void readers_survive_allocation_failure(void **state) {
  (void)state;
  char *p = write_temp("caller,type,start,callee,caller_cell,caller_imei\n"
                       "07700900123,call,2024-10-07T13:45:12Z,07700900456,\"C\"\"1\",356938035643809\n"
                       "07700900123,sms,2024-10-07 13:45:12,07700900456,C2,\n"
                       "bad,sms,2024-10-07 13:45:12,07700900456,C2,\n");
  char events_path[64];
  snprintf(events_path, sizeof events_path, "%s", p);
  p = write_temp("person_id,dob,sex,flags\nP1,2008-02-29,M,looked_after\nP2,x,M,\n");
  char persons_path[64];
  snprintf(persons_path, sizeof persons_path, "%s", p);
  int ok = 0;
  for (unsigned long n = 1; n < 200 && !ok; n++) {
    ls_events ev;
    ls_events_init(&ev);
    ls_error err;
    ls_error_clear(&err);
    ls__mem_fail_after(n);
    ls_status rc = ls_ingest_read_events(events_path, NULL, &ev, NULL, &err);
    ls__mem_fail_after(0);
    if (rc == LS_OK) {
      assert_int_equal(ev.count, 2);
      ok = 1;
    } else {
      assert_int_equal(rc, LS_ERR_NOMEM);
      assert_int_equal(ev.count, 0);
    }
    ls_events_free(&ev);
  }
  assert_true(ok);
  ok = 0;
  for (unsigned long n = 1; n < 200 && !ok; n++) {
    ls_refdata rd;
    ls_refdata_init(&rd);
    ls_error err;
    ls_error_clear(&err);
    ls__mem_fail_after(n);
    ls_status rc = ls_ingest_read_refdata(persons_path, NULL, &rd, NULL, NULL, &err);
    ls__mem_fail_after(0);
    if (rc == LS_OK) {
      assert_int_equal(rd.n_persons, 1);
      ok = 1;
    } else {
      assert_int_equal(rc, LS_ERR_NOMEM);
      assert_int_equal(rd.n_persons, 0);
    }
    ls_refdata_free(&rd);
  }
  assert_true(ok);
  unlink(events_path);
  unlink(persons_path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(events_good_and_bad_rows),
      cmocka_unit_test(events_zone_option_and_failures),
      cmocka_unit_test(detect_kinds),
      cmocka_unit_test(reference_tables),
      cmocka_unit_test(many_numbers_and_cells_keep_their_ids),
      cmocka_unit_test(readers_survive_allocation_failure),
  };
  return cmocka_run_group_tests_name("readers", tests, NULL, NULL);
}
