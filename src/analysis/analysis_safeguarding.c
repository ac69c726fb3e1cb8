/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Safeguarding (docs/analysis.md, "Safeguarding").
 *
 * Who goes on the list, and only they (a flag alone proves nothing: the
 * person must be tied to a line):
 *   - a person attributed to one of a line's runner numbers or line phones,
 *     for a period overlapping the number's activity, who was under 18 on
 *     the first day of that activity (a child: priority high);
 *   - such a person with missing episodes on record, when the phone spent
 *     nights in the line's destination (the person records carry no episode
 *     dates, so the nights away are what can be shown to coincide);
 *   - such a person flagged vulnerable_adult (an exploited adult);
 *   - a runner number attributed to nobody that was seen travelling in
 *     school hours on at least SCHOOL_DAYS_MIN term-time weekdays: a possible
 *     child to identify (DOMAIN.md: children travelling alone in school
 *     hours is a #LookCloser sign);
 *   - the occupant of a cuckooed address (analysis_cuckoo.c).
 * Priority: children high; exploited or at-risk adults and unidentified
 * possible children medium; an occupant with no vulnerability on record low.
 * Every reason comes with the facts behind it and the file each came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "analysis_findings.h"

/* Two school days, not one: a single journey in school hours can be a
 * half-term, a study leave or a late start; a pattern cannot. */
#define SCHOOL_DAYS_MIN 2u
/* Trips and nights listed as facts per number, at most: the referral is
 * read by a person; the rest is in `linesight explain`. */
#define FACTS_TRIPS_MAX 8u
#define FACTS_NIGHTS_MAX 10u

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* Civil date of a day number (Howard Hinnant's algorithm). O(1). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Whole years from a date of birth to a day (both days since 1970). O(1). */
static int age_on(int32_t dob, int64_t day) {
  int64_t y0, y1;
  unsigned m0, d0, m1, d1;
  civil(dob, &y0, &m0, &d0);
  civil(day, &y1, &m1, &d1);
  int64_t age = y1 - y0 - (m1 < m0 || (m1 == m0 && d1 < d0));
  return (int)age;
}

typedef struct ctx {
  ls_analysis *a;
  ls_dict persons;   /* person id -> index in ref->persons */
  ls_dict att_nums;  /* number -> id; attributions by it in att_off/att_idx */
  uint32_t *att_off, *att_idx;
  ls_dict subjects;  /* safeguarding subject -> index in fx->safeguards */
} ctx;

/* Indexes the reference tables. O(P + At). */
static ls_status ctx_init(ctx *c, ls_analysis *a) {
  const ls_refdata *ref = a->opts.ref;
  ls_status rc = LS_OK;
  memset(c, 0, sizeof *c);
  c->a = a;
  ls_dict_init(&c->persons);
  ls_dict_init(&c->att_nums);
  ls_dict_init(&c->subjects);
  if (!ref)
    return LS_OK;
  uint32_t id;
  for (size_t i = 0; i < ref->n_persons && rc == LS_OK; i++)
    rc = ls_dict_intern(&c->persons, ref->persons[i].person_id, strlen(ref->persons[i].person_id), &id);
  uint32_t *num_of = ls_malloc((ref->n_attributions + 1) * sizeof *num_of);
  if (!num_of)
    return LS_ERR_NOMEM;
  for (size_t i = 0; i < ref->n_attributions && rc == LS_OK; i++)
    rc = ls_dict_intern(&c->att_nums, ref->attributions[i].number, strlen(ref->attributions[i].number), &num_of[i]);
  c->att_off = rc ? NULL : ls_calloc((size_t)c->att_nums.count + 2, sizeof *c->att_off);
  c->att_idx = rc ? NULL : ls_malloc((ref->n_attributions + 1) * sizeof *c->att_idx);
  if (rc == LS_OK && (!c->att_off || !c->att_idx))
    rc = LS_ERR_NOMEM;
  if (rc == LS_OK) {
    for (size_t i = 0; i < ref->n_attributions; i++)
      c->att_off[num_of[i] + 2]++;
    for (uint32_t n = 0; n < c->att_nums.count; n++)
      c->att_off[n + 2] += c->att_off[n + 1];
    for (size_t i = 0; i < ref->n_attributions; i++)
      c->att_idx[c->att_off[num_of[i] + 1]++] = (uint32_t)i;
  }
  ls_free(num_of);
  return rc;
}

static void ctx_free(ctx *c) {
  ls_dict_free(&c->persons);
  ls_dict_free(&c->att_nums);
  ls_dict_free(&c->subjects);
  ls_free(c->att_off);
  ls_free(c->att_idx);
}

/* The entry of a subject, created on first use. O(1) expected. */
static ls_status entry(ctx *c, const char *subject, const ls_person *p, uint32_t line, ls__safeguard **out) {
  ls__findings *fx = c->a->fx;
  uint32_t id;
  ls_status rc = ls_dict_intern(&c->subjects, subject, strlen(subject), &id);
  if (rc)
    return rc;
  if (id < fx->n_safeguards) {
    *out = &fx->safeguards[id];
    return LS_OK;
  }
  ls__safeguard *g = ls_reallocarray(fx->safeguards, fx->n_safeguards + 1, sizeof *g);
  if (!g)
    return LS_ERR_NOMEM;
  fx->safeguards = g;
  g = &g[fx->n_safeguards++];
  memset(g, 0, sizeof *g);
  g->subject = ls_strdup(subject);
  g->person = p ? ls_strdup(p->person_id) : NULL;
  if (!g->subject || (p && !g->person))
    return LS_ERR_NOMEM;
  g->dob = p ? p->dob_days : INT32_MIN;
  g->sex = p ? p->sex : 'U';
  g->flags = p ? p->flags : 0;
  g->age = -1;
  g->priority = LS__PRIO_LOW;
  g->line = line;
  g->first = INT64_MAX;
  g->last = INT64_MIN;
  *out = g;
  return LS_OK;
}

static ls_status fact(ls__safeguard *g, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ls_status fact(ls__safeguard *g, const char *source, const char *fmt, ...) {
  char buf[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  for (size_t i = 0; i < g->n_facts; i++)
    if (!strcmp(g->facts[i].text, buf))
      return LS_OK; /* the same fact reached twice (a number of two lines) */
  ls__fact *f = ls_reallocarray(g->facts, g->n_facts + 1, sizeof *f);
  if (!f)
    return LS_ERR_NOMEM;
  g->facts = f;
  f[g->n_facts].text = ls_strdup(buf);
  f[g->n_facts].source = ls_strdup(source);
  g->n_facts++;
  return f[g->n_facts - 1].text && f[g->n_facts - 1].source ? LS_OK : LS_ERR_NOMEM;
}

static ls_status reason(ls__safeguard *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ls_status reason(ls__safeguard *g, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  for (size_t i = 0; i < g->n_reasons; i++)
    if (!strcmp(g->reasons[i], buf))
      return LS_OK;
  return ls__strlist_push(&g->reasons, &g->n_reasons, "%s", buf);
}

static ls_status add_number(ls__safeguard *g, const char *num) {
  for (size_t i = 0; i < g->n_numbers; i++)
    if (!strcmp(g->numbers[i], num))
      return LS_OK;
  return ls__strlist_push(&g->numbers, &g->n_numbers, "%s", num);
}

static void set_priority(ls__safeguard *g, int prio) {
  if (prio < g->priority)
    g->priority = prio;
}

static const char *place_name(const ls_analysis *a, uint32_t p) {
  return p != LS__NONE && a->place_name[p] ? a->place_name[p] : "an unnamed place";
}

static const char *dest_name(const ls_analysis *a, const ls__line *L) {
  for (size_t i = 0; i < L->n_dests; i++)
    if (L->dests[i] != L->origin && a->place_name[L->dests[i]])
      return a->place_name[L->dests[i]];
  return "the line's destination";
}

/* The movement facts of one followed number: first and last sighting, its
 * trips and its nights in the destination. O(trips + nights of it). */
static ls_status movement_facts(ctx *c, ls__safeguard *g, uint32_t s) {
  ls_analysis *a = c->a;
  const ls__findings *fx = a->fx;
  const ls__subject *sub = &fx->subjects[s];
  const ls__line *L = &a->lines[fx->line_pos[sub->line]];
  const char *num = ls_dict_str(&a->numbers, sub->number), *ev_src = ls__source(a, LS_KIND_EVENTS);
  char t0[LS_ISO_MAX], t1[LS_ISO_MAX], t2[LS_ISO_MAX], line[16];
  ls__line_label(a, sub->line, line);
  ls_status rc = LS_OK;
  uint32_t k0 = fx->seen_off[sub->track], k1 = fx->seen_off[sub->track + 1];
  if (k1 > k0) {
    ls_time_format_utc(fx->seen[k0].t, t0);
    ls_time_format_utc(fx->seen[k1 - 1].t, t1);
    rc = fact(g, ev_src, "%s (%s of %s, %s to %s): first located %s in cell %s, last %s in cell %s", num,
              sub->role == LS__ROLE_RUNNER ? "runner" : "line phone", line, place_name(a, L->origin),
              dest_name(a, L), t0, ls__cell_label(a, fx->seen[k0].cell), t1,
              ls__cell_label(a, fx->seen[k1 - 1].cell));
  }
  for (uint32_t i = 0; i < sub->n_trips && i < FACTS_TRIPS_MAX && rc == LS_OK; i++) {
    const ls__trip *t = &fx->trips[sub->first_trip + i];
    ls_time_format_utc(t->depart, t0);
    ls_time_format_utc(t->seen_away, t1);
    ls_time_format_utc(t->arrive, t2);
    rc = fact(g, ev_src, "%s travelled %s -> %s: last seen at %s in cell %s, en route %s in cell %s, arrived %s in cell %s%s%s",
              num, place_name(a, t->from_place), place_name(a, t->to_place), t0, ls__cell_label(a, t->depart_cell), t1,
              ls__cell_label(a, t->away_cell), t2, ls__cell_label(a, t->arrive_cell),
              t->school_hours ? " (school hours)" : "", t->late_night ? " (late at night)" : "");
  }
  uint32_t shown = 0;
  for (size_t i = 0; i < fx->n_nights && rc == LS_OK && shown < FACTS_NIGHTS_MAX; i++) {
    const ls__night *n = &fx->nights[i];
    if (n->subject != s)
      continue;
    char day[16];
    ls__date_str(n->night, day);
    ls_time_format_utc(n->first, t0);
    ls_time_format_utc(n->last, t1);
    rc = fact(g, ev_src, "%s overnight in %s on the night of %s: %u events in cell %s, %s to %s", num, dest_name(a, L),
              day, n->events, ls__cell_label(a, n->cell), t0, t1);
    shown++;
  }
  return rc;
}

/* The person behind a followed number, if any is attributed for a period
 * overlapping the number's activity, goes on the list when a child, with
 * missing episodes, or a vulnerable adult. O(attributions of the number). */
static ls_status assess_subject(ctx *c, uint32_t s) {
  ls_analysis *a = c->a;
  ls__findings *fx = a->fx;
  const ls_refdata *ref = a->opts.ref;
  ls__subject *sub = &fx->subjects[s];
  const ls__line *L = &a->lines[fx->line_pos[sub->line]];
  const char *num = ls_dict_str(&a->numbers, sub->number);
  const ls__feat *ft = &a->feat[sub->number];
  int64_t first = ls__feat_first(a, ft), last = ls__feat_last(a, ft);
  char line[16], day[16], flags[160];
  ls__line_label(a, sub->line, line);
  const char *role = sub->role == LS__ROLE_RUNNER ? "runner" : "line phone";
  ls_status rc = LS_OK;
  uint32_t nid;
  int attributed = 0;
  if (ref && ls_dict_find(&c->att_nums, num, strlen(num), &nid) == LS_OK) {
    for (uint32_t k = c->att_off[nid]; k < c->att_off[nid + 1] && rc == LS_OK; k++) {
      const ls_attribution *at = &ref->attributions[c->att_idx[k]];
      uint32_t pi;
      if (at->from > last || at->to < first)
        continue; /* attributed at another time */
      attributed = 1;
      if (ls_dict_find(&c->persons, at->person_id, strlen(at->person_id), &pi) != LS_OK)
        continue; /* no person record: nothing known about age or vulnerability */
      const ls_person *p = &ref->persons[pi];
      int64_t start_day = floor_div(ls__local(first), 86400);
      int age = age_on(p->dob_days, start_day);
      int child = age < 18;
      int missing = (p->flags & LS_FLAG_MISSING_EPISODES) && sub->nights > 0;
      int vulnerable = (p->flags & LS_FLAG_VULNERABLE_ADULT) != 0;
      if (!child && !missing && !vulnerable)
        continue;
      ls__safeguard *g;
      rc = entry(c, p->person_id, p, sub->line, &g);
      if (rc)
        break;
      ls__date_str((int32_t)start_day, day);
      if (g->age < 0 || age < g->age)
        g->age = age;
      g->first = first < g->first ? first : g->first;
      g->last = last > g->last ? last : g->last;
      rc = add_number(g, num);
      if (rc == LS_OK && child) {
        g->child = 1;
        set_priority(g, LS__PRIO_HIGH);
        rc = reason(g, "aged %d when first seen as %s of %s (%s): a child exploited by a county line", age, role, line,
                    day);
      }
      if (rc == LS_OK && missing) {
        set_priority(g, child ? LS__PRIO_HIGH : LS__PRIO_MEDIUM);
        rc = reason(g, "missing episodes on record while %s %s stayed %u night(s) in %s", role, num, sub->nights,
                    dest_name(a, L));
      }
      if (rc == LS_OK && vulnerable && !child) {
        set_priority(g, LS__PRIO_MEDIUM);
        rc = reason(g, "a vulnerable adult used as %s of %s", role, line);
      }
      char from[LS_ISO_MAX] = "open", to[LS_ISO_MAX] = "open";
      if (at->from != INT64_MIN)
        ls_time_format_utc(at->from, from);
      if (at->to != INT64_MAX)
        ls_time_format_utc(at->to, to);
      if (rc == LS_OK)
        rc = fact(g, ls__source(a, LS_KIND_ATTRIBUTIONS), "%s attributed to %s, from %s to %s (source: %s)", num,
                  p->person_id, from, to, at->source ? at->source : "not given");
      ls__date_str(p->dob_days, day);
      ls__flags_str(p->flags, flags, sizeof flags);
      if (rc == LS_OK)
        rc = fact(g, ls__source(a, LS_KIND_PERSONS), "%s: born %s, sex %c, flags: %s", p->person_id, day, p->sex,
                  flags);
      if (rc == LS_OK)
        rc = movement_facts(c, g, s);
    }
  }
  if (rc || attributed || sub->role != LS__ROLE_RUNNER || sub->school_days < SCHOOL_DAYS_MIN)
    return rc;
  /* nobody attributed: the travel pattern may still say "child" */
  ls__safeguard *g;
  rc = entry(c, num, NULL, sub->line, &g);
  if (rc)
    return rc;
  set_priority(g, LS__PRIO_MEDIUM);
  g->first = first < g->first ? first : g->first;
  g->last = last > g->last ? last : g->last;
  rc = add_number(g, num);
  if (rc == LS_OK)
    rc = reason(g,
                "runner of %s attributed to nobody, seen travelling in school hours on %u term-time weekdays: "
                "possibly a child, to identify",
                line, sub->school_days);
  if (rc == LS_OK)
    rc = movement_facts(c, g, s);
  return rc;
}

/* The occupant of a cuckooed address. O(persons lookup + facts). */
static ls_status assess_occupant(ctx *c, const ls__cuckoo *ck) {
  ls_analysis *a = c->a;
  const ls_refdata *ref = a->opts.ref;
  const ls__address *ad = &a->fx->addresses[ck->address];
  char line[16], flags[160], day[16], t0[LS_ISO_MAX], t1[LS_ISO_MAX];
  if (!ad->occupant)
    return LS_OK;
  uint32_t pi;
  const ls_person *p = NULL;
  if (ls_dict_find(&c->persons, ad->occupant, strlen(ad->occupant), &pi) == LS_OK)
    p = &ref->persons[pi];
  ls__safeguard *g;
  ls_status rc = entry(c, ad->occupant, p, ck->line, &g);
  if (rc)
    return rc;
  ls__line_label(a, ck->line, line);
  uint32_t vf = (ad->occ_flags | ad->flags) &
                (LS_FLAG_VULNERABLE_ADULT | LS_FLAG_DRUG_DEPENDENCY | LS_FLAG_MENTAL_HEALTH);
  int age = p ? age_on(p->dob_days, floor_div(ls__local(ck->first), 86400)) : -1;
  if (age >= 0 && (g->age < 0 || age < g->age))
    g->age = age;
  g->first = ck->first < g->first ? ck->first : g->first;
  g->last = ck->last > g->last ? ck->last : g->last;
  if (age >= 0 && age < 18) {
    g->child = 1;
    set_priority(g, LS__PRIO_HIGH);
  }
  set_priority(g, vf ? LS__PRIO_MEDIUM : LS__PRIO_LOW);
  ls__flags_str(vf, flags, sizeof flags);
  rc = reason(g, "%soccupant of cuckooed address %s used by %s (%u nights; vulnerability: %s)", vf ? "vulnerable " : "",
              ad->id, line, ck->nights, flags);
  ls__flags_str(ad->flags, flags, sizeof flags);
  if (rc == LS_OK)
    rc = fact(g, ls__source(a, LS_KIND_ADDRESSES), "address %s (%.5f, %.5f), cell %s, occupant %s, address flags: %s",
              ad->id, ad->lat, ad->lon, ls__cell_label(a, ad->cell), ad->occupant, flags);
  if (rc == LS_OK && p) {
    ls__date_str(p->dob_days, day);
    ls__flags_str(p->flags, flags, sizeof flags);
    rc = fact(g, ls__source(a, LS_KIND_PERSONS), "%s: born %s, sex %c, flags: %s", p->person_id, day, p->sex, flags);
  }
  ls_time_format_utc(ck->first, t0);
  ls_time_format_utc(ck->last, t1);
  if (rc == LS_OK)
    rc = fact(g, ls__source(a, LS_KIND_EVENTS),
              "%u number(s) of %s (%u runner numbers) located overnight in cell %s on %u nights, %s to %s", ck->numbers,
              line, ck->runners, ls__cell_label(a, ck->cell), ck->nights, t0, t1);
  if (rc == LS_OK && ck->contact)
    rc = fact(g, ls__source(a, LS_KIND_EVENTS), "the occupant's numbers had %u events with %s's numbers", ck->contact,
              line);
  return rc;
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return (a > b) - (a < b);
}

/* The person attributed to number s's subject over its activity who was
 * youngest when it started, or -1 (no person known). O(its attributions). */
static int youngest_age(const ctx *c, uint32_t s) {
  const ls_analysis *a = c->a;
  const ls_refdata *ref = a->opts.ref;
  const ls__subject *sub = &a->fx->subjects[s];
  const char *num = ls_dict_str(&a->numbers, sub->number);
  const ls__feat *ft = &a->feat[sub->number];
  uint32_t nid, pi;
  int best = -1;
  if (!ref || ls_dict_find(&c->att_nums, num, strlen(num), &nid) != LS_OK)
    return -1;
  for (uint32_t k = c->att_off[nid]; k < c->att_off[nid + 1]; k++) {
    const ls_attribution *at = &ref->attributions[c->att_idx[k]];
    if (at->from > ls__feat_last(a, ft) || at->to < ls__feat_first(a, ft) ||
        ls_dict_find(&c->persons, at->person_id, strlen(at->person_id), &pi) != LS_OK)
      continue;
    int age = age_on(ref->persons[pi].dob_days, floor_div(ls__local(ls__feat_first(a, ft)), 86400));
    if (best < 0 || age < best)
      best = age;
  }
  return best;
}

/* Juvenile runners of each line: runner numbers attributed, over their
 * activity, to a person under 18 when it started. Runs before the harm
 * ranking, which counts them. O(S x At_s + S log S). */
ls_status ls__juveniles_find(ls_analysis *a, ls_error *err) {
  ls__findings *fx = a->fx;
  ctx c;
  ls_status rc = ctx_init(&c, a);
  for (size_t s = 0; s < fx->n_subjects && rc == LS_OK; s++) {
    const ls__subject *sub = &fx->subjects[s];
    if (sub->role != LS__ROLE_RUNNER)
      continue;
    int age = youngest_age(&c, (uint32_t)s);
    if (age < 0 || age >= 18)
      continue;
    ls__line *L = &a->lines[sub->line];
    uint32_t *p = ls_reallocarray(L->juveniles, L->n_juveniles + 1, sizeof *p);
    if (!p) {
      rc = LS_ERR_NOMEM;
      break;
    }
    L->juveniles = p;
    p[L->n_juveniles++] = sub->number;
    ls_qsort(L->juveniles, L->n_juveniles, sizeof *L->juveniles, cmp_u32);
  }
  ctx_free(&c);
  if (rc)
    LS_FAIL(err, rc, "analysis: out of memory finding juvenile runners");
  return rc;
}

static int by_priority(const void *x, const void *y) {
  const ls__safeguard *a = x, *b = y;
  if (a->priority != b->priority)
    return (a->priority > b->priority) - (a->priority < b->priority);
  if (a->child != b->child)
    return (a->child < b->child) - (a->child > b->child);
  if (a->rank != b->rank)
    return (a->rank > b->rank) - (a->rank < b->rank);
  return strcmp(a->subject, b->subject);
}

/* After ranking (line ids in the texts are final). Children first, then by
 * priority and line rank. O(S x At_s + cuckoos + G log G) for S followed
 * numbers, their attributions and G entries. */
ls_status ls__safeguarding_assess(ls_analysis *a, ls_error *err) {
  ls__findings *fx = a->fx;
  ctx c;
  ls_status rc = ctx_init(&c, a);
  for (size_t s = 0; s < fx->n_subjects && rc == LS_OK; s++)
    rc = assess_subject(&c, (uint32_t)s);
  for (size_t i = 0; i < fx->n_cuckoos && rc == LS_OK; i++)
    rc = assess_occupant(&c, &fx->cuckoos[i]);
  ctx_free(&c);
  if (rc)
    return LS_FAIL(err, rc, "analysis: out of memory assessing safeguarding");
  for (size_t i = 0; i < fx->n_safeguards; i++)
    fx->safeguards[i].rank = a->lines[fx->line_pos[fx->safeguards[i].line]].rank;
  if (fx->n_safeguards > 1) /* NULL when none: qsort must not see it (found by fuzzing) */
    ls_qsort(fx->safeguards, fx->n_safeguards, sizeof *fx->safeguards, by_priority);
  return LS_OK;
}
