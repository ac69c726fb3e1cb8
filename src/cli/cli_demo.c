/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight demo`: the main job end to end on the embedded default store.
 *
 *   1. simulate a county lines world with ground truth (linesight simulate)
 *   2. ingest its communications, cells, persons, attributions and addresses
 *   3. analyse it: deal lines, holders, runners, customers, cuckooed
 *      addresses, safeguarding, harm ranking (printed with the evidence)
 *   4. evaluate the analysis against the ground truth
 *   5. import a week of action's results and print the published report
 *
 * Each step runs the same code as its own subcommand, so what the demo shows
 * is what a user gets. Everything is written under one directory (default
 * ./linesight-demo), which is left in place for `linesight serve`. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define DEMO_PATH_MAX (PATH_MAX + 64)

static const char demo_usage[] =
    "usage: linesight demo [--dir DIR] [--seed N] [--scale N] [--days D]\n"
    "  Simulates a county lines world (default: seed 7, 20000 people, 28 days),\n"
    "  ingests it into DIR/linesight.db, analyses it, evaluates the analysis\n"
    "  against the world's ground truth, and prints a week-of-action report.\n"
    "  DIR defaults to ./linesight-demo; an earlier demo store there is replaced.\n";

static int is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The week-of-action sample ships in share/demo: $LS_DEMO_DATA, else
 * share/demo beside the build directory holding this binary, else ./share/demo. */
static int find_demo_data(char *out, size_t size) {
  const char *env = getenv("LS_DEMO_DATA");
  if (env && *env) {
    snprintf(out, size, "%s", env);
    return is_dir(out);
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      int k = snprintf(out, size, "%s/../share/demo", exe);
      if (k > 0 && (size_t)k < size && is_dir(out))
        return 1;
    }
  }
  snprintf(out, size, "share/demo");
  return is_dir(out);
}

static int make_dir(const char *path) {
  if (mkdir(path, 0755) == 0 || errno == EEXIST)
    return is_dir(path) ? 0 : -1;
  return -1;
}

/* out = a/b; returns -1 when it does not fit. */
static int join(char *out, size_t size, const char *a, const char *b) {
  int k = snprintf(out, size, "%s/%s", a, b);
  return k < 0 || (size_t)k >= size ? -1 : 0;
}

/* Removes an earlier demo store (and only the files the demo itself made). */
static void remove_old_store(const char *dir) {
  static const char *const names[] = {"linesight.db", "linesight.db-wal", "linesight.db-shm",
                                      "linesight.db-journal", "result.json"};
  char path[DEMO_PATH_MAX];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (join(path, sizeof path, dir, names[i]) == 0)
      unlink(path);
  }
}

static void step(int n, const char *what) {
  printf("\n== %d. %s ==\n\n", n, what);
  fflush(stdout);
}

/* Runs a subcommand in-process with a NULL-terminated argument list. */
static int run(cli_command_fn fn, char **args) {
  int argc = 0;
  while (args[argc])
    argc++;
  int code = fn(argc, args);
  fflush(stdout);
  return code;
}

int cli_demo(int argc, char **argv) {
  const char *dir = "linesight-demo", *seed = "7", *scale = "20000", *days = "28";
  static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"scale", required_argument, NULL, 'n'},
                                       {"days", required_argument, NULL, 'D'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd': dir = optarg; break;
    case 's': seed = optarg; break;
    case 'n': scale = optarg; break;
    case 'D': days = optarg; break;
    case 'h': fputs(demo_usage, stdout); return 0;
    default: fputs(demo_usage, stderr); return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);

  char world[DEMO_PATH_MAX], db[DEMO_PATH_MAX], result[DEMO_PATH_MAX], truth[DEMO_PATH_MAX];
  char data[PATH_MAX], woa1[DEMO_PATH_MAX], woa2[DEMO_PATH_MAX];
  char files[5][DEMO_PATH_MAX];
  static const char *const kinds[5] = {"cells.csv", "persons.csv", "attributions.csv", "addresses.csv",
                                       "events.csv"};
  if (strlen(dir) > PATH_MAX - 32)
    return cli_usage_error("demo", "--dir is too long");
  if (!find_demo_data(data, sizeof data)) {
    fprintf(stderr, "linesight demo: cannot find the demo data (share/demo); set LS_DEMO_DATA to its"
                    " directory\n");
    return 1;
  }
  int bad = join(world, sizeof world, dir, "world") | join(db, sizeof db, dir, "linesight.db") |
            join(result, sizeof result, dir, "result.json") | join(truth, sizeof truth, world, "truth.json") |
            join(woa1, sizeof woa1, data, "woa_hampshire_tvp.csv") |
            join(woa2, sizeof woa2, data, "woa_btp_serocu.csv");
  for (int i = 0; i < 5; i++)
    bad |= join(files[i], sizeof files[i], world, kinds[i]);
  if (bad)
    return cli_usage_error("demo", "--dir is too long");
  if (make_dir(dir) || make_dir(world)) {
    fprintf(stderr, "linesight demo: cannot create %s: %s\n", world, strerror(errno));
    return 1;
  }
  remove_old_store(dir);

  printf("linesight demo: everything below is synthetic; files are in %s/\n", dir);
  int code;
  step(1, "Simulate a county lines world with ground truth");
  char *sim_args[] = {"simulate", "--seed", (char *)seed, "--scale", (char *)scale, "--days", (char *)days,
                      "--out", world, NULL};
  if ((code = run(cli_simulate, sim_args)))
    return code;

  step(2, "Ingest communications data and records into the store");
  char *ingest_args[] = {"ingest", "--db", db, files[0], files[1], files[2], files[3], files[4], NULL};
  if ((code = run(cli_ingest, ingest_args)))
    return code;

  step(3, "Analyse: deal lines, holders, runners, customers, safeguarding, harm");
  char *analyse_args[] = {"analyse", "--db", db, "--json", result, NULL};
  if ((code = run(cli_analyse, analyse_args)))
    return code;

  step(4, "Evaluate the analysis against the world's ground truth");
  char *eval_args[] = {"evaluate", "--truth", truth, "--result", result, NULL};
  if ((code = run(cli_evaluate, eval_args)))
    return code;

  step(5, "A week of action: import the forces' results and publish them");
  char *imp1[] = {"results", "import", "--db", db, woa1, NULL};
  char *imp2[] = {"results", "import", "--db", db, woa2, NULL};
  if ((code = run(cli_results, imp1)) || (code = run(cli_results, imp2)))
    return code;
  char *report_args[] = {"report", "--db", db, "--operation", "2024-10 intensification", "--national",
                         "--format", "text", NULL};
  if ((code = run(cli_report, report_args)))
    return code;

  printf("\nNext: linesight user add --db %s --name you --role analyst --force national  (password on stdin)\n"
         "      linesight serve --db %s    (then open http://127.0.0.1:8080/)\n",
         db, db);
  return 0;
}
