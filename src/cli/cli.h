/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `linesight` command: one function per subcommand, each in its own
 * cli_<name>.c, registered in the table in main.c. */
#ifndef LINESIGHT_CLI_H
#define LINESIGHT_CLI_H

#include "linesight/ls_error.h"

/* A subcommand gets argv with argv[0] = its own name; returns the exit code
 * (0 ok, 1 runtime failure, 2 usage or input error). */
typedef int (*cli_command_fn)(int argc, char **argv);

/* Prints "linesight: <formatted error>" on stderr and returns the exit code. */
int cli_report_error(const ls_error *err);
/* Prints a usage error on stderr and returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Subcommands (each defined in cli_<name>.c). */
int cli_info(int argc, char **argv);
int cli_simulate(int argc, char **argv);
int cli_results(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_analyse(int argc, char **argv);
int cli_evaluate(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_referrals(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_ingest(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_indicators(int argc, char **argv);
int cli_message(int argc, char **argv);
int cli_export(int argc, char **argv);

#endif
