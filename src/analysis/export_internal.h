/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The export module's private parts: the model every format writes
 * (export_model.c), the escaping writer (export_out.c), and one writer per
 * family of formats (export_i2.c, export_graph.c, export_geo.c,
 * export_xlsx.c). */
#ifndef LINESIGHT_EXPORT_INTERNAL_H
#define LINESIGHT_EXPORT_INTERNAL_H

#include <jansson.h>
#include <stdio.h>

#include "linesight/ls_export.h"

typedef enum ls__ex_kind {
  LS__EX_LINE = 0,
  LS__EX_NUMBER,
  LS__EX_HANDSET,
  LS__EX_PERSON,
  LS__EX_ADDRESS,
  LS__EX_KINDS
} ls__ex_kind;

typedef enum ls__ex_link {
  LS__EX_ROLE = 0,  /* number -> line: the number's role in the line */
  LS__EX_CONTACT,   /* number -- number: calls and texts between them */
  LS__EX_USED_IN,   /* handset -> number: the handset carried the number's SIM */
  LS__EX_USES,      /* person -> number: an attribution */
  LS__EX_CUCKOO,    /* address -> line: a cuckooed address of the line */
  LS__EX_LINKS
} ls__ex_link;

#define LS__EX_NO_TIME INT64_MIN

typedef struct ls__ex_node {
  ls__ex_kind kind;
  const char *id;    /* unique across kinds: "number:+44...", "line:LS-0001" */
  const char *label; /* id without its kind prefix */
  const char *role;  /* numbers: deal, holder, runner or customer; else NULL */
  int role_rank;     /* 0 deal, 1 holder, 2 runner, 3 customer, 4 none */
  char *lines;       /* ';'-separated line ids the node belongs to (owned) */
  double score;      /* NaN when none */
  int64_t first, last; /* LS__EX_NO_TIME when unknown */
  int64_t events;    /* numbers and handsets: events seen */
  json_t *json;      /* lines and cuckooed addresses: the result's object */
  const char *safeguarding; /* persons and numbers: priority of their case, else NULL */
  const ls_person *person;
  const ls_address *address;
} ls__ex_node;

typedef struct ls__ex_edge {
  ls__ex_link kind;
  uint32_t from, to;
  const char *role; /* role links */
  double score;     /* role and cuckoo links; NaN otherwise */
  int64_t calls, sms, duration_s;
  int64_t forward, backward; /* contacts from -> to and to -> from; handset events */
  int64_t first, last;
  const ls_attribution *attribution; /* USES links */
} ls__ex_edge;

typedef struct ls__ex_cell {
  uint32_t cell;        /* id in ev->cells */
  const ls_cell *ref;   /* coordinates and names; NULL when not in the cells table */
  int64_t events;       /* sightings of the lines' own numbers */
  int64_t first, last;
  uint32_t roles;       /* bit per role rank seen there */
} ls__ex_cell;

typedef struct ls__ex_point {
  uint32_t node; /* the number seen */
  uint32_t cell; /* index into model cells */
  int64_t t;
} ls__ex_point;

/* A trip: a run of a number's sightings with no gap over LS__EX_TRIP_GAP_S,
 * its repeated cells collapsed; points[first .. first + n). */
typedef struct ls__ex_trip {
  uint32_t node;
  size_t first, n;
} ls__ex_trip;

/* A new trip after 6 hours without a sighting of the phone: a working line
 * phone is in contact many times an hour (bulk texts several times a day,
 * DESIGN.md s.1; the simulated lines' median gap is minutes), so a longer
 * silence is a night or a stop, and a line drawn across it would join two
 * journeys into one that never happened. */
#define LS__EX_TRIP_GAP_S (6 * 3600)

typedef struct ls__ex_model {
  json_t *result;
  json_t *lines;        /* selected line objects */
  json_t *numbers;      /* selected entries of result.numbers */
  json_t *cuckoo;       /* selected entries of result.cuckoo_addresses */
  json_t *safeguarding; /* selected entries, each with "line" filled where known */
  const char *generated;
  char handling;
  const ls_events *ev;
  const ls_refdata *rd;
  ls_dict ids; /* node ids; a node's index is its id's dict id */
  ls__ex_node *nodes;
  size_t n_nodes, cap_nodes;
  ls__ex_edge *edges;
  size_t n_edges, cap_edges;
  ls__ex_cell *cells;
  size_t n_cells;
  ls__ex_point *points;
  size_t n_points;
  ls__ex_trip *trips;
  size_t n_trips;
} ls__ex_model;

ls_status ls__export_model_build(ls__ex_model *m, const char *result_json, const ls_events *ev,
                                 const ls_refdata *rd, const ls_export_opts *opts, ls_error *err);
void ls__export_model_free(ls__ex_model *m);

const char *ls__export_kind_name(ls__ex_kind k); /* "line", "number", ... */
const char *ls__export_link_name(ls__ex_link k); /* "role", "contact", ... */
/* Whether a map point exists: finite latitude and longitude. */
int ls__export_placed(double lat, double lon);

/* ---- output: a FILE with a sticky error, and the escapes ----------------- */

struct ls_buf; /* src/core/ls_buf.h */

typedef struct ls__ex_out {
  FILE *f;
  int failed; /* a write failed */
  int nomem;  /* building a value ran out of memory */
} ls__ex_out;

/* Opens path.tmp for writing; ls__export_out_close renames it to path when
 * nothing failed (and removes it otherwise: LS_ERR_NOMEM when o->nomem was
 * set, LS_ERR_IO otherwise). */
ls_status ls__export_out_open(ls__ex_out *o, const char *path, ls_error *err);
ls_status ls__export_out_close(ls__ex_out *o, const char *path, ls_error *err);
void ls__export_out_puts(ls__ex_out *o, const char *s);
/* Records the status of building a value (ls_buf): LS_ERR_NOMEM fails the
 * file; LS_ERR_LIMIT only cuts the value. */
void ls__export_out_check(ls__ex_out *o, ls_status rc);
/* The strings of a JSON array joined by sep into b (reset first). */
void ls__export_out_join(ls__ex_out *o, struct ls_buf *b, json_t *arr, const char *sep);
void ls__export_out_printf(ls__ex_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text made safe for XML 1.0 content and attribute values: & < > " ' as
 * entities, tab and line ends as character references (attributes keep
 * them), other control characters and invalid UTF-8 as U+FFFD. */
void ls__export_out_xml(ls__ex_out *o, const char *s);
/* An RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote,
 * line end or leading or trailing space; invalid UTF-8 as U+FFFD. */
void ls__export_out_csv(ls__ex_out *o, const char *s);
/* A JSON string literal with its quotes; invalid UTF-8 as U+FFFD. */
void ls__export_out_json(ls__ex_out *o, const char *s);
/* s with invalid UTF-8 replaced by U+FFFD, cut at a character boundary to
 * at most max_bytes, into out (reset first). Errors: LS_ERR_NOMEM. */
ls_status ls__export_utf8_clean(const char *s, size_t max_bytes, struct ls_buf *out);
/* A number as JSON/XML text: shortest round-tripping form; "" for NaN. */
void ls__export_out_num(ls__ex_out *o, double v);
/* An ISO 8601 UTC time, or nothing for LS__EX_NO_TIME. */
void ls__export_out_time(ls__ex_out *o, int64_t t);

/* ---- the writers ---------------------------------------------------------- */

ls_status ls__export_i2(const ls__ex_model *m, const char *path, ls_export_stats *stats, ls_error *err);
ls_status ls__export_graphml(const ls__ex_model *m, const char *path, ls_error *err);
ls_status ls__export_gexf(const ls__ex_model *m, const char *path, ls_error *err);
ls_status ls__export_geojson(const ls__ex_model *m, const char *path, ls_export_stats *stats,
                             ls_error *err);
ls_status ls__export_kml(const ls__ex_model *m, const char *path, ls_export_stats *stats, ls_error *err);
ls_status ls__export_xlsx(const ls__ex_model *m, const char *path, ls_error *err);

#endif
