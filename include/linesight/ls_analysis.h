/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Analysis: finds deal lines in an event table, follows each line across
 * number swaps, and names its holders, runners and customers.
 *
 * The pipeline (docs/analysis.md describes each step and its evidence):
 *   features    behavioural features per number (one pass plus two sorts)
 *   dealline    a transparent logistic score per number, with explanations
 *   continuity  deal numbers linked into lines (customer overlap, handoff
 *               timing, shared handsets, shared holder), igraph components
 *   roles       holders, runners and customer counts per line
 *   movement    trips of runners and line phones between origin and
 *               destination, nights spent in the destination
 *   cuckoo      addresses where a line's phones stay overnight
 *   safeguarding children and vulnerable adults tied to a line
 *   harm        the ranking of lines by harm (ls_harm_* below)
 * The result is the JSON of DESIGN.md section 6.
 *
 * Only what communications data holds is used: who contacted whom, when,
 * how (call or text), for how long, from which cell and handset. Nothing
 * depends on how numbers, cells or handsets are spelt or on event order. */
#ifndef LINESIGHT_LS_ANALYSIS_H
#define LINESIGHT_LS_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"
#include "ls_ingest.h"
#include "ls_store.h"

typedef struct ls_analysis_opts {
  int64_t from; /* analyse events with from <= start < to; INT64_MIN for no bound */
  int64_t to;   /* INT64_MAX for no bound */
  /* Cells with coordinates and areas (may be NULL): give lines an origin and
   * destinations by name and group nearby cells into places. */
  const ls_refdata *ref;
  /* Deal-number score threshold in (0,1); 0 means the default (0.5). */
  double deal_threshold;
  /* Harm weights [LS_HARM_N] (>= 0, not all 0), NULL for the defaults
   * (ls_harm_weights_default); copied by ls_analysis_run. */
  const double *harm_weights;
  /* Where the inputs came from, quoted as the source of each fact in
   * explanations and referrals (may be NULL); copied by ls_analysis_run. */
  const struct ls_analysis_sources *sources;
  /* School holidays: n_school_holidays pairs [first, last] of days since
   * 1970-01-01 (local dates, inclusive); weekdays outside them are term
   * time. NULL/0: every weekday is term time. Copied by ls_analysis_run. */
  const int32_t *school_holidays;
  size_t n_school_holidays;
} ls_analysis_opts;

/* ---- harm (docs/analysis.md, "Harm ranking") ------------------------------ */

/* The components of a line's harm score, in the order of weight arrays. */
enum {
  LS_HARM_REVENUE,   /* estimated revenue per day from customer contact */
  LS_HARM_JUVENILES, /* children exploited as runners */
  LS_HARM_CUCKOOED,  /* homes taken over */
  LS_HARM_CUSTOMERS, /* reach: customers */
  LS_HARM_TOWNS,     /* reach: places it deals in */
  LS_HARM_LONGEVITY, /* days active */
  LS_HARM_VIOLENCE,  /* violence markers (none in the current inputs) */
  LS_HARM_N
};

/* The component's JSON name ("revenue_gbp_per_day", ...) or NULL. O(1). */
const char *ls_harm_component_name(int component);
/* Fills weights[LS_HARM_N] with the documented defaults. O(1). */
void ls_harm_weights_default(double weights[LS_HARM_N]);
/* Applies one "NAME=WEIGHT" (NAME a component name or its short form:
 * revenue, juveniles, cuckooed, customers, towns, longevity, violence) to
 * weights. Errors: LS_ERR_USAGE (unknown name, weight not a number >= 0). */
ls_status ls_harm_weight_parse(const char *spec, double weights[LS_HARM_N], ls_error *err);

/* File names per kind of input, comma-separated when several (any may be
 * NULL): quoted as the source of facts. */
typedef struct ls_analysis_sources {
  char *events, *cells, *persons, *attributions, *addresses;
} ls_analysis_sources;

/* Adds a file name to the list of its kind (LS_KIND_EVENTS ... ADDRESSES);
 * other kinds are ignored. Errors: LS_ERR_NOMEM. O(length of the list). */
ls_status ls_analysis_sources_add(ls_analysis_sources *src, ls_file_kind kind, const char *name);
void ls_analysis_sources_free(ls_analysis_sources *src); /* zeroes it; accepts NULL */
/* The datasets table of a store: the file names of every ingested dataset,
 * by kind. src must be zeroed first. Errors: LS_ERR_DB, LS_ERR_NOMEM.
 * O(datasets). */
ls_status ls_analysis_sources_load(ls_store *st, ls_analysis_sources *src, ls_error *err);

/* Sets the defaults: the whole table, no reference data, default threshold. */
void ls_analysis_opts_init(ls_analysis_opts *opts);

typedef struct ls_analysis ls_analysis; /* a finished analysis (opaque) */

/* Runs the whole analysis over ev. ev is not modified and may be freed after
 * the call (the result copies what it keeps). Errors: LS_ERR_NOMEM,
 * LS_ERR_USAGE (bad opts), LS_ERR_LIMIT (more than 2^26 distinct numbers),
 * LS_ERR_INTERNAL (igraph failed).
 * Time O(E + N + P log P) for E events, N numbers and P distinct contact
 * pairs (the sorts are radix sorts, linear in E); memory at peak beyond ev
 * about 16 bytes an event plus 68 a number and 20 a pair (docs/analysis.md
 * section 7: 36 bytes an event at 10M). */
ls_status ls_analysis_run(const ls_events *ev, const ls_analysis_opts *opts, ls_analysis **out,
                          ls_error *err);
void ls_analysis_free(ls_analysis *a); /* accepts NULL */

/* Counts in a finished analysis. O(1). */
size_t ls_analysis_line_count(const ls_analysis *a);
size_t ls_analysis_event_count(const ls_analysis *a);
/* Wall seconds the run spent on the per-number features (the first stage:
 * contacts, pairs, bursts, activity), for benchmarks. O(1). */
double ls_analysis_features_seconds(const ls_analysis *a);
/* The run's stages (features, scoring, continuity, roles, ...): how many,
 * the name of stage i (NULL past the end) and its wall seconds in a, for
 * benchmarks and profiling. O(1). */
size_t ls_analysis_stage_count(void);
const char *ls_analysis_stage_name(size_t i);
double ls_analysis_stage_seconds(const ls_analysis *a, size_t i);

/* The full result as JSON text (DESIGN.md section 6), NUL-terminated,
 * allocated with ls_malloc: free with ls_analysis_text_free. `pretty` indents.
 * O(size of the result). Errors: LS_ERR_NOMEM; LS_ERR_LIMIT over LS_LIMIT_RESULT_TEXT
 * (900 MB; stream a larger one with ls_analysis_json_write). */
ls_status ls_analysis_json(const ls_analysis *a, int pretty, char **text, ls_error *err);

/* The same text, streamed: write(buf, n, data) is called with successive
 * pieces and returns 0, or -1 to stop (then LS_ERR_IO). Holds one line,
 * number, finding or trip at a time, so its memory does not grow with the
 * result. Same signature as jansson's json_dump_callback_t. O(size of the
 * result). Errors: LS_ERR_IO (write refused), LS_ERR_NOMEM. */
typedef int (*ls_analysis_write_fn)(const char *buf, size_t n, void *data);
ls_status ls_analysis_json_write(const ls_analysis *a, int pretty, ls_analysis_write_fn write, void *data,
                                 ls_error *err);

/* The human summary: ranked lines with their numbers, roles and evidence,
 * at most max_lines lines (0 = all). Same allocation rule as ls_analysis_json. */
ls_status ls_analysis_summary(const ls_analysis *a, size_t max_lines, char **text, ls_error *err);

void ls_analysis_text_free(char *text); /* accepts NULL */

/* Writes the feature table of every scored number as CSV (one row a number,
 * the model's inputs and its score) to path, for fitting and inspection.
 * O(scored numbers). Errors: LS_ERR_IO, LS_ERR_NOMEM. */
ls_status ls_analysis_write_features(const ls_analysis *a, const char *path, ls_error *err);

/* ---- results in the store (table analysis_runs) ------------------------- */

/* Saves a result JSON text as a new run in one transaction; *id (may be NULL)
 * receives the run's id. Errors: LS_ERR_DB. O(size of json). */
ls_status ls_analysis_save(ls_store *st, const char *json, int64_t *id, ls_error *err);

/* Loads the most recent saved run. *json is allocated with ls_malloc (free
 * with ls_analysis_text_free); created (may be NULL) receives its ISO time;
 * id (may be NULL) its id. Errors: LS_ERR_NOTFOUND when no run was saved,
 * LS_ERR_DB, LS_ERR_NOMEM. */
ls_status ls_analysis_load_latest(ls_store *st, char **json, int64_t *id, char created[32],
                                  ls_error *err);

#endif
