/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bandicoot's input formats (https://github.com/computationalprivacy/bandicoot):
 * one records file per subscriber, seen from that subscriber's side ("ego"),
 * an antennas file, and a recharges file. The records are kept as bandicoot
 * keeps them -- wall-clock times without zone, correspondent ids that are not
 * phone numbers -- so that ls_indicators_* computes bandicoot's indicators with
 * bandicoot's definitions (docs/indicators.md). The same table is filled from
 * the store's events for `linesight indicators --number` (analysis layer). */
#ifndef LINESIGHT_LS_INGEST_BANDICOOT_H
#define LINESIGHT_LS_INGEST_BANDICOOT_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"

typedef enum ls_bc_interaction { LS_BC_CALL = 0, LS_BC_TEXT = 1, LS_BC_GPS = 2 } ls_bc_interaction;

typedef struct ls_bc_record {
  int64_t local;          /* wall-clock time as written, as seconds since 1970-01-01 00:00 */
  uint32_t correspondent; /* id in user->correspondents */
  uint32_t position;      /* id in user->positions; "" (an empty antenna) is a position too */
  int32_t duration;       /* seconds; -1 when absent (bandicoot's None, texts) */
  uint8_t interaction;    /* ls_bc_interaction */
  uint8_t out;            /* 1 = out, 0 = in */
} ls_bc_record;

typedef struct ls_bc_recharge {
  int64_t local; /* wall-clock time; midnight when the file gives a date only */
  double amount; /* 0 when the file leaves it empty */
} ls_bc_recharge;

/* Counts of dropped records, bandicoot's `reporting__ignored_records`. */
typedef struct ls_bc_ignored {
  long all, interaction, direction, correspondent_id, datetime, call_duration, location;
} ls_bc_ignored;

/* One subscriber's records. Positions are interned: an antenna id as written,
 * or for a record located by coordinates "@lat,lon"; pos_lat/pos_lon give the
 * location of each position id (NaN when unknown). */
typedef struct ls_bc_user {
  ls_bc_record *records; /* sorted by local time (stable) once loading is done */
  size_t n_records, cap_records;
  ls_bc_recharge *recharges;
  size_t n_recharges, cap_recharges;
  int has_recharges;     /* a recharges file was read */
  ls_dict correspondents;
  ls_dict positions;
  double *pos_lat, *pos_lon;
  size_t cap_pos;
  size_t n_antennas;     /* rows of the antennas file */
  ls_bc_ignored ignored;
  char *name;            /* the file name without directory and ".csv" */
} ls_bc_user;

void ls_bc_user_init(ls_bc_user *u);
void ls_bc_user_free(ls_bc_user *u); /* accepts an initialised or zeroed user */

/* Appends a record (ids interned by the caller, or through the helpers below).
 * Errors: LS_ERR_NOMEM. Amortised O(1). */
ls_status ls_bc_user_push(ls_bc_user *u, const ls_bc_record *r, ls_error *err);
/* Interns a position by antenna id (location unknown until an antennas file
 * names it) or by coordinates. Errors: LS_ERR_NOMEM. O(len) expected. */
ls_status ls_bc_user_antenna(ls_bc_user *u, const char *id, size_t len, uint32_t *pos, ls_error *err);
ls_status ls_bc_user_location(ls_bc_user *u, double lat, double lon, uint32_t *pos, ls_error *err);
/* Sets the location of the antenna position `id` (adding it when new).
 * Errors: LS_ERR_NOMEM. O(len) expected. */
ls_status ls_bc_user_set_location(ls_bc_user *u, const char *id, size_t len, double lat, double lon,
                                  ls_error *err);
/* Sorts records by time, keeping file order among equal times. O(n log n). */
ls_status ls_bc_user_sort(ls_bc_user *u, ls_error *err);

/* Reads a bandicoot records CSV (header interaction,direction,
 * correspondent_id,datetime,call_duration and antenna_id and/or
 * latitude,longitude) into u, which must be initialised and may be empty.
 * Records that bandicoot would ignore are counted in u->ignored (per failing
 * field, and once in `all`) and also reported through on_reject when it is
 * not NULL (file, line, raw text, reason). The file may instead be in
 * bandicoot's "orange" layout (';'-separated, no header, 8 fields); it is
 * recognised by its first line. Records are sorted at the end.
 * Errors: LS_ERR_IO (cannot open), LS_ERR_INPUT (no usable header, malformed
 * CSV), LS_ERR_NOMEM. O(n log n) for n records. */
typedef ls_status (*ls_bc_reject_fn)(void *ctx, const char *file, long line, const char *raw,
                                     size_t raw_len, const char *reason);
ls_status ls_ingest_read_bandicoot(const char *path, ls_bc_user *u, ls_bc_reject_fn on_reject,
                                   void *reject_ctx, ls_error *err);

/* Reads an antennas CSV (antenna_id or place_id, latitude, longitude) and sets
 * the location of every position of u with that id (also of ids met later).
 * Errors: LS_ERR_IO, LS_ERR_INPUT (missing column, bad number: names file,
 * line, column), LS_ERR_NOMEM. O(rows). */
ls_status ls_ingest_read_bandicoot_antennas(const char *path, ls_bc_user *u, ls_error *err);

/* Reads a recharges CSV (datetime,amount,retailer_id; datetime with or
 * without time) into u->recharges, sorted by time. An empty amount counts
 * as 0, as bandicoot does. Errors: LS_ERR_IO, LS_ERR_INPUT (bad date or
 * amount, with line and column), LS_ERR_NOMEM. O(n log n). */
ls_status ls_ingest_read_bandicoot_recharges(const char *path, ls_bc_user *u, ls_error *err);

/* bandicoot's network filter (network=True): drops a record of u whose
 * correspondent has a records file in `dir` (named <correspondent>.csv) that
 * holds records with u as correspondent, none of which matches it (same
 * interaction and duration, opposite direction, less than 30 s apart).
 * Records with the subscriber itself as correspondent are kept.
 * *dropped receives the number removed. Errors: those of the reader on a
 * correspondent file, LS_ERR_NOMEM. O(n * m) for m records of a correspondent. */
ls_status ls_ingest_bandicoot_network_filter(ls_bc_user *u, const char *dir, size_t *dropped,
                                             ls_error *err);

/* Parses bandicoot's `YYYY-MM-DD HH:MM:SS` (1- or 2-digit month, day and time
 * fields; with date_only_ok, a bare date means midnight) into wall-clock
 * seconds. Returns LS_ERR_INPUT when it is not a valid date and time. O(len). */
ls_status ls_bc_parse_datetime(const char *s, size_t len, int date_only_ok, int64_t *local);

#endif
