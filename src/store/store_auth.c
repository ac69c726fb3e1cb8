/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Users and sessions (see include/linesight/ls_auth.h). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/ls_mem.h"
#include "linesight/ls_auth.h"
#include "linesight/ls_time.h"
#include "store_internal.h"

static const char *const role_names[LS_ROLE_COUNT] = {"admin", "analyst", "officer", "safeguarding",
                                                      "press", "supervisor"};

ls_status ls_auth_init(ls_error *err) {
  if (sodium_init() < 0)
    return LS_FAIL(err, LS_ERR_INTERNAL, "libsodium could not be initialised");
  return LS_OK;
}

const char *ls_auth_role_name(ls_role role) {
  if ((int)role < 0 || role >= LS_ROLE_COUNT)
    return NULL;
  return role_names[role];
}

ls_status ls_auth_role_parse(const char *text, ls_role *out, ls_error *err) {
  for (int r = 0; r < LS_ROLE_COUNT; r++)
    if (text && !strcmp(text, role_names[r])) {
      *out = (ls_role)r;
      return LS_OK;
    }
  return LS_FAIL(err, LS_ERR_USAGE,
                 "unknown role '%s' (one of: admin, analyst, officer, safeguarding, press, supervisor)",
                 text ? text : "");
}

int ls_auth_is_national(const ls_auth_user *u) { return !strcasecmp(u->force, LS_AUTH_NATIONAL); }

int ls_auth_force_may_see(const ls_auth_user *u, const char *owner_force) {
  if (ls_auth_is_national(u))
    return 1;
  return owner_force && !strcasecmp(u->force, owner_force);
}

int ls_auth_secret_equal(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la != lb)
    return 0;
  return sodium_memcmp(a, b, la) == 0;
}

static int valid_name(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > LS_AUTH_NAME_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static int valid_force(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > LS_AUTH_NAME_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
      return 0;
  return 1;
}

static ls_status check_password(const char *password, ls_error *err) {
  size_t n = password ? strlen(password) : 0;
  if (n < LS_AUTH_PASSWORD_MIN || n > LS_AUTH_PASSWORD_MAX)
    return LS_FAIL(err, LS_ERR_USAGE, "a password must be %d to %d characters long",
                   LS_AUTH_PASSWORD_MIN, LS_AUTH_PASSWORD_MAX);
  return LS_OK;
}

static ls_status hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
                               ls_error *err) {
  if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return LS_FAIL(err, LS_ERR_NOMEM, "not enough memory to hash the password");
  return LS_OK;
}

/* hex of BLAKE2b-256(token): what the sessions table keys on. */
static void token_digest(const char *token, char out[LS_AUTH_TOKEN_HEX + 1]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
  sodium_bin2hex(out, LS_AUTH_TOKEN_HEX + 1, h, sizeof h);
}

static void random_hex(char out[LS_AUTH_TOKEN_HEX + 1]) {
  unsigned char r[32];
  randombytes_buf(r, sizeof r);
  sodium_bin2hex(out, LS_AUTH_TOKEN_HEX + 1, r, sizeof r);
  sodium_memzero(r, sizeof r);
}

static void copy_field(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

static int step_done(ls_status rc) { return rc == LS_DONE; }

ls_status ls_auth_user_add(ls_store *st, const char *name, ls_role role, const char *force,
                           const char *password, ls_error *err) {
  char hash[crypto_pwhash_STRBYTES];
  ls_stmt *s = NULL;
  ls_status rc = LS_OK;
  if (!valid_name(name))
    return LS_FAIL(err, LS_ERR_USAGE, "a user name is 1 to %d of the characters A-Z a-z 0-9 . _ -",
                   LS_AUTH_NAME_MAX);
  if (!valid_force(force))
    return LS_FAIL(err, LS_ERR_USAGE, "a force name is 1 to %d printable characters",
                   LS_AUTH_NAME_MAX);
  if (!ls_auth_role_name(role))
    return LS_FAIL(err, LS_ERR_USAGE, "invalid role");
  rc = check_password(password, err);
  if (rc)
    return rc;
  rc = hash_password(password, hash, err);
  if (rc)
    return rc;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  rc = ls_store_begin(st, err);
  if (rc)
    goto out;
  rc = ls_stmt_prepare(st,
                       "INSERT INTO users(name, role, force_name, password_hash, disabled,"
                       " created_at, password_changed_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
                       &s, err);
  if (rc)
    goto out;
  ls_stmt_bind_text(s, 1, name, strlen(name));
  ls_stmt_bind_text(s, 2, role_names[role], strlen(role_names[role]));
  ls_stmt_bind_text(s, 3, force, strlen(force));
  ls_stmt_bind_text(s, 4, hash, strlen(hash));
  ls_stmt_bind_text(s, 5, now, strlen(now));
  ls_stmt_bind_text(s, 6, now, strlen(now));
  rc = ls_stmt_step(s, err);
  if (rc == LS_ERR_CONFLICT) {
    rc = LS_FAIL(err, LS_ERR_DUPLICATE, "user '%s' already exists", name);
    goto out;
  }
  if (!step_done(rc))
    goto out;
  ls_stmt_finalize(s);
  s = NULL;
  rc = ls_store_commit(st, err);
out:
  ls_stmt_finalize(s);
  if (rc)
    ls_store_rollback(st);
  sodium_memzero(hash, sizeof hash);
  return rc;
}

/* Runs one statement that binds one or two text parameters and returns no
 * rows. */
static ls_status exec_for_user(ls_store *st, const char *sql, const char *name, const char *arg2,
                               ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, sql, &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_text(s, 1, name, strlen(name));
  if (arg2)
    ls_stmt_bind_text(s, 2, arg2, strlen(arg2));
  rc = ls_stmt_step(s, err);
  ls_stmt_finalize(s);
  return step_done(rc) ? LS_OK : rc;
}

ls_status ls_auth_user_get(ls_store *st, const char *name, ls_auth_user *out, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT id, name, role, force_name, disabled FROM users"
                                 " WHERE name = ?",
                                 &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_text(s, 1, name ? name : "", name ? strlen(name) : 0);
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    memset(out, 0, sizeof *out);
    out->id = ls_stmt_int64(s, 0);
    copy_field(out->name, sizeof out->name, ls_stmt_text(s, 1));
    out->role = LS_ROLE_COUNT;
    ls_auth_role_parse(ls_stmt_text(s, 2), &out->role, NULL);
    copy_field(out->force, sizeof out->force, ls_stmt_text(s, 3));
    out->disabled = ls_stmt_int64(s, 4) != 0;
    rc = out->role == LS_ROLE_COUNT
             ? LS_FAIL(err, LS_ERR_INTERNAL, "user '%s' has an unknown role", out->name)
             : LS_OK;
  } else if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no user named '%s'", name ? name : "");
  }
  ls_stmt_finalize(s);
  return rc;
}

ls_status ls_auth_user_list(ls_store *st, int (*visit)(const ls_auth_user *u, void *ctx), void *ctx,
                            ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT id, name, role, force_name, disabled FROM users"
                                 " ORDER BY name",
                                 &s, err);
  if (rc)
    return rc;
  while ((rc = ls_stmt_step(s, err)) == LS_ROW) {
    ls_auth_user u;
    memset(&u, 0, sizeof u);
    u.id = ls_stmt_int64(s, 0);
    copy_field(u.name, sizeof u.name, ls_stmt_text(s, 1));
    u.role = LS_ROLE_COUNT;
    ls_auth_role_parse(ls_stmt_text(s, 2), &u.role, NULL);
    copy_field(u.force, sizeof u.force, ls_stmt_text(s, 3));
    u.disabled = ls_stmt_int64(s, 4) != 0;
    if (visit(&u, ctx))
      break;
  }
  ls_stmt_finalize(s);
  return rc == LS_ROW || rc == LS_DONE ? LS_OK : rc;
}

ls_status ls_auth_user_set_password(ls_store *st, const char *name, const char *password,
                                    ls_error *err) {
  char hash[crypto_pwhash_STRBYTES];
  ls_auth_user u;
  ls_status rc = check_password(password, err);
  if (rc)
    return rc;
  rc = ls_auth_user_get(st, name, &u, err);
  if (rc)
    return rc;
  rc = hash_password(password, hash, err);
  if (rc)
    return rc;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  rc = ls_store_begin(st, err);
  if (rc)
    goto out;
  ls_stmt *s = NULL;
  rc = ls_stmt_prepare(st,
                       "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                       &s, err);
  if (rc)
    goto out;
  ls_stmt_bind_text(s, 1, hash, strlen(hash));
  ls_stmt_bind_text(s, 2, now, strlen(now));
  ls_stmt_bind_int64(s, 3, u.id);
  rc = ls_stmt_step(s, err);
  ls_stmt_finalize(s);
  if (!step_done(rc))
    goto out;
  /* a new password ends every session opened with the old one */
  rc = exec_for_user(st, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)",
                     name, NULL, err);
  if (rc)
    goto out;
  rc = ls_store_commit(st, err);
out:
  if (rc)
    ls_store_rollback(st);
  sodium_memzero(hash, sizeof hash);
  return rc;
}

ls_status ls_auth_user_disable(ls_store *st, const char *name, ls_error *err) {
  ls_auth_user u;
  ls_status rc = ls_auth_user_get(st, name, &u, err);
  if (rc)
    return rc;
  rc = ls_store_begin(st, err);
  if (rc)
    return rc;
  rc = exec_for_user(st, "UPDATE users SET disabled = 1 WHERE name = ?", name, NULL, err);
  if (rc == LS_OK)
    rc = exec_for_user(st,
                       "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)",
                       name, NULL, err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

/* A valid argon2id string for a password nobody knows: verifying against
 * it makes a login for an unknown user cost as much as a real one. Made
 * once per process; pthread_once because the server logs in from several
 * threads. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ready;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void) {
  char pw[LS_AUTH_TOKEN_HEX + 1];
  random_hex(pw);
  dummy_ready = hash_password(pw, dummy_hash, NULL) == LS_OK;
  sodium_memzero(pw, sizeof pw);
}

static void burn_equal_time(const char *password) {
  pthread_once(&dummy_once, make_dummy);
  /* the result is meaningless: only the time it takes matters */
  if (dummy_ready && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
    return;
}

ls_status ls_auth_login(ls_store *st, const char *name, const char *password, int64_t now,
                        int64_t ttl_s, ls_auth_session *out, ls_error *err) {
  ls_stmt *s = NULL;
  char hash[crypto_pwhash_STRBYTES] = "";
  ls_status rc = LS_OK;
  memset(out, 0, sizeof *out);
  if (!password || strlen(password) > LS_AUTH_PASSWORD_MAX || !valid_name(name)) {
    burn_equal_time(password ? password : "");
    return LS_FAIL(err, LS_ERR_DENIED, "wrong user name or password");
  }
  rc = ls_auth_user_get(st, name, &out->user, err);
  if (rc == LS_ERR_NOTFOUND) {
    burn_equal_time(password);
    return LS_FAIL(err, LS_ERR_DENIED, "wrong user name or password");
  }
  if (rc)
    return rc;
  rc = ls_stmt_prepare(st, "SELECT password_hash FROM users WHERE id = ?", &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_int64(s, 1, out->user.id);
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW)
    copy_field(hash, sizeof hash, ls_stmt_text(s, 0));
  ls_stmt_finalize(s);
  s = NULL;
  if (rc != LS_ROW)
    return rc == LS_DONE ? LS_FAIL(err, LS_ERR_DENIED, "wrong user name or password") : rc;
  int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
  sodium_memzero(hash, sizeof hash);
  if (!ok || out->user.disabled) {
    memset(out, 0, sizeof *out);
    return LS_FAIL(err, LS_ERR_DENIED, "wrong user name or password");
  }
  char digest[LS_AUTH_TOKEN_HEX + 1];
  random_hex(out->token);
  random_hex(out->csrf);
  token_digest(out->token, digest);
  out->expires_at = now + ttl_s;
  rc = ls_store_begin(st, err);
  if (rc)
    goto out;
  rc = ls_stmt_prepare(st,
                       "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at)"
                       " VALUES (?, ?, ?, ?, ?)",
                       &s, err);
  if (rc)
    goto out;
  ls_stmt_bind_text(s, 1, digest, strlen(digest));
  ls_stmt_bind_int64(s, 2, out->user.id);
  ls_stmt_bind_text(s, 3, out->csrf, strlen(out->csrf));
  ls_stmt_bind_int64(s, 4, now);
  ls_stmt_bind_int64(s, 5, out->expires_at);
  rc = ls_stmt_step(s, err);
  if (!step_done(rc))
    goto out;
  rc = ls_store_commit(st, err);
out:
  ls_stmt_finalize(s);
  if (rc) {
    ls_store_rollback(st);
    sodium_memzero(out, sizeof *out);
  }
  return rc;
}

static int token_shape_ok(const char *token) {
  if (!token || strlen(token) != LS_AUTH_TOKEN_HEX)
    return 0;
  for (const char *p = token; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return 0;
  return 1;
}

#define SESSION_SQL                                                                          \
  "SELECT u.id, u.name, u.role, u.force_name, u.disabled, s.csrf, s.expires_at"             \
  " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?"

/* Runs the session lookup on a prepared statement and resets it: a
 * statement left mid-step would hold its read snapshot open (WAL: later
 * reads would not see new sessions, and checkpoints could not pass it). */
static ls_status session_find(ls_stmt *s, const char *token, int64_t now, ls_auth_session *out,
                              ls_error *err) {
  memset(out, 0, sizeof *out);
  if (!token_shape_ok(token))
    return LS_FAIL(err, LS_ERR_DENIED, "no valid session");
  char digest[LS_AUTH_TOKEN_HEX + 1];
  token_digest(token, digest);
  ls_stmt_reset(s);
  ls_status rc = ls_stmt_bind_text(s, 1, digest, strlen(digest));
  if (rc)
    return LS_FAIL(err, rc, "cannot bind the session token");
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    out->user.id = ls_stmt_int64(s, 0);
    copy_field(out->user.name, sizeof out->user.name, ls_stmt_text(s, 1));
    out->user.role = LS_ROLE_COUNT;
    ls_auth_role_parse(ls_stmt_text(s, 2), &out->user.role, NULL);
    copy_field(out->user.force, sizeof out->user.force, ls_stmt_text(s, 3));
    out->user.disabled = ls_stmt_int64(s, 4) != 0;
    copy_field(out->csrf, sizeof out->csrf, ls_stmt_text(s, 5));
    out->expires_at = ls_stmt_int64(s, 6);
    if (out->user.disabled || out->expires_at <= now || out->user.role == LS_ROLE_COUNT) {
      memset(out, 0, sizeof *out);
      rc = LS_FAIL(err, LS_ERR_DENIED, "session expired");
    } else {
      rc = LS_OK;
    }
  } else if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_DENIED, "no valid session");
  }
  ls_stmt_reset(s);
  return rc;
}

ls_status ls_auth_session_get(ls_store *st, const char *token, int64_t now, ls_auth_session *out,
                              ls_error *err) {
  memset(out, 0, sizeof *out);
  if (!token_shape_ok(token))
    return LS_FAIL(err, LS_ERR_DENIED, "no valid session");
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, SESSION_SQL, &s, err);
  if (rc)
    return rc;
  rc = session_find(s, token, now, out, err);
  ls_stmt_finalize(s);
  return rc;
}

struct ls_auth_sessions {
  ls_stmt *find;
};

ls_status ls_auth_sessions_open(ls_store *st, ls_auth_sessions **out, ls_error *err) {
  *out = NULL;
  ls_auth_sessions *r = ls_calloc(1, sizeof *r);
  if (!r)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  ls_status rc = ls_stmt_prepare(st, SESSION_SQL, &r->find, err);
  if (rc) {
    ls_free(r);
    return rc;
  }
  *out = r;
  return LS_OK;
}

ls_status ls_auth_sessions_find(ls_auth_sessions *r, const char *token, int64_t now,
                                ls_auth_session *out, ls_error *err) {
  return session_find(r->find, token, now, out, err);
}

void ls_auth_sessions_close(ls_auth_sessions *r) {
  if (!r)
    return;
  ls_stmt_finalize(r->find);
  ls_free(r);
}

ls_status ls_auth_logout(ls_store *st, const char *token, ls_error *err) {
  if (!token_shape_ok(token))
    return LS_OK;
  char digest[LS_AUTH_TOKEN_HEX + 1];
  token_digest(token, digest);
  ls_status rc = ls_store_begin(st, err);
  if (rc)
    return rc;
  rc = exec_for_user(st, "DELETE FROM sessions WHERE token_hash = ?", digest, NULL, err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_auth_sessions_purge(ls_store *st, int64_t now, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_store_begin(st, err);
  if (rc)
    return rc;
  rc = ls_stmt_prepare(st, "DELETE FROM sessions WHERE expires_at <= ?", &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, now);
    rc = ls_stmt_step(s, err);
    if (rc == LS_DONE)
      rc = ls_store_commit(st, err);
  }
  ls_stmt_finalize(s);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

/* ---- areas ------------------------------------------------------------ */

static ls_status lower_area(const char *area, char out[LS_AUTH_NAME_MAX + 1], ls_error *err) {
  if (!valid_force(area))
    return LS_FAIL(err, LS_ERR_USAGE, "an area name is 1 to %d printable characters",
                   LS_AUTH_NAME_MAX);
  size_t n = strlen(area);
  for (size_t i = 0; i < n; i++)
    out[i] = (char)((area[i] >= 'A' && area[i] <= 'Z') ? area[i] - 'A' + 'a' : area[i]);
  out[n] = '\0';
  return LS_OK;
}

ls_status ls_auth_area_set(ls_store *st, const char *area, const char *force, ls_error *err) {
  char key[LS_AUTH_NAME_MAX + 1];
  ls_status rc = lower_area(area, key, err);
  if (rc)
    return rc;
  if (!valid_force(force))
    return LS_FAIL(err, LS_ERR_USAGE, "a force name is 1 to %d printable characters",
                   LS_AUTH_NAME_MAX);
  rc = ls_store_begin(st, err);
  if (rc)
    return rc;
  rc = exec_for_user(st, "DELETE FROM force_areas WHERE area = ?", key, NULL, err);
  if (rc == LS_OK)
    rc = exec_for_user(st, "INSERT INTO force_areas(area, force_name) VALUES (?, ?)", key, force,
                       err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_auth_area_force(ls_store *st, const char *area, char *force, ls_error *err) {
  char key[LS_AUTH_NAME_MAX + 1];
  force[0] = '\0';
  if (lower_area(area, key, NULL))
    return LS_FAIL(err, LS_ERR_NOTFOUND, "no such area");
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT force_name FROM force_areas WHERE area = ?", &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_text(s, 1, key, strlen(key));
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    copy_field(force, LS_AUTH_NAME_MAX + 1, ls_stmt_text(s, 0));
    rc = LS_OK;
  } else if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no force polices area '%s'", area);
  }
  ls_stmt_finalize(s);
  return rc;
}

ls_status ls_auth_area_list(ls_store *st, int (*visit)(const char *area, const char *force, void *ctx),
                            void *ctx, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc =
      ls_stmt_prepare(st, "SELECT area, force_name FROM force_areas ORDER BY area", &s, err);
  if (rc)
    return rc;
  while ((rc = ls_stmt_step(s, err)) == LS_ROW)
    if (visit(ls_stmt_text(s, 0), ls_stmt_text(s, 1), ctx))
      break;
  ls_stmt_finalize(s);
  return rc == LS_ROW || rc == LS_DONE ? LS_OK : rc;
}
