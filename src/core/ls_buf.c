/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ls_buf.h"

#include <stdio.h>
#include <string.h>

#include "ls_mem.h"

void ls_buf_init(ls_buf *b, size_t limit) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->limit = limit;
}

void ls_buf_free(ls_buf *b) {
  ls_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void ls_buf_reset(ls_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

static ls_status reserve(ls_buf *b, size_t extra) {
  if (extra > b->limit || b->len > b->limit - extra)
    return LS_ERR_LIMIT;
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return LS_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  char *p = ls_realloc(b->data, cap);
  if (!p)
    return LS_ERR_NOMEM;
  b->data = p;
  b->cap = cap;
  return LS_OK;
}

ls_status ls_buf_append(ls_buf *b, const void *data, size_t len) {
  ls_status rc = reserve(b, len);
  if (rc)
    return rc;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return LS_OK;
}

ls_status ls_buf_puts(ls_buf *b, const char *s) { return ls_buf_append(b, s, strlen(s)); }

ls_status ls_buf_vprintf(ls_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return LS_ERR_INTERNAL;
  ls_status rc = reserve(b, (size_t)n);
  if (rc)
    return rc;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return LS_OK;
}

ls_status ls_buf_printf(ls_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ls_status rc = ls_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

const char *ls_buf_str(const ls_buf *b) { return b->data ? b->data : ""; }
