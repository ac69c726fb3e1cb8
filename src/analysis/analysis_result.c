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

#include "../core/ls_limits.h"
#include "../core/ls_mem.h"
#include "linesight/ls_time.h"
#include "analysis_internal.h"

/* A street deal is a wrap of heroin or crack at roughly GBP 10 (DOMAIN.md). */
#define WRAP_GBP 10.0
/* A typical line makes GBP 3,000 a day and some over 5,000 (DOMAIN.md): the
 * revenue part of the harm score saturates there. */
#define HARM_REVENUE_FULL 5000.0

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
  ls_free(a->x);
  ls_free(a->score);
  ls_free(a->deal);
  ls_free(a->deal_line);
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
    ls__strlist_free(L->explain, L->n_explain);
  }
  ls_free(a->lines);
  ls_free(a);
}

size_t ls_analysis_line_count(const ls_analysis *a) { return a->n_lines; }
size_t ls_analysis_event_count(const ls_analysis *a) { return a->n_events; }

static int by_rank(const void *x, const void *y) {
  const ls__line *a = x, *b = y;
  /* scores near 1 tie: compare at two decimals, then by customers */
  double sa = floor(a->score * 100), sb = floor(b->score * 100);
  if (sa != sb)
    return (sa < sb) - (sa > sb);
  if (a->n_customers != b->n_customers)
    return (a->n_customers < b->n_customers) - (a->n_customers > b->n_customers);
  return (a->first > b->first) - (a->first < b->first);
}

static double revenue_per_day(const ls_analysis *a, const ls__line *L) {
  /* each contact a customer starts is taken as one deal of one wrap */
  uint64_t initiated = 0;
  for (size_t i = 0; i < L->n_numbers; i++) {
    uint32_t num = L->numbers[i];
    for (uint32_t k = a->adj_off[num]; k < a->adj_off[num + 1]; k++) {
      const ls__pair *p = &a->pairs[a->adj[k]];
      uint32_t other = p->a == num ? p->b : p->a;
      if (ls__u32_contains(L->customers, L->n_customers, other))
        initiated += p->a == num ? p->days_ba : p->days_ab;
    }
  }
  double days = (double)(L->last - L->first) / 86400.0 + 1.0;
  return WRAP_GBP * (double)initiated / days;
}

/* Ranks lines and writes their explanations. O(lines log lines + roles). */
static ls_status finish_lines(ls_analysis *a) {
  qsort(a->lines, a->n_lines, sizeof *a->lines, by_rank);
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
    if (rc)
      return rc;
  }
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
  /* keep the id -> number mapping so ev may be freed after the run */
  for (uint32_t i = 0; rc == LS_OK && i < ev->numbers.count; i++) {
    uint32_t id;
    if (ls_dict_intern(&a->numbers, ls_dict_str(&ev->numbers, i), ev->numbers.lengths[i], &id))
      rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory");
  }
  if (rc == LS_OK)
    rc = ls__features_compute(a, err);
  if (rc == LS_OK)
    rc = ls__dealline_score(a, err);
  if (rc == LS_OK)
    rc = ls__continuity_link(a, err);
  if (rc == LS_OK)
    rc = ls__roles_assign(a, err);
  if (rc == LS_OK && finish_lines(a))
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory explaining lines");
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

static json_t *line_json(const ls_analysis *a, const ls__line *L) {
  char id[16];
  line_id(L, id);
  json_t *dests = json_array();
  for (size_t i = 0; dests && i < L->n_dests; i++)
    if (a->place_name[L->dests[i]] && L->dests[i] != L->origin)
      json_array_append_new(dests, json_string(a->place_name[L->dests[i]]));
  double revenue = revenue_per_day(a, L);
  double harm = revenue >= HARM_REVENUE_FULL ? 1.0 : revenue / HARM_REVENUE_FULL;
  return json_pack("{s:s, s:I, s:f, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:{s:f, s:{s:f, s:i, s:i}}, s:o}",
                   "id", id, "rank", (json_int_t)L->rank, "score", round3(L->score), "numbers",
                   number_list(a, L->numbers, L->n_numbers), "holders", number_list(a, L->holders, L->n_holders),
                   "runners", number_list(a, L->runners, L->n_runners), "customers", (json_int_t)L->n_customers,
                   "origin", place_json(a, L->origin), "destinations", dests, "first_seen", iso(L->first),
                   "last_seen", iso(L->last), "harm", "score", round3(harm), "components",
                   "revenue_gbp_per_day", floor(revenue + 0.5), "juveniles", 0, "cuckooed", 0, "explain",
                   strings(L->explain, L->n_explain));
}

static int add_number(json_t *arr, const char *number, const char *role, double score, const char *line) {
  return json_array_append_new(arr, json_pack("{s:s, s:s, s:f, s:s}", "number", number, "role", role, "score",
                                              round3(score), "line", line));
}

static json_t *result_json(const ls_analysis *a) {
  json_t *lines = json_array(), *numbers = json_array();
  if (!lines || !numbers)
    goto fail;
  for (size_t l = 0; l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    char id[16];
    line_id(L, id);
    json_t *lj = line_json(a, L);
    if (!lj || json_array_append_new(lines, lj))
      goto fail;
    int bad = 0;
    for (size_t i = 0; i < L->n_numbers; i++)
      bad |= add_number(numbers, ls_dict_str(&a->numbers, L->numbers[i]), "deal",
                        a->score[a->feat[L->numbers[i]].cand], id);
    for (size_t i = 0; i < L->n_holders; i++)
      bad |= add_number(numbers, ls_dict_str(&a->numbers, L->holders[i]), "holder", L->score, id);
    for (size_t i = 0; i < L->n_runners; i++)
      bad |= add_number(numbers, ls_dict_str(&a->numbers, L->runners[i]), "runner", L->score, id);
    for (size_t i = 0; i < L->n_customers; i++)
      bad |= add_number(numbers, ls_dict_str(&a->numbers, L->customers[i]), "customer", L->score, id);
    if (bad)
      goto fail;
  }
  json_t *window = json_pack("{s:o, s:o}", "from", a->n_events ? iso(a->tmin) : json_null(), "to",
                             a->n_events ? iso(a->tmax) : json_null());
  return json_pack("{s:o, s:I, s:o, s:o, s:o, s:[], s:[]}", "generated", iso(ls_time_now()), "events",
                   (json_int_t)a->n_events, "window", window, "lines", lines, "numbers", numbers,
                   "cuckoo_addresses", "safeguarding");
fail:
  json_decref(lines);
  json_decref(numbers);
  return NULL;
}

static ls_status copy_text(char *s, char **text, ls_error *err) {
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the result");
  *text = ls_strdup(s);
  free(s);
  if (!*text)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the result");
  return LS_OK;
}

ls_status ls_analysis_json(const ls_analysis *a, int pretty, char **text, ls_error *err) {
  *text = NULL;
  json_t *root = result_json(a);
  if (!root)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory writing the result");
  char *s = json_dumps(root, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
  json_decref(root);
  return copy_text(s, text, err);
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
    fprintf(f, "%s,%u,%u,%u,%u,%u,%u,%u,%u", ls_dict_str(&a->numbers, a->cands[c]), ft->contacts, ft->contacts_in,
            ft->contacts_out, ft->out_calls + ft->in_calls + ft->out_sms + ft->in_sms, ft->bursts, ft->active_days,
            ft->cells, ft->imeis);
    for (int i = 0; i < LS__NX; i++)
      fprintf(f, ",%.6g", a->x[c * LS__NX + (size_t)i]);
    fprintf(f, ",%.6f\n", a->score[c]);
  }
  int bad = ferror(f);
  if (fclose(f) || bad)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "write failed");
  return LS_OK;
}
