/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bulk-load object behind ls_store_copy_begin, shared by the front end
 * (store_copy.c) and the backends' optional copy hooks. */
#ifndef LINESIGHT_STORE_COPY_H
#define LINESIGHT_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "store_internal.h"

typedef enum ls__copy_type {
  LS__COPY_NULL,
  LS__COPY_INT64,
  LS__COPY_DOUBLE,
  LS__COPY_TEXT,
  LS__COPY_BLOB
} ls__copy_type;

/* One field of the current row; p/len point at the caller's bytes, valid only
 * for the duration of the copy_field call. */
typedef struct ls__copy_field {
  ls__copy_type type;
  int64_t i;
  double d;
  const void *p;
  size_t len;
} ls__copy_field;

struct ls_copy {
  ls_store *st;
  char *table;
  char **columns;
  size_t ncolumns;
  unsigned flags;
  size_t field;     /* fields given so far in the current row */
  ls_status failed; /* first error from a field call, reported by row/end */
  ls_stmt *insert;  /* the row-by-row fallback */
  int64_t stored;   /* fallback: rows inserted */
  void *impl;       /* backend state */
};

#endif
