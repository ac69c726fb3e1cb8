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
#define BURST_MIN LS__BURST_MIN
#define BURST_GAP_S LS__BURST_GAP_S
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

/* Value of one event end in its number's bucket: from the low bit, short
 * call, call, inbound (the other end started it), seconds since tmin, the
 * other number (the number itself for an event to oneself, which has one
 * end only). Sorted, the events with one contact are contiguous and in
 * time order. */
#define EV_SHORT 1u
#define EV_CALL 2u
#define EV_IN 4u
#define EV_TIME_SHIFT 3u

typedef struct ends_ctx {
  ls_analysis *a;
  const day_clock *clk;
  unsigned other_shift; /* EV_TIME_SHIFT + bits of the time */
  ls__buckets *bk;
  uint32_t cut[LS__MAX_THREADS + 1]; /* number ranges of the parts */
  size_t pairs_of[LS__MAX_THREADS];  /* pairs found by each part */
  int failed;                        /* a part ran out of memory */
} ends_ctx;

/* One part of the events: both ends of each into their numbers' buckets. */
static void ends_pass(void *ctx, ls__buckets *b, unsigned part, unsigned n_parts, int fill) {
  const ends_ctx *ec = ctx;
  const ls_analysis *a = ec->a;
  const ls_events *ev = a->ev;
  size_t lo, hi;
  ls__range(ev->count, part, n_parts, &lo, &hi);
  for (size_t i = lo; i < hi; i++) {
    int64_t t = ev->start[i];
    if (!in_window(a, t))
      continue;
    uint32_t c = ev->caller[i], e = ev->callee[i];
    if (!fill) {
      ls__buckets_count(b, part, c);
      if (e != c)
        ls__buckets_count(b, part, e);
      continue;
    }
    uint64_t v = (uint64_t)(t - a->tmin) << EV_TIME_SHIFT;
    if (ev->type[i] == LS_EV_CALL)
      v |= EV_CALL | (ev->duration[i] < LS__SHORT_CALL_S ? EV_SHORT : 0);
    ls__buckets_put(b, part, c, v | ((uint64_t)e << ec->other_shift));
    if (e != c)
      ls__buckets_put(b, part, e, v | EV_IN | ((uint64_t)c << ec->other_shift));
  }
}

/* Scratch of one part while it folds its numbers. */
typedef struct fold_scratch {
  uint64_t *days;  /* day bitmap of the current number */
  size_t words;
  uint64_t *texts; /* times of its outgoing texts */
  uint64_t *tmp;   /* radix scratch for a large bucket */
  size_t cap_texts, cap_tmp;
} fold_scratch;

static int grow(uint64_t **v, size_t *cap, size_t n) {
  if (n <= *cap)
    return 0;
  uint64_t *p = ls_reallocarray(*v, n, sizeof *p);
  if (!p)
    return -1;
  *v = p;
  *cap = n;
  return 0;
}

/* Bulk-text bursts of number f from the sorted times of its outgoing
 * texts (seconds since tmin). O(n). */
static void bursts_of(ls__feat *f, const uint64_t *v, size_t n, const ls_analysis *a, const day_clock *clk) {
  uint32_t last_burst_day = UINT32_MAX;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && v[j] - v[j - 1] <= BURST_GAP_S)
      j++;
    uint32_t len = (uint32_t)(j - i);
    if (len >= BURST_MIN) {
      f->bursts++;
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

/* Sorts number x's bucket and computes its features: counts, contacts,
 * reciprocity, repeat contacts, night share, first and last event, active
 * days and bulk-text bursts; with pairs non-NULL, writes the pairs (x, y)
 * with y > x from pairs[0] instead and leaves the features alone.
 * Returns the pairs it found (or wrote), or SIZE_MAX when out of memory.
 * O(k log k) for a bucket of k < RADIX_MIN events, O(k) above. */
static size_t fold_number(const ends_ctx *ec, uint32_t x, fold_scratch *sc, ls__pair *pairs) {
  ls_analysis *a = ec->a;
  const day_clock *clk = ec->clk;
  uint64_t *v = ec->bk->vals + ec->bk->off[x];
  size_t n = ec->bk->off[x + 1] - ec->bk->off[x], np = 0;
  unsigned os = ec->other_shift;
  uint64_t tmask = (1ull << (os - EV_TIME_SHIFT)) - 1;
  if (!pairs) {
    if (n >= LS__RADIX_MIN && grow(&sc->tmp, &sc->cap_tmp, n))
      return SIZE_MAX;
    ls__sort_u64(v, n, sc->tmp, os + ls__bits_for(a->n_numbers ? a->n_numbers - 1 : 0));
  }
  ls__feat *f = &a->feat[x];
  size_t n_texts = 0;
  for (size_t i = 0; i < n;) {
    uint32_t y = (uint32_t)(v[i] >> os);
    if (pairs) {
      /* the pair's counts in the direction x->y ([0]) and y->x ([1]) */
      uint32_t cnt[2] = {0, 0}, days[2] = {0, 0}, last_day[2] = {UINT32_MAX, UINT32_MAX};
      for (; i < n && (uint32_t)(v[i] >> os) == y; i++) {
        unsigned in = (v[i] & EV_IN) != 0;
        uint32_t day = clock_day(clk, a->tmin + (int64_t)((v[i] >> EV_TIME_SHIFT) & tmask));
        cnt[in]++;
        days[in] += day != last_day[in];
        last_day[in] = day;
      }
      if (y > x) {
        ls__pair *pr = &pairs[np++];
        pr->a = x;
        pr->b = y;
        pr->n_ab = cnt[0];
        pr->n_ba = cnt[1];
        pr->days_ab = days[0] > UINT16_MAX ? UINT16_MAX : (uint16_t)days[0];
        pr->days_ba = days[1] > UINT16_MAX ? UINT16_MAX : (uint16_t)days[1];
      }
      continue;
    }
    int self = y == x;
    uint32_t cnt[2] = {0, 0}, days_in = 0, last_in = UINT32_MAX;
    for (; i < n && (uint32_t)(v[i] >> os) == y; i++) {
      uint64_t e = v[i];
      unsigned in = (e & EV_IN) != 0;
      int64_t t = a->tmin + (int64_t)((e >> EV_TIME_SHIFT) & tmask);
      int64_t local = clock_local(clk, t);
      uint32_t day = (uint32_t)(floor_div(local, 86400) - clk->local_day0);
      int64_t hour = floor_div(local, 3600) % 24;
      if (hour < 0)
        hour += 24;
      /* evening and night, when deal lines are busiest and offices shut;
       * an event to oneself counts at both of its ends */
      unsigned ends = self ? 2u : 1u;
      f->night += (hour >= 18 || hour < 6) ? ends : 0;
      if (e & EV_CALL) {
        f->out_calls += !in;
        f->in_calls += in || self;
        f->short_calls += (e & EV_SHORT) ? ends : 0;
      } else {
        f->out_sms += !in;
        f->in_sms += in || self;
        if (!in) {
          if (grow(&sc->texts, &sc->cap_texts, n_texts + 1))
            return SIZE_MAX;
          sc->texts[n_texts++] = (e >> EV_TIME_SHIFT) & tmask;
        }
      }
      uint32_t since = (uint32_t)(t - a->tmin); /* the window is under 2^32 s (ends_fold) */
      if (f->first_s == LS__NONE || since < f->first_s)
        f->first_s = since;
      if (since > f->last_s)
        f->last_s = since;
      sc->days[day / 64] |= 1ull << (day % 64);
      cnt[in]++;
      if (in) {
        days_in += day != last_in;
        last_in = day;
      }
    }
    if (self)
      continue;
    np += y > x;
    f->contacts_out += cnt[0] > 0;
    f->contacts_in += cnt[1] > 0;
    f->reciprocal += cnt[0] > 0 && cnt[1] > 0;
    f->repeat_in += days_in >= 2;
  }
  if (pairs)
    return np;
  for (size_t w = 0; w < sc->words; w++) {
    f->active_days += (uint32_t)__builtin_popcountll(sc->days[w]);
    sc->days[w] = 0;
  }
  if (n_texts >= BURST_MIN) {
    if (n_texts >= LS__RADIX_MIN && grow(&sc->tmp, &sc->cap_tmp, n_texts))
      return SIZE_MAX;
    ls__sort_u64(sc->texts, n_texts, sc->tmp, os - EV_TIME_SHIFT);
    bursts_of(f, sc->texts, n_texts, a, clk);
  }
  return np;
}

/* Phase 1 of a part: features of its numbers, and how many pairs they
 * start. */
static void fold_features(void *ctx, unsigned part, unsigned n_parts) {
  (void)n_parts;
  ends_ctx *ec = ctx;
  fold_scratch sc = {0};
  sc.words = (ec->a->n_days + 63) / 64;
  sc.days = ls_calloc(sc.words + 1, sizeof *sc.days);
  size_t np = 0;
  int failed = !sc.days;
  for (uint32_t x = ec->cut[part]; !failed && x < ec->cut[part + 1]; x++) {
    size_t k = fold_number(ec, x, &sc, NULL);
    failed = k == SIZE_MAX;
    np += failed ? 0 : k;
  }
  if (failed)
    ec->failed = 1;
  ec->pairs_of[part] = np;
  ls_free(sc.days);
  ls_free(sc.texts);
  ls_free(sc.tmp);
}

/* Phase 2 of a part: its pairs, from where the earlier parts' end. The
 * buckets are read once more, in order, and then never again: their pages
 * are given back as the pairs fill, so the two do not add up at the
 * analysis's peak (16 bytes an event of buckets against 24 a pair). */
static void fold_pairs(void *ctx, unsigned part, unsigned n_parts) {
  (void)n_parts;
  ends_ctx *ec = ctx;
  ls__buckets *bk = ec->bk;
  size_t p = 0, released = bk->off[ec->cut[part]];
  for (unsigned q = 0; q < part; q++)
    p += ec->pairs_of[q];
  for (uint32_t x = ec->cut[part]; x < ec->cut[part + 1]; x++) {
    p += fold_number(ec, x, NULL, ec->a->pairs + p);
    ls__buckets_release(bk, &released, bk->off[x + 1]);
  }
}

/* Every feature that needs a number's events: both ends of every event go
 * into their numbers' buckets; each bucket is sorted by (contact, time)
 * and folded into the number's features (phase 1), then into the contact
 * pairs (phase 2), the numbers split over the cores. A bucket is one
 * number's events, so all of this stays in cache, and no number's record
 * is written by two threads. O(E) time plus the bucket sorts; 16 bytes an
 * event of scratch. */
static ls_status ends_fold(ls_analysis *a, const day_clock *clk, ls_error *err) {
  ls_status rc = LS_OK;
  ls__buckets bk;
  ends_ctx ec = {0};
  unsigned nb = ls__bits_for(a->n_numbers ? a->n_numbers - 1 : 0);
  unsigned tb = ls__bits_for((uint64_t)(a->tmax - a->tmin));
  ec.a = a;
  ec.clk = clk;
  ec.other_shift = EV_TIME_SHIFT + tb;
  /* first and last events are kept as 32-bit seconds from the start */
  if (ec.other_shift + nb > 64 || a->tmax - a->tmin >= (int64_t)LS__NONE)
    return LS_FAIL(err, LS_ERR_LIMIT, "analysis: window too long for %u distinct numbers", a->n_numbers);
  rc = ls__buckets_build(&bk, a->n_numbers, a->ev->count, ends_pass, &ec, 0);
  if (rc) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory sorting events by number");
    goto out;
  }
  ec.bk = &bk;
  unsigned parts = ls__parts_for(bk.n);
  ls__buckets_split(&bk, parts, ec.cut);
  ls__parallel(parts, fold_features, &ec);
  if (ec.failed) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for features");
    goto out;
  }
  size_t np = 0;
  for (unsigned p = 0; p < parts; p++)
    np += ec.pairs_of[p];
  a->pairs = ls_calloc(np ? np : 1, sizeof *a->pairs);
  if (!a->pairs) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for contact pairs");
    goto out;
  }
  ls__parallel(parts, fold_pairs, &ec);
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
    uint32_t c = a->feat[a->deal[keys[i] >> 32]].cand;
    if (imei)
      a->cand_imeis[c]++;
    else
      a->cand_cells[c]++;
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
  a->cand_cells = ls_calloc(a->n_cands + 1, sizeof *a->cand_cells);
  a->cand_imeis = ls_calloc(a->n_cands + 1, sizeof *a->cand_imeis);
  a->deal_out_first = ls_malloc((a->n_deal + 1) * sizeof *a->deal_out_first);
  a->deal_out_last = ls_malloc((a->n_deal + 1) * sizeof *a->deal_out_last);
  if (!dmap || !a->cand_cells || !a->cand_imeis || !a->deal_out_first || !a->deal_out_last) {
    ls_free(dmap);
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for deal-number features");
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    dmap[i] = LS__NONE;
  for (size_t d = 0; d < a->n_deal; d++) {
    dmap[a->deal[d]] = (uint32_t)d;
    a->deal_out_first[d] = INT64_MAX;
    a->deal_out_last[d] = INT64_MIN;
  }
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
    uint32_t caller = dmap[ev->caller[i]];
    if (caller != LS__NONE) { /* the span the phone was in use (continuity) */
      if (ev->start[i] < a->deal_out_first[caller])
        a->deal_out_first[caller] = ev->start[i];
      if (ev->start[i] > a->deal_out_last[caller])
        a->deal_out_last[caller] = ev->start[i];
    }
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
  /* a deal number that made no call or text in the window (customers
   * texting a dead number): its span is that of all its events */
  for (size_t d = 0; d < a->n_deal; d++)
    if (a->deal_out_first[d] == INT64_MAX) {
      a->deal_out_first[d] = ls__feat_first(a, &a->feat[a->deal[d]]);
      a->deal_out_last[d] = ls__feat_last(a, &a->feat[a->deal[d]]);
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
    x[LS__X_reciprocal_share] = ratio(f->reciprocal, ls__contacts(f));
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
    a->feat[i].first_s = LS__NONE;
    a->feat[i].last_s = 0;
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
  rc = ends_fold(a, &clk, err);
  if (rc == LS_OK)
    rc = adjacency(a, err);
  if (rc)
    goto out;
  for (uint32_t i = 0; i < a->n_numbers; i++) {
    if (ls__contacts(&a->feat[i]) >= CAND_MIN_CONTACTS || a->feat[i].bursts > 0)
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
    if (ls__contacts(&a->feat[i]) >= CAND_MIN_CONTACTS || a->feat[i].bursts > 0) {
      a->feat[i].cand = (uint32_t)c;
      a->cands[c++] = i;
    }
  model_inputs(a);
out:
  ls_free(clk.offset);
  return rc;
}
