/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight export`: the latest analysis in the store as files for i2
 * Analyst's Notebook, Gephi, GIS tools and Excel (docs/exports.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_export.h"
#include "linesight/ls_store.h"

static const char export_usage[] =
    "usage: linesight export [--db D] --format i2|graphml|gexf|geojson|kml|xlsx --out FILE\n"
    "                        [--line ID] [--handling P|C]\n"
    "  --format    i2: FILE-entities.csv and FILE-links.csv for an i2 Analyst's Notebook import\n"
    "              graphml, gexf (Gephi): the network with roles, scores and times\n"
    "              geojson, kml: cells, movements and cuckooed addresses\n"
    "              xlsx: lines, numbers, safeguarding, evidence, cuckooed addresses\n"
    "  --line ID   one line's network only (default: every line of the latest analysis)\n"
    "  --handling  3x5x2 handling code on i2 rows: P or C (default C)\n";

int cli_export(int argc, char **argv) {
  const char *db = NULL, *format = NULL, *out = NULL, *handling = "C";
  ls_export_opts eo;
  ls_export_opts_init(&eo);
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"line", required_argument, NULL, 'l'},
                                       {"handling", required_argument, NULL, 'H'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd':
      db = optarg;
      break;
    case 'f':
      format = optarg;
      break;
    case 'o':
      out = optarg;
      break;
    case 'l':
      eo.line = optarg;
      break;
    case 'H':
      handling = optarg;
      break;
    case 'h':
      fputs(export_usage, stdout);
      return 0;
    default:
      fputs(export_usage, stderr);
      return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
  ls_export_format fmt;
  if (!format)
    return cli_usage_error("export", "--format is required (i2, graphml, gexf, geojson, kml, xlsx)");
  if (ls_export_format_parse(format, &fmt))
    return cli_usage_error("export", "unknown format '%s' (i2, graphml, gexf, geojson, kml, xlsx)", format);
  if (!out || !*out)
    return cli_usage_error("export", "--out FILE is required");
  if (strcmp(handling, "P") && strcmp(handling, "C"))
    return cli_usage_error("export", "--handling is P or C, not '%s'", handling);
  eo.handling = handling[0];

  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  ls_export_stats stats;
  rc = ls_export_store(st, fmt, &eo, out, &stats, &err);
  ls_store_close(st);
  if (rc) {
    int code = cli_report_error(&err);
    /* no saved analysis, or a line it does not have: the user's input */
    return err.code == LS_ERR_NOTFOUND ? 2 : code;
  }
  if (fmt == LS_EXPORT_GEOJSON || fmt == LS_EXPORT_KML)
    fprintf(stderr,
            "linesight export: %zu line(s): %zu cells, %zu movements, %zu cuckooed addresses "
            "(%zu without coordinates left out)\n",
            stats.lines, stats.cells, stats.movements, stats.addresses, stats.unplaced);
  else
    fprintf(stderr, "linesight export: %zu line(s): %zu nodes, %zu links\n", stats.lines, stats.nodes,
            stats.edges);
  for (int i = 0; i < 2; i++)
    if (stats.files[i][0])
      fprintf(stderr, "linesight export: wrote %s\n", stats.files[i]);
  return 0;
}
