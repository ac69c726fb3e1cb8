/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Store: event chunks round trip, time windows, duplicate detection,
 * rollback, reference tables, misuse and corruption. */
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

#include "linesight/ls_store.h"
#include "linesight/ls_store_events.h"

typedef struct fixture {
  char dir[64];
  char db[96];
  ls_store *st;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  snprintf(f->dir, sizeof f->dir, "/tmp/ls-test-store-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  ls_error err;
  if (ls_store_open(f->db, &f->st, &err) != LS_OK)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char path[128];
  ls_store_close(f->st);
  const char *suffix[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s%s", f->db, suffix[i]);
    unlink(path);
  }
  rmdir(f->dir);
  free(f);
  return 0;
}

static int64_t add_dataset(ls_store *st, const char *sha) {
  ls_stmt *s = NULL;
  ls_error err;
  assert_int_equal(ls_stmt_prepare(st,
                                   "INSERT INTO datasets(file_name, sha256, kind, format, bytes,"
                                   " rows_read, rows_stored, rows_duplicate, rows_rejected,"
                                   " ingested_at) VALUES ('t.csv', ?, 'events', 'linesight', 0,"
                                   " 0, 0, 0, 0, '2024-10-01T00:00:00Z') RETURNING id",
                                   &s, &err),
                   LS_OK);
  ls_stmt_bind_text(s, 1, sha, strlen(sha));
  assert_int_equal(ls_stmt_step(s, &err), LS_ROW);
  int64_t id = ls_stmt_int64(s, 0);
  ls_stmt_finalize(s);
  return id;
}

static uint32_t intern(ls_dict *d, const char *s) {
  uint32_t id;
  assert_int_equal(ls_dict_intern(d, s, strlen(s), &id), LS_OK);
  return id;
}

/* Adds n events with varied fields; the k-th event is a function of k. */
static void push_events(ls_events *ev, size_t n, size_t k0) {
  char num[32];
  for (size_t k = k0; k < k0 + n; k++) {
    snprintf(num, sizeof num, "+4477009%05zu", k % 997);
    uint32_t a = intern(&ev->numbers, num);
    snprintf(num, sizeof num, "+4477009%05zu", (k * 7 + 3) % 1009);
    uint32_t b = intern(&ev->numbers, num);
    snprintf(num, sizeof num, "C%zu", k % 13);
    uint32_t cell = k % 5 ? intern(&ev->cells, num) : LS_NO_ID;
    snprintf(num, sizeof num, "35693803564%04zu", k % 31);
    uint32_t imei = k % 3 ? LS_NO_ID : intern(&ev->imeis, num);
    /* mostly increasing times with jumps back, to exercise the zigzag deltas */
    int64_t t = 1727740800 + (int64_t)k * 17 - (k % 11 == 0 ? 5000 : 0);
    assert_int_equal(ls_events_push(ev, t, k % 4 ? LS_EV_CALL : LS_EV_SMS, a, b,
                                    k % 4 ? (int32_t)(k % 700) : 0, cell, LS_NO_ID, imei,
                                    k % 7 ? LS_NO_ID : imei),
                     LS_OK);
  }
}

static void assert_same_event(const ls_events *a, size_t i, const ls_events *b, size_t j) {
  assert_int_equal(a->start[i], b->start[j]);
  assert_int_equal(a->type[i], b->type[j]);
  assert_string_equal(ls_dict_str(&a->numbers, a->caller[i]), ls_dict_str(&b->numbers, b->caller[j]));
  assert_string_equal(ls_dict_str(&a->numbers, a->callee[i]), ls_dict_str(&b->numbers, b->callee[j]));
  assert_int_equal(a->duration[i], b->duration[j]);
  assert_int_equal(a->caller_cell[i], b->caller_cell[j]);
  assert_int_equal(a->callee_cell[i], b->callee_cell[j]);
  assert_int_equal(a->caller_imei[i], b->caller_imei[j]);
  assert_int_equal(a->callee_imei[i], b->callee_imei[j]);
}

static void events_round_trip_across_chunks(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_events ev, back;
  ls_events_init(&ev);
  ls_events_init(&back);
  size_t n = LS_STORE_CHUNK_EVENTS * 2 + 123; /* two full chunks and a partial one */
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_OK);
  assert_int_equal(ev.count, 0);
  int64_t ds = add_dataset(f->st, "a");
  push_events(&ev, n, 0);
  assert_int_equal(ls_store_events_append(f->st, &ev, 0, ds, &err), LS_OK);
  assert_int_equal(ls_store_commit(f->st, &err), LS_OK);

  int64_t count = 0;
  assert_int_equal(ls_store_events_count(f->st, &count, &err), LS_OK);
  assert_int_equal(count, (int64_t)n);
  assert_int_equal(ls_store_query_int64(f->st, "SELECT COUNT(*) FROM event_chunks", &count, &err), LS_OK);
  assert_int_equal(count, 3);
  assert_int_equal(ls_store_query_int64(f->st, "SELECT COUNT(*) FROM numbers", &count, &err), LS_OK);
  assert_int_equal(count, (int64_t)ev.numbers.count);

  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &back, &err), LS_OK);
  assert_int_equal(back.count, n);
  assert_int_equal(back.numbers.count, ev.numbers.count);
  assert_int_equal(back.cells.count, ev.cells.count);
  assert_int_equal(back.imeis.count, ev.imeis.count);
  for (size_t i = 0; i < n; i++)
    assert_same_event(&ev, i, &back, i);
  /* ids are store ids: the same as the writer's */
  for (uint32_t id = 0; id < ev.cells.count; id++)
    assert_string_equal(ls_dict_str(&ev.cells, id), ls_dict_str(&back.cells, id));
  ls_events_free(&back);

  /* a window keeps exactly the events with from <= start < to, in order */
  int64_t from = 1727740800 + 17 * 70000, to = from + 17 * 1000;
  ls_events_init(&back);
  assert_int_equal(ls_store_events_load(f->st, from, to, &back, &err), LS_OK);
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    if (ev.start[i] < from || ev.start[i] >= to)
      continue;
    assert_true(j < back.count);
    assert_same_event(&ev, i, &back, j);
    j++;
  }
  assert_int_equal(j, back.count);
  assert_true(j > 900);
  ls_events_free(&back);
  ls_events_free(&ev);
}

static void dedupe_keeps_first_occurrence(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  push_events(&ev, 1000, 0);
  /* stored part: events 0..999; new part: 500..1499 with 500..999 again,
   * plus event 1200 twice; times jump back, so the hash pass runs */
  size_t first = ev.count;
  push_events(&ev, 1000, 500);
  push_events(&ev, 1, 1200);
  uint64_t dups = 0;
  assert_int_equal(ls_store_events_dedupe(&ev, first, &dups), LS_OK);
  assert_int_equal(dups, 501);
  assert_int_equal(ev.count, 1500);
  for (size_t i = 0; i < 1500; i++)
    assert_int_equal(ev.start[i], 1727740800 + (int64_t)i * 17 - (i % 11 == 0 ? 5000 : 0));
  /* a second round against everything so far */
  first = ev.count;
  push_events(&ev, 10, 1495);
  assert_int_equal(ls_store_events_dedupe(&ev, first, &dups), LS_OK);
  assert_int_equal(dups, 5);
  assert_int_equal(ev.count, 1505);
  /* the key is start, type, caller, callee, duration: another cell is the same event */
  first = ev.count;
  assert_int_equal(ls_events_push(&ev, ev.start[3], ev.type[3], ev.caller[3], ev.callee[3],
                                  ev.duration[3], 0, 0, LS_NO_ID, LS_NO_ID),
                   LS_OK);
  assert_int_equal(ls_events_push(&ev, ev.start[3], ev.type[3], ev.caller[3], ev.callee[3],
                                  ev.duration[3] + 1, 0, 0, LS_NO_ID, LS_NO_ID),
                   LS_OK);
  assert_int_equal(ls_store_events_dedupe(&ev, first, &dups), LS_OK);
  assert_int_equal(dups, 1);
  assert_int_equal(ev.duration[ev.count - 1], ev.duration[3] + 1);
  ls_events_free(&ev);
}

/* A time-ordered batch: duplicates within equal-start runs, later than
 * everything stored (sequential pass) and then overlapping it (hash pass). */
static void dedupe_time_ordered_batches(void **state) {
  (void)state;
  ls_events ev;
  ls_events_init(&ev);
  uint32_t a = intern(&ev.numbers, "+447700900001"), b = intern(&ev.numbers, "+447700900002");
  for (int round = 0; round < 2; round++) {
    size_t first = ev.count;
    int64_t t0 = round == 0 ? 1000 : 1500; /* round 1 overlaps round 0's span */
    for (int64_t t = t0; t < t0 + 1000; t++) {
      /* three events a second: a->b, b->a, a->b sms; the first again */
      ls_events_push(&ev, t, LS_EV_CALL, a, b, 10, LS_NO_ID, LS_NO_ID, LS_NO_ID, LS_NO_ID);
      ls_events_push(&ev, t, LS_EV_CALL, b, a, 10, LS_NO_ID, LS_NO_ID, LS_NO_ID, LS_NO_ID);
      ls_events_push(&ev, t, LS_EV_SMS, a, b, 0, LS_NO_ID, LS_NO_ID, LS_NO_ID, LS_NO_ID);
      ls_events_push(&ev, t, LS_EV_CALL, a, b, 10, 7, LS_NO_ID, LS_NO_ID, LS_NO_ID);
    }
    uint64_t dups = 0;
    assert_int_equal(ls_store_events_dedupe(&ev, first, &dups), LS_OK);
    /* round 1: 500 seconds new, 500 already stored */
    assert_int_equal(dups, round == 0 ? 1000 : 2500);
    assert_int_equal(ev.count, round == 0 ? 3000 : 4500);
  }
  for (size_t i = 0; i < ev.count; i++) {
    assert_int_equal(ev.caller_cell[i], LS_NO_ID); /* the first occurrence was kept */
    if (i > 0)
      assert_true(ev.start[i] >= ev.start[i - 1]);
  }
  ls_events_free(&ev);
}

static void rollback_leaves_store_unchanged(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_events ev;
  ls_events_init(&ev);
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_OK);
  push_events(&ev, 100, 0);
  assert_int_equal(ls_store_events_append(f->st, &ev, 0, add_dataset(f->st, "a"), &err), LS_OK);
  assert_int_equal(ls_store_commit(f->st, &err), LS_OK);
  ls_events_free(&ev);

  ls_events_init(&ev);
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_OK);
  size_t first = ev.count;
  push_events(&ev, 5000, 7000); /* new numbers too */
  assert_int_equal(ls_store_events_append(f->st, &ev, first, add_dataset(f->st, "b"), &err), LS_OK);
  int64_t count = 0;
  assert_int_equal(ls_store_events_count(f->st, &count, &err), LS_OK);
  assert_int_equal(count, 5100);
  assert_int_equal(ls_store_rollback(f->st), LS_OK);
  ls_events_free(&ev);

  assert_int_equal(ls_store_events_count(f->st, &count, &err), LS_OK);
  assert_int_equal(count, 100);
  assert_int_equal(ls_store_query_int64(f->st, "SELECT COUNT(*) FROM datasets", &count, &err), LS_OK);
  assert_int_equal(count, 1);
  ls_events_init(&ev);
  ls_events ref;
  ls_events_init(&ref);
  push_events(&ref, 100, 0);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_OK);
  assert_int_equal(ev.count, 100);
  assert_int_equal(ev.numbers.count, ref.numbers.count);
  for (size_t i = 0; i < 100; i++)
    assert_same_event(&ref, i, &ev, i);
  ls_events_free(&ref);
  ls_events_free(&ev);
}

static void append_needs_the_store_dictionary(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_events ev;
  ls_events_init(&ev);
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  push_events(&ev, 10, 0);
  assert_int_equal(ls_store_events_append(f->st, &ev, 0, add_dataset(f->st, "a"), &err), LS_OK);
  assert_int_equal(ls_store_commit(f->st, &err), LS_OK);
  ls_events_free(&ev);
  /* a fresh table whose ids were not taken from the store */
  ls_events_init(&ev);
  intern(&ev.numbers, "+447700900999");
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  assert_int_equal(ls_store_events_append(f->st, &ev, 0, 1, &err), LS_ERR_INTERNAL);
  ls_store_rollback(f->st);
  ls_events_free(&ev);
}

static void corrupt_chunk_is_an_error(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_events ev;
  ls_events_init(&ev);
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  push_events(&ev, 10, 0);
  assert_int_equal(ls_store_events_append(f->st, &ev, 0, add_dataset(f->st, "a"), &err), LS_OK);
  assert_int_equal(ls_store_commit(f->st, &err), LS_OK);
  ls_events_free(&ev);
  /* truncate the blob: every stream length then overruns it */
  assert_int_equal(ls_store_exec(f->st, "UPDATE event_chunks SET data = substr(data, 1, 30)", &err),
                   LS_OK);
  ls_events_init(&ev);
  assert_int_equal(ls_store_events_load(f->st, INT64_MIN, INT64_MAX, &ev, &err), LS_ERR_DB);
  assert_non_null(strstr(err.message, "corrupt event chunk"));
  ls_events_free(&ev);
}

static void refdata_round_trip_and_duplicates(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_refdata rd, back;
  ls_refdata_init(&rd);
  ls_refdata_init(&back);
  ls_cell cells[2] = {{(char *)"C001", 51.26, -1.09, 90, (char *)"Mast 1", (char *)"Basingstoke"},
                      {(char *)"C002", 51.27, -1.1, NAN, NULL, NULL}};
  ls_person persons[1] = {{(char *)"P002", 14000, 'M', LS_FLAG_LOOKED_AFTER | LS_FLAG_MISSING_EPISODES}};
  ls_attribution attr[2] = {{"+447700900201", (char *)"P002", INT64_MIN, INT64_MAX, NULL},
                            {"+447700900202", (char *)"P002", 1727740800, 1730419199, (char *)"arrest"}};
  ls_address addr[1] = {{(char *)"A0042", 51.2661, -1.0872, (char *)"C001", (char *)"P002", LS_FLAG_VULNERABLE_ADULT}};
  /* borrow the arrays: rd is not freed with ls_refdata_free */
  rd.cells = cells;
  rd.n_cells = 2;
  rd.persons = persons;
  rd.n_persons = 1;
  rd.attributions = attr;
  rd.n_attributions = 2;
  rd.addresses = addr;
  rd.n_addresses = 1;
  assert_int_equal(ls_store_begin(f->st, &err), LS_OK);
  int64_t ds = add_dataset(f->st, "r");
  const ls_file_kind kinds[4] = {LS_KIND_CELLS, LS_KIND_PERSONS, LS_KIND_ATTRIBUTIONS, LS_KIND_ADDRESSES};
  const uint64_t rows[4] = {2, 1, 2, 1};
  for (int k = 0; k < 4; k++) {
    uint64_t stored = 0, dups = 0;
    assert_int_equal(ls_store_refdata_append(f->st, &rd, kinds[k], ds, &stored, &dups, &err), LS_OK);
    assert_int_equal(stored, rows[k]);
    assert_int_equal(dups, 0);
    /* the same rows again are duplicates */
    assert_int_equal(ls_store_refdata_append(f->st, &rd, kinds[k], ds, &stored, &dups, &err), LS_OK);
    assert_int_equal(stored, 0);
    assert_int_equal(dups, rows[k]);
  }
  /* a changed cell replaces the stored one */
  cells[1].lat = 52.0;
  uint64_t stored = 0, dups = 0;
  assert_int_equal(ls_store_refdata_append(f->st, &rd, LS_KIND_CELLS, ds, &stored, &dups, &err), LS_OK);
  assert_int_equal(stored, 1);
  assert_int_equal(dups, 1);
  assert_int_equal(ls_store_commit(f->st, &err), LS_OK);

  assert_int_equal(ls_store_refdata_load(f->st, &back, &err), LS_OK);
  assert_int_equal(back.n_cells, 2);
  assert_string_equal(back.cells[0].cell_id, "C001");
  assert_string_equal(back.cells[0].area, "Basingstoke");
  assert_true(back.cells[0].azimuth == 90.0);
  assert_true(isnan(back.cells[1].azimuth));
  assert_null(back.cells[1].name);
  assert_true(back.cells[1].lat == 52.0);
  assert_int_equal(back.n_persons, 1);
  assert_int_equal(back.persons[0].dob_days, 14000);
  assert_int_equal(back.persons[0].sex, 'M');
  assert_int_equal(back.persons[0].flags, LS_FLAG_LOOKED_AFTER | LS_FLAG_MISSING_EPISODES);
  assert_int_equal(back.n_attributions, 2);
  assert_string_equal(back.attributions[0].number, "+447700900201");
  assert_true(back.attributions[0].from == INT64_MIN && back.attributions[0].to == INT64_MAX);
  assert_null(back.attributions[0].source);
  assert_int_equal(back.attributions[1].from, 1727740800);
  assert_string_equal(back.attributions[1].source, "arrest");
  assert_int_equal(back.n_addresses, 1);
  assert_string_equal(back.addresses[0].occupant, "P002");
  assert_int_equal(back.addresses[0].flags, LS_FLAG_VULNERABLE_ADULT);
  ls_refdata_free(&back);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(events_round_trip_across_chunks, setup, teardown),
      cmocka_unit_test_setup_teardown(dedupe_keeps_first_occurrence, setup, teardown),
      cmocka_unit_test_setup_teardown(dedupe_time_ordered_batches, setup, teardown),
      cmocka_unit_test_setup_teardown(rollback_leaves_store_unchanged, setup, teardown),
      cmocka_unit_test_setup_teardown(append_needs_the_store_dictionary, setup, teardown),
      cmocka_unit_test_setup_teardown(corrupt_chunk_is_an_error, setup, teardown),
      cmocka_unit_test_setup_teardown(refdata_round_trip_and_duplicates, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
