/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Roles around each line (DOMAIN.md, "Cues analysts use"):
 *   holder    in contact with the line's phones over many days, but located
 *             away from where the line deals (the origin city), and not
 *             co-located with the line phone;
 *   runners   co-located with the line phone (same cell in the same hour) on
 *             several days, and seen away from the line's area too (they
 *             travel between origin and destination);
 *   customers numbers that contacted a line number themselves.
 * Places: a cell's area from the cells table when known, else the cell
 * itself; a line's destination is where its phones are seen, its origin
 * where its holders are. */
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "analysis_internal.h"

/* A holder talks to the line over days, not once: at least HOLDER_MIN_EVENTS
 * events on HOLDER_MIN_DAYS days with the line's numbers. */
#define HOLDER_MIN_EVENTS 5u
#define HOLDER_MIN_DAYS 2u
/* Located away from the destination: at most this share of the (place,
 * day) pairs it was located on in the line's destination places. */
#define HOLDER_MAX_DEST_SHARE 0.25
/* A runner is co-located with the line phone on several days. */
#define RUNNER_MIN_DAYS 2u
/* ... travels: at least this share of its located events are away from the
 * destination (a local who happens to share a cell with the phone is not)... */
#define RUNNER_MIN_AWAY 0.05
/* ... and is with the phone for most of its time there: at least this share
 * of its located events in the destination are in the phone's cell in the
 * same hour. Measured on seed-1 worlds: runners 0.62-1.0, other co-located
 * numbers (locals who share a cell by chance) at most 0.29. */
#define RUNNER_MIN_COLOC_SHARE 0.4
/* ... and is tied to the line's holder: this many events with a holder
 * (runners report to the holder; DOMAIN.md: the holder's numbers are among
 * the phone's contacts). A line with no holder found falls back to the
 * origin: this share of its located events in the holders' place. Seen in
 * the origin alone is not enough when a holder is known: on the training
 * worlds (seeds 101-110) every runner named that way and not in contact
 * with the holder (38) was someone of the origin on a trip to the
 * destination, in a busy cell at the same hour as the phone twice; the
 * holder rule lost no true runner. */
#define RUNNER_MIN_ORIGIN 0.05
#define RUNNER_MIN_HOLDER_EVENTS 2u
/* A line's destination: the places that together hold this share of its
 * customers' located events (customers live and buy in the county town;
 * the rest are trips). */
#define DEST_COVER 0.8
/* Customers profiled for a line's destinations: all of them up to this
 * many, else a sample of this many (those whose numbers hash lowest: the
 * same whatever the order of the input). DOMAIN.md's largest line had
 * 2,214 contacts over 450 days, so a real line is never sampled; a number
 * scored as a line with hundreds of thousands of contacts (a service
 * number in a big data request, the busiest numbers of the random bench
 * file) would otherwise make the place profiles cover most of the
 * numbers, and 5,000 customers already place a town's share to within
 * about a percent. */
#define DEST_SAMPLE 5000u

/* ---- a small open-addressing map u64 -> u32 ------------------------------- */

typedef struct u64map {
  uint64_t *keys; /* key + 1; 0 = empty */
  uint32_t *vals;
  size_t mask, n;
} u64map;

static ls_status map_init(u64map *m, size_t expect) {
  size_t cap = 64;
  while (cap < expect * 2)
    cap <<= 1;
  m->keys = ls_calloc(cap, sizeof *m->keys);
  m->vals = ls_malloc(cap * sizeof *m->vals);
  m->mask = cap - 1;
  m->n = 0;
  return m->keys && m->vals ? LS_OK : LS_ERR_NOMEM;
}

static void map_free(u64map *m) {
  ls_free(m->keys);
  ls_free(m->vals);
}

static inline uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

/* Finds key; returns its value slot or NULL. O(1) expected. */
static uint32_t *map_get(const u64map *m, uint64_t key) {
  for (size_t i = mix(key) & m->mask;; i = (i + 1) & m->mask) {
    if (m->keys[i] == 0)
      return NULL;
    if (m->keys[i] == key + 1)
      return &m->vals[i];
  }
}

/* Inserts key (value v) unless present; returns the slot. The caller sized
 * the map for every key (load <= 1/2). */
static uint32_t *map_put(u64map *m, uint64_t key, uint32_t v) {
  size_t i = mix(key) & m->mask;
  for (; m->keys[i] != 0; i = (i + 1) & m->mask)
    if (m->keys[i] == key + 1)
      return &m->vals[i];
  m->keys[i] = key + 1;
  m->vals[i] = v;
  m->n++;
  return &m->vals[i];
}

/* ---- places ---------------------------------------------------------------- */

/* Maps every cell to a place: its area when the cells table names one, else
 * the cell on its own. O(cells + ref cells). */
static ls_status places_build(ls_analysis *a, ls_error *err) {
  const ls_events *ev = a->ev;
  ls_dict areas;
  ls_dict_init(&areas);
  ls_status rc = LS_OK;
  a->n_cells = ev->cells.count;
  a->cell_place = ls_malloc(((size_t)a->n_cells + 1) * sizeof *a->cell_place);
  if (!a->cell_place) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t c = 0; c < a->n_cells; c++)
    a->cell_place[c] = LS__NONE;
  const ls_refdata *ref = a->opts.ref;
  for (size_t i = 0; ref && i < ref->n_cells && rc == LS_OK; i++) {
    const ls_cell *cell = &ref->cells[i];
    uint32_t id, area;
    if (!cell->area || !cell->area[0] || !cell->cell_id)
      continue;
    if (ls_dict_find(&ev->cells, cell->cell_id, strlen(cell->cell_id), &id) != LS_OK)
      continue;
    rc = ls_dict_intern(&areas, cell->area, strlen(cell->area), &area);
    if (rc == LS_OK)
      a->cell_place[id] = area;
  }
  if (rc)
    goto out;
  uint32_t next = areas.count;
  for (uint32_t c = 0; c < a->n_cells; c++)
    if (a->cell_place[c] == LS__NONE)
      a->cell_place[c] = next++;
  a->n_places = next;
  a->place_name = ls_calloc((size_t)next + 1, sizeof *a->place_name);
  if (!a->place_name) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t p = 0; p < areas.count; p++) {
    a->place_name[p] = ls_strdup(ls_dict_str(&areas, p));
    if (!a->place_name[p]) {
      rc = LS_ERR_NOMEM;
      goto out;
    }
  }
out:
  ls_dict_free(&areas);
  if (rc)
    LS_FAIL(err, rc, "analysis: out of memory for places");
  return rc;
}

/* ---- per-number place profiles ---------------------------------------------- */

typedef struct profile {
  uint32_t *off;   /* [n_subjects + 1] into place/count */
  uint32_t *place; /* place ids, ascending within a subject */
  uint32_t *count; /* located events there */
  uint32_t *days;  /* distinct days located there */
  uint32_t *total; /* [n_subjects] located events */
  uint32_t *total_days; /* [n_subjects] distinct (place, day) pairs */
} profile;

/* Values in a profile bucket: place << PROFILE_DAY_BITS | day of the event
 * (days since the window's first midnight; 65,536 days is 179 years). */
#define PROFILE_DAY_BITS 16

static void profile_free(profile *p) {
  ls_free(p->off);
  ls_free(p->place);
  ls_free(p->count);
  ls_free(p->days);
  ls_free(p->total);
  ls_free(p->total_days);
  memset(p, 0, sizeof *p);
}

typedef struct profile_ctx {
  const ls_analysis *a;
  const uint32_t *subj;
} profile_ctx;

/* One part of the events: the place and day of every located end of a
 * subject, into the subject's bucket. */
static void profile_pass(void *ctx, ls__buckets *b, unsigned part, unsigned n_parts, int fill) {
  const profile_ctx *pc = ctx;
  const ls_analysis *a = pc->a;
  const ls_events *ev = a->ev;
  const uint32_t *subj = pc->subj;
  size_t lo, hi;
  ls__range(ev->count, part, n_parts, &lo, &hi);
  for (size_t i = lo; i < hi; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    uint32_t s1 = subj[ev->caller[i]], s2 = subj[ev->callee[i]];
    uint64_t day = (uint64_t)((ev->start[i] - a->day0) / 86400) & ((1u << PROFILE_DAY_BITS) - 1);
    if (s1 != LS__NONE && ev->caller_cell[i] != LS_NO_ID) {
      if (fill)
        ls__buckets_put(b, part, s1, (uint64_t)a->cell_place[ev->caller_cell[i]] << PROFILE_DAY_BITS | day);
      else
        ls__buckets_count(b, part, s1);
    }
    if (s2 != LS__NONE && ev->callee_cell[i] != LS_NO_ID) {
      if (fill)
        ls__buckets_put(b, part, s2, (uint64_t)a->cell_place[ev->callee_cell[i]] << PROFILE_DAY_BITS | day);
      else
        ls__buckets_count(b, part, s2);
    }
  }
}

/* Place histogram of each subject (subj[number] = subject index or NONE):
 * the places and days of the subjects' located event ends in buckets by
 * subject, each sorted, folded into (place, events, days) runs. O(E + K)
 * for K located event ends of subjects, split over the cores. */
static ls_status profile_build(const ls_analysis *a, const uint32_t *subj, uint32_t n_subj, profile *pr) {
  ls_status rc = LS_OK;
  ls__buckets bk;
  memset(pr, 0, sizeof *pr);
  profile_ctx pc = {a, subj};
  rc = ls__buckets_build(&bk, n_subj, a->ev->count, profile_pass, &pc,
                         ls__bits_for(a->n_places) + PROFILE_DAY_BITS);
  pr->off = ls_calloc((size_t)n_subj + 1, sizeof *pr->off);
  pr->total = ls_calloc((size_t)n_subj + 1, sizeof *pr->total);
  pr->total_days = ls_calloc((size_t)n_subj + 1, sizeof *pr->total_days);
  if (rc || !pr->off || !pr->total || !pr->total_days) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t runs = 0;
  for (uint32_t s = 0; s < n_subj; s++)
    for (size_t i = bk.off[s]; i < bk.off[s + 1]; i++)
      runs += i == bk.off[s] || bk.vals[i] >> PROFILE_DAY_BITS != bk.vals[i - 1] >> PROFILE_DAY_BITS;
  pr->place = ls_malloc((runs + 1) * sizeof *pr->place);
  pr->count = ls_malloc((runs + 1) * sizeof *pr->count);
  pr->days = ls_malloc((runs + 1) * sizeof *pr->days);
  if (!pr->place || !pr->count || !pr->days) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  /* the fold reads the buckets once, in order: their pages go back as
   * the profile fills */
  size_t r = 0, released = 0;
  for (uint32_t s = 0; s < n_subj; s++) {
    ls__buckets_release(&bk, &released, bk.off[s]);
    pr->off[s] = (uint32_t)r;
    for (size_t i = bk.off[s]; i < bk.off[s + 1];) {
      size_t j = i;
      uint32_t days = 0;
      for (; j < bk.off[s + 1] && bk.vals[j] >> PROFILE_DAY_BITS == bk.vals[i] >> PROFILE_DAY_BITS; j++)
        days += j == i || bk.vals[j] != bk.vals[j - 1];
      pr->place[r] = (uint32_t)(bk.vals[i] >> PROFILE_DAY_BITS);
      pr->count[r] = (uint32_t)(j - i);
      pr->days[r] = days;
      pr->total[s] += (uint32_t)(j - i);
      pr->total_days[s] += days;
      r++;
      i = j;
    }
  }
  pr->off[n_subj] = (uint32_t)r;
out:
  ls__buckets_free(&bk);
  return rc;
}

/* Located events of subject s in the marked places. O(places of s). */
static uint32_t profile_in(const profile *pr, uint32_t s, const uint8_t *mark) {
  uint32_t in = 0;
  for (uint32_t k = pr->off[s]; k < pr->off[s + 1]; k++)
    if (mark[pr->place[k]])
      in += pr->count[k];
  return in;
}

/* Days subject s was located in the marked places (a day in two places
 * counts in both). O(places of s). */
static uint32_t profile_days_in(const profile *pr, uint32_t s, const uint8_t *mark) {
  uint32_t in = 0;
  for (uint32_t k = pr->off[s]; k < pr->off[s + 1]; k++)
    if (mark[pr->place[k]])
      in += pr->days[k];
  return in;
}

/* Marks (v = 1) or unmarks (v = 0) a line's destinations. O(dests). */
static void mark_dests(uint8_t *mark, const ls__line *L, uint8_t v) {
  for (size_t i = 0; i < L->n_dests; i++)
    mark[L->dests[i]] = v;
}

/* Per line, the largest number hash among the customers profiled for its
 * destinations (DEST_SAMPLE): UINT64_MAX for a line of up to DEST_SAMPLE
 * customers, else the DEST_SAMPLE-th smallest. NULL when out of memory.
 * O(C log C) for the customers of sampled lines. */
static uint64_t *customer_samples(const ls_analysis *a) {
  uint64_t *cut = ls_malloc((a->n_lines + 1) * sizeof *cut), *h = NULL;
  size_t cap = 0;
  for (size_t l = 0; cut && l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    cut[l] = UINT64_MAX;
    if (L->n_customers <= DEST_SAMPLE)
      continue;
    if (L->n_customers > cap) {
      uint64_t *p = ls_reallocarray(h, L->n_customers, sizeof *p);
      if (!p) {
        ls_free(cut);
        cut = NULL;
        break;
      }
      h = p;
      cap = L->n_customers;
    }
    for (size_t i = 0; i < L->n_customers; i++)
      h[i] = a->numbers.hashes[L->customers[i]];
    ls__sort_u64(h, L->n_customers, NULL, 64);
    cut[l] = h[DEST_SAMPLE - 1];
  }
  ls_free(h);
  return cut;
}

/* ---- destinations ------------------------------------------------------------- */

typedef struct place_count {
  uint32_t place;
  uint64_t count;
} place_count;

static int by_count_desc(const void *x, const void *y) {
  const place_count *a = x, *b = y;
  if (a->count != b->count)
    return (a->count < b->count) - (a->count > b->count);
  return (a->place > b->place) - (a->place < b->place);
}

/* Destinations of every line: where its customers are (DESIGN.md: a line is
 * worked in a county town and sells there). The places holding the most of
 * the customers' located events, most used first, until DEST_COVER of
 * those events are covered; a line whose customers were never located falls
 * back on its own phones. The line phone is not used first because it goes
 * back to the origin with a runner on a night at home. The counts add up
 * in an array over places, so a line costs its customers' profile entries
 * plus a sort of the places it touches. */
static ls_status destinations(ls_analysis *a, const profile *pr, const uint32_t *subj, const uint64_t *cut) {
  ls_status rc = LS_OK;
  uint64_t *acc = ls_calloc((size_t)a->n_places + 1, sizeof *acc);
  place_count *pc = ls_malloc(((size_t)a->n_places + 1) * sizeof *pc);
  if (!acc || !pc) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (size_t l = 0; l < a->n_lines; l++) {
    ls__line *L = &a->lines[l];
    const uint32_t *who = L->customers;
    size_t n_who = L->n_customers;
    uint64_t located = 0, limit = cut[l];
    for (size_t i = 0; i < n_who; i++)
      if (a->numbers.hashes[who[i]] <= limit)
        located += pr->total[subj[who[i]]];
    if (located == 0) {
      who = L->numbers;
      n_who = L->n_numbers;
      limit = UINT64_MAX;
    }
    size_t m = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < n_who; i++) {
      if (a->numbers.hashes[who[i]] > limit)
        continue; /* not in the line's sample */
      uint32_t s = subj[who[i]];
      for (uint32_t k = pr->off[s]; k < pr->off[s + 1]; k++) {
        uint32_t p = pr->place[k];
        if (acc[p] == 0)
          pc[m++].place = p;
        acc[p] += pr->count[k];
        total += pr->count[k];
      }
    }
    for (size_t j = 0; j < m; j++) {
      pc[j].count = acc[pc[j].place];
      acc[pc[j].place] = 0;
    }
    ls_qsort(pc, m, sizeof *pc, by_count_desc);
    L->dests = ls_malloc((m + 1) * sizeof *L->dests);
    if (!L->dests) {
      rc = LS_ERR_NOMEM;
      goto out;
    }
    uint64_t covered = 0;
    for (size_t j = 0; j < m && covered < DEST_COVER * (double)total; j++) {
      L->dests[L->n_dests++] = pc[j].place;
      covered += pc[j].count;
    }
  }
out:
  ls_free(acc);
  ls_free(pc);
  return rc;
}

/* ---- co-location ------------------------------------------------------------------ */

typedef struct coloc {
  uint32_t line, number, days, events;
} coloc;

/* Map value of a (cell, hour) that tells nothing: phones of two lines were
 * there, or it is outside the line's destination. */
#define UNUSABLE (LS__NONE - 1)

typedef struct key_list {
  uint64_t *v;
  size_t n, cap;
} key_list;

static ls_status key_push(key_list *k, uint64_t x) {
  if (ls_grow(&k->v, k->n, &k->cap, sizeof *k->v, 4096))
    return LS_ERR_NOMEM;
  k->v[k->n++] = x;
  return LS_OK;
}

/* The (cell, hour) -> line map of the line phones' whereabouts, in one of
 * two forms. When a bit per (cell, hour) costs at most a byte an event, a
 * ranked bitmap: bit (cell, hour) set where a line phone was, the value
 * of the k-th set bit at vals[k] (k from a prefix count per 64-bit word
 * and a popcount), so a lookup is three array reads and no probing, and
 * the values take 4 bytes a key (the hash map took 12 bytes a slot at a
 * load of at most one half, and its random probes made the co-location
 * pass grow faster than the events: 0.4 s at 10M events, 3.0 s at 50M,
 * bench file). Otherwise (many cells, a long window) the hash map. */
typedef struct cellhour_map {
  int ranked;
  uint64_t n_hours;
  uint64_t *bits;   /* ranked: presence, a bit per (cell, hour) */
  uint32_t *rank;   /* ranked: set bits before each word */
  uint32_t *vals;   /* ranked: a value per set bit */
  u64map m;         /* hashed: key cell << 24 | hour */
} cellhour_map;

static uint64_t ch_bit(const cellhour_map *c, uint32_t cell, uint64_t hour) {
  return (uint64_t)cell * c->n_hours + hour;
}

/* The value slot of (cell, hour), or NULL where no line phone was. O(1). */
static uint32_t *ch_get(const cellhour_map *c, uint32_t cell, uint64_t hour) {
  if (!c->ranked)
    return map_get(&c->m, ((uint64_t)cell << 24) | hour);
  uint64_t b = ch_bit(c, cell, hour), w = c->bits[b / 64], below = w & ((1ull << (b % 64)) - 1);
  if (!(w & (1ull << (b % 64))))
    return NULL;
  return &c->vals[c->rank[b / 64] + (uint32_t)__builtin_popcountll(below)];
}

static void ch_free(cellhour_map *c) {
  ls_free(c->bits);
  ls_free(c->rank);
  ls_free(c->vals);
  map_free(&c->m);
}

/* A line phone of `line` was in (cell, hour): the slot keeps the line, or
 * UNUSABLE once phones of two lines were there. */
static void ch_put_line(uint32_t *v, uint32_t line) {
  if (*v == LS__NONE)
    *v = line;
  else if (*v != line)
    *v = UNUSABLE;
}

/* One located end of a line phone's event: its (cell, hour) and line. */
typedef struct phone_seen {
  uint32_t cell, line;
  uint64_t hour;
} phone_seen;

/* Builds the map from the line phones' located events in the window: one
 * pass over all events collects them (a few percent of the events for real
 * lines), then the keys (bits, or the hash map sized for them) and, for
 * the ranked form, the ranks and the values. O(E + K + cells x hours / 64)
 * for K line-phone event ends. */
static ls_status ch_build(const ls_analysis *a, const uint32_t *dline, cellhour_map *c) {
  const ls_events *ev = a->ev;
  memset(c, 0, sizeof *c);
  c->n_hours = (uint64_t)(a->tmax - a->tmin) / 3600 + 1;
  size_t n = 0, cap = 0;
  phone_seen *seen = NULL;
  ls_status rc = LS_OK;
  for (size_t i = 0; i < ev->count && rc == LS_OK; i++) {
    int64_t t = ev->start[i];
    if (t < a->opts.from || t >= a->opts.to)
      continue;
    for (int side = 0; side < 2; side++) {
      uint32_t num = side ? ev->callee[i] : ev->caller[i];
      uint32_t cell = side ? ev->callee_cell[i] : ev->caller_cell[i];
      if (dline[num] == LS__NONE || cell == LS_NO_ID)
        continue;
      if (ls_grow(&seen, n, &cap, sizeof *seen, 4096)) {
        rc = LS_ERR_NOMEM;
        break;
      }
      seen[n++] = (phone_seen){cell, dline[num], (uint64_t)(t - a->tmin) / 3600};
    }
  }
  if (rc)
    goto out;
  /* the bitmap costs at most a byte an event */
  c->ranked = a->n_cells && c->n_hours <= (a->n_events * 8 + 64) / a->n_cells;
  if (!c->ranked) {
    if (map_init(&c->m, n + 1)) {
      rc = LS_ERR_NOMEM;
      goto out;
    }
    for (size_t k = 0; k < n; k++)
      ch_put_line(map_put(&c->m, ((uint64_t)seen[k].cell << 24) | seen[k].hour, LS__NONE), seen[k].line);
    goto out;
  }
  size_t words = (size_t)((a->n_cells * c->n_hours + 63) / 64);
  c->bits = ls_calloc(words + 1, sizeof *c->bits);
  c->rank = ls_malloc((words + 1) * sizeof *c->rank);
  if (!c->bits || !c->rank) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (size_t k = 0; k < n; k++) {
    uint64_t b = ch_bit(c, seen[k].cell, seen[k].hour);
    c->bits[b / 64] |= 1ull << (b % 64);
  }
  uint32_t run = 0; /* ranks, then a value per key */
  for (size_t w = 0; w < words; w++) {
    c->rank[w] = run;
    run += (uint32_t)__builtin_popcountll(c->bits[w]);
  }
  c->vals = ls_malloc(((size_t)run + 1) * sizeof *c->vals);
  if (!c->vals) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t k = 0; k < run; k++)
    c->vals[k] = LS__NONE;
  for (size_t k = 0; k < n; k++)
    ch_put_line(ch_get(c, seen[k].cell, seen[k].hour), seen[k].line);
out:
  ls_free(seen);
  return rc;
}

/* Marks UNUSABLE every (cell, hour) outside its line's destination. */
static void ch_keep_destinations(const ls_analysis *a, cellhour_map *c, uint32_t *const *dest_sorted) {
  if (!c->ranked) {
    for (size_t k = 0; k <= c->m.mask; k++) {
      if (c->m.keys[k] == 0 || c->m.vals[k] == UNUSABLE)
        continue;
      uint32_t cell = (uint32_t)((c->m.keys[k] - 1) >> 24), line = c->m.vals[k];
      if (!ls__u32_contains(dest_sorted[line], a->lines[line].n_dests, a->cell_place[cell]))
        c->m.vals[k] = UNUSABLE;
    }
    return;
  }
  size_t words = (size_t)((a->n_cells * c->n_hours + 63) / 64);
  for (size_t w = 0; w < words; w++)
    for (uint64_t x = c->bits[w]; x; x &= x - 1) {
      uint64_t b = w * 64 + (uint64_t)__builtin_ctzll(x);
      uint32_t cell = (uint32_t)(b / c->n_hours);
      uint32_t *v = ch_get(c, cell, b % c->n_hours);
      if (*v != UNUSABLE && !ls__u32_contains(dest_sorted[*v], a->lines[*v].n_dests, a->cell_place[cell]))
        *v = UNUSABLE;
    }
}

typedef struct coloc_ctx {
  const ls_analysis *a;
  const uint32_t *dline;
  const cellhour_map *ch;
  key_list keys[LS__MAX_THREADS];
  ls_status rc[LS__MAX_THREADS];
} coloc_ctx;

/* One part of the events: the keys of other numbers' events in a usable
 * (cell, hour). */
static void coloc_part(void *ctx, unsigned part, unsigned n_parts) {
  coloc_ctx *cc = ctx;
  const ls_analysis *a = cc->a;
  const ls_events *ev = a->ev;
  size_t lo, hi;
  ls__range(ev->count, part, n_parts, &lo, &hi);
  for (size_t i = lo; i < hi && cc->rc[part] == LS_OK; i++) {
    int64_t t = ev->start[i];
    if (t < a->opts.from || t >= a->opts.to)
      continue;
    uint64_t hour = (uint64_t)(t - a->tmin) / 3600;
    for (int side = 0; side < 2; side++) {
      uint32_t num = side ? ev->callee[i] : ev->caller[i];
      uint32_t cell = side ? ev->callee_cell[i] : ev->caller_cell[i];
      if (cc->dline[num] != LS__NONE || cell == LS_NO_ID)
        continue;
      const uint32_t *v = ch_get(cc->ch, cell, hour);
      if (!v || *v == UNUSABLE)
        continue;
      cc->rc[part] = key_push(&cc->keys[part], ((uint64_t)*v << 42) | ((uint64_t)num << 16) | ((hour / 24) & 0xffff));
      if (cc->rc[part])
        break;
    }
  }
}

/* Numbers seen in the same cell in the same hour as a line phone, inside
 * the line's destination, with the number of such events and of distinct
 * days, per line. A (cell, hour) shared by phones of two lines is skipped:
 * it cannot tell whose runner is there. The (cell, hour) -> line map is
 * built from the line phones' events (cellhour_map) and each entry checked
 * against its line's destinations once. O(E + M log D) for M map entries
 * and D destinations. */
static ls_status colocate(const ls_analysis *a, const uint32_t *dline, coloc **out, size_t *n_out) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  cellhour_map ch = {0};
  key_list keys = {0};
  uint64_t *tmp = NULL;
  uint32_t **dest_sorted = ls_calloc(a->n_lines + 1, sizeof *dest_sorted);
  *out = NULL;
  *n_out = 0;
  if (!dest_sorted)
    return LS_ERR_NOMEM;
  for (size_t l = 0; l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    dest_sorted[l] = ls_malloc((L->n_dests + 1) * sizeof **dest_sorted);
    if (!dest_sorted[l]) {
      rc = LS_ERR_NOMEM;
      goto out;
    }
    memcpy(dest_sorted[l], L->dests, L->n_dests * sizeof **dest_sorted);
    ls__u32_sort(dest_sorted[l], L->n_dests);
  }
  rc = ch_build(a, dline, &ch);
  if (rc)
    goto out;
  ch_keep_destinations(a, &ch, dest_sorted);
  /* (line, number, day) keys of the other numbers' events there, each part
   * of the events into its own list (sorted together below) */
  coloc_ctx cc = {a, dline, &ch, {{0}}, {0}};
  unsigned parts = ls__parts_for(ev->count);
  ls__parallel(parts, coloc_part, &cc);
  size_t total = 0;
  for (unsigned p = 0; p < parts; p++) {
    total += cc.keys[p].n;
    rc = rc ? rc : cc.rc[p];
  }
  keys.v = rc ? NULL : ls_malloc((total + 1) * sizeof *keys.v);
  if (!rc && !keys.v)
    rc = LS_ERR_NOMEM;
  for (unsigned p = 0; p < parts; p++) {
    if (keys.v && cc.keys[p].n)
      memcpy(keys.v + keys.n, cc.keys[p].v, cc.keys[p].n * sizeof *keys.v);
    keys.n += cc.keys[p].n;
    ls_free(cc.keys[p].v);
  }
  if (rc)
    goto out;
  size_t nk = keys.n;
  tmp = ls_malloc((nk + 1) * sizeof *tmp);
  if (!tmp) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  ls__radix_sort_u64(keys.v, tmp, nk, 42 + ls__bits_for(a->n_lines));
  size_t runs = 0;
  for (size_t i = 0; i < nk; i++)
    runs += i == 0 || (keys.v[i] >> 16) != (keys.v[i - 1] >> 16);
  coloc *c = ls_malloc((runs + 1) * sizeof *c);
  if (!c) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t r = 0;
  for (size_t i = 0; i < nk;) {
    uint64_t who = keys.v[i] >> 16;
    c[r] = (coloc){(uint32_t)(who >> 26), (uint32_t)(who & ((1u << 26) - 1)), 0, 0};
    for (; i < nk && (keys.v[i] >> 16) == who; i++) {
      c[r].events++;
      if (i == 0 || keys.v[i] != keys.v[i - 1])
        c[r].days++;
    }
    r++;
  }
  *out = c;
  *n_out = r;
out:
  for (size_t l = 0; l < a->n_lines; l++)
    ls_free(dest_sorted[l]);
  ls_free(dest_sorted);
  ch_free(&ch);
  ls_free(keys.v);
  ls_free(tmp);
  return rc;
}

/* ---- roles -------------------------------------------------------------------------- */

typedef struct holder_cand {
  uint32_t line, number, events, days;
} holder_cand;

static ls_status push_u32(uint32_t **v, size_t *n, uint32_t x) {
  uint32_t *p = ls_reallocarray(*v, *n + 1, sizeof *p);
  if (!p)
    return LS_ERR_NOMEM;
  p[(*n)++] = x;
  *v = p;
  return LS_OK;
}

/* Events between x and any number of a sorted list. O(deg(x) log n). */
static uint32_t events_with(const ls_analysis *a, uint32_t x, const uint32_t *list, size_t n) {
  uint32_t e = 0;
  for (uint32_t k = a->adj_off[x]; k < a->adj_off[x + 1]; k++) {
    const ls__pair *p = &a->pairs[a->adj[k]];
    if (ls__u32_contains(list, n, p->a == x ? p->b : p->a))
      e += p->n_ab + p->n_ba;
  }
  return e;
}

/* Customers of every line: numbers, other than deal numbers, that contacted
 * one of its numbers themselves (an advert received is not a purchase).
 * Sorted and unique. O(sum of the line numbers' degrees). */
static ls_status customers(ls_analysis *a, const uint32_t *dline) {
  for (size_t l = 0; l < a->n_lines; l++) {
    ls__line *L = &a->lines[l];
    size_t cap = 0;
    for (size_t i = 0; i < L->n_numbers; i++)
      cap += a->adj_off[L->numbers[i] + 1] - a->adj_off[L->numbers[i]];
    L->customers = ls_malloc((cap + 1) * sizeof *L->customers);
    if (!L->customers)
      return LS_ERR_NOMEM;
    for (size_t i = 0; i < L->n_numbers; i++) {
      uint32_t num = L->numbers[i];
      for (uint32_t k = a->adj_off[num]; k < a->adj_off[num + 1]; k++) {
        const ls__pair *p = &a->pairs[a->adj[k]];
        uint32_t other = p->a == num ? p->b : p->a;
        uint32_t initiated = p->a == num ? p->n_ba : p->n_ab;
        if (initiated && dline[other] == LS__NONE)
          L->customers[L->n_customers++] = other;
      }
    }
    ls__u32_sort(L->customers, L->n_customers);
    size_t u = 0;
    for (size_t i = 0; i < L->n_customers; i++)
      if (i == 0 || L->customers[i] != L->customers[i - 1])
        L->customers[u++] = L->customers[i];
    L->n_customers = u;
  }
  return LS_OK;
}

/* Numbers that received a line phone's bulk texts (adverts, new-number
 * announcements): each phone's texts in time order, runs of at least
 * LS__BURST_MIN with gaps of at most LS__BURST_GAP_S, each recipient
 * marked. Adverts and announcements go to the customer list (DOMAIN.md),
 * so a number on it is a customer, not the holder who runs the line. The
 * texts go into buckets by phone as (time << 26 | recipient), sorted in
 * each bucket (numbers fit 26 bits: checked in ls__roles_assign). O(E + S)
 * for S texts sent by line phones, split over the cores. */
typedef struct advert_ctx {
  const ls_analysis *a;
  const uint32_t *dix; /* number -> index among the deal numbers, or NONE */
} advert_ctx;

static void advert_pass(void *ctx, ls__buckets *b, unsigned part, unsigned n_parts, int fill) {
  const advert_ctx *ac = ctx;
  const ls_analysis *a = ac->a;
  const ls_events *ev = a->ev;
  size_t lo, hi;
  ls__range(ev->count, part, n_parts, &lo, &hi);
  for (size_t i = lo; i < hi; i++) {
    uint32_t d = ac->dix[ev->caller[i]];
    if (d == LS__NONE || ev->type[i] != LS_EV_SMS || ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    if (fill)
      ls__buckets_put(b, part, d, (uint64_t)(ev->start[i] - a->tmin) << 26 | ev->callee[i]);
    else
      ls__buckets_count(b, part, d);
  }
}

static ls_status advert_recipients(const ls_analysis *a, uint8_t *recv) {
  ls__buckets bk;
  memset(&bk, 0, sizeof bk);
  uint32_t *dix = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *dix);
  if (!dix)
    return LS_ERR_NOMEM;
  for (uint32_t i = 0; i < a->n_numbers; i++)
    dix[i] = LS__NONE;
  for (size_t d = 0; d < a->n_deal; d++)
    dix[a->deal[d]] = (uint32_t)d;
  advert_ctx ac = {a, dix};
  ls_status rc = ls__buckets_build(&bk, (uint32_t)a->n_deal, a->ev->count, advert_pass, &ac,
                                   ls__bits_for((uint64_t)(a->tmax - a->tmin)) + 26);
  for (size_t d = 0; rc == LS_OK && d < a->n_deal; d++) {
    const uint64_t *v = bk.vals + bk.off[d];
    size_t n = bk.off[d + 1] - bk.off[d];
    for (size_t i = 0; i < n;) {
      size_t j = i + 1;
      while (j < n && (int64_t)((v[j] >> 26) - (v[j - 1] >> 26)) <= LS__BURST_GAP_S)
        j++;
      if (j - i >= LS__BURST_MIN)
        for (size_t q = i; q < j; q++)
          recv[v[q] & ((1u << 26) - 1)] = 1;
      i = j;
    }
  }
  ls__buckets_free(&bk);
  ls_free(dix);
  return rc;
}

/* Removes holders and runners from a line's customers. O(C log R). */
static void customers_prune(ls__line *L) {
  size_t u = 0;
  for (size_t i = 0; i < L->n_customers; i++) {
    uint32_t c = L->customers[i];
    if (!ls__u32_contains(L->holders, L->n_holders, c) && !ls__u32_contains(L->runners, L->n_runners, c))
      L->customers[u++] = c;
  }
  L->n_customers = u;
}

/* Whether a number co-located with a line's phone is one of its runners:
 * with the phone on several days, for most of its located events in the
 * line's destinations (marked), away from them for some (it travels), and
 * tied to the line's holder (in contact with one; seen in the origin when
 * the line has no holder found). O(places of the number + its contacts *
 * log holders). */
static int is_runner(const ls_analysis *a, const profile *pr, const uint32_t *subj, const uint8_t *mark,
                     const coloc *c) {
  const ls__line *L = &a->lines[c->line];
  uint32_t x = c->number, s = subj[x];
  if (c->days < RUNNER_MIN_DAYS || s == LS__NONE || pr->total[s] == 0 ||
      ls__u32_contains(L->holders, L->n_holders, x))
    return 0;
  uint32_t in_dest = profile_in(pr, s, mark);
  double away = 1.0 - (double)in_dest / pr->total[s];
  if (away < RUNNER_MIN_AWAY || c->events < RUNNER_MIN_COLOC_SHARE * in_dest)
    return 0;
  if (L->n_holders)
    return events_with(a, x, L->holders, L->n_holders) >= RUNNER_MIN_HOLDER_EVENTS;
  uint32_t in_origin = 0;
  for (uint32_t k = pr->off[s]; L->origin != LS__NONE && k < pr->off[s + 1]; k++)
    if (pr->place[k] == L->origin)
      in_origin = pr->count[k];
  return (double)in_origin >= RUNNER_MIN_ORIGIN * pr->total[s];
}

/* Holders, runners, customers, origin and destinations of every line.
 * O(E + P + K) plus the sorts of the places a line touches; see the
 * helpers for the parts. */
ls_status ls__roles_assign(ls_analysis *a, ls_error *err) {
  ls_status rc = LS_OK;
  uint32_t *dline = NULL, *subj = NULL;
  uint8_t *mark = NULL, *recv = NULL;
  coloc *co = NULL;
  size_t n_co = 0, n_hc = 0;
  holder_cand *hc = NULL;
  uint64_t *cut = NULL; /* per line: the largest customer hash profiled */
  profile pr = {0};
  if (a->n_numbers > (1u << 26))
    return LS_FAIL(err, LS_ERR_LIMIT, "analysis: too many distinct numbers for roles");
  rc = places_build(a, err);
  if (rc)
    return rc;
  dline = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *dline);
  subj = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *subj);
  /* a line's destinations, marked while its holders and runners are
   * tested: one byte a place, cleared after each line */
  mark = ls_calloc((size_t)a->n_places + 1, 1);
  if (!dline || !subj || !mark) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    dline[i] = subj[i] = LS__NONE;
  for (size_t d = 0; d < a->n_deal; d++)
    dline[a->deal[d]] = a->deal_line[d];
  rc = customers(a, dline);
  if (rc)
    goto out;

  /* holder candidates: non-deal contacts with repeated traffic with a line;
   * subj marks a number's slot in hc while its line is being scanned; hc
   * ends up grouped by line, in line order */
  for (size_t l = 0; l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    size_t start = n_hc, cap = n_hc;
    for (size_t i = 0; i < L->n_numbers; i++)
      cap += a->adj_off[L->numbers[i] + 1] - a->adj_off[L->numbers[i]];
    holder_cand *q = ls_reallocarray(hc, cap + 1, sizeof *q);
    if (!q) {
      rc = LS_ERR_NOMEM;
      goto out;
    }
    hc = q;
    for (size_t i = 0; i < L->n_numbers; i++) {
      uint32_t num = L->numbers[i];
      for (uint32_t k = a->adj_off[num]; k < a->adj_off[num + 1]; k++) {
        const ls__pair *p = &a->pairs[a->adj[k]];
        uint32_t other = p->a == num ? p->b : p->a;
        if (dline[other] != LS__NONE)
          continue;
        if (subj[other] == LS__NONE) {
          subj[other] = (uint32_t)n_hc;
          hc[n_hc++] = (holder_cand){(uint32_t)l, other, 0, 0};
        }
        holder_cand *h = &hc[subj[other]];
        h->events += p->n_ab + p->n_ba;
        h->days += p->days_ab > p->days_ba ? p->days_ab : p->days_ba;
      }
    }
    for (size_t j = start; j < n_hc; j++)
      subj[hc[j].number] = LS__NONE;
  }
  /* place profiles of line numbers, customers, holder and runner candidates */
  uint32_t n_subj = 0;
  for (size_t d = 0; d < a->n_deal; d++)
    subj[a->deal[d]] = n_subj++;
  cut = customer_samples(a);
  if (!cut) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (size_t l = 0; l < a->n_lines; l++)
    for (size_t i = 0; i < a->lines[l].n_customers; i++) {
      uint32_t c = a->lines[l].customers[i];
      if (subj[c] == LS__NONE && a->numbers.hashes[c] <= cut[l])
        subj[c] = n_subj++;
    }
  for (size_t i = 0; i < n_hc; i++)
    if (hc[i].events >= HOLDER_MIN_EVENTS && hc[i].days >= HOLDER_MIN_DAYS && subj[hc[i].number] == LS__NONE)
      subj[hc[i].number] = n_subj++;
  rc = profile_build(a, subj, n_subj, &pr);
  if (rc == LS_OK)
    rc = destinations(a, &pr, subj, cut);
  if (rc)
    goto out;

  /* holders: in regular contact with the line, located away from its
   * area, and not on its advert list */
  recv = ls_calloc((size_t)a->n_numbers + 1, 1);
  if (!recv || advert_recipients(a, recv)) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < n_hc && rc == LS_OK; i++) {
    ls__line *L = &a->lines[hc[i].line];
    if (i == 0 || hc[i].line != hc[i - 1].line)
      mark_dests(mark, L, 1);
    uint32_t s = subj[hc[i].number];
    if (hc[i].events >= HOLDER_MIN_EVENTS && hc[i].days >= HOLDER_MIN_DAYS && s != LS__NONE && pr.total[s] > 0 &&
        !recv[hc[i].number]) {
      /* (a number never located cannot be told from a customer); by days,
       * not events: a holder's few days visiting the destination, or a
       * customer's few days away, are busy days and would tip a share of
       * events */
      double dest_share = (double)profile_days_in(&pr, s, mark) / pr.total_days[s];
      if (dest_share <= HOLDER_MAX_DEST_SHARE)
        rc = push_u32(&L->holders, &L->n_holders, hc[i].number);
    }
    if (i + 1 == n_hc || hc[i + 1].line != hc[i].line)
      mark_dests(mark, L, 0);
  }
  /* the origin: the holders' most used place */
  for (size_t l = 0; l < a->n_lines && rc == LS_OK; l++) {
    ls__line *L = &a->lines[l];
    ls__u32_sort(L->holders, L->n_holders);
    uint32_t best = 0;
    for (size_t h = 0; h < L->n_holders; h++) {
      uint32_t s = subj[L->holders[h]];
      for (uint32_t k = pr.off[s]; k < pr.off[s + 1]; k++)
        if (pr.count[k] > best) {
          best = pr.count[k];
          L->origin = pr.place[k];
        }
    }
  }
  /* runners: with the line phone on several days in the line's area, for
   * most of their time there, seen away from it too (they travel), and
   * tied to the origin */
  if (rc == LS_OK)
    rc = colocate(a, dline, &co, &n_co);
  if (rc)
    goto out;
  profile_free(&pr);
  for (uint32_t i = 0; i < a->n_numbers; i++)
    subj[i] = LS__NONE;
  n_subj = 0;
  for (size_t i = 0; i < n_co; i++)
    if (co[i].days >= RUNNER_MIN_DAYS && subj[co[i].number] == LS__NONE)
      subj[co[i].number] = n_subj++;
  rc = profile_build(a, subj, n_subj, &pr);
  /* co is sorted by line */
  for (size_t i = 0; i < n_co && rc == LS_OK; i++) {
    ls__line *L = &a->lines[co[i].line];
    if (i == 0 || co[i].line != co[i - 1].line)
      mark_dests(mark, L, 1);
    if (is_runner(a, &pr, subj, mark, &co[i]))
      rc = push_u32(&L->runners, &L->n_runners, co[i].number);
    if (i + 1 == n_co || co[i + 1].line != co[i].line)
      mark_dests(mark, L, 0);
  }
  for (size_t l = 0; l < a->n_lines && rc == LS_OK; l++) {
    ls__u32_sort(a->lines[l].runners, a->lines[l].n_runners);
    customers_prune(&a->lines[l]);
  }
out:
  ls_free(dline);
  ls_free(subj);
  ls_free(mark);
  ls_free(recv);
  ls_free(co);
  ls_free(hc);
  ls_free(cut);
  profile_free(&pr);
  if (rc == LS_ERR_NOMEM)
    LS_FAIL(err, rc, "analysis: out of memory assigning roles");
  return rc;
}
