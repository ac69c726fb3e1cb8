/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SQLite backend: WAL journal so readers (serve) never block a writer (ingest),
 * full fsync on commit so a crash after commit keeps the data and a crash
 * before it leaves the store as it was. */
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "store_internal.h"

typedef struct sqlite_stmt {
  ls_stmt base;
  sqlite3_stmt *stmt;
} sqlite_stmt;

static sqlite3 *db_of(ls_store *st) { return (sqlite3 *)st->impl; }
struct sqlite3 *ls__store_sqlite_handle(ls_store *st) {
  return st->be == &ls__store_sqlite ? db_of(st) : NULL;
}

static ls_status db_error(ls_store *st, ls_error *err, const char *what) {
  int code = sqlite3_errcode(db_of(st));
  ls_status status = LS_ERR_DB;
  if (code == SQLITE_CONSTRAINT)
    status = LS_ERR_CONFLICT;
  else if (code == SQLITE_NOMEM)
    status = LS_ERR_NOMEM;
  else if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN)
    status = LS_ERR_IO;
  return ls_error_set(err, status, st->location, 0, 0, "%s: %s", what, sqlite3_errmsg(db_of(st)));
}

static ls_status sq_exec(ls_store *st, const char *sql, ls_error *err) {
  char *msg = NULL;
  int rc = sqlite3_exec(db_of(st), sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    ls_status s = db_error(st, err, "statement failed");
    sqlite3_free(msg);
    return s;
  }
  return LS_OK;
}

/* SQLite keeps memory statistics by default (SQLITE_DEFAULT_MEMSTATUS=1 in
 * Debian's build): every sqlite3_malloc and free then takes one
 * process-wide mutex to count bytes, which the server's connections, each
 * on its own thread, queue on (pthread_mutex_lock was among the top
 * symbols under load, docs/performance.md). Nothing here reads the
 * statistics or sets a soft heap limit (which needs them), so they are
 * off. sqlite3_config works only before SQLite initialises, and is not
 * thread-safe: it runs once, before the first connection. If SQLite was
 * initialised already (another library in the process), the call is
 * refused and the statistics stay on: slower, not wrong. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_setup(void) {
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)sqlite3_initialize();
}

static ls_status sq_open(ls_store *st, const char *uri, ls_error *err) {
  sqlite3 *db = NULL;
  pthread_once(&sqlite_once, sqlite_setup);
  int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    ls_status s = ls_error_set(err, LS_ERR_IO, uri, 0, 0, "cannot open database: %s",
                               db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return s;
  }
  st->impl = db;
  sqlite3_busy_timeout(db, 30000);
  sqlite3_extended_result_codes(db, 0);
  ls_status s = sq_exec(st,
                        "PRAGMA journal_mode=WAL;"
                        "PRAGMA synchronous=FULL;"
                        "PRAGMA foreign_keys=ON;"
                        "PRAGMA temp_store=MEMORY;",
                        err);
  return s;
}

static void sq_close(ls_store *st) {
  sqlite3_close_v2(db_of(st));
  st->impl = NULL;
}

static ls_status sq_prepare(ls_store *st, const char *sql, ls_stmt **out, ls_error *err) {
  *out = NULL;
  sqlite_stmt *s = ls_calloc(1, sizeof *s);
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory preparing a statement");
  s->base.st = st;
  if (sqlite3_prepare_v2(db_of(st), sql, -1, &s->stmt, NULL) != SQLITE_OK) {
    ls_status rc = db_error(st, err, "cannot prepare statement");
    ls_free(s);
    return rc;
  }
  *out = &s->base;
  return LS_OK;
}

static sqlite3_stmt *raw(ls_stmt *s) { return ((sqlite_stmt *)s)->stmt; }

static ls_status bind_result(int rc) {
  if (rc == SQLITE_OK)
    return LS_OK;
  return rc == SQLITE_NOMEM ? LS_ERR_NOMEM : rc == SQLITE_TOOBIG ? LS_ERR_LIMIT : LS_ERR_INTERNAL;
}

static ls_status sq_bind_int64(ls_stmt *s, int idx, int64_t v) {
  return bind_result(sqlite3_bind_int64(raw(s), idx, v));
}
static ls_status sq_bind_double(ls_stmt *s, int idx, double v) {
  return bind_result(sqlite3_bind_double(raw(s), idx, v));
}
static ls_status sq_bind_text(ls_stmt *s, int idx, const char *v, size_t len) {
  return bind_result(sqlite3_bind_text64(raw(s), idx, v, len, SQLITE_TRANSIENT, SQLITE_UTF8));
}
static ls_status sq_bind_blob(ls_stmt *s, int idx, const void *v, size_t len) {
  return bind_result(sqlite3_bind_blob64(raw(s), idx, v, len, SQLITE_TRANSIENT));
}
static ls_status sq_bind_null(ls_stmt *s, int idx) { return bind_result(sqlite3_bind_null(raw(s), idx)); }

static ls_status sq_step(ls_stmt *s, ls_error *err) {
  int rc = sqlite3_step(raw(s));
  if (rc == SQLITE_ROW)
    return LS_ROW;
  if (rc == SQLITE_DONE)
    return LS_DONE;
  return db_error(s->st, err, "statement failed");
}

static ls_status sq_reset(ls_stmt *s) {
  sqlite3_reset(raw(s));
  sqlite3_clear_bindings(raw(s));
  return LS_OK;
}

static void sq_finalize(ls_stmt *s) {
  sqlite3_finalize(raw(s));
  ls_free(s);
}

static int sq_is_null(ls_stmt *s, int col) { return sqlite3_column_type(raw(s), col) == SQLITE_NULL; }
static int64_t sq_int64(ls_stmt *s, int col) { return sqlite3_column_int64(raw(s), col); }
static double sq_double(ls_stmt *s, int col) { return sqlite3_column_double(raw(s), col); }
static const char *sq_text(ls_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(raw(s), col);
  return t ? (const char *)t : "";
}
static const void *sq_blob(ls_stmt *s, int col, size_t *len) {
  const void *b = sqlite3_column_blob(raw(s), col);
  *len = (size_t)sqlite3_column_bytes(raw(s), col);
  return b;
}

const ls__store_backend ls__store_sqlite = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .is_null = sq_is_null,
    .col_int64 = sq_int64,
    .col_double = sq_double,
    .col_text = sq_text,
    .col_blob = sq_blob,
};
