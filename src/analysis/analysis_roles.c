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

#include "../core/ls_mem.h"
#include "analysis_internal.h"

/* A holder talks to the line over days, not once: at least HOLDER_MIN_EVENTS
 * events on HOLDER_MIN_DAYS days with the line's numbers. */
#define HOLDER_MIN_EVENTS 5u
#define HOLDER_MIN_DAYS 2u
/* Located away from the destination: at most this share of its located
 * events in the line's destination places. */
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
/* ... and is tied to the origin: this share of its located events in the
 * holders' place, or this many events with a holder (runners report to the
 * holder; DOMAIN.md: the holder's numbers are among the phone's contacts). */
#define RUNNER_MIN_ORIGIN 0.05
#define RUNNER_MIN_HOLDER_EVENTS 2u
/* A line's destination: the places that together hold this share of its
 * customers' located events (customers live and buy in the county town;
 * the rest are trips). */
#define DEST_COVER 0.8

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
  uint32_t *total; /* [n_subjects] located events */
} profile;

static void profile_free(profile *p) {
  ls_free(p->off);
  ls_free(p->place);
  ls_free(p->count);
  ls_free(p->total);
}

/* Place histogram of each subject (subj[number] = subject index or NONE).
 * O(E + K) for K located events of subjects. */
static ls_status profile_build(const ls_analysis *a, const uint32_t *subj, uint32_t n_subj, profile *pr) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  size_t n = 0;
  memset(pr, 0, sizeof *pr);
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    n += (subj[ev->caller[i]] != LS__NONE && ev->caller_cell[i] != LS_NO_ID) +
         (subj[ev->callee[i]] != LS__NONE && ev->callee_cell[i] != LS_NO_ID);
  }
  uint64_t *keys = ls_malloc((n + 1) * sizeof *keys), *tmp = ls_malloc((n + 1) * sizeof *tmp);
  pr->off = ls_calloc((size_t)n_subj + 1, sizeof *pr->off);
  pr->total = ls_calloc((size_t)n_subj + 1, sizeof *pr->total);
  if (!keys || !tmp || !pr->off || !pr->total) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t k = 0;
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    if (subj[ev->caller[i]] != LS__NONE && ev->caller_cell[i] != LS_NO_ID)
      keys[k++] = ((uint64_t)subj[ev->caller[i]] << 32) | a->cell_place[ev->caller_cell[i]];
    if (subj[ev->callee[i]] != LS__NONE && ev->callee_cell[i] != LS_NO_ID)
      keys[k++] = ((uint64_t)subj[ev->callee[i]] << 32) | a->cell_place[ev->callee_cell[i]];
  }
  ls__radix_sort_u64(keys, tmp, n, 32 + ls__bits_for(n_subj));
  size_t runs = 0;
  for (size_t i = 0; i < n; i++)
    runs += i == 0 || keys[i] != keys[i - 1];
  pr->place = ls_malloc((runs + 1) * sizeof *pr->place);
  pr->count = ls_malloc((runs + 1) * sizeof *pr->count);
  if (!pr->place || !pr->count) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t r = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && keys[j] == keys[i])
      j++;
    uint32_t s = (uint32_t)(keys[i] >> 32);
    pr->place[r] = (uint32_t)keys[i];
    pr->count[r] = (uint32_t)(j - i);
    pr->off[s + 1]++;
    pr->total[s] += (uint32_t)(j - i);
    r++;
    i = j;
  }
  for (uint32_t s = 0; s < n_subj; s++)
    pr->off[s + 1] += pr->off[s];
out:
  ls_free(keys);
  ls_free(tmp);
  return rc;
}

/* Located events of subject s in the places of a sorted set. O(p log d). */
static uint32_t profile_in(const profile *pr, uint32_t s, const uint32_t *set, size_t n_set) {
  uint32_t in = 0;
  for (uint32_t k = pr->off[s]; k < pr->off[s + 1]; k++)
    if (ls__u32_contains(set, n_set, pr->place[k]))
      in += pr->count[k];
  return in;
}

/* ---- destinations ------------------------------------------------------------- */

typedef struct place_count {
  uint32_t place, count;
} place_count;

static int by_count_desc(const void *x, const void *y) {
  const place_count *a = x, *b = y;
  if (a->count != b->count)
    return (a->count < b->count) - (a->count > b->count);
  return (a->place > b->place) - (a->place < b->place);
}

static int by_place(const void *x, const void *y) {
  const place_count *a = x, *b = y;
  return (a->place > b->place) - (a->place < b->place);
}

/* Destinations of every line: where its customers are (DESIGN.md: a line is
 * worked in a county town and sells there). The places holding the most of
 * the customers' located events, most used first, until DEST_COVER of
 * those events are covered; a line whose customers were never located falls
 * back on its own phones. The line phone is not used first because it goes
 * back to the origin with a runner on a night at home. O(K log K) for K
 * profile entries of the line's customers. */
static ls_status destinations(ls_analysis *a, const profile *pr, const uint32_t *subj) {
  for (size_t l = 0; l < a->n_lines; l++) {
    ls__line *L = &a->lines[l];
    const uint32_t *who = L->customers;
    size_t n_who = L->n_customers;
    uint64_t located = 0;
    for (size_t i = 0; i < n_who; i++)
      located += pr->total[subj[who[i]]];
    if (located == 0) {
      who = L->numbers;
      n_who = L->n_numbers;
    }
    size_t cap = 0, n = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < n_who; i++) {
      uint32_t s = subj[who[i]];
      cap += pr->off[s + 1] - pr->off[s];
    }
    place_count *pc = ls_malloc((cap + 1) * sizeof *pc);
    if (!pc)
      return LS_ERR_NOMEM;
    for (size_t i = 0; i < n_who; i++) {
      uint32_t s = subj[who[i]];
      for (uint32_t k = pr->off[s]; k < pr->off[s + 1]; k++) {
        pc[n++] = (place_count){pr->place[k], pr->count[k]};
        total += pr->count[k];
      }
    }
    qsort(pc, n, sizeof *pc, by_place);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      if (m && pc[m - 1].place == pc[i].place)
        pc[m - 1].count += pc[i].count;
      else
        pc[m++] = pc[i];
    }
    qsort(pc, m, sizeof *pc, by_count_desc);
    L->dests = ls_malloc((m + 1) * sizeof *L->dests);
    if (!L->dests) {
      ls_free(pc);
      return LS_ERR_NOMEM;
    }
    uint64_t covered = 0;
    for (size_t j = 0; j < m && covered < DEST_COVER * (double)total; j++) {
      L->dests[L->n_dests++] = pc[j].place;
      covered += pc[j].count;
    }
    ls_free(pc);
  }
  return LS_OK;
}

/* ---- co-location ------------------------------------------------------------------ */

typedef struct coloc {
  uint32_t line, number, days, events;
} coloc;

#define MULTI (LS__NONE - 1)

/* Numbers seen in the same cell in the same hour as a line phone, inside
 * the line's destination, with the number of such events and of distinct
 * days, per line. A (cell, hour) shared by phones of two lines is skipped:
 * it cannot tell whose runner is there. O(E log D) with one hash lookup per
 * located event end and a binary search in the line's D destinations. */
static ls_status colocate(const ls_analysis *a, const uint32_t *dline, uint32_t *const *dest_sorted, coloc **out,
                          size_t *n_out) {
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  u64map m = {0};
  uint64_t *keys = NULL, *tmp = NULL;
  size_t cap = 0, n = 0, nk = 0;
  *out = NULL;
  *n_out = 0;
  for (size_t i = 0; i < ev->count; i++)
    if (ev->start[i] >= a->opts.from && ev->start[i] < a->opts.to)
      cap += (dline[ev->caller[i]] != LS__NONE && ev->caller_cell[i] != LS_NO_ID) +
             (dline[ev->callee[i]] != LS__NONE && ev->callee_cell[i] != LS_NO_ID);
  rc = map_init(&m, cap + 1);
  if (rc)
    goto out;
  for (size_t i = 0; i < ev->count; i++) {
    int64_t t = ev->start[i];
    if (t < a->opts.from || t >= a->opts.to)
      continue;
    uint64_t hour = (uint64_t)(t - a->tmin) / 3600;
    for (int side = 0; side < 2; side++) {
      uint32_t num = side ? ev->callee[i] : ev->caller[i];
      uint32_t cell = side ? ev->callee_cell[i] : ev->caller_cell[i];
      if (dline[num] == LS__NONE || cell == LS_NO_ID)
        continue;
      uint32_t *v = map_put(&m, ((uint64_t)cell << 24) ^ hour, dline[num]);
      if (*v != dline[num])
        *v = MULTI;
    }
  }
  /* count, then fill (line, number, day) keys */
  for (int fill = 0; fill < 2; fill++) {
    for (size_t i = 0; i < ev->count; i++) {
      int64_t t = ev->start[i];
      if (t < a->opts.from || t >= a->opts.to)
        continue;
      uint64_t hour = (uint64_t)(t - a->tmin) / 3600;
      for (int side = 0; side < 2; side++) {
        uint32_t num = side ? ev->callee[i] : ev->caller[i];
        uint32_t cell = side ? ev->callee_cell[i] : ev->caller_cell[i];
        if (dline[num] != LS__NONE || cell == LS_NO_ID)
          continue;
        uint32_t *v = map_get(&m, ((uint64_t)cell << 24) ^ hour);
        if (!v || *v == MULTI ||
            !ls__u32_contains(dest_sorted[*v], a->lines[*v].n_dests, a->cell_place[cell]))
          continue;
        if (fill)
          keys[nk++] = ((uint64_t)*v << 42) | ((uint64_t)num << 16) | ((hour / 24) & 0xffff);
        else
          n++;
      }
    }
    if (!fill) {
      keys = ls_malloc((n + 1) * sizeof *keys);
      tmp = ls_malloc((n + 1) * sizeof *tmp);
      if (!keys || !tmp) {
        rc = LS_ERR_NOMEM;
        goto out;
      }
    }
  }
  ls__radix_sort_u64(keys, tmp, nk, 64);
  size_t runs = 0;
  for (size_t i = 0; i < nk; i++)
    runs += i == 0 || (keys[i] >> 16) != (keys[i - 1] >> 16);
  coloc *c = ls_malloc((runs + 1) * sizeof *c);
  if (!c) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t r = 0;
  for (size_t i = 0; i < nk;) {
    uint64_t who = keys[i] >> 16;
    c[r] = (coloc){(uint32_t)(who >> 26), (uint32_t)(who & ((1u << 26) - 1)), 0, 0};
    for (; i < nk && (keys[i] >> 16) == who; i++) {
      c[r].events++;
      if (i == 0 || keys[i] != keys[i - 1])
        c[r].days++;
    }
    r++;
  }
  *out = c;
  *n_out = r;
out:
  map_free(&m);
  ls_free(keys);
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

/* Holders, runners, customers, origin and destinations of every line.
 * O(E + P + K log K); see the helpers for the parts. */
ls_status ls__roles_assign(ls_analysis *a, ls_error *err) {
  ls_status rc = LS_OK;
  uint32_t *dline = NULL, *subj = NULL, **dest_sorted = NULL;
  coloc *co = NULL;
  size_t n_co = 0, n_hc = 0;
  holder_cand *hc = NULL;
  profile pr = {0};
  if (a->n_numbers > (1u << 26))
    return LS_FAIL(err, LS_ERR_LIMIT, "analysis: too many distinct numbers for roles");
  rc = places_build(a, err);
  if (rc)
    return rc;
  dline = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *dline);
  subj = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *subj);
  dest_sorted = ls_calloc(a->n_lines + 1, sizeof *dest_sorted);
  if (!dline || !subj || !dest_sorted) {
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
   * subj marks a number's slot in hc while its line is being scanned */
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
  for (size_t l = 0; l < a->n_lines; l++)
    for (size_t i = 0; i < a->lines[l].n_customers; i++)
      if (subj[a->lines[l].customers[i]] == LS__NONE)
        subj[a->lines[l].customers[i]] = n_subj++;
  for (size_t i = 0; i < n_hc; i++)
    if (hc[i].events >= HOLDER_MIN_EVENTS && hc[i].days >= HOLDER_MIN_DAYS && subj[hc[i].number] == LS__NONE)
      subj[hc[i].number] = n_subj++;
  rc = profile_build(a, subj, n_subj, &pr);
  if (rc == LS_OK)
    rc = destinations(a, &pr, subj);
  if (rc)
    goto out;
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

  /* holders: in regular contact with the line, located away from its area */
  for (size_t i = 0; i < n_hc && rc == LS_OK; i++) {
    ls__line *L = &a->lines[hc[i].line];
    uint32_t s = subj[hc[i].number];
    if (hc[i].events < HOLDER_MIN_EVENTS || hc[i].days < HOLDER_MIN_DAYS || s == LS__NONE || pr.total[s] == 0)
      continue; /* never located: cannot tell a holder from a customer */
    double dest_share = (double)profile_in(&pr, s, dest_sorted[hc[i].line], L->n_dests) / pr.total[s];
    if (dest_share <= HOLDER_MAX_DEST_SHARE)
      rc = push_u32(&L->holders, &L->n_holders, hc[i].number);
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
  rc = colocate(a, dline, dest_sorted, &co, &n_co);
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
  for (size_t i = 0; i < n_co && rc == LS_OK; i++) {
    ls__line *L = &a->lines[co[i].line];
    uint32_t x = co[i].number, s = subj[x];
    if (co[i].days < RUNNER_MIN_DAYS || s == LS__NONE || pr.total[s] == 0 ||
        ls__u32_contains(L->holders, L->n_holders, x))
      continue;
    uint32_t in_dest = profile_in(&pr, s, dest_sorted[co[i].line], L->n_dests);
    double away = 1.0 - (double)in_dest / pr.total[s];
    if (away < RUNNER_MIN_AWAY || co[i].events < RUNNER_MIN_COLOC_SHARE * in_dest)
      continue;
    uint32_t in_origin = L->origin == LS__NONE ? 0 : profile_in(&pr, s, &L->origin, 1);
    if ((double)in_origin >= RUNNER_MIN_ORIGIN * pr.total[s] ||
        events_with(a, x, L->holders, L->n_holders) >= RUNNER_MIN_HOLDER_EVENTS)
      rc = push_u32(&L->runners, &L->n_runners, x);
  }
  for (size_t l = 0; l < a->n_lines && rc == LS_OK; l++) {
    ls__u32_sort(a->lines[l].runners, a->lines[l].n_runners);
    customers_prune(&a->lines[l]);
  }
out:
  for (size_t l = 0; dest_sorted && l < a->n_lines; l++)
    ls_free(dest_sorted[l]);
  ls_free(dest_sorted);
  ls_free(dline);
  ls_free(subj);
  ls_free(co);
  ls_free(hc);
  profile_free(&pr);
  if (rc == LS_ERR_NOMEM)
    LS_FAIL(err, rc, "analysis: out of memory assigning roles");
  return rc;
}
