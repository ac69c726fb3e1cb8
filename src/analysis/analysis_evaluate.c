/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight evaluate`: scores a result JSON against truth.json. Each task
 * is one function in the table at the end of this file; a new task (cuckoo
 * addresses, juvenile runners, ...) is one more function and one more row. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "linesight/ls_evaluate.h"
#include "linesight/ls_ingest.h"

#define MAX_TASKS 16

typedef struct fp_kind {
  char *kind;
  char **numbers;
  size_t n;
} fp_kind;

struct ls_evaluation {
  ls_eval_score tasks[MAX_TASKS];
  size_t n_tasks;
  fp_kind *fps; /* false-positive deal numbers by decoy kind, "other" last */
  size_t n_fps;
  size_t decoys_detected;
};

/* The parsed inputs a task reads. */
typedef struct eval_input {
  const json_t *truth, *result;
  const char *truth_name, *result_name;
} eval_input;

/* ---- number sets ---------------------------------------------------------- */

/* A set of normalised numbers with a tag per number (a line index). */
typedef struct numset {
  ls_dict d;
  long *tag; /* [d.count] */
  size_t cap;
} numset;

static void set_init(numset *s) {
  ls_dict_init(&s->d);
  s->tag = NULL;
  s->cap = 0;
}

static void set_free(numset *s) {
  ls_dict_free(&s->d);
  ls_free(s->tag);
}

/* E.164 form of a number as written; a text that is not a phone number is
 * kept as it is (it can still match itself). */
static void normalise(const char *in, char out[LS_E164_MAX + 64]) {
  if (ls_phone_normalise(in, strlen(in), out, NULL) != LS_OK)
    snprintf(out, LS_E164_MAX + 64, "%s", in);
}

/* Adds a number (first tag wins). O(1) expected. */
static ls_status set_add(numset *s, const char *num, long tag) {
  char norm[LS_E164_MAX + 64];
  normalise(num, norm);
  uint32_t id;
  ls_status rc = ls_dict_intern(&s->d, norm, strlen(norm), &id);
  if (rc)
    return rc;
  if (id >= s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    while (cap <= id)
      cap *= 2;
    long *t = ls_reallocarray(s->tag, cap, sizeof *t);
    if (!t)
      return LS_ERR_NOMEM;
    s->tag = t;
    s->cap = cap;
    s->tag[id] = tag;
  } else if (id + 1 == s->d.count) {
    s->tag[id] = tag;
  }
  return LS_OK;
}

/* Tag of a number or -2 when absent. */
static long set_tag(const numset *s, const char *num) {
  char norm[LS_E164_MAX + 64];
  normalise(num, norm);
  uint32_t id;
  if (ls_dict_find(&s->d, norm, strlen(norm), &id) != LS_OK)
    return -2;
  return s->tag[id];
}

/* Collects lines[i][key] (arrays of strings) of a document into s, tagged by
 * line index. Missing `lines` or a non-array key is an input error. O(n). */
static ls_status collect(const json_t *doc, const char *doc_name, const char *key, numset *s, ls_error *err) {
  const json_t *lines = json_object_get(doc, "lines");
  if (!json_is_array(lines))
    return ls_error_set(err, LS_ERR_INPUT, doc_name, 0, 0, "\"lines\" missing or not an array");
  size_t i;
  const json_t *line;
  json_array_foreach(lines, i, line) {
    const json_t *arr = json_object_get(line, key);
    if (!arr)
      continue; /* a line without holders found, for example */
    if (!json_is_array(arr))
      return ls_error_set(err, LS_ERR_INPUT, doc_name, 0, 0, "lines[%zu].%s is not an array", i, key);
    size_t j;
    const json_t *v;
    json_array_foreach(arr, j, v) {
      if (!json_is_string(v))
        return ls_error_set(err, LS_ERR_INPUT, doc_name, 0, 0, "lines[%zu].%s[%zu] is not a string", i, key, j);
      if (set_add(s, json_string_value(v), (long)i))
        return LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
    }
  }
  return LS_OK;
}

static double ratio1(double num, double den) { return den > 0 ? num / den : 1.0; }

static ls_eval_score *new_task(ls_evaluation *e, const char *name) {
  ls_eval_score *t = &e->tasks[e->n_tasks++];
  memset(t, 0, sizeof *t);
  t->task = name;
  return t;
}

static void finish(ls_eval_score *t, double tp, double pred, double real) {
  t->precision = ratio1(tp, pred);
  t->recall = ratio1(tp, real);
  t->f1 = t->precision + t->recall > 0 ? 2 * t->precision * t->recall / (t->precision + t->recall) : 0.0;
}

/* Set precision/recall of lines[].key. O(T + R). */
static ls_status score_sets(ls_evaluation *e, const eval_input *in, const char *task, const char *key,
                            ls_error *err) {
  numset truth, pred;
  set_init(&truth);
  set_init(&pred);
  ls_status rc = collect(in->truth, in->truth_name, key, &truth, err);
  if (rc == LS_OK)
    rc = collect(in->result, in->result_name, key, &pred, err);
  if (rc == LS_OK) {
    ls_eval_score *t = new_task(e, task);
    for (uint32_t i = 0; i < pred.d.count; i++) {
      uint32_t id;
      const char *s = ls_dict_str(&pred.d, i);
      if (ls_dict_find(&truth.d, s, strlen(s), &id) == LS_OK)
        t->tp++;
      else
        t->fp++;
    }
    t->fn = truth.d.count - t->tp;
    finish(t, (double)t->tp, (double)pred.d.count, (double)truth.d.count);
  }
  set_free(&truth);
  set_free(&pred);
  return rc;
}

/* ---- tasks ------------------------------------------------------------------ */

static ls_status task_deal_numbers(ls_evaluation *e, const eval_input *in, ls_error *err) {
  return score_sets(e, in, "deal_numbers", "numbers", err);
}

static ls_status task_holders(ls_evaluation *e, const eval_input *in, ls_error *err) {
  return score_sets(e, in, "holders", "holders", err);
}

static ls_status task_runners(ls_evaluation *e, const eval_input *in, ls_error *err) {
  return score_sets(e, in, "runners", "runners", err);
}

static int cmp_long(const void *x, const void *y) {
  long a = *(const long *)x, b = *(const long *)y;
  return (a > b) - (a < b);
}

/* Pairs among true deal numbers: same line in truth vs same line in the
 * result, counted from the contingency table of (truth line, result line).
 * O(T log T). */
static ls_status task_line_grouping(ls_evaluation *e, const eval_input *in, ls_error *err) {
  numset truth, pred;
  set_init(&truth);
  set_init(&pred);
  long *cell = NULL, *tl = NULL, *pl = NULL;
  ls_status rc = collect(in->truth, in->truth_name, "numbers", &truth, err);
  if (rc == LS_OK)
    rc = collect(in->result, in->result_name, "numbers", &pred, err);
  if (rc)
    goto out;
  size_t n = truth.d.count;
  cell = ls_malloc((n + 1) * sizeof *cell);
  tl = ls_malloc((n + 1) * sizeof *tl);
  pl = ls_malloc((n + 1) * sizeof *pl);
  if (!cell || !tl || !pl) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
    goto out;
  }
  /* (truth line, result line) packed in one long; an undetected number gets
   * a result line of its own that no other number shares */
  long n_true_lines = 0;
  for (size_t i = 0; i < n; i++)
    if (truth.tag[i] + 1 > n_true_lines)
      n_true_lines = truth.tag[i] + 1;
  for (size_t i = 0; i < n; i++) {
    long p = set_tag(&pred, ls_dict_str(&truth.d, (uint32_t)i));
    tl[i] = truth.tag[i];
    pl[i] = p >= 0 ? p : -1 - (long)i;
    cell[i] = pl[i];
  }
  double same_true = 0, same_pred = 0, same_both = 0;
  /* pairs in the same result line */
  ls_qsort(cell, n, sizeof *cell, cmp_long);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && cell[j] == cell[i])
      j++;
    same_pred += (double)(j - i) * (double)(j - i - 1) / 2;
    i = j;
  }
  for (size_t i = 0; i < n; i++)
    cell[i] = tl[i];
  ls_qsort(cell, n, sizeof *cell, cmp_long);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && cell[j] == cell[i])
      j++;
    same_true += (double)(j - i) * (double)(j - i - 1) / 2;
    i = j;
  }
  /* pairs in the same cell: sort by (truth, result) through a combined key.
   * pl + n lies in [0, width): result line indices run past n when the
   * result has more lines than truth has numbers, so the width is taken
   * from them (a fixed 2n + 3 let two cells share a key and counted pairs
   * twice; found by fuzzing). */
  long p_max = 0;
  for (size_t i = 0; i < n; i++)
    if (pl[i] > p_max)
      p_max = pl[i];
  long width = p_max + (long)n + 1;
  for (size_t i = 0; i < n; i++)
    cell[i] = tl[i] * width + (pl[i] + (long)n);
  ls_qsort(cell, n, sizeof *cell, cmp_long);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && cell[j] == cell[i])
      j++;
    same_both += (double)(j - i) * (double)(j - i - 1) / 2;
    i = j;
  }
  ls_eval_score *t = new_task(e, "line_grouping");
  t->tp = (uint64_t)same_both;
  t->fp = (uint64_t)(same_pred - same_both);
  t->fn = (uint64_t)(same_true - same_both);
  finish(t, same_both, same_pred, same_true);
out:
  ls_free(cell);
  ls_free(tl);
  ls_free(pl);
  set_free(&truth);
  set_free(&pred);
  return rc;
}

static ls_status fp_add(ls_evaluation *e, const char *kind, const char *num) {
  size_t k = 0;
  while (k < e->n_fps && strcmp(e->fps[k].kind, kind))
    k++;
  if (k == e->n_fps) {
    fp_kind *p = ls_reallocarray(e->fps, e->n_fps + 1, sizeof *p);
    if (!p)
      return LS_ERR_NOMEM;
    e->fps = p;
    memset(&p[k], 0, sizeof p[k]);
    p[k].kind = ls_strdup(kind);
    if (!p[k].kind)
      return LS_ERR_NOMEM;
    e->n_fps++;
  }
  char **q = ls_reallocarray(e->fps[k].numbers, e->fps[k].n + 1, sizeof *q);
  if (!q)
    return LS_ERR_NOMEM;
  e->fps[k].numbers = q;
  q[e->fps[k].n] = ls_strdup(num);
  if (!q[e->fps[k].n])
    return LS_ERR_NOMEM;
  e->fps[k].n++;
  return LS_OK;
}

/* Detected deal numbers that are not true deal numbers, by the decoy kind
 * truth gives them, else by their true role, else "other". O(T + R). */
static ls_status task_false_positives(ls_evaluation *e, const eval_input *in, ls_error *err) {
  numset truth, pred, decoys, roles;
  set_init(&truth);
  set_init(&pred);
  set_init(&decoys);
  set_init(&roles);
  const char *kinds[64];
  size_t n_kinds = 0;
  ls_status rc = collect(in->truth, in->truth_name, "numbers", &truth, err);
  if (rc == LS_OK)
    rc = collect(in->result, in->result_name, "numbers", &pred, err);
  static const char *const role_keys[] = {"holders", "runners", "customers"};
  for (size_t r = 0; r < 3 && rc == LS_OK; r++) {
    numset tmp;
    set_init(&tmp);
    rc = collect(in->truth, in->truth_name, role_keys[r], &tmp, err);
    for (uint32_t i = 0; rc == LS_OK && i < tmp.d.count; i++)
      if (set_add(&roles, ls_dict_str(&tmp.d, i), (long)r))
        rc = LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
    set_free(&tmp);
  }
  const json_t *dec = json_object_get(in->truth, "decoys");
  if (rc == LS_OK && dec && !json_is_object(dec))
    rc = ls_error_set(err, LS_ERR_INPUT, in->truth_name, 0, 0, "\"decoys\" is not an object");
  const char *kind;
  const json_t *list;
  if (rc == LS_OK && dec)
    json_object_foreach((json_t *)dec, kind, list) {
      if (!json_is_array(list) || n_kinds == 64)
        continue;
      kinds[n_kinds] = kind;
      size_t j;
      const json_t *v;
      json_array_foreach(list, j, v)
        if (json_is_string(v) && set_add(&decoys, json_string_value(v), (long)n_kinds))
          rc = LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
      n_kinds++;
    }
  for (uint32_t i = 0; rc == LS_OK && i < pred.d.count; i++) {
    const char *num = ls_dict_str(&pred.d, i);
    if (set_tag(&truth, num) >= 0)
      continue;
    long dk = set_tag(&decoys, num), role = set_tag(&roles, num);
    const char *k = dk >= 0 ? kinds[dk] : role >= 0 ? (const char *[]){"holder", "runner", "customer"}[role]
                                                    : "other";
    if (dk >= 0)
      e->decoys_detected++;
    if (fp_add(e, k, num))
      rc = LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
  }
  set_free(&truth);
  set_free(&pred);
  set_free(&decoys);
  set_free(&roles);
  return rc;
}

/* Adds the strings of arr (an array of strings, or of objects whose `key`
 * is a string) to s. A missing arr is empty; anything else is an input
 * error naming `what`. O(n). */
static ls_status collect_array(const json_t *arr, const char *key, const char *doc_name, const char *what,
                               numset *s, ls_error *err) {
  if (!arr)
    return LS_OK;
  if (!json_is_array(arr))
    return ls_error_set(err, LS_ERR_INPUT, doc_name, 0, 0, "%s is not an array", what);
  size_t j;
  const json_t *v;
  json_array_foreach(arr, j, v) {
    const json_t *str = key && json_is_object(v) ? json_object_get(v, key) : v;
    if (!json_is_string(str))
      return ls_error_set(err, LS_ERR_INPUT, doc_name, 0, 0, "%s[%zu]%s%s is not a string", what, j, key ? "." : "",
                          key ? key : "");
    if (set_add(s, json_string_value(str), 0))
      return LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
  }
  return LS_OK;
}

/* Precision and recall of two sets. O(T + R). */
static void score_two(ls_evaluation *e, const char *task, const numset *truth, const numset *pred) {
  ls_eval_score *t = new_task(e, task);
  for (uint32_t i = 0; i < pred->d.count; i++) {
    uint32_t id;
    const char *s = ls_dict_str(&pred->d, i);
    if (ls_dict_find(&truth->d, s, strlen(s), &id) == LS_OK)
      t->tp++;
    else
      t->fp++;
  }
  t->fn = truth->d.count - t->tp;
  finish(t, (double)t->tp, (double)pred->d.count, (double)truth->d.count);
}

/* Cuckooed addresses: truth lines[].cuckoo_addresses (address ids) against
 * the result's cuckoo_addresses[].address, as sets over all lines. A truth
 * without the key (an older simulator) scores nothing. O(T + R). */
static ls_status task_cuckoo_addresses(ls_evaluation *e, const eval_input *in, ls_error *err) {
  numset truth, pred;
  set_init(&truth);
  set_init(&pred);
  ls_status rc = collect(in->truth, in->truth_name, "cuckoo_addresses", &truth, err);
  if (rc == LS_OK)
    rc = collect_array(json_object_get(in->result, "cuckoo_addresses"), "address", in->result_name,
                       "cuckoo_addresses", &pred, err);
  if (rc == LS_OK)
    score_two(e, "cuckoo_addresses", &truth, &pred);
  set_free(&truth);
  set_free(&pred);
  return rc;
}

/* Juvenile runners: truth's top-level juvenile_runners against the result's
 * lines[].juvenile_runners. O(T + R). */
static ls_status task_juvenile_runners(ls_evaluation *e, const eval_input *in, ls_error *err) {
  numset truth, pred;
  set_init(&truth);
  set_init(&pred);
  ls_status rc = collect_array(json_object_get(in->truth, "juvenile_runners"), NULL, in->truth_name,
                               "juvenile_runners", &truth, err);
  if (rc == LS_OK)
    rc = collect(in->result, in->result_name, "juvenile_runners", &pred, err);
  if (rc == LS_OK)
    score_two(e, "juvenile_runners", &truth, &pred);
  set_free(&truth);
  set_free(&pred);
  return rc;
}

typedef ls_status (*task_fn)(ls_evaluation *e, const eval_input *in, ls_error *err);

static const task_fn tasks[] = {
    task_deal_numbers, task_line_grouping,    task_holders,          task_runners,
    task_cuckoo_addresses, task_juvenile_runners, task_false_positives,
};

/* ---- entry points ------------------------------------------------------------ */

static ls_status parse(const char *text, const char *name, json_t **out, ls_error *err) {
  json_error_t je;
  *out = json_loads(text, 0, &je);
  if (!*out)
    return ls_error_set(err, LS_ERR_INPUT, name, je.line, je.column, "not valid JSON: %s", je.text);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    return ls_error_set(err, LS_ERR_INPUT, name, 0, 0, "not a JSON object");
  }
  return LS_OK;
}

ls_status ls_evaluate_texts(const char *truth, const char *truth_name, const char *result,
                            const char *result_name, ls_evaluation **out, ls_error *err) {
  *out = NULL;
  json_t *tj = NULL, *rj = NULL;
  ls_status rc = parse(truth, truth_name, &tj, err);
  if (rc == LS_OK)
    rc = parse(result, result_name, &rj, err);
  ls_evaluation *e = rc ? NULL : ls_calloc(1, sizeof *e);
  if (rc == LS_OK && !e)
    rc = LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
  eval_input in = {tj, rj, truth_name, result_name};
  for (size_t i = 0; rc == LS_OK && i < sizeof tasks / sizeof tasks[0]; i++)
    rc = tasks[i](e, &in, err);
  json_decref(tj);
  json_decref(rj);
  if (rc) {
    ls_evaluate_free(e);
    return rc;
  }
  *out = e;
  return LS_OK;
}

static ls_status slurp(const char *path, char **text, ls_error *err) {
  json_error_t je;
  /* read through jansson to get line/column of syntax errors right */
  json_t *j = json_load_file(path, 0, &je);
  if (!j) {
    FILE *f = fopen(path, "r");
    if (!f)
      return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open");
    fclose(f);
    return ls_error_set(err, LS_ERR_INPUT, path, je.line, je.column, "not valid JSON: %s", je.text);
  }
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
  *text = s;
  return LS_OK;
}

ls_status ls_evaluate_files(const char *truth_path, const char *result_path, ls_evaluation **out,
                            ls_error *err) {
  char *t = NULL, *r = NULL;
  *out = NULL;
  ls_status rc = slurp(truth_path, &t, err);
  if (rc == LS_OK)
    rc = slurp(result_path, &r, err);
  if (rc == LS_OK)
    rc = ls_evaluate_texts(t, truth_path, r, result_path, out, err);
  free(t);
  free(r);
  return rc;
}

void ls_evaluate_free(ls_evaluation *e) {
  if (!e)
    return;
  for (size_t k = 0; k < e->n_fps; k++) {
    for (size_t i = 0; i < e->fps[k].n; i++)
      ls_free(e->fps[k].numbers[i]);
    ls_free(e->fps[k].numbers);
    ls_free(e->fps[k].kind);
  }
  ls_free(e->fps);
  ls_free(e);
}

size_t ls_evaluate_task_count(const ls_evaluation *e) { return e->n_tasks; }
const ls_eval_score *ls_evaluate_task(const ls_evaluation *e, size_t i) {
  return i < e->n_tasks ? &e->tasks[i] : NULL;
}
const ls_eval_score *ls_evaluate_find(const ls_evaluation *e, const char *task) {
  for (size_t i = 0; i < e->n_tasks; i++)
    if (!strcmp(e->tasks[i].task, task))
      return &e->tasks[i];
  return NULL;
}
size_t ls_evaluate_decoys_detected(const ls_evaluation *e) { return e->decoys_detected; }

ls_status ls_evaluate_json(const ls_evaluation *e, char **text, ls_error *err) {
  *text = NULL;
  json_t *root = json_object(), *fps = json_object();
  if (!root || !fps)
    goto nomem;
  for (size_t i = 0; i < e->n_tasks; i++) {
    const ls_eval_score *t = &e->tasks[i];
    json_t *o = json_pack("{s:f, s:f, s:f, s:I, s:I, s:I}", "precision", t->precision, "recall", t->recall, "f1",
                          t->f1, "tp", (json_int_t)t->tp, "fp", (json_int_t)t->fp, "fn", (json_int_t)t->fn);
    if (!o || json_object_set_new(root, t->task, o))
      goto nomem;
  }
  for (size_t k = 0; k < e->n_fps; k++) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < e->fps[k].n; i++)
      json_array_append_new(arr, json_string(e->fps[k].numbers[i]));
    if (!arr || json_object_set_new(fps, e->fps[k].kind, arr))
      goto nomem;
  }
  json_object_set_new(root, "false_positives", fps);
  fps = NULL;
  json_object_set_new(root, "decoys_detected", json_integer((json_int_t)e->decoys_detected));
  char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
  *text = ls_strdup(s);
  free(s);
  return *text ? LS_OK : LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
nomem:
  json_decref(root);
  json_decref(fps);
  return LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
}

ls_status ls_evaluate_text(const ls_evaluation *e, char **text, ls_error *err) {
  size_t cap = 1024 + 96 * e->n_tasks;
  for (size_t k = 0; k < e->n_fps; k++)
    cap += 64 + 24 * e->fps[k].n;
  char *s = ls_malloc(cap);
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "evaluate: out of memory");
  size_t n = 0;
  n += (size_t)snprintf(s + n, cap - n, "%-16s %9s %9s %9s %7s %7s %7s\n", "task", "precision", "recall", "F1",
                        "tp", "fp", "fn");
  for (size_t i = 0; i < e->n_tasks; i++) {
    const ls_eval_score *t = &e->tasks[i];
    n += (size_t)snprintf(s + n, cap - n, "%-16s %9.3f %9.3f %9.3f %7llu %7llu %7llu\n", t->task, t->precision,
                          t->recall, t->f1, (unsigned long long)t->tp, (unsigned long long)t->fp,
                          (unsigned long long)t->fn);
  }
  n += (size_t)snprintf(s + n, cap - n, "decoys among detected deal numbers: %zu\n", e->decoys_detected);
  for (size_t k = 0; k < e->n_fps; k++) {
    n += (size_t)snprintf(s + n, cap - n, "false positives (%s, %zu):", e->fps[k].kind, e->fps[k].n);
    for (size_t i = 0; i < e->fps[k].n; i++)
      n += (size_t)snprintf(s + n, cap - n, " %s", e->fps[k].numbers[i]);
    n += (size_t)snprintf(s + n, cap - n, "\n");
  }
  *text = s;
  return LS_OK;
}

void ls_evaluate_text_free(char *text) { ls_free(text); }
