/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight explain SUBJECT [--db D | FILE.csv...]` and
 * `linesight referrals [--db D | FILE.csv...] --out DIR`: both run the
 * analysis over the same inputs as `analyse` (the store's data, or CSV
 * files told apart by their header) and print the evidence behind one
 * subject, or write the safeguarding referrals. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_analysis.h"
#include "linesight/ls_analysis_explain.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_store.h"
#include "linesight/ls_store_events.h"

static const char explain_usage[] =
    "usage: linesight explain SUBJECT [--db D | FILE.csv...] [--from T] [--to T] [--tz ZONE]\n"
    "  SUBJECT     a number, a person id, an address id or a line id (LS-0001)\n"
    "  prints the evidence behind every flag, score and rank about SUBJECT, with\n"
    "  timestamps, cells and the source file of each fact\n";

static const char referrals_usage[] =
    "usage: linesight referrals [--db D | FILE.csv...] --out DIR [--from T] [--to T] [--tz ZONE]\n"
    "  writes DIR/referrals.csv, DIR/evidence.csv and one printable DIR/referral-N.html\n"
    "  per person or number on the safeguarding list\n";

typedef struct run_inputs {
  const char *db, *from_s, *to_s, *tzname;
  char **files;
  int n_files;
} run_inputs;

static ls_status on_reject(void *ctx, const ls_reject *r) {
  unsigned long *n = ctx;
  if ((*n)++ < 10)
    fprintf(stderr, "linesight: %s:%ld: rejected: %s\n", r->file, r->line, r->reason);
  return LS_OK;
}

/* Loads the inputs and runs the analysis. Returns an exit code (0 ok). */
static int run(const char *cmd, const run_inputs *in, ls_analysis **out) {
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = LS_OK;
  ls_tz *tz = NULL;
  ls_store *st = NULL;
  ls_events ev;
  ls_refdata ref;
  ls_analysis_sources sources = {0};
  ls_analysis_opts ao;
  int code = 0;
  ls_events_init(&ev);
  ls_refdata_init(&ref);
  ls_analysis_opts_init(&ao);
  const char *why = NULL;
  rc = ls_tz_open(in->tzname ? in->tzname : LS_DEFAULT_TZ, &tz, &err);
  if (rc)
    goto out;
  if (in->from_s && ls_time_parse(in->from_s, strlen(in->from_s), tz, &ao.from, &why)) {
    code = cli_usage_error(cmd, "--from: not an ISO 8601 time: %s", in->from_s);
    goto out;
  }
  if (in->to_s && ls_time_parse(in->to_s, strlen(in->to_s), tz, &ao.to, &why)) {
    code = cli_usage_error(cmd, "--to: not an ISO 8601 time: %s", in->to_s);
    goto out;
  }
  if (in->n_files) {
    unsigned long rejects = 0;
    ls_read_opts ro = {.tz = tz, .on_reject = on_reject, .reject_ctx = &rejects};
    for (int i = 0; i < in->n_files && rc == LS_OK; i++) {
      ls_file_kind kind;
      ls_read_stats stats;
      rc = ls_ingest_detect(in->files[i], &kind, &err);
      if (rc)
        break;
      if (kind == LS_KIND_EVENTS)
        rc = ls_ingest_read_events(in->files[i], &ro, &ev, &stats, &err);
      else if (kind != LS_KIND_UNKNOWN)
        rc = ls_ingest_read_refdata(in->files[i], &ro, &ref, &kind, &stats, &err);
      else
        fprintf(stderr, "linesight %s: %s: not a file the analysis reads (unknown header)\n", cmd, in->files[i]);
      if (rc == LS_OK && ls_analysis_sources_add(&sources, kind, in->files[i]))
        rc = ls_error_set(&err, LS_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == LS_OK && rejects)
      fprintf(stderr, "linesight %s: %lu rows rejected (not analysed)\n", cmd, rejects);
  } else {
    rc = ls_store_open(in->db, &st, &err);
    if (rc == LS_OK)
      rc = ls_store_events_load(st, ao.from, ao.to, &ev, &err);
    if (rc == LS_OK)
      rc = ls_store_refdata_load(st, &ref, &err);
    if (rc == LS_OK)
      rc = ls_analysis_sources_load(st, &sources, &err);
  }
  if (rc)
    goto out;
  ao.ref = &ref;
  ao.sources = &sources;
  rc = ls_analysis_run(&ev, &ao, out, &err);
out:
  if (rc)
    code = cli_report_error(&err);
  ls_events_free(&ev);
  ls_refdata_free(&ref);
  ls_analysis_sources_free(&sources);
  ls_store_close(st);
  ls_tz_close(tz);
  return code;
}

/* Common options; returns -1 to go on, else an exit code. */
static int parse(const char *cmd, const char *usage, int argc, char **argv, run_inputs *in, const char **out_dir) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},  {"from", required_argument, NULL, 'f'},
                                       {"to", required_argument, NULL, 't'},  {"tz", required_argument, NULL, 'z'},
                                       {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  memset(in, 0, sizeof *in);
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd': in->db = optarg; break;
    case 'f': in->from_s = optarg; break;
    case 't': in->to_s = optarg; break;
    case 'z': in->tzname = optarg; break;
    case 'o':
      if (!out_dir)
        return cli_usage_error(cmd, "--out is not an option of %s", cmd);
      *out_dir = optarg;
      break;
    case 'h': fputs(usage, stdout); return 0;
    default: fputs(usage, stderr); return 2;
    }
  }
  in->files = argv + optind;
  in->n_files = argc - optind;
  return -1;
}

int cli_explain(int argc, char **argv) {
  run_inputs in;
  int code = parse("explain", explain_usage, argc, argv, &in, NULL);
  if (code >= 0)
    return code;
  if (in.n_files < 1)
    return cli_usage_error("explain", "a SUBJECT is required (a number, person, address or line id)");
  const char *subject = in.files[0];
  in.files++;
  in.n_files--;
  if (in.db && in.n_files)
    return cli_usage_error("explain", "give either --db or CSV files, not both");
  ls_analysis *a = NULL;
  code = run("explain", &in, &a);
  if (code)
    return code;
  ls_error err;
  ls_error_clear(&err);
  char *text = NULL;
  ls_status rc = ls_analysis_explain(a, subject, &text, &err);
  if (rc)
    code = cli_report_error(&err);
  else
    fputs(text, stdout);
  ls_analysis_text_free(text);
  ls_analysis_free(a);
  return code;
}

int cli_referrals(int argc, char **argv) {
  run_inputs in;
  const char *dir = NULL;
  int code = parse("referrals", referrals_usage, argc, argv, &in, &dir);
  if (code >= 0)
    return code;
  if (!dir)
    return cli_usage_error("referrals", "--out DIR is required");
  if (in.db && in.n_files)
    return cli_usage_error("referrals", "give either --db or CSV files, not both");
  ls_analysis *a = NULL;
  code = run("referrals", &in, &a);
  if (code)
    return code;
  ls_error err;
  ls_error_clear(&err);
  size_t n = 0;
  ls_status rc = ls_analysis_write_referrals(a, dir, &n, &err);
  if (rc)
    code = cli_report_error(&err);
  else
    printf("%zu referrals written to %s (referrals.csv, evidence.csv, referral-N.html)\n", n, dir);
  ls_analysis_free(a);
  return code;
}
