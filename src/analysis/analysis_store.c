/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saved analysis results (table analysis_runs, src/store/schema_analysis.c):
 * `linesight analyse` on a store saves each run; the server serves the
 * latest. The result is kept whole as JSON because its keys are the
 * contract (DESIGN.md s.6) and readers want it whole. */
#include <stdio.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "linesight/ls_time.h"
#include "analysis_internal.h"

/* One INSERT in a transaction. O(size of json). */
ls_status ls_analysis_save(ls_store *st, const char *json, int64_t *id, ls_error *err) {
  ls_stmt *ins = NULL;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  ls_status rc = ls_store_begin(st, err);
  if (rc)
    return rc;
  rc = ls_stmt_prepare(st, "INSERT INTO analysis_runs(id, created, json) VALUES ("
                       "(SELECT COALESCE(MAX(id), 0) + 1 FROM analysis_runs), ?, ?)",
                       &ins, err);
  if (rc)
    goto out;
  ls_stmt_bind_text(ins, 1, now, strlen(now));
  ls_stmt_bind_text(ins, 2, json, strlen(json));
  rc = ls_stmt_step(ins, err);
  if (rc == LS_DONE || rc == LS_ROW)
    rc = LS_OK;
  if (rc)
    goto out;
  if (id)
    rc = ls_store_query_int64(st, "SELECT MAX(id) FROM analysis_runs", id, err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
out:
  ls_stmt_finalize(ins);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

/* One indexed lookup. O(size of json). */
ls_status ls_analysis_load_latest(ls_store *st, char **json, int64_t *id, char created[32], ls_error *err) {
  ls_stmt *q = NULL;
  *json = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT id, created, json FROM analysis_runs ORDER BY id DESC LIMIT 1", &q, err);
  if (rc)
    return rc;
  rc = ls_stmt_step(q, err);
  if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no analysis has been saved in this store; run linesight analyse");
  } else if (rc == LS_ROW) {
    rc = LS_OK;
    if (id)
      *id = ls_stmt_int64(q, 0);
    if (created)
      snprintf(created, 32, "%s", ls_stmt_text(q, 1));
    *json = ls_strdup(ls_stmt_text(q, 2));
    if (!*json)
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory loading the analysis");
  }
  ls_stmt_finalize(q);
  return rc;
}
