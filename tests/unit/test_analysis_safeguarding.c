/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Movement, cuckooed addresses, safeguarding, harm, explain and referrals on
 * a small hand-built world: one line whose child runner and line phone
 * sleep in one cell of the town, two homes in that cell (one of a
 * vulnerable adult), and vulnerable people and a child with no link to the
 * line, who must never be flagged. */
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

#include "linesight/ls_analysis.h"
#include "linesight/ls_analysis_explain.h"

#define DAY 86400
#define T0 1727740800 /* 2024-10-01T00:00:00Z, a Tuesday (BST: local = UTC + 1 h) */

static const char *const DEAL = "+447700800001", *HOLDER = "+447700700001", *RUNNER = "+447700600001",
                         *LONER = "+447700500001", *FRIEND = "+447700500002", *OLDER = "+447700500003";

static uint32_t id_of(ls_dict *d, const char *s) {
  uint32_t id = LS_NO_ID;
  if (s)
    assert_int_equal(ls_dict_intern(d, s, strlen(s), &id), LS_OK);
  return id;
}

static void add(ls_events *ev, int64_t t, ls_event_type type, const char *from, const char *to, int dur,
                const char *cell_from, const char *cell_to) {
  assert_int_equal(ls_events_push(ev, t, type, id_of(&ev->numbers, from), id_of(&ev->numbers, to), dur,
                                  id_of(&ev->cells, cell_from), id_of(&ev->cells, cell_to), LS_NO_ID, LS_NO_ID),
                   LS_OK);
}

static void num(char out[24], int i) { snprintf(out, 24, "+4477009%05d", i); }

/* 20 days of a line in Basingstoke: adverts, purchases, the holder in
 * London; the runner with the phone in town on weekdays (travelling down on
 * Monday mornings in school hours), sleeping with it in cell BSK-9, and in
 * London at weekends. People with no link to the line text each other from
 * the same cells. */
static void make_world(ls_events *ev) {
  char c[24];
  for (int d = 0; d < 20; d++) {
    int64_t day = T0 + (int64_t)d * DAY;
    int weekend = (d + 1) % 7 >= 5; /* T0 is a Tuesday */
    for (int i = 0; i < 60; i++) {
      num(c, i);
      add(ev, day + 16 * 3600 + i, LS_EV_SMS, DEAL, c, 0, "BSK-1", "BSK-2");
    }
    for (int i = d % 3; i < 60; i += 3) {
      num(c, i);
      add(ev, day + 18 * 3600 + i * 60, LS_EV_CALL, c, DEAL, 25, "BSK-2", "BSK-1");
      add(ev, day + 18 * 3600 + i * 60 + 300, LS_EV_SMS, DEAL, c, 0, "BSK-1", "BSK-2");
    }
    add(ev, day + 10 * 3600, LS_EV_CALL, HOLDER, DEAL, 120, "LON-1", "BSK-1");
    add(ev, day + 22 * 3600, LS_EV_CALL, DEAL, HOLDER, 60, "BSK-1", "LON-1");
    add(ev, day + 18 * 3600 + 30, LS_EV_SMS, RUNNER, HOLDER, 0, weekend ? "LON-2" : "BSK-1", "LON-1");
    if (!weekend) { /* overnight at the base: 02:00 local */
      add(ev, day + 3600, LS_EV_SMS, DEAL, HOLDER, 0, "BSK-9", "LON-1");
      add(ev, day + 3600 + 120, LS_EV_SMS, RUNNER, HOLDER, 0, "BSK-9", "LON-1");
    }
    if ((d + 1) % 7 == 0) { /* Monday: down from London, seen on the way at 10:00 local */
      add(ev, day + 7 * 3600, LS_EV_CALL, RUNNER, HOLDER, 40, "LON-2", "LON-1");
      add(ev, day + 9 * 3600, LS_EV_CALL, RUNNER, HOLDER, 40, "RAIL-1", "LON-1");
    }
    /* unlinked people in the same town and cells, night and day */
    add(ev, day + 3600 + 300, LS_EV_SMS, LONER, FRIEND, 0, "BSK-9", "BSK-9");
    add(ev, day + 11 * 3600, LS_EV_CALL, OLDER, FRIEND, 300, "BSK-5", "BSK-9");
  }
}


static ls_refdata make_ref(void) {
  static const char *const ids[] = {"BSK-1", "BSK-2", "BSK-5", "BSK-9", "LON-1", "LON-2", "RAIL-1"};
  static const char *const areas[] = {"Basingstoke", "Basingstoke", "Basingstoke", "Basingstoke",
                                      "London",      "London",      "Rail corridor"};
  ls_refdata rd;
  ls_refdata_init(&rd);
  rd.n_cells = 7;
  rd.cells = calloc(rd.n_cells, sizeof *rd.cells);
  for (size_t i = 0; i < rd.n_cells; i++) {
    rd.cells[i].cell_id = (char *)ids[i];
    rd.cells[i].area = (char *)areas[i];
    rd.cells[i].lat = 51.2 + 0.01 * (double)i;
    rd.cells[i].lon = -1.1;
  }
  /* persons: the child runner; the cuckooed occupant; a neighbour in the
   * same cell with no flags; and, with no link to the line, a child with
   * missing episodes whose phone is out at night in the base cell, and a
   * vulnerable adult of the same town */
  static const struct {
    const char *id;
    int32_t dob;
    uint32_t flags;
  } people[] = {
      {"P-CHILD", 14100 /* 2008-08-09: 16 */, LS_FLAG_MISSING_EPISODES},
      {"P-OCCUPANT", -2000, LS_FLAG_VULNERABLE_ADULT | LS_FLAG_DRUG_DEPENDENCY},
      {"P-NEIGHBOUR", 3000, 0},
      {"P-LONER", 14500 /* 2009: a child */, LS_FLAG_MISSING_EPISODES | LS_FLAG_LOOKED_AFTER},
      {"P-OLDER", -5000, LS_FLAG_VULNERABLE_ADULT | LS_FLAG_MENTAL_HEALTH},
  };
  rd.n_persons = sizeof people / sizeof people[0];
  rd.persons = calloc(rd.n_persons, sizeof *rd.persons);
  for (size_t i = 0; i < rd.n_persons; i++) {
    rd.persons[i].person_id = (char *)people[i].id;
    rd.persons[i].dob_days = people[i].dob;
    rd.persons[i].sex = 'M';
    rd.persons[i].flags = people[i].flags;
  }
  static const char *const att[][2] = {
      {"+447700600001", "P-CHILD"}, {"+447700500001", "P-LONER"}, {"+447700500003", "P-OLDER"}};
  rd.n_attributions = 3;
  rd.attributions = calloc(3, sizeof *rd.attributions);
  for (size_t i = 0; i < 3; i++) {
    snprintf(rd.attributions[i].number, sizeof rd.attributions[i].number, "%s", att[i][0]);
    rd.attributions[i].person_id = (char *)att[i][1];
    rd.attributions[i].from = INT64_MIN;
    rd.attributions[i].to = INT64_MAX;
    rd.attributions[i].source = (char *)"subscriber";
  }
  static const struct {
    const char *id, *cell, *occupant;
  } homes[] = {{"A-CUCKOO", "BSK-9", "P-OCCUPANT"},
               {"A-NEXTDOOR", "BSK-9", "P-NEIGHBOUR"},
               {"A-OLDER", "BSK-5", "P-OLDER"},
               {"A-NOCELL", NULL, "P-LONER"}};
  rd.n_addresses = 4;
  rd.addresses = calloc(4, sizeof *rd.addresses);
  for (size_t i = 0; i < 4; i++) {
    rd.addresses[i].address_id = (char *)homes[i].id;
    rd.addresses[i].cell_id = (char *)homes[i].cell;
    rd.addresses[i].occupant = (char *)homes[i].occupant;
    rd.addresses[i].lat = 51.2 + 0.01 * 6; /* nearest cell: RAIL-1 */
    rd.addresses[i].lon = -1.1;
  }
  return rd;
}

static void free_ref(ls_refdata *rd) {
  free(rd->cells);
  free(rd->persons);
  free(rd->attributions);
  free(rd->addresses);
}

static ls_analysis *run(const ls_events *ev, const ls_refdata *ref, const double *weights) {
  ls_analysis_opts o;
  ls_analysis_opts_init(&o);
  o.ref = ref;
  o.harm_weights = weights;
  ls_analysis_sources src = {0};
  assert_int_equal(ls_analysis_sources_add(&src, LS_KIND_EVENTS, "events.csv"), LS_OK);
  assert_int_equal(ls_analysis_sources_add(&src, LS_KIND_PERSONS, "persons.csv"), LS_OK);
  assert_int_equal(ls_analysis_sources_add(&src, LS_KIND_EVENTS, "events.csv"), LS_OK); /* listed once */
  assert_string_equal(src.events, "events.csv");
  o.sources = &src;
  ls_analysis *a = NULL;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_analysis_run(ev, &o, &a, &err), LS_OK);
  ls_analysis_sources_free(&src);
  return a;
}

static json_t *result(const ls_analysis *a) {
  char *text = NULL;
  ls_error err;
  assert_int_equal(ls_analysis_json(a, 0, &text, &err), LS_OK);
  json_error_t je;
  json_t *j = json_loads(text, 0, &je);
  assert_non_null(j);
  ls_analysis_text_free(text);
  return j;
}

static int mentions(const json_t *root, const char *key, const char *field, const char *value) {
  size_t i;
  const json_t *v;
  json_array_foreach(json_object_get(root, key), i, v) {
    const json_t *f = json_object_get(v, field);
    if (json_is_string(f) && !strcmp(json_string_value(f), value))
      return 1;
  }
  return 0;
}

static void finds_child_and_cuckoo_not_bystanders(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  ls_refdata ref = make_ref();
  ls_analysis *a = run(&ev, &ref, NULL);
  json_t *root = result(a);
  const json_t *line = json_array_get(json_object_get(root, "lines"), 0);
  assert_non_null(line);
  /* the runner is a juvenile runner of the line */
  const json_t *juv = json_object_get(line, "juvenile_runners");
  assert_int_equal(json_array_size(juv), 1);
  assert_string_equal(json_string_value(json_array_get(juv, 0)), RUNNER);
  /* the base: the vulnerable occupant's home, not the neighbour's */
  assert_true(mentions(root, "cuckoo_addresses", "address", "A-CUCKOO"));
  assert_false(mentions(root, "cuckoo_addresses", "address", "A-NEXTDOOR"));
  assert_int_equal(json_array_size(json_object_get(root, "cuckoo_addresses")), 1);
  /* safeguarding: the child first, then the occupant; never the unlinked */
  const json_t *sg = json_object_get(root, "safeguarding");
  assert_int_equal(json_array_size(sg), 2);
  const json_t *first = json_array_get(sg, 0);
  assert_string_equal(json_string_value(json_object_get(first, "subject")), "P-CHILD");
  assert_string_equal(json_string_value(json_object_get(first, "priority")), "high");
  assert_int_equal(json_integer_value(json_object_get(first, "age")), 16);
  assert_true(json_array_size(json_object_get(first, "evidence")) > 3);
  assert_true(mentions(root, "safeguarding", "subject", "P-OCCUPANT"));
  assert_false(mentions(root, "safeguarding", "subject", "P-LONER"));
  assert_false(mentions(root, "safeguarding", "subject", "P-OLDER"));
  assert_false(mentions(root, "safeguarding", "subject", "P-NEIGHBOUR"));
  /* harm: components shown, the child and the home counted */
  const json_t *comp = json_object_get(json_object_get(line, "harm"), "components");
  assert_int_equal(json_integer_value(json_object_get(comp, "juveniles")), 1);
  assert_int_equal(json_integer_value(json_object_get(comp, "cuckooed")), 1);
  assert_true(json_is_null(json_object_get(comp, "violence_markers")));
  assert_true(json_real_value(json_object_get(comp, "revenue_gbp_per_day")) > 0);
  /* movement: the Monday trips down are in school hours */
  const json_t *mv;
  size_t i;
  int school = 0;
  json_array_foreach(json_object_get(root, "movement"), i, mv) {
    if (!strcmp(json_string_value(json_object_get(mv, "number")), RUNNER))
      school = (int)json_integer_value(json_object_get(mv, "school_hours_trips"));
  }
  assert_true(school >= 2);
  json_decref(root);
  ls_analysis_free(a);
  free_ref(&ref);
  ls_events_free(&ev);
}

/* A heavy buyer next door: vulnerable, drug dependent, mentally ill, the
 * address known to services, on the phone to the line from the base cell
 * late every night; the occupant of the cuckooed home has fewer flags, but
 * the runner texts her own phone from the base each evening ("open the
 * door"). The home is hers; the buyer is neither named nor flagged. */
static void runner_contact_names_the_home(void **state) {
  (void)state;
  static const char *const OCC_NUM = "+447700400001", *HEAVY_NUM = "+447700400002";
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  for (int d = 0; d < 20; d++) {
    int64_t day = T0 + (int64_t)d * DAY;
    add(&ev, day + 22 * 3600 + 1800, LS_EV_CALL, HEAVY_NUM, DEAL, 30, "BSK-9", "BSK-9");
    add(&ev, day + 22 * 3600 + 1900, LS_EV_SMS, DEAL, HEAVY_NUM, 0, "BSK-9", "BSK-9");
    if ((d + 1) % 7 < 5)
      add(&ev, day + 21 * 3600, LS_EV_SMS, RUNNER, OCC_NUM, 0, "BSK-9", "BSK-9");
  }
  ls_refdata ref = make_ref();
  ref.persons = realloc(ref.persons, (ref.n_persons + 1) * sizeof *ref.persons);
  memset(&ref.persons[ref.n_persons], 0, sizeof *ref.persons);
  ref.persons[ref.n_persons].person_id = (char *)"P-HEAVY";
  ref.persons[ref.n_persons].dob_days = 1000;
  ref.persons[ref.n_persons].sex = 'F';
  ref.persons[ref.n_persons].flags = LS_FLAG_VULNERABLE_ADULT | LS_FLAG_DRUG_DEPENDENCY | LS_FLAG_MENTAL_HEALTH;
  ref.n_persons++;
  ref.attributions = realloc(ref.attributions, (ref.n_attributions + 2) * sizeof *ref.attributions);
  static const char *const att[][2] = {{"+447700400001", "P-OCCUPANT"}, {"+447700400002", "P-HEAVY"}};
  for (size_t i = 0; i < 2; i++) {
    ls_attribution *at = &ref.attributions[ref.n_attributions++];
    memset(at, 0, sizeof *at);
    snprintf(at->number, sizeof at->number, "%s", att[i][0]);
    at->person_id = (char *)att[i][1];
    at->from = INT64_MIN;
    at->to = INT64_MAX;
    at->source = (char *)"subscriber";
  }
  ref.addresses = realloc(ref.addresses, (ref.n_addresses + 1) * sizeof *ref.addresses);
  ls_address *ad = &ref.addresses[ref.n_addresses++];
  memset(ad, 0, sizeof *ad);
  ad->address_id = (char *)"A-HEAVY";
  ad->cell_id = (char *)"BSK-9";
  ad->occupant = (char *)"P-HEAVY";
  ad->flags = LS_FLAG_VULNERABLE_ADULT;
  ad->lat = 51.26;
  ad->lon = -1.1;
  ls_analysis *a = run(&ev, &ref, NULL);
  json_t *root = result(a);
  assert_true(mentions(root, "cuckoo_addresses", "address", "A-CUCKOO"));
  assert_false(mentions(root, "cuckoo_addresses", "address", "A-HEAVY"));
  assert_int_equal(json_array_size(json_object_get(root, "cuckoo_addresses")), 1);
  assert_false(mentions(root, "safeguarding", "subject", "P-HEAVY"));
  assert_true(mentions(root, "safeguarding", "subject", "P-OCCUPANT"));
  ls_error err;
  char *text = NULL;
  assert_int_equal(ls_analysis_explain(a, "A-CUCKOO", &text, &err), LS_OK);
  assert_non_null(strstr(text, "with its runners' own numbers"));
  assert_non_null(strstr(text, "while they were in this cell"));
  ls_analysis_text_free(text);
  /* revenue: 20 buyers a day (plus the heavy buyer) at GBP 60 a buying day,
   * over the line's ~20 days */
  const json_t *comp = json_object_get(json_object_get(json_array_get(json_object_get(root, "lines"), 0), "harm"),
                                       "components");
  double rev = json_real_value(json_object_get(comp, "revenue_gbp_per_day"));
  assert_true(rev > 60.0 * 21 * 19 / 21 && rev < 60.0 * 21 * 20 / 19);
  json_decref(root);
  ls_analysis_free(a);
  free_ref(&ref);
  ls_events_free(&ev);
}

static void explain_and_referrals(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  ls_refdata ref = make_ref();
  ls_analysis *a = run(&ev, &ref, NULL);
  ls_error err;
  char *text = NULL;
  static const char *const subjects[] = {"07700 600001", "P-CHILD", "A-CUCKOO", "LS-0001", "P-OCCUPANT"};
  for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
    assert_int_equal(ls_analysis_explain(a, subjects[i], &text, &err), LS_OK);
    assert_non_null(strstr(text, "source:"));
    ls_analysis_text_free(text);
  }
  assert_int_equal(ls_analysis_explain(a, RUNNER, &text, &err), LS_OK);
  assert_non_null(strstr(text, "BSK-9")); /* the nights, with their cell */
  assert_non_null(strstr(text, "events.csv"));
  ls_analysis_text_free(text);
  assert_int_equal(ls_analysis_explain(a, "P-LONER", &text, &err), LS_ERR_NOTFOUND);
  assert_int_equal(ls_analysis_explain(a, "LS-0099", &text, &err), LS_ERR_NOTFOUND);
  char dir[] = "/tmp/ls-referrals-XXXXXX";
  assert_non_null(mkdtemp(dir));
  size_t n = 0;
  assert_int_equal(ls_analysis_write_referrals(a, dir, &n, &err), LS_OK);
  assert_int_equal(n, 2);
  char path[256], line[4096];
  snprintf(path, sizeof path, "%s/referrals.csv", dir);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  int rows = 0;
  while (fgets(line, sizeof line, f))
    rows++;
  fclose(f);
  assert_int_equal(rows, 3);
  static const char *const files[] = {"referrals.csv", "evidence.csv", "referral-1.html", "referral-2.html"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    assert_int_equal(unlink(path), 0);
  }
  assert_int_equal(rmdir(dir), 0);
  ls_analysis_free(a);
  free_ref(&ref);
  ls_events_free(&ev);
}

static void harm_weights(void **state) {
  (void)state;
  double w[LS_HARM_N];
  ls_error err;
  ls_harm_weights_default(w);
  double sum = 0;
  for (int i = 0; i < LS_HARM_N; i++)
    sum += w[i];
  assert_true(sum > 0.999 && sum < 1.001);
  assert_int_equal(ls_harm_weight_parse("juveniles=2", w, &err), LS_OK);
  assert_true(w[LS_HARM_JUVENILES] == 2.0);
  assert_int_equal(ls_harm_weight_parse("revenue_gbp_per_day=0.5", w, &err), LS_OK);
  assert_true(w[LS_HARM_REVENUE] == 0.5);
  assert_int_equal(ls_harm_weight_parse("colour=1", w, &err), LS_ERR_USAGE);
  assert_int_equal(ls_harm_weight_parse("towns=-1", w, &err), LS_ERR_USAGE);
  assert_int_equal(ls_harm_weight_parse("towns", w, &err), LS_ERR_USAGE);
  /* all weight on children: the line's harm is that part alone */
  for (int i = 0; i < LS_HARM_N; i++)
    w[i] = 0;
  w[LS_HARM_JUVENILES] = 1;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  ls_refdata ref = make_ref();
  ls_analysis *a = run(&ev, &ref, w);
  json_t *root = result(a);
  const json_t *harm = json_object_get(json_array_get(json_object_get(root, "lines"), 0), "harm");
  assert_true(fabs(json_real_value(json_object_get(harm, "score")) - 0.5) < 1e-9); /* one child: 1 - 0.5 */
  json_decref(root);
  ls_analysis_free(a);
  free_ref(&ref);
  ls_events_free(&ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(finds_child_and_cuckoo_not_bystanders),
      cmocka_unit_test(runner_contact_names_the_home),
      cmocka_unit_test(explain_and_referrals),
      cmocka_unit_test(harm_weights),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
