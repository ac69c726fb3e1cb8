/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The in-memory event table every layer shares: readers fill it, the store
 * persists and reloads it, analysis scans it. Columns are flat arrays
 * indexed by event number; numbers, cells and handsets are interned into
 * dictionaries and referred to by 32-bit ids, so a 10M-event table costs
 * about 40 bytes an event. */
#ifndef LINESIGHT_LS_EVENTS_H
#define LINESIGHT_LS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"

#define LS_NO_ID UINT32_MAX /* an absent cell or IMEI */

/* String interning: each distinct string gets a dense id 0..count-1.
 * Lookup and insert are O(1) expected (open addressing). Strings are stored
 * NUL-terminated in one growable pool. */
typedef struct ls_dict {
  char *pool;          /* all strings, NUL-terminated, back to back */
  size_t pool_len, pool_cap;
  uint64_t *offsets;   /* id -> offset in pool */
  uint32_t *lengths;   /* id -> length */
  uint32_t count, cap; /* ids in use / capacity of offsets+lengths */
  uint32_t *slots;     /* hash table of id+1 (0 = empty) */
  uint64_t *hashes;    /* id -> hash, to grow without rehashing strings */
  uint32_t slot_mask;
} ls_dict;

void ls_dict_init(ls_dict *d);
void ls_dict_free(ls_dict *d);
/* Interns s[0..len) and stores its id in *id. */
ls_status ls_dict_intern(ls_dict *d, const char *s, size_t len, uint32_t *id);
/* Finds s; returns LS_ERR_NOTFOUND (without touching err) when absent. */
ls_status ls_dict_find(const ls_dict *d, const char *s, size_t len, uint32_t *id);
static inline const char *ls_dict_str(const ls_dict *d, uint32_t id) {
  return d->pool + d->offsets[id];
}

typedef enum ls_event_type { LS_EV_CALL = 0, LS_EV_SMS = 1 } ls_event_type;

typedef struct ls_events {
  size_t count, cap;
  int64_t *start;        /* Unix seconds, UTC */
  uint8_t *type;         /* ls_event_type */
  uint32_t *caller;      /* id in numbers */
  uint32_t *callee;      /* id in numbers */
  int32_t *duration;     /* seconds, 0 for sms */
  uint32_t *caller_cell; /* id in cells or LS_NO_ID */
  uint32_t *callee_cell;
  uint32_t *caller_imei; /* id in imeis or LS_NO_ID */
  uint32_t *callee_imei;
  ls_dict numbers;       /* E.164 strings */
  ls_dict cells;         /* cell identifiers as given */
  ls_dict imeis;         /* handset identifiers, digits only */
} ls_events;

void ls_events_init(ls_events *ev);
void ls_events_free(ls_events *ev);
ls_status ls_events_reserve(ls_events *ev, size_t cap);
/* Appends one event whose ids were already interned. */
ls_status ls_events_push(ls_events *ev, int64_t start, ls_event_type type, uint32_t caller,
                         uint32_t callee, int32_t duration, uint32_t caller_cell,
                         uint32_t callee_cell, uint32_t caller_imei, uint32_t callee_imei);

#endif
