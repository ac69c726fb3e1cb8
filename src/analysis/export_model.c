/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The export model: one network and one map built from an analysis result
 * and the events and reference data behind it, written by every format
 * (docs/exports.md lists what goes in and why). Also the module's entry
 * points, ls_export_write and ls_export_store.
 *
 * Build cost: O(R) for the result and reference rows, one pass over the
 * events (O(E), hash maps for contacts and handsets), and a sort of the map
 * points of the lines' own numbers (O(P log P)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_buf.h"
#include "../core/ls_mem.h"
#include "export_internal.h"
#include "linesight/ls_analysis.h"
#include "linesight/ls_store_events.h"

static const char *const kind_names[LS__EX_KINDS] = {"line", "number", "handset", "person", "address"};
static const char *const link_names[LS__EX_LINKS] = {"role", "contact", "used_in", "uses", "cuckoo"};
static const char *const role_names[] = {"deal", "holder", "runner", "customer"};
#define ROLE_NONE 4
#define ROLE_CORE_MAX 2 /* deal, holder, runner: the line's own numbers */

const char *ls__export_kind_name(ls__ex_kind k) { return kind_names[k]; }
const char *ls__export_link_name(ls__ex_link k) { return link_names[k]; }
int ls__export_placed(double lat, double lon) { return isfinite(lat) && isfinite(lon); }

ls_status ls_export_format_parse(const char *name, ls_export_format *fmt) {
  static const char *const names[] = {"i2", "graphml", "gexf", "geojson", "kml", "xlsx"};
  for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(name, names[i])) {
      *fmt = (ls_export_format)i;
      return LS_OK;
    }
  return LS_ERR_USAGE;
}

const char *ls_export_format_name(ls_export_format fmt) {
  static const char *const names[] = {"i2", "graphml", "gexf", "geojson", "kml", "xlsx"};
  return (unsigned)fmt < sizeof names / sizeof names[0] ? names[fmt] : "?";
}

void ls_export_opts_init(ls_export_opts *opts) {
  opts->line = NULL;
  opts->handling = 'C';
}

static int role_rank(const char *role) {
  for (int i = 0; role && i < ROLE_NONE; i++)
    if (!strcmp(role, role_names[i]))
      return i;
  return ROLE_NONE;
}

static int64_t parse_time(json_t *v) {
  const char *s = json_string_value(v);
  int64_t t;
  const char *reason;
  if (!s || ls_time_parse(s, strlen(s), NULL, &t, &reason))
    return LS__EX_NO_TIME;
  return t;
}

static double score_of(json_t *v) { return json_is_number(v) ? json_number_value(v) : NAN; }

/* ---- a u64 -> u32 map (open addressing) for contacts and handset uses --- */

typedef struct pair_map {
  uint64_t *keys; /* key + 1; 0 = empty */
  uint32_t *vals;
  size_t cap, n;
} pair_map;

static void pair_map_free(pair_map *pm) {
  ls_free(pm->keys);
  ls_free(pm->vals);
}

static size_t pair_slot(const pair_map *pm, uint64_t key) {
  size_t h = (size_t)((key + 1) * 0x9E3779B97F4A7C15ull) & (pm->cap - 1);
  while (pm->keys[h] && pm->keys[h] != key + 1)
    h = (h + 1) & (pm->cap - 1);
  return h;
}

/* Finds key; when absent, inserts it with value `fresh` and sets *added. */
static ls_status pair_map_get(pair_map *pm, uint64_t key, uint32_t fresh, uint32_t *val, int *added) {
  if ((pm->n + 1) * 2 > pm->cap) {
    size_t cap = pm->cap ? pm->cap * 2 : 1024;
    pair_map g = {ls_calloc(cap, sizeof *g.keys), ls_malloc(cap * sizeof *g.vals), cap, pm->n};
    if (!g.keys || !g.vals) {
      pair_map_free(&g);
      return LS_ERR_NOMEM;
    }
    for (size_t i = 0; i < pm->cap; i++)
      if (pm->keys[i]) {
        size_t h = pair_slot(&g, pm->keys[i] - 1);
        g.keys[h] = pm->keys[i];
        g.vals[h] = pm->vals[i];
      }
    pair_map_free(pm);
    *pm = g;
  }
  size_t h = pair_slot(pm, key);
  *added = !pm->keys[h];
  if (*added) {
    pm->keys[h] = key + 1;
    pm->vals[h] = fresh;
    pm->n++;
  }
  *val = pm->vals[h];
  return LS_OK;
}

/* ---- nodes and edges -------------------------------------------------- */

static ls_status add_node(ls__ex_model *m, ls__ex_kind kind, const char *label, uint32_t *idx,
                          ls_error *err) {
  char stack[256];
  ls_buf b;
  ls_buf_init(&b, 1u << 20);
  const char *key = stack;
  int n = snprintf(stack, sizeof stack, "%s:%s", kind_names[kind], label);
  if (n < 0 || (size_t)n >= sizeof stack) {
    if (ls_buf_printf(&b, "%s:%s", kind_names[kind], label)) {
      ls_buf_free(&b);
      return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
    }
    key = ls_buf_str(&b);
    n = (int)b.len;
  }
  uint32_t id;
  ls_status rc = ls_dict_intern(&m->ids, key, (size_t)n, &id);
  ls_buf_free(&b);
  if (rc)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
  if (id == m->n_nodes) {
    if (m->n_nodes == m->cap_nodes) {
      size_t cap = m->cap_nodes ? m->cap_nodes * 2 : 256;
      ls__ex_node *p = ls_reallocarray(m->nodes, cap, sizeof *p);
      if (!p)
        return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      m->nodes = p;
      m->cap_nodes = cap;
    }
    m->nodes[id] = (ls__ex_node){.kind = kind,
                                 .role_rank = ROLE_NONE,
                                 .score = NAN,
                                 .first = LS__EX_NO_TIME,
                                 .last = LS__EX_NO_TIME};
    m->n_nodes++;
  }
  *idx = id;
  return LS_OK;
}

static ls_status add_edge(ls__ex_model *m, ls__ex_link kind, uint32_t from, uint32_t to, uint32_t *idx,
                          ls_error *err) {
  if (m->n_edges == m->cap_edges) {
    size_t cap = m->cap_edges ? m->cap_edges * 2 : 256;
    ls__ex_edge *p = ls_reallocarray(m->edges, cap, sizeof *p);
    if (!p)
      return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
    m->edges = p;
    m->cap_edges = cap;
  }
  m->edges[m->n_edges] = (ls__ex_edge){.kind = kind,
                                       .from = from,
                                       .to = to,
                                       .score = NAN,
                                       .first = LS__EX_NO_TIME,
                                       .last = LS__EX_NO_TIME};
  *idx = (uint32_t)m->n_edges++;
  return LS_OK;
}

/* Adds line id to the node's ';'-separated list unless it is there. */
static ls_status node_add_line(ls__ex_node *nd, const char *line, ls_error *err) {
  size_t have = nd->lines ? strlen(nd->lines) : 0, len = strlen(line);
  for (const char *p = nd->lines; p && *p;) {
    const char *end = strchr(p, ';');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && !memcmp(p, line, len))
      return LS_OK;
    p += n + (end != NULL);
  }
  char *s = ls_realloc(nd->lines, have + len + 2);
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
  if (have)
    s[have++] = ';';
  memcpy(s + have, line, len + 1);
  nd->lines = s;
  return LS_OK;
}

static void touch(int64_t *first, int64_t *last, int64_t t) {
  if (*first == LS__EX_NO_TIME || t < *first)
    *first = t;
  if (*last == LS__EX_NO_TIME || t > *last)
    *last = t;
}

/* A number's role in a line: the number node (its strongest role wins the
 * node's role) and one role link per number and line. */
static ls_status add_role(ls__ex_model *m, pair_map *roles, const char *number, uint32_t line_node,
                          const char *line_id, const char *role, double score, ls_error *err) {
  uint32_t nn, ei;
  int added;
  ls_status rc = add_node(m, LS__EX_NUMBER, number, &nn, err);
  if (rc)
    return rc;
  ls__ex_node *nd = &m->nodes[nn];
  int rank = role_rank(role);
  if (rank < nd->role_rank || (rank == nd->role_rank && isfinite(score) && !(score <= nd->score))) {
    nd->role_rank = rank;
    nd->role = rank < ROLE_NONE ? role_names[rank] : role;
    nd->score = score;
  }
  rc = node_add_line(nd, line_id, err);
  if (rc)
    return rc;
  rc = pair_map_get(roles, ((uint64_t)nn << 32) | line_node, (uint32_t)m->n_edges, &ei, &added);
  if (rc)
    return LS_FAIL(err, rc, "out of memory building the export");
  if (added) {
    rc = add_edge(m, LS__EX_ROLE, nn, line_node, &ei, err);
    if (rc)
      return rc;
    m->edges[ei].role = role;
    m->edges[ei].score = score;
  } else {
    ls__ex_edge *ed = &m->edges[ei];
    int had = role_rank(ed->role);
    if (rank < had) {
      ed->role = role;
      ed->score = score;
    } else if (rank == had && !isfinite(ed->score)) {
      ed->score = score; /* the line's lists carry no score; "numbers" does */
    }
  }
  return LS_OK;
}

/* ---- selection from the result ----------------------------------------- */

static ls_status select_result(ls__ex_model *m, const ls_export_opts *opts, ls_error *err) {
  json_t *lines = json_object_get(m->result, "lines");
  if (!json_is_array(lines))
    return LS_FAIL(err, LS_ERR_INPUT, "the analysis result has no \"lines\" list");
  m->lines = json_array();
  m->numbers = json_array();
  m->cuckoo = json_array();
  m->safeguarding = json_array();
  json_t *chosen = json_object();
  json_t *number_line = json_object(); /* number -> its first line, for safeguarding */
  ls_status rc = LS_OK;
  if (!m->lines || !m->numbers || !m->cuckoo || !m->safeguarding || !chosen || !number_line) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
    goto out;
  }
  m->generated = json_string_value(json_object_get(m->result, "generated"));
  size_t i;
  json_t *v;
  json_array_foreach(lines, i, v) {
    const char *id = json_string_value(json_object_get(v, "id"));
    if (!id) {
      rc = LS_FAIL(err, LS_ERR_INPUT, "line %zu of the analysis result has no id", i + 1);
      goto out;
    }
    if (opts->line && strcmp(opts->line, id))
      continue;
    if (json_array_append(m->lines, v) || json_object_set_new(chosen, id, json_true())) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      goto out;
    }
  }
  if (opts->line && !json_array_size(m->lines)) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no line %s in the latest analysis", opts->line);
    goto out;
  }
  json_array_foreach(json_object_get(m->result, "numbers"), i, v) {
    const char *line = json_string_value(json_object_get(v, "line"));
    const char *num = json_string_value(json_object_get(v, "number"));
    if (num && line && !json_object_get(number_line, num))
      json_object_set_new(number_line, num, json_string(line));
    if (num && line && json_object_get(chosen, line) && json_array_append(m->numbers, v)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      goto out;
    }
  }
  json_array_foreach(json_object_get(m->result, "cuckoo_addresses"), i, v) {
    const char *line = json_string_value(json_object_get(v, "line"));
    if (json_string_value(json_object_get(v, "address")) && line && json_object_get(chosen, line) &&
        json_array_append(m->cuckoo, v)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      goto out;
    }
  }
  /* a safeguarding case belongs to the line it names, else to the line of
   * its subject's number; with no line it goes in an all-lines export only */
  json_array_foreach(json_object_get(m->result, "safeguarding"), i, v) {
    json_t *line = json_object_get(v, "line");
    const char *subject = json_string_value(json_object_get(v, "subject"));
    if (!json_is_string(line) && subject)
      line = json_object_get(number_line, subject);
    if (opts->line && !(json_is_string(line) && json_object_get(chosen, json_string_value(line))))
      continue;
    json_t *copy = json_copy(v);
    if (!copy || (json_is_string(line) && json_object_set(copy, "line", line)) ||
        json_array_append_new(m->safeguarding, copy)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      goto out;
    }
  }
out:
  json_decref(chosen);
  json_decref(number_line);
  return rc;
}

/* Lines, their numbers and roles. */
static ls_status build_roles(ls__ex_model *m, ls_error *err) {
  pair_map roles = {0};
  json_t *line_nodes = json_object();
  ls_status rc = line_nodes ? LS_OK : LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
  size_t i;
  json_t *line;
  json_array_foreach(m->lines, i, line) {
    if (rc)
      break;
    const char *id = json_string_value(json_object_get(line, "id"));
    uint32_t ln;
    rc = add_node(m, LS__EX_LINE, id, &ln, err);
    if (rc)
      break;
    ls__ex_node *nd = &m->nodes[ln];
    nd->json = line;
    nd->score = score_of(json_object_get(line, "score"));
    nd->first = parse_time(json_object_get(line, "first_seen"));
    nd->last = parse_time(json_object_get(line, "last_seen"));
    rc = node_add_line(nd, id, err);
    if (!rc && json_object_set_new(line_nodes, id, json_integer(ln)))
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
    /* the line's own lists, in case a number is missing from "numbers" */
    static const struct {
      const char *key, *role;
    } lists[] = {{"numbers", "deal"}, {"holders", "holder"}, {"runners", "runner"}};
    for (size_t k = 0; !rc && k < 3; k++) {
      size_t j;
      json_t *n;
      json_array_foreach(json_object_get(line, lists[k].key), j, n) {
        if (!rc && json_is_string(n))
          rc = add_role(m, &roles, json_string_value(n), ln, id, lists[k].role, NAN, err);
      }
    }
  }
  json_t *v;
  json_array_foreach(m->numbers, i, v) {
    if (rc)
      break;
    const char *line_id = json_string_value(json_object_get(v, "line"));
    json_t *ln = json_object_get(line_nodes, line_id);
    const char *role = json_string_value(json_object_get(v, "role"));
    if (ln)
      rc = add_role(m, &roles, json_string_value(json_object_get(v, "number")),
                    (uint32_t)json_integer_value(ln), line_id, role ? role : "unknown",
                    score_of(json_object_get(v, "score")), err);
  }
  json_array_foreach(m->cuckoo, i, v) {
    if (rc)
      break;
    json_t *ln = json_object_get(line_nodes, json_string_value(json_object_get(v, "line")));
    uint32_t an, ei;
    rc = add_node(m, LS__EX_ADDRESS, json_string_value(json_object_get(v, "address")), &an, err);
    if (rc)
      break;
    ls__ex_node *nd = &m->nodes[an];
    double s = score_of(json_object_get(v, "score"));
    if (!nd->json || s > nd->score) {
      nd->json = v;
      nd->score = s;
    }
    /* the nights the line used it, where the analysis gives them */
    int64_t t0 = parse_time(json_object_get(v, "first_night")), t1 = parse_time(json_object_get(v, "last_night"));
    if (t0 != LS__EX_NO_TIME && t1 != LS__EX_NO_TIME) {
      touch(&nd->first, &nd->last, t0);
      touch(&nd->first, &nd->last, t1);
    }
    rc = node_add_line(nd, json_string_value(json_object_get(v, "line")), err);
    if (!rc)
      rc = add_edge(m, LS__EX_CUCKOO, an, (uint32_t)json_integer_value(ln), &ei, err);
    if (!rc)
      m->edges[ei].score = s;
  }
  pair_map_free(&roles);
  json_decref(line_nodes);
  return rc;
}

/* Handsets, contacts, activity and map points: one pass over the events. */
static ls_status build_from_events(ls__ex_model *m, ls_error *err) {
  const ls_events *ev = m->ev;
  uint32_t *nmap = ls_malloc(((size_t)ev->numbers.count + 1) * sizeof *nmap);
  uint32_t *cmap = ls_malloc(((size_t)ev->cells.count + 1) * sizeof *cmap);
  size_t cap_cells = 0, cap_points = 0;
  pair_map contacts = {0}, handsets = {0};
  ls_dict refcells;
  ls_dict_init(&refcells);
  ls_status rc = LS_OK;
  if (!nmap || !cmap) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
    goto out;
  }
  for (uint32_t i = 0; i < ev->numbers.count; i++)
    nmap[i] = UINT32_MAX;
  for (uint32_t i = 0; i < ev->cells.count; i++)
    cmap[i] = UINT32_MAX;
  for (uint32_t i = 0; i < m->n_nodes; i++) {
    uint32_t id;
    const char *s = ls_dict_str(&m->ids, i);
    if (m->nodes[i].kind == LS__EX_NUMBER &&
        ls_dict_find(&ev->numbers, s + 7, strlen(s + 7), &id) == LS_OK) /* after "number:" */
      nmap[id] = i;
  }
  for (size_t i = 0; m->rd && i < m->rd->n_cells; i++) {
    uint32_t id;
    const char *c = m->rd->cells[i].cell_id;
    if (ls_dict_intern(&refcells, c, strlen(c), &id)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      goto out;
    }
  }
  for (size_t e = 0; e < ev->count; e++) {
    uint32_t who[2] = {nmap[ev->caller[e]], nmap[ev->callee[e]]};
    uint32_t imei[2] = {ev->caller_imei[e], ev->callee_imei[e]};
    uint32_t cell[2] = {ev->caller_cell[e], ev->callee_cell[e]};
    int64_t t = ev->start[e];
    for (int k = 0; k < 2; k++) {
      uint32_t x = who[k];
      if (x == UINT32_MAX || (k == 1 && who[0] == x))
        continue;
      ls__ex_node *nd = &m->nodes[x];
      touch(&nd->first, &nd->last, t);
      nd->events++;
      if (nd->role_rank > ROLE_CORE_MAX)
        continue;
      if (imei[k] != LS_NO_ID) {
        uint32_t hn, ei;
        int added;
        const char *s = ls_dict_str(&ev->imeis, imei[k]);
        rc = add_node(m, LS__EX_HANDSET, s, &hn, err);
        if (rc)
          goto out;
        touch(&m->nodes[hn].first, &m->nodes[hn].last, t);
        m->nodes[hn].events++;
        rc = pair_map_get(&handsets, ((uint64_t)hn << 32) | x, (uint32_t)m->n_edges, &ei, &added);
        if (!rc && added)
          rc = add_edge(m, LS__EX_USED_IN, hn, x, &ei, err);
        if (rc) {
          rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
          goto out;
        }
        touch(&m->edges[ei].first, &m->edges[ei].last, t);
        m->edges[ei].forward++;
      }
      if (cell[k] != LS_NO_ID) {
        uint32_t ci = cmap[cell[k]];
        if (ci == UINT32_MAX) {
          if (m->n_cells == cap_cells) {
            cap_cells = cap_cells ? cap_cells * 2 : 256;
            ls__ex_cell *p = ls_reallocarray(m->cells, cap_cells, sizeof *p);
            if (!p) {
              rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
              goto out;
            }
            m->cells = p;
          }
          uint32_t rid;
          const char *cid = ls_dict_str(&ev->cells, cell[k]);
          int found = ls_dict_find(&refcells, cid, strlen(cid), &rid) == LS_OK;
          ci = cmap[cell[k]] = (uint32_t)m->n_cells++;
          m->cells[ci] = (ls__ex_cell){cell[k], found ? &m->rd->cells[rid] : NULL, 0,
                                       LS__EX_NO_TIME, LS__EX_NO_TIME, 0};
        }
        ls__ex_cell *c = &m->cells[ci];
        c->events++;
        touch(&c->first, &c->last, t);
        c->roles |= 1u << nd->role_rank;
        if (m->n_points == cap_points) {
          cap_points = cap_points ? cap_points * 2 : 1024;
          ls__ex_point *p = ls_reallocarray(m->points, cap_points, sizeof *p);
          if (!p) {
            rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
            goto out;
          }
          m->points = p;
        }
        m->points[m->n_points++] = (ls__ex_point){x, ci, t};
      }
    }
    uint32_t a = who[0], b = who[1];
    if (a == UINT32_MAX || b == UINT32_MAX || a == b ||
        (m->nodes[a].role_rank > ROLE_CORE_MAX && m->nodes[b].role_rank > ROLE_CORE_MAX))
      continue;
    /* contacts between two customers are left out: they are the town's
     * ordinary traffic and say nothing about the line (docs/exports.md) */
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a, ei;
    int added;
    rc = pair_map_get(&contacts, ((uint64_t)lo << 32) | hi, (uint32_t)m->n_edges, &ei, &added);
    if (rc) {
      rc = LS_FAIL(err, rc, "out of memory building the export");
      goto out;
    }
    if (added) {
      /* the link points from the line's side: the number with the
       * stronger role, so a chart reads deal -> customer */
      int a_first = m->nodes[a].role_rank < m->nodes[b].role_rank ||
                    (m->nodes[a].role_rank == m->nodes[b].role_rank && a < b);
      rc = add_edge(m, LS__EX_CONTACT, a_first ? a : b, a_first ? b : a, &ei, err);
      if (rc)
        goto out;
    }
    ls__ex_edge *ed = &m->edges[ei];
    if (ev->type[e] == LS_EV_CALL) {
      ed->calls++;
      ed->duration_s += ev->duration[e];
    } else {
      ed->sms++;
    }
    if (ed->from == a)
      ed->forward++;
    else
      ed->backward++;
    touch(&ed->first, &ed->last, t);
  }
out:
  ls_free(nmap);
  ls_free(cmap);
  pair_map_free(&contacts);
  pair_map_free(&handsets);
  ls_dict_free(&refcells);
  return rc;
}

static int by_node_then_time(const void *x, const void *y) {
  const ls__ex_point *a = x, *b = y;
  if (a->node != b->node)
    return a->node < b->node ? -1 : 1;
  if (a->t != b->t)
    return a->t < b->t ? -1 : 1;
  return (a->cell > b->cell) - (a->cell < b->cell);
}

static int cell_placed(const ls__ex_model *m, uint32_t ci) {
  const ls_cell *c = m->cells[ci].ref;
  return c && ls__export_placed(c->lat, c->lon);
}

/* Movements: each number's placed sightings in time order, cut into trips
 * at gaps over LS__EX_TRIP_GAP_S, repeated cells collapsed, trips with one
 * place dropped (a point is not a movement). Compacts points in place. */
static ls_status build_trips(ls__ex_model *m, ls_error *err) {
  ls_qsort(m->points, m->n_points, sizeof *m->points, by_node_then_time);
  size_t w = 0, cap = 0;
  for (size_t r = 0; r < m->n_points;) {
    size_t start = w;
    uint32_t node = m->points[r].node;
    int64_t prev_t = 0;
    int have = 0;
    for (; r < m->n_points && m->points[r].node == node; r++) {
      ls__ex_point p = m->points[r];
      if (!cell_placed(m, p.cell))
        continue;
      if (have && p.t - prev_t > LS__EX_TRIP_GAP_S)
        break;
      prev_t = p.t;
      if (have && m->points[w - 1].cell == p.cell) {
        continue;
      }
      m->points[w++] = p;
      have = 1;
    }
    if (w - start < 2) {
      w = start;
      continue;
    }
    if (m->n_trips == cap) {
      cap = cap ? cap * 2 : 64;
      ls__ex_trip *t = ls_reallocarray(m->trips, cap, sizeof *t);
      if (!t)
        return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      m->trips = t;
    }
    m->trips[m->n_trips++] = (ls__ex_trip){node, start, w - start};
  }
  m->n_points = w;
  return LS_OK;
}

/* From the reference tables: persons attributed to any exported number,
 * and the place and flags of the cuckooed addresses. */
static ls_status build_refdata(ls__ex_model *m, ls_error *err) {
  ls_dict persons;
  ls_dict_init(&persons);
  ls_status rc = LS_OK;
  for (size_t i = 0; i < m->rd->n_persons; i++) {
    uint32_t id;
    const char *p = m->rd->persons[i].person_id;
    rc = ls_dict_intern(&persons, p, strlen(p), &id);
    if (rc) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the export");
      goto out;
    }
  }
  char key[8 + LS_E164_MAX];
  for (size_t i = 0; i < m->rd->n_attributions; i++) {
    const ls_attribution *a = &m->rd->attributions[i];
    uint32_t nn, pn, ei, pid;
    int n = snprintf(key, sizeof key, "number:%s", a->number);
    if (n < 0 || (size_t)n >= sizeof key || ls_dict_find(&m->ids, key, (size_t)n, &nn) != LS_OK ||
        m->nodes[nn].kind != LS__EX_NUMBER)
      continue;
    rc = add_node(m, LS__EX_PERSON, a->person_id, &pn, err);
    if (rc)
      goto out;
    if (!m->nodes[pn].person && ls_dict_find(&persons, a->person_id, strlen(a->person_id), &pid) == LS_OK)
      m->nodes[pn].person = &m->rd->persons[pid];
    rc = add_edge(m, LS__EX_USES, pn, nn, &ei, err);
    if (rc)
      goto out;
    m->edges[ei].attribution = a;
    m->edges[ei].first = a->from == INT64_MIN ? LS__EX_NO_TIME : a->from;
    m->edges[ei].last = a->to == INT64_MAX ? LS__EX_NO_TIME : a->to;
  }
  /* cuckooed addresses: their place and flags from the addresses table */
  for (size_t i = 0; i < m->rd->n_addresses; i++) {
    const ls_address *ad = &m->rd->addresses[i];
    ls_buf b;
    ls_buf_init(&b, 1u << 20);
    uint32_t an;
    rc = ls_buf_printf(&b, "address:%s", ad->address_id);
    int found = rc == LS_OK && ls_dict_find(&m->ids, ls_buf_str(&b), b.len, &an) == LS_OK;
    ls_buf_free(&b);
    if (rc == LS_ERR_NOMEM) {
      rc = LS_FAIL(err, rc, "out of memory building the export");
      goto out;
    }
    rc = LS_OK; /* an id over the limit names no exported address */
    if (found && !m->nodes[an].address)
      m->nodes[an].address = ad;
  }
out:
  ls_dict_free(&persons);
  return rc;
}

void ls__export_model_free(ls__ex_model *m) {
  for (size_t i = 0; i < m->n_nodes; i++)
    ls_free(m->nodes[i].lines);
  ls_free(m->nodes);
  ls_free(m->edges);
  ls_free(m->cells);
  ls_free(m->points);
  ls_free(m->trips);
  ls_dict_free(&m->ids);
  json_decref(m->lines);
  json_decref(m->numbers);
  json_decref(m->cuckoo);
  json_decref(m->safeguarding);
  json_decref(m->result);
  memset(m, 0, sizeof *m);
}

ls_status ls__export_model_build(ls__ex_model *m, const char *result_json, const ls_events *ev,
                                 const ls_refdata *rd, const ls_export_opts *opts, ls_error *err) {
  memset(m, 0, sizeof *m);
  ls_dict_init(&m->ids);
  m->ev = ev;
  m->rd = rd;
  m->handling = opts->handling ? opts->handling : 'C';
  if (m->handling != 'P' && m->handling != 'C')
    return LS_FAIL(err, LS_ERR_USAGE, "handling code must be P or C, not '%c'", m->handling);
  json_error_t jerr;
  m->result = json_loads(result_json ? result_json : "", 0, &jerr);
  if (!json_is_object(m->result))
    return ls_error_set(err, LS_ERR_INPUT, "analysis result", jerr.line > 0 ? jerr.line : 0,
                        jerr.column > 0 ? jerr.column : 0, "not an analysis result: %s",
                        m->result ? "not a JSON object" : jerr.text);
  ls_status rc = select_result(m, opts, err);
  if (!rc)
    rc = build_roles(m, err);
  if (!rc && ev)
    rc = build_from_events(m, err);
  if (!rc && ev)
    rc = build_trips(m, err);
  if (!rc && rd)
    rc = build_refdata(m, err);
  if (rc)
    return rc;
  /* safeguarding cases on their subjects (a person id or a number) */
  size_t i;
  json_t *v;
  json_array_foreach(m->safeguarding, i, v) {
    const char *subject = json_string_value(json_object_get(v, "subject"));
    const char *priority = json_string_value(json_object_get(v, "priority"));
    static const char *const kinds[] = {"person:", "number:"};
    for (size_t k = 0; subject && k < 2; k++) {
      ls_buf b;
      uint32_t id;
      ls_buf_init(&b, 1u << 20);
      rc = ls_buf_printf(&b, "%s%s", kinds[k], subject);
      if (rc == LS_OK && ls_dict_find(&m->ids, ls_buf_str(&b), b.len, &id) == LS_OK &&
          !m->nodes[id].safeguarding)
        m->nodes[id].safeguarding = priority ? priority : "yes";
      ls_buf_free(&b);
      if (rc == LS_ERR_NOMEM)
        return LS_FAIL(err, rc, "out of memory building the export");
    }
  }
  /* the id pool no longer moves: point the nodes at their ids */
  for (uint32_t i = 0; i < m->n_nodes; i++) {
    m->nodes[i].id = ls_dict_str(&m->ids, i);
    m->nodes[i].label = m->nodes[i].id + strlen(kind_names[m->nodes[i].kind]) + 1;
  }
  return LS_OK;
}

/* ---- entry points ------------------------------------------------------- */

ls_status ls_export_write(const char *result_json, const ls_events *ev, const ls_refdata *rd,
                          ls_export_format fmt, const ls_export_opts *opts, const char *path,
                          ls_export_stats *stats, ls_error *err) {
  ls_export_opts defaults;
  ls_export_stats local;
  if (!opts) {
    ls_export_opts_init(&defaults);
    opts = &defaults;
  }
  if (!stats)
    stats = &local;
  memset(stats, 0, sizeof *stats);
  if (!path || !*path)
    return LS_FAIL(err, LS_ERR_USAGE, "no output file given");
  ls__ex_model m;
  ls_status rc = ls__export_model_build(&m, result_json, ev, rd, opts, err);
  if (rc)
    goto out;
  stats->lines = json_array_size(m.lines);
  stats->nodes = m.n_nodes;
  stats->edges = m.n_edges;
  if (fmt != LS_EXPORT_I2)
    snprintf(stats->files[0], sizeof stats->files[0], "%s", path);
  switch (fmt) {
  case LS_EXPORT_I2:
    rc = ls__export_i2(&m, path, stats, err);
    break;
  case LS_EXPORT_GRAPHML:
    rc = ls__export_graphml(&m, path, err);
    break;
  case LS_EXPORT_GEXF:
    rc = ls__export_gexf(&m, path, err);
    break;
  case LS_EXPORT_GEOJSON:
    rc = ls__export_geojson(&m, path, stats, err);
    break;
  case LS_EXPORT_KML:
    rc = ls__export_kml(&m, path, stats, err);
    break;
  case LS_EXPORT_XLSX:
    rc = ls__export_xlsx(&m, path, err);
    break;
  default:
    rc = LS_FAIL(err, LS_ERR_USAGE, "unknown export format");
  }
out:
  ls__export_model_free(&m);
  return rc;
}

ls_status ls_export_store(ls_store *st, ls_export_format fmt, const ls_export_opts *opts,
                          const char *path, ls_export_stats *stats, ls_error *err) {
  char *text = NULL;
  ls_events ev;
  ls_refdata rd;
  ls_events_init(&ev);
  ls_refdata_init(&rd);
  json_t *result = NULL;
  ls_status rc = ls_analysis_load_latest(st, &text, NULL, NULL, err);
  if (rc)
    goto out;
  /* the events of the analysed window (inclusive times in the result) */
  json_error_t jerr;
  result = json_loads(text, 0, &jerr);
  json_t *window = json_object_get(result, "window");
  int64_t from = parse_time(json_object_get(window, "from"));
  int64_t to = parse_time(json_object_get(window, "to"));
  if (from == LS__EX_NO_TIME || to == LS__EX_NO_TIME || to == INT64_MAX) {
    from = INT64_MIN;
    to = INT64_MAX;
  } else {
    to++;
  }
  rc = ls_store_events_load(st, from, to, &ev, err);
  if (!rc)
    rc = ls_store_refdata_load(st, &rd, err);
  if (!rc)
    rc = ls_export_write(text, &ev, &rd, fmt, opts, path, stats, err);
out:
  json_decref(result);
  ls_analysis_text_free(text);
  ls_events_free(&ev);
  ls_refdata_free(&rd);
  return rc;
}
