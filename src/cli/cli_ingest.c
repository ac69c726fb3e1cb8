/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight ingest`: loads events and reference CSVs into the store in one
 * transaction; one summary line per file on stdout, a progress bar on stderr
 * when it is a terminal and a file is large. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "linesight/ls_store.h"
#include "linesight/ls_store_ingest.h"

static const char ingest_usage[] =
    "usage: linesight ingest [--db D] [--format auto|linesight] [--tz ZONE] FILE...\n"
    "       linesight ingest [--db D] --format operator --mapping MAP FILE...\n"
    "                        [--mapping MAP2 FILE...]\n"
    "  Loads events, cells, persons, attributions and addresses CSVs (told apart by\n"
    "  their header) in one transaction. Rejected rows go to a quarantine CSV beside\n"
    "  the store. A file already ingested (same SHA-256) is refused.\n"
    "  --format   auto (default) or linesight; operator: every FILE is an operator\n"
    "             call-data return read through the mapping file MAP\n"
    "             (share/mappings/*.map, docs/formats-operator.md); bandicoot files are\n"
    "             not stored: use `linesight indicators --bandicoot FILE.csv`\n"
    "  --mapping  mapping file of the operator returns that follow it\n"
    "  --tz       zone for times without an offset (default Europe/London)\n";

/* A bar is worth drawing only for files that take a noticeable time. */
#define PROGRESS_MIN_BYTES (32ull << 20)
#define PROGRESS_WIDTH 40

typedef struct ingest_ui {
  int tty;
  int bar_shown;
  int last_pct;
  size_t files;
  uint64_t read, stored, duplicate, rejected;
} ingest_ui;

static void on_progress(void *ctx, uint64_t done, uint64_t total) {
  ingest_ui *ui = ctx;
  if (!ui->tty || total < PROGRESS_MIN_BYTES)
    return;
  int pct = (int)(done * 100 / total);
  if (pct == ui->last_pct)
    return;
  ui->last_pct = pct;
  char bar[PROGRESS_WIDTH + 1];
  int fill = pct * PROGRESS_WIDTH / 100;
  for (int i = 0; i < PROGRESS_WIDTH; i++)
    bar[i] = i < fill ? '#' : '.';
  bar[PROGRESS_WIDTH] = '\0';
  fprintf(stderr, "\r[%s] %3d%%", bar, pct);
  fflush(stderr);
  ui->bar_shown = 1;
}

static void clear_bar(ingest_ui *ui) {
  if (ui->bar_shown) {
    fprintf(stderr, "\r%*s\r", PROGRESS_WIDTH + 8, "");
    fflush(stderr);
    ui->bar_shown = 0;
  }
  ui->last_pct = -1;
}

static void on_file(void *ctx, const ls_store_ingest_file *f) {
  ingest_ui *ui = ctx;
  clear_bar(ui);
  printf("%s: %s, read %llu, stored %llu, duplicate %llu, rejected %llu", f->path,
         ls_file_kind_name(f->kind), (unsigned long long)f->rows_read,
         (unsigned long long)f->rows_stored, (unsigned long long)f->rows_duplicate,
         (unsigned long long)f->rows_rejected);
  if (f->quarantine)
    printf(" (quarantined in %s)", f->quarantine);
  putchar('\n');
  /* flushed per file: a watcher (or a test) sees each file as it is done */
  fflush(stdout);
  ui->files++;
  ui->read += f->rows_read;
  ui->stored += f->rows_stored;
  ui->duplicate += f->rows_duplicate;
  ui->rejected += f->rows_rejected;
}

static int run_ingest(const char *db, const char *format, const char *tz, int any_mapping,
                      char **files, const char **mappings, size_t n_files);

int cli_ingest(int argc, char **argv) {
  const char *db = NULL, *format = NULL, *tz = NULL, *mapping = NULL;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"mapping", required_argument, NULL, 'm'},
                                       {"tz", required_argument, NULL, 't'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  /* Files in command-line order, each with the --mapping given before it:
   * returns of several layouts can then be read in one ingest (and their
   * mirror records merged). "-" makes getopt hand over files in place. The
   * file list reuses argv's slots (a file is never ahead of its slot). */
  const char **mappings = calloc((size_t)argc + 1, sizeof *mappings);
  char **files = argv;
  size_t n_files = 0;
  int any_mapping = 0;
  if (!mappings) {
    fputs("linesight ingest: out of memory\n", stderr);
    return 1;
  }
  while ((c = getopt_long(argc, argv, "-", opts, NULL)) != -1) {
    if (c == 1) {
      mappings[n_files] = mapping;
      files[n_files++] = optarg;
    } else if (c == 'd')
      db = optarg;
    else if (c == 'f')
      format = optarg;
    else if (c == 't')
      tz = optarg;
    else if (c == 'm')
      mapping = optarg;
    else if (c == 'h') {
      fputs(ingest_usage, stdout);
      free(mappings);
      return 0;
    } else {
      fputs(ingest_usage, stderr);
      free(mappings);
      return 2;
    }
  }
  for (; optind < argc; optind++) { /* after "--" */
    mappings[n_files] = mapping;
    files[n_files++] = argv[optind];
  }
  for (size_t i = 0; i < n_files; i++)
    any_mapping |= mappings[i] != NULL;
  int code = run_ingest(db, format, tz, any_mapping, files, mappings, n_files);
  free(mappings);
  return code;
}

static int run_ingest(const char *db, const char *format, const char *tz, int any_mapping,
                      char **files, const char **mappings, size_t n_files) {
  if (n_files == 0) {
    fputs(ingest_usage, stderr);
    return cli_usage_error("ingest", "no input file given");
  }
  int fmt = ls_store_ingest_format_supported(format);
  if (fmt < 0)
    return cli_usage_error("ingest", "unknown format '%s' (auto, linesight, bandicoot, operator)",
                           format);
  if (fmt == 0)
    return cli_usage_error("ingest", "format '%s': %s", format,
                           ls_store_ingest_format_refusal(format));
  int is_operator = format && !strcmp(format, "operator");
  if (is_operator && !mappings[0])
    return cli_usage_error("ingest", "--format operator needs --mapping FILE before the files"
                                     " it describes (e.g. share/mappings/uk-return-a.map)");
  if (!is_operator && any_mapping)
    return cli_usage_error("ingest", "--mapping is read only with --format operator");

  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  ingest_ui ui = {.tty = isatty(STDERR_FILENO), .last_pct = -1};
  ls_store_ingest_opts io = {.format = format,
                             .mappings = mappings,
                             .tz = tz,
                             .on_progress = on_progress,
                             .progress_ctx = &ui,
                             .on_file = on_file,
                             .file_ctx = &ui};
  rc = ls_store_ingest(st, (const char *const *)files, n_files, &io, &err);
  clear_bar(&ui);
  if (rc) {
    int code = cli_report_error(&err);
    fprintf(stderr, "linesight ingest: nothing stored: the ingest was rolled back%s\n",
            ui.files ? " (including the files listed above)" : "");
    ls_store_close(st);
    return code;
  }
  printf("ingested %zu file%s into %s: read %llu, stored %llu, duplicate %llu, rejected %llu\n",
         ui.files, ui.files == 1 ? "" : "s", ls_store_location(st), (unsigned long long)ui.read,
         (unsigned long long)ui.stored, (unsigned long long)ui.duplicate,
         (unsigned long long)ui.rejected);
  ls_store_close(st);
  return 0;
}
