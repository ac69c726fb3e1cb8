/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Front end of the store: picks the backend from the URI and dispatches. */
#include <string.h>

#include "../core/ls_mem.h"
#include "store_internal.h"
#include "store_pg.h"

static int is_postgres_uri(const char *uri) {
  return strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0;
}

ls_status ls_store_open(const char *uri, ls_store **out, ls_error *err) {
  *out = NULL;
  if (!uri || !*uri)
    uri = LS_DEFAULT_DB;
  ls_store *st = ls_calloc(1, sizeof *st);
  if (!st)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory opening the store");
  /* a URI may carry a password: the location shown to people never does */
  st->be = is_postgres_uri(uri) ? &ls__store_pg : &ls__store_sqlite;
  st->location = st->be == &ls__store_pg ? ls__store_pg_redact(uri) : ls_strdup(uri);
  if (!st->location) {
    ls_free(st);
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory opening the store");
  }
  ls_status rc = st->be->open(st, uri, err);
  if (rc == LS_OK)
    rc = ls__store_migrate(st, err);
  if (rc != LS_OK) {
    ls_store_close(st);
    return rc;
  }
  *out = st;
  return LS_OK;
}

void ls_store_close(ls_store *st) {
  if (!st)
    return;
  if (st->in_tx)
    ls_store_rollback(st);
  if (st->impl)
    st->be->close(st);
  ls_free(st->location);
  ls_free(st);
}

const char *ls_store_backend(const ls_store *st) { return st->be->name; }
const char *ls_store_location(const ls_store *st) { return st->location; }
int ls_store_schema_version(const ls_store *st) { return st->schema_version; }

ls_status ls_store_begin(ls_store *st, ls_error *err) {
  if (st->in_tx)
    return LS_FAIL(err, LS_ERR_INTERNAL, "a transaction is already open");
  ls_status rc = st->be->exec(st, "BEGIN", err);
  if (rc == LS_OK) {
    st->in_tx = 1;
    st->tx_failed = 0;
  }
  return rc;
}

ls_status ls_store_commit(ls_store *st, ls_error *err) {
  if (!st->in_tx)
    return LS_FAIL(err, LS_ERR_INTERNAL, "no transaction to commit");
  /* Same behaviour on both backends: PostgreSQL cannot go on after a failed
   * statement, so neither does SQLite; the whole transaction is undone. */
  if (st->tx_failed) {
    ls_store_rollback(st);
    return ls_error_set(err, LS_ERR_DB, st->location, 0, 0,
                        "transaction rolled back: a statement in it had failed");
  }
  ls_status rc = st->be->exec(st, "COMMIT", err);
  if (rc == LS_OK)
    st->in_tx = 0;
  return rc;
}

ls_status ls_store_rollback(ls_store *st) {
  if (!st->in_tx)
    return LS_OK;
  st->in_tx = 0;
  st->tx_failed = 0;
  return st->be->exec(st, "ROLLBACK", NULL);
}

/* A bulk copy holds the PostgreSQL connection in COPY mode. */
static ls_status check_not_copying(ls_store *st, ls_error *err) {
  return st->copying ? LS_FAIL(err, LS_ERR_INTERNAL, "a bulk copy is in progress on this store") : LS_OK;
}

ls_status ls_store_exec(ls_store *st, const char *sql, ls_error *err) {
  ls_status rc = check_not_copying(st, err);
  if (rc == LS_OK)
    rc = st->be->exec(st, sql, err);
  if (rc && st->in_tx)
    st->tx_failed = 1;
  return rc;
}

ls_status ls_stmt_prepare(ls_store *st, const char *sql, ls_stmt **out, ls_error *err) {
  ls_status rc = check_not_copying(st, err);
  return rc ? rc : st->be->prepare(st, sql, out, err);
}

ls_status ls_stmt_bind_int64(ls_stmt *s, int idx, int64_t v) { return s->st->be->bind_int64(s, idx, v); }
ls_status ls_stmt_bind_double(ls_stmt *s, int idx, double v) { return s->st->be->bind_double(s, idx, v); }
ls_status ls_stmt_bind_text(ls_stmt *s, int idx, const char *v, size_t len) {
  return s->st->be->bind_text(s, idx, v, len);
}
ls_status ls_stmt_bind_str(ls_stmt *s, int idx, const char *v) { return ls_stmt_bind_text(s, idx, v, strlen(v)); }
ls_status ls_stmt_bind_blob(ls_stmt *s, int idx, const void *v, size_t len) {
  return s->st->be->bind_blob(s, idx, v, len);
}
ls_status ls_stmt_bind_null(ls_stmt *s, int idx) { return s->st->be->bind_null(s, idx); }
ls_status ls_stmt_step(ls_stmt *s, ls_error *err) {
  ls_status rc = check_not_copying(s->st, err);
  if (rc == LS_OK)
    rc = s->st->be->step(s, err);
  if (rc < 0 && s->st->in_tx)
    s->st->tx_failed = 1;
  return rc;
}
ls_status ls_stmt_reset(ls_stmt *s) { return s->st->be->reset(s); }

void ls_stmt_finalize(ls_stmt *s) {
  if (s)
    s->st->be->finalize(s);
}

int ls_stmt_is_null(ls_stmt *s, int col) { return s->st->be->is_null(s, col); }
int64_t ls_stmt_int64(ls_stmt *s, int col) { return s->st->be->col_int64(s, col); }
double ls_stmt_double(ls_stmt *s, int col) { return s->st->be->col_double(s, col); }
const char *ls_stmt_text(ls_stmt *s, int col) { return s->st->be->col_text(s, col); }
const void *ls_stmt_blob(ls_stmt *s, int col, size_t *len) { return s->st->be->col_blob(s, col, len); }

ls_status ls_store_query_int64(ls_store *st, const char *sql, int64_t *out, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, sql, &s, err);
  if (rc)
    return rc;
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    *out = ls_stmt_int64(s, 0);
    rc = LS_OK;
  } else if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "query returned no row");
  }
  ls_stmt_finalize(s);
  return rc;
}
