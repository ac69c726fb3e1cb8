/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Readers: turn input files into the in-memory tables the store persists and
 * the analysis scans. Readers never score and never touch the store.
 *
 * Every reader reports each rejected row through opts->on_reject (file, line,
 * the raw text of the record, a reason) and goes on; it returns an error only
 * for whole-file failures (cannot open, not a recognised header, I/O error,
 * out of memory, or on_reject itself failing). */
#ifndef LINESIGHT_LS_INGEST_H
#define LINESIGHT_LS_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "ls_error.h"
#include "ls_events.h"

#define LS_E164_MAX 20 /* '+' + at most 15 digits + NUL, with room */
#define LS_DEFAULT_TZ "Europe/London"

/* ---- numbers ---------------------------------------------------------- */

/* Normalises a phone number as written (`07700 900123`, `+44 (0)7700 900123`,
 * `447700900123`, `0044 7700 900123`) to E.164 (`+447700900123`). National
 * numbers (leading 0) are read as UK numbers. On failure returns LS_ERR_INPUT
 * and, when reason is not NULL, points it at a static reason text. O(len). */
ls_status ls_phone_normalise(const char *in, size_t len, char out[LS_E164_MAX], const char **reason);

/* ---- time --------------------------------------------------------------- */

/* A time zone from the system tz database (/usr/share/zoneinfo), with a cache
 * of its UTC offsets so that converting local times is fast.
 * ls_tz_open: name NULL means LS_DEFAULT_TZ; "UTC" needs no tzdata. Errors:
 * LS_ERR_USAGE for a name not in the database, LS_ERR_NOMEM. It probes the
 * zone through the C library (~30 ms), setting TZ in the environment for a
 * moment under a lock: open zones at start-up, not while other threads call
 * localtime_r or getenv("TZ"). The ls_tz is read-only after, safe to share. */
typedef struct ls_tz ls_tz;
ls_status ls_tz_open(const char *name, ls_tz **out, ls_error *err);
void ls_tz_close(ls_tz *tz); /* accepts NULL */
/* The name given at open ("" for NULL). */
const char *ls_tz_name(const ls_tz *tz);
/* UTC offset in seconds east of UTC in effect at Unix time utc (0 for a NULL
 * tz). O(log transitions). */
int32_t ls_tz_offset_at(const ls_tz *tz, int64_t utc);

/* Parses a calendar date `YYYY-MM-DD` into days since 1970-01-01. Returns
 * LS_ERR_INPUT with a static reason on failure. O(1). */
ls_status ls_date_parse(const char *in, size_t len, int32_t *days, const char **reason);

/* Parses an ISO 8601 timestamp: `2024-10-07T13:45:12Z`, `...+01:00`,
 * `2024-10-07 13:45:12` (space allowed), optional fractional seconds
 * (dropped). A time without zone is local time in tz: a time in the spring
 * gap is an error, a time in the autumn fold resolves to the first occurrence.
 * Returns LS_ERR_INPUT with a static reason on failure. */
ls_status ls_time_parse(const char *in, size_t len, const ls_tz *tz, int64_t *unix_seconds,
                        const char **reason);

/* ---- files -------------------------------------------------------------- */

typedef enum ls_file_kind {
  LS_KIND_UNKNOWN = 0,
  LS_KIND_EVENTS,
  LS_KIND_CELLS,
  LS_KIND_PERSONS,
  LS_KIND_ATTRIBUTIONS,
  LS_KIND_ADDRESSES
} ls_file_kind;

const char *ls_file_kind_name(ls_file_kind kind); /* "events", "cells", ... */

typedef struct ls_reject {
  const char *file;
  long line;          /* 1-based line where the record starts */
  const char *raw;    /* the record as it was in the file, without line end */
  size_t raw_len;
  const char *reason; /* e.g. "caller: not a phone number" */
} ls_reject;

typedef ls_status (*ls_reject_fn)(void *ctx, const ls_reject *reject);
typedef void (*ls_progress_fn)(void *ctx, uint64_t bytes_done, uint64_t bytes_total);

typedef struct ls_read_opts {
  const ls_tz *tz;        /* for zone-less times; NULL means LS_DEFAULT_TZ */
  ls_reject_fn on_reject; /* may be NULL: rejects are then only counted */
  void *reject_ctx;
  ls_progress_fn on_progress; /* may be NULL */
  void *progress_ctx;
} ls_read_opts;

typedef struct ls_read_stats {
  uint64_t rows_read;     /* data records seen (header excluded) */
  uint64_t rows_ok;       /* records turned into rows */
  uint64_t rows_rejected; /* records reported through on_reject */
  uint64_t bytes;         /* file size */
} ls_read_stats;

/* Reads the header of a CSV file and tells which kind it is (DESIGN.md s.4):
 * events have start,type,caller,callee; cells cell_id,lat,lon; persons
 * person_id,dob,sex; attributions number,person_id; addresses address_id,lat,lon. */
ls_status ls_ingest_detect(const char *path, ls_file_kind *kind, ls_error *err);

/* Appends the events of an events CSV to `out` (which may already hold events:
 * ids are interned into its dictionaries). */
ls_status ls_ingest_read_events(const char *path, const ls_read_opts *opts, ls_events *out,
                                ls_read_stats *stats, ls_error *err);

/* Small reference tables, one row a record; strings are owned by the table. */
typedef struct ls_cell {
  char *cell_id;
  double lat, lon;
  double azimuth; /* NaN when absent */
  char *name;     /* NULL when absent */
  char *area;     /* NULL when absent */
} ls_cell;

/* Vulnerability flags of persons and addresses (DESIGN.md s.4). */
enum {
  LS_FLAG_MISSING_EPISODES = 1 << 0,
  LS_FLAG_LOOKED_AFTER = 1 << 1,
  LS_FLAG_EXCLUDED_FROM_SCHOOL = 1 << 2,
  LS_FLAG_VULNERABLE_ADULT = 1 << 3,
  LS_FLAG_DRUG_DEPENDENCY = 1 << 4,
  LS_FLAG_MENTAL_HEALTH = 1 << 5
};

typedef struct ls_person {
  char *person_id;
  int32_t dob_days; /* days since 1970-01-01 */
  char sex;         /* 'M', 'F' or 'U' */
  uint32_t flags;
} ls_person;

typedef struct ls_attribution {
  char number[LS_E164_MAX];
  char *person_id;
  int64_t from, to; /* Unix seconds; INT64_MIN / INT64_MAX when open */
  char *source;     /* NULL when absent */
} ls_attribution;

typedef struct ls_address {
  char *address_id;
  double lat, lon;
  char *cell_id;  /* NULL when absent */
  char *occupant; /* person_id or NULL */
  uint32_t flags;
} ls_address;

typedef struct ls_refdata {
  ls_cell *cells;
  size_t n_cells, cap_cells;
  ls_person *persons;
  size_t n_persons, cap_persons;
  ls_attribution *attributions;
  size_t n_attributions, cap_attributions;
  ls_address *addresses;
  size_t n_addresses, cap_addresses;
} ls_refdata;

void ls_refdata_init(ls_refdata *rd);
void ls_refdata_free(ls_refdata *rd);

/* Reads a cells, persons, attributions or addresses CSV (told apart by its
 * header) and appends its rows to rd. */
ls_status ls_ingest_read_refdata(const char *path, const ls_read_opts *opts, ls_refdata *rd,
                                 ls_file_kind *kind, ls_read_stats *stats, ls_error *err);

/* ---- operator returns (ingest_operator.c, docs/formats-operator.md) ------ */

/* Appends the records of an operator call-data return to `out`, reading its
 * columns through the mapping file at mapping_path (for example share/mappings/uk-return-a.map).
 * MO records become events with the target as caller, MT records with the
 * target as callee; the target's first (else last) cell and IMEI go on its
 * side. A record that mirrors another (both parties are targets: an MO and an
 * MT record of the same call or sms, starts <= 5 s and durations <= 2 s
 * apart) is merged into it, also across files read into the same `out`;
 * *mirrors_merged (may be NULL) receives how many. The mapping's `timezone`
 * wins over opts->tz. Bad rows go to opts->on_reject. Errors: LS_ERR_IO,
 * LS_ERR_INPUT (bad mapping with its line, missing column), LS_ERR_NOMEM.
 * O(rows + events in out) expected. */
ls_status ls_ingest_read_operator(const char *path, const char *mapping_path,
                                  const ls_read_opts *opts, ls_events *out,
                                  ls_read_stats *stats, uint64_t *mirrors_merged, ls_error *err);

#endif
