/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The analysis's sorting and threading machinery: small-array and radix
 * sorts against qsort, buckets filled in several parts, the same result
 * whatever the number of threads, and out-of-memory anywhere in a run
 * (threads included) reported, never crashed on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/ls_mem.h"
#include "linesight/ls_analysis.h"

#define DAY 86400
#define T0 1727740800 /* 2024-10-01T00:00:00Z */

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int cmp64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return (a > b) - (a < b);
}

/* Sizes on both sides of the insertion, quicksort and radix cut-overs,
 * with many duplicates and with none. */
static void sorts_like_qsort(void **state) {
  (void)state;
  static const size_t sizes[] = {0, 1, 2, 23, 24, 25, 100, 4095, 4096, 20000};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (int dup = 0; dup < 2; dup++) {
      size_t n = sizes[s];
      uint64_t *v = calloc(n + 1, sizeof *v), *w = calloc(n + 1, sizeof *w), *tmp = calloc(n + 1, sizeof *tmp);
      assert_true(v && w && tmp);
      for (size_t i = 0; i < n; i++)
        v[i] = w[i] = dup ? next() % 7 : next() >> 20;
      qsort(w, n, sizeof *w, cmp64);
      ls__sort_u64(v, n, tmp, 44);
      assert_memory_equal(v, w, n * sizeof *v);
      for (size_t i = 0; i < n; i++)
        v[i] = w[n - 1 - i];
      ls__sort_u64(v, n, NULL, 44); /* no scratch: quicksort at any size */
      assert_memory_equal(v, w, n * sizeof *v);
      free(v);
      free(w);
      free(tmp);
    }
}

typedef struct items {
  const uint32_t *id;
  const uint64_t *val;
  size_t n;
} items;

static void items_pass(void *ctx, ls__buckets *b, unsigned part, unsigned n_parts, int fill) {
  const items *it = ctx;
  size_t lo, hi;
  ls__range(it->n, part, n_parts, &lo, &hi);
  for (size_t i = lo; i < hi; i++) {
    if (fill)
      ls__buckets_put(b, part, it->id[i], it->val[i]);
    else
      ls__buckets_count(b, part, it->id[i]);
  }
}

/* Every value lands in its id's bucket, sorted, whatever the parts. */
static void buckets_same_in_parts(void **state) {
  (void)state;
  enum { N = 50000, IDS = 3000 };
  uint32_t *id = malloc(N * sizeof *id);
  uint64_t *val = malloc(N * sizeof *val);
  assert_true(id && val);
  for (size_t i = 0; i < N; i++) {
    /* a few large buckets (radix sorted) and many small ones */
    id[i] = i % 5 == 0 ? (uint32_t)(next() % 3) : (uint32_t)(next() % IDS);
    val[i] = next() >> 24;
  }
  items it = {id, val, N};
  ls__buckets ref = {0};
  for (unsigned parts = 1; parts <= 5; parts++) {
    ls__threads_force(parts);
    ls__buckets b;
    assert_int_equal(ls__buckets_build(&b, IDS, N, items_pass, &it, 40), LS_OK);
    assert_int_equal(b.n, N);
    for (uint32_t k = 0; k < IDS; k++)
      for (size_t i = b.off[k] + 1; i < b.off[k + 1]; i++)
        assert_true(b.vals[i - 1] <= b.vals[i]);
    if (parts == 1) {
      ref = b;
    } else {
      assert_memory_equal(b.off, ref.off, (IDS + 1) * sizeof *b.off);
      assert_memory_equal(b.vals, ref.vals, N * sizeof *b.vals);
      ls__buckets_free(&b);
    }
  }
  ls__threads_force(0);
  ls__buckets_free(&ref);
  free(id);
  free(val);
}

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

/* Two lines (adverts, short buying calls, a holder away, a runner with the
 * phone) in a crowd of random traffic, events shuffled. */
static void make_world(ls_events *ev, int days) {
  char a[24], b[24], cell[16];
  for (int line = 0; line < 2; line++) {
    snprintf(a, sizeof a, "+4477008000%02d", line);
    for (int d = 0; d < days; d++) {
      int64_t day = T0 + (int64_t)d * DAY;
      snprintf(cell, sizeof cell, "T%d-%d", line, d % 3);
      for (int i = 0; i < 40; i++) {
        snprintf(b, sizeof b, "+447701%03d%03d", line, i);
        add(ev, day + 17 * 3600 + i, LS_EV_SMS, a, b, 0, cell, cell);
        if ((i + d) % 3 == 0)
          add(ev, day + 20 * 3600 + i * 60, LS_EV_CALL, b, a, 30, cell, cell);
      }
      snprintf(b, sizeof b, "+4477007000%02d", line);
      add(ev, day + 11 * 3600, LS_EV_CALL, b, a, 100, "CITY", cell);
      add(ev, day + 22 * 3600, LS_EV_CALL, a, b, 60, cell, "CITY");
      snprintf(b, sizeof b, "+4477006000%02d", line);
      add(ev, day + 20 * 3600 + 7, LS_EV_SMS, b, "+447700700000", 0, d % 7 >= 5 ? "CITY" : cell, "CITY");
    }
  }
  for (int i = 0; i < 3000; i++) {
    snprintf(a, sizeof a, "+447702%06u", (unsigned)(next() % 400));
    snprintf(b, sizeof b, "+447702%06u", (unsigned)(next() % 400));
    snprintf(cell, sizeof cell, "R%u", (unsigned)(next() % 30));
    add(ev, T0 + (int64_t)(next() % ((uint64_t)days * DAY)), next() % 2 ? LS_EV_CALL : LS_EV_SMS, a, b,
        (int)(next() % 300), cell, NULL);
  }
  /* shuffle: the analysis must not depend on event order */
  for (size_t i = ev->count; i > 1; i--) {
    size_t j = next() % i;
#define SWAP(col)                                                                                                   \
  do {                                                                                                              \
    __typeof__(ev->col[0]) t_ = ev->col[i - 1];                                                                     \
    ev->col[i - 1] = ev->col[j];                                                                                    \
    ev->col[j] = t_;                                                                                                \
  } while (0)
    SWAP(start);
    SWAP(type);
    SWAP(caller);
    SWAP(callee);
    SWAP(duration);
    SWAP(caller_cell);
    SWAP(callee_cell);
    SWAP(caller_imei);
    SWAP(callee_imei);
#undef SWAP
  }
}

static char *result_text(const ls_events *ev) {
  ls_analysis *a = NULL;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_analysis_run(ev, NULL, &a, &err), LS_OK);
  assert_true(ls_analysis_line_count(a) >= 2);
  char *text = NULL;
  assert_int_equal(ls_analysis_json(a, 0, &text, &err), LS_OK);
  ls_analysis_free(a);
  /* the run's time stamp is the one thing allowed to differ */
  char *g = strstr(text, "\"generated\"");
  assert_non_null(g);
  for (char *p = g + 12; *p && *p != ','; p++)
    *p = ' ';
  return text;
}

/* The whole result is the same in 1 to 4 parts (each pass split by event
 * or number range, more parts than cores included). */
static void same_result_any_threads(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev, 14);
  ls__threads_force(1);
  char *one = result_text(&ev);
  for (unsigned t = 2; t <= 4; t++) {
    ls__threads_force(t);
    char *many = result_text(&ev);
    assert_string_equal(one, many);
    ls_analysis_text_free(many);
  }
  ls__threads_force(0);
  ls_analysis_text_free(one);
  ls_events_free(&ev);
}

/* Every allocation of a run made to fail in turn, with two parts: the run
 * reports LS_ERR_NOMEM (or, where a sort falls back, still succeeds) and
 * frees everything (ASan checks the leaks). */
static void out_of_memory_anywhere(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  make_world(&ev, 5);
  ls__threads_force(2);
  int done = 0;
  for (unsigned long k = 1; !done && k < 100000; k++) {
    ls_analysis *a = NULL;
    ls_error err;
    ls_error_clear(&err);
    ls__mem_fail_after(k);
    ls_status rc = ls_analysis_run(&ev, NULL, &a, &err);
    ls__mem_fail_after(0);
    if (rc == LS_OK)
      done = a != NULL;
    else
      assert_int_equal(rc, LS_ERR_NOMEM);
    ls_analysis_free(a);
  }
  assert_true(done);
  ls__threads_force(0);
  ls_events_free(&ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sorts_like_qsort),
      cmocka_unit_test(buckets_same_in_parts),
      cmocka_unit_test(same_result_any_threads),
      cmocka_unit_test(out_of_memory_anywhere),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
