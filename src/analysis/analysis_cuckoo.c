/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cuckooed addresses (docs/analysis.md, "Cuckooed addresses").
 *
 * DOMAIN.md: runners are housed in cuckooed addresses, homes of vulnerable
 * people taken over as a base; usually 2-4 gang members at a time, rotated,
 * staying hours to days; the occupant is typically a vulnerable adult (drug
 * dependency, mental ill health, learning disability, age).
 *
 * So: the cells in a line's destination where its runners or line phones
 * are seen overnight (00:00-06:00 local) on at least NIGHT_MIN nights are
 * the line's night bases. Every address in such a cell (its `cell_id`, or
 * the nearest cell when it has none) is scored from the stay (nights,
 * several runners), from its occupant's records (vulnerability flags in the
 * person and address records) and from its occupant's phones: in contact
 * with the line, and above all in contact with the line's phones or runners
 * *while those were in that cell* in the evening or night, on the nights the
 * line stayed there (the people staying in a home and the person who lives
 * there call and text each other: "open the door"; a neighbour who buys
 * from the line does so now and then, from wherever the runner is). The
 * best address of a cell is listed when its score reaches LIST_MIN: a stay
 * alone, with nobody vulnerable or in contact living there, is not enough
 * to name a home. Ties are all listed (a visit should not skip one of
 * them) and say so in their evidence. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "analysis_findings.h"

/* "Several nights": one night can be a party or a friend's sofa; a base is
 * used night after night (DOMAIN.md: stays of hours to days, rotated). */
#define NIGHT_MIN 2u
/* Score parts; they sum to 1.
 * The stay: W_STAY at NIGHT_MIN nights rising by W_STAY_MORE at 4 nights.
 * The occupant's records: vulnerable adult (the typical victim), drug
 * dependency and mental ill health (the vulnerabilities DOMAIN.md names),
 * the address known to services as vulnerable; several runners sharing it
 * (DOMAIN.md: 2-4 members at a time).
 * The occupant's phones: in contact with the runners' own numbers
 * (W_RUNNER_CONTACT: people who share a home call each other's own phones;
 * a customer rings the deal line, not the runner); in contact with the
 * line's phones or runners, while those were in that cell, 18:00-06:00, on
 * the nights of the stay (W_NIGHT_CONTACT in full at NIGHT_CONTACT_FULL of
 * the nights); any contact with the line (W_CONTACT). Contact with the deal
 * line alone weighs little: customers live next door to bases too, and a
 * heavy buyer next door is in touch with the phone on most nights. On the
 * training worlds (seeds 101-105, both difficulties), 86 of the 87
 * cuckooed occupants whose numbers were known had contact with a runner's
 * own number, against none of the 61 neighbours in contact with the line;
 * the neighbours' night-contact shares (0.5-0.86) overlapped the
 * occupants' (0.36-1.0). */
#define W_STAY 0.2
#define W_STAY_MORE 0.05
#define W_VULNERABLE 0.2
#define W_DRUGS 0.07
#define W_MENTAL 0.05
#define W_ADDRESS_FLAGGED 0.03
#define W_SHARED 0.02
#define W_CONTACT 0.02
#define W_NIGHT_CONTACT 0.05
#define NIGHT_CONTACT_FULL 0.5
#define W_RUNNER_CONTACT 0.31
/* Listed at LIST_MIN: the stay and a strong sign about the home (a
 * vulnerable adult occupant, or contact with the runners), or a long stay
 * and two weaker signs. */
#define LIST_MIN 0.4
/* Evening and night, local hours: when people staying in a home come back
 * to it and call the person who lets them in. */
#define EVENING_FROM_H 18
#define NIGHT_TO_H 6

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

/* A night base: a (line, cell) with its distinct nights (sorted, in the
 * shared nights array from night_off), numbers and runner numbers. */
typedef struct base {
  uint32_t line, cell, nights, numbers, runners;
  uint32_t night_off;
  int64_t first, last;
} base;

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* Night bases of every line: (line, cell) with distinct nights, numbers and
 * runner numbers; the nights of each base go to *nights_out. O(N log N)
 * for N night records. */
static ls_status night_bases(const ls_analysis *a, base **out, size_t *n_out, int32_t **nights_out) {
  const ls__findings *fx = a->fx;
  night_key *k = ls_malloc((fx->n_nights + 1) * sizeof *k);
  uint32_t *nums = ls_malloc((fx->n_nights + 1) * sizeof *nums);
  int32_t *nights = ls_malloc((fx->n_nights + 1) * sizeof *nights);
  base *b = ls_malloc((fx->n_nights + 1) * sizeof *b);
  size_t nb = 0, nn_all = 0;
  if (!k || !nums || !b || !nights) {
    ls_free(k);
    ls_free(nums);
    ls_free(b);
    ls_free(nights);
    return LS_ERR_NOMEM;
  }
  for (size_t i = 0; i < fx->n_nights; i++) {
    const ls__night *n = &fx->nights[i];
    const ls__subject *s = &fx->subjects[n->subject];
    k[i] = (night_key){s->line, n->cell, s->number, s->role == LS__ROLE_RUNNER, n->night, n->first, n->last};
  }
  if (fx->n_nights > 1)
    ls_qsort(k, fx->n_nights, sizeof *k, by_line_cell);
  for (size_t i = 0; i < fx->n_nights;) {
    size_t j = i, nn = 0, nr = 0;
    base cur = {k[i].line, k[i].cell, 0, 0, 0, (uint32_t)nn_all, k[i].first, k[i].last};
    for (; j < fx->n_nights && k[j].line == k[i].line && k[j].cell == k[i].cell; j++) {
      if (j == i || k[j].night != k[j - 1].night) {
        cur.nights++;
        nights[nn_all++] = k[j].night;
      }
      cur.first = k[j].first < cur.first ? k[j].first : cur.first;
      cur.last = k[j].last > cur.last ? k[j].last : cur.last;
      nums[nn++] = k[j].number;
    }
    ls_qsort(nums, nn, sizeof *nums, cmp_u32);
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
  *nights_out = nights;
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

/* What the occupant's phones show about one base. */
typedef struct tie {
  uint32_t events;        /* with the line's numbers or runners */
  uint32_t runner_events; /* of those, with its runners' own numbers */
  uint32_t nights;        /* base nights with contact from the base cell */
} tie;

static double score_of(const base *b, const ls__address *ad, const tie *t) {
  double s = W_STAY + W_STAY_MORE * (b->nights >= 4 ? 1.0 : (double)(b->nights - NIGHT_MIN) / (4 - NIGHT_MIN));
  uint32_t f = ad->occ_flags | ad->flags;
  s += (f & LS_FLAG_VULNERABLE_ADULT) ? W_VULNERABLE : 0;
  s += (f & LS_FLAG_DRUG_DEPENDENCY) ? W_DRUGS : 0;
  s += (f & LS_FLAG_MENTAL_HEALTH) ? W_MENTAL : 0;
  s += (ad->flags & (LS_FLAG_VULNERABLE_ADULT | LS_FLAG_DRUG_DEPENDENCY | LS_FLAG_MENTAL_HEALTH)) ? W_ADDRESS_FLAGGED
                                                                                                    : 0;
  s += b->runners >= 2 ? W_SHARED : 0;
  s += t->events ? W_CONTACT : 0;
  s += t->runner_events ? W_RUNNER_CONTACT : 0;
  double share = b->nights ? (double)t->nights / b->nights / NIGHT_CONTACT_FULL : 0;
  s += W_NIGHT_CONTACT * (share > 1 ? 1 : share);
  return s > 1 ? 1 : s;
}

/* An event between an occupant's number and a line's number or runner. */
typedef struct crec {
  uint32_t number;    /* the occupant's number */
  uint32_t line;      /* line key */
  uint32_t line_cell; /* the line side's cell, LS__NONE when not known */
  uint8_t runner;     /* the line side is a runner's own number */
  int64_t t;
} crec;

static int by_crec(const void *x, const void *y) {
  const crec *a = x, *b = y;
  if (a->number != b->number)
    return (a->number > b->number) - (a->number < b->number);
  if (a->line != b->line)
    return (a->line > b->line) - (a->line < b->line);
  return (a->t > b->t) - (a->t < b->t);
}

/* An occupant's number (index into the candidate occupants). */
typedef struct onum {
  uint32_t occ, number;
} onum;

static int by_onum(const void *x, const void *y) {
  const onum *a = x, *b = y;
  if (a->occ != b->occ)
    return (a->occ > b->occ) - (a->occ < b->occ);
  return (a->number > b->number) - (a->number < b->number);
}

/* The phone evidence: the candidate occupants' numbers (from the
 * attributions), and every event between one of them and a line's number
 * or runner, in one pass over the events. O(At + E + R log R) for R such
 * events. */
typedef struct phones {
  ls_dict occ;          /* occupant person id -> index */
  onum *on;             /* sorted by occupant */
  size_t n_on;
  uint32_t *on_off;     /* [occ count + 1] into on */
  crec *rec;            /* sorted by number, line, time */
  size_t n_rec;
} phones;

static void phones_free(phones *p) {
  ls_dict_free(&p->occ);
  ls_free(p->on);
  ls_free(p->on_off);
  ls_free(p->rec);
}

static ls_status phones_build(const ls_analysis *a, phones *p) {
  const ls__findings *fx = a->fx;
  const ls_refdata *ref = a->opts.ref;
  const ls_events *ev = a->ev;
  ls_status rc = LS_OK;
  uint32_t *line_of = NULL;
  uint8_t *runner = NULL, *is_occ = NULL;
  size_t cap = 0;
  for (size_t i = 0; i < fx->n_addresses && rc == LS_OK; i++) {
    uint32_t id;
    if (fx->addresses[i].occupant)
      rc = ls_dict_intern(&p->occ, fx->addresses[i].occupant, strlen(fx->addresses[i].occupant), &id);
  }
  for (size_t i = 0; rc == LS_OK && i < ref->n_attributions; i++) {
    const ls_attribution *at = &ref->attributions[i];
    uint32_t o, x;
    if (!at->person_id || ls_dict_find(&p->occ, at->person_id, strlen(at->person_id), &o) != LS_OK ||
        ls_dict_find(&a->numbers, at->number, strlen(at->number), &x) != LS_OK || x >= a->n_numbers)
      continue;
    if (p->n_on == cap) {
      cap = cap ? cap * 2 : 64;
      onum *q = ls_reallocarray(p->on, cap, sizeof *q);
      if (!q) {
        rc = LS_ERR_NOMEM;
        break;
      }
      p->on = q;
    }
    p->on[p->n_on++] = (onum){o, x};
  }
  if (rc)
    return rc;
  if (p->n_on > 1)
    ls_qsort(p->on, p->n_on, sizeof *p->on, by_onum);
  p->on_off = ls_calloc((size_t)p->occ.count + 2, sizeof *p->on_off);
  line_of = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *line_of);
  runner = ls_calloc((size_t)a->n_numbers + 1, 1);
  is_occ = ls_calloc((size_t)a->n_numbers + 1, 1);
  if (!p->on_off || !line_of || !runner || !is_occ) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < p->n_on; i++) {
    p->on_off[p->on[i].occ + 1]++;
    is_occ[p->on[i].number] = 1;
  }
  for (uint32_t o = 0; o < p->occ.count; o++)
    p->on_off[o + 1] += p->on_off[o];
  for (uint32_t x = 0; x < a->n_numbers; x++)
    line_of[x] = LS__NONE;
  for (size_t l = 0; l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    for (size_t i = 0; i < L->n_numbers; i++)
      if (line_of[L->numbers[i]] == LS__NONE)
        line_of[L->numbers[i]] = (uint32_t)l;
    for (size_t i = 0; i < L->n_runners; i++)
      if (line_of[L->runners[i]] == LS__NONE) {
        line_of[L->runners[i]] = (uint32_t)l;
        runner[L->runners[i]] = 1;
      }
  }
  cap = 0;
  for (size_t i = 0; p->n_on && i < ev->count && rc == LS_OK; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    for (int side = 0; side < 2; side++) {
      uint32_t o = side ? ev->callee[i] : ev->caller[i], l = side ? ev->caller[i] : ev->callee[i];
      uint32_t lc = side ? ev->caller_cell[i] : ev->callee_cell[i];
      if (o >= a->n_numbers || l >= a->n_numbers || !is_occ[o] || line_of[l] == LS__NONE)
        continue;
      if (p->n_rec == cap) {
        cap = cap ? cap * 2 : 256;
        crec *q = ls_reallocarray(p->rec, cap, sizeof *q);
        if (!q) {
          rc = LS_ERR_NOMEM;
          break;
        }
        p->rec = q;
      }
      p->rec[p->n_rec++] = (crec){o, line_of[l], lc == LS_NO_ID ? LS__NONE : lc, runner[l], ev->start[i]};
    }
  }
  if (rc == LS_OK && p->n_rec > 1)
    ls_qsort(p->rec, p->n_rec, sizeof *p->rec, by_crec);
out:
  ls_free(line_of);
  ls_free(runner);
  ls_free(is_occ);
  return rc;
}

/* First record of (number, line), or n_rec. O(log R). */
static size_t rec_lower(const phones *p, uint32_t number, uint32_t line) {
  size_t lo = 0, hi = p->n_rec;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const crec *r = &p->rec[mid];
    if (r->number < number || (r->number == number && r->line < line))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int night_index(const int32_t *nights, uint32_t n, int32_t night) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (nights[mid] < night)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && nights[lo] == night ? (int)lo : -1;
}

/* The tie between an address's occupant and a base's line: events, runner
 * events, and the base nights on which the occupant was in contact with
 * the line while the line's side was in the base cell, 18:00-06:00 local.
 * seen[] is scratch of b->nights bytes. O(records of the occupant's
 * numbers with the line x log nights). */
static tie tie_of(const ls_analysis *a, const phones *p, const base *b, const int32_t *nights, const ls__address *ad,
                  uint8_t *seen) {
  tie t = {0, 0, 0};
  uint32_t o;
  (void)a;
  if (!ad->occupant || ls_dict_find(&p->occ, ad->occupant, strlen(ad->occupant), &o) != LS_OK)
    return t;
  memset(seen, 0, b->nights);
  for (uint32_t k = p->on_off[o]; k < p->on_off[o + 1]; k++) {
    for (size_t r = rec_lower(p, p->on[k].number, b->line);
         r < p->n_rec && p->rec[r].number == p->on[k].number && p->rec[r].line == b->line; r++) {
      const crec *c = &p->rec[r];
      t.events++;
      t.runner_events += c->runner;
      if (c->line_cell != b->cell)
        continue;
      int64_t local = ls__local(c->t);
      int64_t h = (local - floor_div(local, 86400) * 86400) / 3600;
      if (h < EVENING_FROM_H && h >= NIGHT_TO_H)
        continue;
      int idx = night_index(nights + b->night_off, b->nights, (int32_t)floor_div(local - 12 * 3600, 86400));
      if (idx >= 0 && !seen[idx]) {
        seen[idx] = 1;
        t.nights++;
      }
    }
  }
  return t;
}

static int by_line_score(const void *x, const void *y) {
  const ls__cuckoo *a = x, *b = y;
  if (a->line != b->line)
    return (a->line > b->line) - (a->line < b->line);
  if (a->score != b->score)
    return (a->score < b->score) - (a->score > b->score);
  return (a->address > b->address) - (a->address < b->address);
}

/* Appends one line of evidence with its source. */
static ls_status say(ls__cuckoo *c, int src, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static ls_status say(ls__cuckoo *c, int src, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (c->n_explain >= LS__CUCKOO_EXPLAIN_MAX)
    return LS_ERR_INTERNAL;
  ls_status rc = ls__strlist_push(&c->explain, &c->n_explain, "%s", buf);
  if (rc == LS_OK)
    c->explain_src[c->n_explain - 1] = (uint8_t)src;
  return rc;
}

static ls_status explain_cuckoo(const ls_analysis *a, ls__cuckoo *c, const base *b) {
  const ls__address *ad = &a->fx->addresses[c->address];
  char f0[LS_ISO_MAX], f1[LS_ISO_MAX], flags[160];
  ls_time_format_utc(b->first, f0);
  ls_time_format_utc(b->last, f1);
  ls_status rc = say(c, LS__SRC_EVENTS, "the line's runners or phones were in cell %s overnight on %u nights (%s .. %s)",
                     ls__cell_label(a, c->cell), b->nights, f0, f1);
  if (rc == LS_OK && b->runners >= 2)
    rc = say(c, LS__SRC_EVENTS, "%u runner numbers stayed there (several members share a base)", b->runners);
  ls__flags_str(ad->occ_flags, flags, sizeof flags);
  if (rc == LS_OK && ad->occupant)
    rc = say(c, LS__SRC_PERSONS, "occupant %s, person flags: %s", ad->occupant, flags);
  ls__flags_str(ad->flags, flags, sizeof flags);
  if (rc == LS_OK && ad->flags)
    rc = say(c, LS__SRC_ADDRESSES, "address flags: %s", flags);
  if (rc == LS_OK && c->contact)
    rc = say(c, LS__SRC_CONTACT, "the occupant's numbers had %u events with the line (%u with its runners' own numbers)",
             c->contact, c->runner_contact);
  if (rc == LS_OK && c->contact_nights)
    rc = say(c, LS__SRC_CONTACT,
             "on %u of the %u nights the occupant was in contact with the line's phones or runners while they "
             "were in this cell (18:00-06:00)",
             c->contact_nights, b->nights);
  if (rc == LS_OK && c->tied)
    rc = say(c, LS__SRC_ADDRESSES, "%u other address(es) in the cell score the same: all are listed for a visit",
             c->tied);
  return rc;
}

ls_status ls__cuckoo_find(ls_analysis *a, ls_error *err) {
  ls__findings *fx = a->fx;
  const ls_refdata *ref = a->opts.ref;
  ls_status rc = LS_OK;
  base *bases = NULL;
  size_t n_bases = 0;
  int32_t *nights = NULL;
  uint32_t *base_of_cell = NULL, *addr_off = NULL, *addr_idx = NULL;
  uint8_t *seen = NULL;
  double *score = NULL;
  tie *ties = NULL;
  phones ph;
  memset(&ph, 0, sizeof ph);
  ls_dict_init(&ph.occ);
  ls_dict persons;
  ls_dict_init(&persons);
  if (!ref || !ref->n_addresses)
    return LS_OK;
  rc = night_bases(a, &bases, &n_bases, &nights);
  if (rc)
    goto out;
  /* cells that are some line's base (NIGHT_MIN nights) */
  base_of_cell = ls_malloc(((size_t)a->n_cells + 1) * sizeof *base_of_cell);
  addr_off = ls_calloc((size_t)a->n_cells + 2, sizeof *addr_off);
  seen = ls_malloc(fx->n_nights + 1);
  if (!base_of_cell || !addr_off || !seen) {
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
  if (rc == LS_OK)
    rc = phones_build(a, &ph);
  if (rc)
    goto out;
  /* CSR: addresses by cell */
  for (uint32_t c = 0; c < a->n_cells; c++)
    addr_off[c + 2] += addr_off[c + 1];
  addr_idx = ls_malloc((fx->n_addresses + 1) * sizeof *addr_idx);
  score = ls_malloc((fx->n_addresses + 1) * sizeof *score);
  ties = ls_malloc((fx->n_addresses + 1) * sizeof *ties);
  if (!addr_idx || !score || !ties) {
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
    double best = 0;
    for (uint32_t k = addr_off[b->cell]; k < addr_off[b->cell + 1]; k++) {
      uint32_t i = addr_idx[k];
      ties[i] = tie_of(a, &ph, b, nights, &fx->addresses[i], seen);
      score[i] = score_of(b, &fx->addresses[i], &ties[i]);
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
      *c = (ls__cuckoo){b->line, i, b->cell, best, b->nights, b->numbers, b->runners, ties[i].events,
                        ties[i].runner_events, ties[i].nights, tied - 1, b->first, b->last, NULL, 0, {0}};
      rc = explain_cuckoo(a, c, b);
      a->lines[b->line].n_cuckooed++;
    }
  }
  if (rc == LS_OK && fx->n_cuckoos > 1)
    ls_qsort(fx->cuckoos, fx->n_cuckoos, sizeof *fx->cuckoos, by_line_score);
out:
  ls_dict_free(&persons);
  phones_free(&ph);
  ls_free(bases);
  ls_free(nights);
  ls_free(base_of_cell);
  ls_free(addr_off);
  ls_free(addr_idx);
  ls_free(seen);
  ls_free(score);
  ls_free(ties);
  if (rc)
    LS_FAIL(err, rc, "analysis: out of memory finding cuckooed addresses");
  return rc;
}
