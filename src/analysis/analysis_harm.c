/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Harm ranking of lines (docs/analysis.md, "Harm ranking"), in the spirit of
 * the national coordination centre's prioritisation and MoRiLE (DOMAIN.md,
 * "Standards"): harm to victims and the community, scope, persistence.
 *
 * Each component is a value (shown in the result) and a normalised part in
 * [0,1]; the score is the weighted mean of the parts of the known
 * components. Violence markers have no source in the current inputs (no
 * weapons, injuries or incident records): that component is unknown and
 * left out of the mean rather than counted as zero. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "analysis_findings.h"

/* Spend of one customer on a day they buy from the line: GBP 60, six
 * wraps of heroin or crack at roughly GBP 10 (DOMAIN.md), from DOMAIN.md's
 * own figures: a line typically takes GBP 3,000 a day, and four lines
 * together had 200+ customers a day, i.e. about 50 buying customers a line:
 * 3,000 / 50 = 60. (Users buy several wraps a day, often in more than one
 * call; counting buying days, not calls, keeps a customer who rings three
 * times for one deal from counting thrice.) */
#define SPEND_PER_BUYING_DAY_GBP 60.0
/* Revenue part full at GBP 3,000 a day: DOMAIN.md, "typically £3,000 a day". */
#define REVENUE_FULL_GBP 3000.0
/* Customers part on a log scale, full at 2,000: lines have "100 to over
 * 2,000 contacts over their life" (DOMAIN.md), a range of orders of
 * magnitude. */
#define CUSTOMERS_FULL 2000.0
/* Towns part full at 3 places dealt in: one town is the usual county line
 * (DESIGN.md s.1), three is a regional operation. */
#define TOWNS_FULL 3.0
/* Longevity on a log scale, full at a year: DOMAIN.md quotes a line
 * followed for 450 days; numbers rotate in days to weeks, lines outlive them. */
#define LONGEVITY_FULL_DAYS 365.0

static const char *const names[LS_HARM_N] = {"revenue_gbp_per_day", "juveniles", "cuckooed", "customers",
                                             "towns", "longevity_days", "violence_markers"};
static const char *const short_names[LS_HARM_N] = {"revenue", "juveniles", "cuckooed", "customers",
                                                   "towns",   "longevity", "violence"};

const char *ls_harm_component_name(int component) {
  return component >= 0 && component < LS_HARM_N ? names[component] : NULL;
}

/* Defaults: the harm to people first (revenue is the scale of supply into
 * the community, 0.30; each exploited child 0.25 and each home taken over
 * 0.15 carry the victim-vulnerability weight MoRiLE gives), then scope
 * (customers 0.10, towns 0.05), persistence (0.10) and violence (0.05,
 * counted only where known). They sum to 1. */
void ls_harm_weights_default(double w[LS_HARM_N]) {
  w[LS_HARM_REVENUE] = 0.30;
  w[LS_HARM_JUVENILES] = 0.25;
  w[LS_HARM_CUCKOOED] = 0.15;
  w[LS_HARM_CUSTOMERS] = 0.10;
  w[LS_HARM_TOWNS] = 0.05;
  w[LS_HARM_LONGEVITY] = 0.10;
  w[LS_HARM_VIOLENCE] = 0.05;
}

/* O(components). */
ls_status ls_harm_weight_parse(const char *spec, double w[LS_HARM_N], ls_error *err) {
  const char *eq = strchr(spec, '=');
  if (!eq)
    return LS_FAIL(err, LS_ERR_USAGE, "harm weight: want NAME=WEIGHT, got %s", spec);
  size_t n = (size_t)(eq - spec);
  for (int i = 0; i < LS_HARM_N; i++) {
    if ((strlen(names[i]) != n || strncmp(spec, names[i], n)) &&
        (strlen(short_names[i]) != n || strncmp(spec, short_names[i], n)))
      continue;
    char *end = NULL;
    double v = strtod(eq + 1, &end);
    if (!eq[1] || *end || !(v >= 0) || !isfinite(v))
      return LS_FAIL(err, LS_ERR_USAGE, "harm weight %.*s: not a number >= 0: %s", (int)n, spec, eq + 1);
    w[i] = v;
    return LS_OK;
  }
  return LS_FAIL(err, LS_ERR_USAGE,
                 "harm weight: unknown component %.*s (revenue, juveniles, cuckooed, customers, towns, longevity, "
                 "violence)",
                 (int)n, spec);
}

/* Customer buying days per day of the line's life, in GBP: each day a
 * customer starts contact with the line counts as one day's spend.
 * O(sum of the line numbers' degrees x log customers). */
static double revenue_per_day(const ls_analysis *a, const ls__line *L) {
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
  return SPEND_PER_BUYING_DAY_GBP * (double)initiated / days;
}

static double clamp1(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

/* O(lines + their numbers' degrees). */
ls_status ls__harm_score(ls_analysis *a, ls_error *err) {
  const double *w = a->fx->harm_weights;
  double total = 0;
  for (int i = 0; i < LS_HARM_N; i++)
    total += w[i];
  if (!(total > 0))
    return LS_FAIL(err, LS_ERR_USAGE, "analysis: harm weights must not all be 0");
  for (size_t l = 0; l < a->n_lines; l++) {
    ls__line *L = &a->lines[l];
    double norm[LS_HARM_N];
    size_t towns = 0;
    for (size_t i = 0; i < L->n_dests; i++)
      towns += L->dests[i] != L->origin;
    double days = floor((double)(L->last - L->first) / 86400.0) + 1;
    L->harm_value[LS_HARM_REVENUE] = revenue_per_day(a, L);
    L->harm_value[LS_HARM_JUVENILES] = (double)L->n_juveniles;
    L->harm_value[LS_HARM_CUCKOOED] = (double)L->n_cuckooed;
    L->harm_value[LS_HARM_CUSTOMERS] = (double)L->n_customers;
    L->harm_value[LS_HARM_TOWNS] = (double)towns;
    L->harm_value[LS_HARM_LONGEVITY] = days;
    L->harm_value[LS_HARM_VIOLENCE] = NAN;
    norm[LS_HARM_REVENUE] = clamp1(L->harm_value[LS_HARM_REVENUE] / REVENUE_FULL_GBP);
    /* each child or home adds half of what is left: the first weighs most */
    norm[LS_HARM_JUVENILES] = 1 - pow(0.5, (double)L->n_juveniles);
    norm[LS_HARM_CUCKOOED] = 1 - pow(0.5, (double)L->n_cuckooed);
    norm[LS_HARM_CUSTOMERS] = clamp1(log1p((double)L->n_customers) / log1p(CUSTOMERS_FULL));
    norm[LS_HARM_TOWNS] = clamp1((double)towns / TOWNS_FULL);
    norm[LS_HARM_LONGEVITY] = clamp1(log1p(days) / log1p(LONGEVITY_FULL_DAYS));
    norm[LS_HARM_VIOLENCE] = NAN;
    double known = 0, sum = 0;
    for (int i = 0; i < LS_HARM_N; i++)
      if (!isnan(norm[i])) {
        known += w[i];
        sum += w[i] * norm[i];
      }
    L->harm = known > 0 ? sum / known : 0;
    for (int i = 0; i < LS_HARM_N; i++)
      L->harm_part[i] = isnan(norm[i]) || known <= 0 ? NAN : w[i] * norm[i] / known;
  }
  return LS_OK;
}

/* O(L). */
ls_status ls__findings_finish(ls_analysis *a, ls_error *err) {
  ls__findings *fx = a->fx;
  fx->line_pos = ls_malloc((a->n_lines + 1) * sizeof *fx->line_pos);
  if (!fx->line_pos)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory ranking lines");
  for (size_t l = 0; l < a->n_lines; l++)
    fx->line_pos[a->lines[l].key] = (uint32_t)l;
  return LS_OK;
}
