/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Forward-only schema migrations. Each module owns one or more entries; a
 * migration is applied once, in its own transaction, and recorded in
 * schema_version. Never edit a migration that has landed: add a new one.
 * SQL here must be portable between SQLite and PostgreSQL (INTEGER/BIGINT,
 * TEXT, DOUBLE PRECISION, BLOB is mapped by the backend). */
#include <string.h>

#include "linesight/ls_time.h"
#include "store_internal.h"

/* Each module's migrations live in src/store/schema_<module>.c; list them
 * here. Versions are global and strictly increasing across modules:
 * 1-99 ingest, 100-199 operations, 200-299 server/audit, 300-399 messaging,
 * 400-499 analysis results, 500-599 intelligence items. */
static const struct {
  const ls__migration *list;
  const size_t *count;
} modules[] = {
    {ls__schema_ingest, &ls__schema_ingest_count},
    {ls__schema_server, &ls__schema_server_count},
    {ls__schema_ops, &ls__schema_ops_count},
    {ls__schema_analysis, &ls__schema_analysis_count},
    {ls__schema_messaging, &ls__schema_messaging_count},
    {ls__schema_intel, &ls__schema_intel_count},
};

static ls_status current_version(ls_store *st, int *version, ls_error *err) {
  ls_status rc = ls_store_exec(st,
                               "CREATE TABLE IF NOT EXISTS schema_version ("
                               " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                               err);
  if (rc)
    return rc;
  int64_t v = 0;
  rc = ls_store_query_int64(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &v, err);
  *version = (int)v;
  return rc;
}

static ls_status apply(ls_store *st, const ls__migration *m, ls_error *err) {
  ls_stmt *ins = NULL;
  ls_status rc = ls_store_exec(st, m->sql, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO schema_version(version, name, applied_at)"
                         " VALUES (?, ?, ?)",
                         &ins, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(ins, 1, m->version);
    char now[LS_ISO_MAX];
    ls_time_format_utc(ls_time_now(), now);
    ls_stmt_bind_text(ins, 2, m->name, strlen(m->name));
    ls_stmt_bind_text(ins, 3, now, strlen(now));
    rc = ls_stmt_step(ins, err);
    if (rc == LS_DONE)
      rc = LS_OK;
  }
  ls_stmt_finalize(ins);
  return rc;
}

ls_status ls__store_migrate(ls_store *st, ls_error *err) {
  /* IMMEDIATE takes the write lock before reading the version, so two
   * processes opening a new store at once cannot both apply a migration. */
  ls_status rc = ls_store_exec(st, "BEGIN IMMEDIATE", err);
  if (rc)
    return rc;
  st->in_tx = 1;
  int version = 0;
  rc = current_version(st, &version, err);
  /* Apply in global version order, whichever module a migration belongs to,
   * every migration not recorded yet: a module whose range lies below one
   * already applied (messaging's 300 arriving after analysis's 400) still
   * gets its tables on an existing store. */
  int last = 0;
  for (;;) {
    const ls__migration *next = NULL;
    for (size_t m = 0; m < sizeof modules / sizeof modules[0]; m++)
      for (size_t i = 0; i < *modules[m].count; i++) {
        const ls__migration *cand = &modules[m].list[i];
        if (cand->version > last && (!next || cand->version < next->version))
          next = cand;
      }
    if (!next || rc != LS_OK)
      break;
    last = next->version;
    int64_t done = 0;
    if (next->version <= version) {
      ls_stmt *q = NULL;
      rc = ls_stmt_prepare(st, "SELECT COUNT(*) FROM schema_version WHERE version = ?", &q, err);
      if (rc == LS_OK) {
        ls_stmt_bind_int64(q, 1, next->version);
        rc = ls_stmt_step(q, err);
        if (rc == LS_ROW) {
          done = ls_stmt_int64(q, 0);
          rc = LS_OK;
        }
      }
      ls_stmt_finalize(q);
    }
    if (rc == LS_OK && !done)
      rc = apply(st, next, err);
    if (rc == LS_OK && next->version > version)
      version = next->version;
  }
  if (rc) {
    ls_store_rollback(st);
    return rc;
  }
  st->schema_version = version;
  return ls_store_commit(st, err);
}
