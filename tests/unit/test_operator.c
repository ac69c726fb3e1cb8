/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Operator returns through mapping files: both shipped layouts, rejected
 * rows with reasons, and the merge of mirror records when both parties are
 * targets (tests/data/operator/). */
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

#include "linesight/ls_ingest.h"

static void path_of(char *out, size_t n, const char *rel) {
  const char *s = getenv("LS_SRC_DIR");
  snprintf(out, n, "%s/%s", s ? s : ".", rel);
}

typedef struct rejects {
  int n;
  char reasons[8][256];
  long lines[8];
} rejects;

static ls_status on_reject(void *ctx, const ls_reject *r) {
  rejects *rj = ctx;
  if (rj->n < 8) {
    snprintf(rj->reasons[rj->n], sizeof rj->reasons[0], "%s", r->reason);
    rj->lines[rj->n] = r->line;
  }
  rj->n++;
  return LS_OK;
}

static uint32_t num(const ls_events *ev, const char *e164) {
  uint32_t id = LS_NO_ID;
  assert_int_equal(ls_dict_find(&ev->numbers, e164, strlen(e164), &id), LS_OK);
  return id;
}

static const char *cell(const ls_events *ev, uint32_t id) {
  return id == LS_NO_ID ? "" : ls_dict_str(&ev->cells, id);
}

static size_t find(const ls_events *ev, const char *caller, const char *callee, ls_event_type t) {
  uint32_t a = num(ev, caller), b = num(ev, callee);
  for (size_t i = 0; i < ev->count; i++)
    if (ev->caller[i] == a && ev->callee[i] == b && ev->type[i] == t)
      return i;
  fail_msg("no event %s -> %s", caller, callee);
  return 0;
}

static void two_layouts_and_mirror_merge(void **state) {
  (void)state;
  char ra[4200], rb[4200], ma[4200], mb[4200];
  path_of(ra, sizeof ra, "tests/data/operator/return_a.csv");
  path_of(rb, sizeof rb, "tests/data/operator/return_b.csv");
  path_of(ma, sizeof ma, "share/mappings/uk-return-a.map");
  path_of(mb, sizeof mb, "share/mappings/uk-return-b.map");
  ls_events ev;
  ls_events_init(&ev);
  rejects rj = {0};
  ls_read_opts o = {.on_reject = on_reject, .reject_ctx = &rj};
  ls_read_stats st;
  ls_error err;
  uint64_t merged = 99;
  assert_int_equal(ls_ingest_read_operator(ra, ma, &o, &ev, &st, &merged, &err), LS_OK);
  assert_int_equal(st.rows_read, 5);
  assert_int_equal(st.rows_ok, 3);
  assert_int_equal(st.rows_rejected, 2);
  assert_int_equal(merged, 0);
  assert_int_equal(ev.count, 3);
  assert_int_equal(rj.lines[0], 5);
  assert_non_null(strstr(rj.reasons[0], "Service"));
  assert_int_equal(rj.lines[1], 6);
  assert_non_null(strstr(rj.reasons[1], "Start Date"));

  /* MO call in layout A: target is caller, local BST 13:45:12 = 12:45:12Z */
  size_t i = find(&ev, "+447700900111", "+447700900222", LS_EV_CALL);
  assert_int_equal(ev.start[i], 1728305112);
  assert_int_equal(ev.duration[i], 121);
  assert_string_equal(cell(&ev, ev.caller_cell[i]), "BAS-0101");
  assert_int_equal(ev.callee_cell[i], LS_NO_ID);
  assert_string_equal(ls_dict_str(&ev.imeis, ev.caller_imei[i]), "352099001761481");
  /* MT sms: target is callee */
  i = find(&ev, "+447700900333", "+447700900111", LS_EV_SMS);
  assert_string_equal(cell(&ev, ev.callee_cell[i]), "BAS-0101");
  /* empty first cell: the last cell is used */
  i = find(&ev, "+447700900111", "+447700900222", LS_EV_SMS);
  assert_string_equal(cell(&ev, ev.caller_cell[i]), "BAS-0103");

  /* layout B: the other target's return; its MT records of the call and the
   * sms mirror records of A and are merged into them */
  memset(&rj, 0, sizeof rj);
  assert_int_equal(ls_ingest_read_operator(rb, mb, &o, &ev, &st, &merged, &err), LS_OK);
  assert_int_equal(st.rows_read, 4);
  assert_int_equal(st.rows_rejected, 1);
  assert_non_null(strstr(rj.reasons[0], "EVENT_END_UTC"));
  assert_int_equal(merged, 2);
  assert_int_equal(ev.count, 4);
  i = find(&ev, "+447700900111", "+447700900222", LS_EV_CALL);
  assert_int_equal(ev.start[i], 1728305112); /* the originating side's time kept */
  assert_string_equal(cell(&ev, ev.caller_cell[i]), "BAS-0101");
  assert_string_equal(cell(&ev, ev.callee_cell[i]), "LDN-2201");
  assert_string_equal(ls_dict_str(&ev.imeis, ev.callee_imei[i]), "490154203237518");
  i = find(&ev, "+447700900111", "+447700900222", LS_EV_SMS);
  assert_string_equal(cell(&ev, ev.callee_cell[i]), "LDN-2201");
  i = find(&ev, "+447700900222", "+447700900666", LS_EV_CALL);
  assert_int_equal(ev.duration[i], 600);
  ls_events_free(&ev);
}

static void reading_the_same_return_twice_does_not_merge_same_side(void **state) {
  (void)state;
  char ra[4200], ma[4200];
  path_of(ra, sizeof ra, "tests/data/operator/return_a.csv");
  path_of(ma, sizeof ma, "share/mappings/uk-return-a.map");
  ls_events ev;
  ls_events_init(&ev);
  ls_error err;
  uint64_t merged = 0;
  assert_int_equal(ls_ingest_read_operator(ra, ma, NULL, &ev, NULL, &merged, &err), LS_OK);
  assert_int_equal(ls_ingest_read_operator(ra, ma, NULL, &ev, NULL, &merged, &err), LS_OK);
  /* same-side copies are exact duplicates, which the store removes; they are
   * not mirrors */
  assert_int_equal(merged, 0);
  assert_int_equal(ev.count, 6);
  ls_events_free(&ev);
}

static void bad_mappings_are_refused_with_their_line(void **state) {
  (void)state;
  char ra[4200], map[] = "/tmp/ls-map-XXXXXX";
  path_of(ra, sizeof ra, "tests/data/operator/return_a.csv");
  int fd = mkstemp(map);
  assert_true(fd >= 0);
  const char text[] = "# comment\ntarget = Target MSISDN\ncolour = blue\n";
  assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
  close(fd);
  ls_events ev;
  ls_events_init(&ev);
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_ingest_read_operator(ra, map, NULL, &ev, NULL, NULL, &err), LS_ERR_INPUT);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.message, "colour"));
  /* a mapping naming a column the return lacks */
  fd = open(map, O_WRONLY | O_TRUNC);
  const char text2[] = "target = Nope\nother = Other Party\ndirection = Call Type\ndirection.out = MO\n"
                       "direction.in = MT\ntype = Service\ntype.call = Voice\ntype.sms = SMS\n"
                       "start_date = Start Date\nstart_time = Start Time\n";
  assert_int_equal(write(fd, text2, sizeof text2 - 1), (ssize_t)(sizeof text2 - 1));
  close(fd);
  ls_error_clear(&err);
  assert_int_equal(ls_ingest_read_operator(ra, map, NULL, &ev, NULL, NULL, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "Nope"));
  assert_int_equal(ev.count, 0);
  unlink(map);
  ls_events_free(&ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_layouts_and_mirror_merge),
      cmocka_unit_test(reading_the_same_return_twice_does_not_merge_same_side),
      cmocka_unit_test(bad_mappings_are_refused_with_their_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
