/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Forward-only schema migrations. Each module owns one or more entries; a
 * migration is applied once, in its own transaction, and recorded in
 * schema_version. Never edit a migration that has landed: add a new one.
 * SQL here must be portable between SQLite and PostgreSQL (INTEGER/BIGINT,
 * TEXT, DOUBLE PRECISION, BLOB is mapped by the backend). */
#include <string.h>

#include "linesight/ls_time.h"
#include "store_internal.h"

typedef struct migration {
  int version;
  const char *name;
  const char *sql;
} migration;

static const migration migrations[] = {
    {1, "datasets and provenance",
     "CREATE TABLE datasets ("
     " id INTEGER PRIMARY KEY,"
     " file_name TEXT NOT NULL,"
     " sha256 TEXT NOT NULL UNIQUE,"
     " kind TEXT NOT NULL,"
     " format TEXT NOT NULL,"
     " rows_read BIGINT NOT NULL,"
     " rows_stored BIGINT NOT NULL,"
     " rows_duplicate BIGINT NOT NULL,"
     " rows_rejected BIGINT NOT NULL,"
     " quarantine_file TEXT,"
     " ingested_at TEXT NOT NULL);"},
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

static ls_status apply(ls_store *st, const migration *m, ls_error *err) {
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
  for (size_t i = 0; rc == LS_OK && i < sizeof migrations / sizeof migrations[0]; i++) {
    if (migrations[i].version > version) {
      rc = apply(st, &migrations[i], err);
      if (rc == LS_OK)
        version = migrations[i].version;
    }
  }
  if (rc) {
    ls_store_rollback(st);
    return rc;
  }
  st->schema_version = version;
  return ls_store_commit(st, err);
}
