/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "linesight/ls_sim.h"

static const char simulate_usage[] =
    "usage: linesight simulate --seed N --scale N --out DIR [--days D] [--config FILE]\n"
    "                          [--difficulty standard|hard] [--set KEY=VALUE]...\n"
    "Writes events.csv cells.csv persons.csv attributions.csv addresses.csv truth.json\n"
    "for a synthetic county lines world (docs/simulator.md). Same options, same bytes.\n";

static int parse_u64(const char *s, unsigned long long *out) {
  char *end = NULL;
  errno = 0;
  if (!*s || *s == '-')
    return -1;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

int cli_simulate(int argc, char **argv) {
  static const struct option opts[] = {{"seed", required_argument, NULL, 's'},
                                       {"scale", required_argument, NULL, 'n'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"days", required_argument, NULL, 'd'},
                                       {"config", required_argument, NULL, 'c'},
                                       {"difficulty", required_argument, NULL, 'D'},
                                       {"set", required_argument, NULL, 'S'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  const char *seed = NULL, *scale = NULL, *out = NULL, *days = NULL, *config = NULL,
             *difficulty = NULL;
  const char *sets[64];
  int n_sets = 0, quiet = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 's': seed = optarg; break;
    case 'n': scale = optarg; break;
    case 'o': out = optarg; break;
    case 'd': days = optarg; break;
    case 'c': config = optarg; break;
    case 'D': difficulty = optarg; break;
    case 'q': quiet = 1; break;
    case 'S':
      if (n_sets == 64)
        return cli_usage_error("simulate", "too many --set options");
      sets[n_sets++] = optarg;
      break;
    case 'h': fputs(simulate_usage, stdout); return 0;
    default: fputs(simulate_usage, stderr); return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("simulate", "unexpected argument '%s'", argv[optind]);
  if (!out)
    return cli_usage_error("simulate", "--out DIR is required");
  ls_error err;
  ls_error_clear(&err);
  ls_sim_params p;
  ls_sim_params_default(&p);
  /* order: preset, config file, then the explicit options */
  if (difficulty && ls_sim_params_preset(&p, difficulty, &err))
    return cli_report_error(&err);
  if (config && ls_sim_params_load(&p, config, &err))
    return cli_report_error(&err);
  unsigned long long v;
  if (seed) {
    if (parse_u64(seed, &v))
      return cli_usage_error("simulate", "--seed: '%s' is not a whole number", seed);
    p.seed = v;
  }
  if (scale && ls_sim_params_set(&p, "scale", scale, &err))
    return cli_report_error(&err);
  if (days && ls_sim_params_set(&p, "days", days, &err))
    return cli_report_error(&err);
  for (int i = 0; i < n_sets; i++) {
    char key[128];
    const char *eq = strchr(sets[i], '=');
    if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof key)
      return cli_usage_error("simulate", "--set expects KEY=VALUE, got '%s'", sets[i]);
    memcpy(key, sets[i], (size_t)(eq - sets[i]));
    key[eq - sets[i]] = '\0';
    if (ls_sim_params_set(&p, key, eq + 1, &err))
      return cli_report_error(&err);
  }
  if (ls_sim_params_check(&p, &err))
    return cli_report_error(&err);
  ls_sim_summary sum;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (ls_sim_write_dir(&p, out, &sum, &err))
    return cli_report_error(&err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (!quiet)
    fprintf(stderr,
            "simulate: %llu events, %u lines (%u deal numbers), %u persons, %u cells -> %s "
            "(%.2f s, %.2f M events/s)\n",
            (unsigned long long)sum.events, sum.lines, sum.deal_numbers, sum.persons, sum.cells, out,
            secs, secs > 0 ? (double)sum.events / secs / 1e6 : 0.0);
  return 0;
}
