/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sending a campaign through Kannel's HTTP sendsms interface, exactly once
 * per recipient (docs/messaging.md):
 *
 *   planned --commit--> sending --request--> accepted --commit--> sent
 *                                                   delivery report --> delivered / failed
 *
 * The only recipient whose fate is unknown after a crash is one left in
 * "sending": the request may or may not have reached the gateway. Every
 * request carries a delivery-report URL with the recipient's unique
 * reference, and the gateway reports every message it accepted (SMSC
 * accepted, 8; delivered, 1; or failed), retrying the report until our
 * listener answers. So on resume: a report for it arrives -> it was sent;
 * none within reconcile_wait_s -> it never reached the gateway, send it. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/ls_mem.h"
#include "linesight/ls_ops.h"
#include "linesight/ls_time.h"
#include "messaging_internal.h"

#define LEASE_S 30        /* a sender renews its lease with every message */
#define POLL_MS 100       /* how often waits look at the store and the stop flag */
#define HTTP_TIMEOUT_S 15 /* one sendsms request */
#define BACKOFF_MAX_S 8   /* between retries while the gateway refuses */
/* Delivery-report bits (Kannel dlr-mask): 1 delivered, 2 undelivered,
 * 4 queued in the gateway, 8 accepted by the SMSC, 16 rejected by the SMSC.
 * All five: every accepted message reports back at least once. */
#define DLR_MASK 31

/* ---- gateway file ------------------------------------------------------- */

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

static ls_status copy_value(char *dst, size_t cap, const char *v, const char *path, long line,
                            ls_error *err) {
  if (strlen(v) >= cap)
    return ls_error_set(err, LS_ERR_INPUT, path, line, 0, "value longer than %zu bytes", cap - 1);
  snprintf(dst, cap, "%s", v);
  return LS_OK;
}

ls_status ls_messaging_gateway_load(const char *path, ls_msg_gateway *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  out->rate_per_second = 5;
  out->reconcile_wait_s = 30;
  snprintf(out->dlr_host, sizeof out->dlr_host, "127.0.0.1");
  FILE *f = fopen(path, "r");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
  char buf[1024];
  long line = 0;
  ls_status rc = LS_OK;
  while (rc == LS_OK && fgets(buf, sizeof buf, f)) {
    line++;
    char *s = trim(buf);
    if (!*s || *s == '#')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, line, 1, "expected `key = value`");
      break;
    }
    *eq = '\0';
    char *key = trim(s), *v = trim(eq + 1);
    char *end = NULL;
    if (!strcmp(key, "sendsms_url")) {
      if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
        rc = ls_error_set(err, LS_ERR_INPUT, path, line, 0, "sendsms_url must be http:// or https://");
      else
        rc = copy_value(out->sendsms_url, sizeof out->sendsms_url, v, path, line, err);
    } else if (!strcmp(key, "username")) {
      rc = copy_value(out->username, sizeof out->username, v, path, line, err);
    } else if (!strcmp(key, "password")) {
      rc = copy_value(out->password, sizeof out->password, v, path, line, err);
    } else if (!strcmp(key, "from")) {
      rc = copy_value(out->from, sizeof out->from, v, path, line, err);
    } else if (!strcmp(key, "rate_per_second")) {
      out->rate_per_second = strtod(v, &end);
      if (end == v || *end || !(out->rate_per_second > 0 && out->rate_per_second <= 1000))
        rc = ls_error_set(err, LS_ERR_INPUT, path, line, 0, "rate_per_second: a number in (0, 1000]");
    } else if (!strcmp(key, "reconcile_wait_s")) {
      long w = strtol(v, &end, 10);
      if (end == v || *end || w < 1 || w > 3600)
        rc = ls_error_set(err, LS_ERR_INPUT, path, line, 0, "reconcile_wait_s: 1 to 3600");
      out->reconcile_wait_s = (int)w;
    } else if (!strcmp(key, "dlr_listen")) {
      char *colon = strrchr(v, ':');
      long port = colon ? strtol(colon + 1, &end, 10) : 0;
      if (!colon || end == colon + 1 || *end || port < 1 || port > 65535 ||
          (size_t)(colon - v) >= sizeof out->dlr_host) {
        rc = ls_error_set(err, LS_ERR_INPUT, path, line, 0, "dlr_listen: HOST:PORT (an IPv4 address)");
      } else {
        *colon = '\0';
        snprintf(out->dlr_host, sizeof out->dlr_host, "%s", v);
        out->dlr_port = (unsigned)port;
      }
    } else {
      rc = ls_error_set(err, LS_ERR_INPUT, path, line, 1, "unknown key '%.60s'", key);
    }
  }
  fclose(f);
  if (rc == LS_OK && (!out->sendsms_url[0] || !out->dlr_port))
    rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "sendsms_url and dlr_listen are required");
  return rc;
}

/* ---- time ----------------------------------------------------------------- */

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stopped(const ls_msg_send_opts *o) { return o->stop && *o->stop; }

/* Sleeps until mono time `until` in short slices; 1 when stopped first. */
static int sleep_until(double until, const ls_msg_send_opts *o) {
  for (;;) {
    if (stopped(o))
      return 1;
    double left = until - mono_now();
    if (left <= 0)
      return 0;
    double step = left < POLL_MS / 1000.0 ? left : POLL_MS / 1000.0;
    struct timespec ts = {(time_t)step, (long)((step - (double)(time_t)step) * 1e9)};
    nanosleep(&ts, NULL);
  }
}

static void emit(const ls_msg_send_opts *o, ls_msg_event ev, const char *number, const char *detail) {
  if (o->on_event)
    o->on_event(o->ctx, ev, number, detail ? detail : "");
}

/* ---- the delivery-report listener --------------------------------------- */

typedef struct listener {
  struct MHD_Daemon *d;
  ls_store *st; /* its own connection, used by the daemon's one thread */
} listener;

static int ref_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
      return 0;
  return 1;
}

/* Records one report and moves its recipient on. */
static ls_status record_dlr(ls_store *st, const char *ref, int64_t status, ls_error *err) {
  int64_t now = ls_time_now();
  ls_stmt *s = NULL;
  ls_status rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st, "INSERT INTO msg_dlr(msg_ref, status, received_at) VALUES (?, ?, ?)", &s, err);
  if (rc == LS_OK) {
    ls__msg_bind(s, 1, ref);
    ls_stmt_bind_int64(s, 2, status);
    ls_stmt_bind_int64(s, 3, now);
    rc = ls_stmt_step(s, err);
  }
  ls_stmt_finalize(s);
  s = NULL;
  /* delivered wins; a failure report does not undo a delivery; any other
   * report (accepted, queued) proves the gateway has the message */
  if (rc == LS_OK)
    rc = ls_stmt_prepare(
        st,
        "UPDATE msg_recipients SET state = CASE"
        " WHEN CAST(? AS BIGINT) = 1 THEN 'delivered'"
        " WHEN CAST(? AS BIGINT) IN (2, 16) AND state <> 'delivered' THEN 'failed'"
        " WHEN state IN ('planned', 'sending') THEN 'sent' ELSE state END,"
        " last_error = CASE WHEN CAST(? AS BIGINT) IN (2, 16) AND state <> 'delivered'"
        "  THEN 'the network reported it undelivered' ELSE last_error END,"
        " dlr_status = CASE WHEN state = 'delivered' THEN dlr_status ELSE CAST(? AS BIGINT) END,"
        " updated_at = ? WHERE msg_ref = ?",
        &s, err);
  if (rc == LS_OK) {
    for (int i = 1; i <= 4; i++)
      ls_stmt_bind_int64(s, i, status);
    ls_stmt_bind_int64(s, 5, now);
    ls__msg_bind(s, 6, ref);
    rc = ls_stmt_step(s, err);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *text) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "text/plain");
  enum MHD_Result ret = MHD_queue_response(c, code, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result on_report(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **con_cls) {
  (void)version;
  (void)upload;
  listener *l = cls;
  if (!*con_cls) { /* headers only so far */
    *con_cls = l;
    return MHD_YES;
  }
  if (*upload_size) {
    *upload_size = 0; /* no body expected: drop it */
    return MHD_YES;
  }
  if (strcmp(url, "/dlr") || (strcmp(method, "GET") && strcmp(method, "POST")))
    return answer(c, 404, "not found\n");
  const char *ref = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ref");
  const char *st = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
  char *end = NULL;
  long status = st ? strtol(st, &end, 10) : -1;
  if (!ref || !ref_ok(ref) || !st || end == st || *end || status < 0 || status > 255)
    return answer(c, 400, "bad report\n");
  ls_error err;
  ls_error_clear(&err);
  /* a report that could not be stored is refused: the gateway retries it */
  if (record_dlr(l->st, ref, status, &err))
    return answer(c, 503, "try again\n");
  return answer(c, 200, "ok\n");
}

static ls_status listener_start(listener *l, ls_store *st, const char *uri, const ls_msg_gateway *gw,
                                ls_error *err) {
  memset(l, 0, sizeof *l);
  ls_status rc = ls_store_open(uri ? uri : ls_store_location(st), &l->st, err);
  if (rc)
    return rc;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)gw->dlr_port);
  if (inet_pton(AF_INET, gw->dlr_host, &sa.sin_addr) != 1) {
    ls_store_close(l->st);
    return LS_FAIL(err, LS_ERR_USAGE, "dlr_listen: '%s' is not an IPv4 address", gw->dlr_host);
  }
  /* one internal thread: reports are handled one at a time on l->st */
  l->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)gw->dlr_port, NULL, NULL, on_report, l,
                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT,
                          (unsigned)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
  if (!l->d) {
    ls_store_close(l->st);
    return LS_FAIL(err, LS_ERR_IO, "cannot listen for delivery reports on %s:%u (in use?)", gw->dlr_host,
                   gw->dlr_port);
  }
  return LS_OK;
}

static void listener_stop(listener *l) {
  if (l->d)
    MHD_stop_daemon(l->d);
  ls_store_close(l->st);
  memset(l, 0, sizeof *l);
}

/* ---- the campaign's lease --------------------------------------------------- */

typedef struct sender {
  ls_store *st;
  int64_t id;
  const ls_msg_send_opts *o;
  const ls_msg_gateway *gw;
  char owner[128];
  char text[LS_MSG_TEXT_MAX + 1];
  char nonce_dlr_base[200];
  CURL *curl;
  double next_send;
  ls_msg_send_result *res;
} sender;

/* 1 when `owner` ("host:pid") names a process of this host that is gone. */
static int owner_dead(const char *owner) {
  char host[256];
  if (gethostname(host, sizeof host))
    return 0;
  host[sizeof host - 1] = '\0';
  const char *colon = strrchr(owner, ':');
  if (!colon || (size_t)(colon - owner) != strlen(host) || strncmp(owner, host, strlen(host)))
    return 0;
  char *end = NULL;
  long pid = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end || pid <= 0)
    return 0;
  return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/* Claims the campaign for this process. *complete when there is nothing
 * left to do. */
static ls_status claim(sender *s, int *complete, ls_error *err) {
  *complete = 0;
  ls_stmt *q = NULL;
  char status[24] = "", owner[128] = "";
  int64_t until = 0;
  int found = 0;
  ls_status rc = ls_stmt_prepare(s->st,
                                 "SELECT status, COALESCE(lease_owner, ''), COALESCE(lease_until, 0)"
                                 " FROM msg_campaigns WHERE id = ?",
                                 &q, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(q, 1, s->id);
    if ((rc = ls_stmt_step(q, err)) == LS_ROW) {
      found = 1;
      snprintf(status, sizeof status, "%s", ls_stmt_text(q, 0));
      snprintf(owner, sizeof owner, "%s", ls_stmt_text(q, 1));
      until = ls_stmt_int64(q, 2);
      rc = LS_OK;
    }
  }
  ls_stmt_finalize(q);
  q = NULL;
  if (rc)
    return rc;
  if (!found)
    return LS_FAIL(err, LS_ERR_NOTFOUND, "no campaign %lld", (long long)s->id);
  if (!strcmp(status, "complete")) {
    *complete = 1;
    return LS_OK;
  }
  if (strcmp(status, "approved") && strcmp(status, "sending"))
    return LS_FAIL(err, LS_ERR_CONFLICT, "campaign %lld is %s: only an approved campaign is sent",
                   (long long)s->id, status);
  int64_t now = ls_time_now();
  if (owner[0] && strcmp(owner, s->owner) && until > now && !owner_dead(owner))
    return LS_FAIL(err, LS_ERR_CONFLICT, "campaign %lld is being sent by %s (lease for %llds more)",
                   (long long)s->id, owner, (long long)(until - now));
  /* compare-and-set on the owner we saw: two resumers cannot both win */
  rc = ls_store_begin(s->st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(s->st,
                         "UPDATE msg_campaigns SET status = 'sending', lease_owner = ?, lease_until = ?"
                         " WHERE id = ? AND COALESCE(lease_owner, '') = ? AND status IN ('approved', 'sending')"
                         " RETURNING id",
                         &q, err);
  if (rc == LS_OK) {
    ls__msg_bind(q, 1, s->owner);
    ls_stmt_bind_int64(q, 2, now + LEASE_S);
    ls_stmt_bind_int64(q, 3, s->id);
    ls__msg_bind(q, 4, owner);
    rc = ls__msg_step_returning(q, "", err);
    if (rc == LS_ERR_NOTFOUND)
      rc = LS_FAIL(err, LS_ERR_CONFLICT, "campaign %lld was claimed by another sender", (long long)s->id);
  }
  ls_stmt_finalize(q);
  if (rc == LS_OK)
    rc = ls_store_commit(s->st, err);
  if (rc)
    ls_store_rollback(s->st);
  return rc;
}

/* Renews the lease inside an open transaction; LS_ERR_CONFLICT when the
 * campaign was cancelled or taken over. */
static ls_status renew(sender *s, ls_error *err) {
  ls_stmt *q = NULL;
  ls_status rc = ls_stmt_prepare(s->st,
                                 "UPDATE msg_campaigns SET lease_until = ? WHERE id = ? AND lease_owner = ?"
                                 " AND status = 'sending' RETURNING id",
                                 &q, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(q, 1, ls_time_now() + LEASE_S);
    ls_stmt_bind_int64(q, 2, s->id);
    ls__msg_bind(q, 3, s->owner);
    rc = ls__msg_step_returning(q, "", err);
    if (rc == LS_ERR_NOTFOUND)
      rc = LS_FAIL(err, LS_ERR_CONFLICT, "campaign %lld was cancelled or taken over", (long long)s->id);
  }
  ls_stmt_finalize(q);
  return rc;
}

static ls_status renew_tx(sender *s, ls_error *err) {
  ls_status rc = ls_store_begin(s->st, err);
  if (rc == LS_OK)
    rc = renew(s, err);
  if (rc == LS_OK)
    rc = ls_store_commit(s->st, err);
  if (rc)
    ls_store_rollback(s->st);
  return rc;
}

/* Moves a recipient from one state to another (with an error text);
 * *moved says whether it was in `from`. */
static ls_status move(sender *s, int64_t rid, const char *from, const char *to, const char *why, int *moved,
                      int count_attempt, ls_error *err) {
  ls_stmt *q = NULL;
  int did = 0;
  ls_status rc = ls_store_begin(s->st, err);
  if (rc == LS_OK)
    rc = renew(s, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(s->st,
                         "UPDATE msg_recipients SET state = ?, last_error = ?, updated_at = ?,"
                         " attempts = attempts + ? WHERE id = ? AND state = ? RETURNING id",
                         &q, err);
  if (rc == LS_OK) {
    ls__msg_bind(q, 1, to);
    ls__msg_bind(q, 2, why);
    ls_stmt_bind_int64(q, 3, ls_time_now());
    ls_stmt_bind_int64(q, 4, count_attempt);
    ls_stmt_bind_int64(q, 5, rid);
    ls__msg_bind(q, 6, from);
    rc = ls__msg_step_returning(q, "", err);
    if (rc == LS_OK)
      did = 1;
    else if (rc == LS_ERR_NOTFOUND)
      rc = LS_OK;
  }
  ls_stmt_finalize(q);
  if (rc == LS_OK)
    rc = ls_store_commit(s->st, err);
  if (rc)
    ls_store_rollback(s->st);
  if (moved)
    *moved = did;
  return rc;
}

/* ---- one request -------------------------------------------------------- */

typedef enum outcome { ACCEPTED, REFUSED_FOR_NOW, REJECTED, IN_DOUBT, BAD_CREDENTIALS } outcome;

typedef struct body_buf {
  char text[512];
  size_t len;
} body_buf;

static size_t on_body(char *p, size_t size, size_t n, void *ctx) {
  body_buf *b = ctx;
  size_t got = size * n, room = sizeof b->text - 1 - b->len;
  size_t take = got < room ? got : room;
  memcpy(b->text + b->len, p, take);
  b->len += take;
  b->text[b->len] = '\0';
  return got;
}

/* Appends "&name=escaped(value)" to url. */
static int add_param(CURL *c, char *url, size_t cap, const char *name, const char *value) {
  char *e = curl_easy_escape(c, value, 0);
  if (!e)
    return -1;
  size_t at = strlen(url);
  int n = snprintf(url + at, cap - at, "%s%s=%s", strchr(url, '?') ? "&" : "?", name, e);
  curl_free(e);
  return n < 0 || (size_t)n >= cap - at ? -1 : 0;
}

static outcome request(sender *s, const char *number, const char *ref, char why[200]) {
  char url[4096], dlr[400];
  snprintf(url, sizeof url, "%s", s->gw->sendsms_url);
  /* %d: Kannel puts the report type there */
  snprintf(dlr, sizeof dlr, "http://%s:%u/dlr?ref=%s&status=%%d", s->gw->dlr_host, s->gw->dlr_port, ref);
  char mask[8];
  snprintf(mask, sizeof mask, "%d", DLR_MASK);
  if (add_param(s->curl, url, sizeof url, "username", s->gw->username) ||
      add_param(s->curl, url, sizeof url, "password", s->gw->password) ||
      (s->gw->from[0] && add_param(s->curl, url, sizeof url, "from", s->gw->from)) ||
      add_param(s->curl, url, sizeof url, "to", number) ||
      add_param(s->curl, url, sizeof url, "text", s->text) ||
      add_param(s->curl, url, sizeof url, "charset", "UTF-8") ||
      add_param(s->curl, url, sizeof url, "dlr-mask", mask) ||
      add_param(s->curl, url, sizeof url, "dlr-url", dlr)) {
    snprintf(why, 200, "request too long");
    return REJECTED;
  }
  body_buf b = {.len = 0};
  b.text[0] = '\0';
  curl_easy_reset(s->curl);
  curl_easy_setopt(s->curl, CURLOPT_URL, url);
  curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
  curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode cc = curl_easy_perform(s->curl);
  if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY) {
    snprintf(why, 200, "gateway unreachable: %s", curl_easy_strerror(cc));
    return REFUSED_FOR_NOW; /* nothing was sent: no connection */
  }
  if (cc != CURLE_OK) {
    snprintf(why, 200, "no answer from the gateway: %s", curl_easy_strerror(cc));
    return IN_DOUBT; /* the request may have arrived */
  }
  long code = 0;
  curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
  b.text[strcspn(b.text, "\r\n")] = '\0';
  snprintf(why, 200, "gateway answered %ld: %.150s", code, b.text);
  if (code == 200 || code == 202)
    return ACCEPTED;
  if (code == 403 && strstr(b.text, "Authorization"))
    return BAD_CREDENTIALS;
  if (code >= 500)
    return REFUSED_FOR_NOW; /* "Temporal failure, try again later" */
  return REJECTED;          /* "Not routable. Do not try again." and the like */
}

/* ---- reconciling messages in doubt -------------------------------------- */

/* Waits for the reports of every recipient left "sending": a report moves
 * it on (the listener does that); those still "sending" after the wait
 * never reached the gateway and go back to "planned". */
static ls_status reconcile(sender *s, ls_error *err) {
  double until = mono_now() + s->gw->reconcile_wait_s;
  ls_status rc = LS_OK;
  for (;;) {
    int64_t doubt = 0;
    ls_stmt *q = NULL;
    rc = ls_stmt_prepare(s->st, "SELECT COUNT(*) FROM msg_recipients WHERE campaign_id = ? AND state = 'sending'",
                         &q, err);
    if (rc == LS_OK) {
      ls_stmt_bind_int64(q, 1, s->id);
      if ((rc = ls_stmt_step(q, err)) == LS_ROW) {
        doubt = ls_stmt_int64(q, 0);
        rc = LS_OK;
      }
    }
    ls_stmt_finalize(q);
    if (rc || doubt == 0)
      return rc;
    if (mono_now() >= until || stopped(s->o))
      break;
    if ((rc = renew_tx(s, err)))
      return rc;
    sleep_until(mono_now() + 0.2, s->o);
  }
  /* the rest: nothing reported, so nothing reached the gateway */
  ls_stmt *q = NULL;
  int64_t ids[64];
  char nums[64][LS_MSG_LINE_MAX];
  size_t n = 0;
  rc = ls_stmt_prepare(s->st,
                       "SELECT id, number FROM msg_recipients WHERE campaign_id = ? AND state = 'sending'"
                       " ORDER BY id LIMIT 64",
                       &q, err);
  if (rc == LS_OK)
    ls_stmt_bind_int64(q, 1, s->id);
  while (rc == LS_OK && n < 64 && (rc = ls_stmt_step(q, err)) == LS_ROW) {
    rc = LS_OK;
    ids[n] = ls_stmt_int64(q, 0);
    snprintf(nums[n], sizeof nums[n], "%s", ls_stmt_text(q, 1));
    n++;
  }
  ls_stmt_finalize(q);
  if (rc == LS_ROW)
    rc = LS_OK;
  for (size_t i = 0; rc == LS_OK && i < n; i++) {
    int moved = 0;
    rc = move(s, ids[i], "sending", "planned", "no delivery report: the gateway never had it", &moved, 0, err);
    if (rc == LS_OK && moved) {
      s->res->resent++;
      emit(s->o, LS_MSG_EV_RECONCILED, nums[i], "resend");
    }
  }
  return rc;
}

/* Counts recipients the reports have already settled before reconcile
 * (found "sent" or "delivered" after having been "sending"). */
static ls_status count_doubt(sender *s, int64_t *n, ls_error *err) {
  ls_stmt *q = NULL;
  *n = 0;
  ls_status rc = ls_stmt_prepare(s->st,
                                 "SELECT COUNT(*) FROM msg_recipients WHERE campaign_id = ? AND state = 'sending'",
                                 &q, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(q, 1, s->id);
    if ((rc = ls_stmt_step(q, err)) == LS_ROW) {
      *n = ls_stmt_int64(q, 0);
      rc = LS_OK;
    }
  }
  ls_stmt_finalize(q);
  return rc;
}

/* ---- the campaign's end ----------------------------------------------------- */

/* Marks the campaign complete when nothing is left, and credits its week
 * of action once: the record's source names the campaign, and it is only
 * added when no record with that source exists (one sender at a time holds
 * the lease, so the check and the insert do not race). */
static ls_status finish(sender *s, ls_error *err) {
  ls_msg_status st;
  ls_status rc = ls_messaging_campaign_status(s->st, s->id, &st, err);
  if (rc)
    return rc;
  if (st.planned || st.sending)
    return LS_OK;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  ls_stmt *q = NULL;
  if (strcmp(st.status, "complete")) {
    rc = ls_store_begin(s->st, err);
    if (rc == LS_OK)
      rc = ls_stmt_prepare(s->st,
                           "UPDATE msg_campaigns SET status = 'complete', completed_at = ?, lease_owner = NULL,"
                           " lease_until = NULL WHERE id = ? AND status = 'sending'",
                           &q, err);
    if (rc == LS_OK) {
      ls__msg_bind(q, 1, now);
      ls_stmt_bind_int64(q, 2, s->id);
      rc = ls_stmt_step(q, err);
    }
    ls_stmt_finalize(q);
    if (rc == LS_OK)
      rc = ls_store_commit(s->st, err);
    if (rc) {
      ls_store_rollback(s->st);
      return rc;
    }
  }
  s->res->complete = 1;
  int64_t sent = st.sent + st.delivered;
  if (st.operation[0] && !st.results_recorded && sent > 0) {
    char source[64], note[160], date[LS_OPS_DATE_MAX];
    snprintf(source, sizeof source, "messaging campaign %lld", (long long)s->id);
    snprintf(note, sizeof note, "diversion texts to the customers of line %s", st.line);
    snprintf(date, sizeof date, "%.10s", now);
    ls_ops_record r;
    memset(&r, 0, sizeof r);
    r.operation = st.operation;
    r.force = st.force;
    r.category = (char *)"";
    r.item = (char *)"";
    r.area = (char *)"";
    r.note = note;
    memcpy(r.date, date, sizeof r.date);
    r.kind = LS_OPS_MESSAGES_SENT;
    r.count = sent;
    r.value_pence = r.weight_mg = r.wraps = -1;
    rc = ls_ops_results_store(s->st, &r, 1, source, err);
    if (rc)
      return rc;
    st.results_recorded = 1;
  }
  s->res->results_recorded = st.results_recorded;
  return LS_OK;
}

/* ---- the loop ------------------------------------------------------------ */

static ls_status next_planned(sender *s, int64_t *rid, char *number, char *ref, ls_error *err) {
  ls_stmt *q = NULL;
  *rid = 0;
  ls_status rc = ls_stmt_prepare(s->st,
                                 "SELECT id, number, msg_ref FROM msg_recipients WHERE campaign_id = ?"
                                 " AND state = 'planned' ORDER BY id LIMIT 1",
                                 &q, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(q, 1, s->id);
    if ((rc = ls_stmt_step(q, err)) == LS_ROW) {
      *rid = ls_stmt_int64(q, 0);
      snprintf(number, LS_MSG_LINE_MAX, "%s", ls_stmt_text(q, 1));
      snprintf(ref, 80, "%s", ls_stmt_text(q, 2));
      rc = LS_OK;
    }
  }
  ls_stmt_finalize(q);
  return rc;
}

static ls_status send_all(sender *s, ls_error *err) {
  int give_up = s->o->give_up_s > 0 ? s->o->give_up_s : 120;
  double interval = 1.0 / s->gw->rate_per_second, last_progress = mono_now(), backoff = 0.5;
  ls_status rc = LS_OK;
  while (rc == LS_OK && !stopped(s->o)) {
    int64_t rid;
    char number[LS_MSG_LINE_MAX], ref[80], why[200];
    if ((rc = next_planned(s, &rid, number, ref, err)) || !rid)
      break;
    /* throttle first, so that the wait is not spent holding "sending" */
    if (sleep_until(s->next_send, s->o))
      break;
    int moved = 0;
    if ((rc = move(s, rid, "planned", "sending", "", &moved, 1, err)))
      break;
    if (!moved)
      continue; /* a late delivery report settled it meanwhile */
    emit(s->o, LS_MSG_EV_SENDING, number, ref);
    double t = mono_now();
    s->next_send = (s->next_send > t ? s->next_send : t) + interval;
    outcome oc = request(s, number, ref, why);
    switch (oc) {
    case ACCEPTED:
      emit(s->o, LS_MSG_EV_ACCEPTED, number, why);
      rc = move(s, rid, "sending", "sent", "", NULL, 0, err);
      if (rc == LS_OK) {
        s->res->sent_now++;
        emit(s->o, LS_MSG_EV_SENT, number, ref);
      }
      last_progress = mono_now();
      backoff = 0.5;
      break;
    case REJECTED:
      rc = move(s, rid, "sending", "failed", why, NULL, 0, err);
      emit(s->o, LS_MSG_EV_FAILED, number, why);
      break;
    case BAD_CREDENTIALS:
      rc = move(s, rid, "sending", "planned", why, NULL, 0, err);
      if (rc == LS_OK)
        rc = LS_FAIL(err, LS_ERR_DENIED, "the gateway refused the username or password (%s)", why);
      break;
    case REFUSED_FOR_NOW:
      rc = move(s, rid, "sending", "planned", why, NULL, 0, err);
      emit(s->o, LS_MSG_EV_RETRY, number, why);
      if (rc == LS_OK && mono_now() - last_progress > give_up)
        rc = LS_FAIL(err, LS_ERR_IO, "gave up after %ds without the gateway taking a message (%s)", give_up, why);
      if (rc == LS_OK) {
        sleep_until(mono_now() + backoff, s->o);
        backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
      }
      break;
    case IN_DOUBT:
      emit(s->o, LS_MSG_EV_RETRY, number, why);
      rc = reconcile(s, err);
      break;
    }
  }
  return rc;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;
static void curl_init(void) { curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

ls_status ls_messaging_send(ls_store *st, int64_t id, const ls_msg_send_opts *o, ls_msg_send_result *out,
                            ls_error *err) {
  memset(out, 0, sizeof *out);
  if (!o || !o->gateway)
    return LS_FAIL(err, LS_ERR_USAGE, "sending needs a gateway");
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return LS_FAIL(err, LS_ERR_INTERNAL, "libcurl failed to initialise");
  sender s;
  memset(&s, 0, sizeof s);
  s.st = st;
  s.id = id;
  s.o = o;
  s.gw = o->gateway;
  s.res = out;
  char host[64];
  if (gethostname(host, sizeof host))
    snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = '\0';
  snprintf(s.owner, sizeof s.owner, "%s:%ld", host, (long)getpid());
  int complete = 0;
  listener l;
  memset(&l, 0, sizeof l);
  ls_status rc = ls_messaging_campaign_text(st, id, s.text, err);
  if (rc == LS_OK)
    rc = claim(&s, &complete, err);
  if (rc)
    return rc;
  if (complete) {
    rc = finish(&s, err); /* credits the operation if a crash came first */
    return rc;
  }
  s.curl = curl_easy_init();
  if (!s.curl)
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting libcurl");
  if (rc == LS_OK)
    rc = listener_start(&l, st, o->store_uri, s.gw, err);
  /* a crash may have left one message in doubt */
  int64_t doubt = 0;
  if (rc == LS_OK)
    rc = count_doubt(&s, &doubt, err);
  if (rc == LS_OK && doubt) {
    int64_t before = doubt;
    rc = reconcile(&s, err);
    if (rc == LS_OK)
      out->reconciled = before - out->resent;
  }
  if (rc == LS_OK)
    rc = send_all(&s, err);
  /* the reports of the last messages, so that the status is current */
  if (rc == LS_OK && !stopped(o)) {
    double until = mono_now() + s.gw->reconcile_wait_s;
    for (;;) {
      ls_msg_status now;
      if ((rc = ls_messaging_campaign_status(st, id, &now, err)) || now.sent == 0 || now.sending ||
          mono_now() >= until || stopped(o))
        break;
      if ((rc = renew_tx(&s, err)))
        break;
      sleep_until(mono_now() + 0.2, o);
    }
  }
  listener_stop(&l);
  if (s.curl)
    curl_easy_cleanup(s.curl);
  if (rc == LS_OK)
    rc = finish(&s, err);
  /* let the next sender in at once */
  if (!out->complete) {
    ls_error e2;
    ls_stmt *q = NULL;
    if (ls_store_begin(st, &e2) == LS_OK &&
        ls_stmt_prepare(st, "UPDATE msg_campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
                        &q, &e2) == LS_OK) {
      ls_stmt_bind_int64(q, 1, id);
      ls__msg_bind(q, 2, s.owner);
      if (ls_stmt_step(q, &e2) == LS_DONE)
        ls_store_commit(st, &e2);
    }
    ls_stmt_finalize(q);
    ls_store_rollback(st);
  }
  return rc;
}
