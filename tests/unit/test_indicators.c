/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bandicoot conformance: every indicator that bandicoot's own test data
 * covers (../shared/peer/bandicoot, see its SPEC.md) is computed with
 * ls_indicators_compute and compared key by key with bandicoot's expected
 * files, with bandicoot's rule: |expected - actual| < 1.5 * 10^-d for
 * numbers, equality for everything else. The keys linesight does not
 * produce are listed in `not_produced` below and in docs/indicators.md.
 * Also: unit checks of the statistics on hand-made records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linesight/ls_indicators.h"
#include "linesight/ls_ingest_bandicoot.h"

static char peer[4096];

static int have_peer(void) {
  const char *src = getenv("LS_SRC_DIR");
  snprintf(peer, sizeof peer, "%s/../shared/peer/bandicoot", src ? src : ".");
  struct stat st;
  return stat(peer, &st) == 0 && S_ISDIR(st.st_mode);
}

#define SKIP_WITHOUT_PEER()                                                                        \
  do {                                                                                             \
    if (!have_peer()) {                                                                            \
      print_message("SKIP: %s is absent; bandicoot conformance not checked\n", peer);              \
      skip();                                                                                      \
    }                                                                                              \
  } while (0)

static void sample(char *out, size_t n, const char *rel) {
  snprintf(out, n, "%s/bandicoot/tests/samples/%s", peer, rel);
}

/* Keys of bandicoot's output that linesight does not compute (documented in
 * docs/indicators.md): file paths, versions, attributes, the network
 * indicators and reports, and average_balance_recharges. */
static int not_produced(const char *key) {
  static const char *const prefixes[] = {"reporting__code_signature",
                                         "reporting__version",
                                         "reporting__antennas_path",
                                         "reporting__attributes_path",
                                         "reporting__recharges_path",
                                         "reporting__has_attributes",
                                         "reporting__has_network",
                                         "reporting__percent_outofnetwork",
                                         "reporting__antennas_missing_locations",
                                         "attributes",
                                         "clustering_coefficient",
                                         "assortativity",
                                         "average_balance_recharges",
                                         NULL};
  for (int i = 0; prefixes[i]; i++)
    if (!strncmp(key, prefixes[i], strlen(prefixes[i])))
      return 1;
  return 0;
}

static void flatten(json_t *flat, const char *prefix, json_t *v) {
  if (json_is_object(v)) {
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
      char key[512];
      if (*prefix)
        snprintf(key, sizeof key, "%s__%s", prefix, k);
      else
        snprintf(key, sizeof key, "%s", k);
      flatten(flat, key, x);
    }
    return;
  }
  json_object_set(flat, prefix, v);
}

/* Compares every expected key; returns the number of mismatches (printed). */
static int compare(const char *label, json_t *expected, json_t *actual, int digits,
                   const char *const *drop) {
  json_t *flat = json_object();
  flatten(flat, "", expected);
  double tol = 1.5 * pow(10, -digits);
  int bad = 0, checked = 0;
  const char *k;
  json_t *e;
  json_object_foreach(flat, k, e) {
    int skip_it = not_produced(k);
    for (int i = 0; drop && drop[i]; i++)
      skip_it |= !strcmp(k, drop[i]);
    if (skip_it)
      continue;
    json_t *a = json_object_get(actual, k);
    checked++;
    int ok;
    if (!a)
      ok = 0;
    else if (json_is_number(e) && json_is_number(a))
      ok = fabs(json_number_value(e) - json_number_value(a)) < tol;
    else
      ok = json_equal(e, a);
    if (!ok) {
      char *es = json_dumps(e, JSON_ENCODE_ANY), *as = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
      if (bad < 25)
        print_message("%s: %s expected %s got %s\n", label, k, es, as ? as : "(missing)");
      free(es);
      free(as);
      bad++;
    }
  }
  print_message("%s: %d keys checked, %d differ\n", label, checked, bad);
  json_decref(flat);
  return bad;
}

typedef struct run_opts {
  const char *records, *antennas, *recharges, *network_dir;
  int week, extended, splits;
} run_opts;

static json_t *run(const run_opts *ro, ls_bc_user *keep) {
  ls_bc_user u;
  ls_bc_user_init(&u);
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_ingest_read_bandicoot(ro->records, &u, NULL, NULL, &err), LS_OK);
  if (ro->antennas)
    assert_int_equal(ls_ingest_read_bandicoot_antennas(ro->antennas, &u, &err), LS_OK);
  if (ro->recharges)
    assert_int_equal(ls_ingest_read_bandicoot_recharges(ro->recharges, &u, &err), LS_OK);
  if (ro->network_dir) {
    size_t dropped = 0;
    assert_int_equal(ls_ingest_bandicoot_network_filter(&u, ro->network_dir, &dropped, &err), LS_OK);
  }
  ls_indicators_opts o;
  ls_indicators_opts_default(&o);
  o.groupby_week = ro->week;
  o.extended = ro->extended;
  o.split_week = o.split_day = ro->splits;
  json_t *out = NULL;
  assert_int_equal(ls_indicators_compute(&u, &o, &out, &err), LS_OK);
  assert_non_null(out);
  if (keep)
    *keep = u;
  else
    ls_bc_user_free(&u);
  return out;
}

static json_t *load_json(const char *path, const char *member) {
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  if (!j)
    fail_msg("%s: %s", path, je.text);
  if (member) {
    json_t *m = json_incref(json_object_get(j, member));
    json_decref(j);
    j = m;
    assert_non_null(j);
  }
  return j;
}

static void manual_a_matches_hand_computed_values(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], ant[4200], rch[4200], exp[4200];
  sample(rec, sizeof rec, "manual/A.csv");
  sample(ant, sizeof ant, "towers.csv");
  sample(rch, sizeof rch, "manual/recharges/A.csv");
  sample(exp, sizeof exp, "manual/A.json");
  run_opts ro = {.records = rec, .antennas = ant, .recharges = rch};
  json_t *got = run(&ro, NULL), *want = load_json(exp, NULL);
  assert_int_equal(compare("manual/A", want, got, 4, NULL), 0);
  json_decref(got);
  json_decref(want);
}

static void manual_a_orange_layout_matches_too(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], rch[4200], exp[4200];
  sample(rec, sizeof rec, "manual/A_orange.csv");
  sample(rch, sizeof rch, "manual/recharges/A_orange.csv");
  sample(exp, sizeof exp, "manual/A.json");
  run_opts ro = {.records = rec, .recharges = rch};
  json_t *got = run(&ro, NULL), *want = load_json(exp, NULL);
  assert_int_equal(compare("manual/A_orange", want, got, 4, NULL), 0);
  json_decref(got);
  json_decref(want);
}

static void manual_b_matches_hand_computed_values(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], ant[4200], exp[4200];
  sample(rec, sizeof rec, "manual/B.csv");
  sample(ant, sizeof ant, "towers.csv");
  sample(exp, sizeof exp, "manual/B.json");
  run_opts ro = {.records = rec, .antennas = ant};
  json_t *got = run(&ro, NULL), *want = load_json(exp, NULL);
  assert_int_equal(compare("manual/B", want, got, 3, NULL), 0);
  json_decref(got);
  json_decref(want);
}

static const char *const drop_manual_a[] = {"name", "reporting__antennas_path",
                                            "reporting__number_of_antennas", NULL};

static void regression_manual_a_weekly_extended_splits(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], ant[4200], rch[4200], exp[4200];
  sample(rec, sizeof rec, "manual/A.csv");
  sample(ant, sizeof ant, "towers.csv");
  sample(rch, sizeof rch, "manual/recharges/A.csv");
  sample(exp, sizeof exp, "regressions/manual_a.json");
  run_opts ro = {.records = rec, .antennas = ant, .recharges = rch, .week = 1, .extended = 1, .splits = 1};
  json_t *got = run(&ro, NULL), *want = load_json(exp, "A");
  assert_int_equal(compare("regressions/manual_a", want, got, 7, drop_manual_a), 0);
  json_decref(got);
  json_decref(want);
}

static void regression_manual_a_orange_network(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], dir[4200], exp[4200];
  sample(rec, sizeof rec, "manual/A_orange.csv");
  sample(dir, sizeof dir, "manual");
  sample(exp, sizeof exp, "regressions/manual_a_orange_network.json");
  run_opts ro = {.records = rec, .network_dir = dir, .week = 1, .extended = 1, .splits = 1};
  json_t *got = run(&ro, NULL), *want = load_json(exp, "A_orange");
  assert_int_equal(compare("regressions/manual_a_orange_network", want, got, 7, drop_manual_a), 0);
  json_decref(got);
  json_decref(want);
}

static void regression_ego_with_network_filter(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], ant[4200], dir[4200], exp[4200];
  sample(rec, sizeof rec, "network/ego.csv");
  sample(ant, sizeof ant, "towers.csv");
  sample(dir, sizeof dir, "network");
  sample(exp, sizeof exp, "regressions/ego.json");
  run_opts ro = {.records = rec, .antennas = ant, .network_dir = dir, .week = 1, .extended = 1, .splits = 1};
  ls_bc_user u;
  json_t *got = run(&ro, &u), *want = load_json(exp, "ego");
  /* SPEC.md s.4: the three H records have no counterpart in H.csv */
  assert_int_equal(u.n_records, 13);
  ls_bc_user_free(&u);
  assert_int_equal(compare("regressions/ego", want, got, 7, drop_manual_a + 1), 0);
  json_decref(got);
  json_decref(want);
}

static void regression_empty_user(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char exp[4200], path[] = "/tmp/ls-bc-empty-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char header[] = "interaction,direction,correspondent_id,datetime,call_duration,antenna_id\n";
  assert_int_equal(write(fd, header, sizeof header - 1), (ssize_t)(sizeof header - 1));
  close(fd);
  sample(exp, sizeof exp, "regressions/empty_user.json");
  run_opts ro = {.records = path, .week = 1, .extended = 1, .splits = 1};
  json_t *got = run(&ro, NULL), *want = load_json(exp, "null");
  static const char *const drop[] = {"name", NULL};
  assert_int_equal(compare("regressions/empty_user", want, got, 7, drop), 0);
  unlink(path);
  json_decref(got);
  json_decref(want);
}

static void regression_sample_user(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200], ant[4200], dir[4200], exp[4200];
  snprintf(rec, sizeof rec, "%s/derived/sample_user/records/sample_user.csv", peer);
  snprintf(ant, sizeof ant, "%s/derived/sample_user/antennas.csv", peer);
  snprintf(dir, sizeof dir, "%s/derived/sample_user/records", peer);
  sample(exp, sizeof exp, "regressions/sample_user.json");
  run_opts ro = {.records = rec, .antennas = ant, .network_dir = dir, .extended = 1, .splits = 1};
  json_t *got = run(&ro, NULL), *want = load_json(exp, "sample_user");
  static const char *const drop[] = {"reporting__number_of_antennas", NULL};
  assert_int_equal(compare("regressions/sample_user", want, got, 7, drop), 0);
  json_decref(got);
  json_decref(want);
}

static long ignored_count(json_t *o, const char *what) {
  char key[128];
  snprintf(key, sizeof key, "reporting__ignored_records__%s", what);
  json_t *v = json_object_get(o, key);
  assert_non_null(v);
  return (long)json_integer_value(v);
}

static int rejects;
static ls_status count_reject(void *ctx, const char *file, long line, const char *raw, size_t raw_len,
                              const char *reason) {
  (void)ctx;
  (void)file;
  (void)raw;
  (void)raw_len;
  assert_true(line >= 2 && line <= 6);
  assert_non_null(reason);
  rejects++;
  return LS_OK;
}

static void ignored_records_follow_bandicoot(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200];
  sample(rec, sizeof rec, "user_ignored.csv");
  run_opts ro = {.records = rec, .week = 1};
  ls_bc_user u;
  json_t *got = run(&ro, &u);
  assert_int_equal(u.n_records, 1);
  ls_bc_user_free(&u);
  assert_int_equal(ignored_count(got, "all"), 4);
  assert_int_equal(ignored_count(got, "interaction"), 2);
  assert_int_equal(ignored_count(got, "direction"), 2);
  assert_int_equal(ignored_count(got, "correspondent_id"), 0);
  assert_int_equal(ignored_count(got, "datetime"), 0);
  assert_int_equal(ignored_count(got, "call_duration"), 1);
  assert_int_equal(ignored_count(got, "location"), 0);
  json_decref(got);
  /* and each ignored record is reported, never dropped silently */
  ls_bc_user_init(&u);
  ls_error err;
  rejects = 0;
  assert_int_equal(ls_ingest_read_bandicoot(rec, &u, count_reject, NULL, &err), LS_OK);
  assert_int_equal(rejects, 4);
  ls_bc_user_free(&u);
}

static void churn_rate_matches_distribution(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  char rec[4200];
  sample(rec, sizeof rec, "churn_user.csv");
  run_opts ro = {.records = rec, .week = 1};
  json_t *got = run(&ro, NULL);
  /* SPEC.md s.5: distances [0, 0.26970325665977857, 1.0] */
  double d[] = {0, 0.26970325665977857, 1.0}, m = (d[0] + d[1] + d[2]) / 3, v = 0;
  for (int i = 0; i < 3; i++)
    v += (d[i] - m) * (d[i] - m) / 3;
  assert_true(fabs(json_real_value(json_object_get(got, "churn_rate__mean")) - m) < 1.5e-7);
  assert_true(fabs(json_real_value(json_object_get(got, "churn_rate__std")) - sqrt(v)) < 1.5e-7);
  json_decref(got);
}

static void record_counts_of_large_samples(void **state) {
  (void)state;
  SKIP_WITHOUT_PEER();
  const char *files[] = {"u_test.csv", "u_test2.csv"};
  for (int i = 0; i < 2; i++) {
    char rec[4200];
    sample(rec, sizeof rec, files[i]);
    ls_bc_user u;
    ls_bc_user_init(&u);
    ls_error err;
    assert_int_equal(ls_ingest_read_bandicoot(rec, &u, NULL, NULL, &err), LS_OK);
    assert_int_equal(u.n_records, 500);
    ls_bc_user_free(&u);
  }
  char rch[4200];
  sample(rch, sizeof rch, "manual/recharges/A.csv");
  ls_bc_user u;
  ls_bc_user_init(&u);
  ls_error err;
  assert_int_equal(ls_ingest_read_bandicoot_recharges(rch, &u, &err), LS_OK);
  assert_int_equal(u.n_recharges, 5);
  ls_bc_user_free(&u);
}

/* ---- without the peer data: hand-made records ---------------------------- */

static void push(ls_bc_user *u, const char *when, int call, int out, const char *who, int dur, const char *ant) {
  ls_bc_record r = {0};
  ls_error err;
  assert_int_equal(ls_bc_parse_datetime(when, strlen(when), 0, &r.local), LS_OK);
  r.interaction = call ? LS_BC_CALL : LS_BC_TEXT;
  r.out = (uint8_t)out;
  r.duration = dur;
  assert_int_equal(ls_dict_intern(&u->correspondents, who, strlen(who), &r.correspondent), LS_OK);
  assert_int_equal(ls_bc_user_antenna(u, ant, strlen(ant), &r.position, &err), LS_OK);
  assert_int_equal(ls_bc_user_push(u, &r, &err), LS_OK);
}

static double get(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  if (!v || !json_is_number(v))
    fail_msg("%s missing or not a number", k);
  return json_number_value(v);
}

static void statistics_follow_bandicoot(void **state) {
  (void)state;
  ls_bc_user u;
  ls_bc_user_init(&u);
  /* Monday 2024-01-01 and Sunday 2024-01-07 are in ISO week 1, Monday
   * 2024-01-08 in week 2. */
  push(&u, "2024-01-01 10:00:00", 1, 1, "x", 10, "c1");
  push(&u, "2024-01-01 12:00:00", 1, 0, "y", 20, "c1");
  push(&u, "2024-01-07 19:00:00", 1, 1, "x", 60, "c2"); /* 19:00:00 is night */
  push(&u, "2024-01-08 07:00:01", 1, 1, "x", 30, "c2"); /* 07:00:01 is day */
  ls_error err;
  assert_int_equal(ls_bc_user_sort(&u, &err), LS_OK);
  ls_indicators_opts o;
  ls_indicators_opts_default(&o);
  o.groupby_week = 0;
  o.extended = 1;
  json_t *j = NULL;
  assert_int_equal(ls_indicators_compute(&u, &o, &j, &err), LS_OK);
  /* durations 10 20 30 60: mean 30, population std sqrt(350), median 25 */
  assert_true(fabs(get(j, "call_duration__allweek__allday__call__mean") - 30) < 1e-12);
  assert_true(fabs(get(j, "call_duration__allweek__allday__call__std") - sqrt(350)) < 1e-12);
  assert_true(fabs(get(j, "call_duration__allweek__allday__call__median") - 25) < 1e-12);
  assert_true(fabs(get(j, "percent_nocturnal__allweek__allday__call") - 0.25) < 1e-12);
  assert_true(fabs(get(j, "percent_initiated_interactions__allweek__allday__call") - 0.75) < 1e-12);
  /* no texts: text keys are null, not 0 */
  assert_true(json_is_null(json_object_get(j, "number_of_contacts__allweek__allday__text")));
  json_decref(j);
  /* weekly: weeks hold 3 and 1 calls -> mean 2, std 1 */
  o.groupby_week = 1;
  o.split_week = 1;
  assert_int_equal(ls_indicators_compute(&u, &o, &j, &err), LS_OK);
  assert_true(fabs(get(j, "number_of_interactions__allweek__allday__call__mean") - 2) < 1e-12);
  assert_true(fabs(get(j, "number_of_interactions__allweek__allday__call__std") - 1) < 1e-12);
  assert_true(fabs(get(j, "number_of_interactions__weekend__allday__call__mean") - 1) < 1e-12);
  assert_int_equal(json_integer_value(json_object_get(j, "reporting__bins")), 2);
  json_decref(j);
  ls_bc_user_free(&u);
}

static void datetime_parser_is_strict(void **state) {
  (void)state;
  int64_t t;
  assert_int_equal(ls_bc_parse_datetime("2014-08-20 20:30:37", 19, 0, &t), LS_OK);
  assert_int_equal(t, 1408566637);
  assert_int_equal(ls_bc_parse_datetime("2015-1-13", 9, 1, &t), LS_OK);
  assert_int_equal(ls_bc_parse_datetime("2015-1-13", 9, 0, &t), LS_ERR_INPUT);
  assert_int_equal(ls_bc_parse_datetime("2015-02-29 00:00:00", 19, 0, &t), LS_ERR_INPUT);
  assert_int_equal(ls_bc_parse_datetime("2015-02-28 24:00:00", 19, 0, &t), LS_ERR_INPUT);
  assert_int_equal(ls_bc_parse_datetime("2015-02-28T10:00:00", 19, 0, &t), LS_ERR_INPUT);
  assert_int_equal(ls_bc_parse_datetime("", 0, 1, &t), LS_ERR_INPUT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(datetime_parser_is_strict),
      cmocka_unit_test(statistics_follow_bandicoot),
      cmocka_unit_test(manual_a_matches_hand_computed_values),
      cmocka_unit_test(manual_a_orange_layout_matches_too),
      cmocka_unit_test(manual_b_matches_hand_computed_values),
      cmocka_unit_test(regression_manual_a_weekly_extended_splits),
      cmocka_unit_test(regression_manual_a_orange_network),
      cmocka_unit_test(regression_ego_with_network_filter),
      cmocka_unit_test(regression_empty_user),
      cmocka_unit_test(regression_sample_user),
      cmocka_unit_test(ignored_records_follow_bandicoot),
      cmocka_unit_test(churn_rate_matches_distribution),
      cmocka_unit_test(record_counts_of_large_samples),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
