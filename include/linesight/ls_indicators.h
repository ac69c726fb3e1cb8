/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bandicoot's individual, spatial and recharge indicators
 * (https://github.com/computationalprivacy/bandicoot, version 0.6.0 with the
 * Dec 2020 pareto fix), computed with bandicoot's definitions so that work
 * done in that toolbox carries over: grouping by ISO week, weekday/weekend
 * and day/night splits (night = 19:00 to 07:00, both ends night), summary
 * statistics (population std, Pearson kurtosis), entropies in nats.
 * docs/indicators.md lists every indicator, its keys and the deliberate
 * differences from bandicoot. */
#ifndef LINESIGHT_LS_INDICATORS_H
#define LINESIGHT_LS_INDICATORS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"
#include "ls_ingest_bandicoot.h"

typedef struct ls_indicators_opts {
  int groupby_week; /* 1: bandicoot's groupby='week' (the default); 0: groupby=None */
  int split_week;   /* add weekday / weekend */
  int split_day;    /* add day / night */
  int extended;     /* summary='extended': also median, skewness, kurtosis, min, max */
} ls_indicators_opts;

/* Default options: groupby week, no splits, default summary. */
void ls_indicators_opts_default(ls_indicators_opts *o);

/* Computes every indicator of one subscriber and returns them as one flat
 * JSON object with bandicoot's keys
 * (`indicator__partofweek__partofday__interaction[__stat[__mean|std]]`, the
 * `reporting__*` keys and `name`), in bandicoot's order. Absent values
 * (bandicoot's None) are JSON null. The records of u must be sorted
 * (ls_bc_user_sort). *out is a new reference the caller releases with
 * json_decref. Errors: LS_ERR_NOMEM. Time O(K n log n) for n records and K
 * (indicator, split, interaction) combinations (at most about 200); memory
 * O(n + correspondents + positions). */
ls_status ls_indicators_compute(const ls_bc_user *u, const ls_indicators_opts *o, json_t **out,
                                ls_error *err);

/* Converts a UTC instant to wall-clock seconds in the analyst's time zone
 * (bandicoot applies its day/night and weekday rules to local time). */
typedef int64_t (*ls_indicators_local_fn)(void *ctx, int64_t utc);

/* Fills u (initialised, empty) with the events of number `number` (an id in
 * ev->numbers) seen from that number's side: a call or sms it made is `out`
 * with the callee as correspondent and caller_cell as position, one it
 * received is `in` with callee_cell; sms become `text`. An event with the
 * number on both sides is taken once, as `out`. Positions are cell ids;
 * their locations stay unknown unless set with ls_bc_user_set_location.
 * to_local may be NULL (times stay UTC). u->name is set to the number.
 * `only` (may be NULL) lists the indices of the events to look at, in
 * order -- an index of the number's events saves scanning them all.
 * Errors: LS_ERR_NOMEM. O(events looked at + n log n). */
ls_status ls_indicators_user_from_events(const ls_events *ev, uint32_t number, const uint32_t *only,
                                         size_t n_only, ls_indicators_local_fn to_local, void *ctx,
                                         ls_bc_user *u, ls_error *err);

#endif
