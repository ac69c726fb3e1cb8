/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight report`: a week of action's published results, and the change
 * between two weeks of action. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_ops.h"
#include "linesight/ls_store.h"

static const char report_usage[] =
    "usage: linesight report [--db D] --operation NAME [--force F | --national]\n"
    "                        [--format text|json|html|pdf|xlsx] [--out FILE]\n"
    "       linesight report [--db D] --compare OP1 OP2 [--force F] [--format text|json] [--out FILE]\n"
    "\n"
    "Without --force or --national the report sums every force and unit that\n"
    "recorded under the operation; --national adds each one's figures and share.\n"
    "pdf and xlsx need --out.\n";

/* fontconfig (under cairo's text) keeps a process-wide cache that it never
 * frees; LeakSanitizer would report it after every PDF. Suppress that one
 * library only (this hook is read by LSan and unused otherwise). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static int write_out(const char *path, const char *text, size_t len) {
  FILE *f = path ? fopen(path, "wb") : stdout;
  if (!f) {
    fprintf(stderr, "linesight: %s: cannot write\n", path);
    return 1;
  }
  int ok = fwrite(text, 1, len, f) == len;
  ok = (path ? fclose(f) == 0 : fflush(f) == 0) && ok;
  if (!ok) {
    fprintf(stderr, "linesight: %s: write failed\n", path ? path : "stdout");
    return 1;
  }
  return 0;
}

static int fail(const ls_error *err) {
  int code = cli_report_error(err);
  /* an operation or force name that is not in the store is the user's input */
  return err->code == LS_ERR_NOTFOUND ? 2 : code;
}

int cli_report(int argc, char **argv) {
  const char *db = NULL, *operation = NULL, *force = NULL, *format = "text", *out = NULL;
  const char *compare[2] = {NULL, NULL};
  int national = 0;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"operation", required_argument, NULL, 'o'},
                                       {"force", required_argument, NULL, 'f'},
                                       {"national", no_argument, NULL, 'n'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"out", required_argument, NULL, 'O'},
                                       {"compare", required_argument, NULL, 'c'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd':
      db = optarg;
      break;
    case 'o':
      operation = optarg;
      break;
    case 'f':
      force = optarg;
      break;
    case 'n':
      national = 1;
      break;
    case 'F':
      format = optarg;
      break;
    case 'O':
      out = optarg;
      break;
    case 'c':
      compare[0] = optarg;
      /* the second operation is the next word */
      if (optind >= argc || argv[optind][0] == '-')
        return cli_usage_error("report", "--compare needs two operations: --compare OP1 OP2");
      compare[1] = argv[optind++];
      break;
    case 'h':
      fputs(report_usage, stdout);
      return 0;
    default:
      fputs(report_usage, stderr);
      return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
  ls_ops_format fmt;
  if (ls_ops_format_parse(format, &fmt))
    return cli_usage_error("report", "unknown format '%s' (text, json, html, pdf, xlsx)", format);
  if (compare[0] && operation)
    return cli_usage_error("report", "give --operation or --compare, not both");
  if (!compare[0] && !operation)
    return cli_usage_error("report", "--operation NAME is required ('linesight results list' shows them)");
  if (force && national)
    return cli_usage_error("report", "--force and --national cannot be combined");
  if (compare[0] && national)
    return cli_usage_error("report", "--national does not apply to --compare");
  if (compare[0] && fmt != LS_OPS_FORMAT_TEXT && fmt != LS_OPS_FORMAT_JSON)
    return cli_usage_error("report", "--compare writes text or json");
  if ((fmt == LS_OPS_FORMAT_PDF || fmt == LS_OPS_FORMAT_XLSX) && !out)
    return cli_usage_error("report", "--format %s writes a file: give --out FILE", format);

  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  int code = 0;
  char *text = NULL;
  size_t len = 0;
  if (compare[0]) {
    rc = ls_ops_compare_render(st, compare[0], compare[1], force, fmt, &text, &len, &err);
  } else {
    ls_ops_scope scope = {operation, force, national};
    ls_ops_report *r = NULL;
    rc = ls_ops_report_build(st, &scope, &r, &err);
    if (rc == LS_OK) {
      if (fmt == LS_OPS_FORMAT_PDF || fmt == LS_OPS_FORMAT_XLSX)
        rc = ls_ops_report_save(r, fmt, out, &err);
      else
        rc = ls_ops_report_render(r, fmt, &text, &len, &err);
    }
    ls_ops_report_free(r);
  }
  ls_store_close(st);
  if (rc)
    code = fail(&err);
  else if (text)
    code = write_out(out, text, len);
  ls_ops_free(text);
  return code;
}
