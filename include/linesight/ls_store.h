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

/* Convenience: runs a query expected to give one integer (e.g. COUNT(*)). */
ls_status ls_store_query_int64(ls_store *st, const char *sql, int64_t *out, ls_error *err);

#endif
