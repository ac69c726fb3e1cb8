/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cuckooed addresses (docs/analysis.md, "Cuckooed addresses").
 *
 * DOMAIN.md: runners are housed in cuckooed addresses, homes of vulnerable
 * people taken over as a base; usually 2-4 gang members at a time, rotated,
 * staying hours to days; the occupant is typically a vulnerable adult (drug
 * dependency, mental ill health, learning disability, age).
 *
 * So: the cells in a line's destination where its runners or line phones
 * are seen overnight (22:00-06:00 local) on at least NIGHT_MIN nights are
 * the line's night bases. Every address in such a cell (its `cell_id`, or
 * the nearest cell when it has none) is scored from the stay (nights,
 * several runners) and from its occupant (vulnerability flags in the person
 * and address records, contact between the occupant's numbers and the
 * line). The best address of a cell is listed when its score reaches
 * LIST_MIN: a stay alone, with nobody vulnerable living there, is not
 * enough to name a home. Ties are all listed (a visit should not
 * skip one of them) and say so in their evidence. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "analysis_findings.h"

/* "Several nights": one night can be a party or a friend's sofa; a base is
 * used night after night (DOMAIN.md: stays of hours to days, rotated). */
#define NIGHT_MIN 2u
/* Score parts (sum capped at 1). The stay: 0.3 at NIGHT_MIN nights rising
 * to 0.4 at 4 nights or more. The occupant: vulnerable adult 0.25 (the
 * typical victim), drug dependency 0.1 and mental ill health 0.1 (the
 * vulnerabilities DOMAIN.md names), the address known to services as
 * vulnerable 0.05; several runners sharing it 0.05 (2-4 members at a time);
 * the occupant's own numbers in contact with the line 0.1 (a customer's home
 * is a usual target, but customers also live next door to the base: on the
 * simulated worlds a neighbour who buys from the line is common, so contact
 * must not outweigh a recorded vulnerability). */
#define W_STAY 0.3
#define W_STAY_MORE 0.1
#define W_VULNERABLE 0.25
#define W_DRUGS 0.1
#define W_MENTAL 0.1
#define W_ADDRESS_FLAGGED 0.05
#define W_SHARED 0.05
#define W_CONTACT 0.1
/* Listed at 0.5: a stay needs a strong sign about the home (a vulnerable
 * adult occupant) or two weaker ones before an address is named. */
#define LIST_MIN 0.5

typedef struct night_key {
  uint32_t line, cell, number;
  uint8_t runner;
  int32_t night;
  int64_t first, last;
} night_key;

static int by_line_cell(const void *x, const void *y) {
  const night_key *a = x, *b = y;
  if (a->line != b->line)
    return (a->line > b->line) - (a->line < b->line);
  if (a->cell != b->cell)
    return (a->cell > b->cell) - (a->cell < b->cell);
  if (a->night != b->night)
    return (a->night > b->night) - (a->night < b->night);
  return (a->number > b->number) - (a->number < b->number);
}

typedef struct base {
  uint32_t line, cell, nights, numbers, runners;
  int64_t first, last;
} base;

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

/* Night bases of every line: (line, cell) with distinct nights, numbers and
 * runner numbers. O(N log N) for N night records. */
static ls_status night_bases(const ls_analysis *a, base **out, size_t *n_out) {
  const ls__findings *fx = a->fx;
  night_key *k = ls_malloc((fx->n_nights + 1) * sizeof *k);
  uint32_t *nums = ls_malloc((fx->n_nights + 1) * sizeof *nums);
  base *b = ls_malloc((fx->n_nights + 1) * sizeof *b);
  size_t nb = 0;
  if (!k || !nums || !b) {
    ls_free(k);
    ls_free(nums);
    ls_free(b);
    return LS_ERR_NOMEM;
  }
  for (size_t i = 0; i < fx->n_nights; i++) {
    const ls__night *n = &fx->nights[i];
    const ls__subject *s = &fx->subjects[n->subject];
    k[i] = (night_key){s->line, n->cell, s->number, s->role == LS__ROLE_RUNNER, n->night, n->first, n->last};
  }
  qsort(k, fx->n_nights, sizeof *k, by_line_cell);
  for (size_t i = 0; i < fx->n_nights;) {
    size_t j = i, nn = 0, nr = 0;
    base cur = {k[i].line, k[i].cell, 0, 0, 0, k[i].first, k[i].last};
    for (; j < fx->n_nights && k[j].line == k[i].line && k[j].cell == k[i].cell; j++) {
      if (j == i || k[j].night != k[j - 1].night)
        cur.nights++;
      cur.first = k[j].first < cur.first ? k[j].first : cur.first;
      cur.last = k[j].last > cur.last ? k[j].last : cur.last;
      nums[nn++] = k[j].number;
    }
    qsort(nums, nn, sizeof *nums, cmp_u32);
    for (size_t q = 0; q < nn; q++)
      if (q == 0 || nums[q] != nums[q - 1]) {
        cur.numbers++;
        for (size_t r = i; r < j; r++)
          if (k[r].number == nums[q]) {
            nr += k[r].runner;
            break;
          }
      }
    cur.runners = (uint32_t)nr;
    b[nb++] = cur;
    i = j;
  }
  ls_free(k);
  ls_free(nums);
  *out = b;
  *n_out = nb;
  return LS_OK;
}

/* The event cell of an address: its cell_id when the events know it, else
 * the nearest reference cell (equirectangular distance, fine at town
 * scale). O(C) when the nearest cell is needed, else O(1). */
static uint32_t address_cell(const ls_analysis *a, const ls_address *ad) {
  const ls_events *ev = a->ev;
  uint32_t id;
  if (ad->cell_id && ls_dict_find(&ev->cells, ad->cell_id, strlen(ad->cell_id), &id) == LS_OK)
    return id;
  const ls_refdata *ref = a->opts.ref;
  double best = INFINITY;
  const char *best_id = NULL;
  double k = cos(ad->lat * M_PI / 180.0);
  for (size_t i = 0; ref && i < ref->n_cells; i++) {
    const ls_cell *c = &ref->cells[i];
    double dy = c->lat - ad->lat, dx = (c->lon - ad->lon) * k, d = dx * dx + dy * dy;
    if (d < best) {
      best = d;
      best_id = c->cell_id;
    }
  }
  if (best_id && ls_dict_find(&ev->cells, best_id, strlen(best_id), &id) == LS_OK)
    return id;
  return LS__NONE;
}

static double score_of(const base *b, const ls__address *ad, uint32_t contact) {
  double s = W_STAY + W_STAY_MORE * (b->nights >= 4 ? 1.0 : (double)(b->nights - NIGHT_MIN) / (4 - NIGHT_MIN));
  uint32_t f = ad->occ_flags | ad->flags;
  s += (f & LS_FLAG_VULNERABLE_ADULT) ? W_VULNERABLE : 0;
  s += (f & LS_FLAG_DRUG_DEPENDENCY) ? W_DRUGS : 0;
  s += (f & LS_FLAG_MENTAL_HEALTH) ? W_MENTAL : 0;
  s += (ad->flags & (LS_FLAG_VULNERABLE_ADULT | LS_FLAG_DRUG_DEPENDENCY | LS_FLAG_MENTAL_HEALTH)) ? W_ADDRESS_FLAGGED
                                                                                                    : 0;
  s += b->runners >= 2 ? W_SHARED : 0;
  s += contact ? W_CONTACT : 0;
  return s > 1 ? 1 : s;
}

/* Events between the numbers attributed to person `pid` and a line's
 * numbers or runners. O(attributions of the person x degree). */
static uint32_t occupant_contact(const ls_analysis *a, const ls__line *L, const uint32_t *line_nums, size_t n_nums,
                                 const char *pid) {
  const ls_refdata *ref = a->opts.ref;
  uint32_t events = 0;
  for (size_t i = 0; ref && pid && i < ref->n_attributions; i++) {
    const ls_attribution *at = &ref->attributions[i];
    uint32_t x;
    if (!at->person_id || strcmp(at->person_id, pid) ||
        ls_dict_find(&a->numbers, at->number, strlen(at->number), &x) != LS_OK || x >= a->n_numbers)
      continue;
    for (uint32_t k = a->adj_off[x]; k < a->adj_off[x + 1]; k++) {
      const ls__pair *p = &a->pairs[a->adj[k]];
      uint32_t other = p->a == x ? p->b : p->a;
      if (ls__u32_contains(line_nums, n_nums, other) || ls__u32_contains(L->runners, L->n_runners, other))
        events += p->n_ab + p->n_ba;
    }
  }
  return events;
}

static int by_line_score(const void *x, const void *y) {
  const ls__cuckoo *a = x, *b = y;
  if (a->line != b->line)
    return (a->line > b->line) - (a->line < b->line);
  if (a->score != b->score)
    return (a->score < b->score) - (a->score > b->score);
  return (a->address > b->address) - (a->address < b->address);
}

static ls_status explain_cuckoo(const ls_analysis *a, ls__cuckoo *c, const base *b) {
  const ls__address *ad = &a->fx->addresses[c->address];
  char f0[LS_ISO_MAX], f1[LS_ISO_MAX], flags[160];
  ls_time_format_utc(b->first, f0);
  ls_time_format_utc(b->last, f1);
  ls_status rc = ls__strlist_push(&c->explain, &c->n_explain,
                                  "the line's runners or phones were in cell %s overnight on %u nights (%s .. %s)",
                                  ls__cell_label(a, c->cell), b->nights, f0, f1);
  if (rc == LS_OK && b->runners >= 2)
    rc = ls__strlist_push(&c->explain, &c->n_explain, "%u runner numbers stayed there (several members share a base)",
                          b->runners);
  ls__flags_str(ad->occ_flags, flags, sizeof flags);
  if (rc == LS_OK && ad->occupant)
    rc = ls__strlist_push(&c->explain, &c->n_explain, "occupant %s, person flags: %s", ad->occupant, flags);
  ls__flags_str(ad->flags, flags, sizeof flags);
  if (rc == LS_OK && ad->flags)
    rc = ls__strlist_push(&c->explain, &c->n_explain, "address flags: %s", flags);
  if (rc == LS_OK && c->contact)
    rc = ls__strlist_push(&c->explain, &c->n_explain, "the occupant's numbers had %u events with the line", c->contact);
  if (rc == LS_OK && c->tied)
    rc = ls__strlist_push(&c->explain, &c->n_explain,
                          "%u other address(es) in the cell score the same: all are listed for a visit", c->tied);
  return rc;
}

ls_status ls__cuckoo_find(ls_analysis *a, ls_error *err) {
  ls__findings *fx = a->fx;
  const ls_refdata *ref = a->opts.ref;
  ls_status rc = LS_OK;
  base *bases = NULL;
  size_t n_bases = 0;
  uint32_t *base_of_cell = NULL, *addr_off = NULL, *addr_idx = NULL, *line_nums = NULL;
  double *score = NULL;
  uint32_t *contact = NULL;
  ls_dict persons;
  ls_dict_init(&persons);
  if (!ref || !ref->n_addresses)
    return LS_OK;
  rc = night_bases(a, &bases, &n_bases);
  if (rc)
    goto out;
  /* cells that are some line's base (NIGHT_MIN nights) */
  base_of_cell = ls_malloc(((size_t)a->n_cells + 1) * sizeof *base_of_cell);
  addr_off = ls_calloc((size_t)a->n_cells + 2, sizeof *addr_off);
  if (!base_of_cell || !addr_off) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t c = 0; c < a->n_cells; c++)
    base_of_cell[c] = 0;
  for (size_t i = 0; i < n_bases; i++)
    if (bases[i].nights >= NIGHT_MIN)
      base_of_cell[bases[i].cell] = 1;
  /* person flags and dates of birth by id */
  for (size_t i = 0; i < ref->n_persons && rc == LS_OK; i++) {
    uint32_t id;
    const char *pid = ref->persons[i].person_id;
    rc = ls_dict_intern(&persons, pid, strlen(pid), &id);
  }
  /* the addresses in base cells, copied */
  for (size_t i = 0; i < ref->n_addresses && rc == LS_OK; i++) {
    const ls_address *ad = &ref->addresses[i];
    uint32_t cell = address_cell(a, ad);
    if (cell == LS__NONE || !base_of_cell[cell])
      continue;
    ls__address *p = ls_reallocarray(fx->addresses, fx->n_addresses + 1, sizeof *p);
    if (!p) {
      rc = LS_ERR_NOMEM;
      break;
    }
    fx->addresses = p;
    ls__address *c = &p[fx->n_addresses];
    memset(c, 0, sizeof *c);
    c->id = ls_strdup(ad->address_id);
    c->occupant = ad->occupant && ad->occupant[0] ? ls_strdup(ad->occupant) : NULL;
    fx->n_addresses++;
    if (!c->id || (ad->occupant && ad->occupant[0] && !c->occupant)) {
      rc = LS_ERR_NOMEM;
      break;
    }
    c->flags = ad->flags;
    c->lat = ad->lat;
    c->lon = ad->lon;
    c->cell = cell;
    c->occ_dob = INT32_MIN;
    uint32_t pi;
    if (c->occupant && ls_dict_find(&persons, c->occupant, strlen(c->occupant), &pi) == LS_OK) {
      c->occ_flags = ref->persons[pi].flags;
      c->occ_dob = ref->persons[pi].dob_days;
    }
    addr_off[cell + 2]++;
  }
  if (rc)
    goto out;
  /* CSR: addresses by cell */
  for (uint32_t c = 0; c < a->n_cells; c++)
    addr_off[c + 2] += addr_off[c + 1];
  addr_idx = ls_malloc((fx->n_addresses + 1) * sizeof *addr_idx);
  score = ls_malloc((fx->n_addresses + 1) * sizeof *score);
  contact = ls_malloc((fx->n_addresses + 1) * sizeof *contact);
  if (!addr_idx || !score || !contact) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < fx->n_addresses; i++)
    addr_idx[addr_off[fx->addresses[i].cell + 1]++] = (uint32_t)i;
  /* score the addresses of each base; list the best of each cell */
  for (size_t bi = 0; bi < n_bases && rc == LS_OK; bi++) {
    const base *b = &bases[bi];
    if (b->nights < NIGHT_MIN)
      continue;
    const ls__line *L = &a->lines[b->line];
    ls_free(line_nums);
    line_nums = ls_malloc((L->n_numbers + 1) * sizeof *line_nums);
    if (!line_nums) {
      rc = LS_ERR_NOMEM;
      break;
    }
    memcpy(line_nums, L->numbers, L->n_numbers * sizeof *line_nums);
    ls__u32_sort(line_nums, L->n_numbers);
    double best = 0;
    for (uint32_t k = addr_off[b->cell]; k < addr_off[b->cell + 1]; k++) {
      uint32_t i = addr_idx[k];
      contact[i] = occupant_contact(a, L, line_nums, L->n_numbers, fx->addresses[i].occupant);
      score[i] = score_of(b, &fx->addresses[i], contact[i]);
      best = score[i] > best ? score[i] : best;
    }
    if (best < LIST_MIN)
      continue;
    uint32_t tied = 0;
    for (uint32_t k = addr_off[b->cell]; k < addr_off[b->cell + 1]; k++)
      tied += fabs(score[addr_idx[k]] - best) < 1e-9;
    for (uint32_t k = addr_off[b->cell]; k < addr_off[b->cell + 1] && rc == LS_OK; k++) {
      uint32_t i = addr_idx[k];
      if (fabs(score[i] - best) >= 1e-9)
        continue;
      ls__cuckoo *p = ls_reallocarray(fx->cuckoos, fx->n_cuckoos + 1, sizeof *p);
      if (!p) {
        rc = LS_ERR_NOMEM;
        break;
      }
      fx->cuckoos = p;
      ls__cuckoo *c = &p[fx->n_cuckoos++];
      memset(c, 0, sizeof *c);
      *c = (ls__cuckoo){b->line, i, b->cell, best, b->nights, b->numbers, b->runners, contact[i], tied - 1,
                        b->first, b->last, NULL, 0};
      rc = explain_cuckoo(a, c, b);
      a->lines[b->line].n_cuckooed++;
    }
  }
  if (rc == LS_OK)
    qsort(fx->cuckoos, fx->n_cuckoos, sizeof *fx->cuckoos, by_line_score);
out:
  ls_dict_free(&persons);
  ls_free(bases);
  ls_free(base_of_cell);
  ls_free(addr_off);
  ls_free(addr_idx);
  ls_free(score);
  ls_free(contact);
  ls_free(line_nums);
  if (rc)
    LS_FAIL(err, rc, "analysis: out of memory finding cuckooed addresses");
  return rc;
}
