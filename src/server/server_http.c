/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP side of the server: libmicrohttpd set-up, request bodies with a
 * hard size limit, security headers on every response, the store pool. */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

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

typedef struct conn_state {
  char *body;
  size_t len, cap;
  int too_large;
} conn_state;

/* ---- the store pool ---------------------------------------------------- */

static ls_store *pool_take(ls_server *srv) {
  pthread_mutex_lock(&srv->pool_mu);
  for (;;) {
    for (int i = 0; i < LS__SERVER_POOL; i++)
      if (!srv->pool_busy[i]) {
        srv->pool_busy[i] = 1;
        pthread_mutex_unlock(&srv->pool_mu);
        return srv->pool[i];
      }
    pthread_cond_wait(&srv->pool_cv, &srv->pool_mu);
  }
}

static void pool_give(ls_server *srv, ls_store *st) {
  pthread_mutex_lock(&srv->pool_mu);
  for (int i = 0; i < LS__SERVER_POOL; i++)
    if (srv->pool[i] == st)
      srv->pool_busy[i] = 0;
  pthread_cond_signal(&srv->pool_cv);
  pthread_mutex_unlock(&srv->pool_mu);
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

void ls__server_error(ls__response *rs, unsigned status, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls) {
  (void)version;
  ls_server *srv = cls;
  conn_state *cs = *con_cls;
  int is_api = strncmp(url, "/api/", 5) == 0 || !strcmp(url, "/api");
  ls__response rs;
  memset(&rs, 0, sizeof rs);
  if (!cs) {
    cs = calloc(1, sizeof *cs);
    if (!cs)
      return MHD_NO;
    *con_cls = cs;
    /* refuse an announced oversized body before reading any of it */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
      char *end = NULL;
      unsigned long long n = strtoull(cl, &end, 10);
      if (end == cl || n > BODY_LIMIT) {
        ls__server_error(&rs, 413, "request body over %u bytes", BODY_LIMIT);
        enum MHD_Result ret = send_response(conn, &rs, is_api, 0);
        response_clear(&rs);
        return ret;
      }
    }
    return MHD_YES;
  }
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
    ls__server_error(&rs, 413, "request body over %u bytes", BODY_LIMIT);
    enum MHD_Result ret = send_response(conn, &rs, is_api, 0);
    response_clear(&rs);
    return ret;
  }
  ls__request rq;
  memset(&rq, 0, sizeof rq);
  rq.srv = srv;
  rq.conn = conn;
  rq.method = method;
  rq.path = url;
  rq.body = cs->body;
  rq.body_len = cs->len;
  client_address(conn, rq.client);
  rq.st = pool_take(srv);
  ls__server_dispatch(&rq, &rs);
  pool_give(srv, rq.st);
  rq.st = NULL;
  for (size_t i = 0; i < rq.nparams; i++)
    free(rq.params[i]);
  /* no answer before its audit entries are durable, none if they failed */
  if (ls__audit_wait(&rq)) {
    rs.set_cookie[0] = '\0';
    rs.retry_after = 0;
    ls__server_error(&rs, 500, "internal error");
  }
  enum MHD_Result ret = send_response(conn, &rs, is_api, !strcmp(method, "HEAD"));
  response_clear(&rs);
  return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  conn_state *cs = *con_cls;
  if (cs) {
    free(cs->body);
    free(cs);
    *con_cls = NULL;
  }
}

/* ---- start and stop ---------------------------------------------------- */

static void free_server(ls_server *srv) {
  if (srv->audit_started)
    ls__audit_queue_stop(&srv->audit);
  for (int i = 0; i < LS__SERVER_POOL; i++)
    ls_store_close(srv->pool[i]);
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
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
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
      on_completed, srv, MHD_OPTION_END);
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
  if (srv->daemon)
    MHD_stop_daemon(srv->daemon);
  free_server(srv);
}
