/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store: one interface over SQLite (embedded default) and PostgreSQL.
 *
 * Modules above the store write portable SQL with `?` placeholders through
 * ls_stmt; the backend translates placeholders and types. Every write is
 * expected to run inside ls_store_begin/commit so that a failure or a crash
 * leaves the store as it was. Opening a store applies pending migrations
 * (each in its own transaction). */
#ifndef LINESIGHT_LS_STORE_H
#define LINESIGHT_LS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"

typedef struct ls_store ls_store;
typedef struct ls_stmt ls_stmt;

#define LS_DEFAULT_DB "linesight.db"

/* uri: a file path (SQLite) or postgresql://... ; NULL means LS_DEFAULT_DB. */
ls_status ls_store_open(const char *uri, ls_store **out, ls_error *err);
void ls_store_close(ls_store *st); /* accepts NULL; rolls back an open transaction */

const char *ls_store_backend(const ls_store *st); /* "sqlite" or "postgresql" */
/* For SQLite, the database file path; for PostgreSQL, the URI. */
const char *ls_store_location(const ls_store *st);
int ls_store_schema_version(const ls_store *st);

ls_status ls_store_begin(ls_store *st, ls_error *err);
ls_status ls_store_commit(ls_store *st, ls_error *err);
ls_status ls_store_rollback(ls_store *st); /* safe to call with no transaction */

/* Runs a statement without parameters (DDL, fixed maintenance SQL). */
ls_status ls_store_exec(ls_store *st, const char *sql, ls_error *err);

ls_status ls_stmt_prepare(ls_store *st, const char *sql, ls_stmt **out, ls_error *err);
/* Parameters are numbered from 1, as in SQLite. Text is copied. */
ls_status ls_stmt_bind_int64(ls_stmt *s, int idx, int64_t v);
ls_status ls_stmt_bind_double(ls_stmt *s, int idx, double v);
ls_status ls_stmt_bind_text(ls_stmt *s, int idx, const char *v, size_t len);
/* Binds a NUL-terminated string (not NULL: bind_null says "no value"). */
ls_status ls_stmt_bind_str(ls_stmt *s, int idx, const char *v);
ls_status ls_stmt_bind_blob(ls_stmt *s, int idx, const void *v, size_t len);
ls_status ls_stmt_bind_null(ls_stmt *s, int idx);
/* LS_ROW when a row is ready, LS_DONE when finished, negative on error. */
ls_status ls_stmt_step(ls_stmt *s, ls_error *err);
ls_status ls_stmt_reset(ls_stmt *s); /* keeps the prepared statement, clears bindings */
void ls_stmt_finalize(ls_stmt *s);   /* accepts NULL */

/* Columns are numbered from 0. Text and blob pointers stay valid until the next
 * step, reset or finalize. */
int ls_stmt_is_null(ls_stmt *s, int col);
int64_t ls_stmt_int64(ls_stmt *s, int col);
double ls_stmt_double(ls_stmt *s, int col);
const char *ls_stmt_text(ls_stmt *s, int col); /* "" for NULL */
const void *ls_stmt_blob(ls_stmt *s, int col, size_t *len);

/* Bulk load: many rows into one table, by COPY on PostgreSQL and a prepared
 * INSERT per row on SQLite (docs/store-sql.md). Must run inside
 * ls_store_begin/commit; between begin and end no other statement may run on
 * the same store. table and columns are plain lower-case identifiers from
 * the program (never from input). Give each row's fields in column order
 * with ls_copy_<type>, then ls_copy_row. With LS_COPY_SKIP_DUPLICATES a row
 * that violates a unique key is skipped (ON CONFLICT DO NOTHING), even when
 * another process inserts the same key at the same time; without it such a
 * row fails the copy with LS_ERR_CONFLICT. Errors: LS_ERR_INTERNAL (misuse:
 * no transaction, wrong field count), LS_ERR_CONFLICT, LS_ERR_DB, LS_ERR_IO,
 * LS_ERR_NOMEM. Time O(rows). */
typedef struct ls_copy ls_copy;
#define LS_COPY_SKIP_DUPLICATES 1u
ls_status ls_store_copy_begin(ls_store *st, const char *table, const char *const *columns, size_t ncolumns,
                              unsigned flags, ls_copy **out, ls_error *err);
ls_status ls_copy_int64(ls_copy *c, int64_t v);
ls_status ls_copy_double(ls_copy *c, double v);
ls_status ls_copy_text(ls_copy *c, const char *v, size_t len); /* no NUL bytes inside */
ls_status ls_copy_blob(ls_copy *c, const void *v, size_t len);
ls_status ls_copy_null(ls_copy *c);
ls_status ls_copy_row(ls_copy *c, ls_error *err);
/* Finishes the copy and frees c. *stored (may be NULL): rows that went in,
 * i.e. rows given less duplicates skipped. On error the transaction must be
 * rolled back. */
ls_status ls_copy_end(ls_copy *c, int64_t *stored, ls_error *err);
void ls_copy_abort(ls_copy *c); /* accepts NULL; frees c; roll the transaction back after */

/* Convenience: runs a query expected to give one integer (e.g. COUNT(*)). */
ls_status ls_store_query_int64(ls_store *st, const char *sql, int64_t *out, ls_error *err);

#endif
