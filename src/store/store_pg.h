/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PostgreSQL backend (libpq): the backend table is ls__store_pg in
 * store_internal.h; this header has what the front end needs besides. */
#ifndef LINESIGHT_STORE_PG_H
#define LINESIGHT_STORE_PG_H

/* A copy of a postgresql:// URI with any password replaced by "***", fit to
 * print (ls_store_location, error messages). NULL when out of memory. */
char *ls__store_pg_redact(const char *uri);

#endif
