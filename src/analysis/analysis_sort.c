/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sorting and grouping: the aggregation engine of the analysis.
 *
 * Grouping 10M events by (number, contact, day) with a hash table costs a
 * cache miss per event. Two tools replace it:
 *   - an LSD radix sort of 64-bit keys (11-bit digits keep the 2048
 *     counters in L1), for keys that are few or need a global order;
 *   - buckets: a counting sort of values by a dense id (one counting pass
 *     and one scatter pass over the events), then a sort of each small
 *     bucket on its own. A bucket is a few to a few thousand values, so
 *     it sorts in cache; the whole costs two passes over the data, where a
 *     64-bit radix sort costs five or six, and half the scratch memory.
 * Bucket sorting splits by id range over the cores (ls__parallel); each
 * bucket is sorted by one thread, so the result does not depend on the
 * number of threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
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
 * All digit histograms come from one read pass; a digit that is the same
 * for every key needs no pass. The result ends in keys. */
void ls__radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n, unsigned bits) {
  if (n < 2)
    return;
  if (bits > 64)
    bits = 64;
  unsigned passes = (bits + DIGIT_BITS - 1) / DIGIT_BITS;
  /* 6 digits of 11 bits cover 64 bits; 96 KB of counters on the stack is
   * too much for some threads, so they live on the heap when possible */
  size_t (*count)[DIGIT_SIZE] = ls_calloc(passes, sizeof *count);
  size_t one[DIGIT_SIZE];
  uint64_t *src = keys, *dst = tmp;
  if (!count) {
    /* no memory for the histograms: one histogram pass per digit */
    for (unsigned shift = 0; shift < bits; shift += DIGIT_BITS) {
      memset(one, 0, sizeof one);
      for (size_t i = 0; i < n; i++)
        one[(src[i] >> shift) & (DIGIT_SIZE - 1)]++;
      if (one[(src[0] >> shift) & (DIGIT_SIZE - 1)] == n)
        continue;
      size_t sum = 0;
      for (unsigned d = 0; d < DIGIT_SIZE; d++) {
        size_t c = one[d];
        one[d] = sum;
        sum += c;
      }
      for (size_t i = 0; i < n; i++) {
        uint64_t k = src[i];
        dst[one[(k >> shift) & (DIGIT_SIZE - 1)]++] = k;
      }
      uint64_t *t = src;
      src = dst;
      dst = t;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      uint64_t k = keys[i];
      for (unsigned p = 0; p < passes; p++)
        count[p][(k >> (p * DIGIT_BITS)) & (DIGIT_SIZE - 1)]++;
    }
    for (unsigned p = 0; p < passes; p++) {
      unsigned shift = p * DIGIT_BITS;
      size_t *c = count[p];
      if (c[(src[0] >> shift) & (DIGIT_SIZE - 1)] == n)
        continue;
      size_t sum = 0;
      for (unsigned d = 0; d < DIGIT_SIZE; d++) {
        size_t x = c[d];
        c[d] = sum;
        sum += x;
      }
      for (size_t i = 0; i < n; i++) {
        uint64_t k = src[i];
        dst[c[(k >> shift) & (DIGIT_SIZE - 1)]++] = k;
      }
      uint64_t *t = src;
      src = dst;
      dst = t;
    }
    ls_free(count);
  }
  if (src != keys)
    memcpy(keys, src, n * sizeof *keys);
}

/* ---- sorting one small array ---------------------------------------------- */

static void insertion_sort(uint64_t *v, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint64_t x = v[i];
    size_t j = i;
    for (; j > 0 && v[j - 1] > x; j--)
      v[j] = v[j - 1];
    v[j] = x;
  }
}

/* Quicksort, median of three, Hoare partition (runs of equal values split
 * evenly, so duplicates cost no more than distinct values); the smaller
 * side recurses, so the stack is O(log n). O(n log n) expected. */
static void quick_sort(uint64_t *v, size_t n) {
  while (n > 24) {
    uint64_t a = v[0], b = v[n / 2], c = v[n - 1];
    uint64_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    size_t i = 0, j = n - 1;
    for (;;) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i >= j)
        break;
      uint64_t t = v[i];
      v[i] = v[j];
      v[j] = t;
      i++;
      j--;
    }
    /* [0, j] <= pivot <= [j + 1, n) */
    size_t left = j + 1;
    if (left < n - left) {
      quick_sort(v, left);
      v += left;
      n -= left;
    } else {
      quick_sort(v + left, n - left);
      n = left;
    }
  }
  insertion_sort(v, n);
}


/* O(n log n) for small n, O(n) for large; scratch (may be NULL) holds n
 * values when n >= LS__RADIX_MIN. */
void ls__sort_u64(uint64_t *v, size_t n, uint64_t *scratch, unsigned bits) {
  if (n >= LS__RADIX_MIN && scratch)
    ls__radix_sort_u64(v, scratch, n, bits);
  else
    quick_sort(v, n);
}

/* ---- memory ---------------------------------------------------------------- */

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Asks for 2 MB pages on the aligned inside of a large array that is read
 * or written at random (per-number records, buckets): with 4 KB pages
 * nearly every such access also misses the TLB. Advice only: nothing
 * changes if the kernel declines. O(1). */
void ls__advise_random(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (!p || bytes < 2 * HUGE_PAGE)
    return;
  uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
  if (hi > lo)
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}


/* ---- threads ------------------------------------------------------------------ */

/* Worker threads: the online cores, at most LS__MAX_THREADS. The machine
 * this was measured on has 2; more would only add start-up cost for the
 * passes here, which are memory bound. */
static unsigned threads_forced; /* tests: parts regardless of size; 0 = off */

void ls__threads_force(unsigned n) { threads_forced = n > LS__MAX_THREADS ? LS__MAX_THREADS : n; }

unsigned ls__threads(void) {
  if (threads_forced)
    return threads_forced;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1)
    return 1;
  return n > LS__MAX_THREADS ? LS__MAX_THREADS : (unsigned)n;
}

typedef struct par_job {
  void (*fn)(void *ctx, unsigned part, unsigned n_parts);
  void *ctx;
  unsigned part, n_parts;
} par_job;

static void *par_main(void *arg) {
  par_job *j = arg;
  j->fn(j->ctx, j->part, j->n_parts);
  return NULL;
}

/* Runs fn(ctx, part, n_parts) for every part, parts 1.. on new threads and
 * part 0 on the caller's; a thread that cannot be started runs its part on
 * the caller's thread afterwards, so the work is always done. */
void ls__parallel(unsigned n_parts, void (*fn)(void *ctx, unsigned part, unsigned n_parts), void *ctx) {
  pthread_t th[LS__MAX_THREADS];
  par_job job[LS__MAX_THREADS];
  int started[LS__MAX_THREADS] = {0};
  if (n_parts < 1)
    n_parts = 1;
  if (n_parts > LS__MAX_THREADS)
    n_parts = LS__MAX_THREADS;
  for (unsigned p = 0; p < n_parts; p++)
    job[p] = (par_job){fn, ctx, p, n_parts};
  for (unsigned p = 1; p < n_parts; p++)
    started[p] = pthread_create(&th[p], NULL, par_main, &job[p]) == 0;
  fn(ctx, 0, n_parts);
  for (unsigned p = 1; p < n_parts; p++) {
    if (started[p])
      pthread_join(th[p], NULL);
    else
      fn(ctx, p, n_parts);
  }
}

/* ---- buckets --------------------------------------------------------------------- */

/* The first and last+1 of n items in part `part` of n_parts. O(1). */
void ls__range(size_t n, unsigned part, unsigned n_parts, size_t *lo, size_t *hi) {
  *lo = n / n_parts * part + (part < n % n_parts ? part : n % n_parts);
  *hi = *lo + n / n_parts + (part < n % n_parts);
}

/* Parts for a pass over n items: one per core, but one for small inputs,
 * where starting a thread costs more than it saves. O(1). */
unsigned ls__parts_for(size_t n) {
  if (threads_forced)
    return threads_forced;
  return n < LS__PARALLEL_MIN ? 1 : ls__threads();
}

static ls_status buckets_init(ls__buckets *b, uint32_t n_ids, unsigned n_parts) {
  memset(b, 0, sizeof *b);
  b->n_ids = n_ids;
  b->n_parts = n_parts;
  b->off = ls_calloc((size_t)n_ids + 1, sizeof *b->off);
  b->cur = ls_calloc((size_t)n_parts * ((size_t)n_ids + 1), sizeof *b->cur);
  if (!b->off || !b->cur)
    return LS_ERR_NOMEM;
  ls__advise_random(b->cur, (size_t)n_parts * ((size_t)n_ids + 1) * sizeof *b->cur);
  return LS_OK;
}

/* Counts per part become write cursors: bucket id starts after all
 * smaller ids, and within it part p's values follow parts 0..p-1's, so the
 * values land in the order the items were counted. O(ids * parts). */
static ls_status buckets_alloc(ls__buckets *b) {
  size_t run = 0, stride = (size_t)b->n_ids + 1;
  for (uint32_t id = 0; id < b->n_ids; id++) {
    b->off[id] = run;
    for (unsigned p = 0; p < b->n_parts; p++) {
      size_t c = b->cur[p * stride + id];
      b->cur[p * stride + id] = run;
      run += c;
    }
  }
  b->off[b->n_ids] = run;
  b->n = run;
  b->vals = ls_malloc((run + 1) * sizeof *b->vals);
  return b->vals ? LS_OK : LS_ERR_NOMEM;
}

typedef struct bpass_job {
  ls__buckets *b;
  ls__bucket_pass pass;
  void *ctx;
  int fill;
} bpass_job;

static void bpass_part(void *ctx, unsigned part, unsigned n_parts) {
  bpass_job *j = ctx;
  j->pass(j->ctx, j->b, part, n_parts, j->fill);
}

ls_status ls__buckets_build(ls__buckets *b, uint32_t n_ids, size_t n_items, ls__bucket_pass pass, void *ctx,
                            unsigned bits) {
  unsigned parts = ls__parts_for(n_items);
  ls_status rc = buckets_init(b, n_ids, parts);
  if (rc)
    return rc;
  bpass_job j = {b, pass, ctx, 0};
  ls__parallel(parts, bpass_part, &j);
  rc = buckets_alloc(b);
  if (rc)
    return rc;
  j.fill = 1;
  ls__parallel(parts, bpass_part, &j);
  ls_free(b->cur);
  b->cur = NULL;
  if (bits)
    ls__buckets_sort(b, bits);
  return LS_OK;
}

void ls__buckets_release(ls__buckets *b, size_t *done, size_t upto) {
  if (upto - *done < ((size_t)1 << 20))
    return;
  (void)ls_mem_release(b->vals, *done * sizeof *b->vals, upto * sizeof *b->vals);
  *done = upto;
}

void ls__buckets_split(const ls__buckets *b, unsigned parts, uint32_t *cut) {
  cut[0] = 0;
  uint32_t id = 0;
  for (unsigned p = 1; p < parts; p++) {
    size_t want = b->n / parts * p;
    while (id < b->n_ids && b->off[id] < want)
      id++;
    cut[p] = id;
  }
  cut[parts] = b->n_ids;
}

typedef struct bsort_job {
  ls__buckets *b;
  unsigned bits;
  uint32_t *cut; /* [n_parts + 1] id boundaries */
} bsort_job;

static void bsort_part(void *ctx, unsigned part, unsigned n_parts) {
  (void)n_parts;
  bsort_job *j = ctx;
  const ls__buckets *b = j->b;
  uint64_t *scratch = NULL;
  size_t cap = 0;
  for (uint32_t id = j->cut[part]; id < j->cut[part + 1]; id++) {
    size_t lo = b->off[id], n = b->off[id + 1] - lo;
    if (n >= LS__RADIX_MIN && n > cap) {
      ls_free(scratch);
      scratch = ls_malloc(n * sizeof *scratch);
      cap = scratch ? n : 0; /* without scratch: quicksort */
    }
    ls__sort_u64(b->vals + lo, n, scratch, j->bits);
  }
  ls_free(scratch);
}

/* Each bucket sorted by one thread, the id range split into parts of
 * about equal numbers of values. */
void ls__buckets_sort(ls__buckets *b, unsigned bits) {
  uint32_t cut[LS__MAX_THREADS + 1];
  unsigned parts = ls__parts_for(b->n);
  ls__buckets_split(b, parts, cut);
  bsort_job j = {b, bits, cut};
  ls__parallel(parts, bsort_part, &j);
}

void ls__buckets_free(ls__buckets *b) {
  ls_free(b->off);
  ls_free(b->cur);
  ls_free(b->vals);
  memset(b, 0, sizeof *b);
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

/* O(n log n). */
void ls__u32_sort(uint32_t *v, size_t n) {
  if (n > 1)
    ls_qsort(v, n, sizeof *v, cmp_u32);
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
