/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The analysis driver and its outputs: the result JSON (DESIGN.md s.6), the
 * human summary, and the feature table. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_buf.h"
#include "../core/ls_limits.h"
#include "../core/ls_mem.h"
#include "linesight/ls_time.h"
#include "analysis_findings.h"

ls_status ls__strlist_push(char ***list, size_t *n, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char *s = ls_strdup(buf);
  char **p = s ? ls_reallocarray(*list, *n + 1, sizeof *p) : NULL;
  if (!p) {
    ls_free(s);
    return LS_ERR_NOMEM;
  }
  p[(*n)++] = s;
  *list = p;
  return LS_OK;
}

void ls__strlist_free(char **list, size_t n) {
  for (size_t i = 0; list && i < n; i++)
    ls_free(list[i]);
  ls_free(list);
}

void ls_analysis_opts_init(ls_analysis_opts *opts) {
  memset(opts, 0, sizeof *opts);
  opts->from = INT64_MIN;
  opts->to = INT64_MAX;
}

void ls_analysis_free(ls_analysis *a) {
  if (!a)
    return;
  if (!a->numbers_borrowed)
    ls_dict_free(&a->numbers);
  ls_free(a->feat);
  ls_free(a->pairs);
  ls_free(a->adj_off);
  ls_free(a->adj);
  for (size_t c = 0; a->cand_explain && c < a->n_cands; c++)
    ls__strlist_free(a->cand_explain[c], a->cand_n_explain[c]);
  ls_free(a->cand_explain);
  ls_free(a->cand_n_explain);
  ls_free(a->cands);
  ls_free(a->cand_cells);
  ls_free(a->cand_imeis);
  ls_free(a->x);
  ls_free(a->score);
  ls_free(a->deal);
  ls_free(a->deal_line);
  ls_free(a->deal_out_first);
  ls_free(a->deal_out_last);
  ls_free(a->cell_place);
  for (uint32_t p = 0; a->place_name && p < a->n_places; p++)
    ls_free(a->place_name[p]);
  ls_free(a->place_name);
  for (size_t l = 0; a->lines && l < a->n_lines; l++) {
    ls__line *L = &a->lines[l];
    ls_free(L->numbers);
    ls_free(L->holders);
    ls_free(L->runners);
    ls_free(L->customers);
    ls_free(L->dests);
    ls_free(L->juveniles);
    ls__strlist_free(L->explain, L->n_explain);
  }
  ls_free(a->lines);
  ls__findings_free(a->fx);
  ls_free(a);
}

size_t ls_analysis_line_count(const ls_analysis *a) { return a->n_lines; }
size_t ls_analysis_event_count(const ls_analysis *a) { return a->n_events; }
double ls_analysis_features_seconds(const ls_analysis *a) { return a->stage_s[0]; }

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lines are ranked by harm (analysis_harm.c), then by deal score. */
static int by_rank(const void *x, const void *y) {
  const ls__line *a = x, *b = y;
  double ha = floor(a->harm * 1000), hb = floor(b->harm * 1000);
  if (ha != hb)
    return (ha < hb) - (ha > hb);
  /* scores near 1 tie: compare at two decimals, then by customers */
  double sa = floor(a->score * 100), sb = floor(b->score * 100);
  if (sa != sb)
    return (sa < sb) - (sa > sb);
  if (a->n_customers != b->n_customers)
    return (a->n_customers < b->n_customers) - (a->n_customers > b->n_customers);
  return (a->first > b->first) - (a->first < b->first);
}

/* Ranks lines and writes their explanations. O(lines log lines + roles). */
static ls_status finish_lines(ls_analysis *a) {
  ls_qsort(a->lines, a->n_lines, sizeof *a->lines, by_rank);
  for (size_t l = 0; l < a->n_lines; l++) {
    ls__line *L = &a->lines[l];
    L->rank = (uint32_t)l + 1;
    ls_status rc = LS_OK;
    /* the evidence of the line's strongest number first */
    uint32_t best = L->numbers[0];
    for (size_t i = 1; i < L->n_numbers; i++)
      if (a->score[a->feat[L->numbers[i]].cand] > a->score[a->feat[best].cand])
        best = L->numbers[i];
    uint32_t c = a->feat[best].cand;
    for (size_t i = 0; i < a->cand_n_explain[c] && rc == LS_OK; i++)
      rc = ls__strlist_push(&L->explain, &L->n_explain, "%s: %s", ls_dict_str(&a->numbers, best),
                            a->cand_explain[c][i]);
    if (rc == LS_OK && L->n_numbers > 1)
      rc = ls__strlist_push(&L->explain, &L->n_explain,
                            "%zu numbers linked by carried-over customers and shared handsets", L->n_numbers);
    if (rc == LS_OK)
      rc = ls__strlist_push(&L->explain, &L->n_explain, "%zu customers contacted the line", L->n_customers);
    if (rc == LS_OK && L->n_holders)
      rc = ls__strlist_push(&L->explain, &L->n_explain,
                            "%zu holder number(s) in regular contact with the line phone from %s", L->n_holders,
                            L->origin != LS__NONE && a->place_name[L->origin] ? a->place_name[L->origin]
                                                                              : "outside its area");
    if (rc == LS_OK && L->n_runners)
      rc = ls__strlist_push(&L->explain, &L->n_explain,
                            "%zu runner number(s) seen with the line phone and travelling", L->n_runners);
    if (rc == LS_OK && L->n_juveniles)
      rc = ls__strlist_push(&L->explain, &L->n_explain,
                            "%zu runner(s) attributed to a child under 18 at the time", L->n_juveniles);
    if (rc == LS_OK && L->n_cuckooed)
      rc = ls__strlist_push(&L->explain, &L->n_explain,
                            "%u cuckooed address(es) where its runners or phones stayed overnight", L->n_cuckooed);
    if (rc == LS_OK)
      rc = ls__strlist_push(&L->explain, &L->n_explain,
                            "harm %.2f: revenue about GBP %.0f a day, %zu child runner(s), %u cuckooed home(s), "
                            "%zu customers",
                            L->harm, L->harm_value[LS_HARM_REVENUE], L->n_juveniles, L->n_cuckooed, L->n_customers);
    if (rc)
      return rc;
  }
  return LS_OK;
}

/* The contact graph's last user is harm: the pairs (24 bytes each) and
 * their adjacency go then, before the number dictionary is copied, so the
 * copy lands where they were rather than on top of the peak. */
static ls_status drop_graph(ls_analysis *a, ls_error *err) {
  (void)err;
  ls_free(a->pairs);
  ls_free(a->adj_off);
  ls_free(a->adj);
  a->pairs = NULL;
  a->adj_off = a->adj = NULL;
  a->n_pairs = 0;
  return LS_OK;
}

static ls_status explain_lines(ls_analysis *a, ls_error *err) {
  return finish_lines(a) ? LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory explaining lines") : LS_OK;
}

/* The stages in order; each reads what the earlier ones left in a. */
static const struct {
  const char *name;
  ls_status (*run)(ls_analysis *a, ls_error *err);
} stages[LS__N_STAGES] = {
    {"features", ls__features_compute}, {"scoring", ls__dealline_score},   {"continuity", ls__continuity_link},
    {"roles", ls__roles_assign},        {"movement", ls__movement_trace},  {"cuckooing", ls__cuckoo_find},
    {"juveniles", ls__juveniles_find},  {"harm", ls__harm_score},          {"graph freed", drop_graph},
    {"explain", explain_lines},         {"findings", ls__findings_finish}, {"safeguarding", ls__safeguarding_assess},
};

size_t ls_analysis_stage_count(void) { return LS__N_STAGES; }
const char *ls_analysis_stage_name(size_t i) { return i < LS__N_STAGES ? stages[i].name : NULL; }
double ls_analysis_stage_seconds(const ls_analysis *a, size_t i) { return i < LS__N_STAGES ? a->stage_s[i] : 0; }

/* A copy of a dictionary, its arrays copied whole rather than interned
 * again (a million numbers: a few milliseconds instead of a tenth of a
 * second). The copy is read only (strings and lookups); it can still grow.
 * O(size). Errors: LS_ERR_NOMEM (dst is then empty). */
static ls_status dict_copy(ls_dict *dst, const ls_dict *src) {
  ls_dict d;
  ls_dict_init(&d);
  size_t n = src->count, n_slots = src->slots ? (size_t)src->slot_mask + 1 : 0;
  d.pool = ls_malloc(src->pool_len + 1);
  d.offsets = ls_malloc((n + 1) * sizeof *d.offsets);
  d.lengths = ls_malloc((n + 1) * sizeof *d.lengths);
  d.hashes = ls_malloc((n + 1) * sizeof *d.hashes);
  d.slots = n_slots ? ls_malloc(n_slots * sizeof *d.slots) : NULL;
  if (!d.pool || !d.offsets || !d.lengths || !d.hashes || (n_slots && !d.slots)) {
    ls_dict_free(&d);
    return LS_ERR_NOMEM;
  }
  if (src->pool_len)
    memcpy(d.pool, src->pool, src->pool_len);
  if (n) {
    memcpy(d.offsets, src->offsets, n * sizeof *d.offsets);
    memcpy(d.lengths, src->lengths, n * sizeof *d.lengths);
    memcpy(d.hashes, src->hashes, n * sizeof *d.hashes);
  }
  if (n_slots)
    memcpy(d.slots, src->slots, n_slots * sizeof *d.slots);
  d.pool_len = d.pool_cap = src->pool_len;
  d.count = d.cap = src->count;
  d.slot_mask = src->slot_mask;
  ls_dict_free(dst);
  *dst = d;
  return LS_OK;
}

ls_status ls_analysis_run(const ls_events *ev, const ls_analysis_opts *opts, ls_analysis **out,
                          ls_error *err) {
  *out = NULL;
  ls_analysis *a = ls_calloc(1, sizeof *a);
  if (!a)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory");
  ls_dict_init(&a->numbers);
  if (opts)
    a->opts = *opts;
  else
    ls_analysis_opts_init(&a->opts);
  ls_status rc = LS_OK;
  if (a->opts.deal_threshold < 0 || a->opts.deal_threshold >= 1 || a->opts.from > a->opts.to) {
    rc = LS_FAIL(err, LS_ERR_USAGE, "analysis: bad options (threshold in (0,1), from <= to)");
    goto out;
  }
  /* The model's default cut: a logistic score of 0.5 is even odds. */
  a->threshold = a->opts.deal_threshold > 0 ? a->opts.deal_threshold : 0.5;
  a->ev = ev;
  /* the id -> number mapping is ev's during the run and copied at its end
   * (so ev may be freed after it), when the stages' scratch is gone: the
   * copy then adds nothing to the peak memory */
  a->numbers = ev->numbers;
  a->numbers_borrowed = 1;
  for (size_t i = 0; rc == LS_OK && i < LS__N_STAGES; i++) {
    double t0 = wall_s();
    rc = stages[i].run(a, err);
    a->stage_s[i] = wall_s() - t0;
  }
  ls_dict_init(&a->numbers);
  a->numbers_borrowed = 0;
  if (rc == LS_OK && dict_copy(&a->numbers, &ev->numbers))
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory");
  a->ev = NULL;
out:
  if (rc) {
    ls_analysis_free(a);
    return rc;
  }
  *out = a;
  return LS_OK;
}

/* ---- JSON ----------------------------------------------------------------------- */

static json_t *strings(char **list, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    json_array_append_new(arr, json_string(list[i]));
  return arr;
}

static json_t *number_list(const ls_analysis *a, const uint32_t *ids, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    json_array_append_new(arr, json_string(ls_dict_str(&a->numbers, ids[i])));
  return arr;
}

static json_t *iso(int64_t t) {
  char buf[LS_ISO_MAX];
  ls_time_format_utc(t, buf);
  return json_string(buf);
}

static double round3(double x) { return floor(x * 1000.0 + 0.5) / 1000.0; }

static json_t *place_json(const ls_analysis *a, uint32_t place) {
  if (place == LS__NONE || !a->place_name || !a->place_name[place])
    return json_null();
  return json_string(a->place_name[place]);
}

static void line_id(const ls__line *L, char out[16]) { snprintf(out, 16, "LS-%04u", L->rank); }

/* {"score", "components": {name: value}, "weights": {...}, "parts": {...}}:
 * the components as DESIGN.md s.6 names them (revenue_gbp_per_day,
 * juveniles, cuckooed) and the rest; an unknown component is null. */
static json_t *harm_json(const ls_analysis *a, const ls__line *L) {
  json_t *comp = json_object(), *weights = json_object(), *parts = json_object();
  for (int i = 0; comp && weights && parts && i < LS_HARM_N; i++) {
    const char *name = ls_harm_component_name(i);
    double v = L->harm_value[i];
    json_object_set_new(comp, name,
                        isnan(v) ? json_null()
                        : i == LS_HARM_REVENUE ? json_real(floor(v + 0.5))
                                               : json_integer((json_int_t)v));
    json_object_set_new(weights, name, json_real(a->fx->harm_weights[i]));
    json_object_set_new(parts, name, isnan(L->harm_part[i]) ? json_null() : json_real(round3(L->harm_part[i])));
  }
  return json_pack("{s:f, s:o, s:o, s:o}", "score", round3(L->harm), "components", comp, "weights", weights,
                   "parts", parts);
}

static json_t *line_json(const ls_analysis *a, const ls__line *L) {
  char id[16];
  line_id(L, id);
  json_t *dests = json_array();
  for (size_t i = 0; dests && i < L->n_dests; i++)
    if (a->place_name[L->dests[i]] && L->dests[i] != L->origin)
      json_array_append_new(dests, json_string(a->place_name[L->dests[i]]));
  return json_pack("{s:s, s:I, s:f, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id", id, "rank",
                   (json_int_t)L->rank, "score", round3(L->score), "numbers", number_list(a, L->numbers, L->n_numbers),
                   "holders", number_list(a, L->holders, L->n_holders), "runners",
                   number_list(a, L->runners, L->n_runners), "juvenile_runners",
                   number_list(a, L->juveniles, L->n_juveniles), "customers", (json_int_t)L->n_customers, "origin",
                   place_json(a, L->origin), "destinations", dests, "first_seen", iso(L->first), "last_seen",
                   iso(L->last), "harm", harm_json(a, L), "explain", strings(L->explain, L->n_explain));
}

static json_t *number_json(const char *number, const char *role, double score, const char *line) {
  return json_pack("{s:s, s:s, s:f, s:s}", "number", number, "role", role, "score", round3(score), "line", line);
}

static const char *const prio_names[] = {"high", "medium", "low"};

/* One of cuckoo_addresses (DESIGN.md s.6), with the stay and occupant added. */
static json_t *cuckoo_json(const ls_analysis *a, const ls__cuckoo *c) {
  const ls__address *ad = &a->fx->addresses[c->address];
  char line[16];
  ls__line_label(a, c->line, line);
  return json_pack("{s:s, s:s, s:f, s:o, s:s, s:I, s:I, s:o, s:o, s:o}", "address", ad->id, "line", line, "score",
                   round3(c->score), "explain", strings(c->explain, c->n_explain), "cell", ls__cell_label(a, c->cell),
                   "nights", (json_int_t)c->nights, "runners", (json_int_t)c->runners, "occupant",
                   ad->occupant ? json_string(ad->occupant) : json_null(), "first_night", iso(c->first),
                   "last_night", iso(c->last));
}

/* One of safeguarding (DESIGN.md s.6), with the person, numbers, age and
 * evidence. */
static json_t *safeguarding_json(const ls_analysis *a, const ls__safeguard *g) {
  char line[16];
  ls__line_label(a, g->line, line);
  json_t *ev = json_array();
  for (size_t k = 0; ev && k < g->n_facts; k++)
    json_array_append_new(ev, json_pack("{s:s, s:s}", "fact", g->facts[k].text, "source", g->facts[k].source));
  return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:b, s:s, s:o}", "subject", g->subject, "reasons",
                   strings(g->reasons, g->n_reasons), "priority", prio_names[g->priority], "person",
                   g->person ? json_string(g->person) : json_null(), "numbers", strings(g->numbers, g->n_numbers),
                   "age", g->age >= 0 ? json_integer(g->age) : json_null(), "child", g->child, "line", line,
                   "evidence", ev);
}

/* ---- streaming the result ---------------------------------------------------------------
 *
 * The result is written as it is made: each line, number, finding and trip
 * becomes a small jansson value, is dumped through the caller's writer and
 * freed. Building the whole tree first (and then one string of it, then a
 * copy) cost 3-4x the text in memory and a third of the run's time at 10M
 * events. jansson still encodes every value; only the punctuation between
 * values is written here, laid out as json_dumps lays it out (JSON_INDENT(2)
 * or JSON_COMPACT, keys in the order given), so the text is the same. */

typedef struct jwriter {
  ls_analysis_write_fn write;
  void *data;
  int pretty;
  int depth;   /* indent level of the value being written */
  ls_status rc; /* first failure; later writes do nothing */
} jwriter;

static void jw_raw(jwriter *w, const char *s, size_t n) {
  if (w->rc == LS_OK && n && w->write(s, n, w->data))
    w->rc = LS_ERR_IO;
}

/* A newline and the indent of level `depth` (pretty only). */
static void jw_newline(jwriter *w, int depth) {
  static const char spaces[] = "\n                                                                ";
  if (!w->pretty)
    return;
  size_t n = 1 + 2 * (size_t)depth;
  for (; n > sizeof spaces - 1; n -= sizeof spaces - 2)
    jw_raw(w, spaces, sizeof spaces - 1);
  jw_raw(w, spaces, n);
}

/* jansson's dump of a nested value starts its lines at column 0: shift
 * every line after the first to the value's level. */
static int jw_dump_cb(const char *buf, size_t size, void *data) {
  jwriter *w = data;
  size_t from = 0;
  for (size_t i = 0; i < size; i++)
    if (buf[i] == '\n') {
      jw_raw(w, buf + from, i - from);
      jw_newline(w, w->depth);
      from = i + 1;
    }
  jw_raw(w, buf + from, size - from);
  return w->rc == LS_OK ? 0 : -1;
}

/* Writes v (a NULL v: out of memory) and releases it. */
static void jw_value(jwriter *w, json_t *v) {
  if (!v) {
    if (w->rc == LS_OK)
      w->rc = LS_ERR_NOMEM;
    return;
  }
  size_t flags = (w->pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
  if (w->rc == LS_OK && json_dump_callback(v, jw_dump_cb, w, flags) && w->rc == LS_OK)
    w->rc = LS_ERR_NOMEM;
  json_decref(v);
}

/* An object or array being written: `n` members so far. */
typedef struct jcontainer {
  int n;
  char close;
} jcontainer;

static jcontainer jw_open(jwriter *w, char open) {
  jw_raw(w, &open, 1);
  w->depth++;
  return (jcontainer){0, open == '{' ? '}' : ']'};
}

static void jw_close(jwriter *w, jcontainer *c) {
  w->depth--;
  if (c->n)
    jw_newline(w, w->depth);
  jw_raw(w, &c->close, 1);
}

/* The separator before the next member. */
static void jw_next(jwriter *w, jcontainer *c) {
  if (c->n++)
    jw_raw(w, ",", 1);
  jw_newline(w, w->depth);
}

/* A key of an object; keys are this file's constants (nothing to escape). */
static void jw_key(jwriter *w, jcontainer *c, const char *key) {
  jw_next(w, c);
  jw_raw(w, "\"", 1);
  jw_raw(w, key, strlen(key));
  jw_raw(w, w->pretty ? "\": " : "\":", w->pretty ? 3 : 2);
}

static void jw_field(jwriter *w, jcontainer *c, const char *key, json_t *v) {
  jw_key(w, c, key);
  jw_value(w, v);
}

static void jw_element(jwriter *w, jcontainer *c, json_t *v) {
  jw_next(w, c);
  jw_value(w, v);
}

static json_t *trip_json(const ls_analysis *a, const ls__trip *t) {
  return json_pack("{s:o, s:o, s:o, s:s, s:o, s:s, s:I, s:b, s:b}", "from", place_json(a, t->from_place), "to",
                   place_json(a, t->to_place), "departure", iso(t->depart), "departure_cell",
                   ls__cell_label(a, t->depart_cell), "arrival", iso(t->arrive), "arrival_cell",
                   ls__cell_label(a, t->arrive_cell), "dwell_s", (json_int_t)(t->leave - t->arrive), "school_hours",
                   t->school_hours, "late_night", t->late_night);
}

/* movement: per followed number, its trips and nights in the destination;
 * the trips are streamed too (a busy line phone makes thousands). */
static void movement_write(jwriter *w, const ls_analysis *a) {
  const ls__findings *fx = a->fx;
  jcontainer arr = jw_open(w, '[');
  for (size_t s = 0; w->rc == LS_OK && s < fx->n_subjects; s++) {
    const ls__subject *sub = &fx->subjects[s];
    char line[16];
    ls__line_label(a, sub->line, line);
    jw_next(w, &arr);
    jcontainer o = jw_open(w, '{');
    jw_field(w, &o, "number", json_string(ls_dict_str(&a->numbers, sub->number)));
    jw_field(w, &o, "role", json_string(sub->role == LS__ROLE_RUNNER ? "runner" : "deal"));
    jw_field(w, &o, "line", json_string(line));
    jw_field(w, &o, "nights_in_destination", json_integer((json_int_t)sub->nights));
    jw_field(w, &o, "school_hours_trips", json_integer((json_int_t)sub->school_trips));
    jw_field(w, &o, "late_night_trips", json_integer((json_int_t)sub->late_trips));
    jw_key(w, &o, "trips");
    jcontainer trips = jw_open(w, '[');
    for (uint32_t i = 0; w->rc == LS_OK && i < sub->n_trips; i++)
      jw_element(w, &trips, trip_json(a, &fx->trips[sub->first_trip + i]));
    jw_close(w, &trips);
    jw_close(w, &o);
  }
  jw_close(w, &arr);
}

static void numbers_write(jwriter *w, const ls_analysis *a) {
  jcontainer arr = jw_open(w, '[');
  for (size_t l = 0; w->rc == LS_OK && l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    char id[16];
    line_id(L, id);
    for (size_t i = 0; i < L->n_numbers; i++)
      jw_element(w, &arr, number_json(ls_dict_str(&a->numbers, L->numbers[i]), "deal",
                                      a->score[a->feat[L->numbers[i]].cand], id));
    for (size_t i = 0; i < L->n_holders; i++)
      jw_element(w, &arr, number_json(ls_dict_str(&a->numbers, L->holders[i]), "holder", L->score, id));
    for (size_t i = 0; i < L->n_runners; i++)
      jw_element(w, &arr, number_json(ls_dict_str(&a->numbers, L->runners[i]), "runner", L->score, id));
    for (size_t i = 0; w->rc == LS_OK && i < L->n_customers; i++)
      jw_element(w, &arr, number_json(ls_dict_str(&a->numbers, L->customers[i]), "customer", L->score, id));
  }
  jw_close(w, &arr);
}

ls_status ls_analysis_json_write(const ls_analysis *a, int pretty, ls_analysis_write_fn write, void *data,
                                 ls_error *err) {
  jwriter w = {write, data, pretty, 0, LS_OK};
  jcontainer root = jw_open(&w, '{');
  jw_field(&w, &root, "generated", iso(ls_time_now()));
  jw_field(&w, &root, "events", json_integer((json_int_t)a->n_events));
  jw_field(&w, &root, "window",
           json_pack("{s:o, s:o}", "from", a->n_events ? iso(a->tmin) : json_null(), "to",
                     a->n_events ? iso(a->tmax) : json_null()));
  jw_key(&w, &root, "lines");
  jcontainer lines = jw_open(&w, '[');
  for (size_t l = 0; w.rc == LS_OK && l < a->n_lines; l++)
    jw_element(&w, &lines, line_json(a, &a->lines[l]));
  jw_close(&w, &lines);
  jw_key(&w, &root, "numbers");
  numbers_write(&w, a);
  jw_key(&w, &root, "cuckoo_addresses");
  jcontainer cuckoos = jw_open(&w, '[');
  for (size_t i = 0; w.rc == LS_OK && i < a->fx->n_cuckoos; i++)
    jw_element(&w, &cuckoos, cuckoo_json(a, &a->fx->cuckoos[i]));
  jw_close(&w, &cuckoos);
  jw_key(&w, &root, "safeguarding");
  jcontainer guards = jw_open(&w, '[');
  for (size_t i = 0; w.rc == LS_OK && i < a->fx->n_safeguards; i++)
    jw_element(&w, &guards, safeguarding_json(a, &a->fx->safeguards[i]));
  jw_close(&w, &guards);
  jw_key(&w, &root, "movement");
  movement_write(&w, a);
  jw_close(&w, &root);
  if (w.rc == LS_ERR_NOMEM)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the result");
  if (w.rc)
    return LS_FAIL(err, w.rc, "analysis: cannot write the result");
  return LS_OK;
}

typedef struct text_sink {
  ls_buf b;
  ls_status rc; /* why the buffer refused: LS_ERR_NOMEM or LS_ERR_LIMIT */
} text_sink;

static int sink_write(const char *s, size_t n, void *data) {
  text_sink *t = data;
  t->rc = ls_buf_append(&t->b, s, n);
  return t->rc == LS_OK ? 0 : -1;
}

ls_status ls_analysis_json(const ls_analysis *a, int pretty, char **text, ls_error *err) {
  *text = NULL;
  text_sink t = {.rc = LS_OK};
  ls_buf_init(&t.b, LS_LIMIT_RESULT_TEXT);
  ls_status rc = ls_analysis_json_write(a, pretty, sink_write, &t, err);
  if (rc == LS_ERR_IO && t.rc == LS_ERR_LIMIT)
    rc = LS_FAIL(err, LS_ERR_LIMIT, "analysis: the result is over %u MB; write it to a file (analyse --json FILE)",
                 (unsigned)(LS_LIMIT_RESULT_TEXT >> 20));
  else if (rc == LS_ERR_IO)
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the result");
  if (rc == LS_OK && !t.b.data && ls_buf_append(&t.b, "", 0) != LS_OK)
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the result");
  if (rc) {
    ls_buf_free(&t.b);
    return rc;
  }
  *text = t.b.data; /* ls_buf's memory comes from ls_realloc: ls_analysis_text_free frees it */
  return LS_OK;
}

void ls_analysis_text_free(char *text) { ls_free(text); }

/* ---- summary ---------------------------------------------------------------------- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
      b->failed = 1;
      return;
    }
    if (b->p && b->n + (size_t)w < b->cap) {
      b->n += (size_t)w;
      return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap <= b->n + (size_t)w)
      cap *= 2;
    if (cap > LS_LIMIT_TEXT_OUTPUT) {
      b->failed = 1;
      return;
    }
    char *q = ls_realloc(b->p, cap);
    if (!q) {
      b->failed = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}

ls_status ls_analysis_summary(const ls_analysis *a, size_t max_lines, char **text, ls_error *err) {
  sbuf b = {0};
  *text = NULL;
  char t0[LS_ISO_MAX], t1[LS_ISO_MAX];
  ls_time_format_utc(a->tmin, t0);
  ls_time_format_utc(a->tmax, t1);
  sb_printf(&b, "%zu events, %s to %s: %zu deal lines, %zu deal numbers\n", a->n_events,
            a->n_events ? t0 : "-", a->n_events ? t1 : "-", a->n_lines, a->n_deal);
  for (size_t l = 0; l < a->n_lines && (max_lines == 0 || l < max_lines); l++) {
    const ls__line *L = &a->lines[l];
    char id[16], f[LS_ISO_MAX], e[LS_ISO_MAX];
    line_id(L, id);
    ls_time_format_utc(L->first, f);
    ls_time_format_utc(L->last, e);
    sb_printf(&b, "\n#%u %s  score %.2f  %s -> ", L->rank, id, L->score,
              L->origin != LS__NONE && a->place_name[L->origin] ? a->place_name[L->origin] : "?");
    int any = 0;
    for (size_t i = 0; i < L->n_dests; i++)
      if (a->place_name[L->dests[i]] && L->dests[i] != L->origin) {
        sb_printf(&b, "%s%s", any ? ", " : "", a->place_name[L->dests[i]]);
        any = 1;
      }
    sb_printf(&b, "%s  %.10s .. %.10s\n", any ? "" : "?", f, e);
    sb_printf(&b, "  numbers:");
    for (size_t i = 0; i < L->n_numbers; i++)
      sb_printf(&b, " %s", ls_dict_str(&a->numbers, L->numbers[i]));
    sb_printf(&b, "\n  holders:");
    for (size_t i = 0; i < L->n_holders; i++)
      sb_printf(&b, " %s", ls_dict_str(&a->numbers, L->holders[i]));
    sb_printf(&b, "%s\n  runners:", L->n_holders ? "" : " none found");
    for (size_t i = 0; i < L->n_runners; i++)
      sb_printf(&b, " %s", ls_dict_str(&a->numbers, L->runners[i]));
    sb_printf(&b, "%s\n  customers: %zu\n", L->n_runners ? "" : " none found", L->n_customers);
    for (size_t i = 0; i < L->n_explain; i++)
      sb_printf(&b, "  - %s\n", L->explain[i]);
  }
  if (max_lines && a->n_lines > max_lines)
    sb_printf(&b, "\n(%zu more lines in the JSON result)\n", a->n_lines - max_lines);
  const ls__findings *fx = a->fx;
  sb_printf(&b, "\ncuckooed addresses: %zu\n", fx->n_cuckoos);
  for (size_t i = 0; i < fx->n_cuckoos; i++) {
    const ls__cuckoo *c = &fx->cuckoos[i];
    char line[16];
    ls__line_label(a, c->line, line);
    sb_printf(&b, "  %s  %s  score %.2f  %u nights in %s\n", fx->addresses[c->address].id, line, c->score, c->nights,
              ls__cell_label(a, c->cell));
  }
  sb_printf(&b, "\nsafeguarding: %zu\n", fx->n_safeguards);
  static const char *const prio[] = {"high", "medium", "low"};
  for (size_t i = 0; i < fx->n_safeguards; i++) {
    const ls__safeguard *g = &fx->safeguards[i];
    sb_printf(&b, "  [%s] %s: %s\n", prio[g->priority], g->subject, g->n_reasons ? g->reasons[0] : "");
  }
  if (b.failed) {
    ls_free(b.p);
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the summary");
  }
  *text = b.p;
  return LS_OK;
}

/* ---- feature table --------------------------------------------------------------------- */

static const char *const input_names[LS__NX] = {
#define LS__WEIGHT(name, w, why) #name,
#include "analysis_weights.def"
#undef LS__WEIGHT
};

ls_status ls_analysis_write_features(const ls_analysis *a, const char *path, ls_error *err) {
  FILE *f = fopen(path, "w");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
  fprintf(f, "number,contacts,contacts_in,contacts_out,events,bursts,active_days,cells,imeis");
  for (int i = 0; i < LS__NX; i++)
    fprintf(f, ",%s", input_names[i]);
  fprintf(f, ",score\n");
  for (size_t c = 0; c < a->n_cands; c++) {
    const ls__feat *ft = &a->feat[a->cands[c]];
    fprintf(f, "%s,%u,%u,%u,%u,%u,%u,%u,%u", ls_dict_str(&a->numbers, a->cands[c]), ls__contacts(ft), ft->contacts_in,
            ft->contacts_out, ft->out_calls + ft->in_calls + ft->out_sms + ft->in_sms, ft->bursts, ft->active_days,
            a->cand_cells[c], a->cand_imeis[c]);
    for (int i = 0; i < LS__NX; i++)
      fprintf(f, ",%.6g", a->x[c * LS__NX + (size_t)i]);
    fprintf(f, ",%.6f\n", a->score[c]);
  }
  int bad = ferror(f);
  if (fclose(f) || bad)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "write failed");
  return LS_OK;
}
