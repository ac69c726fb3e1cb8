/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Store ingest of operator returns: the format is routed to the operator
 * reader, mirror records of returns read in one ingest are stored as one
 * event with both sides, across ingests the stored copy stays, and the
 * format/mapping usage errors; duplicate detection on a nearly
 * time-ordered batch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linesight/ls_store.h"
#include "linesight/ls_store_events.h"
#include "linesight/ls_store_ingest.h"

typedef struct fixture {
  char dir[64];
  char db[96];
  char qdir[96];
  char a[512], b[512], map_a[512], map_b[512];
  ls_store *st;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  const char *src = getenv("LS_SRC_DIR");
  if (!f || !src)
    return -1;
  snprintf(f->dir, sizeof f->dir, "/tmp/ls-test-store-ingest-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  snprintf(f->qdir, sizeof f->qdir, "%s/q", f->dir);
  snprintf(f->a, sizeof f->a, "%s/tests/data/operator/return_a.csv", src);
  snprintf(f->b, sizeof f->b, "%s/tests/data/operator/return_b.csv", src);
  snprintf(f->map_a, sizeof f->map_a, "%s/share/mappings/uk-return-a.map", src);
  snprintf(f->map_b, sizeof f->map_b, "%s/share/mappings/uk-return-b.map", src);
  ls_error err;
  if (ls_store_open(f->db, &f->st, &err) != LS_OK)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[128];
  ls_store_close(f->st);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

typedef struct seen {
  int files;
  uint64_t stored, duplicate, rejected;
  char format[16];
} seen;

static void on_file(void *ctx, const ls_store_ingest_file *file) {
  seen *s = ctx;
  s->files++;
  s->stored += file->rows_stored;
  s->duplicate += file->rows_duplicate;
  s->rejected += file->rows_rejected;
  snprintf(s->format, sizeof s->format, "%s", file->format);
}

static ls_status ingest(fixture *f, const char *const *paths, const char *const *maps, size_t n,
                        seen *s) {
  ls_store_ingest_opts o = {.format = "operator", .mappings = maps, .quarantine_dir = f->qdir,
                            .on_file = on_file, .file_ctx = s};
  ls_error err;
  return ls_store_ingest(f->st, paths, n, &o, &err);
}

/* The call 07700 900111 -> 07700 900222 at 2024-10-07T12:45:12Z (return A's
 * MO record, 13:45:12 London time) and return B's MT record of it. */
static size_t find_call(const ls_events *ev) {
  for (size_t i = 0; i < ev->count; i++)
    if (ev->start[i] == 1728305112 && ev->type[i] == LS_EV_CALL)
      return i;
  fail_msg("the mirrored call is not stored");
  return 0;
}

static const char *str_or_none(const ls_dict *d, uint32_t id) {
  return id == LS_NO_ID ? "(none)" : ls_dict_str(d, id);
}

static void test_mirrors_in_one_ingest(void **state) {
  fixture *f = *state;
  const char *paths[2] = {f->a, f->b};
  const char *maps[2] = {f->map_a, f->map_b};
  seen s = {0};
  assert_int_equal(ingest(f, paths, maps, 2, &s), LS_OK);
  assert_int_equal(s.files, 2);
  assert_int_equal(s.stored, 4);
  assert_int_equal(s.duplicate, 2); /* two mirror records of return B */
  assert_int_equal(s.rejected, 3);
  assert_string_equal(s.format, "operator");

  ls_events ev;
  ls_error err;
  ls_events_init(&ev);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_OK);
  assert_int_equal(ev.count, 4);
  size_t i = find_call(&ev);
  assert_string_equal(ls_dict_str(&ev.numbers, ev.caller[i]), "+447700900111");
  assert_string_equal(ls_dict_str(&ev.numbers, ev.callee[i]), "+447700900222");
  assert_int_equal(ev.duration[i], 121);
  /* both sides: A's first cell and handset, B's */
  assert_string_equal(str_or_none(&ev.cells, ev.caller_cell[i]), "BAS-0101");
  assert_string_equal(str_or_none(&ev.cells, ev.callee_cell[i]), "LDN-2201");
  assert_string_equal(str_or_none(&ev.imeis, ev.caller_imei[i]), "352099001761481");
  assert_string_equal(str_or_none(&ev.imeis, ev.callee_imei[i]), "490154203237518");
  ls_events_free(&ev);

  int64_t n = 0;
  assert_int_equal(ls_store_query_int64(f->st,
                                        "SELECT COUNT(*) FROM datasets WHERE format = 'operator'",
                                        &n, &err),
                   LS_OK);
  assert_int_equal(n, 2);
}

static void test_mirrors_across_ingests(void **state) {
  fixture *f = *state;
  const char *pa[1] = {f->a}, *ma[1] = {f->map_a};
  const char *pb[1] = {f->b}, *mb[1] = {f->map_b};
  seen s = {0};
  assert_int_equal(ingest(f, pa, ma, 1, &s), LS_OK);
  assert_int_equal(ingest(f, pb, mb, 1, &s), LS_OK);
  assert_int_equal(s.stored, 4);
  assert_int_equal(s.duplicate, 2);
  ls_events ev;
  ls_error err;
  ls_events_init(&ev);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_OK);
  assert_int_equal(ev.count, 4);
  size_t i = find_call(&ev);
  /* the stored copy is kept as it was: only the caller's side */
  assert_string_equal(str_or_none(&ev.cells, ev.caller_cell[i]), "BAS-0101");
  assert_int_equal(ev.callee_cell[i], LS_NO_ID);
  ls_events_free(&ev);
}

static void test_usage_errors(void **state) {
  fixture *f = *state;
  const char *paths[1] = {f->a};
  ls_error err;
  ls_store_ingest_opts o = {.format = "operator", .quarantine_dir = f->qdir};
  assert_int_equal(ls_store_ingest(f->st, paths, 1, &o, &err), LS_ERR_USAGE);
  assert_non_null(strstr(err.message, "mapping"));
  o = (ls_store_ingest_opts){.format = "linesight", .mapping = f->map_a};
  assert_int_equal(ls_store_ingest(f->st, paths, 1, &o, &err), LS_ERR_USAGE);
  o = (ls_store_ingest_opts){.format = "bandicoot"};
  assert_int_equal(ls_store_ingest(f->st, paths, 1, &o, &err), LS_ERR_USAGE);
  assert_non_null(strstr(err.message, "indicators --bandicoot"));
  assert_int_equal(ls_store_ingest_format_supported("operator"), 1);
  assert_int_equal(ls_store_ingest_format_supported("bandicoot"), 0);
  assert_int_equal(ls_store_ingest_format_supported("csv2"), -1);
  assert_null(ls_store_ingest_format_refusal("operator"));
  /* a return read with the wrong layout: nothing stored */
  const char *maps[1] = {f->map_b};
  seen s = {0};
  assert_int_equal(ingest(f, paths, maps, 1, &s), LS_ERR_INPUT);
  int64_t n = -1;
  assert_int_equal(ls_store_query_int64(f->st, "SELECT COUNT(*) FROM datasets", &n, &err), LS_OK);
  assert_int_equal(n, 0);
}

/* Duplicate detection on a time-ordered batch with late events (repeats of
 * earlier rows, some repeated twice, some late but new, some in-order
 * repeats within an equal-start run) against an O(n^2) reference that keeps
 * the first occurrence of each key. */
static void dedupe_nearly_sorted_batch(void **state) {
  (void)state;
  enum { N = 4000 };
  ls_events ev, ref;
  ls_events_init(&ev);
  ls_events_init(&ref);
  uint64_t x = 12345;
  int64_t t = 1700000000;
  for (int i = 0; i < N; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    unsigned r = (unsigned)(x >> 33);
    size_t c = ev.count;
    if (c > 10 && r % 100 < 3) { /* a late copy of an earlier event */
      size_t j = c - 1 - r / 100 % (c < 300 ? c - 1 : 300);
      assert_int_equal(ls_events_push(&ev, ev.start[j], ev.type[j], ev.caller[j], ev.callee[j],
                                      ev.duration[j], 7, 8, LS_NO_ID, LS_NO_ID),
                       LS_OK);
      continue;
    }
    if (c > 10 && r % 100 < 5) { /* late but new: another duration */
      assert_int_equal(ls_events_push(&ev, t - 1 - r % 50, LS_EV_CALL, r % 7, r % 5, 1000 + i,
                                      LS_NO_ID, LS_NO_ID, LS_NO_ID, LS_NO_ID),
                       LS_OK);
      continue;
    }
    if (c > 0 && r % 100 < 8) { /* an in-order repeat of the previous event */
      assert_int_equal(ls_events_push(&ev, ev.start[c - 1], ev.type[c - 1], ev.caller[c - 1],
                                      ev.callee[c - 1], ev.duration[c - 1], 1, 2, 3, 4),
                       LS_OK);
      continue;
    }
    t += r % 3; /* equal starts too */
    assert_int_equal(ls_events_push(&ev, t, (ls_event_type)(r % 2), r % 7, r / 7 % 5, (int32_t)(r % 4),
                                    r % 9, LS_NO_ID, LS_NO_ID, LS_NO_ID),
                     LS_OK);
  }
  for (size_t i = 0; i < ev.count; i++) {
    int seen = 0;
    for (size_t j = 0; j < ref.count && !seen; j++)
      seen = ref.start[j] == ev.start[i] && ref.type[j] == ev.type[i] &&
             ref.caller[j] == ev.caller[i] && ref.callee[j] == ev.callee[i] &&
             ref.duration[j] == ev.duration[i];
    if (!seen)
      assert_int_equal(ls_events_push(&ref, ev.start[i], (ls_event_type)ev.type[i], ev.caller[i],
                                      ev.callee[i], ev.duration[i], ev.caller_cell[i],
                                      ev.callee_cell[i], ev.caller_imei[i], ev.callee_imei[i]),
                       LS_OK);
  }
  size_t before = ev.count;
  uint64_t dups = 0;
  assert_int_equal(ls_store_events_dedupe(&ev, 0, &dups), LS_OK);
  assert_true(dups > 100);
  assert_int_equal(dups, before - ref.count);
  assert_int_equal(ev.count, ref.count);
  assert_memory_equal(ev.start, ref.start, ref.count * sizeof *ev.start);
  assert_memory_equal(ev.caller, ref.caller, ref.count * sizeof *ev.caller);
  assert_memory_equal(ev.duration, ref.duration, ref.count * sizeof *ev.duration);
  assert_memory_equal(ev.caller_cell, ref.caller_cell, ref.count * sizeof *ev.caller_cell);
  ls_events_free(&ev);
  ls_events_free(&ref);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_mirrors_in_one_ingest, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mirrors_across_ingests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
      cmocka_unit_test(dedupe_nearly_sorted_batch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
