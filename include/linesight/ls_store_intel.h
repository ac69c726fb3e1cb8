/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Intelligence items: what the public (and later other sources) report,
 * graded by analysts with the College of Policing 3x5x2 model and linked to
 * the addresses, persons, numbers and lines it concerns
 * (docs/public-reports.md).
 *
 *   source evaluation        1 reliable, 2 untested, 3 not reliable
 *   intelligence assessment  A known directly, B known indirectly and
 *                            corroborated, C known indirectly, D not known,
 *                            E suspected false
 *   handling code            P lawful sharing permitted, C permitted with
 *                            conditions (the conditions are recorded)
 *
 * An item from the public keeps the day it arrived, never the time, and
 * nothing about the sender; its id is random so that it cannot be put in
 * order beside the audit trail's exact times. */
#ifndef LINESIGHT_LS_STORE_INTEL_H
#define LINESIGHT_LS_STORE_INTEL_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_store.h"

#define LS_INTEL_AREA_MAX 100        /* bytes: a town, street or landmark */
#define LS_INTEL_POSTCODE_MAX 8      /* "SO14 7DU": UK postcodes are 5-8 characters */
#define LS_INTEL_WHEN_MAX 200        /* "most evenings last week, around 11pm" */
#define LS_INTEL_DESCRIPTION_MAX 4000
#define LS_INTEL_REF_MAX 64          /* a linked record's id */
#define LS_INTEL_CONDITIONS_MAX 500  /* handling conditions of code C */

typedef struct ls_intel_item {
  int64_t id;
  const char *source;      /* "public" */
  const char *received_on; /* YYYY-MM-DD */
  const char *category;    /* one of ls_store_intel_categories */
  const char *signs;       /* comma-separated codes of ls_store_intel_signs; "" for none */
  const char *area;
  const char *postcode; /* "" when not given */
  int has_point;        /* lat/lon given (a map point) */
  double lat, lon;
  const char *seen_when; /* free text; "" when not given */
  const char *description;
  /* grading ("new" until graded) */
  const char *status;    /* "new" or "graded" */
  int source_evaluation; /* 1-3; 0 while new */
  char assessment;       /* 'A'-'E'; 0 while new */
  char handling;         /* 'P' or 'C'; 0 while new */
  const char *handling_conditions;
  const char *graded_by, *graded_at; /* "" while new */
  const char *force;                 /* the force policing `area`, "" when none */
} ls_intel_item;

typedef struct ls_intel_link {
  const char *kind; /* "address", "person", "number", "line" */
  const char *ref;  /* the record's id; numbers in E.164 */
  const char *linked_by, *linked_at;
} ls_intel_link;

/* The fixed vocabularies, NULL-terminated: categories of a report and the
 * #LookCloser signs (DOMAIN.md), by code. */
extern const char *const ls_store_intel_categories[];
extern const char *const ls_store_intel_signs[];

/* Stores a new item (status "new"). Fields read: source, received_on (NULL:
 * today, UTC), category, signs, area, postcode, has_point/lat/lon,
 * seen_when, description; every text must be valid UTF-8 without control
 * characters (newlines and tabs allowed in description and seen_when) and
 * within its limit. *id (may be NULL) receives the new random id.
 * Errors: LS_ERR_INPUT naming the field and why; LS_ERR_DB. O(size). */
ls_status ls_store_intel_add(ls_store *st, const ls_intel_item *item, int64_t *id, ls_error *err);

/* Grades an item (again, if it was graded): source_evaluation 1-3,
 * assessment 'A'-'E', handling 'P' or 'C'; conditions are required with C
 * and refused with P. `who` is recorded as graded_by.
 * Errors: LS_ERR_INPUT, LS_ERR_NOTFOUND, LS_ERR_DB. O(1). */
ls_status ls_store_intel_grade(ls_store *st, int64_t id, int source_evaluation, char assessment,
                               char handling, const char *conditions, const char *who,
                               ls_error *err);

/* Links an item to a record: kind "address", "person", "number" (any
 * spelling; stored in E.164) or "line"; ref 1-LS_INTEL_REF_MAX printable
 * bytes. Linking twice is not an error. `unlink` removes a link (absent:
 * LS_ERR_NOTFOUND). Errors: LS_ERR_INPUT, LS_ERR_NOTFOUND (no such item),
 * LS_ERR_DB. O(1). */
ls_status ls_store_intel_link(ls_store *st, int64_t id, const char *kind, const char *ref,
                              const char *who, ls_error *err);
ls_status ls_store_intel_unlink(ls_store *st, int64_t id, const char *kind, const char *ref,
                                ls_error *err);

typedef struct ls_intel_filter {
  int64_t id;            /* 0: any */
  const char *status;    /* "new", "graded" or NULL */
  const char *source;    /* or NULL */
  const char *link_kind; /* with link_ref: items linked to that record */
  const char *link_ref;
  int64_t limit; /* newest first; 0 = 500 */
} ls_intel_filter;

/* Calls visit for each matching item, newest day first, with its links;
 * strings are valid during the call only; a non-zero return stops.
 * Errors: LS_ERR_INPUT (bad filter), LS_ERR_DB, LS_ERR_NOMEM.
 * O(items read + their links). */
ls_status ls_store_intel_list(ls_store *st, const ls_intel_filter *filter,
                              int (*visit)(const ls_intel_item *item, const ls_intel_link *links,
                                           size_t nlinks, void *ctx),
                              void *ctx, ls_error *err);

#endif
