/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Events and reference data in the store (layout: docs/store.md).
 *
 * Events are kept as chunks of up to LS_STORE_CHUNK_EVENTS events, each one
 * row of event_chunks holding varint-encoded columns; numbers, cells and
 * handsets are dictionary tables whose ids are the ls_dict ids of a loaded
 * ls_events. Loading is therefore a decode into flat arrays, with no SQL per
 * event, and the ids in a loaded ls_events are stable store ids.
 *
 * Writers must hold a write transaction (ls_store_begin, or the ingest's
 * BEGIN IMMEDIATE) so that dictionary ids and event order stay consistent
 * with concurrent writers. */
#ifndef LINESIGHT_LS_STORE_EVENTS_H
#define LINESIGHT_LS_STORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"
#include "ls_ingest.h"
#include "ls_store.h"

#define LS_STORE_CHUNK_EVENTS 65536u /* events per chunk row (docs/store.md) */

/* Loads the dictionaries (numbers, cells, handsets: all of them, so ids equal
 * store ids) and the events whose start lies in [from, to) into `out`, which
 * must be freshly initialised (ls_events_init). Pass INT64_MIN, INT64_MAX for
 * every event. Events come in store order (the order they were ingested).
 * Errors: LS_ERR_DB (store failure or a corrupt chunk), LS_ERR_NOMEM.
 * O(events in the chunks overlapping the window + dictionary sizes). */
ls_status ls_store_events_load(ls_store *st, int64_t from, int64_t to, ls_events *out,
                               ls_error *err);

/* Number of events stored. O(chunks). */
ls_status ls_store_events_count(ls_store *st, int64_t *count, ls_error *err);

/* Appends events [first, ev->count) of `ev` to the store as chunks owned by
 * dataset `dataset_id`, and the dictionary entries of ev that the store does
 * not have yet. `ev` must extend what ls_store_events_load(all) returned
 * inside the same write transaction (its dictionaries start with the store's
 * entries, in order); otherwise LS_ERR_INTERNAL. Events must be deduplicated
 * first if that is wanted (ls_store_events_dedupe). Durations must be >= 0.
 * O(new events + new dictionary entries). */
ls_status ls_store_events_append(ls_store *st, const ls_events *ev, size_t first,
                                 int64_t dataset_id, ls_error *err);

/* The same for events [first, end) only (end <= ev->count): an ingest that
 * reads several files before storing any appends each file's range with its
 * own dataset, in order. The dictionaries are appended whole, as above. */
ls_status ls_store_events_append_range(ls_store *st, const ls_events *ev, size_t first,
                                       size_t end, int64_t dataset_id, ls_error *err);

/* Makes events [first, ev->count) unique against events [0, first) and among
 * themselves, on the event key (start, type, caller, callee, duration:
 * DESIGN.md s.4 "the same event present in two files"), keeping the first
 * occurrence: later duplicates are removed by compacting the arrays in place
 * (order kept) and ev->count is lowered; *duplicates receives how many.
 * Only events [0, first) whose start lies within the new events' time span
 * are compared. A time-ordered batch that overlaps nothing stored (the
 * usual case: one operator's return of a new period) is checked by one
 * sequential pass over its equal-start runs; otherwise an open-addressing
 * hash table of the overlapping and new events is used. Exact: keys are
 * compared, never only hashed. Errors: LS_ERR_NOMEM, LS_ERR_LIMIT (4G events;
 * ev unchanged then). O(ev->count) expected. */
ls_status ls_store_events_dedupe(ls_events *ev, size_t first, uint64_t *duplicates);

/* Loads the reference tables into rd (initialised by ls_refdata_init).
 * O(rows). Errors: LS_ERR_DB, LS_ERR_NOMEM. */
ls_status ls_store_refdata_load(ls_store *st, ls_refdata *rd, ls_error *err);

/* Stores the rows of rd of the given kind (cells, persons, attributions or
 * addresses) for dataset `dataset_id`. A row whose id (cell_id, person_id,
 * address_id; for attributions number, person_id, from, to) is already stored
 * with the same values is counted in *duplicates; with other values it
 * replaces the stored row (the later file wins) and counts as stored.
 * O(rows log stored rows). */
ls_status ls_store_refdata_append(ls_store *st, const ls_refdata *rd, ls_file_kind kind,
                                  int64_t dataset_id, uint64_t *stored, uint64_t *duplicates,
                                  ls_error *err);

#endif
