/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the evaluator's readers of truth.json and the result JSON
 * (ls_evaluate_texts; DESIGN.md s.5 and s.6). The input is cut at the first
 * FZ_SEP line into the truth and the result texts. A refusal is an input
 * error that names a file; an evaluation has counts that give its scores
 * (0/0 counts as 1), every score in [0, 1], and both renderings. The input
 * is also scored against itself as both files. Seeds: the texts of
 * tests/unit/test_analysis_evaluate.c and a small simulated world's truth
 * with its analysis result. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "linesight/ls_evaluate.h"

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 1.0; }

static void check(ls_status rc, ls_evaluation *e, const ls_error *err) {
  if (rc != LS_OK) {
    if (rc != LS_ERR_INPUT || e || !err->message[0] || !err->file[0])
      abort();
    return;
  }
  if (!e)
    abort();
  for (size_t i = 0; i < ls_evaluate_task_count(e); i++) {
    const ls_eval_score *s = ls_evaluate_task(e, i);
    if (!s->task || ls_evaluate_find(e, s->task) != s)
      abort();
    double p = ratio(s->tp, s->tp + s->fp), r = ratio(s->tp, s->tp + s->fn);
    if (fabs(s->precision - p) > 1e-12 || fabs(s->recall - r) > 1e-12 || !(s->f1 >= 0 && s->f1 <= 1))
      abort();
  }
  ls_error e2;
  char *text = NULL;
  if (ls_evaluate_json(e, &text, &e2) != LS_OK || !text)
    abort();
  ls_evaluate_text_free(text);
  text = NULL;
  if (ls_evaluate_text(e, &text, &e2) != LS_OK || !text)
    abort();
  ls_evaluate_text_free(text);
  ls_evaluate_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *part[2];
  size_t len[2];
  size_t n = fz_split(data, size, part, len, 2);
  char *truth = fz_strndup(part[0], len[0]);
  char *result = n > 1 ? fz_strndup(part[1], len[1]) : NULL;
  ls_evaluation *e = NULL;
  ls_error err;
  ls_error_clear(&err);
  if (result) {
    ls_status rc = ls_evaluate_texts(truth, "truth.json", result, "result.json", &e, &err);
    check(rc, e, &err);
    e = NULL;
  }
  ls_error_clear(&err);
  ls_status rc = ls_evaluate_texts(truth, "truth.json", truth, "result.json", &e, &err);
  check(rc, e, &err);
  free(truth);
  free(result);
  return 0;
}
