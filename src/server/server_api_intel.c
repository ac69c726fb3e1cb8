/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Intelligence items over the API: list and read (reports_read), grade with
 * 3x5x2 and link to records (intel_grade). An item belongs to the force
 * policing its area; another force's item answers 404, as a missing one.
 * docs/public-reports.md documents the JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_public.h"

json_t *ls__intel_json(const ls_intel_item *it, const ls_intel_link *links, size_t nlinks) {
  json_t *signs = json_array(), *ls = json_array();
  if (!signs || !ls) {
    json_decref(signs);
    json_decref(ls);
    return NULL;
  }
  for (const char *p = it->signs; p && *p;) {
    size_t n = strcspn(p, ",");
    json_array_append_new(signs, json_stringn(p, n));
    p += n;
    if (*p == ',')
      p++;
  }
  for (size_t i = 0; i < nlinks; i++)
    json_array_append_new(ls, json_pack("{s:s, s:s, s:s, s:s}", "kind", links[i].kind, "ref", links[i].ref,
                                        "linked_by", links[i].linked_by, "linked_at", links[i].linked_at));
  json_t *grading = json_null();
  if (it->source_evaluation) {
    char a[2] = {it->assessment, 0}, h[2] = {it->handling, 0}, code[8];
    snprintf(code, sizeof code, "%d%c%c", it->source_evaluation, it->assessment, it->handling);
    grading = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "source_evaluation", it->source_evaluation,
                        "intelligence_assessment", a, "handling_code", h, "handling_conditions",
                        it->handling_conditions, "code", code, "graded_by", it->graded_by, "graded_at",
                        it->graded_at);
  }
  json_t *point = it->has_point ? json_pack("{s:f, s:f}", "lat", it->lat, "lon", it->lon) : json_null();
  return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
                   (json_int_t)it->id, "source", it->source, "received_on", it->received_on, "category",
                   it->category, "signs", signs, "area", it->area, "postcode", it->postcode, "point", point,
                   "when", it->seen_when, "description", it->description, "status", it->status, "grading",
                   grading ? grading : json_null(), "links", ls, "force", it->force);
}

typedef struct collect {
  const ls__request *rq;
  json_t *items, *seen;
} collect;

static int collect_one(const ls_intel_item *it, const ls_intel_link *links, size_t n, void *ctx) {
  collect *c = ctx;
  if (!ls_auth_force_may_see(&c->rq->session->user, it->force[0] ? it->force : NULL))
    return 0;
  json_t *o = ls__intel_json(it, links, n);
  if (o)
    json_array_append_new(c->items, o);
  char id[48];
  snprintf(id, sizeof id, "intel:%lld", (long long)it->id);
  json_array_append_new(c->seen, json_string(id));
  return 0;
}

/* Runs a listing into c; 0 ok, else rs is set. */
static int run_list(ls__request *rq, ls__response *rs, const ls_intel_filter *f, collect *c) {
  c->rq = rq;
  c->items = json_array();
  c->seen = json_array();
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = c->items && c->seen ? ls_store_intel_list(rq->st, f, collect_one, c, &err)
                                     : LS_FAIL(&err, LS_ERR_NOMEM, "out of memory");
  if (rc) {
    ls__server_fail(rs, &err);
    return -1;
  }
  char *records = ls__server_join(c->seen);
  rc = ls__server_audit(rq, "read", records ? records : "intelligence items", "");
  free(records);
  if (rc) {
    ls__server_error(rs, 500, "internal error");
    return -1;
  }
  return 0;
}

static void collect_free(collect *c) {
  json_decref(c->items);
  json_decref(c->seen);
}

/* The item id of the path, or 0 (and a 404) when it is not a number. */
static int64_t path_id(ls__request *rq, ls__response *rs) {
  char *end = NULL;
  long long v = strtoll(rq->params[0], &end, 10);
  if (end == rq->params[0] || *end || v <= 0) {
    ls__server_error(rs, 404, "not found");
    return 0;
  }
  return (int64_t)v;
}

void ls__api_intel_list(ls__request *rq, ls__response *rs) {
  ls_intel_filter f = {0};
  f.status = ls__server_query(rq, "status");
  f.source = ls__server_query(rq, "source");
  f.link_kind = ls__server_query(rq, "kind");
  f.link_ref = ls__server_query(rq, "ref");
  const char *limit = ls__server_query(rq, "limit");
  if (limit) {
    char *end = NULL;
    long v = strtol(limit, &end, 10);
    if (end == limit || *end || v < 1 || v > 5000) {
      ls__server_error(rs, 400, "limit: 1 to 5000");
      return;
    }
    f.limit = v;
  }
  if (!f.link_kind != !f.link_ref) {
    ls__server_error(rs, 400, "kind and ref go together");
    return;
  }
  if (f.status && strcmp(f.status, "new") && strcmp(f.status, "graded")) {
    ls__server_error(rs, 400, "status: new or graded");
    return;
  }
  collect c;
  if (run_list(rq, rs, &f, &c) == 0) {
    ls__server_json(rs, 200, json_pack("{s:O}", "items", c.items));
  }
  collect_free(&c);
}

/* Lists the one item of the path; NULL (rs set) when absent or another
 * force's. The caller owns the returned object. */
static json_t *one_item(ls__request *rq, ls__response *rs, int64_t id) {
  ls_intel_filter f = {.id = id};
  collect c;
  json_t *item = NULL;
  if (run_list(rq, rs, &f, &c) == 0) {
    item = json_incref(json_array_get(c.items, 0));
    if (!item)
      ls__server_error(rs, 404, "not found");
  }
  collect_free(&c);
  return item;
}

void ls__api_intel_get(ls__request *rq, ls__response *rs) {
  int64_t id = path_id(rq, rs);
  if (!id)
    return;
  json_t *item = one_item(rq, rs, id);
  if (item)
    ls__server_json(rs, 200, item);
}

/* Changes the item (grade, link or unlink) after checking it is visible,
 * then answers with the item as it now is. */
typedef enum change_kind { GRADE, LINK, UNLINK } change_kind;

static void change(ls__request *rq, ls__response *rs, change_kind kind) {
  int64_t id = path_id(rq, rs);
  if (!id)
    return;
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  json_t *item = one_item(rq, rs, id);
  if (!item) {
    json_decref(b);
    return;
  }
  json_decref(item);
  ls_error err;
  ls_error_clear(&err);
  ls_status rc;
  char detail[200];
  const char *who = rq->session->user.name;
  if (kind == GRADE) {
    json_t *se = json_object_get(b, "source_evaluation");
    const char *a = json_string_value(json_object_get(b, "intelligence_assessment"));
    const char *h = json_string_value(json_object_get(b, "handling_code"));
    const char *cond = json_string_value(json_object_get(b, "handling_conditions"));
    int sev = json_is_integer(se) ? (int)json_integer_value(se) : 0;
    if (json_is_string(se) && strlen(json_string_value(se)) == 1)
      sev = json_string_value(se)[0] - '0';
    char ac = a && strlen(a) == 1 ? a[0] : 0, hc = h && strlen(h) == 1 ? h[0] : 0;
    rc = ls_store_intel_grade(rq->st, id, sev, ac, hc, cond ? cond : "", who, &err);
    snprintf(detail, sizeof detail, "graded %d%c%c", sev, ac ? ac : '?', hc ? hc : '?');
  } else {
    const char *k = json_string_value(json_object_get(b, "kind"));
    const char *r = json_string_value(json_object_get(b, "ref"));
    rc = kind == LINK ? ls_store_intel_link(rq->st, id, k, r, who, &err)
                      : ls_store_intel_unlink(rq->st, id, k, r, &err);
    snprintf(detail, sizeof detail, "%s %.20s %.64s", kind == LINK ? "linked to" : "unlinked from", k ? k : "?",
             r ? r : "?");
  }
  json_decref(b);
  if (rc) {
    ls__server_fail(rs, &err);
    return;
  }
  char rec[48];
  snprintf(rec, sizeof rec, "intel:%lld", (long long)id);
  if (ls__server_audit(rq, "change", rec, detail)) {
    ls__server_error(rs, 500, "internal error");
    return;
  }
  item = one_item(rq, rs, id);
  if (item)
    ls__server_json(rs, 200, item);
}

void ls__api_intel_grade(ls__request *rq, ls__response *rs) { change(rq, rs, GRADE); }
void ls__api_intel_link(ls__request *rq, ls__response *rs) { change(rq, rs, LINK); }
void ls__api_intel_unlink(ls__request *rq, ls__response *rs) { change(rq, rs, UNLINK); }
