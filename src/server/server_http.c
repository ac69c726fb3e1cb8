/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP side of the server: libmicrohttpd set-up, request bodies with a
 * hard size limit, security headers on every response, the store pool.
 *
 * Threads (docs/server.md): a few I/O threads (libmicrohttpd's epoll
 * thread pool, one per core) read requests and run the fast routes
 * themselves (ls__server_route_inline); a request that must wait for its
 * audit entry is suspended and resumed by the audit writer instead of
 * blocking a thread. Every other route - logins (argon2id), analyses,
 * writes, files - goes to a worker thread while its connection is
 * suspended, so that no slow handler holds up the connections an I/O
 * thread carries. Thread-per-connection put 200 threads on 2 cores for the
 * load target, and a third of the time went to switching between them. */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linesight/ls_audit.h"
#include "linesight/ls_time.h"
#include "server_internal.h"

/* One request body, at most this many bytes (1 MiB: a batch of a few
 * thousand result records; anything larger is a file for `results import`). */
#define BODY_LIMIT (1024u * 1024u)
/* Per-connection memory for the request line and headers (libmicrohttpd
 * answers 431 beyond it): 16 KiB of headers, as ls_limits.h, plus buffers. */
#define CONNECTION_MEMORY (32u * 1024u)
/* Concurrent connections; the load target is 200 (issue 7). */
#define CONNECTION_LIMIT 512u

/* The console loads only its own files: no inline script or style, no
 * other host, no framing, no plugins. */
static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

/* Where a connection's current request is. */
typedef enum conn_phase {
  PHASE_READING = 0, /* headers and body arriving */
  PHASE_WORKING,     /* suspended, queued for or run by a worker */
  PHASE_READY        /* answer made; sent when its audit entries are durable */
} conn_phase;

struct ls__conn {
  char *body;
  size_t len, cap;
  int too_large;
  conn_phase phase;
  int is_api, head;
  ls__request rq;
  ls__response rs;
  ls_status audit_rc; /* the worker's wait for the audit entries */
  ls__conn *next;     /* in the work queue */
};
typedef ls__conn conn_state;

/* ---- the store pool ---------------------------------------------------- */

/* Borrows a connection (and its session lookup) for rq. wait = 0: returns
 * 0 instead of waiting when none is free. */
static int pool_take(ls_server *srv, ls__request *rq, int wait) {
  pthread_mutex_lock(&srv->pool_mu);
  for (;;) {
    for (int i = 0; i < LS__SERVER_POOL; i++)
      if (!srv->pool_busy[i]) {
        srv->pool_busy[i] = 1;
        pthread_mutex_unlock(&srv->pool_mu);
        rq->st = srv->pool[i];
        rq->sessions = srv->sessions[i];
        return 1;
      }
    if (!wait) {
      pthread_mutex_unlock(&srv->pool_mu);
      return 0;
    }
    pthread_cond_wait(&srv->pool_cv, &srv->pool_mu);
  }
}

static void pool_give(ls_server *srv, ls__request *rq) {
  pthread_mutex_lock(&srv->pool_mu);
  for (int i = 0; i < LS__SERVER_POOL; i++)
    if (srv->pool[i] == rq->st)
      srv->pool_busy[i] = 0;
  pthread_cond_signal(&srv->pool_cv);
  pthread_mutex_unlock(&srv->pool_mu);
  rq->st = NULL;
  rq->sessions = NULL;
}

void ls__server_hash_begin(ls_server *srv) {
  pthread_mutex_lock(&srv->hash_mu);
  while (srv->hashers >= LS__SERVER_HASHERS)
    pthread_cond_wait(&srv->hash_cv, &srv->hash_mu);
  srv->hashers++;
  pthread_mutex_unlock(&srv->hash_mu);
}

void ls__server_hash_done(ls_server *srv) {
  pthread_mutex_lock(&srv->hash_mu);
  srv->hashers--;
  pthread_cond_signal(&srv->hash_cv);
  pthread_mutex_unlock(&srv->hash_mu);
}

/* ---- responses ---------------------------------------------------------- */

void ls__server_json(ls__response *rs, unsigned status, json_t *json) {
  json_decref(rs->json);
  free(rs->body);
  rs->body = NULL;
  if (!json) {
    rs->status = 500;
    rs->json = json_pack("{s:s}", "error", "out of memory");
    return;
  }
  rs->status = status;
  rs->json = json;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF), as jansson checks them. O(1). */
static size_t utf8_sequence(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  unsigned char lo = 0x80, hi = 0xBF;
  size_t n;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  return n;
}

int ls__utf8_valid(const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t k = utf8_sequence((const unsigned char *)s + i);
    if (k == 0 || k > n - i)
      return 0;
    i += k;
  }
  return 1;
}

/* Replaces every byte that does not start a valid UTF-8 sequence with '?',
 * in place: an error message may echo request bytes (or be cut inside a
 * character by vsnprintf), and json_pack refuses invalid UTF-8, which would
 * turn a 400 into a 500. O(length). */
static void utf8_sanitise(char *msg) {
  unsigned char *s = (unsigned char *)msg;
  while (*s) {
    size_t n = utf8_sequence(s);
    if (n == 0) {
      *s++ = '?';
      continue;
    }
    s += n;
  }
}

void ls__server_error(ls__response *rs, unsigned status, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  utf8_sanitise(msg);
  ls__server_json(rs, status, json_pack("{s:s}", "error", msg));
}

void ls__server_fail(ls__response *rs, const ls_error *err) {
  switch (err->code) {
  case LS_ERR_INPUT:
  case LS_ERR_USAGE:
    ls__server_error(rs, 400, "%s", err->message);
    break;
  case LS_ERR_NOTFOUND:
    ls__server_error(rs, 404, "not found");
    break;
  case LS_ERR_DUPLICATE:
  case LS_ERR_CONFLICT:
    ls__server_error(rs, 409, "%s", err->message);
    break;
  case LS_ERR_DENIED:
    ls__server_error(rs, 403, "forbidden");
    break;
  case LS_ERR_LIMIT:
    ls__server_error(rs, 413, "%s", err->message);
    break;
  default:
    /* store paths and SQL errors stay on the server */
    ls__server_error(rs, 500, "internal error");
    break;
  }
}

json_t *ls__server_body_object(ls__request *rq, ls__response *rs) {
  const char *ct = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-Type");
  /* application/json cannot be sent cross-site by a plain HTML form, so
   * requiring it closes the form-post route around CSRF checks (login). */
  if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
      (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
    ls__server_error(rs, 415, "the body must be application/json");
    return NULL;
  }
  json_error_t jerr;
  json_t *j = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
  if (!j) {
    ls__server_error(rs, 400, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                     jerr.text);
    return NULL;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    ls__server_error(rs, 400, "the body must be a JSON object");
    return NULL;
  }
  return j;
}

const char *ls__server_query(ls__request *rq, const char *name) {
  return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

ls_status ls__server_audit(ls__request *rq, const char *action, const char *records,
                           const char *detail) {
  const char *actor = rq->session ? rq->session->user.name : "public";
  const char *force = rq->session ? rq->session->user.force : "";
  char target[600];
  snprintf(target, sizeof target, "%s %s", rq->method, rq->path);
  return ls__audit_enqueue(rq, actor, force, action, target, records, detail);
}

char *ls__server_join(const json_t *strings) {
  size_t len = 1, i;
  json_t *v;
  json_array_foreach(strings, i, v) len += json_string_length(v) + 1;
  char *out = malloc(len);
  if (!out)
    return NULL;
  size_t at = 0;
  json_array_foreach(strings, i, v) {
    if (!json_is_string(v))
      continue;
    if (at)
      out[at++] = ',';
    memcpy(out + at, json_string_value(v), json_string_length(v));
    at += json_string_length(v);
  }
  out[at] = '\0';
  return out;
}

static void add_security_headers(struct MHD_Response *r, int is_api) {
  MHD_add_response_header(r, "Content-Security-Policy", csp);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
  MHD_add_response_header(r, "Permissions-Policy",
                          "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  /* API answers carry personal data: never cached. The console's files
   * may be kept but are revalidated, so an update shows at once. */
  MHD_add_response_header(r, "Cache-Control", is_api ? "no-store" : "no-cache");
}

static enum MHD_Result send_response(struct MHD_Connection *conn, ls__response *rs, int is_api,
                                     int head_only) {
  char *text = NULL;
  size_t len = 0;
  const char *type = "application/json";
  if (rs->json) {
    text = json_dumps(rs->json, JSON_COMPACT);
    if (!text) {
      rs->status = 500;
      text = strdup("{\"error\":\"out of memory\"}");
    }
    len = text ? strlen(text) : 0;
  } else if (rs->body) {
    text = rs->body;
    len = rs->body_len;
    rs->body = NULL;
    type = rs->content_type ? rs->content_type : "application/octet-stream";
  }
  struct MHD_Response *r;
  if (head_only || !text) {
    free(text);
    r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  } else {
    r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r)
      free(text);
  }
  if (!r)
    return MHD_NO;
  if (text || rs->json)
    MHD_add_response_header(r, "Content-Type", type);
  add_security_headers(r, is_api);
  if (rs->set_cookie[0])
    MHD_add_response_header(r, "Set-Cookie", rs->set_cookie);
  if (rs->retry_after > 0) {
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)rs->retry_after);
    MHD_add_response_header(r, "Retry-After", s);
  }
  enum MHD_Result ret = MHD_queue_response(conn, rs->status ? rs->status : 500, r);
  MHD_destroy_response(r);
  return ret;
}

static void response_clear(ls__response *rs) {
  json_decref(rs->json);
  free(rs->body);
  memset(rs, 0, sizeof *rs);
}

/* ---- the request handler ------------------------------------------------ */

static void client_address(struct MHD_Connection *conn, char out[64]) {
  out[0] = '\0';
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !ci->client_addr)
    return;
  const struct sockaddr *sa = ci->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

static void request_init(conn_state *cs, ls_server *srv, struct MHD_Connection *conn,
                         const char *url, const char *method) {
  memset(&cs->rq, 0, sizeof cs->rq);
  response_clear(&cs->rs);
  cs->rq.srv = srv;
  cs->rq.conn = conn;
  cs->rq.method = method;
  cs->rq.path = url;
  cs->rq.body = cs->body;
  cs->rq.body_len = cs->len;
  client_address(conn, cs->rq.client);
}

static void request_params_free(ls__request *rq) {
  for (size_t i = 0; i < rq->nparams; i++) {
    free(rq->params[i]);
    rq->params[i] = NULL;
  }
  rq->nparams = 0;
}

/* Sends the answer once its audit entries are durable (they are, by now:
 * the writer resumed the connection, or the worker waited), and a 500
 * instead of it when one failed: no answer without its audit entry. */
static enum MHD_Result finish(struct MHD_Connection *conn, conn_state *cs) {
  ls_status rc = ls__audit_wait(&cs->rq);
  if (rc || cs->audit_rc) {
    cs->rs.set_cookie[0] = '\0';
    cs->rs.retry_after = 0;
    ls__server_error(&cs->rs, 500, "internal error");
  }
  cs->phase = PHASE_READING; /* the connection's next request starts over */
  cs->audit_rc = LS_OK;
  enum MHD_Result ret = send_response(conn, &cs->rs, cs->is_api, cs->head);
  response_clear(&cs->rs);
  return ret;
}

/* Hands the request to a worker; the connection stays suspended until the
 * worker has answered. */
static enum MHD_Result to_worker(ls_server *srv, struct MHD_Connection *conn, conn_state *cs) {
  pthread_mutex_lock(&srv->work_mu);
  if (srv->work_stopping) {
    pthread_mutex_unlock(&srv->work_mu);
    ls__server_error(&cs->rs, 503, "the server is stopping");
    cs->phase = PHASE_READY;
    return finish(conn, cs);
  }
  MHD_suspend_connection(conn);
  cs->phase = PHASE_WORKING;
  cs->next = NULL;
  if (srv->work_tail)
    srv->work_tail->next = cs;
  else
    srv->work_head = cs;
  srv->work_tail = cs;
  pthread_cond_signal(&srv->work_cv);
  pthread_mutex_unlock(&srv->work_mu);
  return MHD_YES;
}

static void *worker(void *arg) {
  ls_server *srv = arg;
  pthread_mutex_lock(&srv->work_mu);
  for (;;) {
    while (!srv->work_head && !srv->work_stopping)
      pthread_cond_wait(&srv->work_cv, &srv->work_mu);
    conn_state *cs = srv->work_head;
    if (!cs)
      break; /* stopping and drained */
    srv->work_head = cs->next;
    if (!srv->work_head)
      srv->work_tail = NULL;
    pthread_mutex_unlock(&srv->work_mu);

    ls__request *rq = &cs->rq;
    pool_take(srv, rq, 1);
    ls__server_dispatch(rq, &cs->rs);
    pool_give(srv, rq);
    request_params_free(rq);
    cs->audit_rc = ls__audit_wait(rq);
    cs->phase = PHASE_READY;
    struct MHD_Connection *conn = rq->conn;
    MHD_resume_connection(conn); /* cs belongs to the I/O thread again */

    pthread_mutex_lock(&srv->work_mu);
  }
  pthread_mutex_unlock(&srv->work_mu);
  return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls) {
  (void)version;
  ls_server *srv = cls;
  conn_state *cs = *con_cls;
  int is_api = strncmp(url, "/api/", 5) == 0 || !strcmp(url, "/api");
  if (!cs) {
    cs = calloc(1, sizeof *cs);
    if (!cs)
      return MHD_NO;
    *con_cls = cs;
    cs->is_api = is_api;
    cs->head = !strcmp(method, "HEAD");
    /* refuse an announced oversized body before reading any of it */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
      char *end = NULL;
      unsigned long long n = strtoull(cl, &end, 10);
      if (end == cl || n > BODY_LIMIT) {
        ls__server_error(&cs->rs, 413, "request body over %u bytes", BODY_LIMIT);
        enum MHD_Result ret = send_response(conn, &cs->rs, is_api, 0);
        response_clear(&cs->rs);
        return ret;
      }
    }
    return MHD_YES;
  }
  if (cs->phase == PHASE_READY)
    return finish(conn, cs); /* resumed */
  if (cs->phase != PHASE_READING)
    return MHD_YES; /* not expected: a suspended connection is not called */
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    if (cs->too_large || cs->len + n > BODY_LIMIT) {
      cs->too_large = 1; /* keep reading (and dropping) to answer cleanly */
      return MHD_YES;
    }
    if (cs->len + n + 1 > cs->cap) {
      size_t cap = cs->cap ? cs->cap : 4096;
      while (cap < cs->len + n + 1)
        cap *= 2;
      char *p = realloc(cs->body, cap);
      if (!p)
        return MHD_NO;
      cs->body = p;
      cs->cap = cap;
    }
    memcpy(cs->body + cs->len, upload_data, n);
    cs->len += n;
    cs->body[cs->len] = '\0';
    return MHD_YES;
  }
  if (cs->too_large) {
    ls__server_error(&cs->rs, 413, "request body over %u bytes", BODY_LIMIT);
    enum MHD_Result ret = send_response(conn, &cs->rs, is_api, 0);
    response_clear(&cs->rs);
    return ret;
  }
  request_init(cs, srv, conn, url, method);
  ls__request *rq = &cs->rq;
  /* an I/O thread runs the fast routes itself when a store connection is
   * free (one always is unless the pool was sized wrongly) */
  if (ls__server_route_inline(method, url) && pool_take(srv, rq, 0)) {
    rq->io_thread = 1;
    ls__server_dispatch(rq, &cs->rs);
    pool_give(srv, rq);
    request_params_free(rq);
    if (!rq->defer) {
      cs->phase = PHASE_READY;
      if (ls__audit_suspend(rq))
        return MHD_YES; /* the audit writer resumes it */
      return finish(conn, cs);
    }
    /* the handler found slow work (nothing was audited yet): a worker's */
    request_init(cs, srv, conn, url, method);
  }
  return to_worker(srv, conn, cs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  conn_state *cs = *con_cls;
  if (cs) {
    /* entries of an answer never sent (the client left): durable already,
     * since a suspended connection ends only after its resume */
    (void)ls__audit_wait(&cs->rq);
    request_params_free(&cs->rq);
    response_clear(&cs->rs);
    free(cs->body);
    free(cs);
    *con_cls = NULL;
  }
}

/* ---- start and stop ---------------------------------------------------- */

/* Lets the workers finish what is queued, then stops them. */
static void workers_stop(ls_server *srv) {
  pthread_mutex_lock(&srv->work_mu);
  srv->work_stopping = 1;
  pthread_cond_broadcast(&srv->work_cv);
  pthread_mutex_unlock(&srv->work_mu);
  for (unsigned i = 0; i < srv->nworkers; i++)
    pthread_join(srv->workers[i], NULL);
  srv->nworkers = 0;
}

static void free_server(ls_server *srv) {
  workers_stop(srv);
  if (srv->audit_started)
    ls__audit_queue_stop(&srv->audit);
  for (int i = 0; i < LS__SERVER_POOL; i++) {
    ls_auth_sessions_close(srv->sessions[i]);
    ls_store_close(srv->pool[i]);
  }
  pthread_mutex_destroy(&srv->work_mu);
  pthread_cond_destroy(&srv->work_cv);
  pthread_mutex_destroy(&srv->pool_mu);
  pthread_cond_destroy(&srv->pool_cv);
  pthread_mutex_destroy(&srv->hash_mu);
  pthread_cond_destroy(&srv->hash_cv);
  ls__view_cache_free(&srv->analysis);
  pthread_mutex_destroy(&srv->analysis.mu);
  ls__rl_free(&srv->rl);
  free(srv->db);
  free(srv->web_root);
  free(srv->console_root);
  free(srv);
}

ls_status ls_server_start(const ls_server_config *cfg, ls_server **out, ls_error *err) {
  *out = NULL;
  ls_status rc = ls_auth_init(err);
  if (rc)
    return rc;
  ls_server *srv = calloc(1, sizeof *srv);
  if (!srv)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting the server");
  pthread_mutex_init(&srv->pool_mu, NULL);
  pthread_cond_init(&srv->pool_cv, NULL);
  pthread_mutex_init(&srv->work_mu, NULL);
  pthread_cond_init(&srv->work_cv, NULL);
  pthread_mutex_init(&srv->hash_mu, NULL);
  pthread_cond_init(&srv->hash_cv, NULL);
  pthread_mutex_init(&srv->analysis.mu, NULL);
  ls__rl_init(&srv->rl);
  srv->session_ttl_s = cfg->session_ttl_s ? cfg->session_ttl_s : LS_AUTH_SESSION_TTL_S;
  srv->db = strdup(cfg->db ? cfg->db : LS_DEFAULT_DB);
  if (!srv->db) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting the server");
    goto fail;
  }
  if (cfg->web_root) {
    srv->web_root = realpath(cfg->web_root, NULL);
    if (!srv->web_root) {
      rc = LS_FAIL(err, LS_ERR_USAGE, "console folder '%s' not found", cfg->web_root);
      goto fail;
    }
    /* the Vite build (make runs it); without it `/` explains how to build */
    char dist[PATH_MAX];
    if ((size_t)snprintf(dist, sizeof dist, "%s/console/dist", srv->web_root) < sizeof dist)
      srv->console_root = realpath(dist, NULL);
  }
  for (int i = 0; i < LS__SERVER_POOL; i++) {
    rc = ls_store_open(srv->db, &srv->pool[i], err);
    if (rc == LS_OK)
      rc = ls_auth_sessions_open(srv->pool[i], &srv->sessions[i], err);
    if (rc)
      goto fail;
  }
  rc = ls__audit_queue_start(&srv->audit, srv->db, err);
  srv->audit_started = 1; /* stop also cleans up after a failed start */
  if (rc)
    goto fail;
  /* expired sessions of earlier runs go at start-up */
  rc = ls_auth_sessions_purge(srv->pool[0], ls_time_now(), err);
  if (rc)
    goto fail;

  const char *bind = cfg->bind ? cfg->bind : "127.0.0.1";
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  memset(&v4, 0, sizeof v4);
  memset(&v6, 0, sizeof v6);
  const struct sockaddr *sa;
  /* one I/O thread per core: they never block (see the top of this file),
   * so more would only take turns; the workers get the other store
   * connections */
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  srv->io_threads = cfg->threads ? cfg->threads : cores > 0 ? (unsigned)cores : 1;
  if (srv->io_threads > LS__SERVER_IO_MAX)
    srv->io_threads = LS__SERVER_IO_MAX;
  for (unsigned i = 0; i < LS__SERVER_POOL - srv->io_threads; i++) {
    if (pthread_create(&srv->workers[i], NULL, worker, srv)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "cannot start the server's worker threads");
      goto fail;
    }
    srv->nworkers = i + 1;
  }
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
  if (cfg->port > 65535) {
    rc = LS_FAIL(err, LS_ERR_USAGE, "port %u is not 0-65535", cfg->port);
    goto fail;
  }
  if (inet_pton(AF_INET, bind, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons((uint16_t)cfg->port);
    sa = (const struct sockaddr *)&v4;
  } else if (inet_pton(AF_INET6, bind, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons((uint16_t)cfg->port);
    sa = (const struct sockaddr *)&v6;
    flags |= MHD_USE_IPv6;
  } else {
    rc = LS_FAIL(err, LS_ERR_USAGE, "'%s' is not an IPv4 or IPv6 address", bind);
    goto fail;
  }
  unsigned timeout = cfg->connection_timeout_s ? cfg->connection_timeout_s : 30;
  srv->daemon = MHD_start_daemon(
      flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, sa,
      MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, srv, MHD_OPTION_THREAD_POOL_SIZE, srv->io_threads, MHD_OPTION_END);
  if (!srv->daemon) {
    rc = LS_FAIL(err, LS_ERR_IO, "cannot listen on %s port %u (in use, or not allowed)", bind,
                 cfg->port);
    goto fail;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  srv->port = di ? di->port : cfg->port;
  *out = srv;
  return LS_OK;
fail:
  free_server(srv);
  return rc;
}

unsigned ls_server_port(const ls_server *srv) { return srv->port; }

void ls_server_stop(ls_server *srv) {
  if (!srv)
    return;
  /* libmicrohttpd must not be stopped with a connection suspended: the
   * workers finish their queue and the audit writer its batches first,
   * resuming every connection they hold; requests arriving meanwhile are
   * answered at once (503, or 500 when their audit entry cannot be written
   * any more) without being suspended */
  workers_stop(srv);
  ls__audit_queue_drain(&srv->audit);
  if (srv->daemon)
    MHD_stop_daemon(srv->daemon);
  free_server(srv);
}
