/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight analyse [--db D | FILE.csv...] [--json OUT] [--from T] [--to T]`
 * Analyses the store's events (and saves the result there), or CSV files
 * given on the command line (events files, plus a cells file for place
 * names) without touching any store. Summary on stdout, JSON to --json. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "linesight/ls_analysis.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_store.h"
#include "linesight/ls_store_events.h"

static const char analyse_usage[] =
    "usage: linesight analyse [--db D | FILE.csv...] [--json OUT] [--from T] [--to T]\n"
    "                         [--top N] [--threshold S] [--features OUT.csv] [--tz ZONE]\n"
    "                         [--harm-weight NAME=W]... [--school-holidays FROM:TO,...]\n"
    "  FILE.csv    events CSVs, and cells, persons, attributions, addresses CSVs (told apart\n"
    "              by their header), analysed without a store\n"
    "  --db D      the store to analyse (default ./linesight.db); the result is saved there\n"
    "  --json OUT  write the full result JSON to OUT ('-' for stdout, then no summary)\n"
    "  --from/--to ISO 8601 times bounding the events analysed (to is exclusive)\n"
    "  --top N     lines shown in the summary (default 20, 0 for all)\n"
    "  --threshold S  deal-number score threshold (default 0.5)\n"
    "  --features OUT.csv  write the scored feature table\n"
    "  --harm-weight NAME=W  weight of a harm component (revenue, juveniles, cuckooed,\n"
    "              customers, towns, longevity, violence); repeatable\n"
    "  --school-holidays FROM:TO,...  local school holidays (ISO dates, inclusive): weekdays\n"
    "              in them are not school hours\n"
    "  --timings   print on stderr the load and analysis times (wall and CPU), the feature\n"
    "              stage's, the analysis's peak memory over the loaded events, and each\n"
    "              stage's wall time (for bench/)\n";

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM"); 0 where there is
 * none (not Linux). For --timings. */
static long proc_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = 0;
  size_t n = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, field, n) && line[n] == ':')
      kb = strtol(line + n + 1, NULL, 10);
  if (f)
    fclose(f);
  return kb;
}

/* Resets the peak resident size to the current one, so that the peak after
 * the analysis is the analysis's own on top of the loaded events. */
static void peak_reset(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f) {
    fputs("5", f);
    fclose(f);
  }
}

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct reject_count {
  unsigned long n;
} reject_count;

/* Without a store, a rejected row cannot be quarantined; it is reported. */
static ls_status on_reject(void *ctx, const ls_reject *r) {
  reject_count *rc = ctx;
  if (rc->n++ < 10)
    fprintf(stderr, "linesight analyse: %s:%ld: rejected: %s\n", r->file, r->line, r->reason);
  return LS_OK;
}

/* "2024-10-28:2024-11-01,2024-12-20:2025-01-03" into day pairs. */
static int parse_holidays(const char *s, int32_t **out, size_t *n) {
  const char *why = NULL;
  while (*s) {
    const char *colon = strchr(s, ':'), *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    if (!colon || (size_t)(colon - s) >= len)
      return 0;
    int32_t d0, d1;
    if (ls_date_parse(s, (size_t)(colon - s), &d0, &why) || ls_date_parse(colon + 1, len - (size_t)(colon - s) - 1, &d1, &why) ||
        d1 < d0)
      return 0;
    int32_t *p = realloc(*out, (*n + 1) * 2 * sizeof *p);
    if (!p)
      return 0;
    p[2 * *n] = d0;
    p[2 * *n + 1] = d1;
    (*n)++;
    *out = p;
    s += len + (comma != NULL);
  }
  return *n > 0;
}

static int parse_time(const char *s, const ls_tz *tz, int64_t *out) {
  const char *why = NULL;
  return ls_time_parse(s, strlen(s), tz, out, &why) == LS_OK;
}

static int file_write(const char *buf, size_t n, void *data) { return fwrite(buf, 1, n, data) == n ? 0 : -1; }

/* The result JSON and a newline to f: the text already made for the store,
 * else streamed from the analysis (a 10M-event result is ~150 MB of text;
 * streaming never holds it whole). */
static ls_status write_result(const ls_analysis *a, const char *text, FILE *f, const char *name, ls_error *err) {
  ls_status rc = LS_OK;
  if (text)
    rc = fputs(text, f) < 0 ? LS_ERR_IO : LS_OK;
  else
    rc = ls_analysis_json_write(a, 1, file_write, f, err);
  if (rc == LS_ERR_NOMEM)
    return rc;
  if (rc || fputc('\n', f) == EOF || fflush(f))
    return ls_error_set(err, LS_ERR_IO, name, 0, 0, "cannot write the result: %s", strerror(errno));
  return LS_OK;
}

int cli_analyse(int argc, char **argv) {
  const char *db = NULL, *json_out = NULL, *from_s = NULL, *to_s = NULL, *features = NULL, *tzname = NULL;
  long top = 20;
  int timings = 0;
  double threshold = 0, harm_w[LS_HARM_N];
  int harm_set = 0;
  int32_t *holidays = NULL;
  size_t n_holidays = 0;
  ls_error err;
  ls_error_clear(&err);
  ls_harm_weights_default(harm_w);
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"json", required_argument, NULL, 'j'},
                                       {"from", required_argument, NULL, 'f'},
                                       {"to", required_argument, NULL, 't'},
                                       {"top", required_argument, NULL, 'n'},
                                       {"threshold", required_argument, NULL, 's'},
                                       {"features", required_argument, NULL, 'F'},
                                       {"tz", required_argument, NULL, 'z'},
                                       {"timings", no_argument, NULL, 'T'},
                                       {"harm-weight", required_argument, NULL, 'H'},
                                       {"school-holidays", required_argument, NULL, 'S'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'd': db = optarg; break;
    case 'j': json_out = optarg; break;
    case 'f': from_s = optarg; break;
    case 't': to_s = optarg; break;
    case 'F': features = optarg; break;
    case 'z': tzname = optarg; break;
    case 'T': timings = 1; break;
    case 'n':
      top = strtol(optarg, &end, 10);
      if (!*optarg || *end || top < 0)
        return cli_usage_error("analyse", "--top: not a count: %s", optarg);
      break;
    case 's':
      threshold = strtod(optarg, &end);
      if (!*optarg || *end || threshold <= 0 || threshold >= 1)
        return cli_usage_error("analyse", "--threshold: not a score in (0,1): %s", optarg);
      break;
    case 'H':
      if (ls_harm_weight_parse(optarg, harm_w, &err)) {
        free(holidays);
        return cli_usage_error("analyse", "--harm-weight: %s", err.message);
      }
      harm_set = 1;
      break;
    case 'S':
      if (!parse_holidays(optarg, &holidays, &n_holidays)) {
        free(holidays);
        return cli_usage_error("analyse", "--school-holidays: want FROM:TO[,FROM:TO...] ISO dates: %s", optarg);
      }
      break;
    case 'h': free(holidays); fputs(analyse_usage, stdout); return 0;
    default: free(holidays); fputs(analyse_usage, stderr); return 2;
    }
  }
  if (db && optind < argc) {
    free(holidays);
    return cli_usage_error("analyse", "give either --db or CSV files, not both");
  }

  ls_status rc = LS_OK;
  ls_analysis_sources sources = {0};
  ls_tz *tz = NULL;
  ls_store *st = NULL;
  ls_analysis *a = NULL;
  ls_events ev;
  ls_refdata ref;
  char *json = NULL, *summary = NULL;
  ls_events_init(&ev);
  ls_refdata_init(&ref);
  ls_analysis_opts ao;
  ls_analysis_opts_init(&ao);
  ao.deal_threshold = threshold;
  ao.harm_weights = harm_set ? harm_w : NULL;
  ao.sources = &sources;
  ao.school_holidays = holidays;
  ao.n_school_holidays = n_holidays;
  int exit_code = 0;

  /* wall and CPU time: the CPU time is what a loaded machine does not blur */
  double t0 = clock_s(CLOCK_MONOTONIC), t1 = 0, t2 = 0;
  double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), c1 = 0, c2 = 0;
  rc = ls_tz_open(tzname ? tzname : LS_DEFAULT_TZ, &tz, &err);
  if (rc)
    goto out;
  if (from_s && !parse_time(from_s, tz, &ao.from)) {
    exit_code = cli_usage_error("analyse", "--from: not an ISO 8601 time: %s", from_s);
    goto out;
  }
  if (to_s && !parse_time(to_s, tz, &ao.to)) {
    exit_code = cli_usage_error("analyse", "--to: not an ISO 8601 time: %s", to_s);
    goto out;
  }
  if (optind < argc) {
    reject_count rejects = {0};
    ls_read_opts ro = {.tz = tz, .on_reject = on_reject, .reject_ctx = &rejects};
    for (int i = optind; i < argc && rc == LS_OK; i++) {
      ls_file_kind kind;
      ls_read_stats stats;
      rc = ls_ingest_detect(argv[i], &kind, &err);
      if (rc)
        break;
      if (kind == LS_KIND_EVENTS)
        rc = ls_ingest_read_events(argv[i], &ro, &ev, &stats, &err);
      else if (kind == LS_KIND_UNKNOWN)
        fprintf(stderr, "linesight analyse: %s: not a file the analysis reads (unknown header)\n", argv[i]);
      else
        rc = ls_ingest_read_refdata(argv[i], &ro, &ref, &kind, &stats, &err);
      if (rc == LS_OK && ls_analysis_sources_add(&sources, kind, argv[i]))
        rc = LS_FAIL(&err, LS_ERR_NOMEM, "out of memory");
    }
    if (rc == LS_OK && rejects.n)
      fprintf(stderr, "linesight analyse: %lu rows rejected (not analysed)\n", rejects.n);
  } else {
    rc = ls_store_open(db, &st, &err);
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
  long rss0 = 0;
  if (timings) {
    peak_reset();
    rss0 = proc_kb("VmRSS");
  }
  t1 = clock_s(CLOCK_MONOTONIC);
  c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  rc = ls_analysis_run(&ev, &ao, &a, &err);
  t2 = clock_s(CLOCK_MONOTONIC);
  c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  if (rc == LS_OK && timings) {
    long peak = proc_kb("VmHWM") - rss0;
    size_t n = ls_analysis_event_count(a);
    fprintf(stderr,
            "linesight analyse: %zu events: load %.3f s (cpu %.3f), analysis %.3f s (cpu %.3f; features %.3f s), "
            "memory at peak %ld MB over the %ld MB loaded (%.0f bytes an event)\n",
            n, t1 - t0, c1 - c0, t2 - t1, c2 - c1, ls_analysis_features_seconds(a), peak / 1024, rss0 / 1024,
            n ? 1024.0 * (double)peak / (double)n : 0.0);
    fprintf(stderr, "linesight analyse: stages (wall s):");
    for (size_t i = 0; i < ls_analysis_stage_count(); i++)
      fprintf(stderr, "%s %s %.3f", i ? "," : "", ls_analysis_stage_name(i), ls_analysis_stage_seconds(a, i));
    fputc('\n', stderr);
  }
  ls_events_free(&ev);
  /* the store keeps the text; a file or stdout gets it streamed */
  if (rc == LS_OK && st)
    rc = ls_analysis_json(a, 1, &json, &err);
  if (rc == LS_OK && features)
    rc = ls_analysis_write_features(a, features, &err);
  if (rc)
    goto out;
  if (st) {
    int64_t id = 0;
    rc = ls_analysis_save(st, json, &id, &err);
    if (rc)
      goto out;
    fprintf(stderr, "linesight analyse: result saved in %s as run %lld\n", ls_store_location(st), (long long)id);
  }
  if (json_out && !strcmp(json_out, "-")) {
    rc = write_result(a, json, stdout, "standard output", &err);
  } else {
    if (json_out) {
      FILE *f = fopen(json_out, "w");
      if (!f) {
        rc = ls_error_set(&err, LS_ERR_IO, json_out, 0, 0, "cannot write the result: %s", strerror(errno));
        goto out;
      }
      rc = write_result(a, json, f, json_out, &err);
      if (fclose(f) && rc == LS_OK)
        rc = ls_error_set(&err, LS_ERR_IO, json_out, 0, 0, "cannot write the result: %s", strerror(errno));
      if (rc)
        goto out;
    }
    rc = ls_analysis_summary(a, (size_t)top, &summary, &err);
    if (rc)
      goto out;
    fputs(summary, stdout);
  }
out:
  if (rc)
    exit_code = cli_report_error(&err);
  ls_analysis_text_free(json);
  ls_analysis_text_free(summary);
  ls_analysis_free(a);
  ls_events_free(&ev);
  ls_refdata_free(&ref);
  ls_analysis_sources_free(&sources);
  free(holidays);
  ls_store_close(st);
  ls_tz_close(tz);
  return exit_code;
}
