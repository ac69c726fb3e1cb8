/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The route table: every API path, the permission it needs, its handler.
 * Access is decided here and nowhere else:
 *   no session          -> 401 on every /api/ path but the PUBLIC ones
 *   role without right  -> 403
 *   state change without the session's CSRF token (or from another
 *   origin)             -> 403
 * Records of another force answer 404; the handlers ask
 * ls_auth_force_may_see for that, since only they know a record's owner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linesight/ls_time.h"
#include "server_internal.h"
#include "server_public.h"

typedef struct route {
  const char *method;
  const char *pattern; /* `*` matches one path segment */
  ls__perm perm;
  ls__handler run;
} route;

static void index_page(ls__request *rq, ls__response *rs) { ls__server_console(rq, rs, "index.html"); }

/* docs/server.md repeats this table; tests/cli/serve_api.sh checks every row. */
static const route routes[] = {
    {"POST", "/api/login", LS__PERM_PUBLIC, ls__api_login},
    {"POST", "/api/logout", LS__PERM_SESSION, ls__api_logout},
    {"GET", "/api/session", LS__PERM_SESSION, ls__api_session},
    {"GET", "/api/lines", LS__PERM_LINES, ls__api_lines},
    {"GET", "/api/lines/*", LS__PERM_LINES, ls__api_line},
    {"GET", "/api/lines/*/network", LS__PERM_LINES, ls__api_line_network},
    {"GET", "/api/lines/*/map", LS__PERM_LINES, ls__api_line_map},
    {"GET", "/api/safeguarding", LS__PERM_SAFEGUARDING, ls__api_safeguarding},
    {"GET", "/api/operations", LS__PERM_OPS_READ, ls__api_operations},
    {"GET", "/api/operations/*/report", LS__PERM_OPS_READ, ls__api_operation_report},
    {"POST", "/api/operations/*/results", LS__PERM_OPS_WRITE, ls__api_operation_results_add},
    {"POST", "/api/analyse", LS__PERM_ANALYSE, ls__api_analyse},
    {"GET", "/api/users", LS__PERM_ADMIN, ls__api_users_list},
    {"POST", "/api/users", LS__PERM_ADMIN, ls__api_users_add},
    {"GET", "/api/audit", LS__PERM_ADMIN, ls__api_audit_list},
    {"GET", "/api/audit/verify", LS__PERM_ADMIN, ls__api_audit_verify},
    {"POST", "/api/public/reports", LS__PERM_PUBLIC, ls__api_public_report_add},
    {"GET", "/api/reports", LS__PERM_REPORTS_READ, ls__api_public_reports_list},
    {"GET", "/api/intel", LS__PERM_REPORTS_READ, ls__api_intel_list},
    {"GET", "/api/intel/*", LS__PERM_REPORTS_READ, ls__api_intel_get},
    {"POST", "/api/intel/*/grade", LS__PERM_INTEL_GRADE, ls__api_intel_grade},
    {"POST", "/api/intel/*/links", LS__PERM_INTEL_GRADE, ls__api_intel_link},
    {"POST", "/api/intel/*/unlink", LS__PERM_INTEL_GRADE, ls__api_intel_unlink},
    {"GET", "/api/messages/plan", LS__PERM_MESSAGES, ls__api_messages_plan},
    {"GET", "/api/messages/campaigns", LS__PERM_MESSAGES, ls__api_messages_list},
    {"POST", "/api/messages/campaigns", LS__PERM_MESSAGES, ls__api_messages_create},
    {"GET", "/api/messages/campaigns/*", LS__PERM_MESSAGES, ls__api_messages_get},
    {"POST", "/api/messages/campaigns/*/approve", LS__PERM_MESSAGES_APPROVE, ls__api_messages_approve},
    {"POST", "/api/messages/campaigns/*/cancel", LS__PERM_MESSAGES, ls__api_messages_cancel},
    {"GET", "/api/messages/dnc", LS__PERM_MESSAGES, ls__api_messages_dnc_list},
    {"POST", "/api/messages/dnc", LS__PERM_MESSAGES, ls__api_messages_dnc_add},
    {"GET", "/report", LS__PERM_PUBLIC, ls__public_report_page},
    {"POST", "/report", LS__PERM_PUBLIC, ls__public_report_form},
    {"GET", "/", LS__PERM_PUBLIC, index_page},
};

static const char *const perm_names[LS__PERM_COUNT] = {
    "public", "session", "lines", "safeguarding", "operations_read", "operations_write",
    "analyse", "reports_read", "admin", "intel_grade", "messages", "messages_approve"};

const char *ls__server_perm_name(ls__perm p) {
  return (int)p >= 0 && p < LS__PERM_COUNT ? perm_names[p] : "";
}

#define P(x) (1u << (x))
/* What each role may do (issue 7): admin everything; analyst the
 * intelligence and reading operations; officer operations entry;
 * safeguarding (a partner agency) the safeguarding list only; press the
 * published totals only. */
static const unsigned role_perms[LS_ROLE_COUNT] = {
    [LS_ROLE_ADMIN] = ~0u,
    [LS_ROLE_ANALYST] = P(LS__PERM_SESSION) | P(LS__PERM_LINES) | P(LS__PERM_SAFEGUARDING) |
                        P(LS__PERM_OPS_READ) | P(LS__PERM_ANALYSE) | P(LS__PERM_REPORTS_READ) |
                        P(LS__PERM_INTEL_GRADE) | P(LS__PERM_MESSAGES),
    [LS_ROLE_OFFICER] = P(LS__PERM_SESSION) | P(LS__PERM_OPS_READ) | P(LS__PERM_OPS_WRITE),
    [LS_ROLE_SAFEGUARDING] = P(LS__PERM_SESSION) | P(LS__PERM_SAFEGUARDING),
    [LS_ROLE_PRESS] = P(LS__PERM_SESSION) | P(LS__PERM_OPS_READ),
    /* an analyst who also approves diversion texts (never their own) */
    [LS_ROLE_SUPERVISOR] = P(LS__PERM_SESSION) | P(LS__PERM_LINES) | P(LS__PERM_SAFEGUARDING) |
                           P(LS__PERM_OPS_READ) | P(LS__PERM_ANALYSE) | P(LS__PERM_REPORTS_READ) |
                           P(LS__PERM_INTEL_GRADE) | P(LS__PERM_MESSAGES) | P(LS__PERM_MESSAGES_APPROVE),
};

int ls__server_role_may(ls_role role, ls__perm p) {
  if ((int)role < 0 || role >= LS_ROLE_COUNT || (int)p < 0 || p >= LS__PERM_COUNT)
    return 0;
  return p == LS__PERM_PUBLIC || (role_perms[role] & P(p)) != 0;
}

json_t *ls__server_role_permissions(ls_role role) {
  json_t *a = json_array();
  for (int p = LS__PERM_SESSION; a && p < LS__PERM_COUNT; p++)
    if (ls__server_role_may(role, (ls__perm)p))
      json_array_append_new(a, json_string(perm_names[p]));
  return a;
}

/* Matches path against pattern segment by segment; fills the `*` segments
 * into params (as pointers into path with lengths). */
static int match(const char *pattern, const char *path, const char *seg[LS__MAX_PARAMS],
                 size_t seglen[LS__MAX_PARAMS], size_t *nseg) {
  *nseg = 0;
  for (;;) {
    if (*pattern != '/' || *path != '/')
      return *pattern == '\0' && *path == '\0';
    pattern++;
    path++;
    size_t pl = strcspn(pattern, "/"), ql = strcspn(path, "/");
    if (pl == 1 && pattern[0] == '*') {
      if (ql == 0 || *nseg >= LS__MAX_PARAMS)
        return 0;
      seg[*nseg] = path;
      seglen[(*nseg)++] = ql;
    } else if (pl != ql || strncmp(pattern, path, pl)) {
      return 0;
    }
    pattern += pl;
    path += ql;
  }
}

static int param_ok(const char *s, size_t n) {
  if (n > LS__PARAM_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      return 0;
  return ls__utf8_valid(s, n);
}

/* The load benchmark's two paths and the session check: answers made from
 * the view in memory after one indexed read (issue 7's load target). */
static const char *const io_routes[] = {"/api/session", "/api/lines", "/api/lines/*"};

int ls__server_route_inline(const char *method, const char *path) {
  if (strcmp(method, "GET") && strcmp(method, "HEAD"))
    return 0;
  for (size_t i = 0; i < sizeof io_routes / sizeof io_routes[0]; i++) {
    const char *seg[LS__MAX_PARAMS];
    size_t seglen[LS__MAX_PARAMS], n = 0;
    if (match(io_routes[i], path, seg, seglen, &n))
      return 1;
  }
  return 0;
}

/* A state change must come from our own pages: when the browser says
 * where the request came from (Origin), it must be this host. */
static int same_origin(ls__request *rq) {
  const char *origin = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Origin");
  if (!origin)
    return 1;
  const char *host = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Host");
  if (!host)
    return 0;
  const char *p = strstr(origin, "://");
  return p && !strcasecmp(p + 3, host);
}

void ls__server_dispatch(ls__request *rq, ls__response *rs) {
  int head = !strcmp(rq->method, "HEAD");
  const char *method = head ? "GET" : rq->method;
  int is_api = !strncmp(rq->path, "/api/", 5) || !strcmp(rq->path, "/api");

  /* the session, when the browser sent a cookie */
  ls_auth_session session;
  const char *token = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "ls_session");
  if (token) {
    ls_error err;
    ls_error_clear(&err);
    ls_status rc = rq->sessions
                       ? ls_auth_sessions_find(rq->sessions, token, ls_time_now(), &session, &err)
                       : ls_auth_session_get(rq->st, token, ls_time_now(), &session, &err);
    if (rc == LS_OK)
      rq->session = &session;
    else if (rc != LS_ERR_DENIED) {
      ls__server_fail(rs, &err);
      return;
    }
  }

  const route *hit = NULL;
  int path_known = 0;
  const char *seg[LS__MAX_PARAMS];
  size_t seglen[LS__MAX_PARAMS], nseg = 0;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    const char *s[LS__MAX_PARAMS];
    size_t sl[LS__MAX_PARAMS], n = 0;
    if (!match(routes[i].pattern, rq->path, s, sl, &n))
      continue;
    path_known = 1;
    if (!hit && !strcmp(routes[i].method, method)) {
      hit = &routes[i];
      memcpy(seg, s, sizeof seg);
      memcpy(seglen, sl, sizeof seglen);
      nseg = n;
    }
  }
  if (!is_api && !hit) {
    if (strcmp(method, "GET"))
      ls__server_error(rs, 405, "method not allowed");
    else
      ls__server_static(rq, rs, rq->path + 1);
    return;
  }
  if (!hit || hit->perm != LS__PERM_PUBLIC) {
    if (!rq->session) {
      ls__server_error(rs, 401, "sign in first");
      return;
    }
  }
  if (!hit) {
    if (path_known)
      ls__server_error(rs, 405, "method not allowed");
    else
      ls__server_error(rs, 404, "no such API path");
    return;
  }
  if (hit->perm != LS__PERM_PUBLIC && !ls__server_role_may(rq->session->user.role, hit->perm)) {
    ls__server_error(rs, 403, "your role (%s) may not do this",
                     ls_auth_role_name(rq->session->user.role));
    return;
  }
  if (strcmp(method, "GET") && hit->perm != LS__PERM_PUBLIC) {
    const char *csrf = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    if (!csrf || !ls_auth_secret_equal(csrf, rq->session->csrf) || !same_origin(rq)) {
      ls__server_error(rs, 403, "missing or wrong X-CSRF-Token");
      return;
    }
  }
  for (size_t i = 0; i < nseg; i++) {
    if (!param_ok(seg[i], seglen[i])) {
      ls__server_error(rs, 400, "invalid path parameter");
      return;
    }
    rq->params[i] = strndup(seg[i], seglen[i]);
    if (!rq->params[i]) {
      ls__server_error(rs, 500, "out of memory");
      return;
    }
    rq->nparams = i + 1;
  }
  hit->run(rq, rs);
  rq->session = NULL; /* it lives on this stack frame */
}
