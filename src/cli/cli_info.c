/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_store.h"

static const char info_usage[] = "usage: linesight info [--db D] [--json]\n";

int cli_info(int argc, char **argv) {
  const char *db = NULL;
  int as_json = 0;
  static const struct option opts[] = {
      {"db", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'd')
      db = optarg;
    else if (c == 'j')
      as_json = 1;
    else if (c == 'h') {
      fputs(info_usage, stdout);
      return 0;
    } else {
      fputs(info_usage, stderr);
      return 2;
    }
  }
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  int64_t datasets = 0;
  rc = ls_store_query_int64(st, "SELECT COUNT(*) FROM datasets", &datasets, &err);
  if (rc) {
    ls_store_close(st);
    return cli_report_error(&err);
  }
  if (as_json) {
    json_t *o = json_pack("{s:s, s:s, s:i, s:I}", "backend", ls_store_backend(st), "location",
                          ls_store_location(st), "schema_version", ls_store_schema_version(st),
                          "datasets", (json_int_t)datasets);
    char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    if (text)
      puts(text);
    free(text);
    json_decref(o);
  } else {
    printf("store:    %s (%s, schema %d)\ndatasets: %lld\n", ls_store_location(st), ls_store_backend(st),
           ls_store_schema_version(st), (long long)datasets);
  }
  ls_store_close(st);
  return 0;
}
