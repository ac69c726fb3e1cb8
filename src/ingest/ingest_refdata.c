/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Readers for the small reference tables (DESIGN.md s.4): cells, persons,
 * attributions and addresses, told apart by their header. Thousands of rows,
 * not millions, so each row's strings are simply duplicated. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ls_mem.h"
#include "ingest/ingest_csv.h"
#include "ingest/ingest_rows.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_time.h"

void ls_refdata_init(ls_refdata *rd) { memset(rd, 0, sizeof *rd); }

void ls_refdata_free(ls_refdata *rd) {
  if (!rd)
    return;
  for (size_t i = 0; i < rd->n_cells; i++) {
    ls_free(rd->cells[i].cell_id);
    ls_free(rd->cells[i].name);
    ls_free(rd->cells[i].area);
  }
  for (size_t i = 0; i < rd->n_persons; i++)
    ls_free(rd->persons[i].person_id);
  for (size_t i = 0; i < rd->n_attributions; i++) {
    ls_free(rd->attributions[i].person_id);
    ls_free(rd->attributions[i].source);
  }
  for (size_t i = 0; i < rd->n_addresses; i++) {
    ls_free(rd->addresses[i].address_id);
    ls_free(rd->addresses[i].cell_id);
    ls_free(rd->addresses[i].occupant);
  }
  ls_free(rd->cells);
  ls_free(rd->persons);
  ls_free(rd->attributions);
  ls_free(rd->addresses);
  memset(rd, 0, sizeof *rd);
}

/* Grows an array of `size`-byte items to hold one more. */
static ls_status grow(void **arr, size_t *cap, size_t n, size_t size) {
  if (n < *cap)
    return LS_OK;
  size_t ncap = *cap ? *cap * 2 : 64;
  void *p = ls_reallocarray(*arr, ncap, size);
  if (!p)
    return LS_ERR_NOMEM;
  *arr = p;
  *cap = ncap;
  return LS_OK;
}

/* Vulnerability flag names, as in DESIGN.md s.4. */
static const struct {
  const char *name;
  uint32_t bit;
} k_flags[] = {
    {"missing_episodes", LS_FLAG_MISSING_EPISODES},
    {"looked_after", LS_FLAG_LOOKED_AFTER},
    {"excluded_from_school", LS_FLAG_EXCLUDED_FROM_SCHOOL},
    {"vulnerable_adult", LS_FLAG_VULNERABLE_ADULT},
    {"drug_dependency", LS_FLAG_DRUG_DEPENDENCY},
    {"mental_health", LS_FLAG_MENTAL_HEALTH},
};

/* `a;b;c` -> bits. On an unknown name returns 0 and points bad at it. */
static int parse_flags(const char *s, size_t n, uint32_t *flags, const char **bad, size_t *bad_len) {
  uint32_t f = 0;
  size_t i = 0;
  while (i <= n) {
    size_t j = i;
    while (j < n && s[j] != ';')
      j++;
    const char *w = s + i;
    size_t wn = j - i;
    ls_row_trim(&w, &wn);
    if (wn) {
      size_t k = 0;
      for (; k < sizeof k_flags / sizeof *k_flags; k++)
        if (ls_csv_span_ieq(w, wn, k_flags[k].name))
          break;
      if (k == sizeof k_flags / sizeof *k_flags) {
        *bad = w;
        *bad_len = wn;
        return 0;
      }
      f |= k_flags[k].bit;
    }
    i = j + 1;
  }
  *flags = f;
  return 1;
}

static int parse_sex(const char *s, size_t n, char *sex) {
  if (n == 0 || ls_csv_span_ieq(s, n, "u") || ls_csv_span_ieq(s, n, "unknown")) {
    *sex = 'U';
    return 1;
  }
  if (ls_csv_span_ieq(s, n, "m") || ls_csv_span_ieq(s, n, "male")) {
    *sex = 'M';
    return 1;
  }
  if (ls_csv_span_ieq(s, n, "f") || ls_csv_span_ieq(s, n, "female")) {
    *sex = 'F';
    return 1;
  }
  return 0;
}

/* A time of an attribution bound: a full timestamp, or a date alone meaning
 * the start of that day in tz. */
static ls_status parse_bound(const char *s, size_t n, const ls_tz *tz, int64_t *t,
                             const char **why) {
  if (n == 10) {
    char buf[20];
    memcpy(buf, s, 10);
    memcpy(buf + 10, "T00:00:00", 9);
    return ls_time_parse(buf, 19, tz, t, why);
  }
  return ls_time_parse(s, n, tz, t, why);
}

/* One column of a reference table. */
typedef struct col_spec {
  const char *name;
  int required;
} col_spec;

enum { MAX_COLS = 6 };

typedef struct reader {
  ls_csv csv;
  ls_row_ctx ctx;
  ls_csv_col cols[MAX_COLS];
  const ls_tz *tz;
  ls_error *err;
  const char *s; /* the field last taken by take(), trimmed */
  size_t n;
} reader;

static void take(reader *r, int c) {
  r->s = ls_csv_field(&r->csv, r->cols[c].index, &r->n);
  ls_row_trim(&r->s, &r->n);
}

/* Outcome of one row: OK (stored), REJECTED (reported), or a fatal status. */
#define ROW_REJECTED 1

static ls_status reject_value(reader *r, int c, const char *why) {
  ls_status rc;
  if (r->n == 0)
    rc = ls_row_reject(&r->ctx, &r->csv, r->err, "%s: missing value", r->cols[c].name);
  else
    rc = ls_row_reject_value(&r->ctx, &r->csv, r->err, r->cols[c].name, why, r->s, r->n);
  return rc ? rc : ROW_REJECTED;
}

/* A NUL byte would cut the C string short: "P1\0x" stored as "P1", or an
 * id of NULs as "" (found by fuzzing). Such a field is refused. */
static int has_nul(const reader *r) { return r->n && memchr(r->s, '\0', r->n) != NULL; }

/* A required non-empty identifier, duplicated. */
static ls_status take_id(reader *r, int c, char **out) {
  take(r, c);
  if (r->n == 0)
    return reject_value(r, c, "missing value");
  if (has_nul(r))
    return reject_value(r, c, "contains a NUL byte");
  *out = ls_strndup(r->s, r->n);
  return *out ? LS_OK : LS_ERR_NOMEM;
}

/* An optional text, duplicated, NULL when empty. */
static ls_status take_opt(reader *r, int c, char **out) {
  take(r, c);
  *out = NULL;
  if (r->n == 0)
    return LS_OK;
  if (has_nul(r))
    return reject_value(r, c, "contains a NUL byte");
  *out = ls_strndup(r->s, r->n);
  return *out ? LS_OK : LS_ERR_NOMEM;
}

static ls_status take_coord(reader *r, int c, double limit, double *out) {
  take(r, c);
  if (r->n == 0)
    return reject_value(r, c, "missing value");
  if (ls_row_parse_double(r->s, r->n, out) != LS_OK)
    return reject_value(r, c, "not a number");
  if (*out < -limit || *out > limit)
    return reject_value(r, c, limit == 90 ? "latitude outside -90..90" : "longitude outside -180..180");
  return LS_OK;
}

static ls_status take_flags(reader *r, int c, uint32_t *flags) {
  const char *bad = NULL;
  size_t bad_len = 0;
  take(r, c);
  *flags = 0;
  if (r->n == 0)
    return LS_OK;
  if (!parse_flags(r->s, r->n, flags, &bad, &bad_len)) {
    char why[96];
    snprintf(why, sizeof why, "unknown flag '%.*s'", (int)(bad_len > 40 ? 40 : bad_len), bad);
    return reject_value(r, c, why);
  }
  return LS_OK;
}

static ls_status row_cell(reader *r, ls_refdata *rd) {
  enum { ID, LAT, LON, AZ, NAME, AREA };
  ls_cell c = {NULL, 0, 0, NAN, NULL, NULL};
  ls_status rc = take_id(r, ID, &c.cell_id);
  if (!rc)
    rc = take_coord(r, LAT, 90, &c.lat);
  if (!rc)
    rc = take_coord(r, LON, 180, &c.lon);
  if (!rc) {
    take(r, AZ);
    if (r->n && (ls_row_parse_double(r->s, r->n, &c.azimuth) != LS_OK || c.azimuth < 0 ||
                 c.azimuth > 360))
      rc = reject_value(r, AZ, "not a bearing in degrees 0..360");
  }
  if (!rc)
    rc = take_opt(r, NAME, &c.name);
  if (!rc)
    rc = take_opt(r, AREA, &c.area);
  if (!rc)
    rc = grow((void **)&rd->cells, &rd->cap_cells, rd->n_cells, sizeof *rd->cells);
  if (rc) {
    ls_free(c.cell_id);
    ls_free(c.name);
    ls_free(c.area);
    return rc;
  }
  rd->cells[rd->n_cells++] = c;
  return LS_OK;
}

static ls_status row_person(reader *r, ls_refdata *rd, int32_t today) {
  enum { ID, DOB, SEX, FLAGS };
  ls_person p = {NULL, 0, 'U', 0};
  const char *why = NULL;
  ls_status rc = take_id(r, ID, &p.person_id);
  if (!rc) {
    take(r, DOB);
    if (r->n == 0 || ls_date_parse(r->s, r->n, &p.dob_days, &why) != LS_OK)
      rc = reject_value(r, DOB, why ? why : "missing value");
    else if (p.dob_days > today)
      rc = reject_value(r, DOB, "in the future");
  }
  if (!rc) {
    take(r, SEX);
    if (!parse_sex(r->s, r->n, &p.sex))
      rc = reject_value(r, SEX, "not M, F, male, female, U or unknown");
  }
  if (!rc)
    rc = take_flags(r, FLAGS, &p.flags);
  if (!rc)
    rc = grow((void **)&rd->persons, &rd->cap_persons, rd->n_persons, sizeof *rd->persons);
  if (rc) {
    ls_free(p.person_id);
    return rc;
  }
  rd->persons[rd->n_persons++] = p;
  return LS_OK;
}

static ls_status row_attribution(reader *r, ls_refdata *rd) {
  enum { NUMBER, PERSON, FROM, TO, SOURCE };
  ls_attribution a;
  const char *why = NULL;
  ls_status rc = LS_OK;
  memset(&a, 0, sizeof a);
  a.from = INT64_MIN;
  a.to = INT64_MAX;
  take(r, NUMBER);
  if (r->n == 0 || ls_phone_normalise(r->s, r->n, a.number, &why) != LS_OK)
    return reject_value(r, NUMBER, why ? why : "missing value");
  rc = take_id(r, PERSON, &a.person_id);
  if (!rc) {
    take(r, FROM);
    if (r->n && parse_bound(r->s, r->n, r->tz, &a.from, &why) != LS_OK)
      rc = reject_value(r, FROM, why);
  }
  if (!rc) {
    take(r, TO);
    if (r->n && parse_bound(r->s, r->n, r->tz, &a.to, &why) != LS_OK)
      rc = reject_value(r, TO, why);
    else if (a.to < a.from)
      rc = reject_value(r, TO, "before from");
  }
  if (!rc)
    rc = take_opt(r, SOURCE, &a.source);
  if (!rc)
    rc = grow((void **)&rd->attributions, &rd->cap_attributions, rd->n_attributions,
              sizeof *rd->attributions);
  if (rc) {
    ls_free(a.person_id);
    ls_free(a.source);
    return rc;
  }
  rd->attributions[rd->n_attributions++] = a;
  return LS_OK;
}

static ls_status row_address(reader *r, ls_refdata *rd) {
  enum { ID, LAT, LON, CELL, OCCUPANT, FLAGS };
  ls_address a;
  memset(&a, 0, sizeof a);
  ls_status rc = take_id(r, ID, &a.address_id);
  if (!rc)
    rc = take_coord(r, LAT, 90, &a.lat);
  if (!rc)
    rc = take_coord(r, LON, 180, &a.lon);
  if (!rc)
    rc = take_opt(r, CELL, &a.cell_id);
  if (!rc)
    rc = take_opt(r, OCCUPANT, &a.occupant);
  if (!rc)
    rc = take_flags(r, FLAGS, &a.flags);
  if (!rc)
    rc = grow((void **)&rd->addresses, &rd->cap_addresses, rd->n_addresses, sizeof *rd->addresses);
  if (rc) {
    ls_free(a.address_id);
    ls_free(a.cell_id);
    ls_free(a.occupant);
    return rc;
  }
  rd->addresses[rd->n_addresses++] = a;
  return LS_OK;
}

static const col_spec k_specs[][MAX_COLS] = {
    [LS_KIND_CELLS] = {{"cell_id", 1}, {"lat", 1}, {"lon", 1}, {"azimuth", 0}, {"name", 0},
                       {"area", 0}},
    [LS_KIND_PERSONS] = {{"person_id", 1}, {"dob", 1}, {"sex", 1}, {"flags", 0}},
    [LS_KIND_ATTRIBUTIONS] = {{"number", 1}, {"person_id", 1}, {"from", 0}, {"to", 0},
                              {"source", 0}},
    [LS_KIND_ADDRESSES] = {{"address_id", 1}, {"lat", 1}, {"lon", 1}, {"cell_id", 0},
                           {"occupant", 0}, {"flags", 0}},
};

/* Counts of the table a kind appends to, to roll back on failure. */
static size_t *table_count(ls_refdata *rd, ls_file_kind kind) {
  switch (kind) {
  case LS_KIND_CELLS:
    return &rd->n_cells;
  case LS_KIND_PERSONS:
    return &rd->n_persons;
  case LS_KIND_ATTRIBUTIONS:
    return &rd->n_attributions;
  case LS_KIND_ADDRESSES:
    return &rd->n_addresses;
  default:
    return NULL;
  }
}

/* Frees the strings of rows n0.. of a kind's table and truncates it. */
static void truncate_table(ls_refdata *rd, ls_file_kind kind, size_t n0) {
  size_t *n = table_count(rd, kind);
  if (!n)
    return;
  for (size_t i = n0; i < *n; i++) {
    switch (kind) {
    case LS_KIND_CELLS:
      ls_free(rd->cells[i].cell_id);
      ls_free(rd->cells[i].name);
      ls_free(rd->cells[i].area);
      break;
    case LS_KIND_PERSONS:
      ls_free(rd->persons[i].person_id);
      break;
    case LS_KIND_ATTRIBUTIONS:
      ls_free(rd->attributions[i].person_id);
      ls_free(rd->attributions[i].source);
      break;
    case LS_KIND_ADDRESSES:
      ls_free(rd->addresses[i].address_id);
      ls_free(rd->addresses[i].cell_id);
      ls_free(rd->addresses[i].occupant);
      break;
    default:
      break;
    }
  }
  *n = n0;
}

ls_status ls_ingest_read_refdata(const char *path, const ls_read_opts *opts, ls_refdata *rd,
                                 ls_file_kind *kind_out, ls_read_stats *stats, ls_error *err) {
  reader r;
  ls_tz *own_tz = NULL;
  ls_read_stats local_stats;
  ls_file_kind kind = LS_KIND_UNKNOWN;
  size_t n0 = 0;
  ls_status rc;

  if (kind_out)
    *kind_out = LS_KIND_UNKNOWN;
  if (!stats)
    stats = &local_stats;
  memset(stats, 0, sizeof *stats);
  memset(r.cols, 0, sizeof r.cols);
  r.err = err;
  r.tz = opts ? opts->tz : NULL;
  rc = ls_csv_open(&r.csv, path, err);
  if (rc)
    goto out;
  ls_row_begin(&r.ctx, &r.csv, opts, stats);
  rc = ls_csv_read_header(&r.csv, err);
  if (rc)
    goto out;
  kind = ls_row_kind(&r.csv);
  if (kind == LS_KIND_UNKNOWN || kind == LS_KIND_EVENTS) {
    rc = ls_error_set(err, LS_ERR_INPUT, r.csv.name, ls_csv_line(&r.csv), 0,
                      "%s: the header names no reference table (cells: cell_id,lat,lon; "
                      "persons: person_id,dob,sex; attributions: number,person_id; addresses: "
                      "address_id,lat,lon)",
                      kind == LS_KIND_EVENTS ? "an events file" : "unknown file");
    goto out;
  }
  if (kind_out)
    *kind_out = kind;
  n0 = *table_count(rd, kind);
  for (int c = 0; c < MAX_COLS; c++) {
    r.cols[c].name = k_specs[kind][c].name ? k_specs[kind][c].name : "";
    r.cols[c].required = k_specs[kind][c].required;
    r.cols[c].index = -1;
  }
  size_t nwanted = 0;
  while (nwanted < MAX_COLS && k_specs[kind][nwanted].name)
    nwanted++;
  rc = ls_csv_map_columns(&r.csv, r.cols, nwanted, err);
  if (rc)
    goto out;
  if (kind == LS_KIND_ATTRIBUTIONS && !r.tz &&
      (r.cols[2].index >= 0 || r.cols[3].index >= 0)) {
    rc = ls_tz_open(LS_DEFAULT_TZ, &own_tz, err);
    if (rc)
      goto out;
    r.tz = own_tz;
  }
  const size_t ncols = ls_csv_header_count(&r.csv);
  const int32_t today = (int32_t)(ls_time_now() / 86400);

  for (;;) {
    rc = ls_csv_next(&r.csv);
    if (rc == LS_DONE)
      break;
    stats->rows_read++;
    ls_row_progress(&r.ctx, &r.csv, 0);
    if (rc == LS_ERR_INPUT) {
      rc = ls_row_reject_malformed(&r.ctx, &r.csv, err);
      if (rc)
        goto out;
      continue;
    }
    if (rc < 0)
      goto nomem;
    if (!ls_row_width_ok(&r.csv, ncols)) {
      rc = ls_row_reject(&r.ctx, &r.csv, err, "expected %zu fields as in the header, found %zu",
                         ncols, ls_csv_count(&r.csv));
      if (rc)
        goto out;
      continue;
    }
    switch (kind) {
    case LS_KIND_CELLS:
      rc = row_cell(&r, rd);
      break;
    case LS_KIND_PERSONS:
      rc = row_person(&r, rd, today);
      break;
    case LS_KIND_ATTRIBUTIONS:
      rc = row_attribution(&r, rd);
      break;
    default:
      rc = row_address(&r, rd);
      break;
    }
    if (rc == ROW_REJECTED)
      continue;
    if (rc == LS_ERR_NOMEM)
      goto nomem;
    if (rc)
      goto out; /* the reject callback failed; err is set */
    stats->rows_ok++;
  }
  rc = LS_OK;
  ls_row_progress(&r.ctx, &r.csv, 1);
  goto out;

nomem:
  rc = ls_error_set(err, LS_ERR_NOMEM, r.csv.name, ls_csv_line(&r.csv), 0, "out of memory");
out:
  if (rc)
    truncate_table(rd, kind, n0);
  ls_csv_close(&r.csv);
  ls_tz_close(own_tz);
  return rc;
}
