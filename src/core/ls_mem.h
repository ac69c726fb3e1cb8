/* SPDX-License-Identifier: GPL-3.0-or-later */
/* All allocation goes through these wrappers (as curl's curlx_* and libuv's
 * uv__malloc): one place to count, limit or fail allocations in tests.
 * They return NULL on failure and never abort; callers map NULL to
 * LS_ERR_NOMEM. */
#ifndef LINESIGHT_CORE_LS_MEM_H
#define LINESIGHT_CORE_LS_MEM_H

#include <stddef.h>

void *ls_malloc(size_t size);
void *ls_calloc(size_t n, size_t size);
void *ls_realloc(void *p, size_t size);
/* realloc of n*size bytes with overflow check. */
void *ls_reallocarray(void *p, size_t n, size_t size);
/* calloc for large hash tables that are probed (read) before they are
 * written: the memory is zeroed by writing it, so its pages are faulted in
 * writable at once. With calloc's fresh pages a first read maps the shared
 * zero page and the first write then copies it, flushing the TLB of every
 * core the process runs on: perf put those flushes at ~12% of a 10M-row
 * ingest on two threads. */
void *ls_calloc_touched(size_t n, size_t size);
/* Room for one more element in a growable array: when *n == *cap, the
 * array at *arrayp (a T **) grows to twice *cap, or first_cap elements of
 * `size` bytes. Returns 0, or -1 when out of memory (the array is then
 * unchanged). Amortised O(1). Use: if (ls_grow(&v, n, &cap, sizeof *v, 64))
 * fail; v[n++] = x; */
int ls_grow(void *arrayp, size_t n, size_t *cap, size_t size, size_t first_cap);
/* Gives the whole pages of bytes [from, to) of base back to the system
 * (MADV_DONTNEED): anonymous memory reads as zeros afterwards, a private
 * file mapping maps the file again. For data read once, front to back, so
 * it does not add to the peak of what replaces it. Returns the bytes given
 * back (0 when the range holds no whole page or the advice fails). O(pages). */
size_t ls_mem_release(const void *base, size_t from, size_t to);
void ls_free(void *p);
char *ls_strdup(const char *s);
char *ls_strndup(const char *s, size_t n);

/* Test hook (torture mode): the n-th allocation from now on, and every one
 * after it, fails. n = 0 switches failure injection off. */
void ls__mem_fail_after(unsigned long n);

#endif
