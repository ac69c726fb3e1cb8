/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Behavioural features of every number (docs/analysis.md, "Features").
 *
 * Hand-written rather than done in SQL because this is the hot path of the
 * analysis: one pass over the event columns for the per-number counts, one
 * radix sort of (pair, day, direction, type) keys for the contact features,
 * one radix sort of the outgoing texts of frequent texters for the bulk-text
 * bursts, and one pass over the events of the few candidate numbers for the
 * time-of-day, day, cell and handset features. No allocation per event. */
#include <math.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "analysis_internal.h"

/* A bulk advert ("flare") is a burst of texts sent seconds apart: DOMAIN.md
 * reports about 500 texts in seconds from one handset. A run of at least
 * BURST_MIN texts with gaps under BURST_GAP_S counts as one; ten texts
 * within seconds of each other is far above what a person types by hand. */
#define BURST_MIN 10u
#define BURST_GAP_S 60
/* Numbers scored by the model: a deal line has 100 to over 2,000 contacts
 * over its life (DOMAIN.md), so a number with fewer than CAND_MIN_CONTACTS
 * distinct contacts and no burst cannot be one; the floor keeps a number
 * that is live only a day or two inside the window. */
#define CAND_MIN_CONTACTS 8u

/* ---- UK civil time ------------------------------------------------------ */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). O(1). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int64_t year_of_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return (int64_t)yoe + era * 400 + (m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* UTC offset in seconds of UK civil time at t: British Summer Time runs from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October. Time-of-day features use the UK clock because the people whose
 * habits they describe live by it. O(1). */
int ls__uk_offset(int64_t t) {
  int64_t days = floor_div(t, 86400);
  int64_t y = year_of_days(days);
  int64_t mar31 = days_from_civil(y, 3, 31), oct31 = days_from_civil(y, 10, 31);
  int64_t mar_sun = mar31 - ((mar31 + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
  int64_t oct_sun = oct31 - ((oct31 + 4) % 7 + 7) % 7;
  return (t >= mar_sun * 86400 + 3600 && t < oct_sun * 86400 + 3600) ? 3600 : 0;
}

/* ---- helpers -------------------------------------------------------------- */

typedef struct day_clock {
  int64_t utc_day0; /* first UTC day of the window */
  int *offset;      /* per UTC day: UK offset at noon */
  size_t n;
  int64_t local_day0; /* local-day number of day index 0 */
} day_clock;

/* O(days in the window). */
static ls_status clock_init(day_clock *c, int64_t tmin, int64_t tmax) {
  c->utc_day0 = floor_div(tmin, 86400);
  c->n = (size_t)(floor_div(tmax, 86400) - c->utc_day0 + 1);
  c->offset = ls_malloc(c->n * sizeof *c->offset);
  if (!c->offset)
    return LS_ERR_NOMEM;
  for (size_t i = 0; i < c->n; i++)
    c->offset[i] = ls__uk_offset((c->utc_day0 + (int64_t)i) * 86400 + 43200);
  c->local_day0 = floor_div(tmin + c->offset[0], 86400);
  return LS_OK;
}

/* Local seconds of t (UTC plus the UK offset of its UTC day). O(1). */
static inline int64_t clock_local(const day_clock *c, int64_t t) {
  return t + c->offset[floor_div(t, 86400) - c->utc_day0];
}

static inline uint32_t clock_day(const day_clock *c, int64_t t) {
  return (uint32_t)(floor_div(clock_local(c, t), 86400) - c->local_day0);
}

static inline int in_window(const ls_analysis *a, int64_t t) {
  return t >= a->opts.from && t < a->opts.to;
}

/* ---- passes ----------------------------------------------------------------- */

/* Per-number counts and the window's extent. O(E). */
static void count_pass(ls_analysis *a) {
  const ls_events *ev = a->ev;
  ls__feat *f = a->feat;
  a->tmin = INT64_MAX;
  a->tmax = INT64_MIN;
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    if (!in_window(a, t))
      continue;
    a->n_events++;
    if (t < a->tmin)
      a->tmin = t;
    if (t > a->tmax)
      a->tmax = t;
    ls__feat *fc = &f[ev->caller[i]], *fe = &f[ev->callee[i]];
    if (ev->type[i] == LS_EV_CALL) {
      fc->out_calls++;
      fe->in_calls++;
      int32_t d = ev->duration[i];
      if (d > 0) {
        fc->call_secs += (uint64_t)d;
        fe->call_secs += (uint64_t)d;
      }
      if (d < LS__SHORT_CALL_S) {
        fc->short_calls++;
        fe->short_calls++;
      }
    } else {
      fc->out_sms++;
      fe->in_sms++;
    }
    if (t < fc->first)
      fc->first = t;
    if (t > fc->last)
      fc->last = t;
    if (t < fe->first)
      fe->first = t;
    if (t > fe->last)
      fe->last = t;
  }
}

/* Contact pairs: sorts one key per event, (lo, hi, day, direction, type),
 * and folds each pair's run into an ls__pair and the contact features of
 * both numbers. O(E * passes) time, 16 bytes per event of scratch. */
static ls_status pair_pass(ls_analysis *a, const day_clock *clk, ls_error *err) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  unsigned nb = ls__bits_for(a->n_numbers ? a->n_numbers - 1 : 0);
  unsigned db = ls__bits_for(a->n_days ? a->n_days - 1 : 0);
  unsigned day_shift = 0;
  if (2 * nb + 2 > 64)
    return LS_FAIL(err, LS_ERR_LIMIT, "analysis: too many distinct numbers (%u)", a->n_numbers);
  while (2 * nb + db + 2 > 64) { /* very long windows: coarser days */
    db--;
    day_shift++;
  }
  unsigned hi_shift = db + 2, lo_shift = nb + db + 2, bits = 2 * nb + db + 2;
  uint64_t *keys = ls_malloc((a->n_events ? a->n_events : 1) * sizeof *keys);
  uint64_t *tmp = ls_malloc((a->n_events ? a->n_events : 1) * sizeof *tmp);
  if (!keys || !tmp) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory sorting contacts");
    goto out;
  }
  size_t n = 0;
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    uint32_t c = ev->caller[i], e = ev->callee[i];
    if (!in_window(a, t) || c == e)
      continue;
    uint64_t lo = c < e ? c : e, hi = c < e ? e : c;
    uint64_t day = clock_day(clk, t) >> day_shift;
    keys[n++] = (lo << lo_shift) | (hi << hi_shift) | (day << 2) | ((uint64_t)(c != lo) << 1) |
                (uint64_t)(ev->type[i] == LS_EV_CALL);
  }
  ls__radix_sort_u64(keys, tmp, n, bits);

  /* count pairs, then fill */
  size_t np = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || (keys[i] >> hi_shift) != (keys[i - 1] >> hi_shift))
      np++;
  a->pairs = ls_calloc(np ? np : 1, sizeof *a->pairs);
  if (!a->pairs) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for contact pairs");
    goto out;
  }
  uint64_t hi_mask = (1ull << nb) - 1, day_mask = (1ull << db) - 1;
  size_t p = 0;
  for (size_t i = 0; i < n;) {
    uint64_t pk = keys[i] >> hi_shift;
    ls__pair *pr = &a->pairs[p++];
    pr->a = (uint32_t)(pk >> nb);
    pr->b = (uint32_t)(pk & hi_mask);
    uint64_t last_day_ab = UINT64_MAX, last_day_ba = UINT64_MAX;
    for (; i < n && (keys[i] >> hi_shift) == pk; i++) {
      uint64_t k = keys[i], day = (k >> 2) & day_mask;
      if (k & 1)
        pr->calls++;
      if (k & 2) {
        pr->n_ba++;
        if (day != last_day_ba && pr->days_ba < UINT16_MAX)
          pr->days_ba++;
        last_day_ba = day;
      } else {
        pr->n_ab++;
        if (day != last_day_ab && pr->days_ab < UINT16_MAX)
          pr->days_ab++;
        last_day_ab = day;
      }
    }
    ls__feat *fa = &a->feat[pr->a], *fb = &a->feat[pr->b];
    fa->contacts++;
    fb->contacts++;
    if (pr->n_ab) {
      fa->contacts_out++;
      fb->contacts_in++;
    }
    if (pr->n_ba) {
      fb->contacts_out++;
      fa->contacts_in++;
    }
    if (pr->n_ab && pr->n_ba) {
      fa->reciprocal++;
      fb->reciprocal++;
    }
    if (pr->days_ab >= 2)
      fb->repeat_in++;
    if (pr->days_ba >= 2)
      fa->repeat_in++;
  }
  a->n_pairs = np;
out:
  ls_free(keys);
  ls_free(tmp);
  return rc;
}

/* CSR adjacency over pairs. O(N + P). */
static ls_status adjacency(ls_analysis *a, ls_error *err) {
  a->adj_off = ls_calloc((size_t)a->n_numbers + 1, sizeof *a->adj_off);
  a->adj = ls_malloc((2 * a->n_pairs + 1) * sizeof *a->adj);
  if (!a->adj_off || !a->adj)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for the contact graph");
  for (size_t p = 0; p < a->n_pairs; p++) {
    a->adj_off[a->pairs[p].a + 1]++;
    a->adj_off[a->pairs[p].b + 1]++;
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    a->adj_off[i + 1] += a->adj_off[i];
  uint32_t *fill = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *fill);
  if (!fill)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for the contact graph");
  memcpy(fill, a->adj_off, (size_t)a->n_numbers * sizeof *fill);
  for (size_t p = 0; p < a->n_pairs; p++) {
    a->adj[fill[a->pairs[p].a]++] = (uint32_t)p;
    a->adj[fill[a->pairs[p].b]++] = (uint32_t)p;
  }
  ls_free(fill);
  return LS_OK;
}

/* Bulk-text bursts: the outgoing texts of numbers that sent at least
 * BURST_MIN, sorted by (sender, time). O(S) for S such texts. */
static ls_status burst_pass(ls_analysis *a, const day_clock *clk, ls_error *err) {
  const ls_events *ev = a->ev;
  size_t n = 0;
  for (size_t i = 0; i < ev->count; i++)
    if (ev->type[i] == LS_EV_SMS && in_window(a, ev->start[i]) && a->feat[ev->caller[i]].out_sms >= BURST_MIN)
      n++;
  if (n == 0)
    return LS_OK;
  unsigned nb = ls__bits_for(a->n_numbers - 1);
  uint64_t span = (uint64_t)(a->tmax - a->tmin);
  unsigned tb = ls__bits_for(span);
  if (nb + tb > 64)
    return LS_FAIL(err, LS_ERR_LIMIT, "analysis: window too long for burst detection");
  uint64_t *keys = ls_malloc(n * sizeof *keys), *tmp = ls_malloc(n * sizeof *tmp);
  if (!keys || !tmp) {
    ls_free(keys);
    ls_free(tmp);
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for burst detection");
  }
  size_t k = 0;
  for (size_t i = 0; i < ev->count; i++)
    if (ev->type[i] == LS_EV_SMS && in_window(a, ev->start[i]) && a->feat[ev->caller[i]].out_sms >= BURST_MIN)
      keys[k++] = ((uint64_t)ev->caller[i] << tb) | (uint64_t)(ev->start[i] - a->tmin);
  ls__radix_sort_u64(keys, tmp, n, nb + tb);
  uint64_t tmask = tb >= 64 ? UINT64_MAX : (1ull << tb) - 1;
  for (size_t i = 0; i < n;) {
    uint32_t who = (uint32_t)(keys[i] >> tb);
    ls__feat *f = &a->feat[who];
    uint32_t last_burst_day = UINT32_MAX;
    while (i < n && (uint32_t)(keys[i] >> tb) == who) {
      size_t j = i + 1;
      while (j < n && (uint32_t)(keys[j] >> tb) == who &&
             (keys[j] & tmask) - (keys[j - 1] & tmask) <= BURST_GAP_S)
        j++;
      uint32_t len = (uint32_t)(j - i);
      if (len >= BURST_MIN) {
        f->bursts++;
        f->burst_texts += len;
        if (len > f->burst_max)
          f->burst_max = len;
        uint32_t day = clock_day(clk, a->tmin + (int64_t)(keys[i] & tmask));
        if (day != last_burst_day)
          f->burst_days++;
        last_burst_day = day;
      }
      i = j;
    }
  }
  ls_free(keys);
  ls_free(tmp);
  return LS_OK;
}

/* Features of the candidates that need a second look at their events:
 * active days and night share. A day bitmap per candidate, no keys to sort.
 * O(E + C * days / 64). */
static ls_status candidate_pass(ls_analysis *a, const day_clock *clk, ls_error *err) {
  const ls_events *ev = a->ev;
  size_t words = (a->n_days + 63) / 64;
  uint64_t *seen = ls_calloc(a->n_cands * words + 1, sizeof *seen);
  if (!seen)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for candidate features");
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    if (!in_window(a, t))
      continue;
    uint32_t c1 = a->feat[ev->caller[i]].cand, c2 = a->feat[ev->callee[i]].cand;
    if (c1 == LS__NONE && c2 == LS__NONE)
      continue;
    int64_t local = clock_local(clk, t);
    int64_t hour = floor_div(local, 3600) % 24;
    if (hour < 0)
      hour += 24;
    /* evening and night, when deal lines are busiest and offices shut */
    int night = hour >= 18 || hour < 6;
    uint32_t day = (uint32_t)(floor_div(local, 86400) - clk->local_day0);
    for (int side = 0; side < 2; side++) {
      uint32_t num = side ? ev->callee[i] : ev->caller[i];
      uint32_t cand = side ? c2 : c1;
      if (cand == LS__NONE)
        continue;
      ls__feat *f = &a->feat[num];
      f->night += (uint32_t)night;
      uint64_t *w = &seen[(size_t)cand * words + day / 64];
      uint64_t bit = 1ull << (day % 64);
      if (!(*w & bit)) {
        *w |= bit;
        f->active_days++;
      }
    }
  }
  ls_free(seen);
  return LS_OK;
}

/* Distinct values per deal number of (deal << 32 | value) keys. O(K). */
static ls_status count_distinct(ls_analysis *a, uint64_t *keys, size_t n, int imei) {
  uint64_t *tmp = ls_malloc((n ? n : 1) * sizeof *tmp);
  if (!tmp)
    return LS_ERR_NOMEM;
  ls__radix_sort_u64(keys, tmp, n, 32 + ls__bits_for(a->n_deal));
  ls_free(tmp);
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && keys[i] == keys[i - 1])
      continue;
    ls__feat *f = &a->feat[a->deal[keys[i] >> 32]];
    if (imei)
      f->imeis++;
    else
      f->cells++;
  }
  return LS_OK;
}

/* Cells and handsets of the deal numbers (for their explanations; not model
 * inputs, so only deal numbers pay for them). O(E + K) for K deal-number
 * event ends. */
ls_status ls__features_deal_extras(ls_analysis *a, ls_error *err) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  uint32_t *dmap = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *dmap);
  uint64_t *cell_keys = NULL, *imei_keys = NULL;
  if (!dmap)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for deal-number features");
  for (uint32_t i = 0; i < a->n_numbers; i++)
    dmap[i] = LS__NONE;
  for (size_t d = 0; d < a->n_deal; d++)
    dmap[a->deal[d]] = (uint32_t)d;
  size_t n_ends = 0;
  for (size_t i = 0; i < ev->count; i++)
    if (in_window(a, ev->start[i]))
      n_ends += (dmap[ev->caller[i]] != LS__NONE) + (dmap[ev->callee[i]] != LS__NONE);
  cell_keys = ls_malloc((n_ends + 1) * sizeof *cell_keys);
  imei_keys = ls_malloc((n_ends + 1) * sizeof *imei_keys);
  if (!cell_keys || !imei_keys) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for deal-number features");
    goto out;
  }
  size_t nc = 0, ni = 0;
  for (size_t i = 0; i < ev->count; i++) {
    if (!in_window(a, ev->start[i]))
      continue;
    for (int side = 0; side < 2; side++) {
      uint32_t d = dmap[side ? ev->callee[i] : ev->caller[i]];
      if (d == LS__NONE)
        continue;
      uint32_t cell = side ? ev->callee_cell[i] : ev->caller_cell[i];
      uint32_t imei = side ? ev->callee_imei[i] : ev->caller_imei[i];
      if (cell != LS_NO_ID)
        cell_keys[nc++] = ((uint64_t)d << 32) | cell;
      if (imei != LS_NO_ID)
        imei_keys[ni++] = ((uint64_t)d << 32) | imei;
    }
  }
  rc = count_distinct(a, cell_keys, nc, 0);
  if (rc == LS_OK)
    rc = count_distinct(a, imei_keys, ni, 1);
  if (rc)
    LS_FAIL(err, rc, "analysis: out of memory for deal-number features");
out:
  ls_free(dmap);
  ls_free(cell_keys);
  ls_free(imei_keys);
  return rc;
}

static double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

/* The model inputs of each candidate (analysis_weights.def). O(C). */
static void model_inputs(ls_analysis *a) {
  for (size_t c = 0; c < a->n_cands; c++) {
    const ls__feat *f = &a->feat[a->cands[c]];
    double *x = &a->x[c * LS__NX];
    double calls = (double)f->out_calls + f->in_calls;
    double total = calls + f->out_sms + f->in_sms;
    double inbound = (double)f->in_calls + f->in_sms;
    x[LS__X_bias] = 1.0;
    x[LS__X_log_contacts_in] = log1p((double)f->contacts_in);
    x[LS__X_repeat_in_share] = ratio(f->repeat_in, f->contacts_in);
    x[LS__X_reciprocal_share] = ratio(f->reciprocal, f->contacts);
    x[LS__X_burst_day_share] = ratio(f->burst_days, f->active_days);
    x[LS__X_log_burst_max] = log1p((double)f->burst_max);
    x[LS__X_log_bursts_per_day] = log1p(ratio(f->bursts, f->active_days));
    x[LS__X_in_call_share] = ratio(f->in_calls, inbound);
    x[LS__X_short_call_share] = ratio(f->short_calls, calls);
    x[LS__X_night_share] = ratio(f->night, total);
    x[LS__X_inbound_share] = ratio(inbound, total);
  }
}

/* Runs every feature pass. O(E + P + N). */
ls_status ls__features_compute(ls_analysis *a, ls_error *err) {
  ls_status rc;
  day_clock clk = {0};
  a->n_numbers = a->ev->numbers.count;
  a->feat = ls_calloc((size_t)a->n_numbers + 1, sizeof *a->feat);
  if (!a->feat)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for features");
  for (uint32_t i = 0; i < a->n_numbers; i++) {
    a->feat[i].cand = LS__NONE;
    a->feat[i].first = INT64_MAX;
    a->feat[i].last = INT64_MIN;
  }
  count_pass(a);
  if (a->n_events == 0) {
    a->tmin = a->tmax = 0;
    a->n_days = 0;
    return LS_OK;
  }
  rc = clock_init(&clk, a->tmin, a->tmax);
  if (rc)
    return LS_FAIL(err, rc, "analysis: out of memory");
  a->day0 = clk.local_day0 * 86400;
  a->n_days = clock_day(&clk, a->tmax) + 1;
  rc = pair_pass(a, &clk, err);
  if (rc == LS_OK)
    rc = adjacency(a, err);
  if (rc == LS_OK)
    rc = burst_pass(a, &clk, err);
  if (rc)
    goto out;
  for (uint32_t i = 0; i < a->n_numbers; i++) {
    if (a->feat[i].contacts >= CAND_MIN_CONTACTS || a->feat[i].bursts > 0)
      a->n_cands++;
  }
  a->cands = ls_malloc((a->n_cands + 1) * sizeof *a->cands);
  a->x = ls_calloc(a->n_cands * LS__NX + 1, sizeof *a->x);
  if (!a->cands || !a->x) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for candidates");
    goto out;
  }
  size_t c = 0;
  for (uint32_t i = 0; i < a->n_numbers; i++)
    if (a->feat[i].contacts >= CAND_MIN_CONTACTS || a->feat[i].bursts > 0) {
      a->feat[i].cand = (uint32_t)c;
      a->cands[c++] = i;
    }
  rc = candidate_pass(a, &clk, err);
  if (rc == LS_OK)
    model_inputs(a);
out:
  ls_free(clk.offset);
  return rc;
}
