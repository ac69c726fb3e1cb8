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

/* ---- sources of facts ------------------------------------------------------ */

static char **source_slot(ls_analysis_sources *src, ls_file_kind kind) {
  switch (kind) {
  case LS_KIND_EVENTS: return &src->events;
  case LS_KIND_CELLS: return &src->cells;
  case LS_KIND_PERSONS: return &src->persons;
  case LS_KIND_ATTRIBUTIONS: return &src->attributions;
  case LS_KIND_ADDRESSES: return &src->addresses;
  default: return NULL;
  }
}

/* O(length of the list). */
ls_status ls_analysis_sources_add(ls_analysis_sources *src, ls_file_kind kind, const char *name) {
  char **slot = source_slot(src, kind);
  if (!slot)
    return LS_OK;
  if (*slot) { /* already listed (the same file twice): keep one */
    size_t n = strlen(name);
    for (const char *p = *slot; (p = strstr(p, name)) != NULL; p += n)
      if ((p == *slot || (p - *slot >= 2 && p[-2] == ',')) && (p[n] == '\0' || p[n] == ','))
        return LS_OK;
  }
  size_t old = *slot ? strlen(*slot) : 0, len = old + strlen(name) + 3;
  char *s = ls_malloc(len);
  if (!s)
    return LS_ERR_NOMEM;
  snprintf(s, len, "%s%s%s", *slot ? *slot : "", *slot ? ", " : "", name);
  ls_free(*slot);
  *slot = s;
  return LS_OK;
}

void ls_analysis_sources_free(ls_analysis_sources *src) {
  if (!src)
    return;
  ls_free(src->events);
  ls_free(src->cells);
  ls_free(src->persons);
  ls_free(src->attributions);
  ls_free(src->addresses);
  memset(src, 0, sizeof *src);
}

/* One query over the datasets table. O(datasets). */
ls_status ls_analysis_sources_load(ls_store *st, ls_analysis_sources *src, ls_error *err) {
  static const struct {
    const char *name;
    ls_file_kind kind;
  } kinds[] = {{"events", LS_KIND_EVENTS},
               {"cells", LS_KIND_CELLS},
               {"persons", LS_KIND_PERSONS},
               {"attributions", LS_KIND_ATTRIBUTIONS},
               {"addresses", LS_KIND_ADDRESSES}};
  ls_stmt *q = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT kind, file_name, id FROM datasets ORDER BY id", &q, err);
  if (rc)
    return rc;
  while ((rc = ls_stmt_step(q, err)) == LS_ROW) {
    const char *kind = ls_stmt_text(q, 0), *file = ls_stmt_text(q, 1);
    char name[600];
    snprintf(name, sizeof name, "%s (dataset %lld)", file ? file : "?", (long long)ls_stmt_int64(q, 2));
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
      if (!strcmp(kind, kinds[i].name) && ls_analysis_sources_add(src, kinds[i].kind, name)) {
        ls_stmt_finalize(q);
        return LS_FAIL(err, LS_ERR_NOMEM, "out of memory listing datasets");
      }
  }
  ls_stmt_finalize(q);
  return rc == LS_DONE ? LS_OK : rc;
}
