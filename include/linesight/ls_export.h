/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exports of an analysis to the tools analysts already use (docs/exports.md):
 *   i2        i2 Analyst's Notebook: an entities CSV and a links CSV, with
 *             3x5x2 grading columns, for a tabular import specification
 *   graphml   GraphML (yEd, Cytoscape, networkx, Gephi)
 *   gexf      GEXF 1.2 for Gephi, with dynamic spells (first to last seen)
 *   geojson   GeoJSON of cells, movements and cuckooed addresses (QGIS)
 *   kml       the same as KML, with time spans (Google Earth)
 *   xlsx      a workbook: lines, numbers, safeguarding, evidence, addresses
 *
 * Every export is built from one model: the saved result JSON (DESIGN.md
 * s.6) joined with the events it was computed from and the reference data.
 * Nodes are the lines, their numbers (with roles and scores), the handsets
 * of the line's own numbers, the persons attributed to any of its numbers
 * and its cuckooed addresses; links are roles, contacts, handset use,
 * attributions and cuckooing. */
#ifndef LINESIGHT_LS_EXPORT_H
#define LINESIGHT_LS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"
#include "ls_ingest.h"
#include "ls_store.h"

typedef enum ls_export_format {
  LS_EXPORT_I2 = 0,
  LS_EXPORT_GRAPHML,
  LS_EXPORT_GEXF,
  LS_EXPORT_GEOJSON,
  LS_EXPORT_KML,
  LS_EXPORT_XLSX
} ls_export_format;

/* "i2", "graphml", "gexf", "geojson", "kml", "xlsx" -> format. Returns
 * LS_ERR_USAGE (err untouched) for another name. O(1). */
ls_status ls_export_format_parse(const char *name, ls_export_format *fmt);
const char *ls_export_format_name(ls_export_format fmt);

typedef struct ls_export_opts {
  const char *line; /* export only this line's network (e.g. "LS-0001"); NULL for all */
  /* 3x5x2 handling code written on every i2 row: 'P' (lawful sharing
   * permitted) or 'C' (permitted with conditions). 0 means 'C': the data is
   * communications data, whose onward sharing carries conditions. */
  char handling;
} ls_export_opts;

void ls_export_opts_init(ls_export_opts *opts);

/* What an export wrote. */
typedef struct ls_export_stats {
  size_t lines;     /* lines exported */
  size_t nodes;     /* network nodes (i2 entities) */
  size_t edges;     /* network links */
  size_t features;  /* map features (cells + movements + addresses) */
  size_t cells, movements, addresses; /* the map features by kind */
  size_t unplaced;  /* cells and addresses left off a map: no coordinates */
  char files[2][1024]; /* the files written ("" when unused); i2 writes two */
} ls_export_stats;

/* Exports result_json (DESIGN.md s.6) to `path` in format fmt. ev (may be
 * NULL: then no contacts, handsets, activity times or movements) holds the
 * events the result was computed from, rd (may be NULL) the reference data.
 * i2 writes two files: <path without .csv>-entities.csv and -links.csv.
 * Files are written beside their final name and renamed into place, so a
 * failed export leaves no partial file. stats may be NULL.
 * Errors: LS_ERR_INPUT (result_json is not an analysis result),
 * LS_ERR_NOTFOUND (opts->line names no line of the result), LS_ERR_USAGE
 * (bad opts), LS_ERR_IO (cannot write), LS_ERR_NOMEM.
 * O(E + R + N log N) for E events, R reference rows and N nodes and map
 * points. */
ls_status ls_export_write(const char *result_json, const ls_events *ev, const ls_refdata *rd,
                          ls_export_format fmt, const ls_export_opts *opts, const char *path,
                          ls_export_stats *stats, ls_error *err);

/* The same for the latest analysis saved in st: loads it, the events of its
 * window and the reference data, then calls ls_export_write. Errors as
 * there, plus LS_ERR_NOTFOUND when nothing was analysed and LS_ERR_DB.
 * O(events in the store's window + the above). */
ls_status ls_export_store(ls_store *st, ls_export_format fmt, const ls_export_opts *opts,
                          const char *path, ls_export_stats *stats, ls_error *err);

#endif
