/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private structures shared by the analysis files (one file per finding:
 * features, dealline, continuity, roles, result). Everything big is a flat
 * array indexed by a dense id: number ids are the event table's dictionary
 * ids, pairs and candidates get their own dense ids. */
#ifndef LINESIGHT_ANALYSIS_INTERNAL_H
#define LINESIGHT_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "linesight/ls_analysis.h"

#define LS__NONE UINT32_MAX
#define LS__N_STAGES 12 /* analysis stages, in ls_analysis_run */

/* One unordered pair of numbers that were in contact in the window. */
typedef struct ls__pair {
  uint32_t a, b;          /* number ids, a < b */
  uint32_t n_ab, n_ba;    /* events a->b and b->a */
  uint16_t days_ab, days_ba; /* distinct local days with a->b / b->a events */
} ls__pair; /* 20 bytes: one for every distinct pair in contact */

/* Behavioural features of one number (docs/analysis.md, "Features"). One
 * for every distinct number, so every field costs a byte per number: 68
 * bytes in all (the distinct contacts are derived, the first and last
 * events are seconds from the window's start, and the cells and handsets
 * of deal numbers are kept per candidate). */
typedef struct ls__feat {
  uint32_t out_calls, in_calls, out_sms, in_sms;
  uint32_t short_calls;   /* calls (either direction) under LS__SHORT_CALL_S */
  uint32_t contacts_out, contacts_in; /* distinct numbers it contacted / that contacted it */
  uint32_t reciprocal;    /* contacts with events in both directions */
  uint32_t repeat_in;     /* contacts that initiated on >= 2 distinct days */
  uint32_t bursts;        /* bulk-text bursts sent */
  uint32_t burst_days;    /* distinct days with a burst */
  uint32_t burst_max;     /* texts in the largest burst */
  uint32_t active_days;   /* distinct local days with any event (candidates) */
  uint32_t night;         /* events 18:00-06:00 local */
  uint32_t cand;          /* index among scored candidates or LS__NONE */
  uint32_t first_s, last_s; /* first and last event, seconds from tmin;
                             * first_s LS__NONE: no event (ls__feat_first) */
} ls__feat;

/* Distinct numbers in contact: each was contacted, or contacted it, or both. */
static inline uint32_t ls__contacts(const ls__feat *f) { return f->contacts_out + f->contacts_in - f->reciprocal; }

#define LS__SHORT_CALL_S 60 /* a deal call arranges a meeting: under a minute */
/* A bulk advert ("flare") is a burst: at least LS__BURST_MIN texts from one
 * number with gaps of at most LS__BURST_GAP_S (analysis_features.c says
 * why); the roles use the same definition for who receives adverts. */
#define LS__BURST_MIN 10u
#define LS__BURST_GAP_S 60

/* Model inputs, in the order of analysis_weights.def. */
enum {
#define LS__WEIGHT(name, w, why) LS__X_##name,
#include "analysis_weights.def"
#undef LS__WEIGHT
  LS__NX
};

/* A line found by continuity, with its roles. */
typedef struct ls__line {
  uint32_t *numbers; /* deal number ids, in order of first use */
  size_t n_numbers;
  uint32_t *holders;
  size_t n_holders;
  uint32_t *runners;
  size_t n_runners;
  uint32_t *customers; /* contacts that initiated contact with a line number */
  size_t n_customers;
  double score;        /* max deal score of its numbers */
  int64_t first, last;
  uint32_t origin;     /* place id or LS__NONE */
  uint32_t *dests;     /* destination place ids, most used first */
  size_t n_dests;
  uint32_t rank;       /* 1 = highest score */
  char **explain;      /* evidence strings */
  size_t n_explain;
  /* later stages (analysis_findings.h) */
  uint32_t key;        /* index before ranking: findings refer to lines by it */
  uint32_t *juveniles; /* runner numbers assessed under 18, sorted */
  size_t n_juveniles;
  uint32_t n_cuckooed; /* cuckooed addresses found */
  double harm;         /* harm score in [0,1] (analysis_harm.c) */
  double harm_value[LS_HARM_N]; /* each component's value (NaN: unknown) */
  double harm_part[LS_HARM_N];  /* its share of the score */
} ls__line;

struct ls_analysis {
  const ls_events *ev;  /* only during ls_analysis_run */
  ls_analysis_opts opts;
  double threshold;
  size_t n_events;      /* events inside the window */
  double stage_s[LS__N_STAGES]; /* wall seconds of each stage (analysis_result.c) */
  int64_t tmin, tmax;   /* window actually covered by events */
  int64_t day0;         /* UTC midnight before tmin (day numbering origin) */
  uint32_t n_days;

  uint32_t n_numbers;
  ls_dict numbers;      /* copy of the id -> E.164 mapping */
  int numbers_borrowed; /* numbers is ev's (during the run), not to be freed */
  ls__feat *feat;       /* [n_numbers] */

  ls__pair *pairs;      /* distinct contact pairs, sorted by (a,b) */
  size_t n_pairs;
  uint32_t *adj_off;    /* CSR: pairs of number i are adj[adj_off[i]..adj_off[i+1]) */
  uint32_t *adj;

  uint32_t *cands;      /* candidate number ids (scored) */
  uint32_t *cand_cells; /* [n_cands] distinct cells used (deal numbers, else 0) */
  uint32_t *cand_imeis; /* [n_cands] distinct handsets used (deal numbers, else 0) */
  size_t n_cands;
  double *x;            /* [n_cands * LS__NX] model inputs */
  double *score;        /* [n_cands] deal score */
  char ***cand_explain; /* [n_cands] evidence strings of deal numbers */
  size_t *cand_n_explain;

  uint32_t *deal;       /* deal number ids (score >= threshold) */
  size_t n_deal;
  uint32_t *deal_line;  /* [n_deal] line index */
  int64_t *deal_out_first, *deal_out_last; /* [n_deal] first and last call or text
                                            * it made (none: its first and last event) */

  /* places (named areas or cells) */
  uint32_t n_cells;
  uint32_t *cell_place; /* [n_cells] */
  char **place_name;    /* [n_places], NULL when unnamed */
  uint32_t n_places;

  ls__line *lines;
  size_t n_lines;

  struct ls__findings *fx; /* movement, cuckoo, safeguarding (analysis_findings.h) */
};

/* A number's first and last event (UTC seconds); INT64_MAX and INT64_MIN
 * for a number with no event in the window. O(1). */
static inline int64_t ls__feat_first(const ls_analysis *a, const ls__feat *f) {
  return f->first_s == LS__NONE ? INT64_MAX : a->tmin + (int64_t)f->first_s;
}
static inline int64_t ls__feat_last(const ls_analysis *a, const ls__feat *f) {
  return f->first_s == LS__NONE ? INT64_MIN : a->tmin + (int64_t)f->last_s;
}

/* analysis_sort.c: LSD radix sort of n 64-bit keys on their low `bits` bits;
 * tmp must hold n keys. Stable. O(n * ceil(bits/11)). */
void ls__radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n, unsigned bits);
unsigned ls__bits_for(uint64_t max_value); /* bits needed to hold max_value */
/* Sorts v ascending on its low `bits` bits (the others must be 0 or the
 * order is by the whole value). At least LS__RADIX_MIN values are radix
 * sorted when scratch (n values; may be NULL) is given, others in place by
 * quicksort, where the radix sort's 2048 counters a digit would cost more
 * than the values. O(n) for large n, O(n log n) for small. Never fails. */
#define LS__RADIX_MIN 4096u
void ls__sort_u64(uint64_t *v, size_t n, uint64_t *scratch, unsigned bits);

/* Buckets: 64-bit values grouped by a dense 32-bit id, each group sorted
 * (analysis_sort.c explains why). ls__buckets_build runs
 * pass(ctx, b, part, n_parts, fill) on every part (in parallel) twice: with
 * fill = 0 the pass calls ls__buckets_count(b, part, id) for each value it
 * has, with fill = 1 ls__buckets_put(b, part, id, value) for the same
 * values; then, unless bits is 0, each bucket is sorted on its low `bits`
 * bits. Bucket id is then vals[off[id] .. off[id + 1]), its values in the
 * order the parts and items came (so sorted buckets do not depend on the
 * number of parts). Memory: 8 bytes a value plus 8 an id and part.
 * Errors: LS_ERR_NOMEM (free b with ls__buckets_free either way). */
typedef struct ls__buckets {
  uint32_t n_ids;
  unsigned n_parts;
  size_t *off;    /* [n_ids + 1] */
  size_t *cur;    /* [n_parts][n_ids + 1] counts, then cursors (while filling) */
  uint64_t *vals; /* [n] */
  size_t n;
} ls__buckets;
typedef void (*ls__bucket_pass)(void *ctx, ls__buckets *b, unsigned part, unsigned n_parts, int fill);
ls_status ls__buckets_build(ls__buckets *b, uint32_t n_ids, size_t n_items, ls__bucket_pass pass, void *ctx,
                            unsigned bits);
static inline void ls__buckets_count(ls__buckets *b, unsigned part, uint32_t id) {
  b->cur[(size_t)part * ((size_t)b->n_ids + 1) + id]++;
}
static inline void ls__buckets_put(ls__buckets *b, unsigned part, uint32_t id, uint64_t v) {
  b->vals[b->cur[(size_t)part * ((size_t)b->n_ids + 1) + id]++] = v;
}
void ls__buckets_sort(ls__buckets *b, unsigned bits); /* O(n) to O(n log bucket), in parallel */
/* Splits the ids into parts of about equal numbers of values: part p is
 * ids cut[p] .. cut[p + 1]). O(ids). */
void ls__buckets_split(const ls__buckets *b, unsigned parts, uint32_t *cut);
void ls__buckets_free(ls__buckets *b); /* accepts a zeroed b */
/* For a final pass that reads the values front to back: gives back the
 * pages of values [*done, upto) once they make a step of 8 MB, and moves
 * *done to upto; those values read as 0 afterwards. Keeps the buckets from
 * adding to whatever the pass builds from them. O(pages). */
void ls__buckets_release(ls__buckets *b, size_t *done, size_t upto);

/* Threads for the passes that split by range (at most LS__MAX_THREADS):
 * ls__threads() gives the online cores; ls__parallel runs
 * fn(ctx, part, n_parts) for each part, part 0 on the calling thread, and
 * returns when all are done (a part whose thread cannot start runs on the
 * caller). Results must not depend on n_parts. */
#define LS__MAX_THREADS 8u
/* Fewer items than this run in one part (a thread costs tens of
 * microseconds to start; 64k items take about as long to pass). */
#define LS__PARALLEL_MIN 65536u
/* Advice that a large array is accessed at random (2 MB pages); call
 * before the array is first written. Never fails. O(1). */
void ls__advise_random(void *p, size_t bytes);
unsigned ls__threads(void);
unsigned ls__parts_for(size_t n_items); /* 1 below LS__PARALLEL_MIN, else ls__threads() */
/* Tests: every pass in n parts whatever its size (0: back to normal). Not
 * thread-safe; call between runs. */
void ls__threads_force(unsigned n);
/* Items [*lo, *hi) of n in part `part` of n_parts. O(1). */
void ls__range(size_t n, unsigned part, unsigned n_parts, size_t *lo, size_t *hi);
void ls__parallel(unsigned n_parts, void (*fn)(void *ctx, unsigned part, unsigned n_parts), void *ctx);

/* Local (UK civil) day and hour of a UTC time; see analysis_features.c. */
int ls__uk_offset(int64_t t);

/* analysis_features.c: features of every number, contact pairs, candidates
 * and their model inputs. O(E + P). */
ls_status ls__features_compute(ls_analysis *a, ls_error *err);
/* Cells and handsets of the deal numbers (a->deal set). O(E + K). */
ls_status ls__features_deal_extras(ls_analysis *a, ls_error *err);
/* analysis_dealline.c: deal scores and explanations of candidates. O(C). */
ls_status ls__dealline_score(ls_analysis *a, ls_error *err);
/* analysis_continuity.c: adds to a->deal the numbers below the threshold
 * that take over or hand on a deal number's customer list in succession,
 * their evidence first in their explanation (before the deal extras). */
ls_status ls__continuity_recover(ls_analysis *a, ls_error *err);
/* analysis_continuity.c: groups deal numbers into lines. */
ls_status ls__continuity_link(ls_analysis *a, ls_error *err);
/* Connected components of an undirected graph (igraph, with its aborting
 * error handler replaced once): edges holds 2*n_edges vertex ids; fills
 * membership[n_vertices]. O(V + E). Errors: LS_ERR_NOMEM, LS_ERR_INTERNAL. */
ls_status ls__graph_components(size_t n_vertices, const uint32_t *edges, size_t n_edges,
                               uint32_t *membership, size_t *n_components, ls_error *err);
/* analysis_roles.c: places, holders, runners, customers of each line. O(E). */
ls_status ls__roles_assign(ls_analysis *a, ls_error *err);

/* analysis_result.c helpers */
ls_status ls__strlist_push(char ***list, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ls__strlist_free(char **list, size_t n);
/* Sorted-unique set membership by binary search. O(log n). */
int ls__u32_contains(const uint32_t *sorted, size_t n, uint32_t v);
void ls__u32_sort(uint32_t *v, size_t n); /* O(n log n) */

#endif
