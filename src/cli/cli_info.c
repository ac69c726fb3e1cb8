/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight info`: what the store holds. JSON keys events, numbers, datasets
 * and rejected are a contract (DESIGN.md s.3); the others may grow. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_store.h"
#include "linesight/ls_time.h"

static const char info_usage[] = "usage: linesight info [--db D] [--json]\n";

/* Counts shown, in order: JSON key, human label, query. */
static const struct {
  const char *key, *label, *sql;
} counts[] = {
    {"events", "events", "SELECT COALESCE(SUM(n_events), 0) FROM event_chunks"},
    {"numbers", "numbers", "SELECT COUNT(*) FROM numbers"},
    {"imeis", "handsets", "SELECT COUNT(*) FROM imeis"},
    {"event_cells", "cells in events", "SELECT COUNT(*) FROM event_cells"},
    {"cells", "cells", "SELECT COUNT(*) FROM cells"},
    {"persons", "persons", "SELECT COUNT(*) FROM persons"},
    {"attributions", "attributions", "SELECT COUNT(*) FROM attributions"},
    {"addresses", "addresses", "SELECT COUNT(*) FROM addresses"},
    {"datasets", "datasets", "SELECT COUNT(*) FROM datasets"},
    {"rejected", "rejected rows", "SELECT COALESCE(SUM(rows_rejected), 0) FROM datasets"},
    {"duplicates", "duplicate rows", "SELECT COALESCE(SUM(rows_duplicate), 0) FROM datasets"},
};
#define N_COUNTS (sizeof counts / sizeof counts[0])

static json_t *time_or_null(ls_store *st, const char *sql, int64_t *out, ls_error *err,
                            ls_status *rc) {
  ls_stmt *s = NULL;
  json_t *v = NULL;
  *rc = ls_stmt_prepare(st, sql, &s, err);
  if (*rc == LS_OK)
    *rc = ls_stmt_step(s, err);
  if (*rc == LS_ROW) {
    *rc = LS_OK;
    if (!ls_stmt_is_null(s, 0)) {
      char iso[LS_ISO_MAX];
      *out = ls_stmt_int64(s, 0);
      ls_time_format_utc(*out, iso);
      v = json_string(iso);
    }
  }
  ls_stmt_finalize(s);
  return v ? v : json_null();
}

static json_t *dataset_list(ls_store *st, ls_error *err, ls_status *rc) {
  ls_stmt *s = NULL;
  json_t *list = json_array();
  *rc = ls_stmt_prepare(st,
                        "SELECT id, file_name, sha256, kind, format, bytes, rows_read,"
                        " rows_stored, rows_duplicate, rows_rejected, quarantine_file,"
                        " ingested_at FROM datasets ORDER BY id",
                        &s, err);
  while (*rc == LS_OK) {
    *rc = ls_stmt_step(s, err);
    if (*rc != LS_ROW)
      break;
    *rc = LS_OK;
    json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:s}", "id",
                          (json_int_t)ls_stmt_int64(s, 0), "file", ls_stmt_text(s, 1), "sha256",
                          ls_stmt_text(s, 2), "kind", ls_stmt_text(s, 3), "format",
                          ls_stmt_text(s, 4), "bytes", (json_int_t)ls_stmt_int64(s, 5), "read",
                          (json_int_t)ls_stmt_int64(s, 6), "stored",
                          (json_int_t)ls_stmt_int64(s, 7), "duplicate",
                          (json_int_t)ls_stmt_int64(s, 8), "rejected",
                          (json_int_t)ls_stmt_int64(s, 9), "quarantine",
                          ls_stmt_is_null(s, 10) ? json_null() : json_string(ls_stmt_text(s, 10)),
                          "ingested_at", ls_stmt_text(s, 11));
    if (!d || json_array_append_new(list, d) != 0) {
      *rc = ls_error_set(err, LS_ERR_NOMEM, NULL, 0, 0, "out of memory");
      break;
    }
  }
  ls_stmt_finalize(s);
  return list;
}

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
  if (optind < argc)
    return cli_usage_error("info", "unexpected argument '%s'", argv[optind]);
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  int64_t values[N_COUNTS];
  for (size_t i = 0; i < N_COUNTS && rc == LS_OK; i++)
    rc = ls_store_query_int64(st, counts[i].sql, &values[i], &err);
  int64_t first = 0, last = 0;
  json_t *first_j = NULL, *last_j = NULL, *list = NULL;
  if (rc == LS_OK)
    first_j = time_or_null(st, "SELECT MIN(t_min) FROM event_chunks", &first, &err, &rc);
  if (rc == LS_OK)
    last_j = time_or_null(st, "SELECT MAX(t_max) FROM event_chunks", &last, &err, &rc);
  if (rc == LS_OK)
    list = dataset_list(st, &err, &rc);
  if (rc) {
    json_decref(first_j);
    json_decref(last_j);
    json_decref(list);
    ls_store_close(st);
    return cli_report_error(&err);
  }
  if (as_json) {
    json_t *o = json_pack("{s:s, s:s, s:i}", "backend", ls_store_backend(st), "location",
                          ls_store_location(st), "schema_version", ls_store_schema_version(st));
    for (size_t i = 0; o && i < N_COUNTS; i++)
      json_object_set_new(o, counts[i].key, json_integer(values[i]));
    if (o) {
      json_object_set_new(o, "first_event", first_j);
      json_object_set_new(o, "last_event", last_j);
      json_object_set_new(o, "dataset_list", list);
      first_j = last_j = list = NULL;
    }
    char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    if (text)
      puts(text);
    free(text);
    json_decref(o);
  } else {
    printf("store:           %s (%s, schema %d)\n", ls_store_location(st), ls_store_backend(st),
           ls_store_schema_version(st));
    for (size_t i = 0; i < N_COUNTS; i++) {
      printf("%-16s %lld", counts[i].label, (long long)values[i]);
      if (i == 0 && json_is_string(first_j))
        printf(" (%s to %s)", json_string_value(first_j), json_string_value(last_j));
      putchar('\n');
    }
    size_t idx;
    json_t *d;
    json_array_foreach(list, idx, d) {
      json_t *q = json_object_get(d, "quarantine");
      printf("  #%lld %-12s %s: read %lld, stored %lld, duplicate %lld, rejected %lld;"
             " %s, sha256 %.16s...%s%s\n",
             (long long)json_integer_value(json_object_get(d, "id")),
             json_string_value(json_object_get(d, "kind")),
             json_string_value(json_object_get(d, "file")),
             (long long)json_integer_value(json_object_get(d, "read")),
             (long long)json_integer_value(json_object_get(d, "stored")),
             (long long)json_integer_value(json_object_get(d, "duplicate")),
             (long long)json_integer_value(json_object_get(d, "rejected")),
             json_string_value(json_object_get(d, "ingested_at")),
             json_string_value(json_object_get(d, "sha256")), json_is_string(q) ? "; quarantine " : "",
             json_is_string(q) ? json_string_value(q) : "");
    }
  }
  json_decref(first_j);
  json_decref(last_j);
  json_decref(list);
  ls_store_close(st);
  return 0;
}
