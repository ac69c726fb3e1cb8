/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Lines, a line's network, timeline and map, and the safeguarding list:
 * the latest analysis (server_view.c) cut to what the user's force may see.
 * Every answer here holds communications or person data, so every one is
 * audited with the records it returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "linesight/ls_time.h"
#include "server_internal.h"

/* Customers drawn in one network chart at most: the console keeps 2,000
 * nodes interactive (issue 7); the rest are counted, not drawn. */
#define NETWORK_CUSTOMERS_MAX 2000
/* Movements returned for one map: a year of a runner's cell changes. */
#define MAP_MOVEMENTS_MAX 5000

/* Answers 404 for a missing view or line as for a line of another force:
 * the user cannot tell the two apart. */
static json_t *visible_line(ls__request *rq, ls__response *rs, ls__view *v) {
  json_t *line = ls__view_line(v, rq->params[0]);
  json_t *areas = ls__server_areas(rq);
  if (!areas) {
    ls__server_error(rs, 500, "internal error");
    return NULL;
  }
  int ok = line && ls__server_line_visible(rq, areas, line);
  json_decref(areas);
  if (!ok) {
    ls__server_error(rs, 404, "no such line");
    return NULL;
  }
  return line;
}

/* Gets the current view or answers: 404 when nothing was analysed. */
static ls__view *view_or_fail(ls__request *rq, ls__response *rs) {
  ls__view *v = NULL;
  ls_error err;
  ls_error_clear(&err);
  if (ls__view_get(rq, &v, &err)) {
    if (err.code == LS_ERR_NOTFOUND)
      ls__server_error(rs, 404, "no analysis has been saved yet");
    else
      ls__server_fail(rs, &err);
    return NULL;
  }
  return v;
}

static int audit_or_fail(ls__request *rq, ls__response *rs, json_t *records, const char *detail) {
  char *joined = ls__server_join(records);
  ls_status rc = joined ? ls__server_audit(rq, "read", joined, detail) : LS_ERR_NOMEM;
  free(joined);
  if (rc) {
    /* no answer without its audit entry */
    ls__server_error(rs, 500, "internal error");
    return -1;
  }
  return 0;
}

/* Sets a 200 answer whose body is JSON text already made (a copy of
 * parts[0..n-1] joined); 500 when out of memory. */
static void json_text(ls__response *rs, const char *const *parts, const size_t *lens, size_t n) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    len += lens[i];
  char *body = malloc(len ? len : 1);
  if (!body) {
    ls__server_error(rs, 500, "out of memory");
    return;
  }
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(body + at, parts[i], lens[i]);
    at += lens[i];
  }
  json_decref(rs->json);
  rs->json = NULL;
  free(rs->body);
  rs->body = body;
  rs->body_len = len;
  rs->content_type = "application/json";
  rs->status = 200;
}

/* A growing text buffer for the list answer (server code allocates with
 * the C library, see server_internal.h). */
typedef struct text {
  char *p;
  size_t len, cap;
  int failed;
} text;

static void text_put(text *t, const char *s, size_t n) {
  if (t->failed)
    return;
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + n + 1)
      cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
      t->failed = 1;
      return;
    }
    t->p = p;
    t->cap = cap;
  }
  memcpy(t->p + t->len, s, n);
  t->len += n;
  t->p[t->len] = '\0';
}

void ls__api_lines(ls__request *rq, ls__response *rs) {
  ls_error err;
  ls_error_clear(&err);
  ls__view *v = NULL;
  ls_status rc = ls__view_get(rq, &v, &err);
  if (rc == LS_ERR_NOTFOUND) {
    ls__server_json(rs, 200, json_pack("{s:n, s:[]}", "generated", "lines"));
    return;
  }
  if (rc) {
    ls__server_fail(rs, &err);
    return;
  }
  /* national users see every line: no need to read the areas */
  int national = ls_auth_is_national(&rq->session->user);
  json_t *areas = national ? NULL : ls__server_areas(rq);
  json_t *head = json_pack("{s:O, s:O, s:I, s:s}", "generated",
                           json_object_get(v->result, "generated") ?: json_null(), "events",
                           json_object_get(v->result, "events") ?: json_integer(0), "run",
                           (json_int_t)v->run_id, "saved", v->created);
  char *head_text = head ? json_dumps(head, JSON_COMPACT) : NULL;
  text body = {0}, ids = {0};
  if ((!national && !areas) || !head_text) {
    ls__server_error(rs, 500, "out of memory");
    goto out;
  }
  /* {"generated":...,"saved":"..."} -> {"generated":...,"saved":"...","lines":[...]} */
  text_put(&body, head_text, strlen(head_text) - 1);
  text_put(&body, ",\"lines\":[", 10);
  size_t i, shown = 0;
  json_t *line;
  json_array_foreach(json_object_get(v->result, "lines"), i, line) {
    if (i >= v->nlines || !ls__server_line_visible(rq, areas, line))
      continue;
    const char *id = json_string_value(json_object_get(line, "id"));
    if (shown++) {
      text_put(&body, ",", 1);
      text_put(&ids, ",", 1);
    }
    text_put(&body, v->summary[i], strlen(v->summary[i]));
    if (id)
      text_put(&ids, id, strlen(id));
  }
  text_put(&body, "]}", 2);
  text_put(&ids, "", 0);
  if (body.failed || ids.failed || !ids.p) {
    ls__server_error(rs, 500, "out of memory");
  } else if (ls__server_audit(rq, "read", ids.p, "line list")) {
    ls__server_error(rs, 500, "internal error"); /* no answer without its audit entry */
  } else {
    const char *parts[1] = {body.p};
    json_text(rs, parts, &body.len, 1);
  }
out:
  free(body.p);
  free(ids.p);
  free(head_text);
  json_decref(head);
  json_decref(areas);
  ls__view_put(rq->srv, v);
}

/* ---- per-number activity from the events ---------------------------------- */

typedef struct activity {
  int64_t first, last;
  int64_t events, calls, sms;
} activity;

/* ids of the line's core numbers (deal, holder, runner) in the event table;
 * node_of[number id] = index into core, UINT32_MAX otherwise. */
typedef struct core_set {
  size_t n;
  uint32_t ids[256];
  const char *role[256];
} core_set;

static void core_add(core_set *c, const ls__view *v, const char *number, const char *role) {
  uint32_t id;
  if (c->n >= sizeof c->ids / sizeof c->ids[0] ||
      ls_dict_find(&v->ev.numbers, number, strlen(number), &id))
    return;
  for (size_t i = 0; i < c->n; i++)
    if (c->ids[i] == id)
      return;
  c->ids[c->n] = id;
  c->role[c->n++] = role;
}

static void core_from_line(core_set *c, const ls__view *v, json_t *line) {
  static const struct {
    const char *key, *role;
  } lists[] = {{"numbers", "deal"}, {"holders", "holder"}, {"runners", "runner"}};
  c->n = 0;
  for (size_t k = 0; k < 3; k++) {
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(line, lists[k].key), i, n) {
      if (json_is_string(n))
        core_add(c, v, json_string_value(n), lists[k].role);
    }
  }
}

static json_t *iso(int64_t t) {
  char buf[LS_ISO_MAX];
  ls_time_format_utc(t, buf);
  return json_string(buf);
}

/* The numbers of a line over time (first and last event, counts): one pass
 * over the events, O(E). A view never changes, so each line's timeline is
 * computed once and kept in the view; later requests for the line cost
 * O(its numbers). Called with v->mu held. Returns a new reference, or NULL
 * (out of memory). */
static json_t *line_timeline(ls__view *v, json_t *line) {
  json_t *id = json_object_get(line, "id");
  if (!json_is_string(id))
    return NULL;
  json_t *cached = v->timelines ? json_object_get(v->timelines, json_string_value(id)) : NULL;
  if (cached)
    return json_incref(cached);
  json_t *timeline = NULL;
  core_set core;
  core_from_line(&core, v, line);
  uint32_t *slot = malloc((v->ev.numbers.count + 1) * sizeof *slot);
  activity *act = calloc(core.n + 1, sizeof *act);
  if (!slot || !act)
    goto out;
  for (size_t i = 0; i < v->ev.numbers.count; i++)
    slot[i] = UINT32_MAX;
  for (size_t i = 0; i < core.n; i++) {
    slot[core.ids[i]] = (uint32_t)i;
    act[i].first = INT64_MAX;
    act[i].last = INT64_MIN;
  }
  /* one pass over the events: O(E) */
  for (size_t e = 0; e < v->ev.count; e++) {
    uint32_t ends[2] = {slot[v->ev.caller[e]], slot[v->ev.callee[e]]};
    for (int k = 0; k < 2; k++) {
      if (ends[k] == UINT32_MAX || (k == 1 && ends[1] == ends[0]))
        continue;
      activity *a = &act[ends[k]];
      int64_t t = v->ev.start[e];
      a->first = t < a->first ? t : a->first;
      a->last = t > a->last ? t : a->last;
      a->events++;
      if (v->ev.type[e] == LS_EV_CALL)
        a->calls++;
      else
        a->sms++;
    }
  }
  timeline = json_array();
  for (size_t i = 0; timeline && i < core.n; i++) {
    const char *number = ls_dict_str(&v->ev.numbers, core.ids[i]);
    json_t *info = json_object_get(v->number_info, number);
    json_t *entry = json_pack(
        "{s:s, s:s, s:O, s:o, s:o, s:I, s:I, s:I}", "number", number, "role", core.role[i],
        "score", json_object_get(info, "score") ?: json_null(), "first",
        act[i].events ? iso(act[i].first) : json_null(), "last",
        act[i].events ? iso(act[i].last) : json_null(), "events", (json_int_t)act[i].events,
        "calls", (json_int_t)act[i].calls, "sms", (json_int_t)act[i].sms);
    if (!entry || json_array_append_new(timeline, entry)) {
      json_decref(timeline);
      timeline = NULL;
    }
  }
  if (timeline) {
    if (!v->timelines)
      v->timelines = json_object();
    /* kept only when it could be stored whole; answered either way */
    if (v->timelines)
      json_object_set(v->timelines, json_string_value(id), timeline);
  }
out:
  free(slot);
  free(act);
  return timeline;
}

/* The line's page as JSON text and its audit records, made on the first
 * request for the line and kept in the view. Returns 0, or -1 when out of
 * memory. Called with v->mu held. */
static int line_detail_text(ls__view *v, json_t *line, size_t idx) {
  if (v->detail[idx])
    return 0;
  json_t *timeline = line_timeline(v, line);
  json_t *records = json_array(), *cuckoo = json_array(), *out = json_copy(line);
  int rc = -1;
  if (!timeline || !records || !cuckoo || !out)
    goto done;
  json_array_append(records, json_object_get(line, "id"));
  size_t i;
  json_t *c;
  json_array_foreach(timeline, i, c) json_array_append(records, json_object_get(c, "number"));
  json_array_foreach(json_object_get(v->result, "cuckoo_addresses"), i, c) {
    if (json_equal(json_object_get(c, "line"), json_object_get(line, "id")))
      json_array_append(cuckoo, c);
  }
  json_object_set(out, "evidence", json_object_get(line, "explain") ?: json_array());
  json_object_set(out, "timeline", timeline);
  json_object_set(out, "cuckoo_addresses", cuckoo);
  char *text = json_dumps(out, JSON_COMPACT);
  char *joined = ls__server_join(records);
  if (text && joined) {
    v->detail[idx] = text;
    v->detail_records[idx] = joined;
    rc = 0;
  } else {
    free(text);
    free(joined);
  }
done:
  json_decref(timeline);
  json_decref(records);
  json_decref(cuckoo);
  json_decref(out);
  return rc;
}

void ls__api_line(ls__request *rq, ls__response *rs) {
  ls__view *v = view_or_fail(rq, rs);
  if (!v)
    return;
  ls_error err;
  ls_error_clear(&err);
  json_t *line = visible_line(rq, rs, v);
  if (!line)
    goto out;
  size_t idx = (size_t)json_integer_value(json_object_get(v->line_index, rq->params[0]));
  if (idx >= v->nlines) {
    ls__server_error(rs, 404, "no such line");
    goto out;
  }
  if (rq->io_thread) {
    /* the first request for a line loads the events (seconds) and makes
     * its page: that is a worker's job */
    pthread_mutex_lock(&v->mu);
    int ready = v->data_loaded && v->detail[idx];
    pthread_mutex_unlock(&v->mu);
    if (!ready) {
      rq->defer = 1;
      goto out;
    }
  }
  if (ls__view_load_data(rq, v, &err)) {
    ls__server_fail(rs, &err);
    goto out;
  }
  /* the text is made once under the view's lock, then only read */
  pthread_mutex_lock(&v->mu);
  int made = line_detail_text(v, line, idx);
  pthread_mutex_unlock(&v->mu);
  if (made) {
    ls__server_error(rs, 500, "out of memory");
  } else if (ls__server_audit(rq, "read", v->detail_records[idx], "line detail")) {
    ls__server_error(rs, 500, "internal error"); /* no answer without its audit entry */
  } else {
    const char *parts[1] = {v->detail[idx]};
    size_t len = strlen(v->detail[idx]);
    json_text(rs, parts, &len, 1);
  }
out:
  ls__view_put(rq->srv, v);
}

/* ---- the network around a line ---------------------------------------------- */

typedef struct edge {
  uint64_t key; /* (lo node << 32 | hi node) + 1; 0 = empty */
  uint32_t calls, sms;
} edge;

typedef struct edge_table {
  edge *slots;
  size_t cap, n;
} edge_table;

static edge *edge_at(edge_table *t, uint32_t a, uint32_t b) {
  if (a > b) {
    uint32_t x = a;
    a = b;
    b = x;
  }
  uint64_t key = (((uint64_t)a << 32) | b) + 1;
  if ((t->n + 1) * 2 > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 1024;
    edge *s = calloc(cap, sizeof *s);
    if (!s)
      return NULL;
    for (size_t i = 0; i < t->cap; i++)
      if (t->slots[i].key) {
        size_t h = (size_t)(t->slots[i].key * 0x9E3779B97F4A7C15ull) & (cap - 1);
        while (s[h].key)
          h = (h + 1) & (cap - 1);
        s[h] = t->slots[i];
      }
    free(t->slots);
    t->slots = s;
    t->cap = cap;
  }
  size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull) & (t->cap - 1);
  while (t->slots[h].key && t->slots[h].key != key)
    h = (h + 1) & (t->cap - 1);
  if (!t->slots[h].key) {
    t->slots[h].key = key;
    t->n++;
  }
  return &t->slots[h];
}

typedef struct node {
  uint32_t number;
  const char *role;
  int64_t weight;
} node;

static int by_weight_desc(const void *a, const void *b) {
  const node *x = a, *y = b;
  return (y->weight > x->weight) - (y->weight < x->weight);
}

void ls__api_line_network(ls__request *rq, ls__response *rs) {
  ls__view *v = view_or_fail(rq, rs);
  if (!v)
    return;
  ls_error err;
  ls_error_clear(&err);
  json_t *line = visible_line(rq, rs, v);
  uint32_t *slot = NULL;
  node *nodes = NULL;
  json_t *jn = NULL, *je = NULL, *records = NULL;
  if (!line)
    goto out;
  if (ls__view_load_data(rq, v, &err)) {
    ls__server_fail(rs, &err);
    goto out;
  }
  core_set core;
  core_from_line(&core, v, line);
  /* nodes: the line's own numbers, then its customers from the result */
  size_t cap = core.n + 16, n = 0;
  nodes = malloc(cap * sizeof *nodes);
  slot = malloc((v->ev.numbers.count + 1) * sizeof *slot);
  if (!nodes || !slot) {
    ls__server_error(rs, 500, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < v->ev.numbers.count; i++)
    slot[i] = UINT32_MAX;
  for (size_t i = 0; i < core.n; i++) {
    nodes[n] = (node){core.ids[i], core.role[i], 0};
    slot[core.ids[i]] = (uint32_t)n++;
  }
  const char *key;
  json_t *info;
  json_object_foreach(v->number_info, key, info) {
    uint32_t id;
    if (strcmp(json_string_value(json_object_get(info, "role")) ?: "", "customer") ||
        !json_equal(json_object_get(info, "line"), json_object_get(line, "id")) ||
        ls_dict_find(&v->ev.numbers, key, strlen(key), &id) || slot[id] != UINT32_MAX)
      continue;
    if (n == cap) {
      node *p = realloc(nodes, cap * 2 * sizeof *nodes);
      if (!p) {
        ls__server_error(rs, 500, "out of memory");
        goto out;
      }
      nodes = p;
      cap *= 2;
    }
    nodes[n] = (node){id, "customer", 0};
    slot[id] = (uint32_t)n++;
  }
  /* node weights: events between a node and one of the line's own
   * numbers. O(E) */
  for (size_t e = 0; e < v->ev.count; e++) {
    uint32_t a = slot[v->ev.caller[e]], b = slot[v->ev.callee[e]];
    if (a == UINT32_MAX || b == UINT32_MAX || a == b || (a >= core.n && b >= core.n))
      continue;
    nodes[a].weight++;
    nodes[b].weight++;
  }
  /* keep the most active customers when there are too many to draw */
  size_t customers = n - core.n, drawn = customers;
  if (customers > NETWORK_CUSTOMERS_MAX) {
    ls_qsort(nodes + core.n, customers, sizeof *nodes, by_weight_desc);
    drawn = NETWORK_CUSTOMERS_MAX;
    for (size_t i = core.n + drawn; i < n; i++)
      slot[nodes[i].number] = UINT32_MAX;
    for (size_t i = core.n; i < core.n + drawn; i++)
      slot[nodes[i].number] = (uint32_t)i;
  }
  jn = json_array();
  je = json_array();
  records = json_array();
  for (size_t i = 0; jn && records && i < core.n + drawn; i++) {
    const char *num = ls_dict_str(&v->ev.numbers, nodes[i].number);
    json_array_append_new(jn, json_pack("{s:s, s:s, s:I}", "id", num, "role", nodes[i].role, "weight",
                                        (json_int_t)nodes[i].weight));
    if (i < core.n)
      json_array_append_new(records, json_string(num));
  }
  /* edges, against the final node set: O(E) */
  edge_table fin = {0};
  for (size_t e = 0; je && e < v->ev.count; e++) {
    uint32_t a = slot[v->ev.caller[e]], b = slot[v->ev.callee[e]];
    if (a == UINT32_MAX || b == UINT32_MAX || a == b || (a >= core.n && b >= core.n))
      continue;
    edge *ed = edge_at(&fin, a, b);
    if (!ed) {
      free(fin.slots);
      ls__server_error(rs, 500, "out of memory");
      goto out;
    }
    if (v->ev.type[e] == LS_EV_CALL)
      ed->calls++;
    else
      ed->sms++;
  }
  for (size_t i = 0; je && i < fin.cap; i++) {
    if (!fin.slots[i].key)
      continue;
    uint64_t k = fin.slots[i].key - 1;
    uint32_t a = (uint32_t)(k >> 32), b = (uint32_t)k;
    json_array_append_new(
        je, json_pack("{s:s, s:s, s:I, s:I, s:I}", "source", ls_dict_str(&v->ev.numbers, nodes[a].number),
                      "target", ls_dict_str(&v->ev.numbers, nodes[b].number), "calls",
                      (json_int_t)fin.slots[i].calls, "sms", (json_int_t)fin.slots[i].sms, "weight",
                      (json_int_t)(fin.slots[i].calls + fin.slots[i].sms)));
  }
  free(fin.slots);
  if (!jn || !je || !records) {
    ls__server_error(rs, 500, "out of memory");
    goto out;
  }
  json_array_insert_new(records, 0, json_string(rq->params[0]));
  if (audit_or_fail(rq, rs, records, "line network") == 0) {
    ls__server_json(rs, 200,
                    json_pack("{s:s, s:O, s:O, s:I, s:I}", "line", rq->params[0], "nodes", jn, "edges",
                              je, "customers", (json_int_t)customers, "customers_drawn",
                              (json_int_t)drawn));
  }
out:
  free(slot);
  free(nodes);
  json_decref(jn);
  json_decref(je);
  json_decref(records);
  ls__view_put(rq->srv, v);
}

/* ---- the map: cells, movements, cuckooed addresses ------------------------- */

typedef struct point {
  uint32_t who;  /* index into the core set */
  uint32_t cell; /* id in ev.cells */
  int64_t t;
} point;

static int by_who_then_time(const void *a, const void *b) {
  const point *x = a, *y = b;
  if (x->who != y->who)
    return x->who < y->who ? -1 : 1;
  return (x->t > y->t) - (x->t < y->t);
}

static json_t *coord(double v) { return v == v ? json_real(v) : json_null(); /* NaN: unknown */ }

void ls__api_line_map(ls__request *rq, ls__response *rs) {
  ls__view *v = view_or_fail(rq, rs);
  if (!v)
    return;
  ls_error err;
  ls_error_clear(&err);
  json_t *line = visible_line(rq, rs, v);
  uint32_t *slot = NULL;
  int64_t *count = NULL;
  point *pts = NULL;
  json_t *cells = NULL, *moves = NULL, *addrs = NULL, *records = NULL;
  if (!line)
    goto out;
  if (ls__view_load_data(rq, v, &err)) {
    ls__server_fail(rs, &err);
    goto out;
  }
  core_set core;
  core_from_line(&core, v, line);
  slot = malloc((v->ev.numbers.count + 1) * sizeof *slot);
  count = calloc(v->ev.cells.count + 1, sizeof *count);
  size_t npts = 0, cap = 1024;
  pts = malloc(cap * sizeof *pts);
  if (!slot || !count || !pts) {
    ls__server_error(rs, 500, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < v->ev.numbers.count; i++)
    slot[i] = UINT32_MAX;
  for (size_t i = 0; i < core.n; i++)
    slot[core.ids[i]] = (uint32_t)i;
  /* where the line's own phones were: O(E + P log P) for P sightings */
  for (size_t e = 0; e < v->ev.count; e++) {
    uint32_t who[2] = {slot[v->ev.caller[e]], slot[v->ev.callee[e]]};
    uint32_t cell[2] = {v->ev.caller_cell[e], v->ev.callee_cell[e]};
    for (int k = 0; k < 2; k++) {
      if (who[k] == UINT32_MAX || cell[k] == LS_NO_ID)
        continue;
      count[cell[k]]++;
      if (npts == cap) {
        point *p = realloc(pts, cap * 2 * sizeof *pts);
        if (!p) {
          ls__server_error(rs, 500, "out of memory");
          goto out;
        }
        pts = p;
        cap *= 2;
      }
      pts[npts++] = (point){who[k], cell[k], v->ev.start[e]};
    }
  }
  cells = json_array();
  moves = json_array();
  addrs = json_array();
  records = json_array();
  if (!cells || !moves || !addrs || !records) {
    ls__server_error(rs, 500, "out of memory");
    goto out;
  }
  for (uint32_t c = 0; c < v->ev.cells.count; c++) {
    if (!count[c])
      continue;
    const char *cid = ls_dict_str(&v->ev.cells, c);
    json_t *idx = json_object_get(v->cell_index, cid);
    const ls_cell *rc = idx ? &v->rd.cells[json_integer_value(idx)] : NULL;
    json_array_append_new(cells, json_pack("{s:s, s:o, s:o, s:s?, s:s?, s:I}", "cell", cid, "lat",
                                           rc ? coord(rc->lat) : json_null(), "lon",
                                           rc ? coord(rc->lon) : json_null(), "name",
                                           rc ? rc->name : NULL, "area", rc ? rc->area : NULL,
                                           "events", (json_int_t)count[c]));
  }
  ls_qsort(pts, npts, sizeof *pts, by_who_then_time);
  size_t nmoves = 0;
  for (size_t i = 1; i < npts && nmoves < MAP_MOVEMENTS_MAX; i++) {
    if (pts[i].who != pts[i - 1].who || pts[i].cell == pts[i - 1].cell)
      continue;
    json_array_append_new(
        moves, json_pack("{s:s, s:s, s:s, s:s, s:o}", "number",
                         ls_dict_str(&v->ev.numbers, core.ids[pts[i].who]), "role", core.role[pts[i].who],
                         "from", ls_dict_str(&v->ev.cells, pts[i - 1].cell), "to",
                         ls_dict_str(&v->ev.cells, pts[i].cell), "at", iso(pts[i].t)));
    nmoves++;
  }
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(v->result, "cuckoo_addresses"), i, c) {
    if (!json_equal(json_object_get(c, "line"), json_object_get(line, "id")))
      continue;
    const char *aid = json_string_value(json_object_get(c, "address"));
    const ls_address *a = NULL;
    for (size_t k = 0; aid && k < v->rd.n_addresses && !a; k++)
      if (!strcmp(v->rd.addresses[k].address_id, aid))
        a = &v->rd.addresses[k];
    json_array_append_new(addrs, json_pack("{s:s?, s:O, s:o, s:o}", "address", aid, "score",
                                           json_object_get(c, "score") ?: json_null(), "lat",
                                           a ? coord(a->lat) : json_null(), "lon",
                                           a ? coord(a->lon) : json_null()));
    if (aid)
      json_array_append_new(records, json_string(aid));
  }
  for (size_t k = 0; k < core.n; k++)
    json_array_append_new(records, json_string(ls_dict_str(&v->ev.numbers, core.ids[k])));
  json_array_insert_new(records, 0, json_string(rq->params[0]));
  if (audit_or_fail(rq, rs, records, "line map") == 0)
    ls__server_json(rs, 200,
                    json_pack("{s:s, s:O, s:O, s:O, s:O}", "line", rq->params[0], "origin",
                              json_object_get(line, "origin") ?: json_null(), "cells", cells,
                              "movements", moves, "addresses", addrs));
out:
  free(slot);
  free(count);
  free(pts);
  json_decref(cells);
  json_decref(moves);
  json_decref(addrs);
  json_decref(records);
  ls__view_put(rq->srv, v);
}

/* ---- safeguarding ------------------------------------------------------------ */

void ls__api_safeguarding(ls__request *rq, ls__response *rs) {
  ls_error err;
  ls_error_clear(&err);
  ls__view *v = NULL;
  ls_status rc = ls__view_get(rq, &v, &err);
  if (rc == LS_ERR_NOTFOUND) {
    ls__server_json(rs, 200, json_pack("{s:[]}", "safeguarding"));
    return;
  }
  if (rc) {
    ls__server_fail(rs, &err);
    return;
  }
  json_t *areas = ls__server_areas(rq), *out = json_array(), *records = json_array();
  size_t i;
  json_t *entry;
  json_array_foreach(json_object_get(v->result, "safeguarding"), i, entry) {
    if (!areas || !out || !records)
      break;
    /* a case belongs to its line: named in the entry, or the line of the
     * subject's number; a case tied to no line is seen nationally only */
    const char *subject = json_string_value(json_object_get(entry, "subject"));
    json_t *lid = json_object_get(entry, "line");
    if (!json_is_string(lid) && subject)
      lid = json_object_get(json_object_get(v->number_info, subject), "line");
    json_t *line = json_is_string(lid) ? ls__view_line(v, json_string_value(lid)) : NULL;
    int ok = ls_auth_is_national(&rq->session->user) ||
             (line && ls__server_line_visible(rq, areas, line));
    if (!ok)
      continue;
    json_t *copy = json_copy(entry);
    if (copy && line && !json_object_get(copy, "line"))
      json_object_set(copy, "line", lid);
    json_array_append_new(out, copy);
    if (subject)
      json_array_append_new(records, json_string(subject));
  }
  if (!areas || !out || !records)
    ls__server_error(rs, 500, "out of memory");
  else if (audit_or_fail(rq, rs, records, "safeguarding list") == 0)
    ls__server_json(rs, 200, json_pack("{s:O}", "safeguarding", out));
  json_decref(areas);
  json_decref(out);
  json_decref(records);
  ls__view_put(rq->srv, v);
}
