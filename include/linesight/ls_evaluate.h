/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evaluation of an analysis result against a simulated world's ground truth
 * (DESIGN.md s.5 truth.json, s.6 result JSON): precision, recall and F1 per
 * task, and the false positives among deal numbers by decoy kind.
 *
 * Tasks (docs/analysis.md, "Evaluation"):
 *   deal_numbers   the set of deal numbers of all lines
 *   line_grouping  pairs of true deal numbers: same line in truth against
 *                  same line in the result (an undetected number is alone)
 *   holders        the set of holder numbers of all lines
 *   runners        the set of runner numbers of all lines
 *   cuckoo_addresses  the set of cuckooed address ids of all lines
 *   juvenile_runners  the set of runner numbers of children (truth's
 *                  top-level juvenile_runners, the result's
 *                  lines[].juvenile_runners)
 * More tasks are added by appending to the task table in
 * src/analysis/analysis_evaluate.c. Numbers are compared after E.164
 * normalisation, so formats may differ between the two files. */
#ifndef LINESIGHT_LS_EVALUATE_H
#define LINESIGHT_LS_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"

typedef struct ls_eval_score {
  const char *task; /* static name, e.g. "deal_numbers" */
  uint64_t tp, fp, fn;
  /* 0/0 counts as 1: nothing predicted and nothing to find is perfect */
  double precision, recall, f1;
} ls_eval_score;

typedef struct ls_evaluation ls_evaluation;

/* Reads both files and scores every task. Errors: LS_ERR_IO (cannot read),
 * LS_ERR_INPUT (not JSON, or a required key missing or of the wrong type:
 * the message names the file and the key, the line and column of a JSON
 * syntax error), LS_ERR_NOMEM. O(T + R + L^2) for T truth and R result
 * numbers and L numbers in the largest list. */
ls_status ls_evaluate_files(const char *truth_path, const char *result_path, ls_evaluation **out,
                            ls_error *err);
/* Same, over JSON texts already in memory (names are used in messages). */
ls_status ls_evaluate_texts(const char *truth, const char *truth_name, const char *result,
                            const char *result_name, ls_evaluation **out, ls_error *err);
void ls_evaluate_free(ls_evaluation *e); /* accepts NULL */

size_t ls_evaluate_task_count(const ls_evaluation *e);
const ls_eval_score *ls_evaluate_task(const ls_evaluation *e, size_t i);
/* The score of a task by name, or NULL. */
const ls_eval_score *ls_evaluate_find(const ls_evaluation *e, const char *task);
/* Detected deal numbers that truth lists as decoys (all kinds). */
size_t ls_evaluate_decoys_detected(const ls_evaluation *e);

/* The evaluation as JSON ({"<task>": {"precision", "recall", "f1", "tp",
 * "fp", "fn"}, ..., "false_positives": {"<decoy kind>|other": [numbers]},
 * "decoys_detected": n}) or as a text table. Allocated with ls_malloc: free
 * with ls_evaluate_text_free. Errors: LS_ERR_NOMEM. */
ls_status ls_evaluate_json(const ls_evaluation *e, char **text, ls_error *err);
ls_status ls_evaluate_text(const ls_evaluation *e, char **text, ls_error *err);
void ls_evaluate_text_free(char *text);

#endif
