/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The public report page's two ways in: a JSON POST from its script and a
 * plain HTML form POST that needs no JavaScript. Both store an
 * intelligence item with source "public" (docs/public-reports.md).
 *
 * Anonymous by design: nothing here reads the session, a cookie, the user
 * agent or any other header; the client address is used only as the key of
 * the in-memory rate limit (server_ratelimit.c), never stored or logged.
 * The audit entry says that a public report arrived, without the item's id
 * (random anyway), so the entry's exact time cannot be tied to an item that
 * keeps only its day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linesight/ls_audit.h"
#include "linesight/ls_time.h"
#include "server_public.h"

#define SIGNS_MAX 13 /* every listed sign at most once */

/* What one submission carried, before validation (which the store does). */
typedef struct submission {
  char *category, *area, *postcode, *when, *description, *lat, *lon;
  char signs[512];
  int bad_sign;
} submission;

static void submission_free(submission *s) {
  free(s->category);
  free(s->area);
  free(s->postcode);
  free(s->when);
  free(s->description);
  free(s->lat);
  free(s->lon);
}

static void add_sign(submission *s, const char *v) {
  size_t have = strlen(s->signs), n = strlen(v);
  if (n == 0)
    return;
  if (have + n + 2 > sizeof s->signs || strchr(v, ',')) {
    s->bad_sign = 1;
    return;
  }
  if (have)
    s->signs[have++] = ',';
  memcpy(s->signs + have, v, n + 1);
}

/* Parses a coordinate; 0 when empty, 1 when set, -1 when not a number. */
static int coord(const char *s, double *out) {
  if (!s || !*s)
    return 0;
  char *end = NULL;
  *out = strtod(s, &end);
  return end != s && *end == '\0' ? 1 : -1;
}

/* Stores a submission; on failure fills rs (as JSON) and returns non-zero. */
static int store(ls__request *rq, submission *sub, ls__response *rs) {
  ls_intel_item it;
  memset(&it, 0, sizeof it);
  it.source = "public";
  it.category = sub->category;
  it.signs = sub->signs;
  it.area = sub->area;
  it.postcode = sub->postcode;
  it.seen_when = sub->when;
  it.description = sub->description;
  if (sub->bad_sign) {
    ls__server_error(rs, 400, "signs: too many or not from the list");
    return 1;
  }
  int a = coord(sub->lat, &it.lat), b = coord(sub->lon, &it.lon);
  if (a < 0 || b < 0 || a != b) {
    ls__server_error(rs, 400, "map point: give both latitude and longitude as numbers, or neither");
    return 1;
  }
  it.has_point = a == 1;
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = ls_store_intel_add(rq->st, &it, NULL, &err);
  if (rc) {
    ls__server_fail(rs, &err);
    return 1;
  }
  /* actor "public" whoever is signed in on this browser: the route is anonymous */
  char target[64];
  snprintf(target, sizeof target, "%s %s", rq->method, rq->path);
  if (ls_audit_append(rq->st, "public", "", "change", target, "intelligence item", "source public", &err)) {
    ls__server_fail(rs, &err);
    return 1;
  }
  return 0;
}

static char *dup_str(const char *s) { return s ? strdup(s) : NULL; }

/* Only stored reports count toward the rate limit: someone correcting a
 * refused form should not be locked out by their own mistakes. */
void ls__api_public_report_add(ls__request *rq, ls__response *rs) {
  int64_t now = ls_time_now();
  int64_t wait = ls__rl_wait(&rq->srv->rl, LS__RL_PUBLIC_REPORT, rq->client, now);
  if (wait > 0) {
    rs->retry_after = wait;
    ls__server_error(rs, 429, "too many reports from here; try again later");
    return;
  }
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  submission sub;
  memset(&sub, 0, sizeof sub);
  sub.category = dup_str(json_string_value(json_object_get(b, "category")));
  sub.area = dup_str(json_string_value(json_object_get(b, "area")));
  sub.postcode = dup_str(json_string_value(json_object_get(b, "postcode")));
  sub.when = dup_str(json_string_value(json_object_get(b, "when")));
  sub.description = dup_str(json_string_value(json_object_get(b, "description")));
  char num[2][64] = {"", ""};
  const char *keys[2] = {"lat", "lon"};
  for (int i = 0; i < 2; i++) {
    json_t *v = json_object_get(b, keys[i]);
    if (json_is_number(v))
      snprintf(num[i], sizeof num[i], "%.17g", json_number_value(v));
    else if (v && !json_is_null(v))
      snprintf(num[i], sizeof num[i], "x");
  }
  sub.lat = strdup(num[0]);
  sub.lon = strdup(num[1]);
  json_t *signs = json_object_get(b, "signs");
  size_t i;
  json_t *v;
  if (signs && !json_is_array(signs))
    sub.bad_sign = 1;
  json_array_foreach(signs, i, v) {
    if (!json_is_string(v) || i >= SIGNS_MAX)
      sub.bad_sign = 1;
    else
      add_sign(&sub, json_string_value(v));
  }
  if (!sub.lat || !sub.lon) {
    ls__server_error(rs, 500, "out of memory");
  } else if (store(rq, &sub, rs) == 0) {
    ls__rl_hit(&rq->srv->rl, LS__RL_PUBLIC_REPORT, rq->client, now);
    ls__server_json(rs, 201, json_pack("{s:b}", "received", 1));
  }
  submission_free(&sub);
  json_decref(b);
}

/* ---- the form POST ----------------------------------------------------- */

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes one application/x-www-form-urlencoded component into a new
 * string; NULL when out of memory, or for an encoded NUL byte. */
static char *form_decode(const char *s, size_t n) {
  char *out = malloc(n + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '+') {
      out[o++] = ' ';
    } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      char c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      if (c == '\0') {
        free(out);
        return NULL;
      }
      out[o++] = c;
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  return out;
}

static void set_field(char **slot, char *value) {
  free(*slot);
  *slot = value;
}

/* Parses the form body; 0 ok, -1 malformed (or out of memory). */
static int parse_form(const char *body, size_t len, submission *sub) {
  size_t at = 0;
  while (at < len) {
    size_t end = at;
    while (end < len && body[end] != '&')
      end++;
    size_t eq = at;
    while (eq < end && body[eq] != '=')
      eq++;
    if (eq == end)
      return -1;
    char *key = form_decode(body + at, eq - at), *val = form_decode(body + eq + 1, end - eq - 1);
    if (!key || !val) {
      free(key);
      free(val);
      return -1;
    }
    if (!strcmp(key, "category"))
      set_field(&sub->category, val);
    else if (!strcmp(key, "area"))
      set_field(&sub->area, val);
    else if (!strcmp(key, "postcode"))
      set_field(&sub->postcode, val);
    else if (!strcmp(key, "when"))
      set_field(&sub->when, val);
    else if (!strcmp(key, "description"))
      set_field(&sub->description, val);
    else if (!strcmp(key, "lat"))
      set_field(&sub->lat, val);
    else if (!strcmp(key, "lon"))
      set_field(&sub->lon, val);
    else if (!strcmp(key, "sign")) {
      add_sign(sub, val);
      free(val);
    } else {
      free(val); /* unknown fields are ignored */
    }
    free(key);
    at = end + 1;
  }
  return 0;
}

/* Appends text to an HTML buffer with &<>"' escaped. */
static void html_escape(char *out, size_t cap, const char *s) {
  size_t o = strlen(out);
  for (; *s && o + 7 < cap; s++) {
    const char *rep = NULL;
    switch (*s) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: break;
    }
    if (rep) {
      size_t n = strlen(rep);
      memcpy(out + o, rep, n);
      o += n;
    } else {
      out[o++] = *s;
    }
  }
  out[o] = '\0';
}

/* A whole page in the page's own style: the answer to a form POST. */
static void html_page(ls__response *rs, unsigned status, const char *title, const char *message, int ok) {
  char esc[1200] = "";
  html_escape(esc, sizeof esc, message);
  char *page = malloc(4096);
  if (!page) {
    ls__server_error(rs, 500, "out of memory");
    return;
  }
  snprintf(page, 4096,
           "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>%s - Report a concern</title>\n"
           "<link rel=\"stylesheet\" href=\"/public/report.css\">\n</head>\n<body>\n"
           "<main class=\"page\">\n<h1>%s</h1>\n<p id=\"result\" class=\"%s\" role=\"%s\">%s</p>\n"
           "<p><a href=\"/report\">%s</a></p>\n"
           "<aside class=\"advice\"><h2>If someone is in danger</h2>"
           "<p>Call <strong>999</strong> now. To tell us something without giving your name, "
           "you can also call Crimestoppers on <strong>0800 555 111</strong>.</p></aside>\n"
           "</main>\n</body>\n</html>\n",
           title, title, ok ? "ok" : "error", ok ? "status" : "alert", esc,
           ok ? "Report something else" : "Go back to the form");
  rs->status = status;
  json_decref(rs->json);
  rs->json = NULL;
  free(rs->body);
  rs->body = page;
  rs->body_len = strlen(page);
  rs->content_type = "text/html; charset=utf-8";
}

void ls__public_report_form(ls__request *rq, ls__response *rs) {
  int64_t now = ls_time_now();
  int64_t wait = ls__rl_wait(&rq->srv->rl, LS__RL_PUBLIC_REPORT, rq->client, now);
  if (wait > 0) {
    rs->retry_after = wait;
    html_page(rs, 429, "Please wait", "Many reports have come from here just now. Please try again later.", 0);
    return;
  }
  const char *ct = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-Type");
  if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
    html_page(rs, 415, "Not sent", "The report must be sent from the form.", 0);
    return;
  }
  submission sub;
  memset(&sub, 0, sizeof sub);
  ls__response tmp;
  memset(&tmp, 0, sizeof tmp);
  if (parse_form(rq->body ? rq->body : "", rq->body_len, &sub)) {
    html_page(rs, 400, "Not sent", "The form could not be read. Please try again.", 0);
  } else if (store(rq, &sub, &tmp) == 0) {
    ls__rl_hit(&rq->srv->rl, LS__RL_PUBLIC_REPORT, rq->client, now);
    html_page(rs, 200, "Thank you",
              "Thank you. Your report has been received. You will not be contacted, because we do not "
              "know who you are.",
              1);
  } else {
    const char *why = json_string_value(json_object_get(tmp.json, "error"));
    char msg[700];
    snprintf(msg, sizeof msg, "Your report was not sent: %s.", tmp.status >= 500 ? "something went wrong here" : why ? why : "?");
    html_page(rs, tmp.status >= 500 ? 500 : 400, "Not sent", msg, 0);
  }
  json_decref(tmp.json);
  free(tmp.body);
  submission_free(&sub);
}

void ls__public_report_page(ls__request *rq, ls__response *rs) { ls__server_static(rq, rs, "public/report.html"); }

/* ---- the analysts' list (the issue 7 API, kept) ---------------------------- */

typedef struct list_ctx {
  ls__request *rq;
  json_t *list, *seen;
} list_ctx;

static int list_one(const ls_intel_item *it, const ls_intel_link *links, size_t n, void *ctx) {
  list_ctx *c = ctx;
  if (!ls_auth_force_may_see(&c->rq->session->user, it->force[0] ? it->force : NULL))
    return 0;
  json_t *o = ls__intel_json(it, links, n);
  if (o) {
    /* the keys of the first public-report API stay */
    json_object_set_new(o, "received_on", json_string(it->received_on));
    json_array_append_new(c->list, o);
  }
  char id[48];
  snprintf(id, sizeof id, "intel:%lld", (long long)it->id);
  json_array_append_new(c->seen, json_string(id));
  return 0;
}

void ls__api_public_reports_list(ls__request *rq, ls__response *rs) {
  list_ctx c = {rq, json_array(), json_array()};
  ls_error err;
  ls_error_clear(&err);
  ls_intel_filter f = {.source = "public"};
  ls_status rc = c.list && c.seen ? ls_store_intel_list(rq->st, &f, list_one, &c, &err) : LS_ERR_NOMEM;
  if (rc) {
    json_decref(c.list);
    json_decref(c.seen);
    if (rc == LS_ERR_NOMEM)
      err.code = LS_ERR_NOMEM;
    ls__server_fail(rs, &err);
    return;
  }
  char *records = ls__server_join(c.seen);
  json_decref(c.seen);
  if (ls__server_audit(rq, "read", records ? records : "public reports", "")) {
    free(records);
    json_decref(c.list);
    ls__server_error(rs, 500, "internal error");
    return;
  }
  free(records);
  ls__server_json(rs, 200, json_pack("{s:o}", "reports", c.list));
}
