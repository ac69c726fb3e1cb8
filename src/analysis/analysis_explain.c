/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight explain SUBJECT` (docs/analysis.md, "Explain"): every flag,
 * score and rank traced to the events and records behind it, with times,
 * cells and the source file of each. Reads only the finished analysis. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/ls_limits.h"
#include "../core/ls_mem.h"
#include "analysis_findings.h"
#include "linesight/ls_analysis_explain.h"

typedef struct xbuf {
  char *p;
  size_t n, cap;
  int failed;
} xbuf;

static void xb_printf(xbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends formatted text, growing the buffer (bounded by
 * LS_LIMIT_TEXT_OUTPUT). Amortised O(length). */
static void xb_printf(xbuf *b, const char *fmt, ...) {
  while (!b->failed) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
      b->failed = 1;
      return;
    }
    if (b->p && b->n + (size_t)w < b->cap) {
      b->n += (size_t)w;
      return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap <= b->n + (size_t)w)
      cap *= 2;
    char *q = cap > LS_LIMIT_TEXT_OUTPUT ? NULL : ls_realloc(b->p, cap);
    if (!q) {
      b->failed = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}

size_t ls_analysis_safeguarding_count(const ls_analysis *a) { return a->fx ? a->fx->n_safeguards : 0; }
size_t ls_analysis_cuckoo_count(const ls_analysis *a) { return a->fx ? a->fx->n_cuckoos : 0; }

static const char *const prio_names[] = {"high", "medium", "low"};

static const char *place(const ls_analysis *a, uint32_t p) {
  return p != LS__NONE && a->place_name[p] ? a->place_name[p] : "?";
}

/* A safeguarding entry with its reasons and sourced facts. O(its facts). */
static void print_safeguard(const ls_analysis *a, xbuf *b, const ls__safeguard *g) {
  char line[16];
  ls__line_label(a, g->line, line);
  xb_printf(b, "safeguarding: %s, priority %s%s (line %s)\n", g->subject, prio_names[g->priority],
            g->child ? ", a child" : "", line);
  for (size_t i = 0; i < g->n_reasons; i++)
    xb_printf(b, "  reason: %s\n", g->reasons[i]);
  for (size_t i = 0; i < g->n_facts; i++)
    xb_printf(b, "  - %s  [source: %s]\n", g->facts[i].text, g->facts[i].source);
}

static void print_cuckoo(const ls_analysis *a, xbuf *b, const ls__cuckoo *c) {
  const ls__address *ad = &a->fx->addresses[c->address];
  char line[16];
  ls__line_label(a, c->line, line);
  xb_printf(b, "cuckooed address %s of %s, score %.2f, cell %s\n", ad->id, line, c->score, ls__cell_label(a, c->cell));
  for (size_t i = 0; i < c->n_explain; i++) {
    int src = c->explain_src[i];
    if (src == LS__SRC_CONTACT) /* the occupant's numbers come from the attributions */
      xb_printf(b, "  - %s  [source: %s; %s]\n", c->explain[i], ls__source(a, LS_KIND_EVENTS),
                ls__source(a, LS_KIND_ATTRIBUTIONS));
    else
      xb_printf(b, "  - %s  [source: %s]\n", c->explain[i],
                ls__source(a, src == LS__SRC_EVENTS    ? LS_KIND_EVENTS
                              : src == LS__SRC_PERSONS ? LS_KIND_PERSONS
                                                       : LS_KIND_ADDRESSES));
  }
}

/* Trips and nights of one followed number. O(its trips + all nights). */
static void print_subject(const ls_analysis *a, xbuf *b, uint32_t s) {
  const ls__findings *fx = a->fx;
  const ls__subject *sub = &fx->subjects[s];
  const char *src = ls__source(a, LS_KIND_EVENTS);
  char line[16], t0[LS_ISO_MAX], t1[LS_ISO_MAX], t2[LS_ISO_MAX];
  ls__line_label(a, sub->line, line);
  uint32_t k0 = fx->seen_off[sub->track], k1 = fx->seen_off[sub->track + 1];
  xb_printf(b, "movement as %s of %s: %u located events, %u trips, %u nights in the destination\n",
            sub->role == LS__ROLE_RUNNER ? "runner" : "line phone", line, k1 - k0, sub->n_trips, sub->nights);
  if (k1 > k0) {
    ls_time_format_utc(fx->seen[k0].t, t0);
    ls_time_format_utc(fx->seen[k1 - 1].t, t1);
    xb_printf(b, "  - first located %s in cell %s; last %s in cell %s  [source: %s]\n", t0,
              ls__cell_label(a, fx->seen[k0].cell), t1, ls__cell_label(a, fx->seen[k1 - 1].cell), src);
  }
  for (uint32_t i = 0; i < sub->n_trips; i++) {
    const ls__trip *t = &fx->trips[sub->first_trip + i];
    ls_time_format_utc(t->depart, t0);
    ls_time_format_utc(t->seen_away, t1);
    ls_time_format_utc(t->arrive, t2);
    xb_printf(b,
              "  - trip %s -> %s: last at %s in %s; en route %s in %s; arrived %s in %s; stayed %.1f h%s%s  "
              "[source: %s]\n",
              place(a, t->from_place), place(a, t->to_place), t0, ls__cell_label(a, t->depart_cell), t1,
              ls__cell_label(a, t->away_cell), t2, ls__cell_label(a, t->arrive_cell),
              (double)(t->leave - t->arrive) / 3600.0, t->school_hours ? ", in school hours" : "",
              t->late_night ? ", late at night" : "", src);
  }
  for (size_t i = 0; i < fx->n_nights; i++) {
    const ls__night *n = &fx->nights[i];
    if (n->subject != s)
      continue;
    char day[16];
    ls__date_str(n->night, day);
    ls_time_format_utc(n->first, t0);
    ls_time_format_utc(n->last, t1);
    xb_printf(b, "  - night of %s: %u events in cell %s, %s to %s  [source: %s]\n", day, n->events,
              ls__cell_label(a, n->cell), t0, t1, src);
  }
}

/* Everything about a number; returns whether it has a role or an entry.
 * O(lines x roles + its evidence). */
static int explain_number(const ls_analysis *a, xbuf *b, uint32_t num) {
  const ls__findings *fx = a->fx;
  const char *s = ls_dict_str(&a->numbers, num), *src = ls__source(a, LS_KIND_EVENTS);
  int found = 0;
  char t0[LS_ISO_MAX], t1[LS_ISO_MAX];
  xb_printf(b, "number %s\n", s);
  const ls__feat *ft = &a->feat[num];
  ls_time_format_utc(ls__feat_first(a, ft), t0);
  ls_time_format_utc(ls__feat_last(a, ft), t1);
  xb_printf(b, "  - %u calls and %u texts with %u distinct numbers, %s to %s  [source: %s]\n",
            ft->out_calls + ft->in_calls, ft->out_sms + ft->in_sms, ls__contacts(ft), t0, t1, src);
  for (size_t l = 0; l < a->n_lines; l++) {
    const ls__line *L = &a->lines[l];
    char id[16];
    snprintf(id, sizeof id, "LS-%04u", L->rank);
    for (size_t i = 0; i < L->n_numbers; i++)
      if (L->numbers[i] == num) {
        uint32_t c = a->feat[num].cand;
        xb_printf(b, "deal number of %s (number %zu of %zu), deal score %.3f\n", id, i + 1, L->n_numbers,
                  c != LS__NONE ? a->score[c] : 0.0);
        for (size_t k = 0; c != LS__NONE && k < a->cand_n_explain[c]; k++)
          xb_printf(b, "  - %s  [source: %s]\n", a->cand_explain[c][k], src);
        found = 1;
      }
    if (ls__u32_contains(L->holders, L->n_holders, num)) {
      xb_printf(b, "holder of %s: in regular contact with its phones, located away from %s  [source: %s]\n", id,
                L->n_dests ? place(a, L->dests[0]) : "its area", src);
      found = 1;
    }
    if (ls__u32_contains(L->runners, L->n_runners, num)) {
      xb_printf(b, "runner of %s: seen in the line phone's cell in the same hour on several days, and travelling%s  "
                   "[source: %s]\n",
                id, ls__u32_contains(L->juveniles, L->n_juveniles, num) ? "; attributed to a child" : "", src);
      found = 1;
    }
    if (ls__u32_contains(L->customers, L->n_customers, num)) {
      xb_printf(b, "customer of %s: contacted its numbers  [source: %s]\n", id, src);
      found = 1;
    }
  }
  for (size_t i = 0; i < fx->n_subjects; i++)
    if (fx->subjects[i].number == num)
      print_subject(a, b, (uint32_t)i);
  for (size_t i = 0; i < fx->n_safeguards; i++)
    for (size_t k = 0; k < fx->safeguards[i].n_numbers; k++)
      if (!strcmp(fx->safeguards[i].numbers[k], s)) {
        print_safeguard(a, b, &fx->safeguards[i]);
        found = 1;
      }
  return found;
}

/* A line: rank, harm components, roles, addresses, people. O(its size). */
static void explain_line(const ls_analysis *a, xbuf *b, const ls__line *L) {
  const ls__findings *fx = a->fx;
  char t0[LS_ISO_MAX], t1[LS_ISO_MAX];
  ls_time_format_utc(L->first, t0);
  ls_time_format_utc(L->last, t1);
  xb_printf(b, "line LS-%04u: rank %u by harm %.3f (deal score %.3f), %s -> %s, %s to %s\n", L->rank, L->rank, L->harm,
            L->score, place(a, L->origin), L->n_dests ? place(a, L->dests[0]) : "?", t0, t1);
  xb_printf(b, "harm components (value, weight, share of the score):\n");
  for (int i = 0; i < LS_HARM_N; i++) {
    if (isnan(L->harm_value[i]))
      xb_printf(b, "  %-20s unknown (no source in the inputs), weight %.2f, left out\n", ls_harm_component_name(i),
                fx->harm_weights[i]);
    else
      xb_printf(b, "  %-20s %.0f, weight %.2f, %.3f\n", ls_harm_component_name(i), L->harm_value[i],
                fx->harm_weights[i], L->harm_part[i]);
  }
  xb_printf(b, "evidence:\n");
  for (size_t i = 0; i < L->n_explain; i++)
    xb_printf(b, "  - %s  [source: %s]\n", L->explain[i], ls__source(a, LS_KIND_EVENTS));
  xb_printf(b, "numbers:\n");
  for (size_t i = 0; i < L->n_numbers; i++) {
    const ls__feat *ft = &a->feat[L->numbers[i]];
    ls_time_format_utc(ls__feat_first(a, ft), t0);
    ls_time_format_utc(ls__feat_last(a, ft), t1);
    xb_printf(b, "  %s  %s to %s, %u contacts, %u handset(s)\n", ls_dict_str(&a->numbers, L->numbers[i]), t0, t1,
              ls__contacts(ft), ft->cand == LS__NONE ? 0 : a->cand_imeis[ft->cand]);
  }
  xb_printf(b, "runners:");
  for (size_t i = 0; i < L->n_runners; i++)
    xb_printf(b, " %s%s", ls_dict_str(&a->numbers, L->runners[i]),
              ls__u32_contains(L->juveniles, L->n_juveniles, L->runners[i]) ? " (child)" : "");
  xb_printf(b, "%s\n", L->n_runners ? "" : " none found");
  for (size_t i = 0; i < fx->n_cuckoos; i++)
    if (fx->line_pos[fx->cuckoos[i].line] == (uint32_t)(L - a->lines))
      print_cuckoo(a, b, &fx->cuckoos[i]);
  for (size_t i = 0; i < fx->n_safeguards; i++)
    if (fx->line_pos[fx->safeguards[i].line] == (uint32_t)(L - a->lines))
      xb_printf(b, "safeguarding: %s (%s): %s\n", fx->safeguards[i].subject, prio_names[fx->safeguards[i].priority],
                fx->safeguards[i].n_reasons ? fx->safeguards[i].reasons[0] : "");
}

/* O(lines + safeguards + cuckoos + addresses) to find the subject, then its
 * evidence. */
ls_status ls_analysis_explain(const ls_analysis *a, const char *subject, char **text, ls_error *err) {
  const ls__findings *fx = a->fx;
  xbuf b = {0};
  int found = 0;
  *text = NULL;
  char e164[LS_E164_MAX];
  uint32_t num;
  if (ls_phone_normalise(subject, strlen(subject), e164, NULL) == LS_OK &&
      ls_dict_find(&a->numbers, e164, strlen(e164), &num) == LS_OK && num < a->n_numbers) {
    explain_number(a, &b, num);
    found = 1; /* a number with no role still has its events to show */
  }
  unsigned rank;
  char tail;
  if (!found && sscanf(subject, "LS-%u%c", &rank, &tail) == 1 && rank >= 1 && rank <= a->n_lines) {
    explain_line(a, &b, &a->lines[rank - 1]);
    found = 1;
  }
  for (size_t i = 0; !found && fx && i < fx->n_safeguards; i++)
    if (fx->safeguards[i].person && !strcmp(fx->safeguards[i].person, subject)) {
      xb_printf(&b, "person %s\n", subject);
      print_safeguard(a, &b, &fx->safeguards[i]);
      for (size_t k = 0; k < fx->safeguards[i].n_numbers; k++)
        xb_printf(&b, "  uses %s: `linesight explain %s` for its events\n", fx->safeguards[i].numbers[k],
                  fx->safeguards[i].numbers[k]);
      found = 1;
    }
  for (size_t i = 0; fx && i < fx->n_cuckoos; i++) {
    const ls__address *ad = &fx->addresses[fx->cuckoos[i].address];
    if (!strcmp(ad->id, subject) || (ad->occupant && !strcmp(ad->occupant, subject))) {
      print_cuckoo(a, &b, &fx->cuckoos[i]);
      found = 1;
    }
  }
  for (size_t i = 0; !found && fx && i < fx->n_addresses; i++)
    if (!strcmp(fx->addresses[i].id, subject)) {
      xb_printf(&b, "address %s is in cell %s, where a line's phones stayed overnight, but scored below the cut: "
                    "not named as cuckooed  [source: %s]\n",
                subject, ls__cell_label(a, fx->addresses[i].cell), ls__source(a, LS_KIND_ADDRESSES));
      found = 1;
    }
  if (b.failed) {
    ls_free(b.p);
    return LS_FAIL(err, LS_ERR_NOMEM, "explain: out of memory");
  }
  if (!found) {
    ls_free(b.p);
    return LS_FAIL(err, LS_ERR_NOTFOUND,
                   "explain: %s is not a number, person, address or line of this analysis (nothing found about it)",
                   subject);
  }
  *text = b.p;
  return LS_OK;
}
