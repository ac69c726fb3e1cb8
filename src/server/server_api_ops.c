/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weeks of action over HTTP: the list, an operation's totals (DESIGN.md
 * s.7 keys, from ls_ops), and entry of result records. A force sees and
 * records its own results; a national user sees every force's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linesight/ls_analysis.h"
#include "linesight/ls_ops.h"
#include "linesight/ls_store_events.h"
#include "server_internal.h"

/* Records in one POST: a week of action for one force is a few hundred
 * rows; bigger batches are files for `linesight results import`. */
#define RECORDS_MAX 5000
#define FIELD_TEXT_MAX 1024

static int force_in(const ls_ops_operation *op, const char *force) {
  for (size_t i = 0; i < op->nforces; i++)
    if (!strcasecmp(op->forces[i], force))
      return 1;
  return 0;
}

void ls__api_operations(ls__request *rq, ls__response *rs) {
  ls_ops_operation *ops = NULL;
  size_t n = 0;
  ls_error err;
  ls_error_clear(&err);
  if (ls_ops_operations_list(rq->st, &ops, &n, &err)) {
    ls__server_fail(rs, &err);
    return;
  }
  const ls_auth_user *u = &rq->session->user;
  int national = ls_auth_is_national(u);
  json_t *list = json_array();
  for (size_t i = 0; list && i < n; i++) {
    if (!national && !force_in(&ops[i], u->force))
      continue;
    json_t *forces = json_array();
    for (size_t f = 0; forces && f < ops[i].nforces; f++)
      if (national || !strcasecmp(ops[i].forces[f], u->force))
        json_array_append_new(forces, json_string(ops[i].forces[f]));
    json_t *o = json_pack("{s:s, s:o, s:s, s:s}", "name", ops[i].name, "forces", forces, "first_date",
                          ops[i].first_date, "last_date", ops[i].last_date);
    /* a force user's record count would include other forces' records */
    if (o && national)
      json_object_set_new(o, "records", json_integer((json_int_t)ops[i].records));
    json_array_append_new(list, o);
  }
  ls_ops_operations_free(ops, n);
  ls__server_json(rs, 200, list ? json_pack("{s:o}", "operations", list) : NULL);
}

void ls__api_operation_report(ls__request *rq, ls__response *rs) {
  const ls_auth_user *u = &rq->session->user;
  ls_ops_scope scope = {.operation = rq->params[0]};
  const char *force = ls__server_query(rq, "force");
  const char *nat = ls__server_query(rq, "national");
  if (ls_auth_is_national(u)) {
    scope.force = force && *force ? force : NULL;
    scope.national = nat && !strcmp(nat, "1") && !scope.force;
  } else {
    /* a force's users get their force's totals, whatever they ask for */
    if (force && *force && strcasecmp(force, u->force)) {
      ls__server_error(rs, 404, "no such operation");
      return;
    }
    scope.force = u->force;
  }
  ls_ops_report *r = NULL;
  char *text = NULL;
  size_t len = 0;
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = ls_ops_report_build(rq->st, &scope, &r, &err);
  if (rc == LS_OK)
    rc = ls_ops_report_render(r, LS_OPS_FORMAT_JSON, &text, &len, &err);
  ls_ops_report_free(r);
  if (rc == LS_ERR_NOTFOUND) {
    ls__server_error(rs, 404, "no such operation");
  } else if (rc) {
    ls__server_fail(rs, &err);
  } else {
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    ls__server_json(rs, 200, j);
  }
  ls_ops_free(text);
}

/* The text of one JSON value as a CSV cell would hold it. */
static int cell_text(json_t *v, char *out, size_t cap) {
  int n;
  if (json_is_null(v))
    n = snprintf(out, cap, "%s", "");
  else if (json_is_string(v))
    n = snprintf(out, cap, "%s", json_string_value(v));
  else if (json_is_integer(v))
    n = snprintf(out, cap, "%lld", (long long)json_integer_value(v));
  else if (json_is_real(v))
    n = snprintf(out, cap, "%.15g", json_real_value(v)); /* 12.5, not 12.5000000001 */
  else if (json_is_boolean(v))
    n = snprintf(out, cap, "%s", json_is_true(v) ? "yes" : "no");
  else
    return -1;
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void ls__api_operation_results_add(ls__request *rq, ls__response *rs) {
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  const ls_auth_user *u = &rq->session->user;
  json_t *records = json_object_get(b, "records");
  ls_ops_record *recs = NULL;
  size_t n = 0;
  char (*cells)[FIELD_TEXT_MAX] = NULL;
  if (!json_is_array(records) || json_array_size(records) == 0 ||
      json_array_size(records) > RECORDS_MAX) {
    ls__server_error(rs, 400, "give \"records\": an array of 1 to %d result records", RECORDS_MAX);
    goto out;
  }
  recs = calloc(json_array_size(records), sizeof *recs);
  cells = malloc(LS_OPS_COLS * sizeof *cells);
  if (!recs || !cells) {
    ls__server_error(rs, 500, "out of memory");
    goto out;
  }
  size_t i;
  json_t *rec;
  json_array_foreach(records, i, rec) {
    if (!json_is_object(rec)) {
      ls__server_error(rs, 400, "record %zu is not an object", i + 1);
      goto out;
    }
    ls_ops_row_text row;
    memset(&row, 0, sizeof row);
    const char *key;
    json_t *val;
    json_object_foreach(rec, key, val) {
      int col = -1;
      for (int c = 0; c < LS_OPS_COLS; c++)
        if (!strcmp(key, ls_ops_column_names[c]))
          col = c;
      if (col < 0) {
        ls__server_error(rs, 400, "record %zu: unknown field '%.64s'", i + 1, key);
        goto out;
      }
      if (cell_text(val, cells[col], FIELD_TEXT_MAX)) {
        ls__server_error(rs, 400, "record %zu: %s must be a short string or a number", i + 1, key);
        goto out;
      }
      row.text[col] = cells[col];
      row.len[col] = strlen(cells[col]);
    }
    /* the operation is the one in the path; the force defaults to the
     * user's, and a force's users record for their own force only */
    if (row.len[LS_OPS_COL_OPERATION] && strcmp(row.text[LS_OPS_COL_OPERATION], rq->params[0])) {
      ls__server_error(rs, 400, "record %zu: operation differs from the one in the path", i + 1);
      goto out;
    }
    row.text[LS_OPS_COL_OPERATION] = rq->params[0];
    row.len[LS_OPS_COL_OPERATION] = strlen(rq->params[0]);
    if (!row.len[LS_OPS_COL_FORCE]) {
      row.text[LS_OPS_COL_FORCE] = u->force;
      row.len[LS_OPS_COL_FORCE] = strlen(u->force);
    } else if (!ls_auth_force_may_see(u, row.text[LS_OPS_COL_FORCE])) {
      ls__server_error(rs, 403, "record %zu: you may record results for your own force only", i + 1);
      goto out;
    }
    int column = 0;
    char reason[LS_OPS_REASON_MAX] = "";
    ls_status rc = ls_ops_record_parse(&row, &recs[n], &column, reason);
    if (rc) {
      ls_ops_record_clear(&recs[n]);
      if (rc == LS_ERR_NOMEM)
        ls__server_error(rs, 500, "out of memory");
      else
        ls__server_json(rs, 400,
                        json_pack("{s:s, s:I, s:s, s:s}", "error", "invalid record", "record",
                                  (json_int_t)(i + 1), "field",
                                  column >= 0 && column < LS_OPS_COLS ? ls_ops_column_names[column] : "",
                                  "reason", reason));
      goto out;
    }
    n++;
  }
  char source[128];
  snprintf(source, sizeof source, "api:%s", u->name);
  ls_error err;
  ls_error_clear(&err);
  if (ls_ops_results_store(rq->st, recs, n, source, &err)) {
    ls__server_fail(rs, &err);
    goto out;
  }
  char rec_id[320], detail[64];
  snprintf(rec_id, sizeof rec_id, "operation:%s", rq->params[0]);
  snprintf(detail, sizeof detail, "%zu result records added", n);
  ls__server_audit(rq, "change", rec_id, detail);
  ls__server_json(rs, 201, json_pack("{s:s, s:I}", "operation", rq->params[0], "stored", (json_int_t)n));
out:
  for (size_t k = 0; recs && k < n; k++)
    ls_ops_record_clear(&recs[k]);
  free(recs);
  free(cells);
  json_decref(b);
}

/* ---- running an analysis ---------------------------------------------------- */

void ls__api_analyse(ls__request *rq, ls__response *rs) {
  ls_events ev;
  ls_refdata rd;
  ls_events_init(&ev);
  ls_refdata_init(&rd);
  ls_analysis *a = NULL;
  char *text = NULL;
  int64_t id = 0;
  ls_error err;
  ls_error_clear(&err);
  ls_analysis_opts opts;
  ls_analysis_opts_init(&opts);
  ls_status rc = ls_store_events_load(rq->st, INT64_MIN, INT64_MAX, &ev, &err);
  if (rc == LS_OK)
    rc = ls_store_refdata_load(rq->st, &rd, &err);
  if (rc == LS_OK) {
    opts.ref = &rd;
    rc = ls_analysis_run(&ev, &opts, &a, &err);
  }
  if (rc == LS_OK)
    rc = ls_analysis_json(a, 0, &text, &err);
  if (rc == LS_OK)
    rc = ls_analysis_save(rq->st, text, &id, &err);
  if (rc) {
    ls__server_fail(rs, &err);
  } else {
    char rec[32];
    snprintf(rec, sizeof rec, "analysis run %lld", (long long)id);
    ls__server_audit(rq, "change", rec, "analysis run from the console");
    ls__server_json(rs, 201, json_pack("{s:I, s:I, s:I}", "run", (json_int_t)id, "events",
                                       (json_int_t)ls_analysis_event_count(a), "lines",
                                       (json_int_t)ls_analysis_line_count(a)));
  }
  ls_analysis_text_free(text);
  ls_analysis_free(a);
  ls_events_free(&ev);
  ls_refdata_free(&rd);
}
