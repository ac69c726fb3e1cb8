/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulator's private state, shared by its files (world, people,
 * lines, decoys, output). Nothing here is visible to the CLI. */
#ifndef LINESIGHT_SIM_INTERNAL_H
#define LINESIGHT_SIM_INTERNAL_H

#include <stdint.h>

#include "linesight/ls_sim.h"

#define SIM_NONE UINT32_MAX
#define SIM_DAY_S 86400u

/* ---- random numbers (sim_rng.c): xoshiro256** seeded by splitmix64 ---- */
typedef struct sim_rng {
  uint64_t s[4];
} sim_rng;

/* A stream for (seed, a, b): every day and module gets its own, so the
 * output does not depend on the order work is done in. */
void ls__sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t a, uint64_t b);
uint64_t ls__sim_rng_next(sim_rng *r);
double ls__sim_rng_unit(sim_rng *r);                 /* [0,1) */
uint32_t ls__sim_rng_below(sim_rng *r, uint32_t n);  /* [0,n), n > 0 */
uint32_t ls__sim_rng_range(sim_rng *r, uint32_t lo, uint32_t hi); /* [lo,hi] */
int ls__sim_rng_chance(sim_rng *r, double p);
uint32_t ls__sim_rng_poisson(sim_rng *r, double lambda);
double ls__sim_rng_normal(sim_rng *r);
double ls__sim_rng_lognormal(sim_rng *r, double median, double sigma);
double ls__sim_rng_pareto(sim_rng *r, double xmin, double alpha);
void ls__sim_rng_shuffle(sim_rng *r, uint32_t *a, uint32_t n);

/* A hour-of-day profile turned into a 1024-entry lookup table (hour index). */
typedef struct sim_profile {
  uint8_t hour[1024];
} sim_profile;
/* weights[24] are by local hour; utc_offset_h shifts them to UTC hours. */
void ls__sim_profile_build(sim_profile *pr, const double weights[24], int utc_offset_h);
/* A second of the (UTC) day drawn from the profile. */
uint32_t ls__sim_profile_sec(const sim_profile *pr, sim_rng *r);

/* ---- geography (sim_world.c) ---- */
enum { SIM_ORIGIN = 0, SIM_DEST = 1 };

typedef struct sim_place {
  const char *name;
  double lat, lon, radius_km, pop_weight, line_weight;
  uint32_t n_cells_target;
  uint8_t kind;
  int station;            /* its main station */
  uint32_t first_cell, n_cells; /* cells of the place proper, contiguous */
  uint32_t first_person, n_people;
} sim_place;

typedef struct sim_cell {
  double lat, lon;
  uint16_t azimuth;
  int16_t place;          /* -1 for rail corridor cells */
  char id[16];
  uint8_t id_len;
  char name[48];
  const char *area;
} sim_cell;

typedef struct sim_path {  /* a rail journey between two places' stations */
  uint32_t *cells;
  uint32_t *at_s;         /* seconds from departure when reaching cells[i] */
  uint32_t n;
} sim_path;

/* ---- numbers and handsets ---- */
enum { SIM_NUM_PERSONAL = 0, SIM_NUM_EXTERNAL, SIM_NUM_BUSINESS, SIM_NUM_DEAL };
/* Attribution of a personal number: none; a record (the operator's
 * subscriber check, or now and then intelligence: sim_output.c picks); a
 * police intelligence record (runners: sim_lines.c). */
enum { SIM_ATT_NONE = 0, SIM_ATT_RECORD = 1, SIM_ATT_INTEL = 2 };

typedef struct sim_number {
  char str[16];
  uint64_t body;   /* the 9 digits after +447, for sorting */
  uint32_t imei;   /* handset, SIM_NONE for external numbers */
  uint32_t person; /* owner, SIM_NONE for deal, business and external numbers */
  int32_t from_day, to_day; /* days the number is in use (for attributions) */
  uint8_t kind;
  uint8_t attributed; /* SIM_ATT_*: how the number is tied to its owner, if at all */
} sim_number;

/* What the event writer needs of a number, in 32 bytes: one cache line
 * fetch per party instead of three (number, handset, handset string) -
 * with a million people these lookups are cache misses and dominated the
 * writer's time. */
typedef struct sim_hot {
  uint32_t imei;   /* handset id or SIM_NONE */
  char digits[9];  /* after "+447" */
  char imei_str[15];
  uint8_t used;    /* appeared in an event */
} sim_hot;

/* ---- people ---- */
enum { SIM_F_MISSING = 1, SIM_F_LOOKED_AFTER = 2, SIM_F_EXCLUDED = 4, SIM_F_VULNERABLE = 8,
       SIM_F_DRUGS = 16, SIM_F_MENTAL = 32 };
enum { SIM_ST_HOME = 0, SIM_ST_AWAY, SIM_ST_TRAVEL };

/* 64 bytes on a 64-byte boundary (w->people is aligned by hand): one cache
 * line a person. Every ordinary contact reads two random people, ~1.4M
 * times a day at scale 1M, and these reads were the simulator's largest
 * cost; at 88 bytes a record spanned two or three lines. What the day's
 * whereabouts and numbers need comes first. Cells fit 16 bits and places 8
 * (checked when the geography is built). The person id is "P" and id_num
 * as 8 digits. */
typedef struct sim_person {
  uint32_t sim, sim2;     /* personal number; sim2 = second phone or new number */
  int32_t change_day;     /* day sim2 replaces sim, -1 when sim2 is a second phone or none */
  uint32_t change_sec;
  /* today's whereabouts */
  uint32_t dep_sec;
  int32_t trip_end;
  uint16_t home_cell, day_cell;
  uint16_t from_stay, to_stay;
  uint8_t place, from_place, to_place;
  uint8_t state;
  uint8_t runner;         /* 1 while a runner: location from the line */
  uint8_t quiet;          /* own phone off today (runner on stint) */
  uint8_t age, male;
  /* the rest */
  uint32_t id_num;
  int32_t dob_day;        /* days since 1970-01-01 */
  uint32_t address;
  uint32_t first_tie, n_ties; /* into w->adj */
  uint16_t flags;
} sim_person;
_Static_assert(sizeof(sim_person) == 64, "a person is one cache line");

typedef struct sim_address {
  char id[10];
  uint32_t id_num;
  double lat, lon;
  uint32_t cell, occupant;
  uint16_t flags;
  uint8_t cuckooed;
} sim_address;

/* ---- relations: a person buying from / using a line or business ---- */
typedef struct sim_rel {
  uint32_t person, target; /* target: line index or business index */
  float rate;              /* contacts a day */
  int32_t join_day, leave_day;
  uint8_t prefers_sms;
} sim_rel;

/* ---- deal lines (sim_lines.c) ---- */
typedef struct sim_line {
  char brand[16];
  uint16_t origin, dest;
  uint32_t holder;
  uint32_t runners[3];
  uint8_t n_runners;
  uint8_t worked;            /* bit k: runners[k] worked for the line in the window */
  uint32_t cuckoo_addr[2];
  uint16_t cuckoo_nights[2]; /* nights a runner slept there (truth lists those used) */
  uint8_t n_cuckoo;
  int32_t start_day, end_day; /* active [start_day, end_day) */
  uint32_t end_sec;
  uint8_t closed;
  uint32_t *nums;            /* every number used, in order */
  uint32_t n_nums, cap_nums;
  uint32_t cur_num, prev_num, swap_sec, announce_sec; /* swap_sec valid on swap_day */
  int32_t swap_day, next_swap_day;
  uint32_t first_cust, n_cust; /* into w->cust */
  uint32_t adverts_lo, adverts_hi;
  /* runner rota */
  uint8_t holding;           /* runner index holding the phone at day start */
  uint8_t holding_after;     /* after handover_sec */
  uint32_t handover_sec;
  int32_t stint_left;
  uint8_t break_day;         /* single runner: phone away from destination today */
  /* swaps for the truth file */
  uint32_t n_swaps, n_forced, n_same_imei;
} sim_line;

/* ---- decoys (sim_decoys.c) ---- */
enum { SIM_D_TAXI = 0, SIM_D_TAKEAWAY, SIM_D_TRADE, SIM_D_DELIVERY, SIM_D_BULK, SIM_D_COMMUNITY,
       SIM_D_KINDS };

typedef struct sim_business {
  uint8_t kind;
  uint16_t place;
  uint32_t number;         /* business number, or the organiser's personal number */
  uint32_t person;         /* organiser, SIM_NONE otherwise */
  uint32_t cell;           /* office */
  uint32_t *members;       /* bulk SMS subscribers, community group */
  uint32_t n_members;
  double rate;             /* bursts a day (bulk, community) */
} sim_business;

/* ---- the day's event buffer ---- */
/* 20 bytes: a day at scale 1,000,000 is ~2.2M events, and the buffer is
 * written once, sorted in two passes and read once, so its size is memory
 * traffic. Cells fit 16 bits (the geography has ~1,300; checked when it is
 * built). */
#define SIM_EV_NO_CELL 0xffffu
typedef struct sim_ev {
  uint32_t caller, callee;
  uint32_t sec_type; /* second of the day (UTC) << 1 | type */
  int32_t duration;
  uint16_t caller_cell, callee_cell; /* SIM_EV_NO_CELL when absent */
} sim_ev;

/* An event buffer (two alternate: one filled while the other is written). */
typedef struct sim_evbuf {
  sim_ev *ev;
  size_t n, cap;
} sim_evbuf;

struct sim_pipe; /* sim_world.c: hands sorted days to a second thread */

struct ls_sim_world {
  ls_sim_params p;
  sim_place *places;
  uint32_t n_places;
  sim_cell *cells;
  uint32_t n_cells;
  sim_path *paths;         /* n_places * n_places */
  sim_number *nums;
  uint32_t n_nums, cap_nums;
  sim_hot *hot;            /* parallel to nums */
  uint32_t cap_hot;
  char (*imeis)[16];
  uint32_t n_imeis, cap_imeis;
  uint32_t *num_set;       /* open-addressing set of numbers in use (uniqueness) */
  uint32_t num_set_mask;
  sim_person *people;      /* 64-byte aligned inside people_mem */
  void *people_mem;
  uint32_t n_people;
  uint32_t *ext;           /* external numbers (other networks) */
  uint32_t n_ext;
  /* social ties, undirected, plus adjacency for announcements */
  uint32_t *tie_a, *tie_b;
  float *tie_rate, *tie_p0, *tie_a_share, *tie_sms; /* tie_p0 = exp(-rate) */
  uint32_t n_ties;
  uint32_t *adj;
  sim_address *addrs;
  uint32_t n_addrs;
  sim_line *lines;
  uint32_t n_lines;
  sim_rel *cust;           /* grouped by line */
  uint32_t n_cust;
  uint8_t *cust_seen;      /* n_cust: contacted in the window */
  sim_business *biz;
  uint32_t n_biz;
  sim_rel *users;          /* taxi and takeaway users */
  uint32_t n_users;
  /* the current day */
  int32_t day;
  int64_t day_t0;
  int utc_offset_h;
  int weekday;             /* 0 Monday .. 6 Sunday */
  sim_evbuf buf[2];        /* the day being generated is buf[fill] */
  int fill;
  sim_ev *ev_tmp;          /* radix sort scratch */
  size_t cap_tmp;
  struct sim_pipe *pipe;   /* set while days are written on a second thread */
  void *contacts;          /* the day's tie contacts (sim_people.c) */
  size_t cap_contacts;
  uint64_t *quiet_bits;    /* who is quiet today (ls__sim_quiet_bits) */
  uint32_t *changers;      /* people who change number, in order */
  uint32_t n_changers;
  ls_status ev_rc;         /* first failure while emitting */
  uint64_t events_total;
  sim_profile pr_social, pr_taxi, pr_takeaway, pr_work, pr_deal, pr_advert, pr_evening;
};

/* geography and world building (sim_world.c) */
ls_status ls__sim_build_geo(ls_sim_world *w, ls_error *err);
ls_status ls__sim_new_number(ls_sim_world *w, sim_rng *r, uint8_t kind, uint32_t person,
                             uint32_t imei, uint32_t *out);
ls_status ls__sim_new_imei(ls_sim_world *w, sim_rng *r, uint32_t *out);
/* Room in the number set for `need` numbers (sized once up front instead
 * of rehashed as it doubles). */
ls_status ls__sim_num_set_reserve(ls_sim_world *w, uint32_t need);
uint32_t ls__sim_random_cell(const ls_sim_world *w, uint16_t place, uint64_t h);
int32_t ls__sim_days_from_civil(int y, unsigned m, unsigned d);
void ls__sim_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);

/* people (sim_people.c) */
ls_status ls__sim_build_people(ls_sim_world *w, ls_error *err);
void ls__sim_people_day_start(ls_sim_world *w);
void ls__sim_people_day(ls_sim_world *w);
uint32_t ls__sim_where(const ls_sim_world *w, uint32_t person, uint32_t sec);
/* Sets w->quiet_bits from people's quiet flags, once the lines' day has set
 * them (after ls__sim_lines_day, before decoys and people). */
ls_status ls__sim_quiet_bits(ls_sim_world *w);
uint32_t ls__sim_person_number(const ls_sim_world *w, uint32_t person, uint32_t sec);
/* Sends a text from person's number to each of their ties (new number). */
void ls__sim_announce_to_ties(ls_sim_world *w, uint32_t person, uint32_t number, uint32_t sec,
                              sim_rng *r);
/* Where a traveller is `into` seconds into the journey from place a to b. */
uint32_t ls__sim_path_cell(const ls_sim_world *w, uint16_t a, uint16_t b, uint32_t into);
uint32_t ls__sim_path_secs(const ls_sim_world *w, uint16_t a, uint16_t b);

/* lines and decoys */
ls_status ls__sim_build_lines(ls_sim_world *w, ls_error *err);
ls_status ls__sim_lines_day(ls_sim_world *w);
ls_status ls__sim_build_decoys(ls_sim_world *w, ls_error *err);
void ls__sim_decoys_day(ls_sim_world *w);

/* Appends one event of the current day (sec may be past midnight: clamped).
 * Cells and handsets are filled in from the numbers. */
void ls__sim_emit(ls_sim_world *w, uint32_t sec, uint8_t type, uint32_t caller, uint32_t callee,
                  int32_t duration, uint32_t caller_cell, uint32_t callee_cell);

/* ls_sim_world_run with the sink called on a second thread, one day behind
 * generation (falls back to this thread when none can be started). Same
 * events in the same order. */
ls_status ls__sim_world_run_piped(ls_sim_world *w, ls_sim_sink_fn sink, void *ctx,
                                  ls_error *err);
/* Waits until the second thread has finished its day; called before
 * growing arrays it reads. No-op without one. */
void ls__sim_pipe_drain(ls_sim_world *w);

/* Typical durations (seconds) from fixed log-normal shapes. */
int32_t ls__sim_call_secs(sim_rng *r, double median, double sigma, int32_t lo, int32_t hi);

/* Writes v as exactly `width` decimal digits (zero padded), no NUL. */
static inline void ls__sim_digits(char *out, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    out[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* people[i].quiet, from the bitmap (valid after ls__sim_quiet_bits). */
static inline int ls__sim_is_quiet(const ls_sim_world *w, uint32_t i) {
  return (int)(w->quiet_bits[i >> 6] >> (i & 63) & 1);
}

static inline uint64_t ls__sim_mix3(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL ^
               (c + 0x8cb92ba72f3d8dd7ULL) * 0x94d049bb133111ebULL;
  h ^= h >> 31;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

#endif
