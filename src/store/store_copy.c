/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bulk load front end: checks the call sequence once for every backend and
 * falls back to a prepared INSERT per row where a backend has no COPY (SQLite,
 * where that inside one transaction is already the fast path). */
#include <string.h>

#include "../core/ls_buf.h"
#include "../core/ls_mem.h"
#include "store_copy.h"
#include "store_sql.h"

static void copy_free(ls_copy *c) {
  if (!c)
    return;
  if (c->insert)
    c->st->be->finalize(c->insert);
  for (size_t i = 0; i < c->ncolumns; i++)
    ls_free(c->columns[i]);
  ls_free(c->columns);
  ls_free(c->table);
  ls_free(c);
}

/* "INSERT INTO t (a, b) VALUES (?, ?)" from checked identifiers. */
static ls_status fallback_begin(ls_copy *c, ls_error *err) {
  ls_buf sql;
  ls_buf_init(&sql, 64u * 1024u);
  ls_status rc = ls_buf_printf(&sql, "INSERT INTO %s (", c->table);
  for (size_t i = 0; i < c->ncolumns && rc == LS_OK; i++)
    rc = ls_buf_printf(&sql, "%s%s", i ? ", " : "", c->columns[i]);
  if (rc == LS_OK)
    rc = ls_buf_puts(&sql, ") VALUES (");
  for (size_t i = 0; i < c->ncolumns && rc == LS_OK; i++)
    rc = ls_buf_puts(&sql, i ? ", ?" : "?");
  if (rc == LS_OK)
    rc = ls_buf_puts(&sql, (c->flags & LS_COPY_SKIP_DUPLICATES) ? ") ON CONFLICT DO NOTHING RETURNING 1" : ")");
  if (rc)
    rc = LS_FAIL(err, rc, "cannot build the bulk insert for %s", c->table);
  else
    rc = ls_stmt_prepare(c->st, ls_buf_str(&sql), &c->insert, err);
  ls_buf_free(&sql);
  return rc;
}

ls_status ls_store_copy_begin(ls_store *st, const char *table, const char *const *columns, size_t ncolumns,
                              unsigned flags, ls_copy **out, ls_error *err) {
  *out = NULL;
  if (!st->in_tx)
    return LS_FAIL(err, LS_ERR_INTERNAL, "bulk copy into %s outside a transaction", table);
  if (st->copying)
    return LS_FAIL(err, LS_ERR_INTERNAL, "a bulk copy is already in progress");
  if (!ls__store_sql_identifier_ok(table) || ncolumns == 0)
    return LS_FAIL(err, LS_ERR_INTERNAL, "bulk copy: bad table name or no columns");
  for (size_t i = 0; i < ncolumns; i++)
    if (!ls__store_sql_identifier_ok(columns[i]))
      return LS_FAIL(err, LS_ERR_INTERNAL, "bulk copy into %s: bad column name", table);
  ls_status rc = LS_OK;
  ls_copy *c = ls_calloc(1, sizeof *c);
  if (!c)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting a bulk copy");
  c->st = st;
  c->flags = flags;
  c->table = ls_strdup(table);
  c->columns = ls_calloc(ncolumns, sizeof *c->columns);
  if (!c->table || !c->columns) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting a bulk copy");
    goto out;
  }
  for (size_t i = 0; i < ncolumns; i++) {
    c->columns[i] = ls_strdup(columns[i]);
    if (!c->columns[i]) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory starting a bulk copy");
      goto out;
    }
    c->ncolumns++;
  }
  rc = st->be->copy_begin ? st->be->copy_begin(c, err) : fallback_begin(c, err);
out:
  if (rc) {
    if (st->in_tx)
      st->tx_failed = 1;
    copy_free(c);
    return rc;
  }
  st->copying = 1;
  *out = c;
  return LS_OK;
}

static ls_status field(ls_copy *c, const ls__copy_field *f) {
  if (c->failed)
    return c->failed;
  ls_status rc = LS_OK;
  if (c->field >= c->ncolumns) {
    rc = LS_ERR_INTERNAL;
  } else if (c->st->be->copy_field) {
    rc = c->st->be->copy_field(c, f);
  } else {
    /* the backend's own calls: the front end refuses statements while a
     * copy is in progress, as PostgreSQL's COPY mode does */
    const ls__store_backend *be = c->st->be;
    int idx = (int)c->field + 1;
    switch (f->type) {
    case LS__COPY_NULL:
      rc = be->bind_null(c->insert, idx);
      break;
    case LS__COPY_INT64:
      rc = be->bind_int64(c->insert, idx, f->i);
      break;
    case LS__COPY_DOUBLE:
      rc = be->bind_double(c->insert, idx, f->d);
      break;
    case LS__COPY_TEXT:
      rc = be->bind_text(c->insert, idx, f->p, f->len);
      break;
    case LS__COPY_BLOB:
      rc = be->bind_blob(c->insert, idx, f->p, f->len);
      break;
    }
  }
  c->field++;
  if (rc)
    c->failed = rc;
  return rc;
}

ls_status ls_copy_int64(ls_copy *c, int64_t v) { return field(c, &(ls__copy_field){.type = LS__COPY_INT64, .i = v}); }
ls_status ls_copy_double(ls_copy *c, double v) { return field(c, &(ls__copy_field){.type = LS__COPY_DOUBLE, .d = v}); }
ls_status ls_copy_null(ls_copy *c) { return field(c, &(ls__copy_field){.type = LS__COPY_NULL}); }
ls_status ls_copy_text(ls_copy *c, const char *v, size_t len) {
  if (memchr(v, '\0', len))
    return c->failed ? c->failed : (c->failed = LS_ERR_INPUT);
  return field(c, &(ls__copy_field){.type = LS__COPY_TEXT, .p = v, .len = len});
}
ls_status ls_copy_blob(ls_copy *c, const void *v, size_t len) {
  return field(c, &(ls__copy_field){.type = LS__COPY_BLOB, .p = v, .len = len});
}

ls_status ls_copy_row(ls_copy *c, ls_error *err) {
  ls_status rc = c->failed;
  if (rc) {
    rc = LS_FAIL(err, rc, "bulk copy into %s: a field could not be added (%s)", c->table, ls_status_name(rc));
    goto out;
  }
  if (c->field != c->ncolumns) {
    rc = c->failed = LS_FAIL(err, LS_ERR_INTERNAL, "bulk copy into %s: row has %zu fields, table copy has %zu",
                             c->table, c->field, c->ncolumns);
    goto out;
  }
  c->field = 0;
  if (c->st->be->copy_row) {
    rc = c->st->be->copy_row(c, err);
  } else {
    rc = c->st->be->step(c->insert, err);
    if (rc == LS_ROW || (rc == LS_DONE && !(c->flags & LS_COPY_SKIP_DUPLICATES)))
      c->stored++;
    if (rc == LS_ROW || rc == LS_DONE)
      rc = c->st->be->reset(c->insert);
  }
  if (rc) {
    c->failed = rc;
    c->st->tx_failed = 1;
  }
out:
  return rc;
}

ls_status ls_copy_end(ls_copy *c, int64_t *stored, ls_error *err) {
  ls_status rc = c->failed;
  int64_t n = 0;
  if (rc) {
    rc = LS_FAIL(err, rc, "bulk copy into %s failed earlier (%s)", c->table, ls_status_name(rc));
    if (c->st->be->copy_abort)
      c->st->be->copy_abort(c);
  } else if (c->field != 0) {
    rc = LS_FAIL(err, LS_ERR_INTERNAL, "bulk copy into %s: unfinished row", c->table);
    if (c->st->be->copy_abort)
      c->st->be->copy_abort(c);
  } else if (c->st->be->copy_end) {
    rc = c->st->be->copy_end(c, &n, err);
  } else {
    n = c->stored;
  }
  c->st->copying = 0;
  if (rc)
    c->st->tx_failed = 1;
  else if (stored)
    *stored = n;
  copy_free(c);
  return rc;
}

void ls_copy_abort(ls_copy *c) {
  if (!c)
    return;
  if (c->st->be->copy_abort)
    c->st->be->copy_abort(c);
  c->st->copying = 0;
  c->st->tx_failed = 1;
  copy_free(c);
}
