/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight indicators`: bandicoot's individual indicators per number from
 * the store, or for one bandicoot records file (docs/indicators.md). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "cli.h"
#include "linesight/ls_indicators.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_ingest_bandicoot.h"
#include "linesight/ls_store.h"
#include "linesight/ls_store_events.h"

static const char indicators_usage[] =
    "usage: linesight indicators [--db D] (--number N | --all) [--format json|csv] [--tz ZONE]\n"
    "                            [OPTIONS]\n"
    "       linesight indicators --bandicoot FILE.csv [--antennas FILE] [--recharges FILE]\n"
    "                            [--network] [OPTIONS]\n"
    "options:\n"
    "  --groupby week|none       group records by ISO week (default) or not at all\n"
    "  --split-week              add weekday and weekend\n"
    "  --split-day               add day (07:00-19:00) and night\n"
    "  --summary default|extended  mean and std, or also median, skewness, kurtosis, min, max\n"
    "  --network                 bandicoot's network filter: drop records that the\n"
    "                            correspondent's file (beside FILE.csv) contradicts\n"
    "  --tz ZONE                 local time for day/night and weekdays (default Europe/London)\n"
    "Prints bandicoot's flattened keys (indicator__partofweek__partofday__interaction...).\n";

static ls_status print_reject(void *ctx, const char *file, long line, const char *raw, size_t raw_len,
                              const char *reason) {
  (void)ctx;
  (void)raw;
  (void)raw_len;
  fprintf(stderr, "linesight indicators: %s:%ld: record ignored: %s\n", file, line, reason);
  return LS_OK;
}

/* bandicoot's to_csv: one row per subscriber, a column per key. */
static int print_csv_value(json_t *v) {
  if (json_is_null(v))
    return 0;
  if (json_is_integer(v))
    return printf("%lld", (long long)json_integer_value(v)) < 0;
  if (json_is_real(v))
    return printf("%.17g", json_real_value(v)) < 0;
  if (json_is_true(v) || json_is_false(v))
    return fputs(json_is_true(v) ? "True" : "False", stdout) < 0;
  char *text = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  if (!text)
    return 1;
  int quote = strpbrk(text, ",\"\n\r") != NULL;
  if (quote) {
    putchar('"');
    for (const char *p = text; *p; p++) {
      if (*p == '"')
        putchar('"');
      putchar(*p);
    }
    putchar('"');
  } else {
    fputs(text, stdout);
  }
  free(text);
  return 0;
}

static void print_csv_row(json_t *o, int header) {
  const char *k;
  json_t *v;
  int first = 1;
  json_object_foreach(o, k, v) {
    if (!first)
      putchar(',');
    first = 0;
    if (header)
      fputs(k, stdout);
    else
      print_csv_value(v);
  }
  putchar('\n');
}

static int emit_one(json_t *o, int csv, int *rows) {
  if (csv) {
    if (*rows == 0)
      print_csv_row(o, 1);
    print_csv_row(o, 0);
  } else {
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
      return 1;
    puts(text);
    free(text);
  }
  (*rows)++;
  return 0;
}

static int from_bandicoot(const char *file, const char *antennas, const char *recharges, int network,
                          const ls_indicators_opts *o, int csv) {
  ls_bc_user u;
  ls_error err;
  ls_error_clear(&err);
  ls_bc_user_init(&u);
  json_t *out = NULL;
  int code = 0;
  ls_status rc = ls_ingest_read_bandicoot(file, &u, print_reject, NULL, &err);
  if (!rc && antennas)
    rc = ls_ingest_read_bandicoot_antennas(antennas, &u, &err);
  if (!rc && recharges)
    rc = ls_ingest_read_bandicoot_recharges(recharges, &u, &err);
  if (!rc && network) {
    char dir[4096];
    const char *slash = strrchr(file, '/');
    if (slash)
      snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    else
      snprintf(dir, sizeof dir, ".");
    size_t dropped = 0;
    rc = ls_ingest_bandicoot_network_filter(&u, dir, &dropped, &err);
    if (!rc && dropped)
      fprintf(stderr, "linesight indicators: %zu record(s) not reciprocated by the correspondent's file were removed\n",
              dropped);
  }
  if (!rc)
    rc = ls_indicators_compute(&u, o, &out, &err);
  if (rc)
    code = cli_report_error(&err);
  else {
    int rows = 0;
    code = emit_one(out, csv, &rows);
  }
  json_decref(out);
  ls_bc_user_free(&u);
  return code;
}

static int64_t to_local(void *ctx, int64_t utc) {
  return utc + ls_tz_offset_at(ctx, utc);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static int from_store(const char *db, const char *number, int all, const char *tzname,
                      const ls_indicators_opts *o, int csv) {
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_tz *tz = NULL;
  ls_events ev;
  ls_refdata rd;
  ls_dict cells;
  uint32_t *start = NULL, *list = NULL;
  json_t *out = NULL;
  int code = 0, rows = 0;
  ls_events_init(&ev);
  ls_refdata_init(&rd);
  ls_dict_init(&cells);
  ls_status rc = ls_tz_open(tzname ? tzname : LS_DEFAULT_TZ, &tz, &err);
  if (rc) {
    code = cli_report_error(&err);
    goto out;
  }
  rc = ls_store_open(db, &st, &err);
  if (!rc)
    rc = ls_store_events_load(st, INT64_MIN, INT64_MAX, &ev, &err);
  if (!rc)
    rc = ls_store_refdata_load(st, &rd, &err);
  for (size_t i = 0; !rc && i < rd.n_cells; i++) {
    uint32_t id;
    rc = ls_dict_intern(&cells, rd.cells[i].cell_id, strlen(rd.cells[i].cell_id), &id);
    if (rc)
      rc = LS_FAIL(&err, LS_ERR_NOMEM, "out of memory");
  }
  if (rc) {
    code = cli_report_error(&err);
    goto out;
  }
  uint32_t nnum = ev.numbers.count, want = LS_NO_ID;
  if (!all) {
    char e164[LS_E164_MAX];
    const char *why = NULL;
    if (ls_phone_normalise(number, strlen(number), e164, &why)) {
      code = cli_usage_error("indicators", "--number '%s': %s", number, why ? why : "not a phone number");
      goto out;
    }
    if (ls_dict_find(&ev.numbers, e164, strlen(e164), &want) != LS_OK) {
      fprintf(stderr, "linesight indicators: %s has no events in the store\n", e164);
      code = 1;
      goto out;
    }
  }
  /* events of each number, in store order: a counting sort over both ends */
  start = calloc((size_t)nnum + 1, sizeof *start);
  list = malloc((ev.count ? ev.count : 1) * 2 * sizeof *list);
  if (!start || !list) {
    fprintf(stderr, "linesight indicators: out of memory\n");
    code = 1;
    goto out;
  }
  for (size_t i = 0; i < ev.count; i++) {
    start[ev.caller[i] + 1]++;
    if (ev.callee[i] != ev.caller[i])
      start[ev.callee[i] + 1]++;
  }
  for (uint32_t k = 0; k < nnum; k++)
    start[k + 1] += start[k];
  {
    uint32_t *fill = malloc(((size_t)nnum + 1) * sizeof *fill);
    if (!fill) {
      code = 1;
      goto out;
    }
    memcpy(fill, start, ((size_t)nnum + 1) * sizeof *fill);
    for (size_t i = 0; i < ev.count; i++) {
      list[fill[ev.caller[i]]++] = (uint32_t)i;
      if (ev.callee[i] != ev.caller[i])
        list[fill[ev.callee[i]]++] = (uint32_t)i;
    }
    free(fill);
  }
  if (!csv && all)
    fputs("{\n", stdout);
  for (uint32_t k = all ? 0 : want; k < (all ? nnum : want + 1); k++) {
    size_t n = start[k + 1] - start[k];
    if (n == 0)
      continue;
    ls_qsort(list + start[k], n, sizeof *list, cmp_u32);
    ls_bc_user u;
    ls_bc_user_init(&u);
    rc = ls_indicators_user_from_events(&ev, k, list + start[k], n, to_local, tz, &u, &err);
    for (uint32_t p = 0; !rc && p < u.positions.count; p++) {
      uint32_t ci;
      const char *pid = ls_dict_str(&u.positions, p);
      if (ls_dict_find(&cells, pid, strlen(pid), &ci) == LS_OK) {
        u.pos_lat[p] = rd.cells[ci].lat;
        u.pos_lon[p] = rd.cells[ci].lon;
      }
    }
    u.n_antennas = rd.n_cells;
    if (!rc)
      rc = ls_indicators_compute(&u, o, &out, &err);
    ls_bc_user_free(&u);
    if (rc) {
      code = cli_report_error(&err);
      goto out;
    }
    if (!csv && all) {
      char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      json_t *name = json_string(ls_dict_str(&ev.numbers, k));
      char *key = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
      json_decref(name);
      printf("%s%s: %s", rows ? ",\n" : "", key ? key : "\"?\"", text ? text : "null");
      free(text);
      free(key);
      rows++;
    } else if (emit_one(out, csv, &rows)) {
      code = 1;
    }
    json_decref(out);
    out = NULL;
  }
  if (!csv && all)
    fputs("\n}\n", stdout);
out:
  json_decref(out);
  free(start);
  free(list);
  ls_dict_free(&cells);
  ls_refdata_free(&rd);
  ls_events_free(&ev);
  ls_store_close(st);
  ls_tz_close(tz);
  return code;
}

int cli_indicators(int argc, char **argv) {
  const char *db = NULL, *number = NULL, *bandicoot = NULL, *antennas = NULL, *recharges = NULL,
             *tz = NULL;
  int all = 0, csv = 0, network = 0;
  ls_indicators_opts o;
  ls_indicators_opts_default(&o);
  enum { O_DB = 256, O_NUMBER, O_ALL, O_FORMAT, O_BANDICOOT, O_ANTENNAS, O_RECHARGES, O_GROUPBY,
         O_SPLIT_WEEK, O_SPLIT_DAY, O_SUMMARY, O_NETWORK, O_TZ, O_HELP };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"number", required_argument, NULL, O_NUMBER},
                                       {"all", no_argument, NULL, O_ALL},
                                       {"format", required_argument, NULL, O_FORMAT},
                                       {"bandicoot", required_argument, NULL, O_BANDICOOT},
                                       {"antennas", required_argument, NULL, O_ANTENNAS},
                                       {"recharges", required_argument, NULL, O_RECHARGES},
                                       {"groupby", required_argument, NULL, O_GROUPBY},
                                       {"split-week", no_argument, NULL, O_SPLIT_WEEK},
                                       {"split-day", no_argument, NULL, O_SPLIT_DAY},
                                       {"summary", required_argument, NULL, O_SUMMARY},
                                       {"network", no_argument, NULL, O_NETWORK},
                                       {"tz", required_argument, NULL, O_TZ},
                                       {"help", no_argument, NULL, O_HELP},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case O_DB:
      db = optarg;
      break;
    case O_NUMBER:
      number = optarg;
      break;
    case O_ALL:
      all = 1;
      break;
    case O_FORMAT:
      if (!strcmp(optarg, "csv"))
        csv = 1;
      else if (strcmp(optarg, "json"))
        return cli_usage_error("indicators", "--format must be json or csv, not '%s'", optarg);
      break;
    case O_BANDICOOT:
      bandicoot = optarg;
      break;
    case O_ANTENNAS:
      antennas = optarg;
      break;
    case O_RECHARGES:
      recharges = optarg;
      break;
    case O_GROUPBY:
      if (!strcmp(optarg, "week"))
        o.groupby_week = 1;
      else if (!strcmp(optarg, "none"))
        o.groupby_week = 0;
      else
        return cli_usage_error("indicators", "--groupby must be week or none, not '%s'", optarg);
      break;
    case O_SPLIT_WEEK:
      o.split_week = 1;
      break;
    case O_SPLIT_DAY:
      o.split_day = 1;
      break;
    case O_SUMMARY:
      if (!strcmp(optarg, "extended"))
        o.extended = 1;
      else if (!strcmp(optarg, "default"))
        o.extended = 0;
      else
        return cli_usage_error("indicators", "--summary must be default or extended, not '%s'", optarg);
      break;
    case O_NETWORK:
      network = 1;
      break;
    case O_TZ:
      tz = optarg;
      break;
    case O_HELP:
      fputs(indicators_usage, stdout);
      return 0;
    default:
      fputs(indicators_usage, stderr);
      return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("indicators", "unexpected argument '%s'", argv[optind]);
  if (bandicoot) {
    if (number || all || db)
      return cli_usage_error("indicators", "--bandicoot reads a file; it cannot be combined with --db, --number or --all");
    return from_bandicoot(bandicoot, antennas, recharges, network, &o, csv);
  }
  if (antennas || recharges || network)
    return cli_usage_error("indicators", "--antennas, --recharges and --network go with --bandicoot");
  if (!!number + all != 1)
    return cli_usage_error("indicators", "give one of --number N, --all or --bandicoot FILE");
  return from_store(db, number, all, tz, &o, csv);
}
