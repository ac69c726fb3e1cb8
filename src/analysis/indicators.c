/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bandicoot's indicators over one subscriber's records (ls_indicators.h).
 *
 * Hand-written rather than bound to bandicoot itself: bandicoot is Python 2/3.10
 * only, and linesight must compute these over store numbers inside one C
 * binary. Every rule here follows bandicoot 0.6.0 (commit 86e5f19) as
 * recorded in ../shared/peer/bandicoot/SPEC.md and is checked against
 * bandicoot's own expected files by tests/unit/test_indicators.c.
 *
 * Shape of the computation: for each indicator, each part of the week, each
 * part of the day and each interaction, the records are filtered (in that
 * order), cut into ISO weeks (or kept as one group), the indicator is
 * computed per group and the per-group values are summarised. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "core/ls_mem.h"
#include "linesight/ls_indicators.h"

/* bandicoot's User.night_start / night_end defaults: a record is at night
 * unless 07:00:00 < time < 19:00:00. */
#define NIGHT_END_S (7 * 3600)
#define NIGHT_START_S (19 * 3600)
/* bandicoot's conversation gap (individual._conversations, delta = 1 hour). */
#define CONVERSATION_GAP_S 3600
/* bandicoot's pareto share (percentage=0.8 in percent_pareto_*,
 * frequent_antennas). */
#define PARETO_SHARE 0.8
/* bandicoot's position binning (group.positions_binning): 30-minute slots. */
#define BIN_S 1800
/* Earth radius in km used by bandicoot's great_circle_distance. */
#define EARTH_RADIUS_KM 6371.0

enum { SEL_CALL, SEL_TEXT, SEL_CALLANDTEXT, SEL_ALL };
enum { PW_ALL, PW_WEEKDAY, PW_WEEKEND };
enum { PD_ALL, PD_DAY, PD_NIGHT };

static const char *const pw_names[] = {"allweek", "weekday", "weekend"};
static const char *const pd_names[] = {"allday", "day", "night"};
static const char *const sel_names[] = {"call", "text", "callandtext", ""};

/* One indicator value: a scalar or a summary of a distribution; `present`
 * is 0 for bandicoot's None. */
enum { ST_MEAN, ST_STD, ST_MEDIAN, ST_SKEW, ST_KURT, ST_MIN, ST_MAX, ST_N };
static const char *const st_names[] = {"mean", "std", "median", "skewness", "kurtosis", "min", "max"};

typedef struct ival {
  int present;
  double s;        /* scalar */
  double st[ST_N]; /* summary */
} ival;

typedef struct ctx {
  const ls_bc_user *u;
  const ls_indicators_opts *o;
  uint32_t *slot;  /* correspondent or position id -> 1-based index in a count table, 0 = none */
  size_t slot_n;
  uint32_t home;   /* position id of home, or LS_NO_ID */
  ls_error *err;
} ctx;

/* ---- calendar ------------------------------------------------------------ */

static int64_t day_of(int64_t t) {
  return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

static int iso_weekday(int64_t day) { /* 1 = Monday; 1970-01-01 was a Thursday */
  int64_t w = (day + 3) % 7;
  if (w < 0)
    w += 7;
  return (int)w + 1;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) { /* H. Hinnant's algorithm */
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
  int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (mm <= 2));
  *m = mm;
  *d = dd;
}

static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* ISO year*100 + week of a day; weeks start on Monday. */
static int64_t iso_week_key(int64_t day) {
  int64_t thursday = day - (iso_weekday(day) - 1) + 3;
  int y, m, d;
  civil_from_days(thursday, &y, &m, &d);
  int64_t week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
  return (int64_t)y * 100 + week;
}

static int is_night(int64_t t) {
  int64_t sod = t - day_of(t) * 86400;
  return !(sod > NIGHT_END_S && sod < NIGHT_START_S);
}

static int keep_part(int64_t t, int pw, int pd) {
  if (pw != PW_ALL) {
    int wd = iso_weekday(day_of(t));
    int weekend = wd >= 6; /* bandicoot's User.weekend = [6, 7] */
    if ((pw == PW_WEEKEND) != weekend)
      return 0;
  }
  if (pd != PD_ALL) {
    if ((pd == PD_NIGHT) != is_night(t))
      return 0;
  }
  return 1;
}

static int keep_interaction(const ls_bc_record *r, int sel) {
  switch (sel) {
  case SEL_CALL:
    return r->interaction == LS_BC_CALL;
  case SEL_TEXT:
    return r->interaction == LS_BC_TEXT;
  case SEL_CALLANDTEXT:
    return r->interaction == LS_BC_CALL || r->interaction == LS_BC_TEXT;
  default:
    return 1;
  }
}

/* ---- statistics ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double moment(const double *v, size_t n, double mean, int k) {
  if (n <= 1)
    return 0;
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += pow(v[i] - mean, k);
  return s / (double)n;
}

/* bandicoot's summary_stats: sorts v in place. O(n log n). */
static void summarise(double *v, size_t n, ival *out) {
  memset(out, 0, sizeof *out);
  if (n == 0)
    return;
  ls_qsort(v, n, sizeof *v, cmp_double);
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += v[i];
  double mean = sum / (double)n;
  double m2 = moment(v, n, mean, 2), m3 = moment(v, n, mean, 3), m4 = moment(v, n, mean, 4);
  out->present = 1;
  out->st[ST_MEAN] = mean;
  out->st[ST_STD] = sqrt(m2);
  out->st[ST_MEDIAN] = (v[n / 2] + v[(n - 1) / 2]) / 2.0;
  out->st[ST_MIN] = v[0];
  out->st[ST_MAX] = v[n - 1];
  out->st[ST_SKEW] = m2 != 0 ? m3 / pow(m2, 1.5) : 0;
  out->st[ST_KURT] = m2 != 0 ? m4 / (m2 * m2) : 0;
}

static void mean_std(const double *v, size_t n, int *present, double *mean, double *std) {
  if (n == 0) {
    *present = 0;
    return;
  }
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += v[i];
  *mean = s / (double)n;
  *std = sqrt(moment(v, n, *mean, 2));
  *present = 1;
}

static double entropy_of_counts(const double *c, size_t n) {
  double total = 0, h = 0;
  for (size_t i = 0; i < n; i++)
    total += c[i];
  for (size_t i = 0; i < n; i++) {
    double f = c[i] / total;
    h -= f * log(f);
  }
  return h;
}

/* bandicoot's pareto rule: sort counts ascending (stable, first-seen order
 * kept among ties), take from the largest until ceil(share * total) is
 * reached; returns how many were taken. */
static size_t pareto_taken(const double *counts, size_t n, size_t *order) {
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    total += counts[i];
    order[i] = i;
  }
  /* insertion sort keeps it stable; n is the number of contacts of one
   * subscriber in one group */
  for (size_t i = 1; i < n; i++) {
    size_t k = order[i], j = i;
    while (j > 0 && counts[order[j - 1]] > counts[k]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = k;
  }
  double target = ceil(total * PARETO_SHARE);
  size_t left = n;
  while (target > 0 && left > 0) {
    left--;
    target -= counts[order[left]];
  }
  return n - left;
}

/* ---- per-key tables ------------------------------------------------------- */

/* Counts per key (correspondent or position id) in first-seen order. */
typedef struct tally {
  uint32_t *keys;
  double *count, *out, *dur;
  size_t n;
} tally;

static ls_status tally_alloc(tally *t, size_t cap, ls_error *err) {
  memset(t, 0, sizeof *t);
  if (cap == 0)
    cap = 1;
  t->keys = ls_calloc(cap, sizeof *t->keys);
  t->count = ls_calloc(cap, sizeof *t->count);
  t->out = ls_calloc(cap, sizeof *t->out);
  t->dur = ls_calloc(cap, sizeof *t->dur);
  if (!t->keys || !t->count || !t->out || !t->dur)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory computing indicators");
  return LS_OK;
}

static void tally_free(ctx *c, tally *t) {
  for (size_t i = 0; i < t->n; i++)
    c->slot[t->keys[i]] = 0;
  ls_free(t->keys);
  ls_free(t->count);
  ls_free(t->out);
  ls_free(t->dur);
  memset(t, 0, sizeof *t);
}

static size_t tally_add(ctx *c, tally *t, uint32_t key) {
  if (!c->slot[key]) {
    t->keys[t->n] = key;
    c->slot[key] = (uint32_t)++t->n;
  }
  return c->slot[key] - 1;
}

/* Correspondent tally of a group. */
static ls_status tally_contacts(ctx *c, const uint32_t *idx, size_t n, tally *t) {
  ls_status rc = tally_alloc(t, n, c->err);
  if (rc)
    return rc;
  for (size_t i = 0; i < n; i++) {
    const ls_bc_record *r = &c->u->records[idx[i]];
    size_t k = tally_add(c, t, r->correspondent);
    t->count[k] += 1;
    if (r->out)
      t->out[k] += 1;
    if (r->interaction == LS_BC_CALL && r->duration > 0)
      t->dur[k] += r->duration;
  }
  return LS_OK;
}

/* ---- individual indicators ------------------------------------------------ */

typedef ls_status (*ind_fn)(ctx *c, const uint32_t *idx, size_t n, ival *out);

static ls_status ind_active_days(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  size_t days = 0;
  int64_t last = INT64_MIN;
  for (size_t i = 0; i < n; i++) { /* records are in time order */
    int64_t d = day_of(c->u->records[idx[i]].local);
    if (d != last)
      days++;
    last = d;
  }
  out->present = 1;
  out->s = (double)days;
  return LS_OK;
}

static ls_status ind_number_of_contacts(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  tally t;
  ls_status rc = tally_contacts(c, idx, n, &t);
  if (!rc) {
    out->present = 1;
    out->s = (double)t.n;
  }
  tally_free(c, &t);
  return rc;
}

static ls_status ind_call_duration(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  double *v = ls_malloc((n ? n : 1) * sizeof *v);
  if (!v)
    return LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const ls_bc_record *r = &c->u->records[idx[i]];
    v[k++] = r->duration < 0 ? 0 : r->duration;
  }
  summarise(v, k, out);
  ls_free(v);
  return LS_OK;
}

static ls_status ind_percent_nocturnal(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  size_t night = 0;
  for (size_t i = 0; i < n; i++)
    night += (size_t)is_night(c->u->records[idx[i]].local);
  out->present = 1;
  out->s = n ? (double)night / (double)n : 0;
  return LS_OK;
}

static ls_status ind_percent_initiated_interactions(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++)
    o += c->u->records[idx[i]].out;
  out->present = 1;
  out->s = n ? (double)o / (double)n : 0;
  return LS_OK;
}

/* Conversations (bandicoot's individual._conversations): per correspondent,
 * in time order, a text joins the current conversation when it comes less
 * than an hour after that correspondent's previous record; a call closes the
 * current conversation. The callback sees each conversation as a list of
 * record indices. */
typedef struct conv_acc {
  double init, total;         /* percent_initiated_conversations */
  double received, responded; /* response_rate_text */
  double *delays;             /* response_delay_text */
  size_t n_delays;
} conv_acc;

static void conv_emit(const ls_bc_user *u, const uint32_t *conv, size_t len, conv_acc *a) {
  if (len == 0)
    return;
  const ls_bc_record *first = &u->records[conv[0]];
  a->total += 1;
  if (first->out)
    a->init += 1;
  else {
    a->received += 1;
    for (size_t i = 0; i < len; i++)
      if (u->records[conv[i]].out) {
        a->responded += 1;
        break;
      }
  }
  for (size_t i = 1; i < len; i++) {
    const ls_bc_record *p = &u->records[conv[i - 1]], *q = &u->records[conv[i]];
    if (!p->out && q->out && q->local - p->local > 0)
      a->delays[a->n_delays++] = (double)(q->local - p->local);
  }
}

static int cmp_by_correspondent(const void *a, const void *b, void *base) {
  const ls_bc_record *rec = base;
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  uint32_t ci = rec[i].correspondent, cj = rec[j].correspondent;
  if (ci != cj)
    return ci < cj ? -1 : 1;
  return (i > j) - (i < j);
}

static ls_status conversations(ctx *c, const uint32_t *idx, size_t n, conv_acc *a) {
  memset(a, 0, sizeof *a);
  uint32_t *by = ls_malloc((n ? n : 1) * sizeof *by);
  uint32_t *cur = ls_malloc((n ? n : 1) * sizeof *cur);
  a->delays = ls_malloc((n ? n : 1) * sizeof *a->delays);
  if (!by || !cur || !a->delays) {
    ls_free(by);
    ls_free(cur);
    ls_free(a->delays);
    a->delays = NULL;
    return LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
  }
  memcpy(by, idx, n * sizeof *by);
  /* indices are in time order, so sorting by (correspondent, index) keeps
   * each correspondent's records in time order */
  ls_qsort_r(by, n, sizeof *by, cmp_by_correspondent, (void *)c->u->records);
  size_t i = 0;
  while (i < n) {
    uint32_t who = c->u->records[by[i]].correspondent;
    size_t len = 0;
    int64_t last = 0;
    int have_last = 0;
    for (; i < n && c->u->records[by[i]].correspondent == who; i++) {
      const ls_bc_record *r = &c->u->records[by[i]];
      if (!have_last || r->local - last < CONVERSATION_GAP_S) {
        if (r->interaction == LS_BC_TEXT)
          cur[len++] = by[i];
        else {
          conv_emit(c->u, cur, len, a);
          len = 0;
        }
      } else {
        conv_emit(c->u, cur, len, a);
        len = 0;
        if (r->interaction == LS_BC_TEXT)
          cur[len++] = by[i];
      }
      last = r->local;
      have_last = 1;
    }
    conv_emit(c->u, cur, len, a);
  }
  ls_free(by);
  ls_free(cur);
  return LS_OK;
}

static ls_status ind_percent_initiated_conversations(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  conv_acc a;
  ls_status rc = conversations(c, idx, n, &a);
  if (rc)
    return rc;
  out->present = 1;
  out->s = a.total ? a.init / a.total : 0;
  ls_free(a.delays);
  return LS_OK;
}

static ls_status ind_response_rate_text(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  conv_acc a;
  ls_status rc = conversations(c, idx, n, &a);
  if (rc)
    return rc;
  out->present = a.received > 0;
  out->s = a.received > 0 ? a.responded / a.received : 0;
  ls_free(a.delays);
  return LS_OK;
}

static ls_status ind_response_delay_text(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  conv_acc a;
  ls_status rc = conversations(c, idx, n, &a);
  if (rc)
    return rc;
  summarise(a.delays, a.n_delays, out);
  ls_free(a.delays);
  return LS_OK;
}

static ls_status ind_entropy_of_contacts(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  tally t;
  ls_status rc = tally_contacts(c, idx, n, &t);
  if (!rc && t.n) {
    out->present = 1;
    out->s = entropy_of_counts(t.count, t.n);
  }
  tally_free(c, &t);
  return rc;
}

static ls_status ind_balance_of_contacts(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  tally t;
  ls_status rc = tally_contacts(c, idx, n, &t);
  if (!rc) {
    /* weighted (bandicoot's default): out(contact) / all records of the group */
    for (size_t i = 0; i < t.n; i++)
      t.out[i] = t.out[i] / (double)n;
    summarise(t.out, t.n, out);
  }
  tally_free(c, &t);
  return rc;
}

static ls_status ind_interactions_per_contact(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  tally t;
  ls_status rc = tally_contacts(c, idx, n, &t);
  if (!rc)
    summarise(t.count, t.n, out);
  tally_free(c, &t);
  return rc;
}

static ls_status ind_interevent_time(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  double *v = ls_malloc((n ? n : 1) * sizeof *v);
  if (!v)
    return LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    v[k++] = (double)(c->u->records[idx[i]].local - c->u->records[idx[i - 1]].local);
  summarise(v, k, out);
  ls_free(v);
  return LS_OK;
}

static ls_status pareto(ctx *c, const uint32_t *idx, size_t n, int durations, ival *out) {
  tally t;
  ls_status rc = tally_contacts(c, idx, n, &t);
  size_t *order = ls_malloc((t.n ? t.n : 1) * sizeof *order);
  if (!rc && !order)
    rc = LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
  if (!rc && n && t.n) {
    size_t taken = pareto_taken(durations ? t.dur : t.count, t.n, order);
    out->present = 1;
    out->s = (double)taken / (double)t.n;
  }
  ls_free(order);
  tally_free(c, &t);
  return rc;
}

static ls_status ind_percent_pareto_interactions(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  return pareto(c, idx, n, 0, out);
}

static ls_status ind_percent_pareto_durations(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  return pareto(c, idx, n, 1, out);
}

static ls_status ind_number_of_interactions(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  (void)c;
  (void)idx;
  out->present = 1;
  out->s = (double)n;
  return LS_OK;
}

static ls_status count_direction(ctx *c, const uint32_t *idx, size_t n, int want_out, ival *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += (c->u->records[idx[i]].out == want_out);
  out->present = 1;
  out->s = (double)k;
  return LS_OK;
}

static ls_status ind_number_of_interaction_in(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  return count_direction(c, idx, n, 0, out);
}

static ls_status ind_number_of_interaction_out(ctx *c, const uint32_t *idx, size_t n, ival *out) {
  return count_direction(c, idx, n, 1, out);
}

/* ---- spatial indicators --------------------------------------------------- */

/* bandicoot's positions_binning: cuts the records into runs sharing the same
 * 30-minute slot and keeps, per run, its most frequent position (the first
 * met on ties). Writes position ids to pos and returns how many. */
static ls_status bin_positions(ctx *c, const uint32_t *idx, size_t n, uint32_t *pos, size_t *npos) {
  size_t k = 0, i = 0;
  tally t;
  ls_status rc = tally_alloc(&t, n, c->err);
  if (rc) {
    tally_free(c, &t);
    return rc;
  }
  while (i < n) {
    int64_t slot = c->u->records[idx[i]].local;
    slot = slot >= 0 ? slot / BIN_S : -((-slot + BIN_S - 1) / BIN_S);
    size_t j = i;
    for (; j < n; j++) {
      int64_t s2 = c->u->records[idx[j]].local;
      s2 = s2 >= 0 ? s2 / BIN_S : -((-s2 + BIN_S - 1) / BIN_S);
      if (s2 != slot)
        break;
      size_t q = tally_add(c, &t, c->u->records[idx[j]].position);
      t.count[q] += 1;
    }
    size_t best = 0;
    for (size_t q = 1; q < t.n; q++)
      if (t.count[q] > t.count[best])
        best = q;
    pos[k++] = t.keys[best];
    for (size_t q = 0; q < t.n; q++) {
      c->slot[t.keys[q]] = 0;
      t.count[q] = 0;
    }
    t.n = 0;
    i = j;
  }
  tally_free(c, &t);
  *npos = k;
  return LS_OK;
}

typedef ls_status (*spatial_fn)(ctx *c, const uint32_t *pos, size_t n, ival *out);

static ls_status position_tally(ctx *c, const uint32_t *pos, size_t n, tally *t) {
  ls_status rc = tally_alloc(t, n, c->err);
  if (rc)
    return rc;
  for (size_t i = 0; i < n; i++)
    t->count[tally_add(c, t, pos[i])] += 1;
  return LS_OK;
}

static ls_status sp_number_of_antennas(ctx *c, const uint32_t *pos, size_t n, ival *out) {
  tally t;
  ls_status rc = position_tally(c, pos, n, &t);
  if (!rc) {
    out->present = 1;
    out->s = (double)t.n;
  }
  tally_free(c, &t);
  return rc;
}

static ls_status sp_entropy_of_antennas(ctx *c, const uint32_t *pos, size_t n, ival *out) {
  tally t;
  ls_status rc = position_tally(c, pos, n, &t);
  if (!rc && t.n) {
    out->present = 1;
    out->s = entropy_of_counts(t.count, t.n);
  }
  tally_free(c, &t);
  return rc;
}

static ls_status sp_percent_at_home(ctx *c, const uint32_t *pos, size_t n, ival *out) {
  if (c->home == LS_NO_ID)
    return LS_OK;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += pos[i] == c->home;
  out->present = 1;
  out->s = n ? (double)k / (double)n : 0;
  return LS_OK;
}

static double radians(double deg) { return deg * (M_PI / 180.0); }

static double great_circle_km(double lat1, double lon1, double lat2, double lon2) {
  double dlat = radians(lat1 - lat2), dlon = radians(lon1 - lon2);
  double a = sin(dlat / 2) * sin(dlat / 2) +
             cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) * sin(dlon / 2);
  return EARTH_RADIUS_KM * 2.0 * asin(sqrt(a));
}

static ls_status sp_radius_of_gyration(ctx *c, const uint32_t *pos, size_t n, ival *out) {
  const ls_bc_user *u = c->u;
  double w = 0, clat = 0, clon = 0;
  for (size_t i = 0; i < n; i++) {
    double la = u->pos_lat[pos[i]], lo = u->pos_lon[pos[i]];
    if (isnan(la) || isnan(lo))
      continue;
    clat += la;
    clon += lo;
    w += 1;
  }
  if (w == 0)
    return LS_OK;
  clat /= w;
  clon /= w;
  double r = 0;
  for (size_t i = 0; i < n; i++) {
    double la = u->pos_lat[pos[i]], lo = u->pos_lon[pos[i]];
    if (isnan(la) || isnan(lo))
      continue;
    double d = great_circle_km(clat, clon, la, lo);
    r += d * d / w;
  }
  out->present = 1;
  out->s = sqrt(r);
  return LS_OK;
}

static ls_status sp_frequent_antennas(ctx *c, const uint32_t *pos, size_t n, ival *out) {
  tally t;
  ls_status rc = position_tally(c, pos, n, &t);
  size_t *order = ls_malloc((t.n ? t.n : 1) * sizeof *order);
  if (!rc && !order)
    rc = LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
  if (!rc) {
    out->present = 1;
    out->s = (double)pareto_taken(t.count, t.n, order);
  }
  ls_free(order);
  tally_free(c, &t);
  return rc;
}

/* ---- output ----------------------------------------------------------------- */

static ls_status put(ctx *c, json_t *obj, const char *key, json_t *v) {
  if (!v || json_object_set_new(obj, key, v))
    return LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory building indicators");
  return LS_OK;
}

static json_t *num(int present, double v, int as_int) {
  if (!present || !isfinite(v))
    return json_null();
  if (as_int && v == floor(v) && fabs(v) < 9e15)
    return json_integer((json_int_t)v);
  return json_real(v);
}

/* Summarises the per-group values of one (indicator, split, interaction) and
 * writes its keys: bandicoot's group.statistics. */
static ls_status emit(ctx *c, json_t *obj, const char *base, int is_stats, int as_int, const ival *vals,
                      size_t ngroups) {
  char key[256];
  int nst = c->o->extended ? ST_N : 2;
  ls_status rc = LS_OK;
  if (!c->o->groupby_week) {
    const ival *v = ngroups ? &vals[0] : NULL;
    if (!is_stats)
      return put(c, obj, base, num(v && v->present, v ? v->s : 0, as_int));
    for (int s = 0; s < nst && !rc; s++) {
      snprintf(key, sizeof key, "%s__%s", base, st_names[s]);
      rc = put(c, obj, key, num(v && v->present, v ? v->st[s] : 0, 0));
    }
    return rc;
  }
  double *x = ls_malloc((ngroups ? ngroups : 1) * sizeof *x);
  if (!x)
    return LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
  for (int s = 0; s < (is_stats ? nst : 1) && !rc; s++) {
    size_t k = 0;
    for (size_t g = 0; g < ngroups; g++)
      if (vals[g].present)
        x[k++] = is_stats ? vals[g].st[s] : vals[g].s;
    int present = 0;
    double m = 0, sd = 0;
    mean_std(x, k, &present, &m, &sd);
    if (is_stats)
      snprintf(key, sizeof key, "%s__%s__mean", base, st_names[s]);
    else
      snprintf(key, sizeof key, "%s__mean", base);
    rc = put(c, obj, key, num(present, m, 0));
    if (rc)
      break;
    if (is_stats)
      snprintf(key, sizeof key, "%s__%s__std", base, st_names[s]);
    else
      snprintf(key, sizeof key, "%s__std", base);
    rc = put(c, obj, key, num(present, sd, 0));
  }
  ls_free(x);
  return rc;
}

/* Runs fn over every group of the records that pass the filters; vals gets
 * one value per non-empty group. */
typedef struct grouping {
  uint32_t *idx;  /* filtered record indices */
  uint32_t *pos;  /* binned positions (spatial) */
  ival *vals;
} grouping;

static size_t filter_records(const ls_bc_user *u, int sel, int pw, int pd, uint32_t *idx) {
  size_t n = 0;
  for (size_t i = 0; i < u->n_records; i++) {
    const ls_bc_record *r = &u->records[i];
    if (keep_interaction(r, sel) && keep_part(r->local, pw, pd))
      idx[n++] = (uint32_t)i;
  }
  return n;
}

/* Length of the group starting at idx[0]: the whole list, or one ISO week. */
static size_t group_len(ctx *c, const uint32_t *idx, size_t n) {
  if (!c->o->groupby_week || n == 0)
    return n;
  int64_t wk = iso_week_key(day_of(c->u->records[idx[0]].local));
  size_t j = 1;
  while (j < n && iso_week_key(day_of(c->u->records[idx[j]].local)) == wk)
    j++;
  return j;
}

typedef struct indicator {
  const char *name;
  ind_fn fn;
  int is_stats, as_int;
  int sels[2];
  int nsel;
} indicator;

/* bandicoot's utils.all order and default interactions (SPEC.md s.4). */
static const indicator individual[] = {
    {"active_days", ind_active_days, 0, 1, {SEL_CALLANDTEXT}, 1},
    {"number_of_contacts", ind_number_of_contacts, 0, 1, {SEL_CALL, SEL_TEXT}, 2},
    {"call_duration", ind_call_duration, 1, 0, {SEL_CALL}, 1},
    {"percent_nocturnal", ind_percent_nocturnal, 0, 0, {SEL_CALL, SEL_TEXT}, 2},
    {"percent_initiated_conversations", ind_percent_initiated_conversations, 0, 0, {SEL_CALLANDTEXT}, 1},
    {"percent_initiated_interactions", ind_percent_initiated_interactions, 0, 0, {SEL_CALL}, 1},
    {"response_delay_text", ind_response_delay_text, 1, 0, {SEL_CALLANDTEXT}, 1},
    {"response_rate_text", ind_response_rate_text, 0, 0, {SEL_CALLANDTEXT}, 1},
    {"entropy_of_contacts", ind_entropy_of_contacts, 0, 0, {SEL_CALL, SEL_TEXT}, 2},
    {"balance_of_contacts", ind_balance_of_contacts, 1, 0, {SEL_CALL, SEL_TEXT}, 2},
    {"interactions_per_contact", ind_interactions_per_contact, 1, 0, {SEL_CALL, SEL_TEXT}, 2},
    {"interevent_time", ind_interevent_time, 1, 0, {SEL_CALL, SEL_TEXT}, 2},
    {"percent_pareto_interactions", ind_percent_pareto_interactions, 0, 0, {SEL_CALL, SEL_TEXT}, 2},
    {"percent_pareto_durations", ind_percent_pareto_durations, 0, 0, {SEL_CALL}, 1},
    {"number_of_interactions", ind_number_of_interactions, 0, 1, {SEL_CALL, SEL_TEXT}, 2},
    {"number_of_interaction_in", ind_number_of_interaction_in, 0, 1, {SEL_CALL, SEL_TEXT}, 2},
    {"number_of_interaction_out", ind_number_of_interaction_out, 0, 1, {SEL_CALL, SEL_TEXT}, 2},
};

typedef struct sp_indicator {
  const char *name;
  spatial_fn fn;
  int as_int;
} sp_indicator;

static const sp_indicator spatial[] = {
    {"number_of_antennas", sp_number_of_antennas, 1},
    {"entropy_of_antennas", sp_entropy_of_antennas, 0},
    {"percent_at_home", sp_percent_at_home, 0},
    {"radius_of_gyration", sp_radius_of_gyration, 0},
    {"frequent_antennas", sp_frequent_antennas, 1},
};

static int parts(const ls_indicators_opts *o, int split, int *list) {
  list[0] = 0;
  if (!split)
    return 1;
  list[1] = 1;
  list[2] = 2;
  (void)o;
  return 3;
}

static ls_status run_individual(ctx *c, json_t *obj, grouping *gb) {
  int pws[3], pds[3];
  int npw = parts(c->o, c->o->split_week, pws), npd = parts(c->o, c->o->split_day, pds);
  char base[200];
  ls_status rc = LS_OK;
  for (size_t k = 0; k < sizeof individual / sizeof individual[0] && !rc; k++) {
    const indicator *ind = &individual[k];
    for (int a = 0; a < npw && !rc; a++)
      for (int b = 0; b < npd && !rc; b++)
        for (int s = 0; s < ind->nsel && !rc; s++) {
          size_t n = filter_records(c->u, ind->sels[s], pws[a], pds[b], gb->idx);
          size_t ng = 0, at = 0;
          while (at < n && !rc) {
            size_t len = group_len(c, gb->idx + at, n - at);
            memset(&gb->vals[ng], 0, sizeof gb->vals[ng]);
            rc = ind->fn(c, gb->idx + at, len, &gb->vals[ng]);
            ng++;
            at += len;
          }
          if (rc)
            break;
          snprintf(base, sizeof base, "%s__%s__%s__%s", ind->name, pw_names[pws[a]], pd_names[pds[b]],
                   sel_names[ind->sels[s]]);
          rc = emit(c, obj, base, ind->is_stats, ind->as_int, gb->vals, ng);
        }
  }
  return rc;
}

static ls_status run_spatial(ctx *c, json_t *obj, grouping *gb) {
  int pws[3], pds[3];
  int npw = parts(c->o, c->o->split_week, pws), npd = parts(c->o, c->o->split_day, pds);
  char base[200];
  ls_status rc = LS_OK;
  for (size_t k = 0; k < sizeof spatial / sizeof spatial[0] && !rc; k++) {
    const sp_indicator *ind = &spatial[k];
    for (int a = 0; a < npw && !rc; a++)
      for (int b = 0; b < npd && !rc; b++) {
        size_t n = filter_records(c->u, SEL_ALL, pws[a], pds[b], gb->idx);
        size_t ng = 0, at = 0;
        while (at < n && !rc) {
          size_t len = group_len(c, gb->idx + at, n - at), npos = 0;
          rc = bin_positions(c, gb->idx + at, len, gb->pos, &npos);
          if (rc)
            break;
          memset(&gb->vals[ng], 0, sizeof gb->vals[ng]);
          rc = ind->fn(c, gb->pos, npos, &gb->vals[ng]);
          ng++;
          at += len;
        }
        if (rc)
          break;
        snprintf(base, sizeof base, "%s__%s__%s", ind->name, pw_names[pws[a]], pd_names[pds[b]]);
        rc = emit(c, obj, base, 0, ind->as_int, gb->vals, ng);
      }
  }
  return rc;
}

/* Home: the most common binned position among the night records of the
 * whole dataset (first met on ties); bandicoot's User.recompute_home. */
static ls_status find_home(ctx *c, grouping *gb) {
  c->home = LS_NO_ID;
  size_t n = filter_records(c->u, SEL_ALL, PW_ALL, PD_NIGHT, gb->idx), npos = 0;
  if (n == 0)
    return LS_OK;
  ls_status rc = bin_positions(c, gb->idx, n, gb->pos, &npos);
  if (rc)
    return rc;
  tally t;
  rc = position_tally(c, gb->pos, npos, &t);
  if (!rc && t.n) {
    size_t best = 0;
    for (size_t q = 1; q < t.n; q++)
      if (t.count[q] > t.count[best])
        best = q;
    c->home = t.keys[best];
  }
  tally_free(c, &t);
  return rc;
}

/* churn_rate: cosine distance between the weekly shares of binned positions
 * of consecutive weeks with records (never split, always weekly). */
static ls_status churn_rate(ctx *c, json_t *obj, grouping *gb) {
  const ls_bc_user *u = c->u;
  size_t n = filter_records(u, SEL_ALL, PW_ALL, PD_ALL, gb->idx);
  size_t npos_all = u->positions.count ? u->positions.count : 1;
  double *prev = ls_calloc(npos_all, sizeof *prev), *cur = ls_calloc(npos_all, sizeof *cur);
  double *dist = ls_malloc((n ? n : 1) * sizeof *dist);
  ls_status rc = LS_OK;
  if (!prev || !cur || !dist) {
    rc = LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
    goto out;
  }
  size_t at = 0, nd = 0;
  int have_prev = 0;
  while (at < n) {
    size_t len, npos = 0;
    int64_t wk = iso_week_key(day_of(u->records[gb->idx[at]].local));
    for (len = 1; at + len < n && iso_week_key(day_of(u->records[gb->idx[at + len]].local)) == wk; len++)
      ;
    rc = bin_positions(c, gb->idx + at, len, gb->pos, &npos);
    if (rc)
      goto out;
    memset(cur, 0, npos_all * sizeof *cur);
    for (size_t i = 0; i < npos; i++)
      cur[gb->pos[i]] += 1.0 / (double)npos;
    if (have_prev) {
      double dot = 0, n1 = 0, n2 = 0;
      for (size_t p = 0; p < npos_all; p++) {
        dot += prev[p] * cur[p];
        n1 += prev[p] * prev[p];
        n2 += cur[p] * cur[p];
      }
      dist[nd++] = 1 - dot / (sqrt(n1) * sqrt(n2));
    }
    memcpy(prev, cur, npos_all * sizeof *cur);
    have_prev = 1;
    at += len;
  }
  int present = 0;
  double m = 0, sd = 0;
  mean_std(dist, nd, &present, &m, &sd);
  rc = put(c, obj, "churn_rate__mean", num(present, m, 0));
  if (!rc)
    rc = put(c, obj, "churn_rate__std", num(present, sd, 0));
out:
  ls_free(prev);
  ls_free(cur);
  ls_free(dist);
  return rc;
}

/* ---- recharges ------------------------------------------------------------ */

enum { RC_AMOUNT, RC_INTEREVENT, RC_PARETO, RC_NUMBER };

static void recharge_value(const ls_bc_recharge *r, size_t n, int which, double *buf, ival *out) {
  memset(out, 0, sizeof *out);
  switch (which) {
  case RC_AMOUNT:
    for (size_t i = 0; i < n; i++)
      buf[i] = r[i].amount;
    summarise(buf, n, out);
    break;
  case RC_INTEREVENT:
    for (size_t i = 1; i < n; i++)
      buf[i - 1] = (double)(r[i].local - r[i - 1].local);
    summarise(buf, n ? n - 1 : 0, out);
    break;
  case RC_PARETO: {
    /* bandicoot's percent_pareto_recharges: fewest recharges (largest first)
     * whose amounts reach 80% of the total, over the number of recharges */
    double total = 0;
    for (size_t i = 0; i < n; i++) {
      buf[i] = r[i].amount;
      total += buf[i];
    }
    ls_qsort(buf, n, sizeof *buf, cmp_double);
    double partial = 0;
    size_t count = 0;
    for (size_t i = n; i-- > 0;) {
      partial += buf[i];
      count++;
      if (partial >= PARETO_SHARE * total)
        break;
    }
    out->present = n > 0;
    out->s = n ? (double)count / (double)n : 0;
    break;
  }
  default:
    out->present = 1;
    out->s = (double)n;
  }
}

static ls_status run_recharges(ctx *c, json_t *obj) {
  static const char *const names[] = {"amount_recharges", "interevent_time_recharges",
                                      "percent_pareto_recharges", "number_of_recharges"};
  const ls_bc_user *u = c->u;
  int pws[3], pds[3];
  int npw = parts(c->o, c->o->split_week, pws), npd = parts(c->o, c->o->split_day, pds);
  size_t cap = u->n_recharges ? u->n_recharges : 1;
  ls_bc_recharge *sel = ls_malloc(cap * sizeof *sel);
  double *buf = ls_malloc(cap * sizeof *buf);
  ival *vals = ls_malloc(cap * sizeof *vals);
  char base[200];
  ls_status rc = LS_OK;
  if (!sel || !buf || !vals) {
    rc = LS_FAIL(c->err, LS_ERR_NOMEM, "out of memory computing indicators");
    goto out;
  }
  for (int which = RC_AMOUNT; which <= RC_NUMBER && !rc; which++)
    for (int a = 0; a < npw && !rc; a++)
      for (int b = 0; b < npd && !rc; b++) {
        size_t n = 0;
        for (size_t i = 0; i < u->n_recharges; i++)
          if (keep_part(u->recharges[i].local, pws[a], pds[b]))
            sel[n++] = u->recharges[i];
        size_t ng = 0, at = 0;
        while (at < n) {
          size_t len = n - at;
          if (c->o->groupby_week) {
            int64_t wk = iso_week_key(day_of(sel[at].local));
            for (len = 1; at + len < n && iso_week_key(day_of(sel[at + len].local)) == wk; len++)
              ;
          }
          recharge_value(sel + at, len, which, buf, &vals[ng++]);
          at += len;
        }
        snprintf(base, sizeof base, "%s__%s__%s", names[which], pw_names[pws[a]], pd_names[pds[b]]);
        rc = emit(c, obj, base, which <= RC_INTEREVENT, which == RC_NUMBER, vals, ng);
      }
out:
  ls_free(sel);
  ls_free(buf);
  ls_free(vals);
  return rc;
}

/* ---- reporting ------------------------------------------------------------- */

static json_t *local_text(int64_t t) {
  int64_t d = day_of(t), sod = t - d * 86400;
  int y, m, dd;
  civil_from_days(d, &y, &m, &dd);
  char buf[40];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", y, m, dd, (int)(sod / 3600),
           (int)(sod / 60 % 60), (int)(sod % 60));
  return json_string(buf);
}

static int64_t monday_of(int64_t t) {
  int64_t d = day_of(t);
  return d - (iso_weekday(d) - 1);
}

static ls_status reporting(ctx *c, json_t *obj) {
  const ls_bc_user *u = c->u;
  const ls_indicators_opts *o = c->o;
  ls_status rc = LS_OK;
  size_t n = u->n_records, missing = 0;
  int has_call = 0, has_text = 0;
  for (size_t i = 0; i < n; i++) {
    const ls_bc_record *r = &u->records[i];
    has_call |= r->interaction == LS_BC_CALL;
    has_text |= r->interaction == LS_BC_TEXT;
    if (isnan(u->pos_lat[r->position]))
      missing++;
  }
  long bins = 1, with_data = 1;
  if (o->groupby_week) {
    bins = with_data = 0;
    if (n) {
      bins = (long)((monday_of(u->records[n - 1].local) - monday_of(u->records[0].local)) / 7 + 1);
      int64_t last = INT64_MIN;
      for (size_t i = 0; i < n; i++) {
        int64_t wk = iso_week_key(day_of(u->records[i].local));
        if (wk != last)
          with_data++;
        last = wk;
      }
    }
  }
  json_t *weekend = json_pack("[ii]", 6, 7);
  rc = put(c, obj, "reporting__groupby", o->groupby_week ? json_string("week") : json_null());
  if (!rc)
    rc = put(c, obj, "reporting__split_week", json_boolean(o->split_week));
  if (!rc)
    rc = put(c, obj, "reporting__split_day", json_boolean(o->split_day));
  if (!rc)
    rc = put(c, obj, "reporting__start_time", n ? local_text(u->records[0].local) : json_null());
  if (!rc)
    rc = put(c, obj, "reporting__end_time", n ? local_text(u->records[n - 1].local) : json_null());
  if (!rc)
    rc = put(c, obj, "reporting__night_start", json_string("19:00:00"));
  if (!rc)
    rc = put(c, obj, "reporting__night_end", json_string("07:00:00"));
  if (!rc)
    rc = put(c, obj, "reporting__weekend", weekend);
  else
    json_decref(weekend);
  if (!rc)
    rc = put(c, obj, "reporting__number_of_records", json_integer((json_int_t)n));
  if (!rc)
    rc = put(c, obj, "reporting__number_of_antennas", json_integer((json_int_t)u->n_antennas));
  if (!rc)
    rc = put(c, obj, "reporting__number_of_recharges", json_integer((json_int_t)u->n_recharges));
  if (!rc)
    rc = put(c, obj, "reporting__bins", json_integer(bins));
  if (!rc)
    rc = put(c, obj, "reporting__bins_with_data", json_integer(with_data));
  if (!rc)
    rc = put(c, obj, "reporting__bins_without_data", json_integer(bins - with_data));
  if (!rc)
    rc = put(c, obj, "reporting__has_call", json_boolean(has_call));
  if (!rc)
    rc = put(c, obj, "reporting__has_text", json_boolean(has_text));
  if (!rc)
    rc = put(c, obj, "reporting__has_home", json_boolean(c->home != LS_NO_ID));
  if (!rc)
    rc = put(c, obj, "reporting__has_recharges", json_boolean(u->n_recharges > 0));
  if (!rc)
    rc = put(c, obj, "reporting__percent_records_missing_location",
             json_real(n ? (double)missing / (double)n : 0.0));
  const ls_bc_ignored *ig = &u->ignored;
  struct {
    const char *k;
    long v;
  } ign[] = {{"all", ig->all},
             {"interaction", ig->interaction},
             {"direction", ig->direction},
             {"correspondent_id", ig->correspondent_id},
             {"datetime", ig->datetime},
             {"call_duration", ig->call_duration},
             {"location", ig->location}};
  char key[80];
  for (size_t i = 0; i < sizeof ign / sizeof ign[0] && !rc; i++) {
    snprintf(key, sizeof key, "reporting__ignored_records__%s", ign[i].k);
    rc = put(c, obj, key, json_integer(ign[i].v));
  }
  return rc;
}

/* ---- entry points ------------------------------------------------------------ */

void ls_indicators_opts_default(ls_indicators_opts *o) {
  memset(o, 0, sizeof *o);
  o->groupby_week = 1;
}

ls_status ls_indicators_compute(const ls_bc_user *u, const ls_indicators_opts *o, json_t **out,
                                ls_error *err) {
  ctx c = {.u = u, .o = o, .home = LS_NO_ID, .err = err};
  grouping gb = {0};
  ls_status rc = LS_OK;
  json_t *obj = json_object();
  size_t n = u->n_records ? u->n_records : 1;
  size_t nslot = u->correspondents.count > u->positions.count ? u->correspondents.count
                                                               : u->positions.count;
  *out = NULL;
  c.slot = ls_calloc(nslot ? nslot : 1, sizeof *c.slot);
  gb.idx = ls_malloc(n * sizeof *gb.idx);
  gb.pos = ls_malloc(n * sizeof *gb.pos);
  gb.vals = ls_malloc(n * sizeof *gb.vals);
  if (!obj || !c.slot || !gb.idx || !gb.pos || !gb.vals) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory computing indicators");
    goto out;
  }
  rc = find_home(&c, &gb);
  if (!rc)
    rc = put(&c, obj, "name", u->name ? json_string(u->name) : json_null());
  if (!rc)
    rc = reporting(&c, obj);
  if (!rc)
    rc = run_individual(&c, obj, &gb);
  if (!rc)
    rc = run_spatial(&c, obj, &gb);
  if (!rc)
    rc = churn_rate(&c, obj, &gb);
  if (!rc && u->has_recharges)
    rc = run_recharges(&c, obj);
out:
  ls_free(c.slot);
  ls_free(gb.idx);
  ls_free(gb.pos);
  ls_free(gb.vals);
  if (rc)
    json_decref(obj);
  else
    *out = obj;
  return rc;
}

ls_status ls_indicators_user_from_events(const ls_events *ev, uint32_t number, const uint32_t *only,
                                         size_t n_only, ls_indicators_local_fn to_local, void *lctx,
                                         ls_bc_user *u, ls_error *err) {
  ls_status rc = LS_OK;
  const char *self = ls_dict_str(&ev->numbers, number);
  ls_free(u->name);
  u->name = ls_strdup(self);
  if (!u->name)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  size_t total = only ? n_only : ev->count;
  for (size_t k = 0; k < total; k++) {
    size_t i = only ? only[k] : k;
    int out = ev->caller[i] == number;
    if (!out && ev->callee[i] != number)
      continue;
    uint32_t other = out ? ev->callee[i] : ev->caller[i];
    uint32_t cell = out ? ev->caller_cell[i] : ev->callee_cell[i];
    const char *who = ls_dict_str(&ev->numbers, other);
    const char *cname = cell == LS_NO_ID ? "" : ls_dict_str(&ev->cells, cell);
    ls_bc_record r = {0};
    r.local = to_local ? to_local(lctx, ev->start[i]) : ev->start[i];
    r.interaction = ev->type[i] == LS_EV_CALL ? LS_BC_CALL : LS_BC_TEXT;
    r.out = (uint8_t)out;
    r.duration = ev->type[i] == LS_EV_CALL ? ev->duration[i] : -1;
    rc = ls_dict_intern(&u->correspondents, who, strlen(who), &r.correspondent);
    if (rc) {
      LS_FAIL(err, rc, "out of memory");
      break;
    }
    rc = ls_bc_user_antenna(u, cname, strlen(cname), &r.position, err);
    if (!rc)
      rc = ls_bc_user_push(u, &r, err);
    if (rc)
      break;
  }
  if (!rc)
    rc = ls_bc_user_sort(u, err);
  return rc;
}
