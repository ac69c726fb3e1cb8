/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ls_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long fail_countdown; /* 0 = never fail */

void ls__mem_fail_after(unsigned long n) { fail_countdown = n; }

static int should_fail(void) {
  if (fail_countdown == 0)
    return 0;
  if (fail_countdown == 1)
    return 1; /* stays at 1: every later allocation fails too */
  fail_countdown--;
  return 0;
}

void *ls_malloc(size_t size) { return should_fail() ? NULL : malloc(size ? size : 1); }

void *ls_calloc(size_t n, size_t size) {
  if (should_fail())
    return NULL;
  return calloc(n ? n : 1, size ? size : 1);
}

void *ls_realloc(void *p, size_t size) {
  return should_fail() ? NULL : realloc(p, size ? size : 1);
}

void *ls_reallocarray(void *p, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size)
    return NULL;
  return ls_realloc(p, n * size);
}

/* Asks for transparent huge pages over the 2 MiB-aligned inside of a large
 * block (the kernel here runs THP in madvise mode): randomly probed tables
 * of tens of MB otherwise miss the TLB on nearly every probe. Advice only:
 * a refusal changes nothing. */
static void advise_huge_pages(void *p, size_t len) {
  const uintptr_t huge = (uintptr_t)2 << 20;
  uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
  uintptr_t hi = ((uintptr_t)p + len) & ~(huge - 1);
  if (hi > lo)
    madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void *ls_calloc_touched(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size)
    return NULL;
  void *p = ls_malloc(n * size);
  if (!p)
    return NULL;
  if (n * size >= ((size_t)4 << 20))
    advise_huge_pages(p, n * size);
  memset(p, 0, n * size);
  return p;
}

int ls_grow(void *arrayp, size_t n, size_t *cap, size_t size, size_t first_cap) {
  if (n < *cap)
    return 0;
  size_t c = *cap ? 2 * *cap : first_cap;
  void *old;
  memcpy(&old, arrayp, sizeof old);
  void *p = ls_reallocarray(old, c, size);
  if (!p)
    return -1;
  memcpy(arrayp, &p, sizeof p);
  *cap = c;
  return 0;
}

size_t ls_mem_release(const void *base, size_t from, size_t to) {
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t lo = ((uintptr_t)base + from + page - 1) & ~(page - 1);
  uintptr_t hi = ((uintptr_t)base + to) & ~(page - 1);
  if (hi <= lo || madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0)
    return 0;
  return (size_t)(hi - lo);
}

void ls_free(void *p) { free(p); }

char *ls_strndup(const char *s, size_t n) {
  char *out = ls_malloc(n + 1);
  if (!out)
    return NULL;
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

char *ls_strdup(const char *s) { return ls_strndup(s, strlen(s)); }
