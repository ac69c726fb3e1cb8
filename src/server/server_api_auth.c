/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Signing in and out, the current session, user administration and the
 * audit trail over HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linesight/ls_audit.h"
#include "linesight/ls_time.h"
#include "server_internal.h"

static const char *str_field(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

void ls__api_login(ls__request *rq, ls__response *rs) {
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  const char *user = str_field(b, "user"), *password = str_field(b, "password");
  if (!user || !password) {
    json_decref(b);
    ls__server_error(rs, 400, "give \"user\" and \"password\" as strings");
    return;
  }
  char name[LS_AUTH_NAME_MAX + 1];
  snprintf(name, sizeof name, "%s", user);
  int64_t now = ls_time_now();
  int64_t wait = ls__rl_wait(&rq->srv->rl, LS__RL_USER, name, now);
  int64_t wait_addr = ls__rl_wait(&rq->srv->rl, LS__RL_ADDRESS, rq->client, now);
  if (wait_addr > wait)
    wait = wait_addr;
  if (wait > 0) {
    json_decref(b);
    ls__server_audit(rq, "login_refused", name, "too many failed sign-ins");
    rs->retry_after = wait;
    ls__server_error(rs, 429, "too many failed sign-ins; try again in %lld seconds",
                     (long long)wait);
    return;
  }
  ls_auth_session s;
  ls_error err;
  ls_error_clear(&err);
  ls__server_hash_begin(rq->srv);
  ls_status rc = ls_auth_login(rq->st, name, password, now, rq->srv->session_ttl_s, &s, &err);
  ls__server_hash_done(rq->srv);
  json_decref(b);
  if (rc == LS_ERR_DENIED) {
    ls__rl_hit(&rq->srv->rl, LS__RL_USER, name, now);
    ls__rl_hit(&rq->srv->rl, LS__RL_ADDRESS, rq->client, now);
    ls__server_audit(rq, "login_failed", name, "");
    ls__server_error(rs, 401, "wrong user name or password");
    return;
  }
  if (rc) {
    ls__server_fail(rs, &err);
    return;
  }
  ls__rl_clear(&rq->srv->rl, LS__RL_USER, name);
  rq->session = &s;
  rc = ls__server_audit(rq, "login", s.user.name, "");
  rq->session = NULL;
  if (rc) {
    ls_auth_logout(rq->st, s.token, NULL);
    ls__server_error(rs, 500, "internal error");
    return;
  }
  /* HttpOnly: scripts cannot read the token; SameSite=Strict: no other
   * site's page can make the browser send it. */
  snprintf(rs->set_cookie, sizeof rs->set_cookie,
           "ls_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld", s.token,
           (long long)rq->srv->session_ttl_s);
  char expires[LS_ISO_MAX];
  ls_time_format_utc(s.expires_at, expires);
  ls__server_json(rs, 200,
                  json_pack("{s:s, s:s, s:s, s:s, s:s}", "csrf", s.csrf, "user", s.user.name, "role",
                            ls_auth_role_name(s.user.role), "force", s.user.force, "expires",
                            expires));
}

void ls__api_logout(ls__request *rq, ls__response *rs) {
  const char *token = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "ls_session");
  ls_error err;
  ls_error_clear(&err);
  if (ls_auth_logout(rq->st, token, &err)) {
    ls__server_fail(rs, &err);
    return;
  }
  ls__server_audit(rq, "logout", rq->session->user.name, "");
  snprintf(rs->set_cookie, sizeof rs->set_cookie,
           "ls_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  ls__server_json(rs, 200, json_pack("{s:b}", "ok", 1));
}

void ls__api_session(ls__request *rq, ls__response *rs) {
  const ls_auth_session *s = rq->session;
  char expires[LS_ISO_MAX];
  ls_time_format_utc(s->expires_at, expires);
  ls__server_json(rs, 200,
                  json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:o}", "user", s->user.name, "role",
                            ls_auth_role_name(s->user.role), "force", s->user.force, "national",
                            ls_auth_is_national(&s->user), "csrf", s->csrf, "expires", expires,
                            "permissions", ls__server_role_permissions(s->user.role)));
}

/* ---- users ------------------------------------------------------------- */

typedef struct users_ctx {
  const ls_auth_user *me;
  json_t *list;
} users_ctx;

static int add_user(const ls_auth_user *u, void *ctx) {
  users_ctx *c = ctx;
  if (!ls_auth_force_may_see(c->me, u->force))
    return 0;
  json_array_append_new(c->list, json_pack("{s:s, s:s, s:s, s:b}", "name", u->name, "role",
                                           ls_auth_role_name(u->role) ? ls_auth_role_name(u->role) : "",
                                           "force", u->force, "disabled", u->disabled));
  return 0;
}

void ls__api_users_list(ls__request *rq, ls__response *rs) {
  users_ctx c = {&rq->session->user, json_array()};
  ls_error err;
  ls_error_clear(&err);
  if (!c.list) {
    ls__server_error(rs, 500, "out of memory");
    return;
  }
  if (ls_auth_user_list(rq->st, add_user, &c, &err)) {
    json_decref(c.list);
    ls__server_fail(rs, &err);
    return;
  }
  ls__server_json(rs, 200, json_pack("{s:o}", "users", c.list));
}

void ls__api_users_add(ls__request *rq, ls__response *rs) {
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  const char *name = str_field(b, "name"), *role_s = str_field(b, "role"),
             *force = str_field(b, "force"), *password = str_field(b, "password");
  ls_error err;
  ls_error_clear(&err);
  ls_role role;
  if (!name || !role_s || !password) {
    ls__server_error(rs, 400, "give \"name\", \"role\", \"password\" (and \"force\") as strings");
    goto out;
  }
  if (!force)
    force = rq->session->user.force;
  if (ls_auth_role_parse(role_s, &role, &err)) {
    ls__server_fail(rs, &err);
    goto out;
  }
  /* an administrator of one force adds users of that force only */
  if (!ls_auth_is_national(&rq->session->user) && strcasecmp(force, rq->session->user.force)) {
    ls__server_error(rs, 403, "you may add users of your own force only");
    goto out;
  }
  ls__server_hash_begin(rq->srv);
  ls_status rc = ls_auth_user_add(rq->st, name, role, force, password, &err);
  ls__server_hash_done(rq->srv);
  if (rc) {
    ls__server_fail(rs, &err);
    goto out;
  }
  char detail[160];
  snprintf(detail, sizeof detail, "user added: role %s, force %s", role_s, force);
  ls__server_audit(rq, "change", name, detail);
  ls__server_json(rs, 201, json_pack("{s:s, s:s, s:s}", "name", name, "role", role_s, "force", force));
out:
  json_decref(b);
}

/* ---- audit trail -------------------------------------------------------- */

typedef struct audit_ctx {
  const ls_auth_user *me;
  json_t *list;
} audit_ctx;

static int add_entry(const ls_audit_entry *e, void *ctx) {
  audit_ctx *c = ctx;
  if (!ls_auth_is_national(c->me) && strcasecmp(e->force, c->me->force))
    return 0;
  json_array_append_new(c->list,
                        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)e->seq,
                                  "at", e->at, "actor", e->actor, "force", e->force, "action",
                                  e->action, "target", e->target, "records", e->records, "detail",
                                  e->detail));
  return 0;
}

void ls__api_audit_list(ls__request *rq, ls__response *rs) {
  ls_audit_filter f = {0};
  f.actor = ls__server_query(rq, "actor");
  f.action = ls__server_query(rq, "action");
  f.record = ls__server_query(rq, "record");
  f.since = ls__server_query(rq, "since");
  f.until = ls__server_query(rq, "until");
  const char *limit = ls__server_query(rq, "limit");
  f.limit = 200;
  if (limit) {
    char *end = NULL;
    long v = strtol(limit, &end, 10);
    if (end == limit || *end || v < 1 || v > 5000) {
      ls__server_error(rs, 400, "limit must be 1 to 5000");
      return;
    }
    f.limit = v;
  }
  audit_ctx c = {&rq->session->user, json_array()};
  ls_error err;
  ls_error_clear(&err);
  if (!c.list || ls_audit_query(rq->st, &f, add_entry, &c, &err)) {
    json_decref(c.list);
    ls__server_fail(rs, &err);
    return;
  }
  /* the trail names who read which person's data: reading it is a read
   * of person data too */
  ls__server_audit(rq, "read", "audit trail", "");
  ls__server_json(rs, 200, json_pack("{s:o}", "entries", c.list));
}

void ls__api_audit_verify(ls__request *rq, ls__response *rs) {
  ls_audit_report r;
  ls_error err;
  ls_error_clear(&err);
  if (ls_audit_verify(rq->st, &r, &err)) {
    ls__server_fail(rs, &err);
    return;
  }
  ls__server_json(rs, 200,
                  json_pack("{s:b, s:I, s:I, s:s, s:s}", "intact", r.intact, "entries",
                            (json_int_t)r.entries, "bad_seq", (json_int_t)r.bad_seq, "reason",
                            r.reason, "head", r.head));
}
