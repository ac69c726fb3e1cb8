/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Analysis on small hand-built event tables: deal lines against decoys,
 * continuity across a swap, separate lines that share a few customers,
 * holders and runners, the result JSON keys, and the store round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis_internal.h"
#include "linesight/ls_analysis.h"

#define DAY 86400
#define T0 1727740800 /* 2024-10-01T00:00:00Z */

static uint32_t id_of(ls_dict *d, const char *s) {
  uint32_t id = LS_NO_ID;
  if (s)
    assert_int_equal(ls_dict_intern(d, s, strlen(s), &id), LS_OK);
  return id;
}

static void add(ls_events *ev, int64_t t, ls_event_type type, const char *from, const char *to, int dur,
                const char *cell_from, const char *cell_to, const char *imei_from) {
  assert_int_equal(ls_events_push(ev, t, type, id_of(&ev->numbers, from), id_of(&ev->numbers, to), dur,
                                  id_of(&ev->cells, cell_from), id_of(&ev->cells, cell_to),
                                  id_of(&ev->imeis, imei_from), LS_NO_ID),
                   LS_OK);
}

static void num(char out[24], int base, int i) { snprintf(out, 24, "+4477009%05d", base + i); }

/* One line in a county town: deal phone(s) `deal[]` used in turn over
 * `days` days (each for days/n_deal days, on handset `imei`), customers
 * base..base+n_cust, a holder in the city, a runner who carries the phone
 * and goes home to the city at weekends. */
static void make_line(ls_events *ev, const char *const *deal, int n_deal, const char *imei, int cust_base,
                      int n_cust, const char *holder, const char *runner, const char *town, int days) {
  char c[24];
  for (int d = 0; d < days; d++) {
    const char *phone = deal[d * n_deal / days];
    int64_t day = T0 + (int64_t)d * DAY;
    /* the advert: one text to every customer, seconds apart, at 17:00 */
    for (int i = 0; i < n_cust; i++) {
      num(c, cust_base, i);
      add(ev, day + 17 * 3600 + i, LS_EV_SMS, phone, c, 0, town, town, imei);
    }
    /* a third of the customers call to buy, short calls in the evening */
    for (int i = d % 3; i < n_cust; i += 3) {
      num(c, cust_base, i);
      add(ev, day + 19 * 3600 + i * 60, LS_EV_CALL, c, phone, 25, town, town, NULL);
      add(ev, day + 19 * 3600 + i * 60 + 300, LS_EV_SMS, phone, c, 0, town, town, imei);
    }
    /* the holder calls the line phone from the city twice a day */
    add(ev, day + 11 * 3600, LS_EV_CALL, holder, phone, 120, "LON-1", town, NULL);
    add(ev, day + 23 * 3600, LS_EV_CALL, phone, holder, 60, town, "LON-1", imei);
    /* the runner texts the holder: from the town in the week, where the line
     * phone is that hour, and from the city at weekends */
    int weekend = d % 7 >= 5;
    add(ev, day + 19 * 3600 + 30, LS_EV_SMS, runner, holder, 0, weekend ? "LON-2" : town, "LON-1", NULL);
  }
}

static void make_world(ls_events *ev) {
  static const char *const line_a[] = {"+447700800001", "+447700800002"};
  static const char *const line_b[] = {"+447700800003"};
  /* line A swaps number half way; line B shares 3 customers with A */
  make_line(ev, line_a, 2, "356938035643809", 0, 60, "+447700700001", "+447700600001", "BSK-1", 20);
  make_line(ev, line_b, 1, "356938035643810", 57, 50, "+447700700002", "+447700600002", "BSK-2", 20);
  char c[24];
  /* a taxi firm: many repeat callers, short calls, no adverts, by day */
  for (int d = 0; d < 20; d++)
    for (int i = 0; i < 40; i++) {
      num(c, 500, (i * 7 + d) % 80);
      add(ev, T0 + (int64_t)d * DAY + 9 * 3600 + i * 600, LS_EV_CALL, c, "+441256000001", 40, "BSK-3", "BSK-3",
          NULL);
    }
  /* a marketing sender: bulk texts daily, nobody replies */
  for (int d = 0; d < 20; d++)
    for (int i = 0; i < 150; i++) {
      num(c, 1000, i);
      add(ev, T0 + (int64_t)d * DAY + 10 * 3600 + i, LS_EV_SMS, "+447700900999", c, 0, NULL, "BSK-4", NULL);
    }
}

static ls_refdata make_ref(void) {
  static const char *const ids[] = {"BSK-1", "BSK-2", "BSK-3", "BSK-4", "LON-1", "LON-2"};
  static const char *const areas[] = {"Basingstoke", "Basingstoke", "Basingstoke", "Basingstoke", "London",
                                      "London"};
  ls_refdata rd;
  ls_refdata_init(&rd);
  rd.cells = calloc(6, sizeof *rd.cells);
  assert_non_null(rd.cells);
  for (int i = 0; i < 6; i++) {
    rd.cells[i].cell_id = (char *)ids[i];
    rd.cells[i].area = (char *)areas[i];
  }
  rd.n_cells = rd.cap_cells = 6;
  return rd;
}

static json_t *run_json(const ls_events *ev, const ls_refdata *ref) {
  ls_analysis_opts o;
  ls_analysis_opts_init(&o);
  o.ref = ref;
  ls_analysis *a = NULL;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_analysis_run(ev, &o, &a, &err), LS_OK);
  char *text = NULL;
  assert_int_equal(ls_analysis_json(a, 0, &text, &err), LS_OK);
  char *summary = NULL;
  assert_int_equal(ls_analysis_summary(a, 0, &summary, &err), LS_OK);
  assert_non_null(strstr(summary, "LS-0001"));
  ls_analysis_text_free(summary);
  ls_analysis_free(a);
  json_error_t je;
  json_t *j = json_loads(text, 0, &je);
  assert_non_null(j);
  ls_analysis_text_free(text);
  return j;
}

static const json_t *line_with(const json_t *root, const char *number) {
  size_t i, k;
  const json_t *line, *n;
  json_array_foreach(json_object_get(root, "lines"), i, line) {
    json_array_foreach(json_object_get(line, "numbers"), k, n) {
      if (!strcmp(json_string_value(n), number))
        return line;
    }
  }
  return NULL;
}

static int has(const json_t *arr, const char *s) {
  size_t i;
  const json_t *v;
  json_array_foreach(arr, i, v) {
    if (!strcmp(json_string_value(v), s))
      return 1;
  }
  return 0;
}

/* A writer that takes `left` more calls, then refuses. */
static int capped_write(const char *buf, size_t n, void *data) {
  (void)buf;
  (void)n;
  int *left = data;
  return (*left)-- > 0 ? 0 : -1;
}

/* The result is streamed piece by piece (analysis_result.c); its text must
 * be what jansson itself writes for the same value, pretty and compact, and
 * a refusing writer must stop it with LS_ERR_IO. */
static void streamed_json_is_janssons_layout(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  ls_refdata ref = make_ref();
  ls_analysis_opts o;
  ls_analysis_opts_init(&o);
  o.ref = &ref;
  ls_analysis *a = NULL;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_analysis_run(&ev, &o, &a, &err), LS_OK);
  char *text[2] = {NULL, NULL};
  json_t *root[2];
  for (int pretty = 0; pretty < 2; pretty++) {
    assert_int_equal(ls_analysis_json(a, pretty, &text[pretty], &err), LS_OK);
    json_error_t je;
    root[pretty] = json_loads(text[pretty], 0, &je);
    assert_non_null(root[pretty]);
    size_t flags = (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER;
    char *again = json_dumps(root[pretty], flags);
    assert_non_null(again);
    assert_string_equal(again, text[pretty]);
    free(again);
  }
  json_object_del(root[0], "generated");
  json_object_del(root[1], "generated");
  assert_true(json_equal(root[0], root[1]));
  /* nested streaming is exercised: trips inside movement entries */
  size_t trips = 0, i;
  const json_t *m;
  json_array_foreach(json_object_get(root[0], "movement"), i, m) trips += json_array_size(json_object_get(m, "trips"));
  assert_true(trips > 0);
  assert_true(json_array_size(json_object_get(root[0], "numbers")) > 60);
  for (int left = 0; left < 40; left += 7) {
    int budget = left;
    assert_int_equal(ls_analysis_json_write(a, 1, capped_write, &budget, &err), LS_ERR_IO);
  }
  json_decref(root[0]);
  json_decref(root[1]);
  ls_analysis_text_free(text[0]);
  ls_analysis_text_free(text[1]);
  ls_analysis_free(a);
  free(ref.cells);
  ls_events_free(&ev);
}

/* Two lines in one town selling to the very same customers, each swapping
 * numbers on its own days (no shared handsets): the customer lists of all
 * five numbers overlap fully, so only timing and the one-successor rule
 * keep the lines apart - line A's first number and line B's second are in
 * use side by side for two days, and A's own next number follows sooner. */
static void lines_sharing_every_customer_stay_apart(void **state) {
  (void)state;
  static const char *const line_a[] = {"+447700800011", "+447700800012"};
  static const char *const line_b[] = {"+447700800021", "+447700800022", "+447700800023"};
  ls_events ev;
  ls_events_init(&ev);
  make_line(&ev, line_a, 2, NULL, 0, 60, "+447700700011", "+447700600011", "BSK-1", 20);
  make_line(&ev, line_b, 3, NULL, 0, 60, "+447700700021", "+447700600021", "BSK-2", 20);
  ls_refdata ref = make_ref();
  json_t *root = run_json(&ev, &ref);
  assert_int_equal(json_array_size(json_object_get(root, "lines")), 2);
  const json_t *a = line_with(root, "+447700800011"), *b = line_with(root, "+447700800021");
  assert_non_null(a);
  assert_non_null(b);
  assert_ptr_not_equal(a, b);
  assert_ptr_equal(line_with(root, "+447700800012"), a);
  assert_ptr_equal(line_with(root, "+447700800022"), b);
  assert_ptr_equal(line_with(root, "+447700800023"), b);
  assert_int_equal(json_array_size(json_object_get(a, "numbers")), 2);
  assert_int_equal(json_array_size(json_object_get(b, "numbers")), 3);
  json_decref(root);
  free(ref.cells);
  ls_events_free(&ev);
}

static void finds_lines_not_decoys(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  ls_refdata ref = make_ref();
  json_t *root = run_json(&ev, &ref);
  /* contract keys (DESIGN.md s.6) */
  assert_non_null(json_object_get(root, "generated"));
  assert_int_equal(json_integer_value(json_object_get(root, "events")), (json_int_t)ev.count);
  assert_true(json_is_array(json_object_get(root, "cuckoo_addresses")));
  assert_true(json_is_array(json_object_get(root, "safeguarding")));
  const json_t *lines = json_object_get(root, "lines");
  assert_int_equal(json_array_size(lines), 2);
  const json_t *a = line_with(root, "+447700800001"), *b = line_with(root, "+447700800003");
  assert_non_null(a);
  assert_non_null(b);
  assert_ptr_not_equal(a, b); /* three shared customers do not merge lines */
  assert_ptr_equal(line_with(root, "+447700800002"), a); /* the swap is followed */
  assert_null(line_with(root, "+441256000001"));         /* taxi */
  assert_null(line_with(root, "+447700900999"));         /* bulk sender */
  static const char *const keys[] = {"id", "rank", "score", "numbers", "holders", "runners", "customers",
                                     "origin", "destinations", "first_seen", "last_seen", "harm", "explain"};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    assert_non_null(json_object_get(a, keys[k]));
  assert_true(has(json_object_get(a, "holders"), "+447700700001"));
  assert_int_equal(json_array_size(json_object_get(a, "holders")), 1);
  assert_true(has(json_object_get(a, "runners"), "+447700600001"));
  assert_int_equal(json_array_size(json_object_get(a, "runners")), 1);
  assert_true(has(json_object_get(b, "holders"), "+447700700002"));
  assert_true(has(json_object_get(b, "runners"), "+447700600002"));
  assert_int_equal(json_integer_value(json_object_get(a, "customers")), 60);
  assert_string_equal(json_string_value(json_object_get(a, "origin")), "London");
  assert_true(has(json_object_get(a, "destinations"), "Basingstoke"));
  assert_true(json_array_size(json_object_get(a, "explain")) >= 2);
  /* numbers: every role, deal numbers with their line id */
  size_t i;
  const json_t *n;
  int deal = 0;
  json_array_foreach(json_object_get(root, "numbers"), i, n) {
    const char *role = json_string_value(json_object_get(n, "role"));
    assert_non_null(role);
    assert_non_null(json_object_get(n, "line"));
    deal += !strcmp(role, "deal");
  }
  assert_int_equal(deal, 3);
  json_decref(root);
  free(ref.cells);
  ls_events_free(&ev);
}

/* Without a cells table there are no place names, but the roles still come
 * from where numbers are seen (cells as places). */
static void roles_without_cell_table(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  json_t *root = run_json(&ev, NULL);
  const json_t *a = line_with(root, "+447700800001");
  assert_non_null(a);
  assert_true(json_is_null(json_object_get(a, "origin")));
  assert_true(has(json_object_get(a, "holders"), "+447700700001"));
  assert_true(has(json_object_get(a, "runners"), "+447700600001"));
  json_decref(root);
  ls_events_free(&ev);
}

/* Nothing about ids or order: the same world with events reversed gives
 * the same lines. */
static void independent_of_event_order(void **state) {
  (void)state;
  ls_events ev, rev;
  ls_events_init(&ev);
  ls_events_init(&rev);
  make_world(&ev);
  for (size_t k = ev.count; k-- > 0;)
    add(&rev, ev.start[k], (ls_event_type)ev.type[k], ls_dict_str(&ev.numbers, ev.caller[k]),
        ls_dict_str(&ev.numbers, ev.callee[k]), ev.duration[k],
        ev.caller_cell[k] == LS_NO_ID ? NULL : ls_dict_str(&ev.cells, ev.caller_cell[k]),
        ev.callee_cell[k] == LS_NO_ID ? NULL : ls_dict_str(&ev.cells, ev.callee_cell[k]),
        ev.caller_imei[k] == LS_NO_ID ? NULL : ls_dict_str(&ev.imeis, ev.caller_imei[k]));
  json_t *r1 = run_json(&ev, NULL), *r2 = run_json(&rev, NULL);
  json_object_del(r1, "generated");
  json_object_del(r2, "generated");
  const json_t *l1 = json_object_get(r1, "lines"), *l2 = json_object_get(r2, "lines");
  assert_int_equal(json_array_size(l1), json_array_size(l2));
  for (size_t i = 0; i < json_array_size(l1); i++) {
    const json_t *x = json_array_get(l1, i), *y = json_array_get(l2, i);
    assert_true(json_equal(json_object_get(x, "numbers"), json_object_get(y, "numbers")));
    assert_true(json_equal(json_object_get(x, "holders"), json_object_get(y, "holders")));
  }
  json_decref(r1);
  json_decref(r2);
  ls_events_free(&ev);
  ls_events_free(&rev);
}

static void time_window_limits_events(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev);
  ls_analysis_opts o;
  ls_analysis_opts_init(&o);
  o.from = T0 + 12 * DAY; /* after line A's swap */
  ls_analysis *a = NULL;
  ls_error err;
  assert_int_equal(ls_analysis_run(&ev, &o, &a, &err), LS_OK);
  size_t inside = 0;
  for (size_t i = 0; i < ev.count; i++)
    inside += ev.start[i] >= o.from;
  assert_int_equal(ls_analysis_event_count(a), inside);
  char *text = NULL;
  assert_int_equal(ls_analysis_json(a, 0, &text, &err), LS_OK);
  assert_null(strstr(text, "+447700800001")); /* A's first number ended before */
  assert_non_null(strstr(text, "+447700800002"));
  ls_analysis_text_free(text);
  ls_analysis_free(a);
  o.from = 5;
  o.to = 4;
  assert_int_equal(ls_analysis_run(&ev, &o, &a, &err), LS_ERR_USAGE);
  ls_events_free(&ev);
}

static void empty_table(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  ls_analysis *a = NULL;
  ls_error err;
  assert_int_equal(ls_analysis_run(&ev, NULL, &a, &err), LS_OK);
  assert_int_equal(ls_analysis_line_count(a), 0);
  char *text = NULL;
  assert_int_equal(ls_analysis_json(a, 0, &text, &err), LS_OK);
  assert_non_null(strstr(text, "\"lines\":[]"));
  ls_analysis_text_free(text);
  ls_analysis_free(a);
}

static void radix_sort_sorts(void **state) {
  (void)state;
  enum { N = 5000 };
  uint64_t *k = malloc(N * sizeof *k), *t = malloc(N * sizeof *t);
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < N; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    k[i] = x >> 9; /* 55 bits */
  }
  ls__radix_sort_u64(k, t, N, 55);
  for (int i = 1; i < N; i++)
    assert_true(k[i - 1] <= k[i]);
  free(k);
  free(t);
}

static void uk_clock(void **state) {
  (void)state;
  assert_int_equal(ls__uk_offset(1719835200), 3600); /* 2024-07-01 12:00Z: BST */
  assert_int_equal(ls__uk_offset(1704110400), 0);    /* 2024-01-01 12:00Z: GMT */
  assert_int_equal(ls__uk_offset(1711846800 - 1), 0); /* 2024-03-31 00:59:59Z */
  assert_int_equal(ls__uk_offset(1711846800), 3600);  /* 01:00Z: clocks go forward */
  assert_int_equal(ls__uk_offset(1729990800 - 1), 3600); /* 2024-10-27 00:59:59Z */
  assert_int_equal(ls__uk_offset(1729990800), 0);
}

static void store_round_trip(void **state) {
  (void)state;
  char path[] = "/tmp/ls-test-analysis-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  ls_store *st = NULL;
  ls_error err;
  assert_int_equal(ls_store_open(path, &st, &err), LS_OK);
  char *json = NULL;
  assert_int_equal(ls_analysis_load_latest(st, &json, NULL, NULL, &err), LS_ERR_NOTFOUND);
  int64_t id1 = 0, id2 = 0, got = 0;
  assert_int_equal(ls_analysis_save(st, "{\"lines\": [1]}", &id1, &err), LS_OK);
  assert_int_equal(ls_analysis_save(st, "{\"lines\": [2]}", &id2, &err), LS_OK);
  assert_true(id2 > id1);
  char created[32];
  assert_int_equal(ls_analysis_load_latest(st, &json, &got, created, &err), LS_OK);
  assert_int_equal(got, id2);
  assert_string_equal(json, "{\"lines\": [2]}");
  assert_int_equal(strlen(created), 20);
  ls_analysis_text_free(json);
  ls_store_close(st);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(finds_lines_not_decoys),   cmocka_unit_test(streamed_json_is_janssons_layout), cmocka_unit_test(lines_sharing_every_customer_stay_apart),   cmocka_unit_test(roles_without_cell_table),
      cmocka_unit_test(independent_of_event_order), cmocka_unit_test(time_window_limits_events),
      cmocka_unit_test(empty_table),              cmocka_unit_test(radix_sort_sorts),
      cmocka_unit_test(uk_clock),                 cmocka_unit_test(store_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
