/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Radix sort of 64-bit keys: the aggregation engine of the analysis.
 * Grouping 10M events by (number, contact, day) with a hash table costs a
 * cache miss per event; an LSD radix sort streams the keys through memory a
 * few times instead (11-bit digits keep the 2048 counters in L1), which is
 * what makes the feature pass several times faster than a SQL engine's
 * GROUP BY on the same data (docs/performance.md). */
#include <stdlib.h>
#include <string.h>

#include "analysis_internal.h"

#define DIGIT_BITS 11u
#define DIGIT_SIZE (1u << DIGIT_BITS)

unsigned ls__bits_for(uint64_t max_value) {
  unsigned b = 0;
  while (b < 64 && (max_value >> b) != 0)
    b++;
  return b ? b : 1;
}

/* Stable LSD radix sort on the low `bits` bits; O(n * ceil(bits / 11)).
 * The result ends in keys (an odd number of passes is copied back once). */
void ls__radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n, unsigned bits) {
  if (n < 2)
    return;
  if (bits > 64)
    bits = 64;
  uint64_t *src = keys, *dst = tmp;
  size_t count[DIGIT_SIZE];
  for (unsigned shift = 0; shift < bits; shift += DIGIT_BITS) {
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
      count[(src[i] >> shift) & (DIGIT_SIZE - 1)]++;
    /* a digit that is the same for every key needs no pass */
    if (count[(src[0] >> shift) & (DIGIT_SIZE - 1)] == n)
      continue;
    size_t sum = 0;
    for (unsigned d = 0; d < DIGIT_SIZE; d++) {
      size_t c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) {
      uint64_t k = src[i];
      dst[count[(k >> shift) & (DIGIT_SIZE - 1)]++] = k;
    }
    uint64_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != keys)
    memcpy(keys, src, n * sizeof *keys);
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

/* O(n log n). */
void ls__u32_sort(uint32_t *v, size_t n) {
  if (n > 1)
    qsort(v, n, sizeof *v, cmp_u32);
}

/* O(log n). */
int ls__u32_contains(const uint32_t *sorted, size_t n, uint32_t v) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sorted[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && sorted[lo] == v;
}
