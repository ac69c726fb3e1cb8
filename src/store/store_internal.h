/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The backend interface behind ls_store: one table of functions per backend. */
#ifndef LINESIGHT_STORE_INTERNAL_H
#define LINESIGHT_STORE_INTERNAL_H

#include "linesight/ls_store.h"

struct ls__copy_field;

typedef struct ls__store_backend {
  const char *name;
  ls_status (*open)(ls_store *st, const char *uri, ls_error *err);
  void (*close)(ls_store *st);
  ls_status (*exec)(ls_store *st, const char *sql, ls_error *err);
  ls_status (*prepare)(ls_store *st, const char *sql, ls_stmt **out, ls_error *err);
  ls_status (*bind_int64)(ls_stmt *s, int idx, int64_t v);
  ls_status (*bind_double)(ls_stmt *s, int idx, double v);
  ls_status (*bind_text)(ls_stmt *s, int idx, const char *v, size_t len);
  ls_status (*bind_blob)(ls_stmt *s, int idx, const void *v, size_t len);
  ls_status (*bind_null)(ls_stmt *s, int idx);
  ls_status (*step)(ls_stmt *s, ls_error *err);
  ls_status (*reset)(ls_stmt *s);
  void (*finalize)(ls_stmt *s);
  int (*is_null)(ls_stmt *s, int col);
  int64_t (*col_int64)(ls_stmt *s, int col);
  double (*col_double)(ls_stmt *s, int col);
  const char *(*col_text)(ls_stmt *s, int col);
  const void *(*col_blob)(ls_stmt *s, int col, size_t *len);
  /* Optional bulk load behind ls_store_copy_begin (see store_copy.h); NULL
   * means the front end inserts row by row through a prepared statement. */
  ls_status (*copy_begin)(ls_copy *c, ls_error *err);
  ls_status (*copy_field)(ls_copy *c, const struct ls__copy_field *f);
  ls_status (*copy_row)(ls_copy *c, ls_error *err);
  ls_status (*copy_end)(ls_copy *c, int64_t *stored, ls_error *err);
  void (*copy_abort)(ls_copy *c);
} ls__store_backend;

struct ls_store {
  const ls__store_backend *be;
  void *impl;      /* backend connection */
  char *location;  /* file path or URI */
  int in_tx;
  int tx_failed;   /* a statement failed inside the open transaction */
  int copying;     /* a bulk copy is in progress: no other statement */
  int schema_version;
};

/* Every statement starts with this header so the front end can dispatch. */
struct ls_stmt {
  ls_store *st;
};

extern const ls__store_backend ls__store_sqlite;
extern const ls__store_backend ls__store_pg;

/* A schema migration (see store_schema.c for the version ranges). SQL must
 * be portable between SQLite and PostgreSQL. */
typedef struct ls__migration {
  int version;
  const char *name;
  const char *sql;
} ls__migration;

extern const ls__migration ls__schema_ingest[];
extern const size_t ls__schema_ingest_count;
extern const ls__migration ls__schema_server[];
extern const size_t ls__schema_server_count;
extern const ls__migration ls__schema_ops[];
extern const size_t ls__schema_ops_count;
extern const ls__migration ls__schema_analysis[];
extern const size_t ls__schema_analysis_count;
extern const ls__migration ls__schema_messaging[];
extern const size_t ls__schema_messaging_count;
extern const ls__migration ls__schema_intel[];
extern const size_t ls__schema_intel_count;

/* Applies pending migrations; called by ls_store_open. */
ls_status ls__store_migrate(ls_store *st, ls_error *err);

/* The SQLite connection behind a store, for the few fast paths that need it
 * (bulk event load); NULL for other backends. */
struct sqlite3 *ls__store_sqlite_handle(ls_store *st);

#endif
