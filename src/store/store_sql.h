/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Translation of linesight's portable SQL (written for SQLite, see
 * docs/store-sql.md) into PostgreSQL's dialect. The SQLite backend runs the
 * SQL as written; the PostgreSQL backend runs it through here first. */
#ifndef LINESIGHT_STORE_SQL_H
#define LINESIGHT_STORE_SQL_H

#include "linesight/ls_error.h"

/* The advisory lock key `BEGIN IMMEDIATE` takes on PostgreSQL: the bytes of
 * "linesigh" as a big-endian int64, so that other applications sharing the
 * database are unlikely to pick the same key. */
#define LS__STORE_PG_LOCK_KEY "7811896410657875816"

enum {
  LS__SQL_PREPARE = 1u, /* input is one statement for ls_stmt_prepare: `?` allowed */
};

/* What the translation found out about the SQL. */
typedef struct ls__sql_info {
  int nparams;   /* `?` placeholders, numbered $1..$n in order */
  int is_query;  /* one statement that only reads rows (SELECT, VALUES, WITH
                    without INSERT/UPDATE/DELETE): runs through a cursor */
  int is_empty;  /* nothing left to run (only PRAGMA statements) */
  /* one statement `CREATE TABLE IF NOT EXISTS name ...`: the name, so that
   * the backend can skip it when the table exists (PostgreSQL checks the
   * CREATE privilege before it checks existence) */
  char create_if_absent[64];
} ls__sql_info;

/* Translates `sql` into PostgreSQL. *out is allocated with ls_malloc (caller
 * frees with ls_free). Errors: LS_ERR_USAGE naming the non-portable
 * construct (INSERT OR REPLACE, sqlite_master, `?` in ls_store_exec, ...);
 * LS_ERR_NOMEM. Time O(length of sql). */
ls_status ls__store_sql_to_pg(const char *sql, unsigned flags, char **out, ls__sql_info *info,
                              ls_error *err);

/* Returns 1 if name is a plain lower-case identifier ([a-z_][a-z0-9_]*, at
 * most 63 bytes), the only table and column names the bulk-copy path accepts. */
int ls__store_sql_identifier_ok(const char *name);

#endif
