/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A growable byte buffer with a hard size limit (curl's dynbuf idea): every
 * buffer that holds untrusted input has a ceiling from ls_limits.h, and
 * hitting it is an LS_ERR_LIMIT, not an unbounded allocation. */
#ifndef LINESIGHT_CORE_LS_BUF_H
#define LINESIGHT_CORE_LS_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "linesight/ls_error.h"

typedef struct ls_buf {
  char *data; /* always NUL-terminated when non-NULL */
  size_t len, cap, limit;
} ls_buf;

void ls_buf_init(ls_buf *b, size_t limit);
void ls_buf_free(ls_buf *b);
void ls_buf_reset(ls_buf *b); /* len = 0, keeps memory */
ls_status ls_buf_append(ls_buf *b, const void *data, size_t len);
ls_status ls_buf_puts(ls_buf *b, const char *s);
ls_status ls_buf_printf(ls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
ls_status ls_buf_vprintf(ls_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the contents ("" when empty); the buffer keeps ownership. */
const char *ls_buf_str(const ls_buf *b);

#endif
