/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Users, sessions, areas, and the server's role/permission table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linesight/ls_auth.h"
#include "server/server_internal.h"

typedef struct fixture {
  char dir[64];
  char db[128];
  ls_store *st;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ls-test-auth-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  ls_error err;
  if (ls_auth_init(&err) || ls_store_open(f->db, &f->st, &err))
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

static const char *pw = "correct horse battery";

static void users_are_added_once_and_validated(void **state) {
  fixture *f = *state;
  ls_error err;
  assert_int_equal(ls_auth_user_add(f->st, "alice", LS_ROLE_ANALYST, "Hampshire", pw, &err), LS_OK);
  assert_int_equal(ls_auth_user_add(f->st, "alice", LS_ROLE_PRESS, "Hampshire", pw, &err),
                   LS_ERR_DUPLICATE);
  assert_int_equal(ls_auth_user_add(f->st, "bob;drop", LS_ROLE_PRESS, "Hampshire", pw, &err),
                   LS_ERR_USAGE);
  assert_int_equal(ls_auth_user_add(f->st, "bob", LS_ROLE_PRESS, "Hampshire", "short", &err),
                   LS_ERR_USAGE);
  assert_int_equal(ls_auth_user_add(f->st, "bob", LS_ROLE_PRESS, "", pw, &err), LS_ERR_USAGE);
  assert_int_equal(ls_auth_user_add(f->st, "bob", LS_ROLE_COUNT, "Kent", pw, &err), LS_ERR_USAGE);
  ls_auth_user u;
  assert_int_equal(ls_auth_user_get(f->st, "alice", &u, &err), LS_OK);
  assert_string_equal(u.name, "alice");
  assert_string_equal(u.force, "Hampshire");
  assert_int_equal(u.role, LS_ROLE_ANALYST);
  assert_int_equal(u.disabled, 0);
  assert_int_equal(ls_auth_user_get(f->st, "bob", &u, &err), LS_ERR_NOTFOUND);
  /* the password is stored as an argon2id string, never as given */
  int64_t plain = -1;
  assert_int_equal(ls_store_query_int64(f->st,
                                        "SELECT COUNT(*) FROM users WHERE password_hash LIKE"
                                        " '$argon2id$%' AND password_hash NOT LIKE '%horse%'",
                                        &plain, &err),
                   LS_OK);
  assert_int_equal(plain, 1);
}

static void roles_parse_and_name(void **state) {
  (void)state;
  ls_role r;
  ls_error err;
  const char *names[] = {"admin", "analyst", "officer", "safeguarding", "press", "supervisor"};
  for (int i = 0; i < LS_ROLE_COUNT; i++) {
    assert_int_equal(ls_auth_role_parse(names[i], &r, &err), LS_OK);
    assert_int_equal(r, i);
    assert_string_equal(ls_auth_role_name(r), names[i]);
  }
  assert_int_equal(ls_auth_role_parse("root", &r, &err), LS_ERR_USAGE);
  assert_null(ls_auth_role_name(LS_ROLE_COUNT));
}

static void login_opens_a_session_that_logout_ends(void **state) {
  fixture *f = *state;
  ls_error err;
  assert_int_equal(ls_auth_user_add(f->st, "carol", LS_ROLE_OFFICER, "Kent", pw, &err), LS_OK);
  ls_auth_session s, g;
  assert_int_equal(ls_auth_login(f->st, "carol", "wrong password!", 1000, 60, &s, &err),
                   LS_ERR_DENIED);
  assert_int_equal(ls_auth_login(f->st, "nobody", pw, 1000, 60, &s, &err), LS_ERR_DENIED);
  assert_int_equal(ls_auth_login(f->st, "carol", pw, 1000, 60, &s, &err), LS_OK);
  assert_int_equal(strlen(s.token), LS_AUTH_TOKEN_HEX);
  assert_int_equal(strlen(s.csrf), LS_AUTH_TOKEN_HEX);
  assert_string_not_equal(s.token, s.csrf);
  assert_int_equal(s.expires_at, 1060);
  assert_int_equal(ls_auth_session_get(f->st, s.token, 1001, &g, &err), LS_OK);
  assert_string_equal(g.user.name, "carol");
  assert_int_equal(g.user.role, LS_ROLE_OFFICER);
  assert_string_equal(g.csrf, s.csrf);
  assert_string_equal(g.token, "");
  /* the token itself is not in the store, only its hash */
  ls_stmt *q = NULL;
  assert_int_equal(ls_stmt_prepare(f->st, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", &q, &err),
                   LS_OK);
  ls_stmt_bind_text(q, 1, s.token, strlen(s.token));
  assert_int_equal(ls_stmt_step(q, &err), LS_ROW);
  assert_int_equal(ls_stmt_int64(q, 0), 0);
  ls_stmt_finalize(q);
  /* expiry, a forged token, logout */
  assert_int_equal(ls_auth_session_get(f->st, s.token, 1060, &g, &err), LS_ERR_DENIED);
  char forged[LS_AUTH_TOKEN_HEX + 1];
  memcpy(forged, s.token, sizeof forged);
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  assert_int_equal(ls_auth_session_get(f->st, forged, 1001, &g, &err), LS_ERR_DENIED);
  assert_int_equal(ls_auth_session_get(f->st, "' OR 1=1 --", 1001, &g, &err), LS_ERR_DENIED);
  assert_int_equal(ls_auth_logout(f->st, s.token, &err), LS_OK);
  assert_int_equal(ls_auth_session_get(f->st, s.token, 1001, &g, &err), LS_ERR_DENIED);
}

static void password_change_and_disable_end_sessions(void **state) {
  fixture *f = *state;
  ls_error err;
  ls_auth_session s, g;
  assert_int_equal(ls_auth_user_add(f->st, "dave", LS_ROLE_ANALYST, "Kent", pw, &err), LS_OK);
  assert_int_equal(ls_auth_login(f->st, "dave", pw, 1000, 600, &s, &err), LS_OK);
  assert_int_equal(ls_auth_user_set_password(f->st, "dave", "another long password", &err), LS_OK);
  assert_int_equal(ls_auth_session_get(f->st, s.token, 1001, &g, &err), LS_ERR_DENIED);
  assert_int_equal(ls_auth_login(f->st, "dave", pw, 1000, 600, &s, &err), LS_ERR_DENIED);
  assert_int_equal(ls_auth_login(f->st, "dave", "another long password", 1000, 600, &s, &err), LS_OK);
  assert_int_equal(ls_auth_user_disable(f->st, "dave", &err), LS_OK);
  assert_int_equal(ls_auth_session_get(f->st, s.token, 1001, &g, &err), LS_ERR_DENIED);
  assert_int_equal(ls_auth_login(f->st, "dave", "another long password", 1000, 600, &s, &err),
                   LS_ERR_DENIED);
  assert_int_equal(ls_auth_user_disable(f->st, "nobody", &err), LS_ERR_NOTFOUND);
  assert_int_equal(ls_auth_user_set_password(f->st, "nobody", pw, &err), LS_ERR_NOTFOUND);
  /* expired sessions are purged */
  assert_int_equal(ls_auth_user_add(f->st, "erin", LS_ROLE_ANALYST, "Kent", pw, &err), LS_OK);
  assert_int_equal(ls_auth_login(f->st, "erin", pw, 1000, 10, &s, &err), LS_OK);
  assert_int_equal(ls_auth_sessions_purge(f->st, 2000, &err), LS_OK);
  int64_t n = -1;
  assert_int_equal(ls_store_query_int64(f->st, "SELECT COUNT(*) FROM sessions", &n, &err), LS_OK);
  assert_int_equal(n, 0);
}

static void forces_see_their_own_data_and_national_sees_all(void **state) {
  (void)state;
  ls_auth_user hants = {.force = "Hampshire", .role = LS_ROLE_ANALYST};
  ls_auth_user nat = {.force = "National", .role = LS_ROLE_ANALYST};
  assert_true(ls_auth_force_may_see(&hants, "hampshire"));
  assert_false(ls_auth_force_may_see(&hants, "Kent"));
  assert_false(ls_auth_force_may_see(&hants, NULL));
  assert_true(ls_auth_force_may_see(&nat, "Kent"));
  assert_true(ls_auth_force_may_see(&nat, NULL));
  assert_true(ls_auth_is_national(&nat));
  assert_false(ls_auth_is_national(&hants));
}

static void areas_map_to_forces(void **state) {
  fixture *f = *state;
  ls_error err;
  char force[LS_AUTH_NAME_MAX + 1];
  assert_int_equal(ls_auth_area_set(f->st, "Basingstoke", "Hampshire", &err), LS_OK);
  assert_int_equal(ls_auth_area_force(f->st, "BASINGSTOKE", force, &err), LS_OK);
  assert_string_equal(force, "Hampshire");
  assert_int_equal(ls_auth_area_set(f->st, "basingstoke", "Thames Valley", &err), LS_OK);
  assert_int_equal(ls_auth_area_force(f->st, "Basingstoke", force, &err), LS_OK);
  assert_string_equal(force, "Thames Valley");
  assert_int_equal(ls_auth_area_force(f->st, "Margate", force, &err), LS_ERR_NOTFOUND);
  assert_int_equal(ls_auth_area_set(f->st, "", "Kent", &err), LS_ERR_USAGE);
}

static void secrets_compare_by_content(void **state) {
  (void)state;
  assert_true(ls_auth_secret_equal("abc", "abc"));
  assert_false(ls_auth_secret_equal("abc", "abd"));
  assert_false(ls_auth_secret_equal("abc", "abcd"));
  assert_false(ls_auth_secret_equal("", "a"));
}

/* The route table's permission model, role by role (issue 7). */
static void roles_have_exactly_their_permissions(void **state) {
  (void)state;
  /* rows: admin, analyst, officer, safeguarding, press, supervisor;
   * columns: session lines safeguarding ops_read ops_write analyse reports_read admin
   * intel_grade messages messages_approve */
  static const int want[LS_ROLE_COUNT][LS__PERM_COUNT - 1] = {
      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0},
      {1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0},
      {1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
      {1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
      {1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1},
  };
  for (int r = 0; r < LS_ROLE_COUNT; r++) {
    assert_true(ls__server_role_may((ls_role)r, LS__PERM_PUBLIC));
    for (int p = 1; p < LS__PERM_COUNT; p++)
      if (ls__server_role_may((ls_role)r, (ls__perm)p) != want[r][p - 1])
        fail_msg("role %s permission %s: expected %d", ls_auth_role_name((ls_role)r),
                 ls__server_perm_name((ls__perm)p), want[r][p - 1]);
  }
  assert_false(ls__server_role_may(LS_ROLE_COUNT, LS__PERM_SESSION));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(users_are_added_once_and_validated, setup, teardown),
      cmocka_unit_test(roles_parse_and_name),
      cmocka_unit_test_setup_teardown(login_opens_a_session_that_logout_ends, setup, teardown),
      cmocka_unit_test_setup_teardown(password_change_and_disable_end_sessions, setup, teardown),
      cmocka_unit_test(forces_see_their_own_data_and_national_sees_all),
      cmocka_unit_test_setup_teardown(areas_map_to_forces, setup, teardown),
      cmocka_unit_test(secrets_compare_by_content),
      cmocka_unit_test(roles_have_exactly_their_permissions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
