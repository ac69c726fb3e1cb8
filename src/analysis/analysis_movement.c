/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Movement (docs/analysis.md, "Movement"): where each line's runners and
 * line phones go. Cells become places through the cells table's `area`
 * (roles: analysis_roles.c); a number's located events, in time order, are
 * read as stays at the line's origin, stays in its destination and sightings
 * elsewhere (stations, trackside cells, other towns). A trip is a move from
 * one of the two anchors to the other: departure is the last event at the
 * place left, arrival the first at the place reached, dwell the time until
 * the next departure. Trips seen in school hours or late at night are
 * marked: both are signs the #LookCloser campaign asks the public to notice
 * in children (DOMAIN.md, "Signs"). Nights in the destination (events
 * 00:00-06:00 local, dated by the evening before) feed the cuckooing stage.
 *
 * Only the numbers' own events are used: who was where and when. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "analysis_findings.h"

/* School hours: a school day runs about 08:30-15:30 (DfE guidance on the
 * length of the school week: 32.5 hours, 6.5 a day). */
#define SCHOOL_FROM_S (8 * 3600 + 1800)
#define SCHOOL_TO_S (15 * 3600 + 1800)
/* Late at night and overnight: 22:00-06:00 local. A runner's night base is
 * where the phone is when the town sleeps; the same hours mark a child out
 * alone late at night. */
#define NIGHT_FROM_S (22 * 3600)
#define NIGHT_TO_S (6 * 3600)
#define SLEEP_TO_S (6 * 3600)

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t ls__local(int64_t t) { return t + ls__uk_offset(t); }

/* Where someone sleeps: events 00:00-06:00 local. The evening before
 * midnight is when runners are out dealing (lines are busiest afternoon and
 * evening, DOMAIN.md), so it says little about the base. O(1). */
static int asleep(int64_t t) {
  int64_t s = ls__local(t) - floor_div(ls__local(t), 86400) * 86400;
  return s < SLEEP_TO_S;
}

/* O(1). */
int ls__late_night(int64_t t) {
  int64_t s = ls__local(t) - floor_div(ls__local(t), 86400) * 86400;
  return s >= NIGHT_FROM_S || s < NIGHT_TO_S;
}

/* O(holidays). */
int ls__school_hours(const ls__findings *fx, int64_t t) {
  int64_t local = ls__local(t), day = floor_div(local, 86400), s = local - day * 86400;
  if ((day + 3) % 7 >= 5 || s < SCHOOL_FROM_S || s >= SCHOOL_TO_S) /* 1970-01-01 was a Thursday */
    return 0;
  for (size_t i = 0; i < fx->n_holidays; i++)
    if (day >= fx->holidays[2 * i] && day <= fx->holidays[2 * i + 1])
      return 0;
  return 1;
}

void ls__date_str(int32_t day, char out[16]) {
  char iso[LS_ISO_MAX];
  ls_time_format_utc((int64_t)day * 86400, iso);
  snprintf(out, 16, "%.10s", iso);
}

const char *ls__source(const ls_analysis *a, ls_file_kind kind) {
  const ls_analysis_sources *s = &a->fx->sources;
  switch (kind) {
  case LS_KIND_EVENTS: return s->events ? s->events : "events (source file not recorded)";
  case LS_KIND_CELLS: return s->cells ? s->cells : "cells (source file not recorded)";
  case LS_KIND_PERSONS: return s->persons ? s->persons : "persons (source file not recorded)";
  case LS_KIND_ATTRIBUTIONS: return s->attributions ? s->attributions : "attributions (source file not recorded)";
  case LS_KIND_ADDRESSES: return s->addresses ? s->addresses : "addresses (source file not recorded)";
  default: return "unknown";
  }
}

void ls__line_label(const ls_analysis *a, uint32_t key, char out[16]) {
  uint32_t pos = a->fx && a->fx->line_pos ? a->fx->line_pos[key] : key;
  snprintf(out, 16, "LS-%04u", a->lines[pos].rank ? a->lines[pos].rank : pos + 1);
}

void ls__flags_str(uint32_t flags, char *out, size_t size) {
  static const char *const names[] = {"missing_episodes", "looked_after",   "excluded_from_school",
                                      "vulnerable_adult", "drug_dependency", "mental_health"};
  size_t n = 0;
  out[0] = '\0';
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
    if (flags & (1u << i)) {
      int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", names[i]);
      if (w < 0 || (size_t)w >= size - n)
        return;
      n += (size_t)w;
    }
  if (!n)
    snprintf(out, size, "none");
}

/* Cell labels for the evidence: "id (name, area)". O(C + ref cells). */
ls_status ls__cell_labels_build(ls_analysis *a) {
  ls__findings *fx = a->fx;
  const ls_events *ev = a->ev;
  fx->cell_label = ls_calloc((size_t)a->n_cells + 1, sizeof *fx->cell_label);
  if (!fx->cell_label)
    return LS_ERR_NOMEM;
  fx->n_cell_labels = a->n_cells;
  const ls_refdata *ref = a->opts.ref;
  for (size_t i = 0; ref && i < ref->n_cells; i++) {
    const ls_cell *c = &ref->cells[i];
    uint32_t id;
    if (!c->cell_id || ls_dict_find(&ev->cells, c->cell_id, strlen(c->cell_id), &id) != LS_OK ||
        fx->cell_label[id])
      continue;
    char buf[512];
    if (c->name && c->area)
      snprintf(buf, sizeof buf, "%s (%s, %s)", c->cell_id, c->name, c->area);
    else if (c->name || c->area)
      snprintf(buf, sizeof buf, "%s (%s)", c->cell_id, c->name ? c->name : c->area);
    else
      snprintf(buf, sizeof buf, "%s", c->cell_id);
    fx->cell_label[id] = ls_strdup(buf);
    if (!fx->cell_label[id])
      return LS_ERR_NOMEM;
  }
  for (uint32_t c = 0; c < a->n_cells; c++)
    if (!fx->cell_label[c]) {
      fx->cell_label[c] = ls_strdup(ls_dict_str(&ev->cells, c));
      if (!fx->cell_label[c])
        return LS_ERR_NOMEM;
    }
  return LS_OK;
}

const char *ls__cell_label(const ls_analysis *a, uint32_t cell) {
  if (cell == LS__NONE || cell == LS_NO_ID || !a->fx->cell_label || cell >= a->n_cells)
    return "unknown cell";
  return a->fx->cell_label[cell];
}

void ls__findings_free(ls__findings *fx) {
  if (!fx)
    return;
  ls_free(fx->track_number);
  ls_free(fx->seen);
  ls_free(fx->seen_off);
  ls_free(fx->subjects);
  ls_free(fx->trips);
  ls_free(fx->nights);
  for (size_t i = 0; i < fx->n_addresses; i++) {
    ls_free(fx->addresses[i].id);
    ls_free(fx->addresses[i].occupant);
  }
  ls_free(fx->addresses);
  for (size_t i = 0; i < fx->n_cuckoos; i++)
    ls__strlist_free(fx->cuckoos[i].explain, fx->cuckoos[i].n_explain);
  ls_free(fx->cuckoos);
  for (size_t i = 0; i < fx->n_safeguards; i++) {
    ls__safeguard *g = &fx->safeguards[i];
    ls_free(g->subject);
    ls_free(g->person);
    ls__strlist_free(g->numbers, g->n_numbers);
    ls__strlist_free(g->reasons, g->n_reasons);
    for (size_t k = 0; k < g->n_facts; k++) {
      ls_free(g->facts[k].text);
      ls_free(g->facts[k].source);
    }
    ls_free(g->facts);
  }
  ls_free(fx->safeguards);
  for (uint32_t c = 0; fx->cell_label && c < fx->n_cell_labels; c++)
    ls_free(fx->cell_label[c]);
  ls_free(fx->cell_label);
  ls_analysis_sources_free(&fx->sources);
  ls_free(fx->holidays);
  ls_free(fx->line_pos);
  ls_free(fx);
}

/* Copies options the later stages and the outputs need. O(holidays). */
static ls_status findings_init(ls_analysis *a) {
  ls__findings *fx = ls_calloc(1, sizeof *fx);
  if (!fx)
    return LS_ERR_NOMEM;
  a->fx = fx;
  ls_harm_weights_default(fx->harm_weights);
  if (a->opts.harm_weights)
    memcpy(fx->harm_weights, a->opts.harm_weights, sizeof fx->harm_weights);
  const ls_analysis_sources *s = a->opts.sources;
  if (s) {
    char *const *from[] = {&s->events, &s->cells, &s->persons, &s->attributions, &s->addresses};
    char **to[] = {&fx->sources.events, &fx->sources.cells, &fx->sources.persons, &fx->sources.attributions,
                   &fx->sources.addresses};
    for (int i = 0; i < 5; i++)
      if (*from[i] && !(*to[i] = ls_strdup(*from[i])))
        return LS_ERR_NOMEM;
  }
  if (a->opts.n_school_holidays) {
    fx->holidays = ls_malloc(a->opts.n_school_holidays * 2 * sizeof *fx->holidays);
    if (!fx->holidays)
      return LS_ERR_NOMEM;
    memcpy(fx->holidays, a->opts.school_holidays, a->opts.n_school_holidays * 2 * sizeof *fx->holidays);
    fx->n_holidays = a->opts.n_school_holidays;
  }
  return ls__cell_labels_build(a);
}

static int by_track_time(const void *x, const void *y) {
  const ls__seen *a = x, *b = y;
  if (a->track != b->track)
    return (a->track > b->track) - (a->track < b->track);
  if (a->t != b->t)
    return (a->t > b->t) - (a->t < b->t);
  return (a->cell > b->cell) - (a->cell < b->cell);
}

static int by_night(const void *x, const void *y) {
  const ls__night *a = x, *b = y;
  if (a->subject != b->subject)
    return (a->subject > b->subject) - (a->subject < b->subject);
  if (a->night != b->night)
    return (a->night > b->night) - (a->night < b->night);
  return (a->cell > b->cell) - (a->cell < b->cell);
}

/* Located events of every tracked number in the window, grouped by track
 * and sorted by time (then cell, so the order of the input never matters).
 * O(E + K log K). */
static ls_status collect_seen(ls_analysis *a, const uint32_t *track_of) {
  const ls_events *ev = a->ev;
  ls__findings *fx = a->fx;
  size_t n = 0;
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    n += (track_of[ev->caller[i]] != LS__NONE && ev->caller_cell[i] != LS_NO_ID) +
         (track_of[ev->callee[i]] != LS__NONE && ev->callee_cell[i] != LS_NO_ID);
  }
  fx->seen = ls_malloc((n + 1) * sizeof *fx->seen);
  fx->seen_off = ls_calloc((size_t)fx->n_tracks + 1, sizeof *fx->seen_off);
  if (!fx->seen || !fx->seen_off)
    return LS_ERR_NOMEM;
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    if (track_of[ev->caller[i]] != LS__NONE && ev->caller_cell[i] != LS_NO_ID)
      fx->seen[fx->n_seen++] = (ls__seen){ev->start[i], track_of[ev->caller[i]], ev->caller_cell[i]};
    if (track_of[ev->callee[i]] != LS__NONE && ev->callee_cell[i] != LS_NO_ID)
      fx->seen[fx->n_seen++] = (ls__seen){ev->start[i], track_of[ev->callee[i]], ev->callee_cell[i]};
  }
  ls_qsort(fx->seen, fx->n_seen, sizeof *fx->seen, by_track_time);
  for (size_t i = 0; i < fx->n_seen; i++)
    fx->seen_off[fx->seen[i].track + 1]++;
  for (uint32_t t = 0; t < fx->n_tracks; t++)
    fx->seen_off[t + 1] += fx->seen_off[t];
  return LS_OK;
}

enum { AT_NONE, AT_ORIGIN, AT_DEST, AT_ELSEWHERE };

static ls_status push_trip(ls__findings *fx, size_t *cap, const ls__trip *t) {
  if (fx->n_trips == *cap) {
    size_t c = *cap ? 2 * *cap : 256;
    ls__trip *p = ls_reallocarray(fx->trips, c, sizeof *p);
    if (!p)
      return LS_ERR_NOMEM;
    fx->trips = p;
    *cap = c;
  }
  fx->trips[fx->n_trips++] = *t;
  return LS_OK;
}

static ls_status push_night(ls__findings *fx, size_t *cap, const ls__night *nt) {
  if (fx->n_nights == *cap) {
    size_t c = *cap ? 2 * *cap : 256;
    ls__night *p = ls_reallocarray(fx->nights, c, sizeof *p);
    if (!p)
      return LS_ERR_NOMEM;
    fx->nights = p;
    *cap = c;
  }
  fx->nights[fx->n_nights++] = *nt;
  return LS_OK;
}

/* Trips and overnight events of one subject: one walk over its events.
 * A line without a known origin has two anchors: its destination and
 * everywhere else. O(k log D) for k events and D destination places. */
static ls_status subject_walk(ls_analysis *a, uint32_t s, const uint32_t *dest, size_t n_dest, size_t *trip_cap,
                              size_t *night_cap) {
  ls__findings *fx = a->fx;
  ls__subject *sub = &fx->subjects[s];
  const ls__line *L = &a->lines[sub->line];
  ls_status rc = LS_OK;
  int state = AT_NONE;
  const ls__seen *last = NULL, *away = NULL;
  size_t open_trip = SIZE_MAX;
  sub->first_trip = (uint32_t)fx->n_trips;
  for (uint32_t k = fx->seen_off[sub->track]; k < fx->seen_off[sub->track + 1] && rc == LS_OK; k++) {
    const ls__seen *e = &fx->seen[k];
    uint32_t place = a->cell_place[e->cell];
    int at = ls__u32_contains(dest, n_dest, place) ? AT_DEST
             : (L->origin == LS__NONE || place == L->origin) ? AT_ORIGIN
                                                             : AT_ELSEWHERE;
    if (at == AT_DEST && asleep(e->t)) {
      int32_t night = (int32_t)floor_div(ls__local(e->t) - 12 * 3600, 86400);
      rc = push_night(fx, night_cap, &(ls__night){s, e->cell, night, 1, e->t, e->t});
    }
    if (at == AT_ELSEWHERE) {
      if (state != AT_NONE && !away)
        away = e;
      continue;
    }
    if (state == AT_NONE || at == state) {
      state = at;
      last = e;
      away = NULL;
      continue;
    }
    ls__trip t = {0};
    t.subject = s;
    t.from_place = a->cell_place[last->cell];
    t.to_place = place;
    t.depart = last->t;
    t.depart_cell = last->cell;
    t.seen_away = away ? away->t : e->t;
    t.away_cell = away ? away->cell : e->cell;
    t.arrive = e->t;
    t.arrive_cell = e->cell;
    t.leave = e->t;
    t.inbound = at == AT_DEST;
    t.school_hours = (uint8_t)(ls__school_hours(fx, t.seen_away) || ls__school_hours(fx, t.arrive));
    t.late_night = (uint8_t)(ls__late_night(t.seen_away) || ls__late_night(t.arrive));
    if (open_trip != SIZE_MAX)
      fx->trips[open_trip].leave = last->t;
    rc = push_trip(fx, trip_cap, &t);
    open_trip = fx->n_trips - 1;
    state = at;
    last = e;
    away = NULL;
  }
  if (rc)
    return rc;
  if (open_trip != SIZE_MAX && last)
    fx->trips[open_trip].leave = last->t;
  sub->n_trips = (uint32_t)(fx->n_trips - sub->first_trip);
  /* distinct term-time weekdays seen travelling in school hours */
  int64_t prev_day = INT64_MIN;
  for (uint32_t i = sub->first_trip; i < sub->first_trip + sub->n_trips; i++) {
    const ls__trip *t = &fx->trips[i];
    sub->late_trips += t->late_night;
    if (!t->school_hours)
      continue;
    sub->school_trips++;
    int64_t when = ls__school_hours(fx, t->seen_away) ? t->seen_away : t->arrive;
    int64_t day = floor_div(ls__local(when), 86400);
    if (day != prev_day)
      sub->school_days++;
    prev_day = day;
  }
  return LS_OK;
}

ls_status ls__movement_trace(ls_analysis *a, ls_error *err) {
  ls_status rc = findings_init(a);
  uint32_t *track_of = NULL, *dest = NULL;
  if (rc)
    goto out;
  ls__findings *fx = a->fx;
  track_of = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *track_of);
  size_t n_sub = 0;
  for (size_t l = 0; l < a->n_lines; l++) {
    a->lines[l].key = (uint32_t)l;
    n_sub += a->lines[l].n_numbers + a->lines[l].n_runners;
  }
  fx->subjects = ls_calloc(n_sub + 1, sizeof *fx->subjects);
  fx->track_number = ls_malloc((n_sub + 1) * sizeof *fx->track_number);
  if (!track_of || !fx->subjects || !fx->track_number) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    track_of[i] = LS__NONE;
  for (size_t l = 0; l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    for (size_t i = 0; i < L->n_numbers + L->n_runners; i++) {
      int runner = i >= L->n_numbers;
      uint32_t num = runner ? L->runners[i - L->n_numbers] : L->numbers[i];
      if (track_of[num] == LS__NONE) {
        track_of[num] = fx->n_tracks;
        fx->track_number[fx->n_tracks++] = num;
      }
      ls__subject *s = &fx->subjects[fx->n_subjects++];
      s->number = num;
      s->line = (uint32_t)l;
      s->track = track_of[num];
      s->role = runner ? LS__ROLE_RUNNER : LS__ROLE_DEAL;
    }
  }
  rc = collect_seen(a, track_of);
  size_t trip_cap = 0, night_cap = 0;
  for (size_t s = 0; s < fx->n_subjects && rc == LS_OK; s++) {
    const ls__line *L = &a->lines[fx->subjects[s].line];
    ls_free(dest);
    dest = ls_malloc((L->n_dests + 1) * sizeof *dest);
    if (!dest) {
      rc = LS_ERR_NOMEM;
      break;
    }
    size_t nd = 0;
    for (size_t i = 0; i < L->n_dests; i++)
      if (L->dests[i] != L->origin)
        dest[nd++] = L->dests[i];
    ls__u32_sort(dest, nd);
    rc = subject_walk(a, (uint32_t)s, dest, nd, &trip_cap, &night_cap);
  }
  if (rc)
    goto out;
  /* one record per (subject, night, cell); qsort's array must not be NULL,
   * even for none (an empty store, found by fuzzing the server) */
  if (fx->n_nights > 1)
    ls_qsort(fx->nights, fx->n_nights, sizeof *fx->nights, by_night);
  size_t m = 0;
  for (size_t i = 0; i < fx->n_nights; i++) {
    const ls__night *n = &fx->nights[i];
    if (m && fx->nights[m - 1].subject == n->subject && fx->nights[m - 1].night == n->night &&
        fx->nights[m - 1].cell == n->cell) {
      ls__night *p = &fx->nights[m - 1];
      p->events++;
      p->first = n->first < p->first ? n->first : p->first;
      p->last = n->last > p->last ? n->last : p->last;
    } else {
      fx->nights[m++] = *n;
    }
  }
  fx->n_nights = m;
  for (size_t i = 0; i < m; i++)
    if (i == 0 || fx->nights[i - 1].subject != fx->nights[i].subject ||
        fx->nights[i - 1].night != fx->nights[i].night)
      fx->subjects[fx->nights[i].subject].nights++;
out:
  ls_free(track_of);
  ls_free(dest);
  if (rc)
    LS_FAIL(err, rc, "analysis: out of memory tracing movement");
  return rc;
}
