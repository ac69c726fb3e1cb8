/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evaluation: set scores, pairwise line grouping, false positives by decoy
 * kind, number normalisation and input errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "linesight/ls_evaluate.h"

static const char truth[] =
    "{\"seed\": 7, \"lines\": ["
    " {\"line_id\": \"L1\", \"numbers\": [\"+447700900001\", \"+447700900002\", \"+447700900003\"],"
    "  \"holders\": [\"+447700900101\"], \"runners\": [\"+447700900201\", \"+447700900202\"],"
    "  \"customers\": [\"+447700900301\"]},"
    " {\"line_id\": \"L2\", \"numbers\": [\"+447700900004\"],"
    "  \"holders\": [\"+447700900102\"], \"runners\": [], \"customers\": []}],"
    " \"decoys\": {\"taxi\": [\"+447700900501\"], \"bulk_sms\": [\"+447700900601\"]}}";

static void scores_each_task(void **state) {
  (void)state;
  /* result: L1's third number found as a separate line, L2 found, a taxi and
   * a customer taken for deal numbers; numbers written in national format */
  static const char result[] =
      "{\"lines\": ["
      " {\"id\": \"LS-0001\", \"numbers\": [\"07700 900001\", \"+447700900002\"],"
      "  \"holders\": [\"+447700900101\"], \"runners\": [\"+447700900201\"]},"
      " {\"id\": \"LS-0002\", \"numbers\": [\"+447700900003\"], \"holders\": [], \"runners\": []},"
      " {\"id\": \"LS-0003\", \"numbers\": [\"+447700900004\", \"+447700900501\"],"
      "  \"holders\": [\"+447700900102\", \"+447700900999\"], \"runners\": []},"
      " {\"id\": \"LS-0004\", \"numbers\": [\"+447700900301\"]}]}";
  ls_evaluation *e = NULL;
  ls_error err;
  assert_int_equal(ls_evaluate_texts(truth, "truth.json", result, "result.json", &e, &err), LS_OK);
  const ls_eval_score *d = ls_evaluate_find(e, "deal_numbers");
  assert_non_null(d);
  assert_int_equal(d->tp, 4);
  assert_int_equal(d->fp, 2);
  assert_int_equal(d->fn, 0);
  assert_true(fabs(d->precision - 4.0 / 6) < 1e-9);
  assert_true(fabs(d->recall - 1.0) < 1e-9);
  /* true pairs: (1,2) (1,3) (2,3); predicted among true numbers: (1,2) */
  const ls_eval_score *g = ls_evaluate_find(e, "line_grouping");
  assert_int_equal(g->tp, 1);
  assert_int_equal(g->fp, 0);
  assert_int_equal(g->fn, 2);
  assert_true(fabs(g->recall - 1.0 / 3) < 1e-9);
  const ls_eval_score *h = ls_evaluate_find(e, "holders");
  assert_int_equal(h->tp, 2);
  assert_int_equal(h->fp, 1);
  const ls_eval_score *r = ls_evaluate_find(e, "runners");
  assert_int_equal(r->tp, 1);
  assert_int_equal(r->fn, 1);
  assert_true(fabs(r->f1 - 2.0 / 3) < 1e-9);
  assert_int_equal(ls_evaluate_decoys_detected(e), 1);
  char *text = NULL;
  assert_int_equal(ls_evaluate_json(e, &text, &err), LS_OK);
  assert_non_null(strstr(text, "\"taxi\": [\n      \"+447700900501\""));
  assert_non_null(strstr(text, "\"customer\""));
  ls_evaluate_text_free(text);
  assert_int_equal(ls_evaluate_text(e, &text, &err), LS_OK);
  assert_non_null(strstr(text, "line_grouping"));
  ls_evaluate_text_free(text);
  ls_evaluate_free(e);
}

static void perfect_and_empty(void **state) {
  (void)state;
  ls_evaluation *e = NULL;
  ls_error err;
  /* truth scored against itself (as result: same keys) */
  assert_int_equal(ls_evaluate_texts(truth, "t", truth, "r", &e, &err), LS_OK);
  for (size_t i = 0; i < ls_evaluate_task_count(e); i++)
    assert_true(fabs(ls_evaluate_task(e, i)->f1 - 1.0) < 1e-9);
  ls_evaluate_free(e);
  /* nothing found: recall 0, precision 1 by the 0/0 rule, F1 0 */
  assert_int_equal(ls_evaluate_texts(truth, "t", "{\"lines\": []}", "r", &e, &err), LS_OK);
  const ls_eval_score *d = ls_evaluate_find(e, "deal_numbers");
  assert_true(d->recall == 0.0 && d->precision == 1.0 && d->f1 == 0.0);
  ls_evaluate_free(e);
}

static void bad_input(void **state) {
  (void)state;
  ls_evaluation *e = NULL;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_evaluate_texts(truth, "t", "{\"lines\": [", "r.json", &e, &err), LS_ERR_INPUT);
  assert_string_equal(err.file, "r.json");
  assert_int_equal(ls_evaluate_texts(truth, "t", "{\"lines\": 3}", "r.json", &e, &err), LS_ERR_INPUT);
  assert_non_null(strstr(err.message, "lines"));
  assert_int_equal(ls_evaluate_texts(truth, "t", "{\"lines\": [{\"numbers\": [1]}]}", "r.json", &e, &err),
                   LS_ERR_INPUT);
  assert_null(e);
  assert_int_equal(ls_evaluate_files("/nonexistent/truth.json", "/nonexistent/r.json", &e, &err), LS_ERR_IO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scores_each_task),
      cmocka_unit_test(perfect_and_empty),
      cmocka_unit_test(bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
