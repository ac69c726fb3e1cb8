/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The audit trail: appends, filters, and detection of edits and deletions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linesight/ls_audit.h"
#include "linesight/ls_auth.h"

typedef struct fixture {
  char dir[64];
  char db[128];
  ls_store *st;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ls-test-audit-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  ls_error err;
  if (ls_auth_init(&err) || ls_store_open(f->db, &f->st, &err))
    return -1;
  /* five entries by two actors */
  const char *actors[] = {"alice", "bob", "alice", "alice", "bob"};
  const char *actions[] = {"login", "read", "read", "change", "read"};
  const char *records[] = {"", "LS-0001,LS-0002", "+447700900001", "op:2024-10", "LS-0002"};
  for (int i = 0; i < 5; i++)
    if (ls_audit_append(f->st, actors[i], "Hampshire", actions[i], "GET /api/lines", records[i],
                        "", &err))
      return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  ls_store_close(f->st);
  char p[160];
  const char *suffix[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s%s", f->db, suffix[i]);
    unlink(p);
  }
  rmdir(f->dir);
  free(f);
  return 0;
}

typedef struct seen {
  int n;
  int64_t seq[16];
} seen;

static int collect(const ls_audit_entry *e, void *ctx) {
  seen *s = ctx;
  if (s->n < 16)
    s->seq[s->n++] = e->seq;
  return 0;
}

static void an_untouched_chain_verifies(void **state) {
  fixture *f = *state;
  ls_audit_report r;
  ls_error err;
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_true(r.intact);
  assert_int_equal(r.entries, 5);
  assert_int_equal(strlen(r.head), LS_AUDIT_HASH_HEX);
  assert_string_not_equal(r.head, "0000000000000000000000000000000000000000000000000000000000000000");
}

static void filters_select_entries(void **state) {
  fixture *f = *state;
  ls_error err;
  seen s = {0};
  ls_audit_filter flt = {.actor = "alice"};
  assert_int_equal(ls_audit_query(f->st, &flt, collect, &s, &err), LS_OK);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.seq[0], 1);
  assert_int_equal(s.seq[2], 4);
  memset(&s, 0, sizeof s);
  flt = (ls_audit_filter){.action = "read", .record = "LS-0002"};
  assert_int_equal(ls_audit_query(f->st, &flt, collect, &s, &err), LS_OK);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.seq[0], 2);
  assert_int_equal(s.seq[1], 5);
  memset(&s, 0, sizeof s);
  flt = (ls_audit_filter){.limit = 2};
  assert_int_equal(ls_audit_query(f->st, &flt, collect, &s, &err), LS_OK);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.seq[0], 4); /* the newest two, oldest first */
  assert_int_equal(s.seq[1], 5);
  memset(&s, 0, sizeof s);
  flt = (ls_audit_filter){.since = "2000-01-01T00:00:00Z", .until = "2000-01-02T00:00:00Z"};
  assert_int_equal(ls_audit_query(f->st, &flt, collect, &s, &err), LS_OK);
  assert_int_equal(s.n, 0);
  memset(&s, 0, sizeof s);
  flt = (ls_audit_filter){.actor = "x' OR '1'='1"};
  assert_int_equal(ls_audit_query(f->st, &flt, collect, &s, &err), LS_OK);
  assert_int_equal(s.n, 0);
}

static void an_edited_entry_is_found(void **state) {
  fixture *f = *state;
  ls_audit_report r;
  ls_error err;
  assert_int_equal(ls_store_exec(f->st, "UPDATE audit_log SET records = 'LS-0009' WHERE seq = 3", &err),
                   LS_OK);
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_false(r.intact);
  assert_int_equal(r.bad_seq, 3);
  assert_non_null(strstr(r.reason, "changed"));
}

static void a_rehashed_entry_breaks_the_next_link(void **state) {
  fixture *f = *state;
  ls_audit_report r;
  ls_error err;
  /* changing the stored hash along with the data still breaks entry 4 */
  assert_int_equal(ls_store_exec(f->st, "UPDATE audit_log SET hash = 'ff' WHERE seq = 3", &err), LS_OK);
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_false(r.intact);
  assert_int_equal(r.bad_seq, 3);
}

static void a_deleted_entry_is_found(void **state) {
  fixture *f = *state;
  ls_audit_report r;
  ls_error err;
  assert_int_equal(ls_store_exec(f->st, "DELETE FROM audit_log WHERE seq = 2", &err), LS_OK);
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_false(r.intact);
  assert_int_equal(r.bad_seq, 2);
  assert_int_equal(r.entries, 4);
}

static void deleting_the_newest_entries_is_found(void **state) {
  fixture *f = *state;
  ls_audit_report r;
  ls_error err;
  assert_int_equal(ls_store_exec(f->st, "DELETE FROM audit_log WHERE seq >= 4", &err), LS_OK);
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_false(r.intact);
  assert_non_null(strstr(r.reason, "head"));
}

static void appends_continue_the_chain_and_cut_long_fields(void **state) {
  fixture *f = *state;
  ls_error err;
  size_t big = LS_AUDIT_FIELD_MAX + 100;
  char *records = malloc(big + 1);
  memset(records, 'x', big);
  records[big] = '\0';
  assert_int_equal(ls_audit_append(f->st, "carol", NULL, "read", NULL, records, NULL, &err), LS_OK);
  free(records);
  ls_audit_report r;
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_true(r.intact);
  assert_int_equal(r.entries, 6);
  int64_t len = 0;
  assert_int_equal(ls_store_query_int64(f->st, "SELECT LENGTH(records) FROM audit_log WHERE seq = 6",
                                        &len, &err),
                   LS_OK);
  assert_int_equal(len, LS_AUDIT_FIELD_MAX);
}

/* a batch (group commit, one transaction) chains exactly as one append at
 * a time: same seqs, links and head; interleaved with single appends from
 * another connection; an edit inside a batch is still found */
static void batches_chain_like_single_appends(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_audit_entry batch[40];
  char rec[40][16];
  for (int i = 0; i < 40; i++) {
    snprintf(rec[i], sizeof rec[i], "LS-%04d", i);
    batch[i] = (ls_audit_entry){.actor = i % 2 ? "alice" : "bob", .force = "Hampshire",
                                .action = "read", .target = "GET /api/lines", .records = rec[i]};
  }
  assert_int_equal(ls_audit_append_many(f->st, batch, 40, &err), LS_OK);
  assert_int_equal(ls_audit_append_many(f->st, batch, 0, &err), LS_OK); /* nothing to do */
  ls_store *other = NULL;
  assert_int_equal(ls_store_open(f->db, &other, &err), LS_OK);
  assert_int_equal(ls_audit_append(other, "cli:root", "", "change", "user carol", "", "", &err), LS_OK);
  assert_int_equal(ls_audit_append_many(f->st, batch, 3, &err), LS_OK);
  ls_store_close(other);
  ls_audit_report r;
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_true(r.intact);
  assert_int_equal(r.entries, 5 + 40 + 1 + 3);
  seen s = {0};
  ls_audit_filter flt = {.record = "LS-0039"};
  assert_int_equal(ls_audit_query(f->st, &flt, collect, &s, &err), LS_OK);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.seq[0], 5 + 40);
  /* the writer connection's own set-up changes nothing in the chain */
  assert_int_equal(ls_audit_writer_setup(f->st, &err), LS_OK);
  assert_int_equal(ls_audit_append_many(f->st, batch, 2, &err), LS_OK);
  assert_int_equal(ls_audit_checkpoint(f->st, &err), LS_OK);
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_true(r.intact);
  assert_int_equal(ls_store_exec(f->st, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 20", &err),
                   LS_OK);
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_false(r.intact);
  assert_int_equal(r.bad_seq, 20);
}

/* The server's checkpointer relies on this: a checkpoint that copied every
 * page lets the next commit start the WAL file over, so the WAL stays
 * small without a second, writer-blocking pass (server_audit.c). */
static void a_caught_up_checkpoint_lets_the_wal_start_over(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_store *writer = NULL;
  assert_int_equal(ls_store_open(f->db, &writer, &err), LS_OK);
  assert_int_equal(ls_audit_writer_setup(writer, &err), LS_OK);
  ls_audit_entry e = {.actor = "alice", .force = "Hampshire", .action = "read",
                      .target = "GET /api/lines", .records = "LS-0001", .detail = ""};
  int64_t frames = 0, grown = 0;
  for (int i = 0; i < 50; i++)
    assert_int_equal(ls_audit_append_many(writer, &e, 1, &err), LS_OK);
  assert_int_equal(ls_audit_checkpoint_wal(f->st, &grown, &err), LS_OK);
  assert_true(grown >= 50); /* at least a page per commit */
  /* nothing was committed meanwhile: the checkpoint copied it all, and the
   * next commit writes from the start of the WAL file */
  assert_int_equal(ls_audit_append_many(writer, &e, 1, &err), LS_OK);
  assert_int_equal(ls_audit_checkpoint_wal(f->st, &frames, &err), LS_OK);
  assert_true(frames > 0);
  assert_true(frames < grown / 4);
  ls_store_close(writer);
  ls_audit_report r;
  assert_int_equal(ls_audit_verify(f->st, &r, &err), LS_OK);
  assert_true(r.intact);
  assert_int_equal(r.entries, 5 + 51);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(an_untouched_chain_verifies, setup, teardown),
      cmocka_unit_test_setup_teardown(filters_select_entries, setup, teardown),
      cmocka_unit_test_setup_teardown(an_edited_entry_is_found, setup, teardown),
      cmocka_unit_test_setup_teardown(a_rehashed_entry_breaks_the_next_link, setup, teardown),
      cmocka_unit_test_setup_teardown(a_deleted_entry_is_found, setup, teardown),
      cmocka_unit_test_setup_teardown(deleting_the_newest_entries_is_found, setup, teardown),
      cmocka_unit_test_setup_teardown(appends_continue_the_chain_and_cut_long_fields, setup, teardown),
      cmocka_unit_test_setup_teardown(batches_chain_like_single_appends, setup, teardown),
      cmocka_unit_test_setup_teardown(a_caught_up_checkpoint_lets_the_wal_start_over, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
