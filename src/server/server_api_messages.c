/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Diversion-text campaigns over the API (docs/messaging.md): plan, create,
 * approve (a supervisor who is not the creator), cancel, list, and the
 * do-not-contact list. Sending needs the gateway's credentials and runs as
 * `linesight message send`, not in the server. A plan names customers'
 * numbers: it needs a line the user may see, and every read is audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_messaging.h"
#include "server_public.h"

/* 1 when the signed-in user may see `line` (rs set to 404 otherwise, as
 * for a line that does not exist). */
static int line_visible(ls__request *rq, ls__response *rs, const char *id) {
  ls__view *v = NULL;
  ls_error err;
  ls_error_clear(&err);
  if (!id || !*id) {
    ls__server_error(rs, 400, "line: required");
    return 0;
  }
  if (ls__view_get(rq, &v, &err)) {
    if (err.code == LS_ERR_NOTFOUND)
      ls__server_error(rs, 404, "no analysis has been saved yet");
    else
      ls__server_fail(rs, &err);
    return 0;
  }
  json_t *line = ls__view_line(v, id);
  json_t *areas = ls__server_areas(rq);
  int ok = line && areas && ls__server_line_visible(rq, areas, line);
  json_decref(areas);
  ls__view_put(rq->srv, v);
  if (!ok)
    ls__server_error(rs, areas ? 404 : 500, areas ? "no such line" : "internal error");
  return ok;
}

static json_t *plan_json(const ls_msg_plan *p) {
  json_t *r = json_array();
  for (size_t i = 0; r && i < p->n_recipients; i++)
    json_array_append_new(r, json_string(p->recipients[i]));
  return json_pack("{s:s, s:o, s:{s:I, s:I}}", "line", p->line, "recipients", r ? r : json_array(), "excluded",
                   "children", (json_int_t)p->excluded_children, "do_not_contact", (json_int_t)p->excluded_dnc);
}

static int parse_days(const char *s, int *days) {
  if (!s) {
    *days = LS_MSG_DEFAULT_DAYS;
    return 0;
  }
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 1 || v > LS_MSG_DAYS_MAX)
    return -1;
  *days = (int)v;
  return 0;
}

void ls__api_messages_plan(ls__request *rq, ls__response *rs) {
  const char *line = ls__server_query(rq, "line");
  int days;
  if (parse_days(ls__server_query(rq, "days"), &days)) {
    ls__server_error(rs, 400, "days: 1 to %d", LS_MSG_DAYS_MAX);
    return;
  }
  if (!line_visible(rq, rs, line))
    return;
  ls_msg_plan p;
  ls_error err;
  ls_error_clear(&err);
  if (ls_messaging_plan(rq->st, line, days, &p, &err)) {
    ls__server_fail(rs, &err);
    return;
  }
  char detail[64];
  snprintf(detail, sizeof detail, "plan: %zu recipients", p.n_recipients);
  if (ls__server_audit(rq, "read", line, detail)) {
    ls_messaging_plan_free(&p);
    ls__server_error(rs, 500, "internal error");
    return;
  }
  ls__server_json(rs, 200, plan_json(&p));
  ls_messaging_plan_free(&p);
}

static json_t *status_json(const ls_msg_status *s) {
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I},"
                   " s:{s:I, s:I}, s:b}",
                   "id", (json_int_t)s->id, "line", s->line, "status", s->status, "created_by", s->created_by,
                   "approved_by", s->approved_by, "created_at", s->created_at, "approved_at", s->approved_at,
                   "completed_at", s->completed_at, "operation", s->operation, "force", s->force, "days",
                   (json_int_t)s->days, "recipients", (json_int_t)s->recipients, "states", "planned",
                   (json_int_t)s->planned, "sending", (json_int_t)s->sending, "sent", (json_int_t)s->sent,
                   "delivered", (json_int_t)s->delivered, "failed", (json_int_t)s->failed, "excluded",
                   "children", (json_int_t)s->excluded_children, "do_not_contact",
                   (json_int_t)s->excluded_dnc, "results_recorded", s->results_recorded);
}

static int list_one(const ls_msg_status *s, void *ctx) {
  json_array_append_new(ctx, status_json(s));
  return 0;
}

void ls__api_messages_list(ls__request *rq, ls__response *rs) {
  json_t *list = json_array();
  ls_error err;
  ls_error_clear(&err);
  if (!list || ls_messaging_campaign_list(rq->st, list_one, list, &err)) {
    json_decref(list);
    ls__server_fail(rs, &err);
    return;
  }
  ls__server_json(rs, 200, json_pack("{s:o}", "campaigns", list));
}

static int64_t path_id(ls__request *rq, ls__response *rs) {
  char *end = NULL;
  long long v = strtoll(rq->params[0], &end, 10);
  if (end == rq->params[0] || *end || v <= 0) {
    ls__server_error(rs, 404, "not found");
    return 0;
  }
  return (int64_t)v;
}

static void answer_status(ls__request *rq, ls__response *rs, int64_t id, unsigned code) {
  ls_msg_status s;
  ls_error err;
  ls_error_clear(&err);
  if (ls_messaging_campaign_status(rq->st, id, &s, &err)) {
    ls__server_fail(rs, &err);
    return;
  }
  json_t *o = status_json(&s);
  char text[LS_MSG_TEXT_MAX + 1];
  if (o && ls_messaging_campaign_text(rq->st, id, text, &err) == LS_OK)
    json_object_set_new(o, "text", json_string(text));
  ls__server_json(rs, code, o);
}

void ls__api_messages_get(ls__request *rq, ls__response *rs) {
  int64_t id = path_id(rq, rs);
  if (id)
    answer_status(rq, rs, id, 200);
}

void ls__api_messages_create(ls__request *rq, ls__response *rs) {
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  ls_msg_campaign_opts o = {0};
  o.line = json_string_value(json_object_get(b, "line"));
  json_t *days = json_object_get(b, "days");
  o.days = json_is_integer(days) ? (int)json_integer_value(days) : 0;
  o.text = json_string_value(json_object_get(b, "text"));
  o.operation = json_string_value(json_object_get(b, "operation"));
  o.force = json_string_value(json_object_get(b, "force"));
  o.created_by = rq->session->user.name;
  int64_t id = 0;
  ls_error err;
  ls_error_clear(&err);
  if (days && (!json_is_integer(days) || o.days < 1 || o.days > LS_MSG_DAYS_MAX)) {
    ls__server_error(rs, 400, "days: 1 to %d", LS_MSG_DAYS_MAX);
  } else if (line_visible(rq, rs, o.line)) {
    if (ls_messaging_campaign_create(rq->st, &o, &id, &err)) {
      ls__server_fail(rs, &err);
    } else {
      char rec[48];
      snprintf(rec, sizeof rec, "campaign:%lld", (long long)id);
      if (ls__server_audit(rq, "change", rec, o.line))
        ls__server_error(rs, 500, "internal error");
      else
        answer_status(rq, rs, id, 201);
    }
  }
  json_decref(b);
}

static void transition(ls__request *rq, ls__response *rs, int approve) {
  int64_t id = path_id(rq, rs);
  if (!id)
    return;
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = approve ? ls_messaging_campaign_approve(rq->st, id, &rq->session->user, &err)
                         : ls_messaging_campaign_cancel(rq->st, id, &err);
  if (rc) {
    /* a refused approval says why (same person, wrong role) */
    if (rc == LS_ERR_DENIED)
      ls__server_error(rs, 403, "%s", err.message);
    else
      ls__server_fail(rs, &err);
    return;
  }
  char rec[48];
  snprintf(rec, sizeof rec, "campaign:%lld", (long long)id);
  if (ls__server_audit(rq, "change", rec, approve ? "approved" : "cancelled"))
    ls__server_error(rs, 500, "internal error");
  else
    answer_status(rq, rs, id, 200);
}

void ls__api_messages_approve(ls__request *rq, ls__response *rs) { transition(rq, rs, 1); }
void ls__api_messages_cancel(ls__request *rq, ls__response *rs) { transition(rq, rs, 0); }

static int dnc_one(const char *number, const char *reason, const char *by, const char *at, void *ctx) {
  json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s}", "number", number, "reason", reason, "added_by",
                                       by, "added_at", at));
  return 0;
}

void ls__api_messages_dnc_list(ls__request *rq, ls__response *rs) {
  json_t *list = json_array();
  ls_error err;
  ls_error_clear(&err);
  if (!list || ls_messaging_dnc_list(rq->st, dnc_one, list, &err)) {
    json_decref(list);
    ls__server_fail(rs, &err);
    return;
  }
  if (ls__server_audit(rq, "read", "do-not-contact list", "")) {
    json_decref(list);
    ls__server_error(rs, 500, "internal error");
    return;
  }
  ls__server_json(rs, 200, json_pack("{s:o}", "numbers", list));
}

void ls__api_messages_dnc_add(ls__request *rq, ls__response *rs) {
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  const char *number = json_string_value(json_object_get(b, "number"));
  const char *reason = json_string_value(json_object_get(b, "reason"));
  ls_error err;
  ls_error_clear(&err);
  if (ls_messaging_dnc_add(rq->st, number, reason ? reason : "", rq->session->user.name, &err))
    ls__server_fail(rs, &err);
  else if (ls__server_audit(rq, "change", number, "added to the do-not-contact list"))
    ls__server_error(rs, 500, "internal error");
  else
    ls__server_json(rs, 201, json_pack("{s:b}", "added", 1));
  json_decref(b);
}
