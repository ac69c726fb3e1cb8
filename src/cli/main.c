/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
  const char *name;
  cli_command_fn run;
  const char *summary;
} command;

static const command commands[] = {
    {"info", cli_info, "what the store holds"},
    {"simulate", cli_simulate, "write a synthetic county lines world with ground truth"},
    {"results", cli_results, "import or list week-of-action result records"},
    {"report", cli_report, "a week of action's results: text, json, html, pdf, xlsx"},
    {"analyse", cli_analyse, "find deal lines, their holders, runners and customers"},
    {"evaluate", cli_evaluate, "score an analysis result against a simulated truth"},
    {"explain", cli_explain, "the evidence behind a number, person, address or line"},
    {"referrals", cli_referrals, "safeguarding referrals: CSV and a printable page per person"},
    {"serve", cli_serve, "run the HTTP API and the analyst console"},
    {"user", cli_user, "add, change or disable console users"},
    {"audit", cli_audit, "verify or show the audit trail"},
    {"ingest", cli_ingest, "load events and reference CSVs into the store"},
    {"demo", cli_demo, "the main job end to end: simulate, ingest, analyse, evaluate, report"},
    {"indicators", cli_indicators, "bandicoot's indicators per number or for a bandicoot file"},
    {"message", cli_message, "diversion texts to a deal line's customers through an SMS gateway"},
    {"export", cli_export, "the latest analysis for i2, Gephi, GIS tools and Excel"},
};

int cli_report_error(const ls_error *err) {
  char text[LS_ERROR_MESSAGE_MAX + LS_ERROR_FILE_MAX + 64];
  ls_error_format(err, text, sizeof text);
  fprintf(stderr, "linesight: %s\n", text);
  return ls_status_exit_code(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "linesight %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 2;
}

static void usage(FILE *out) {
  fprintf(out, "usage: linesight COMMAND [OPTIONS]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n'linesight COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("linesight %s\n", LINESIGHT_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "linesight: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
