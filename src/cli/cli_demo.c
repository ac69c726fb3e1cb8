/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight demo`: ingests the small bundled synthetic sample
 * (tests/data/sample_*.csv) into a fresh store in a temporary directory and
 * prints what the store holds. Later issues extend it to simulate and
 * analyse. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "linesight/ls_store.h"
#include "linesight/ls_store_ingest.h"

static const char *const sample_files[] = {
    "sample_cells.csv",   "sample_persons.csv", "sample_attributions.csv",
    "sample_addresses.csv", "sample_events.csv",
};
#define N_SAMPLES (sizeof sample_files / sizeof sample_files[0])

static int is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The sample lives in the source tree: $LS_DEMO_DATA, else tests/data beside
 * the build directory holding this binary (build/linesight), else ./tests/data. */
static int find_sample_dir(char *out, size_t size) {
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
      int k = snprintf(out, size, "%s/../tests/data", exe);
      if (k > 0 && (size_t)k < size && is_dir(out))
        return 1;
    }
  }
  snprintf(out, size, "tests/data");
  return is_dir(out);
}

static void on_file(void *ctx, const ls_store_ingest_file *f) {
  (void)ctx;
  printf("  %-24s %-12s read %llu, stored %llu, duplicate %llu, rejected %llu\n",
         strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path, ls_file_kind_name(f->kind),
         (unsigned long long)f->rows_read, (unsigned long long)f->rows_stored,
         (unsigned long long)f->rows_duplicate, (unsigned long long)f->rows_rejected);
}

int cli_demo(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    puts("usage: linesight demo\n  Ingests the bundled synthetic sample into a fresh store in a"
         " temporary\n  directory and prints what the store holds.");
    return 0;
  }
  if (argc > 1)
    return cli_usage_error("demo", "unexpected argument '%s'", argv[1]);
  char dir[PATH_MAX];
  if (!find_sample_dir(dir, sizeof dir)) {
    fprintf(stderr, "linesight demo: cannot find the bundled sample (tests/data); set LS_DEMO_DATA"
                    " to its directory\n");
    return 1;
  }
  char paths[N_SAMPLES][PATH_MAX];
  const char *argvp[N_SAMPLES];
  for (size_t i = 0; i < N_SAMPLES; i++) {
    int k = snprintf(paths[i], sizeof paths[i], "%s/%s", dir, sample_files[i]);
    if (k < 0 || (size_t)k >= sizeof paths[i])
      return cli_usage_error("demo", "sample path too long: %s", dir);
    argvp[i] = paths[i];
  }
  const char *tmp = getenv("TMPDIR");
  char work[PATH_MAX];
  snprintf(work, sizeof work, "%s/linesight-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(work)) {
    perror("linesight demo: cannot create a temporary directory");
    return 1;
  }
  char db[PATH_MAX + 16];
  snprintf(db, sizeof db, "%s/linesight.db", work);

  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  printf("linesight demo: ingesting the bundled synthetic sample from %s\n", dir);
  ls_store_ingest_opts io = {.on_file = on_file};
  rc = ls_store_ingest(st, argvp, N_SAMPLES, &io, &err);
  ls_store_close(st);
  if (rc)
    return cli_report_error(&err);
  printf("\n");
  char *info_argv[] = {"info", "--db", db, NULL};
  int code = cli_info(3, info_argv);
  printf("\nthe demo store is %s (try: linesight info --db %s --json)\n", db, db);
  return code;
}
