/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Messaging and intelligence items without a gateway: who counts as a
 * child, the gateway file, the do-not-contact list, campaign rules without
 * an analysis, and the store's validation of reports and 3x5x2 grades. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linesight/ls_messaging.h"
#include "linesight/ls_store_intel.h"
#include "messaging/messaging_internal.h"

typedef struct fixture {
  char dir[64];
  char db[128];
  ls_store *st;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ls-msg-XXXXXX");
  if (!f || !mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  ls_error err;
  if (ls_store_open(f->db, &f->st, &err))
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  ls_store_close(f->st);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

/* days since 1970-01-01 of a civil date (the inverse the code uses) */
static int64_t days_of(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void children_are_under_18_on_the_day(void **state) {
  (void)state;
  int32_t dob = (int32_t)days_of(2006, 10, 7);
  assert_true(ls__msg_is_child(dob, days_of(2024, 10, 6)));  /* the day before the 18th birthday */
  assert_false(ls__msg_is_child(dob, days_of(2024, 10, 7))); /* the birthday */
  assert_true(ls__msg_is_child((int32_t)days_of(2012, 1, 1), days_of(2024, 12, 31)));
  assert_false(ls__msg_is_child((int32_t)days_of(1980, 1, 1), days_of(2024, 1, 1)));
  /* born 29 February: 18 on 1 March in a common year */
  int32_t leap = (int32_t)days_of(2004, 2, 29);
  assert_true(ls__msg_is_child(leap, days_of(2022, 2, 28)));
  assert_false(ls__msg_is_child(leap, days_of(2022, 3, 1)));
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void gateway_files_are_checked(void **state) {
  fixture *f = *state;
  char p[160];
  snprintf(p, sizeof p, "%s/gw.conf", f->dir);
  ls_msg_gateway gw;
  ls_error err;
  write_file(p, "# test\nsendsms_url = http://127.0.0.1:13013/cgi-bin/sendsms\nusername = u\npassword = p w\n"
                "from = POLICE\nrate_per_second = 2.5\ndlr_listen = 127.0.0.1:13080\nreconcile_wait_s = 9\n");
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_OK);
  assert_string_equal(gw.password, "p w");
  assert_true(gw.rate_per_second == 2.5);
  assert_int_equal(gw.dlr_port, 13080);
  assert_string_equal(gw.dlr_host, "127.0.0.1");
  assert_int_equal(gw.reconcile_wait_s, 9);
  write_file(p, "sendsms_url = http://x/\ndlr_listen = 127.0.0.1:1\nrate = 3\n");
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_ERR_INPUT);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.message, "unknown key"));
  write_file(p, "sendsms_url = ftp://x/\n");
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_ERR_INPUT);
  write_file(p, "sendsms_url = http://x/\ndlr_listen = nowhere\n");
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_ERR_INPUT);
  write_file(p, "sendsms_url = http://x/\ndlr_listen = 127.0.0.1:9\nrate_per_second = 0\n");
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_ERR_INPUT);
  write_file(p, "username = u\n");
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_ERR_INPUT); /* url and listener required */
  snprintf(p, sizeof p, "%s/absent.conf", f->dir);
  assert_int_equal(ls_messaging_gateway_load(p, &gw, &err), LS_ERR_IO);
}

static int count_dnc(const char *n, const char *r, const char *b, const char *a, void *ctx) {
  (void)n, (void)r, (void)b, (void)a;
  ++*(int *)ctx;
  return 0;
}

static void do_not_contact_is_normalised(void **state) {
  fixture *f = *state;
  ls_error err;
  assert_int_equal(ls_messaging_dnc_add(f->st, "07700 900123", "asked", "cli:t", &err), LS_OK);
  assert_int_equal(ls_messaging_dnc_add(f->st, "+44 7700 900123", "again", "cli:t", &err), LS_OK); /* once */
  assert_int_equal(ls_messaging_dnc_add(f->st, "not a number", "", "cli:t", &err), LS_ERR_INPUT);
  int n = 0;
  assert_int_equal(ls_messaging_dnc_list(f->st, count_dnc, &n, &err), LS_OK);
  assert_int_equal(n, 1);
  assert_int_equal(ls_messaging_dnc_remove(f->st, "447700900123", &err), LS_OK);
  assert_int_equal(ls_messaging_dnc_remove(f->st, "447700900123", &err), LS_ERR_NOTFOUND);
}

static void campaigns_need_an_analysis_and_valid_options(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_msg_plan p;
  assert_int_equal(ls_messaging_plan(f->st, "LS-0001", 28, &p, &err), LS_ERR_NOTFOUND);
  assert_int_equal(ls_messaging_plan(f->st, "LS-0001", 0, &p, &err), LS_ERR_USAGE);
  ls_msg_campaign_opts o = {.line = "LS-0001", .operation = "op", .created_by = "ana"};
  int64_t id;
  assert_int_equal(ls_messaging_campaign_create(f->st, &o, &id, &err), LS_ERR_INPUT); /* no force */
  o.force = "Kent";
  o.text = "";
  assert_int_equal(ls_messaging_campaign_create(f->st, &o, &id, &err), LS_ERR_INPUT);
  o.text = "bad \x01 control";
  assert_int_equal(ls_messaging_campaign_create(f->st, &o, &id, &err), LS_ERR_INPUT);
  assert_true(strlen(ls_messaging_default_text) <= LS_MSG_TEXT_MAX);
  ls_auth_user sup = {.name = "sue", .role = LS_ROLE_SUPERVISOR};
  ls_auth_user ana = {.name = "ana", .role = LS_ROLE_ANALYST};
  assert_int_equal(ls_messaging_campaign_approve(f->st, 1, &ana, &err), LS_ERR_DENIED);
  assert_int_equal(ls_messaging_campaign_approve(f->st, 1, &sup, &err), LS_ERR_NOTFOUND);
  ls_msg_status s;
  assert_int_equal(ls_messaging_campaign_status(f->st, 1, &s, &err), LS_ERR_NOTFOUND);
}

static int count_items(const ls_intel_item *it, const ls_intel_link *l, size_t n, void *ctx) {
  (void)l;
  int *c = ctx;
  c[0]++;
  c[1] += (int)n;
  if (it->source_evaluation)
    c[2] = it->source_evaluation * 100 + (it->assessment - 'A') * 10 + (it->handling == 'C');
  return 0;
}

static void intel_items_are_validated_and_graded(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_intel_item it = {.source = "public", .category = "cuckooing", .signs = "visitors_odd_hours,door_damage",
                      .area = "Southampton", .postcode = "so14 7du", .seen_when = "", .description = "seen"};
  int64_t id = 0;
  assert_int_equal(ls_store_intel_add(f->st, &it, &id, &err), LS_OK);
  assert_true(id > 0 && id < (INT64_C(1) << 53));
  ls_intel_item bad = it;
  bad.signs = "door_damage,nope";
  assert_int_equal(ls_store_intel_add(f->st, &bad, NULL, &err), LS_ERR_INPUT);
  bad = it;
  bad.postcode = "12345";
  assert_int_equal(ls_store_intel_add(f->st, &bad, NULL, &err), LS_ERR_INPUT);
  bad = it;
  bad.description = "\xc3\x28"; /* not UTF-8 */
  assert_int_equal(ls_store_intel_add(f->st, &bad, NULL, &err), LS_ERR_INPUT);
  bad = it;
  bad.has_point = 1;
  bad.lat = 91;
  assert_int_equal(ls_store_intel_add(f->st, &bad, NULL, &err), LS_ERR_INPUT);
  bad = it;
  bad.area = "";
  assert_int_equal(ls_store_intel_add(f->st, &bad, NULL, &err), LS_ERR_INPUT);

  assert_int_equal(ls_store_intel_grade(f->st, id, 0, 'A', 'P', "", "ana", &err), LS_ERR_INPUT);
  assert_int_equal(ls_store_intel_grade(f->st, id, 2, 'F', 'P', "", "ana", &err), LS_ERR_INPUT);
  assert_int_equal(ls_store_intel_grade(f->st, id, 2, 'B', 'X', "", "ana", &err), LS_ERR_INPUT);
  assert_int_equal(ls_store_intel_grade(f->st, id, 2, 'B', 'C', "", "ana", &err), LS_ERR_INPUT);
  assert_int_equal(ls_store_intel_grade(f->st, id, 2, 'B', 'P', "only police", "ana", &err), LS_ERR_INPUT);
  assert_int_equal(ls_store_intel_grade(f->st, id + 1, 2, 'B', 'P', "", "ana", &err), LS_ERR_NOTFOUND);
  assert_int_equal(ls_store_intel_grade(f->st, id, 2, 'B', 'C', "not to the landlord", "ana", &err), LS_OK);

  assert_int_equal(ls_store_intel_link(f->st, id, "number", "07700 900123", "ana", &err), LS_OK);
  assert_int_equal(ls_store_intel_link(f->st, id, "number", "+447700900123", "ana", &err), LS_OK); /* once */
  assert_int_equal(ls_store_intel_link(f->st, id, "line", "LS-0001", "ana", &err), LS_OK);
  assert_int_equal(ls_store_intel_link(f->st, id, "car", "X", "ana", &err), LS_ERR_INPUT);
  assert_int_equal(ls_store_intel_link(f->st, id + 1, "line", "LS-0001", "ana", &err), LS_ERR_NOTFOUND);
  int c[3] = {0, 0, 0};
  ls_intel_filter byline = {.link_kind = "number", .link_ref = "447700900123"};
  assert_int_equal(ls_store_intel_list(f->st, &byline, count_items, c, &err), LS_OK);
  assert_int_equal(c[0], 1);
  assert_int_equal(c[1], 2);
  assert_int_equal(c[2], 211); /* 2 B C */
  assert_int_equal(ls_store_intel_unlink(f->st, id, "line", "LS-0001", &err), LS_OK);
  assert_int_equal(ls_store_intel_unlink(f->st, id, "line", "LS-0001", &err), LS_ERR_NOTFOUND);
  ls_intel_filter graded = {.status = "new"};
  memset(c, 0, sizeof c);
  assert_int_equal(ls_store_intel_list(f->st, &graded, count_items, c, &err), LS_OK);
  assert_int_equal(c[0], 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(children_are_under_18_on_the_day),
      cmocka_unit_test_setup_teardown(gateway_files_are_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(do_not_contact_is_normalised, setup, teardown),
      cmocka_unit_test_setup_teardown(campaigns_need_an_analysis_and_valid_options, setup, teardown),
      cmocka_unit_test_setup_teardown(intel_items_are_validated_and_graded, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
