/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight results import|list`: week-of-action result records. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_ops.h"
#include "linesight/ls_store.h"

static const char results_usage[] =
    "usage: linesight results import [--db D] [--skip-bad] FILE.csv...\n"
    "       linesight results list [--db D] [--json]\n"
    "\n"
    "import  validates every row of a week-of-action results CSV and stores the\n"
    "        file in one transaction; any bad row refuses the whole file unless\n"
    "        --skip-bad is given, which quarantines the bad rows beside the store\n"
    "list    the operations recorded, with their forces, records and dates\n";

/* Each bad row on its own line: "linesight: FILE:LINE:COL: reason". */
static ls_status print_reject(void *ctx, const ls_error *problem, const char *raw, size_t raw_len) {
  (void)ctx;
  (void)raw;
  (void)raw_len;
  char text[LS_ERROR_MESSAGE_MAX + LS_ERROR_FILE_MAX + 64];
  ls_error_format(problem, text, sizeof text);
  fprintf(stderr, "linesight: %s\n", text);
  return LS_OK;
}

static int results_import(int argc, char **argv) {
  const char *db = NULL;
  int skip_bad = 0;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"skip-bad", no_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'd')
      db = optarg;
    else if (c == 's')
      skip_bad = 1;
    else if (c == 'h') {
      fputs(results_usage, stdout);
      return 0;
    } else {
      fputs(results_usage, stderr);
      return 2;
    }
  }
  if (optind >= argc)
    return cli_usage_error("results import", "give the results CSV file(s) to import");
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  int exit_code = 0;
  for (int i = optind; i < argc; i++) {
    ls_ops_import_opts io = {skip_bad, print_reject, NULL, NULL};
    ls_ops_import_stats stats;
    ls_error_clear(&err);
    rc = ls_ops_results_import(st, argv[i], &io, &stats, &err);
    if (rc) {
      int code = cli_report_error(&err);
      if (code > exit_code)
        exit_code = code;
      continue;
    }
    printf("%s: %llu record%s imported", argv[i], (unsigned long long)stats.rows_stored,
           stats.rows_stored == 1 ? "" : "s");
    if (stats.rows_rejected)
      printf(", %llu bad row%s quarantined in %s", (unsigned long long)stats.rows_rejected,
             stats.rows_rejected == 1 ? "" : "s", stats.quarantine_file);
    printf("\n");
  }
  ls_store_close(st);
  return exit_code;
}

static int results_list(int argc, char **argv) {
  const char *db = NULL;
  int as_json = 0;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'd')
      db = optarg;
    else if (c == 'j')
      as_json = 1;
    else if (c == 'h') {
      fputs(results_usage, stdout);
      return 0;
    } else {
      fputs(results_usage, stderr);
      return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("results list", "unexpected argument '%s'", argv[optind]);
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_ops_operation *ops = NULL;
  size_t n = 0;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc == LS_OK)
    rc = ls_ops_operations_list(st, &ops, &n, &err);
  ls_store_close(st);
  if (rc)
    return cli_report_error(&err);
  if (as_json) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
      json_t *f = json_array();
      for (size_t k = 0; f && k < ops[i].nforces; k++)
        json_array_append_new(f, json_string(ops[i].forces[k]));
      json_array_append_new(a, json_pack("{s:s, s:o, s:I, s:s, s:s}", "operation", ops[i].name, "forces", f,
                                         "records", (json_int_t)ops[i].records, "from", ops[i].first_date, "to",
                                         ops[i].last_date));
    }
    char *text = a ? json_dumps(a, JSON_INDENT(2)) : NULL;
    json_decref(a);
    if (!text) {
      ls_ops_operations_free(ops, n);
      fprintf(stderr, "linesight: out of memory\n");
      return 1;
    }
    puts(text);
    free(text);
  } else if (n == 0) {
    printf("no week-of-action results recorded (linesight results import FILE.csv)\n");
  } else {
    printf("%-32s %8s  %-10s  %-10s  %s\n", "operation", "records", "from", "to", "forces and units");
    for (size_t i = 0; i < n; i++) {
      printf("%-32s %8lld  %-10s  %-10s  ", ops[i].name, (long long)ops[i].records, ops[i].first_date,
             ops[i].last_date);
      for (size_t k = 0; k < ops[i].nforces; k++)
        printf("%s%s", k ? ", " : "", ops[i].forces[k]);
      printf("\n");
    }
  }
  ls_ops_operations_free(ops, n);
  return 0;
}

int cli_results(int argc, char **argv) {
  if (argc < 2) {
    fputs(results_usage, stderr);
    return 2;
  }
  if (!strcmp(argv[1], "import"))
    return results_import(argc - 1, argv + 1);
  if (!strcmp(argv[1], "list"))
    return results_list(argc - 1, argv + 1);
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(results_usage, stdout);
    return 0;
  }
  return cli_usage_error("results", "unknown subcommand '%s' (import, list)", argv[1]);
}
