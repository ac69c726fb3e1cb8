/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PostgreSQL backend (libpq).
 *
 * - SQL arrives in the portable dialect and goes through store_sql.c
 *   (`?` -> `$n`, INTEGER -> BIGINT, INTEGER PRIMARY KEY -> identity, ...).
 * - Writes and other non-queries are named prepared statements
 *   (PQprepare/PQexecPrepared), prepared on first step with the parameter
 *   types then bound, and prepared again only if those types change.
 * - Queries run through a server-side cursor (DECLARE ... WITH HOLD, FETCH
 *   FETCH_ROWS at a time), so reading 10M events needs a bounded amount of
 *   client memory, other statements may run while a query is being read
 *   (as SQLite allows), and a commit in between does not end the read.
 * - Bulk loads are COPY FROM STDIN in text format (store_copy.h).
 * - Results come in text format and are parsed per column on request: one
 *   code path for every column type, including SUM()'s numeric.
 * libpq prints notices to stderr by default; library code never prints, so
 * a silent notice processor is installed. */
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/ls_buf.h"
#include "../core/ls_mem.h"
#include "store_copy.h"
#include "store_internal.h"
#include "store_pg.h"
#include "store_sql.h"

/* Type OIDs from PostgreSQL's pg_type.dat; stable since 7.x. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_FLOAT8 701

/* Rows per cursor FETCH: with event rows of ~100 bytes this is ~100 KB per
 * round trip, which keeps client memory small while the round-trip cost
 * (tens of microseconds on loopback) stays far below the cost of the rows. */
#define FETCH_ROWS 1000
/* COPY data is sent in chunks of this size: large enough that libpq's
 * per-call overhead vanishes, small enough to stay in cache. */
#define COPY_CHUNK (64u * 1024u)
/* A deferred-cleanup list can only grow with statements finalized inside a
 * failed transaction; 1 MiB of names is far beyond any real program. */
#define PENDING_LIMIT (1024u * 1024u)

typedef struct pg_stmt pg_stmt;

typedef struct pg_conn {
  PGconn *conn;
  unsigned long next_name; /* statement, cursor and staging-table names */
  unsigned long tx_gen;    /* counts transactions begun on this connection */
  ls_buf pending;          /* CLOSE/DEALLOCATE deferred while a transaction is aborted */
  pg_stmt *cursors;        /* statements with an open cursor */
} pg_conn;

typedef struct pg_param {
  Oid type; /* sticky across NULL bindings, so NULLs do not force a re-prepare */
  int is_null;
  int format; /* 0 text, 1 binary (bytea) */
  char num[32];
  char *data; /* text or blob copy; NULL for numbers */
  int len;
} pg_param;

struct pg_stmt {
  ls_stmt base;
  char *sql; /* translated */
  int nparams;
  int is_query;
  pg_param *params;
  Oid *prep_types; /* types the server-side statement was prepared with */
  char name[32];   /* prepared statement name, "" before the first prepare */
  PGresult *res;
  int row, nrows;
  int executed, done;
  char cursor[32];
  int cursor_open, cursor_exhausted, cursor_lost;
  unsigned long cursor_gen; /* tx_gen when declared inside a transaction, else 0 */
  pg_stmt *next, *prev;     /* in pg_conn.cursors while cursor_open */
  unsigned char **blobs;    /* decoded bytea per column of the current row */
  size_t *blob_lens;
  int nblobs;
};

static pg_conn *conn_of(ls_store *st) { return (pg_conn *)st->impl; }
static pg_stmt *pgs(ls_stmt *s) { return (pg_stmt *)s; }

static void quiet_notices(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

/* SQLSTATE classes -> ls_status: 23 integrity (unique, foreign key, check),
 * 40 serialization failure or deadlock, 08 connection, 53 resources,
 * 28 authorization. */
static ls_status status_of(const char *sqlstate) {
  if (!sqlstate || strlen(sqlstate) < 2)
    return LS_ERR_DB;
  if (!strncmp(sqlstate, "23", 2) || !strncmp(sqlstate, "40", 2))
    return LS_ERR_CONFLICT;
  if (!strncmp(sqlstate, "08", 2) || !strncmp(sqlstate, "53", 2) || !strncmp(sqlstate, "58", 2))
    return LS_ERR_IO;
  if (!strncmp(sqlstate, "28", 2) || !strcmp(sqlstate, "42501"))
    return LS_ERR_DENIED;
  return LS_ERR_DB;
}

static ls_status result_error(ls_store *st, const PGresult *res, ls_error *err, const char *what) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (!msg || !*msg)
    msg = PQerrorMessage(conn_of(st)->conn);
  int len = (int)strlen(msg);
  while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
    len--;
  ls_status code = res ? status_of(state) : LS_ERR_IO;
  return ls_error_set(err, code, st->location, 0, 0, "%s: %.*s%s%s%s", what, len, msg, state ? " (SQLSTATE " : "",
                      state ? state : "", state ? ")" : "");
}

static int result_ok(const PGresult *res) {
  ExecStatusType s = PQresultStatus(res);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static void unlink_cursor(pg_conn *c, pg_stmt *s) {
  if (s->prev)
    s->prev->next = s->next;
  else if (c->cursors == s)
    c->cursors = s->next;
  if (s->next)
    s->next->prev = s->prev;
  s->next = s->prev = NULL;
}

/* Runs a cleanup command (CLOSE, DEALLOCATE, DROP of our own objects) now,
 * or after the transaction ends if it is aborted. Errors are ignored: the
 * object is gone either way once the session ends. */
static void cleanup(pg_conn *c, const char *cmd) {
  if (PQtransactionStatus(c->conn) == PQTRANS_INERROR) {
    if (ls_buf_puts(&c->pending, cmd) == LS_OK)
      ls_buf_puts(&c->pending, ";");
    return;
  }
  PQclear(PQexec(c->conn, cmd));
}

static void flush_pending(pg_conn *c) {
  if (!c->pending.len || PQtransactionStatus(c->conn) != PQTRANS_IDLE)
    return;
  PQclear(PQexec(c->conn, ls_buf_str(&c->pending)));
  ls_buf_reset(&c->pending);
}

static void close_cursor(pg_stmt *s) {
  if (!s->cursor_open)
    return;
  pg_conn *c = conn_of(s->base.st);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "CLOSE %s", s->cursor);
  /* a cursor declared inside the failed transaction dies with it */
  if (!(PQtransactionStatus(c->conn) == PQTRANS_INERROR && s->cursor_gen == c->tx_gen))
    cleanup(c, cmd);
  s->cursor_open = 0;
  unlink_cursor(c, s);
}

/* The transaction ended: cursors declared in it survive a commit (WITH
 * HOLD) and die with a rollback. */
static void transaction_ended(pg_conn *c, int committed) {
  for (pg_stmt *s = c->cursors, *next; s; s = next) {
    next = s->next;
    if (committed || s->cursor_gen == 0) {
      s->cursor_gen = 0;
      continue;
    }
    s->cursor_open = 0;
    s->cursor_lost = 1;
    unlink_cursor(c, s);
  }
}

static ls_status pg_exec(ls_store *st, const char *sql, ls_error *err) {
  pg_conn *c = conn_of(st);
  char *pgsql = NULL;
  ls__sql_info info;
  ls_status rc = ls__store_sql_to_pg(sql, 0, &pgsql, &info, err);
  if (rc)
    return rc;
  if (info.create_if_absent[0]) {
    /* a role without CREATE on the schema may still open a migrated store */
    const char *values[1] = {info.create_if_absent};
    PGresult *res = PQexecParams(c->conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, values, NULL, NULL, 0);
    if (!result_ok(res)) {
      rc = result_error(st, res, err, "statement failed");
    } else if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't') {
      info.is_empty = 1;
    }
    PQclear(res);
    if (rc) {
      ls_free(pgsql);
      return rc;
    }
  }
  if (info.is_empty) {
    ls_free(pgsql);
    return LS_OK;
  }
  PGTransactionStatusType before = PQtransactionStatus(c->conn);
  PGresult *res = PQexec(c->conn, pgsql);
  PGTransactionStatusType after = PQtransactionStatus(c->conn);
  if (!result_ok(res)) {
    rc = result_error(st, res, err, "statement failed");
  } else if (before == PQTRANS_INERROR && !strcasecmp(sql, "COMMIT")) {
    /* PostgreSQL answers COMMIT of a failed transaction with ROLLBACK */
    rc = ls_error_set(err, LS_ERR_DB, st->location, 0, 0,
                      "commit failed: the transaction had already failed and was rolled back");
  }
  if (before == PQTRANS_IDLE && after != PQTRANS_IDLE)
    c->tx_gen++;
  if (before != PQTRANS_IDLE && after == PQTRANS_IDLE) {
    const char *tag = res ? PQcmdStatus(res) : "";
    transaction_ended(c, rc == LS_OK && strcmp(tag, "ROLLBACK") != 0);
  }
  PQclear(res);
  ls_free(pgsql);
  flush_pending(c);
  return rc;
}

static ls_status pg_open(ls_store *st, const char *uri, ls_error *err) {
  pg_conn *c = ls_calloc(1, sizeof *c);
  if (!c)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory opening the store");
  ls_buf_init(&c->pending, PENDING_LIMIT);
  st->impl = c;
  c->conn = PQconnectdb(uri);
  if (!c->conn)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory connecting to PostgreSQL");
  PQsetNoticeProcessor(c->conn, quiet_notices, NULL);
  if (PQstatus(c->conn) != CONNECTION_OK) {
    const char *msg = PQerrorMessage(c->conn);
    int len = (int)strlen(msg);
    while (len > 0 && msg[len - 1] == '\n')
      len--;
    ls_status code = PQconnectionNeedsPassword(c->conn) || strstr(msg, "authentication") ? LS_ERR_DENIED : LS_ERR_IO;
    return ls_error_set(err, code, st->location, 0, 0, "cannot connect to PostgreSQL: %.*s", len, msg);
  }
  /* identity columns (INTEGER PRIMARY KEY) need PostgreSQL 10 */
  if (PQserverVersion(c->conn) < 100000)
    return ls_error_set(err, LS_ERR_DB, st->location, 0, 0, "PostgreSQL %d is too old: 10 or later is needed",
                        PQserverVersion(c->conn) / 10000);
  if (PQsetClientEncoding(c->conn, "UTF8") != 0)
    return ls_error_set(err, LS_ERR_DB, st->location, 0, 0, "cannot set the client encoding to UTF8");
  return LS_OK;
}

static void pg_close(ls_store *st) {
  pg_conn *c = conn_of(st);
  if (!c)
    return;
  PQfinish(c->conn);
  ls_buf_free(&c->pending);
  ls_free(c);
  st->impl = NULL;
}

static ls_status pg_prepare(ls_store *st, const char *sql, ls_stmt **out, ls_error *err) {
  *out = NULL;
  pg_stmt *s = ls_calloc(1, sizeof *s);
  if (!s)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory preparing a statement");
  s->base.st = st;
  ls__sql_info info;
  ls_status rc = ls__store_sql_to_pg(sql, LS__SQL_PREPARE, &s->sql, &info, err);
  if (rc == LS_OK && info.is_empty)
    rc = LS_FAIL(err, LS_ERR_USAGE, "empty statement");
  if (rc == LS_OK && info.nparams) {
    s->params = ls_calloc((size_t)info.nparams, sizeof *s->params);
    s->prep_types = ls_calloc((size_t)info.nparams, sizeof *s->prep_types);
    if (!s->params || !s->prep_types)
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory preparing a statement");
  }
  if (rc) {
    ls_free(s->params);
    ls_free(s->prep_types);
    ls_free(s->sql);
    ls_free(s);
    return rc;
  }
  s->nparams = info.nparams;
  s->is_query = info.is_query;
  for (int i = 0; i < s->nparams; i++)
    s->params[i].is_null = 1;
  s->row = -1;
  *out = &s->base;
  return LS_OK;
}

static pg_param *param(ls_stmt *st, int idx) {
  pg_stmt *s = pgs(st);
  if (idx < 1 || idx > s->nparams)
    return NULL;
  pg_param *p = &s->params[idx - 1];
  ls_free(p->data);
  p->data = NULL;
  p->len = 0;
  p->format = 0;
  p->is_null = 0;
  return p;
}

static ls_status pg_bind_int64(ls_stmt *s, int idx, int64_t v) {
  pg_param *p = param(s, idx);
  if (!p)
    return LS_ERR_INTERNAL;
  p->type = OID_INT8;
  p->len = snprintf(p->num, sizeof p->num, "%lld", (long long)v);
  return LS_OK;
}

static ls_status pg_bind_double(ls_stmt *s, int idx, double v) {
  pg_param *p = param(s, idx);
  if (!p)
    return LS_ERR_INTERNAL;
  p->type = OID_FLOAT8;
  if (isnan(v))
    p->len = snprintf(p->num, sizeof p->num, "NaN");
  else if (isinf(v))
    p->len = snprintf(p->num, sizeof p->num, "%sInfinity", v < 0 ? "-" : "");
  else
    p->len = snprintf(p->num, sizeof p->num, "%.17g", v);
  return LS_OK;
}

static ls_status pg_bind_text(ls_stmt *s, int idx, const char *v, size_t len) {
  if (len > 0x3fffffff)
    return LS_ERR_LIMIT;
  if (memchr(v, '\0', len))
    return LS_ERR_INPUT; /* PostgreSQL text cannot hold NUL bytes */
  pg_param *p = param(s, idx);
  if (!p)
    return LS_ERR_INTERNAL;
  p->data = ls_strndup(v, len);
  if (!p->data) {
    p->is_null = 1;
    return LS_ERR_NOMEM;
  }
  /* unknown: the server takes the type the context needs, as SQLite's
   * column affinity does */
  p->type = 0;
  p->len = (int)len;
  return LS_OK;
}

static ls_status pg_bind_blob(ls_stmt *s, int idx, const void *v, size_t len) {
  if (len > 0x3fffffff)
    return LS_ERR_LIMIT;
  pg_param *p = param(s, idx);
  if (!p)
    return LS_ERR_INTERNAL;
  p->data = ls_malloc(len ? len : 1);
  if (!p->data) {
    p->is_null = 1;
    return LS_ERR_NOMEM;
  }
  if (len)
    memcpy(p->data, v, len);
  p->type = OID_BYTEA;
  p->format = 1;
  p->len = (int)len;
  return LS_OK;
}

static ls_status pg_bind_null(ls_stmt *s, int idx) {
  pg_param *p = param(s, idx);
  if (!p)
    return LS_ERR_INTERNAL;
  p->is_null = 1;
  return LS_OK;
}

static void free_blobs(pg_stmt *s) {
  for (int i = 0; i < s->nblobs; i++)
    if (s->blobs[i])
      PQfreemem(s->blobs[i]);
  ls_free(s->blobs);
  ls_free(s->blob_lens);
  s->blobs = NULL;
  s->blob_lens = NULL;
  s->nblobs = 0;
}

/* Parameter arrays for libpq; small statements use the stack. */
typedef struct param_arrays {
  const char **values;
  int *lengths;
  int *formats;
  Oid *types;
} param_arrays;

static ls_status make_arrays(pg_stmt *s, param_arrays *a, ls_error *err) {
  memset(a, 0, sizeof *a);
  if (!s->nparams)
    return LS_OK;
  size_t n = (size_t)s->nparams;
  a->values = ls_calloc(n, sizeof *a->values);
  a->lengths = ls_calloc(n, sizeof *a->lengths);
  a->formats = ls_calloc(n, sizeof *a->formats);
  a->types = ls_calloc(n, sizeof *a->types);
  if (!a->values || !a->lengths || !a->formats || !a->types)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory running a statement");
  for (size_t i = 0; i < n; i++) {
    pg_param *p = &s->params[i];
    a->types[i] = p->type;
    if (p->is_null)
      continue;
    a->values[i] = p->data ? p->data : p->num;
    a->lengths[i] = p->len;
    a->formats[i] = p->format;
  }
  return LS_OK;
}

static void free_arrays(param_arrays *a) {
  ls_free(a->values);
  ls_free(a->lengths);
  ls_free(a->formats);
  ls_free(a->types);
}

static void add_cursor(pg_conn *c, pg_stmt *s) {
  s->prev = NULL;
  s->next = c->cursors;
  if (c->cursors)
    c->cursors->prev = s;
  c->cursors = s;
}

static ls_status fetch(pg_stmt *s, ls_error *err) {
  ls_store *st = s->base.st;
  pg_conn *c = conn_of(st);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "FETCH FORWARD %d FROM %s", FETCH_ROWS, s->cursor);
  PQclear(s->res);
  s->res = PQexec(c->conn, cmd);
  s->row = -1;
  s->nrows = 0;
  if (PQresultStatus(s->res) != PGRES_TUPLES_OK)
    return result_error(st, s->res, err, "reading a query's rows failed");
  s->nrows = PQntuples(s->res);
  if (s->nrows < FETCH_ROWS) {
    s->cursor_exhausted = 1;
    close_cursor(s);
  }
  return LS_OK;
}

static ls_status execute(pg_stmt *s, ls_error *err) {
  ls_store *st = s->base.st;
  pg_conn *c = conn_of(st);
  param_arrays a;
  ls_status rc = make_arrays(s, &a, err);
  if (rc)
    goto out;
  if (s->is_query) {
    /* DECLARE cannot be a prepared statement; PQexecParams still sends the
     * values separately from the SQL text. */
    ls_buf sql;
    ls_buf_init(&sql, strlen(s->sql) + 128);
    snprintf(s->cursor, sizeof s->cursor, "ls_c%lu", ++c->next_name);
    if (ls_buf_printf(&sql, "DECLARE %s NO SCROLL CURSOR WITH HOLD FOR %s", s->cursor, s->sql)) {
      ls_buf_free(&sql);
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory running a query");
      goto out;
    }
    PGresult *res = PQexecParams(c->conn, ls_buf_str(&sql), s->nparams, a.types, a.values, a.lengths,
                                 a.formats, 0);
    ls_buf_free(&sql);
    if (!result_ok(res)) {
      rc = result_error(st, res, err, "query failed");
      PQclear(res);
      goto out;
    }
    PQclear(res);
    s->cursor_open = 1;
    s->cursor_exhausted = 0;
    s->cursor_lost = 0;
    s->cursor_gen = PQtransactionStatus(c->conn) == PQTRANS_IDLE ? 0 : c->tx_gen;
    add_cursor(c, s);
    rc = fetch(s, err);
    goto out;
  }
  int same = s->name[0] != '\0';
  for (int i = 0; same && i < s->nparams; i++)
    same = s->prep_types[i] == a.types[i];
  if (!same) {
    if (s->name[0]) {
      char cmd[64];
      snprintf(cmd, sizeof cmd, "DEALLOCATE %s", s->name);
      cleanup(c, cmd);
      s->name[0] = '\0';
    }
    char name[32];
    snprintf(name, sizeof name, "ls_s%lu", ++c->next_name);
    PGresult *res = PQprepare(c->conn, name, s->sql, s->nparams, a.types);
    if (!result_ok(res)) {
      rc = result_error(st, res, err, "cannot prepare statement");
      PQclear(res);
      goto out;
    }
    PQclear(res);
    memcpy(s->name, name, sizeof name);
    if (s->nparams)
      memcpy(s->prep_types, a.types, (size_t)s->nparams * sizeof *a.types);
  }
  s->res = PQexecPrepared(c->conn, s->name, s->nparams, a.values, a.lengths, a.formats, 0);
  if (!result_ok(s->res)) {
    rc = result_error(st, s->res, err, "statement failed");
    PQclear(s->res);
    s->res = NULL;
    goto out;
  }
  s->row = -1;
  s->nrows = PQntuples(s->res);
out:
  free_arrays(&a);
  return rc;
}

static ls_status pg_reset(ls_stmt *st);

static ls_status pg_step(ls_stmt *st, ls_error *err) {
  pg_stmt *s = pgs(st);
  free_blobs(s);
  if (s->done) {
    /* as SQLite: stepping a finished statement runs it again */
    PQclear(s->res);
    s->res = NULL;
    s->done = s->executed = 0;
  }
  if (!s->executed) {
    s->executed = 1;
    ls_status rc = execute(s, err);
    if (rc) {
      s->done = 1;
      return rc;
    }
  }
  if (s->cursor_lost) {
    s->done = 1;
    return ls_error_set(err, LS_ERR_DB, st->st->location, 0, 0,
                        "the query's rows are gone: its transaction was rolled back");
  }
  if (s->row + 1 < s->nrows) {
    s->row++;
    return LS_ROW;
  }
  if (s->is_query && s->cursor_open && !s->cursor_exhausted) {
    ls_status rc = fetch(s, err);
    if (rc) {
      s->done = 1;
      return rc;
    }
    if (s->nrows > 0) {
      s->row = 0;
      return LS_ROW;
    }
  }
  close_cursor(s);
  s->done = 1;
  s->row = s->nrows; /* past the end: column reads give NULL */
  return LS_DONE;
}

static ls_status pg_reset(ls_stmt *st) {
  pg_stmt *s = pgs(st);
  free_blobs(s);
  close_cursor(s);
  PQclear(s->res);
  s->res = NULL;
  s->row = -1;
  s->nrows = 0;
  s->executed = s->done = s->cursor_lost = 0;
  for (int i = 0; i < s->nparams; i++) {
    ls_free(s->params[i].data);
    s->params[i].data = NULL;
    s->params[i].is_null = 1;
  }
  return LS_OK;
}

static void pg_finalize(ls_stmt *st) {
  pg_stmt *s = pgs(st);
  pg_reset(st);
  if (s->name[0]) {
    char cmd[64];
    snprintf(cmd, sizeof cmd, "DEALLOCATE %s", s->name);
    cleanup(conn_of(st->st), cmd);
  }
  ls_free(s->params);
  ls_free(s->prep_types);
  ls_free(s->sql);
  ls_free(s);
}

static int has_value(pg_stmt *s, int col) {
  return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static int pg_is_null(ls_stmt *st, int col) {
  pg_stmt *s = pgs(st);
  return !has_value(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_col_int64(ls_stmt *st, int col) {
  pg_stmt *s = pgs(st);
  if (pg_is_null(st, col))
    return 0;
  const char *v = PQgetvalue(s->res, s->row, col);
  if (PQftype(s->res, col) == OID_BOOL)
    return v[0] == 't';
  if (PQftype(s->res, col) == OID_FLOAT8 || strpbrk(v, "eE"))
    return (int64_t)strtod(v, NULL); /* as SQLite's column_int64 of a REAL */
  return strtoll(v, NULL, 10);
}

static double pg_col_double(ls_stmt *st, int col) {
  pg_stmt *s = pgs(st);
  if (pg_is_null(st, col))
    return 0.0;
  return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static const char *pg_col_text(ls_stmt *st, int col) {
  pg_stmt *s = pgs(st);
  if (pg_is_null(st, col))
    return "";
  return PQgetvalue(s->res, s->row, col);
}

static const void *pg_col_blob(ls_stmt *st, int col, size_t *len) {
  pg_stmt *s = pgs(st);
  *len = 0;
  if (pg_is_null(st, col))
    return NULL;
  const char *v = PQgetvalue(s->res, s->row, col);
  if (PQftype(s->res, col) != OID_BYTEA) {
    *len = (size_t)PQgetlength(s->res, s->row, col);
    return v;
  }
  if (!s->blobs) {
    int n = PQnfields(s->res);
    s->blobs = ls_calloc((size_t)n, sizeof *s->blobs);
    s->blob_lens = ls_calloc((size_t)n, sizeof *s->blob_lens);
    if (!s->blobs || !s->blob_lens) {
      free_blobs(s);
      return NULL;
    }
    s->nblobs = n;
  }
  if (!s->blobs[col])
    s->blobs[col] = PQunescapeBytea((const unsigned char *)v, &s->blob_lens[col]);
  *len = s->blobs[col] ? s->blob_lens[col] : 0;
  return s->blobs[col];
}

/* ---- bulk load: COPY ... FROM STDIN, text format ---- */

typedef struct pg_copy {
  ls_buf data;
  char stage[32]; /* temp table for LS_COPY_SKIP_DUPLICATES, else "" */
  int in_copy;
} pg_copy;

static ls_status column_list(const ls_copy *c, ls_buf *b) {
  ls_status rc = LS_OK;
  for (size_t i = 0; i < c->ncolumns && rc == LS_OK; i++)
    rc = ls_buf_printf(b, "%s%s", i ? ", " : "", c->columns[i]);
  return rc;
}

static ls_status simple(ls_store *st, const char *sql, ExecStatusType want, PGresult **keep, ls_error *err,
                        const char *what) {
  PGresult *res = PQexec(conn_of(st)->conn, sql);
  if (PQresultStatus(res) != want) {
    ls_status rc = result_error(st, res, err, what);
    PQclear(res);
    return rc;
  }
  if (keep)
    *keep = res;
  else
    PQclear(res);
  return LS_OK;
}

static ls_status pg_copy_begin(ls_copy *c, ls_error *err) {
  ls_store *st = c->st;
  pg_copy *pc = ls_calloc(1, sizeof *pc);
  if (!pc)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting a bulk copy");
  c->impl = pc;
  ls_buf_init(&pc->data, COPY_CHUNK * 2);
  ls_buf sql;
  ls_buf_init(&sql, 64u * 1024u);
  ls_status rc = LS_OK;
  if (c->flags & LS_COPY_SKIP_DUPLICATES) {
    /* COPY has no ON CONFLICT: load a staging table with the target's
     * column types, then move its rows over with INSERT ... ON CONFLICT */
    snprintf(pc->stage, sizeof pc->stage, "ls_stage%lu", ++conn_of(st)->next_name);
    rc = ls_buf_printf(&sql, "CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT ", pc->stage);
    if (rc == LS_OK)
      rc = column_list(c, &sql);
    if (rc == LS_OK)
      rc = ls_buf_printf(&sql, " FROM %s WITH NO DATA", c->table);
    if (rc) {
      rc = LS_FAIL(err, rc, "out of memory starting a bulk copy");
      goto out;
    }
    rc = simple(st, ls_buf_str(&sql), PGRES_COMMAND_OK, NULL, err, "bulk copy: cannot create the staging table");
    if (rc)
      goto out;
    ls_buf_reset(&sql);
  }
  rc = ls_buf_printf(&sql, "COPY %s (", pc->stage[0] ? pc->stage : c->table);
  if (rc == LS_OK)
    rc = column_list(c, &sql);
  if (rc == LS_OK)
    rc = ls_buf_puts(&sql, ") FROM STDIN");
  if (rc) {
    rc = LS_FAIL(err, rc, "out of memory starting a bulk copy");
    goto out;
  }
  rc = simple(st, ls_buf_str(&sql), PGRES_COPY_IN, NULL, err, "bulk copy cannot start");
  if (rc == LS_OK)
    pc->in_copy = 1;
out:
  ls_buf_free(&sql);
  if (rc) {
    ls_buf_free(&pc->data);
    ls_free(pc);
    c->impl = NULL;
  }
  return rc;
}

static ls_status put_escaped(ls_buf *b, const char *v, size_t len) {
  size_t from = 0;
  ls_status rc = LS_OK;
  for (size_t i = 0; i < len && rc == LS_OK; i++) {
    const char *esc = v[i] == '\\' ? "\\\\" : v[i] == '\n' ? "\\n" : v[i] == '\r' ? "\\r" : v[i] == '\t' ? "\\t" : NULL;
    if (!esc)
      continue;
    rc = ls_buf_append(b, v + from, i - from);
    if (rc == LS_OK)
      rc = ls_buf_puts(b, esc);
    from = i + 1;
  }
  if (rc == LS_OK)
    rc = ls_buf_append(b, v + from, len - from);
  return rc;
}

static ls_status pg_copy_field(ls_copy *c, const ls__copy_field *f) {
  pg_copy *pc = c->impl;
  ls_buf *b = &pc->data;
  ls_status rc = c->field ? ls_buf_append(b, "\t", 1) : LS_OK;
  if (rc)
    return rc;
  switch (f->type) {
  case LS__COPY_NULL:
    return ls_buf_puts(b, "\\N");
  case LS__COPY_INT64:
    return ls_buf_printf(b, "%lld", (long long)f->i);
  case LS__COPY_DOUBLE:
    if (isnan(f->d))
      return ls_buf_puts(b, "NaN");
    if (isinf(f->d))
      return ls_buf_puts(b, f->d < 0 ? "-Infinity" : "Infinity");
    return ls_buf_printf(b, "%.17g", f->d);
  case LS__COPY_TEXT:
    return put_escaped(b, f->p, f->len);
  case LS__COPY_BLOB: {
    /* bytea's hex form \x.. with the backslash escaped for COPY */
    static const char hex[] = "0123456789abcdef";
    rc = ls_buf_puts(b, "\\\\x");
    const unsigned char *p = f->p;
    for (size_t i = 0; i < f->len && rc == LS_OK; i++) {
      char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
      rc = ls_buf_append(b, two, 2);
    }
    return rc;
  }
  }
  return LS_ERR_INTERNAL;
}

static ls_status send_data(ls_copy *c, ls_error *err) {
  pg_copy *pc = c->impl;
  if (!pc->data.len)
    return LS_OK;
  if (PQputCopyData(conn_of(c->st)->conn, pc->data.data, (int)pc->data.len) != 1)
    return result_error(c->st, NULL, err, "bulk copy: sending rows failed");
  ls_buf_reset(&pc->data);
  return LS_OK;
}

static ls_status pg_copy_row(ls_copy *c, ls_error *err) {
  pg_copy *pc = c->impl;
  if (ls_buf_append(&pc->data, "\n", 1))
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory in a bulk copy");
  return pc->data.len >= COPY_CHUNK ? send_data(c, err) : LS_OK;
}

/* Ends COPY mode; the copy's own result says whether the rows went in. */
static ls_status finish_copy(ls_copy *c, const char *abort_reason, int64_t *rows, ls_error *err) {
  pg_copy *pc = c->impl;
  PGconn *conn = conn_of(c->st)->conn;
  ls_status rc = LS_OK;
  pc->in_copy = 0;
  if (PQputCopyEnd(conn, abort_reason) != 1)
    rc = result_error(c->st, NULL, err, "bulk copy: ending the copy failed");
  PGresult *res;
  while ((res = PQgetResult(conn)) != NULL) {
    if (rc == LS_OK && !abort_reason) {
      if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = result_error(c->st, res, err, "bulk copy failed");
      else if (rows)
        *rows = strtoll(PQcmdTuples(res), NULL, 10);
    }
    PQclear(res);
  }
  return rc;
}

static void copy_free_impl(ls_copy *c) {
  pg_copy *pc = c->impl;
  if (!pc)
    return;
  ls_buf_free(&pc->data);
  ls_free(pc);
  c->impl = NULL;
}

static ls_status pg_copy_end(ls_copy *c, int64_t *stored, ls_error *err) {
  pg_copy *pc = c->impl;
  ls_store *st = c->st;
  int64_t rows = 0;
  ls_status rc = send_data(c, err);
  if (rc) {
    finish_copy(c, "send failed", NULL, NULL);
    goto out;
  }
  rc = finish_copy(c, NULL, &rows, err);
  if (rc || !pc->stage[0]) {
    *stored = rows;
    goto out;
  }
  /* Loads into the same table take turns from here to commit: two
   * processes inserting overlapping keys in different orders would
   * otherwise wait on each other's uncommitted rows (a deadlock). The
   * key is the lock key of store_sql.h xor the table's OID. */
  ls_buf sql;
  ls_buf_init(&sql, 64u * 1024u);
  const char *values[1] = {c->table};
  PGresult *res = PQexecParams(conn_of(st)->conn,
                               "SELECT pg_advisory_xact_lock(" LS__STORE_PG_LOCK_KEY " # $1::regclass::oid::bigint)",
                               1, NULL, values, NULL, NULL, 0);
  if (!result_ok(res))
    rc = result_error(st, res, err, "bulk copy: cannot lock the table");
  PQclear(res);
  if (rc == LS_OK)
    rc = ls_buf_printf(&sql, "INSERT INTO %s (", c->table);
  if (rc == LS_OK)
    rc = column_list(c, &sql);
  if (rc == LS_OK)
    rc = ls_buf_puts(&sql, ") SELECT ");
  if (rc == LS_OK)
    rc = column_list(c, &sql);
  if (rc == LS_OK)
    rc = ls_buf_printf(&sql, " FROM %s ON CONFLICT DO NOTHING", pc->stage);
  if (rc == LS_OK) {
    PGresult *ins = NULL;
    rc = simple(st, ls_buf_str(&sql), PGRES_COMMAND_OK, &ins, err, "bulk copy: moving rows from staging failed");
    if (rc == LS_OK) {
      *stored = strtoll(PQcmdTuples(ins), NULL, 10);
      PQclear(ins);
      ls_buf_reset(&sql);
      rc = ls_buf_printf(&sql, "DROP TABLE %s", pc->stage);
      if (rc == LS_OK)
        rc = simple(st, ls_buf_str(&sql), PGRES_COMMAND_OK, NULL, err, "bulk copy: dropping the staging table");
    }
  }
  ls_buf_free(&sql);
out:
  copy_free_impl(c);
  return rc;
}

static void pg_copy_abort(ls_copy *c) {
  pg_copy *pc = c->impl;
  if (pc && pc->in_copy)
    finish_copy(c, "bulk copy abandoned", NULL, NULL);
  copy_free_impl(c);
}

char *ls__store_pg_redact(const char *uri) {
  ls_buf b;
  ls_buf_init(&b, strlen(uri) + 64);
  const char *scheme = strstr(uri, "://");
  const char *p = uri;
  ls_status rc = LS_OK;
  if (scheme) {
    const char *auth = scheme + 3;
    size_t auth_len = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', auth_len);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
      rc = ls_buf_append(&b, uri, (size_t)(colon + 1 - uri));
      if (rc == LS_OK)
        rc = ls_buf_puts(&b, "***");
      p = at;
    }
  }
  /* password=... in the query string */
  while (rc == LS_OK && *p) {
    const char *q = strstr(p, "password=");
    if (!q || (q != uri && q[-1] != '?' && q[-1] != '&')) {
      if (!q) {
        rc = ls_buf_puts(&b, p);
        break;
      }
      rc = ls_buf_append(&b, p, (size_t)(q + 9 - p));
      p = q + 9;
      continue;
    }
    rc = ls_buf_append(&b, p, (size_t)(q + 9 - p));
    if (rc == LS_OK)
      rc = ls_buf_puts(&b, "***");
    p = q + 9 + strcspn(q + 9, "&");
  }
  if (rc == LS_OK && !b.data)
    rc = ls_buf_puts(&b, "");
  if (rc) {
    ls_buf_free(&b);
    return NULL;
  }
  return b.data;
}

const ls__store_backend ls__store_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .is_null = pg_is_null,
    .col_int64 = pg_col_int64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .copy_begin = pg_copy_begin,
    .copy_field = pg_copy_field,
    .copy_row = pg_copy_row,
    .copy_end = pg_copy_end,
    .copy_abort = pg_copy_abort,
};
