/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ls_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
