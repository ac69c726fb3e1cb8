/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight evaluate --truth truth.json --result result.json [--json]` */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_evaluate.h"

static const char evaluate_usage[] =
    "usage: linesight evaluate --truth truth.json --result result.json [--json]\n"
    "  prints precision, recall and F1 for deal numbers, line grouping, holders and\n"
    "  runners, and the false-positive deal numbers by decoy kind\n";

int cli_evaluate(int argc, char **argv) {
  const char *truth = NULL, *result = NULL;
  int as_json = 0;
  static const struct option opts[] = {{"truth", required_argument, NULL, 't'},
                                       {"result", required_argument, NULL, 'r'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 't')
      truth = optarg;
    else if (c == 'r')
      result = optarg;
    else if (c == 'j')
      as_json = 1;
    else if (c == 'h') {
      fputs(evaluate_usage, stdout);
      return 0;
    } else {
      fputs(evaluate_usage, stderr);
      return 2;
    }
  }
  if (!truth || !result || optind < argc)
    return cli_usage_error("evaluate", "--truth and --result are both required (and nothing else)");
  ls_error err;
  ls_error_clear(&err);
  ls_evaluation *e = NULL;
  char *text = NULL;
  ls_status rc = ls_evaluate_files(truth, result, &e, &err);
  if (rc == LS_OK)
    rc = as_json ? ls_evaluate_json(e, &text, &err) : ls_evaluate_text(e, &text, &err);
  int code = 0;
  if (rc)
    code = cli_report_error(&err);
  else
    fputs(text, stdout);
  if (text && as_json)
    fputc('\n', stdout);
  ls_evaluate_text_free(text);
  ls_evaluate_free(e);
  return code;
}
