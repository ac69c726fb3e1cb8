/* SPDX-License-Identifier: GPL-3.0-or-later */
/* qsort and qsort_r for arrays that may be empty. The C library declares
 * their array argument nonnull even when there is nothing to sort, and an
 * empty result's array is often NULL: passing it is undefined behaviour
 * (UBSan stops there; found by exporting an empty analysis). These return
 * at once below two elements, so callers need no guard of their own;
 * scripts/checksrc keeps qsort itself out of src/. */
#ifndef LINESIGHT_LS_QSORT_H
#define LINESIGHT_LS_QSORT_H

#include <stdlib.h>

static inline void ls_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  if (n > 1)
    qsort(base, n, size, cmp);
}

static inline void ls_qsort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *),
                              void *ctx) {
  if (n > 1)
    qsort_r(base, n, size, cmp, ctx);
}

#endif
