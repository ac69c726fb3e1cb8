/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The deal-line score: a logistic model over the features of each candidate
 * number, with weights in analysis_weights.def (fitted on simulated worlds
 * kept apart from those the accuracy table is measured on), and for every
 * number it scores an explanation: the evidence that raised or lowered the
 * score, largest contribution first, in words an analyst can check. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "analysis_internal.h"

static const double weights[LS__NX] = {
#define LS__WEIGHT(name, w, why) w,
#include "analysis_weights.def"
#undef LS__WEIGHT
};

typedef struct contribution {
  int input;
  double value; /* weight * input */
} contribution;

static int by_size(const void *x, const void *y) {
  double a = fabs(((const contribution *)x)->value), b = fabs(((const contribution *)y)->value);
  return (a < b) - (a > b);
}

static double pct(double num, double den) { return den > 0 ? 100.0 * num / den : 0.0; }

/* One sentence for one input of number f, positive or negative. O(1). */
static ls_status say(char ***list, size_t *n, int input, const ls__feat *f, double contrib) {
  double calls = (double)f->out_calls + f->in_calls;
  double total = calls + f->out_sms + f->in_sms;
  const char *sign = contrib >= 0 ? "+" : "-";
  switch (input) {
  case LS__X_log_contacts_in:
    return ls__strlist_push(list, n, "%s contacted by %u distinct numbers", sign, f->contacts_in);
  case LS__X_repeat_in_share:
    return ls__strlist_push(list, n, "%s %.0f%% of inbound contacts came back on another day (repeat buyers)",
                            sign, pct(f->repeat_in, f->contacts_in));
  case LS__X_reciprocal_share:
    return ls__strlist_push(list, n, "%s %.0f%% of its %u contacts had traffic both ways", sign,
                            pct(f->reciprocal, ls__contacts(f)), ls__contacts(f));
  case LS__X_burst_day_share:
    if (f->bursts == 0)
      return ls__strlist_push(list, n, "%s no bulk texts in %u active days", sign, f->active_days);
    return ls__strlist_push(list, n, "%s bulk texts on %u of %u active days (%u bursts)", sign, f->burst_days,
                            f->active_days, f->bursts);
  case LS__X_log_burst_max:
    if (f->bursts == 0)
      return LS_OK;
    return ls__strlist_push(list, n, "%s bulk texts to up to %u contacts at once", sign, f->burst_max);
  case LS__X_log_bursts_per_day:
    if (f->bursts == 0)
      return LS_OK;
    return ls__strlist_push(list, n, "%s %.1f bulk-text bursts a day when active", sign,
                            (double)f->bursts / (f->active_days ? f->active_days : 1));
  case LS__X_in_call_share:
    return ls__strlist_push(list, n, "%s %.0f%% of inbound contacts were calls", sign,
                            pct(f->in_calls, (double)f->in_calls + f->in_sms));
  case LS__X_short_call_share:
    return ls__strlist_push(list, n, "%s %.0f%% of its %.0f calls under %d s", sign,
                            pct(f->short_calls, calls), calls, LS__SHORT_CALL_S);
  case LS__X_night_share:
    return ls__strlist_push(list, n, "%s %.0f%% of its activity 18:00-06:00", sign, pct(f->night, total));
  case LS__X_inbound_share:
    return ls__strlist_push(list, n, "%s %.0f%% of its %.0f events inbound", sign,
                            pct((double)f->in_calls + f->in_sms, total), total);
  default:
    return LS_OK;
  }
}

/* Explanation of candidate c: the inputs whose contributions move the score
 * most (up to 5), each as a sentence marked + or -. O(inputs log inputs). */
static ls_status explain(ls_analysis *a, size_t c) {
  contribution con[LS__NX];
  int n = 0;
  for (int i = 0; i < LS__NX; i++) {
    if (i == LS__X_bias)
      continue;
    con[n].input = i;
    con[n].value = weights[i] * a->x[c * LS__NX + (size_t)i];
    n++;
  }
  ls_qsort(con, (size_t)n, sizeof con[0], by_size);
  const ls__feat *f = &a->feat[a->cands[c]];
  ls_status rc = LS_OK;
  for (int i = 0; i < n && i < 5 && rc == LS_OK; i++)
    if (fabs(con[i].value) >= 0.1)
      rc = say(&a->cand_explain[c], &a->cand_n_explain[c], con[i].input, f, con[i].value);
  if (rc == LS_OK && a->cand_imeis[c] > 1)
    rc = ls__strlist_push(&a->cand_explain[c], &a->cand_n_explain[c], "  used %u handsets", a->cand_imeis[c]);
  return rc;
}

/* Scores every candidate and explains those at or above the threshold.
 * O(C) plus the deal numbers' extra features (O(E)). */
ls_status ls__dealline_score(ls_analysis *a, ls_error *err) {
  a->score = ls_calloc(a->n_cands + 1, sizeof *a->score);
  a->cand_explain = ls_calloc(a->n_cands + 1, sizeof *a->cand_explain);
  a->cand_n_explain = ls_calloc(a->n_cands + 1, sizeof *a->cand_n_explain);
  a->deal = ls_malloc((a->n_cands + 1) * sizeof *a->deal);
  if (!a->score || !a->cand_explain || !a->cand_n_explain || !a->deal) {
    /* ls_analysis_free reads the two explanation arrays together */
    ls_free(a->cand_explain);
    a->cand_explain = NULL;
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory scoring numbers");
  }
  for (size_t c = 0; c < a->n_cands; c++) {
    double z = 0;
    for (int i = 0; i < LS__NX; i++)
      z += weights[i] * a->x[c * LS__NX + (size_t)i];
    a->score[c] = 1.0 / (1.0 + exp(-z));
    if (a->score[c] >= a->threshold)
      a->deal[a->n_deal++] = a->cands[c];
  }
  ls_status rc = ls__continuity_recover(a, err);
  if (rc == LS_OK)
    rc = ls__features_deal_extras(a, err);
  if (rc)
    return rc;
  for (size_t d = 0; d < a->n_deal; d++)
    if (explain(a, a->feat[a->deal[d]].cand))
      return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory explaining scores");
  return LS_OK;
}
