/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Synthetic county lines world with ground truth (`linesight simulate`).
 *
 * A world is built from a parameter set (defaults from DOMAIN.md, see
 * docs/simulator.md), then generated day by day: each day's events are
 * produced, sorted by time and handed to a sink in chunks, so memory does
 * not grow with the number of days. The same parameters (seed included)
 * always give the same world and the same events, on any machine. */
#ifndef LINESIGHT_LS_SIM_H
#define LINESIGHT_LS_SIM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"

/* Every tunable of the world. Rates are per day unless named otherwise;
 * "_share" values are probabilities in [0,1]. Each default and its source
 * is listed in docs/simulator.md. */
typedef struct ls_sim_params {
  uint64_t seed;
  uint32_t scale;        /* people in the ordinary population */
  uint32_t days;         /* days of events */
  int64_t start;         /* Unix seconds of day 0, 00:00 UTC */
  char difficulty[16];   /* "standard" or "hard": the preset applied */

  /* ordinary population */
  double degree_alpha;       /* Pareto exponent of a person's contact count */
  double degree_min;         /* smallest contact count */
  double degree_max;         /* cap on one person's contact count */
  double local_tie_share;    /* contacts living in the same place */
  double tie_rate_median;    /* contacts a day on one tie (median) */
  double tie_rate_sigma;     /* log-normal spread of tie rates */
  double sms_share;          /* texts among social contacts */
  double oneoff_rate;        /* one-off contacts a person makes a day */
  double trip_rate;          /* chance a person starts a trip on a day */
  double attributed_share;   /* personal numbers with a subscriber record */
  double flagged_attributed_share; /* of people with a flag on record, numbers known */
  double second_phone_share; /* people with a second personal number */

  /* deal lines */
  double lines_per_10k;      /* deal lines per 10,000 people */
  uint32_t lines_min;        /* at least this many lines */
  uint32_t customers_min;    /* customers of one line over the window */
  uint32_t customers_max;
  double new_customer_share; /* of a line's customers, those who join in the window */
  double multi_line_share;   /* customers who also buy from another line */
  double purchase_rate_median; /* purchases a day by one customer (median) */
  uint32_t adverts_min;      /* bulk adverts a day, per line */
  uint32_t adverts_max;
  uint32_t rotation_min_days; /* planned number swap interval */
  uint32_t rotation_max_days;
  double forced_swap_rate;   /* chance a day of a forced swap (seizure) */
  double same_imei_share;    /* swaps that keep the handset (new SIM only) */
  uint32_t runners_min;
  uint32_t runners_max;
  double juvenile_runner_share;
  double missing_episode_share; /* juvenile runners with missing episodes */
  uint32_t stint_min_days;   /* days a runner stays in the destination */
  uint32_t stint_max_days;
  double closure_share;      /* lines closed part-way through the window */
  double late_start_share;   /* lines that start part-way */
  double holder_calls;       /* holder <-> deal phone calls a day */
  double runner_phone_on_share; /* runners keeping their own phone on when away */
  double runner_known_share; /* runners whose own number police hold from intelligence */
  double occupant_customer_share; /* cuckooed occupants who buy from the line */

  /* decoys (hard negatives) per 10,000 people */
  double taxi_per_10k;
  double takeaway_per_10k;
  double trade_per_10k;
  double delivery_per_10k;
  double bulk_sms_per_10k;
  double community_per_10k;
  double phone_change_share; /* people who change number in the window */
  double taxi_user_share;
  double takeaway_user_share;

  /* base rates of flags in the whole population */
  double vulnerable_adult_share;
  double drug_dependency_share;
  double mental_health_share;
  double looked_after_share;   /* among under-18s */
  double excluded_share;       /* among under-18s */
  double missing_share;        /* among under-18s */
} ls_sim_params;

/* Fills p with the "standard" preset, seed 1, scale 20000, 28 days from
 * 2024-10-07. */
void ls_sim_params_default(ls_sim_params *p);

/* Applies a named preset ("standard" or "hard") over p's world parameters;
 * seed, scale, days and start are kept. LS_ERR_USAGE for an unknown name. */
ls_status ls_sim_params_preset(ls_sim_params *p, const char *name, ls_error *err);

/* Sets one parameter by name from text ("difficulty" applies a preset).
 * LS_ERR_USAGE for an unknown key or a value out of its range. */
ls_status ls_sim_params_set(ls_sim_params *p, const char *key, const char *value, ls_error *err);

/* Reads parameters from a file: either `key = value` lines (# comments) or
 * one JSON object of the same keys. Errors name the file, line and column. */
ls_status ls_sim_params_load(ls_sim_params *p, const char *path, ls_error *err);

/* Checks cross-parameter consistency (min <= max, scale and days > 0). */
ls_status ls_sim_params_check(const ls_sim_params *p, ls_error *err);

/* One generated event. Numbers, cells and handsets are ids into the world
 * (ls_sim_number, ls_sim_cell_id, ls_sim_imei); cells and handsets are
 * LS_NO_ID when the operator's data would not hold them. */
typedef struct ls_sim_event {
  int64_t start; /* Unix seconds, UTC */
  uint32_t caller, callee;
  uint32_t caller_cell, callee_cell;
  uint32_t caller_imei, callee_imei;
  int32_t duration; /* seconds; 0 for sms */
  uint8_t type;     /* ls_event_type */
} ls_sim_event;

typedef struct ls_sim_world ls_sim_world;

/* Receives events in time order, n at a time; a non-zero return stops the
 * run and is passed back by ls_sim_world_run. */
typedef ls_status (*ls_sim_sink_fn)(void *ctx, const ls_sim_world *w, const ls_sim_event *ev,
                                    size_t n, ls_error *err);

/* Builds the world (geography, people, social ties, lines, decoys).
 * Time O(scale * mean degree); memory O(scale), independent of days. */
ls_status ls_sim_world_create(const ls_sim_params *p, ls_sim_world **out, ls_error *err);
void ls_sim_world_free(ls_sim_world *w);

/* Generates every day's events into the sink. Call once per world.
 * Time O(events); memory O(scale + events of one day). */
ls_status ls_sim_world_run(ls_sim_world *w, ls_sim_sink_fn sink, void *ctx, ls_error *err);

/* Lookups of ids seen in events; the strings live as long as the world. */
const char *ls_sim_number(const ls_sim_world *w, uint32_t id);
const char *ls_sim_cell_id(const ls_sim_world *w, uint32_t id);
const char *ls_sim_imei(const ls_sim_world *w, uint32_t id);
size_t ls_sim_number_count(const ls_sim_world *w);
uint64_t ls_sim_event_count(const ls_sim_world *w); /* events generated so far */

/* The ground truth (DESIGN.md section 5) as a new JSON reference (caller
 * decrefs); complete after ls_sim_world_run. NULL when out of memory. */
json_t *ls_sim_truth(const ls_sim_world *w);

/* Static tables as CSV (DESIGN.md section 4), each written to the file at
 * path (replaced). LS_ERR_IO when it cannot be written. */
ls_status ls_sim_write_cells(const ls_sim_world *w, const char *path, ls_error *err);
ls_status ls_sim_write_persons(const ls_sim_world *w, const char *path, ls_error *err);
ls_status ls_sim_write_attributions(const ls_sim_world *w, const char *path, ls_error *err);
ls_status ls_sim_write_addresses(const ls_sim_world *w, const char *path, ls_error *err);

/* What ls_sim_write_dir produced. */
typedef struct ls_sim_summary {
  uint64_t events;
  uint32_t lines, deal_numbers, numbers, cells, persons, addresses;
} ls_sim_summary;

/* Builds and runs a world, writing events.csv, cells.csv, persons.csv,
 * attributions.csv, addresses.csv and truth.json into dir (created if
 * missing). Events are formatted by hand into a large buffer (the writer is
 * the hot path: millions of rows a second). summary may be NULL. */
ls_status ls_sim_write_dir(const ls_sim_params *p, const char *dir, ls_sim_summary *summary,
                           ls_error *err);

#endif
