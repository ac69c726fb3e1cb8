/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the ops renderers share: the summed totals of a scope and the report
 * that holds them. */
#ifndef LINESIGHT_OPS_INTERNAL_H
#define LINESIGHT_OPS_INTERNAL_H

#include <stdint.h>

#include "../core/ls_buf.h"
#include "../core/ls_limits.h"
#include "linesight/ls_ops.h"

/* A named line of a breakdown: a drug, a weapon type or another item.
 * Absent measures are kept apart from zero: has_* says whether any record
 * gave the measure, so a report never turns "not yet valued" into £0. */
typedef struct ls__ops_named {
  char *name;
  int64_t count;        /* items (sum of record counts) */
  int64_t value_pence;  /* sum over the valued records */
  int64_t valued;       /* items whose record carried a value */
  int64_t weight_mg;
  int64_t wraps;
  int has_value, has_weight, has_wraps;
  int64_t unquantified; /* items with no value, weight or wraps */
} ls__ops_named;

typedef struct ls__ops_named_list {
  ls__ops_named *v;
  size_t n, cap;
} ls__ops_named_list;

enum { LS__OPS_VISIT_CUCKOO = 0, LS__OPS_VISIT_SCHOOL, LS__OPS_VISIT_LANDLORD, LS__OPS_VISIT_VEHICLE, LS__OPS_VISITS };
enum {
  LS__OPS_SEIZE_CASH = 0,
  LS__OPS_SEIZE_DRUG,
  LS__OPS_SEIZE_WEAPON,
  LS__OPS_SEIZE_PHONE,
  LS__OPS_SEIZE_VEHICLE,
  LS__OPS_SEIZE_OTHER,
  LS__OPS_SEIZE_CATEGORIES
};

extern const char *const ls__ops_visit_names[LS__OPS_VISITS];
extern const char *const ls__ops_seizure_names[LS__OPS_SEIZE_CATEGORIES];

typedef struct ls__ops_totals {
  char *force; /* NULL for the sum over the scope */
  int64_t records;
  char first_date[LS_OPS_DATE_MAX], last_date[LS_OPS_DATE_MAX];
  int64_t arrests, arrests_under_18, arrests_adult, arrests_male, arrests_female;
  int64_t safeguarded, sg_adult_male, sg_adult_female, sg_juvenile;
  int64_t warrants;
  int64_t stop_searches, ss_out_of_area;
  int64_t cash_pence, cash_seizures, cash_uncounted; /* seizures with no amount yet */
  int64_t phones, vehicles;
  int64_t weapons;
  int64_t seizures[LS__OPS_SEIZE_CATEGORIES]; /* items per category, for charts */
  ls__ops_named_list weapon_types, drugs, others;
  int64_t visits[LS__OPS_VISITS];
  int64_t lines_closed, lines_type_1, lines_type_2;
  int64_t messages_sent, networks_disrupted;
} ls__ops_totals;

struct ls_ops_report {
  char *operation;
  char *force; /* the --force filter as stored (its canonical spelling), or NULL */
  int national;
  ls_ops_record *recs; /* the records in scope, ordered by force, date, line */
  size_t nrecs;
  char **forces; /* every force in scope, sorted */
  size_t nforces;
  ls__ops_totals total;
  ls__ops_totals *by_force; /* nforces entries, same order, when national */
};

/* Loads every record of an operation, ordered by force, date and line; an
 * unknown operation gives no records (*n = 0). O(records). */
ls_status ls__ops_load(ls_store *st, const char *operation, ls_ops_record **out, size_t *n, ls_error *err);

/* Sums records into t (which the caller zeroed); O(n log k) for k distinct
 * named items. */
ls_status ls__ops_totals_add(ls__ops_totals *t, const ls_ops_record *r);
void ls__ops_totals_free(ls__ops_totals *t);
/* Orders drugs (Class A first), weapon types and other items for output. */
void ls__ops_totals_sort(ls__ops_totals *t);

/* Display helpers shared by the renderers. */
/* "1 arrest" / "1,200 arrests": count with thousands separators + noun in
 * the right number (plural built by ls__ops_plural). */
ls_status ls__ops_counted(ls_buf *b, int64_t n, const char *singular);
/* English plural of a noun phrase: "knife" -> "knives", "Rolex watch" ->
 * "Rolex watches", "zombie knife" -> "zombie knives". */
ls_status ls__ops_plural(ls_buf *b, const char *singular);
void ls__ops_format_int(int64_t n, char *out, size_t size); /* "1,200" */
/* Display name of a drug ("crack" -> "crack cocaine", "mdma" -> "MDMA"). */
const char *ls__ops_drug_display(const char *drug);
/* "7 to 13 October 2024", "30 September to 6 October 2024", "7 October 2024". */
void ls__ops_format_period(const char *first, const char *last, char *out, size_t size);
/* The scope's name for titles: "Hampshire", "National" or "All forces". */
const char *ls__ops_scope_name(const ls_ops_report *r);
/* "Hampshire, 2024-10 intensification (7 to 13 October 2024)" */
ls_status ls__ops_title(ls_buf *b, const ls_ops_report *r);
/* "43 arrests, 12 people safeguarded and 6 deal lines closed" (up to three
 * leading figures), or "no results recorded". */
ls_status ls__ops_headline(ls_buf *b, const ls__ops_totals *t);
/* The press-office bullet list, one item per line without the bullet. */
ls_status ls__ops_bullets(const ls__ops_totals *t, char ***lines, size_t *n);
void ls__ops_bullets_free(char **lines, size_t n);

/* Percentage share part/whole with one decimal ("29.5%"), "-" when whole is 0. */
void ls__ops_format_share(int64_t part, int64_t whole, char *out, size_t size);

/* Chart data shared by HTML and PDF. */
typedef struct ls__ops_bar {
  char label[128];
  double value[2];       /* one per series */
  char value_text[2][48];
} ls__ops_bar;
typedef struct ls__ops_chart {
  const char *title;
  const char *series[2]; /* series names; series[1] NULL for one series */
  size_t nseries;
  ls__ops_bar *bars;
  size_t n;
} ls__ops_chart;
enum { LS__OPS_CHART_SEIZURES = 0, LS__OPS_CHART_ARRESTS_AGE, LS__OPS_CHART_FORCES, LS__OPS_CHARTS };
/* Builds the three charts (seizures by type, arrests by age band, arrests
 * and safeguarded by force); free with ls__ops_charts_free. */
ls_status ls__ops_charts(const ls_ops_report *r, ls__ops_chart charts[LS__OPS_CHARTS]);
void ls__ops_charts_free(ls__ops_chart charts[LS__OPS_CHARTS]);

/* The section 7 totals of t as a JSON object (new reference; NULL when out
 * of memory); for the comparison. */
struct json_t;
struct json_t *ls__ops_totals_json(const ls__ops_totals *t);

ls_status ls__ops_render_text(const ls_ops_report *r, ls_buf *b);
ls_status ls__ops_render_json(const ls_ops_report *r, ls_buf *b, ls_error *err);
ls_status ls__ops_render_html(const ls_ops_report *r, ls_buf *b, ls_error *err);
ls_status ls__ops_save_pdf(const ls_ops_report *r, const char *path, ls_error *err);
ls_status ls__ops_save_xlsx(const ls_ops_report *r, const char *path, ls_error *err);

/* Case-insensitive ASCII string equality. */
int ls__ops_ieq(const char *a, const char *b);

#endif
