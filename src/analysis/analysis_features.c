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

/* Events inside the window and their time span: one read of the start
 * column. O(E). */
static void window_pass(ls_analysis *a) {
  const ls_events *ev = a->ev;
  int64_t tmin = INT64_MAX, tmax = INT64_MIN;
  size_t n = 0;
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    if (!in_window(a, t))
      continue;
    n++;
    tmin = t < tmin ? t : tmin;
    tmax = t > tmax ? t : tmax;
  }
  a->n_events = n;
  a->tmin = tmin;
  a->tmax = tmax;
}

static inline int is_night(const day_clock *c, int64_t t) {
  int64_t local = clock_local(c, t);
  int64_t hour = floor_div(local, 3600) % 24;
  if (hour < 0)
    hour += 24;
  /* evening and night, when deal lines are busiest and offices shut */
  return hour >= 18 || hour < 6;
}

static inline void seen_at(ls__feat *f, int64_t t) {
  if (t < f->first)
    f->first = t;
  if (t > f->last)
    f->last = t;
}

/* An event from a number to itself: counted as sent and received, as a
 * call or text, but not a contact pair. O(1). */
static void self_event(ls_analysis *a, const day_clock *clk, size_t i) {
  const ls_events *ev = a->ev;
  ls__feat *f = &a->feat[ev->caller[i]];
  if (ev->type[i] == LS_EV_CALL) {
    f->out_calls++;
    f->in_calls++;
    if (ev->duration[i] < LS__SHORT_CALL_S)
      f->short_calls += 2;
  } else {
    f->out_sms++;
    f->in_sms++;
  }
  f->night += 2u * (unsigned)is_night(clk, ev->start[i]);
  seen_at(f, ev->start[i]);
}

/* Value of one event in its pair's bucket (the bucket is the lower number
 * id): from the low bit, short call, call, direction (1: from the higher
 * id), seconds since tmin, the higher id. Sorted, a pair's events are
 * contiguous and in time order. */
#define PV_SHORT 1u
#define PV_CALL 2u
#define PV_BACK 4u
#define PV_TIME_SHIFT 3u

/* Entries ahead whose number record is prefetched during the fold: about
 * a memory latency's worth of pairs (a pair is 1.5 events on the bench
 * file, folded in some tens of cycles). */
#define FOLD_AHEAD 64u

typedef struct fold_ctx {
  ls_analysis *a;
  const day_clock *clk;
  const ls__buckets *bk;
  unsigned hi_shift;
} fold_ctx;

/* Folds the sorted events of bucket lo into its pairs (written from
 * a->pairs[p]) and the per-number counts of both ends. Returns the next
 * free pair. O(bucket). */
static size_t fold_bucket(const fold_ctx *fc, uint32_t lo, size_t p) {
  ls_analysis *a = fc->a;
  const day_clock *clk = fc->clk;
  const uint64_t *v = fc->bk->vals + fc->bk->off[lo];
  size_t n = fc->bk->off[lo + 1] - fc->bk->off[lo];
  unsigned hs = fc->hi_shift;
  uint64_t tmask = (1ull << (hs - PV_TIME_SHIFT)) - 1;
  ls__feat *fa = &a->feat[lo];
  const uint64_t *all = fc->bk->vals;
  size_t base = fc->bk->off[lo], total = fc->bk->n;
  for (size_t i = 0; i < n;) {
    uint32_t hi = (uint32_t)(v[i] >> hs);
    /* the other end's record is a cache miss: fetch the one a few pairs
     * ahead while this one is folded */
    if (base + i + FOLD_AHEAD < total) {
      const char *ahead = (const char *)&a->feat[all[base + i + FOLD_AHEAD] >> hs];
      __builtin_prefetch(ahead, 1);
      __builtin_prefetch(ahead + sizeof(ls__feat) - 1, 1);
    }
    ls__pair *pr = &a->pairs[p++];
    pr->a = lo;
    pr->b = hi;
    /* counts in the direction a->b ([0]) and b->a ([1]) */
    uint32_t calls[2] = {0, 0}, sms[2] = {0, 0}, shorts = 0, night = 0;
    uint32_t last_day[2] = {UINT32_MAX, UINT32_MAX};
    uint32_t days[2] = {0, 0};
    int64_t first = a->tmin + (int64_t)((v[i] >> PV_TIME_SHIFT) & tmask), t = first;
    for (; i < n && (uint32_t)(v[i] >> hs) == hi; i++) {
      uint64_t x = v[i];
      unsigned back = (x & PV_BACK) != 0;
      t = a->tmin + (int64_t)((x >> PV_TIME_SHIFT) & tmask);
      int64_t local = clock_local(clk, t);
      uint32_t day = (uint32_t)(floor_div(local, 86400) - clk->local_day0);
      int64_t hour = floor_div(local, 3600) % 24;
      if (hour < 0)
        hour += 24;
      night += hour >= 18 || hour < 6;
      if (x & PV_CALL)
        calls[back]++;
      else
        sms[back]++;
      shorts += (x & PV_SHORT) != 0;
      if (day != last_day[back])
        days[back]++;
      last_day[back] = day;
    }
    pr->n_ab = calls[0] + sms[0];
    pr->n_ba = calls[1] + sms[1];
    pr->days_ab = days[0] > UINT16_MAX ? UINT16_MAX : (uint16_t)days[0];
    pr->days_ba = days[1] > UINT16_MAX ? UINT16_MAX : (uint16_t)days[1];
    pr->calls = calls[0] + calls[1];
    ls__feat *fb = &a->feat[hi];
    fa->out_calls += calls[0];
    fa->out_sms += sms[0];
    fa->in_calls += calls[1];
    fa->in_sms += sms[1];
    fb->out_calls += calls[1];
    fb->out_sms += sms[1];
    fb->in_calls += calls[0];
    fb->in_sms += sms[0];
    fa->short_calls += shorts;
    fb->short_calls += shorts;
    fa->night += night;
    fb->night += night;
    seen_at(fa, first);
    seen_at(fa, t);
    seen_at(fb, first);
    seen_at(fb, t);
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
  return p;
}

/* Contact pairs and the per-number counts: every event (other than to
 * oneself) goes into the bucket of its lower number id, each bucket is
 * sorted by (other number, time), and each pair's run is folded into an
 * ls__pair and the counts of both numbers. O(E) time plus the bucket
 * sorts; 8 bytes an event of scratch. */
static ls_status pair_pass(ls_analysis *a, const day_clock *clk, ls_error *err) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  ls__buckets bk;
  unsigned nb = ls__bits_for(a->n_numbers ? a->n_numbers - 1 : 0);
  unsigned tb = ls__bits_for((uint64_t)(a->tmax - a->tmin));
  unsigned hi_shift = PV_TIME_SHIFT + tb;
  if (hi_shift + nb > 64)
    return LS_FAIL(err, LS_ERR_LIMIT, "analysis: window too long for %u distinct numbers", a->n_numbers);
  if (ls__buckets_init(&bk, a->n_numbers))
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory sorting contacts");
  for (size_t i = 0; i < ev->count; i++) {
    uint32_t c = ev->caller[i], e = ev->callee[i];
    if (in_window(a, ev->start[i]) && c != e)
      ls__buckets_count(&bk, c < e ? c : e);
  }
  if (ls__buckets_alloc(&bk)) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory sorting contacts");
    goto out;
  }
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    uint32_t c = ev->caller[i], e = ev->callee[i];
    if (!in_window(a, t))
      continue;
    if (c == e) {
      self_event(a, clk, i);
      continue;
    }
    uint32_t lo = c < e ? c : e, hi = c < e ? e : c;
    uint64_t flags = c != lo ? PV_BACK : 0;
    if (ev->type[i] == LS_EV_CALL)
      flags |= PV_CALL | (ev->duration[i] < LS__SHORT_CALL_S ? PV_SHORT : 0);
    ls__buckets_put(&bk, lo, ((uint64_t)hi << hi_shift) | ((uint64_t)(t - a->tmin) << PV_TIME_SHIFT) | flags);
  }
  ls__buckets_sort(&bk, hi_shift + nb);

  /* count pairs, then fold */
  size_t np = 0;
  for (uint32_t lo = 0; lo < a->n_numbers; lo++)
    for (size_t i = bk.off[lo]; i < bk.off[lo + 1]; i++)
      np += i == bk.off[lo] || (bk.vals[i] >> hi_shift) != (bk.vals[i - 1] >> hi_shift);
  a->pairs = ls_calloc(np ? np : 1, sizeof *a->pairs);
  if (!a->pairs) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for contact pairs");
    goto out;
  }
  fold_ctx fc = {a, clk, &bk, hi_shift};
  size_t p = 0;
  for (uint32_t lo = 0; lo < a->n_numbers; lo++)
    p = fold_bucket(&fc, lo, p);
  a->n_pairs = np;
out:
  ls__buckets_free(&bk);
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
 * BURST_MIN, in buckets by sender, sorted by time. O(E + S) for S such
 * texts. */
static ls_status burst_pass(ls_analysis *a, const day_clock *clk, ls_error *err) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  ls__buckets bk = {0};
  /* one byte a number, so the test per event stays in cache */
  uint8_t *texter = ls_malloc((size_t)a->n_numbers + 1);
  if (!texter)
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for burst detection");
  size_t n_texters = 0;
  for (uint32_t i = 0; i < a->n_numbers; i++) {
    texter[i] = a->feat[i].out_sms >= BURST_MIN;
    n_texters += texter[i];
  }
  if (n_texters == 0)
    goto out;
  if (ls__buckets_init(&bk, a->n_numbers)) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for burst detection");
    goto out;
  }
  for (size_t i = 0; i < ev->count; i++)
    if (ev->type[i] == LS_EV_SMS && texter[ev->caller[i]] && in_window(a, ev->start[i]))
      ls__buckets_count(&bk, ev->caller[i]);
  if (ls__buckets_alloc(&bk)) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for burst detection");
    goto out;
  }
  for (size_t i = 0; i < ev->count; i++)
    if (ev->type[i] == LS_EV_SMS && texter[ev->caller[i]] && in_window(a, ev->start[i]))
      ls__buckets_put(&bk, ev->caller[i], (uint64_t)(ev->start[i] - a->tmin));
  ls__buckets_sort(&bk, ls__bits_for((uint64_t)(a->tmax - a->tmin)));
  for (uint32_t who = 0; who < a->n_numbers; who++) {
    const uint64_t *v = bk.vals + bk.off[who];
    size_t n = bk.off[who + 1] - bk.off[who];
    if (n < BURST_MIN)
      continue;
    ls__feat *f = &a->feat[who];
    uint32_t last_burst_day = UINT32_MAX;
    for (size_t i = 0; i < n;) {
      size_t j = i + 1;
      while (j < n && v[j] - v[j - 1] <= BURST_GAP_S)
        j++;
      uint32_t len = (uint32_t)(j - i);
      if (len >= BURST_MIN) {
        f->bursts++;
        f->burst_texts += len;
        if (len > f->burst_max)
          f->burst_max = len;
        uint32_t day = clock_day(clk, a->tmin + (int64_t)v[i]);
        if (day != last_burst_day)
          f->burst_days++;
        last_burst_day = day;
      }
      i = j;
    }
  }
out:
  ls_free(texter);
  ls__buckets_free(&bk);
  return rc;
}

/* Active days of the candidates: a day bitmap per candidate, no keys to
 * sort; the candidate index of each number in a compact array so the test
 * per event end stays in cache. O(E + C * days / 64). */
static ls_status candidate_pass(ls_analysis *a, const day_clock *clk, ls_error *err) {
  const ls_events *ev = a->ev;
  size_t words = (a->n_days + 63) / 64;
  uint64_t *seen = ls_calloc(a->n_cands * words + 1, sizeof *seen);
  uint32_t *cand = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *cand);
  uint32_t *active = ls_calloc(a->n_cands + 1, sizeof *active);
  if (!seen || !cand || !active) {
    ls_free(seen);
    ls_free(cand);
    ls_free(active);
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for candidate features");
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    cand[i] = a->feat[i].cand;
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    if (!in_window(a, t))
      continue;
    uint32_t c1 = cand[ev->caller[i]], c2 = cand[ev->callee[i]];
    if (c1 == LS__NONE && c2 == LS__NONE)
      continue;
    uint32_t day = clock_day(clk, t);
    uint64_t bit = 1ull << (day % 64);
    if (c1 != LS__NONE) {
      uint64_t *w = &seen[(size_t)c1 * words + day / 64];
      active[c1] += !(*w & bit);
      *w |= bit;
    }
    if (c2 != LS__NONE) {
      uint64_t *w = &seen[(size_t)c2 * words + day / 64];
      active[c2] += !(*w & bit);
      *w |= bit;
    }
  }
  for (size_t c = 0; c < a->n_cands; c++)
    a->feat[a->cands[c]].active_days = active[c];
  ls_free(seen);
  ls_free(cand);
  ls_free(active);
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
  ls__advise_random(a->feat, ((size_t)a->n_numbers + 1) * sizeof *a->feat);
  for (uint32_t i = 0; i < a->n_numbers; i++) {
    a->feat[i].cand = LS__NONE;
    a->feat[i].first = INT64_MAX;
    a->feat[i].last = INT64_MIN;
  }
  window_pass(a);
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
