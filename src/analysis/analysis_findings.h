/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private structures of the later analysis stages (movement, cuckoo,
 * safeguarding, harm) and of what explain and the referrals export read
 * after the run. Everything refers to numbers and cells by the event
 * table's dictionary ids and to lines by their key (index before ranking). */
#ifndef LINESIGHT_ANALYSIS_FINDINGS_H
#define LINESIGHT_ANALYSIS_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis_internal.h"
#include "linesight/ls_time.h"

/* A located event of a followed number (a runner or a line phone). */
typedef struct ls__seen {
  int64_t t;
  uint32_t track; /* index in fx->track_number */
  uint32_t cell;  /* event cell id */
} ls__seen;

enum { LS__ROLE_DEAL = 0, LS__ROLE_RUNNER = 1 };

/* A number followed for one line. */
typedef struct ls__subject {
  uint32_t number, line, track; /* number id, line key, track */
  uint8_t role;                 /* LS__ROLE_* */
  uint32_t first_trip, n_trips; /* slice of fx->trips */
  uint32_t nights;              /* distinct nights seen in the destination */
  uint32_t school_trips;        /* trips seen travelling in school hours */
  uint32_t school_days;         /* distinct term-time weekdays of those */
  uint32_t late_trips;          /* trips seen travelling late at night */
} ls__subject;

/* A journey between the line's origin and destination. */
typedef struct ls__trip {
  uint32_t subject;
  uint32_t from_place, to_place;
  int64_t depart;    /* last event at the place left */
  int64_t seen_away; /* first event after it outside that place */
  int64_t arrive;    /* first event at the place reached */
  int64_t leave;     /* last event there before the next trip (dwell end) */
  uint32_t depart_cell, away_cell, arrive_cell;
  uint8_t inbound;      /* towards the destination */
  uint8_t school_hours; /* seen travelling 08:30-15:30 on a term-time weekday */
  uint8_t late_night;   /* seen travelling 22:00-06:00 */
} ls__trip;

/* Events of one subject in one destination cell in one night. */
typedef struct ls__night {
  uint32_t subject, cell;
  int32_t night; /* local date of the evening, days since 1970-01-01 */
  uint32_t events;
  int64_t first, last;
} ls__night;

/* Where a line of a cuckoo's evidence comes from (explain prints it). */
enum { LS__SRC_EVENTS = 0, LS__SRC_PERSONS, LS__SRC_ADDRESSES, LS__SRC_CONTACT /* events + attributions */ };
#define LS__CUCKOO_EXPLAIN_MAX 8

/* A cuckooed address found for a line. */
typedef struct ls__cuckoo {
  uint32_t line;    /* line key */
  uint32_t address; /* index in fx->addresses */
  uint32_t cell;
  double score;
  uint32_t nights, numbers, runners; /* distinct nights, numbers, runner numbers */
  uint32_t contact;                  /* events between its occupant's numbers and the line */
  uint32_t runner_contact;           /* of those, with the line's runners' own numbers */
  uint32_t contact_nights;           /* nights of the stay with contact from the base cell */
  uint32_t tied;                     /* other addresses in the cell with the same score */
  int64_t first, last;               /* first and last overnight event */
  char **explain;
  size_t n_explain;
  uint8_t explain_src[LS__CUCKOO_EXPLAIN_MAX]; /* LS__SRC_* of each explain line */
} ls__cuckoo;

/* An address record kept for the output (copied from the reference data). */
typedef struct ls__address {
  char *id, *occupant; /* occupant may be NULL */
  uint32_t flags;      /* the address's own flags */
  uint32_t occ_flags;  /* its occupant's person flags (0 when unknown) */
  int32_t occ_dob;     /* INT32_MIN when unknown */
  double lat, lon;
  uint32_t cell;       /* event cell id or LS__NONE */
} ls__address;

/* One fact behind a safeguarding entry, with where it came from. */
typedef struct ls__fact {
  char *text, *source;
} ls__fact;

enum { LS__PRIO_HIGH = 0, LS__PRIO_MEDIUM = 1, LS__PRIO_LOW = 2 };

typedef struct ls__safeguard {
  char *subject;   /* person id, or a number when no person is known */
  char *person;    /* person id or NULL */
  int32_t dob;     /* INT32_MIN when unknown */
  char sex;        /* 'M', 'F', 'U' */
  uint32_t flags;  /* person flags */
  int age;         /* age at the activity, -1 when unknown */
  int priority;    /* LS__PRIO_* */
  int child;       /* under 18 at the time of the activity */
  uint32_t line;   /* line key of the first link */
  uint32_t rank;   /* that line's rank (set when ranking) */
  int64_t first, last;
  char **numbers;
  size_t n_numbers;
  char **reasons;
  size_t n_reasons;
  ls__fact *facts;
  size_t n_facts;
} ls__safeguard;

typedef struct ls__findings {
  /* tracks: numbers followed, and their located events sorted by time */
  uint32_t *track_number;
  uint32_t n_tracks;
  ls__seen *seen;
  size_t n_seen;
  uint32_t *seen_off; /* [n_tracks + 1] */
  ls__subject *subjects;
  size_t n_subjects;
  ls__trip *trips;
  size_t n_trips;
  ls__night *nights; /* sorted by (subject, night, cell) */
  size_t n_nights;

  ls__address *addresses; /* addresses that are candidates of a line */
  size_t n_addresses;
  ls__cuckoo *cuckoos; /* sorted by line key, then score */
  size_t n_cuckoos;

  ls__safeguard *safeguards; /* children first (ls__findings_finish) */
  size_t n_safeguards;

  /* labels of cells: "<id> (<name>, <area>)", NULL until needed */
  char **cell_label; /* [n_cell_labels] */
  uint32_t n_cell_labels;
  ls_analysis_sources sources;
  double harm_weights[LS_HARM_N];
  int32_t *holidays; /* pairs */
  size_t n_holidays;
  uint32_t *line_pos; /* line key -> index in a->lines after ranking */
} ls__findings;

/* analysis_movement.c: tracks, trips and nights of every line's runners and
 * phones. O(E + K log K) for K located events of those numbers. */
ls_status ls__movement_trace(ls_analysis *a, ls_error *err);
/* Local (UK) seconds of a UTC time. O(1). */
int64_t ls__local(int64_t t);
/* Term-time weekday 08:30-15:30 local, or 22:00-06:00. O(holidays). */
int ls__school_hours(const ls__findings *fx, int64_t t);
int ls__late_night(int64_t t);
/* analysis_cuckoo.c: cuckooed addresses. O(N + A + C) for N night
 * records, A addresses and C cells. */
ls_status ls__cuckoo_find(ls_analysis *a, ls_error *err);
/* analysis_safeguarding.c: juvenile runners of each line (before the harm
 * ranking), then, once lines are ranked, the safeguarding list. O(S x At +
 * G log G) for S followed numbers, At attributions each, G entries. */
ls_status ls__juveniles_find(ls_analysis *a, ls_error *err);
ls_status ls__safeguarding_assess(ls_analysis *a, ls_error *err);
/* analysis_harm.c: harm components and score of each line. O(lines +
 * their numbers' degrees). */
ls_status ls__harm_score(ls_analysis *a, ls_error *err);
/* After ranking: line key -> position. O(L). */
ls_status ls__findings_finish(ls_analysis *a, ls_error *err);
void ls__findings_free(ls__findings *fx);

/* A label for an event cell ("id (name, area)"), kept in fx. NULL on OOM. */
const char *ls__cell_label(const ls_analysis *a, uint32_t cell);
/* Copies the reference cells' names into fx->cell_label. O(C). */
ls_status ls__cell_labels_build(ls_analysis *a);
/* The ISO date of a day number into out[11]. O(1). */
void ls__date_str(int32_t day, char out[16]);
/* Source text for facts of a kind (a file list) or a generic name. */
const char *ls__source(const ls_analysis *a, ls_file_kind kind);
/* Line id text ("LS-0001") of a line key after ranking. */
void ls__line_label(const ls_analysis *a, uint32_t key, char out[16]);
/* Flag names joined by ", " into out. */
void ls__flags_str(uint32_t flags, char *out, size_t size);

#endif
