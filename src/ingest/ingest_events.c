/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The events CSV reader (DESIGN.md s.4), the hot path of an ingest: one pass
 * over the mapped file, no allocation per row (fields are spans into the
 * mapping, numbers are normalised into a stack buffer and interned), so the
 * cost per row is parsing plus six hash lookups. */
#include <stdio.h>
#include <string.h>

#include "core/ls_hash.h"
#include "core/ls_mem.h"
#include "ingest/ingest_csv.h"
#include "ingest/ingest_rows.h"
#include "linesight/ls_ingest.h"

const char *ls_file_kind_name(ls_file_kind kind) {
  switch (kind) {
  case LS_KIND_EVENTS:
    return "events";
  case LS_KIND_CELLS:
    return "cells";
  case LS_KIND_PERSONS:
    return "persons";
  case LS_KIND_ATTRIBUTIONS:
    return "attributions";
  case LS_KIND_ADDRESSES:
    return "addresses";
  case LS_KIND_UNKNOWN:
    break;
  }
  return "unknown";
}

ls_status ls_ingest_detect(const char *path, ls_file_kind *kind, ls_error *err) {
  ls_csv csv;
  ls_status rc;
  *kind = LS_KIND_UNKNOWN;
  rc = ls_csv_open(&csv, path, err);
  if (rc)
    goto out;
  rc = ls_csv_read_header(&csv, err);
  if (rc)
    goto out;
  *kind = ls_row_kind(&csv);
out:
  ls_csv_close(&csv);
  return rc;
}

enum { C_START, C_TYPE, C_CALLER, C_CALLEE, C_DURATION, C_CALLER_CELL, C_CALLEE_CELL,
       C_CALLER_IMEI, C_CALLEE_IMEI, C_COUNT };

static int ieq3(const char *s, char a, char b, char c) {
  return (s[0] | 0x20) == a && (s[1] | 0x20) == b && (s[2] | 0x20) == c;
}

/* call | sms | mms (mms is a message, so sms), any case. */
static int parse_type(const char *s, size_t n, ls_event_type *t) {
  if (n == 4 && ieq3(s, 'c', 'a', 'l') && (s[3] | 0x20) == 'l') {
    *t = LS_EV_CALL;
    return 1;
  }
  if (n == 3 && (ieq3(s, 's', 'm', 's') || ieq3(s, 'm', 'm', 's'))) {
    *t = LS_EV_SMS;
    return 1;
  }
  return 0;
}

/* Whole non-negative seconds; "12.0" is whole too. Returns a reason or NULL. */
static const char *parse_duration(const char *s, size_t n, int32_t *out) {
  int64_t v = 0;
  size_t i = 0;
  if (n == 0) {
    *out = 0;
    return NULL;
  }
  if (s[0] == '-')
    return "negative duration";
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    v = v * 10 + (s[i] - '0');
    if (v > INT32_MAX)
      return "duration too large";
  }
  if (i == 0)
    return "not whole seconds";
  if (i < n && s[i] == '.') {
    for (i++; i < n && s[i] == '0'; i++)
      ;
  }
  if (i != n)
    return "not whole seconds";
  *out = (int32_t)v;
  return NULL;
}

/* 14-16 digits (IMEI 15, IMEISV 16, IMEI without check digit 14); '-' and
 * blanks between digit groups are dropped. Returns the digit count or 0. */
static size_t parse_imei(const char *s, size_t n, char out[17]) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (k == 16)
        return 0;
      out[k++] = c;
    } else if (c != '-' && c != ' ') {
      return 0;
    }
  }
  return k >= 14 ? k : 0;
}

/* A reader-local map from a number (E.164 digits as an integer: at most 15
 * digits, no leading zero, so distinct numbers give distinct keys) to its id
 * in out->numbers. One 16-byte slot per probe instead of the dictionary's
 * slot -> hash -> length -> pool chain: perf showed ls_dict_intern plus its
 * memcmp at 65% of a 10M-row read before this map, which skips it for every
 * number seen before in the file. Misses fall through to ls_dict_intern. */
typedef struct num_slot {
  uint64_t key; /* 0: empty */
  uint32_t id;
} num_slot;

typedef struct num_map {
  num_slot *slots;
  size_t mask, used;
} num_map;

static void num_map_free(num_map *m) {
  ls_free(m->slots);
  memset(m, 0, sizeof *m);
}

static ls_status num_map_grow(num_map *m) {
  size_t n = m->slots ? (m->mask + 1) * 2 : 16384;
  num_slot *slots = ls_calloc(n, sizeof *slots);
  if (!slots)
    return LS_ERR_NOMEM;
  for (size_t i = 0; m->slots && i <= m->mask; i++) {
    if (!m->slots[i].key)
      continue;
    size_t j = ls_hash_mix(m->slots[i].key) & (n - 1);
    while (slots[j].key)
      j = (j + 1) & (n - 1);
    slots[j] = m->slots[i];
  }
  ls_free(m->slots);
  m->slots = slots;
  m->mask = n - 1;
  return LS_OK;
}

/* The key of an E.164 string (`+` and 7-15 digits); *len gets its length. */
static uint64_t num_key(const char *e164, size_t *len) {
  uint64_t key = 0;
  size_t n = 1;
  for (; e164[n]; n++)
    key = key * 10 + (uint64_t)(e164[n] - '0');
  *len = n;
  return key;
}

/* Starts loading the key's slot while the rest of the row is parsed: the map
 * outgrows the caches for a few hundred thousand numbers, and hiding that
 * miss is worth ~15% of a read. */
static void num_map_prefetch(const num_map *m, uint64_t key) {
  if (m->slots)
    __builtin_prefetch(&m->slots[ls_hash_mix(key) & m->mask]);
}

/* Interns an E.164 string through the map; key and len from num_key. */
static ls_status intern_number(num_map *m, ls_dict *numbers, const char *e164, uint64_t key,
                               size_t len, uint32_t *id) {
  if ((m->used + 1) * 2 > m->mask + 1 || !m->slots) {
    ls_status rc = num_map_grow(m);
    if (rc)
      return rc;
  }
  size_t j = ls_hash_mix(key) & m->mask;
  while (m->slots[j].key) {
    if (m->slots[j].key == key) {
      *id = m->slots[j].id;
      return LS_OK;
    }
    j = (j + 1) & m->mask;
  }
  ls_status rc = ls_dict_intern(numbers, e164, len, id);
  if (rc)
    return rc;
  m->slots[j].key = key;
  m->slots[j].id = *id;
  m->used++;
  return LS_OK;
}

/* The same idea for cell identifiers of up to 16 bytes (`C2749`,
 * `23415-12345-123`): the key is the bytes themselves plus the length, so
 * equality is exact; longer identifiers go straight to the dictionary. With
 * 5000 cells perf put ls_dict_intern and its memcmp at a third of a read. */
typedef struct cell_slot {
  uint64_t a, b;
  uint32_t len; /* 0: empty */
  uint32_t id;
} cell_slot;

typedef struct cell_map {
  cell_slot *slots;
  size_t mask, used;
} cell_map;

static void cell_map_free(cell_map *m) {
  ls_free(m->slots);
  memset(m, 0, sizeof *m);
}

static size_t cell_hash(uint64_t a, uint64_t b, size_t len) {
  return (size_t)ls_hash_mix(a ^ ls_hash_mix(b + len));
}

static ls_status cell_map_grow(cell_map *m) {
  size_t n = m->slots ? (m->mask + 1) * 2 : 4096;
  cell_slot *slots = ls_calloc(n, sizeof *slots);
  if (!slots)
    return LS_ERR_NOMEM;
  for (size_t i = 0; m->slots && i <= m->mask; i++) {
    const cell_slot *c = &m->slots[i];
    if (!c->len)
      continue;
    size_t j = cell_hash(c->a, c->b, c->len) & (n - 1);
    while (slots[j].len)
      j = (j + 1) & (n - 1);
    slots[j] = *c;
  }
  ls_free(m->slots);
  m->slots = slots;
  m->mask = n - 1;
  return LS_OK;
}

static ls_status intern_cell(cell_map *m, ls_dict *cells, const char *s, size_t n, uint32_t *id) {
  if (n > 16)
    return ls_dict_intern(cells, s, n, id);
  uint64_t w[2] = {0, 0};
  memcpy(w, s, n);
  if ((m->used + 1) * 2 > m->mask + 1 || !m->slots) {
    ls_status rc = cell_map_grow(m);
    if (rc)
      return rc;
  }
  size_t j = cell_hash(w[0], w[1], n) & m->mask;
  while (m->slots[j].len) {
    const cell_slot *c = &m->slots[j];
    if (c->a == w[0] && c->b == w[1] && c->len == n) {
      *id = c->id;
      return LS_OK;
    }
    j = (j + 1) & m->mask;
  }
  ls_status rc = ls_dict_intern(cells, s, n, id);
  if (rc)
    return rc;
  m->slots[j] = (cell_slot){w[0], w[1], (uint32_t)n, *id};
  m->used++;
  return LS_OK;
}

static const ls_csv_col k_cols[C_COUNT] = {
    {"start", 1, -1},       {"type", 1, -1},        {"caller", 1, -1},
    {"callee", 1, -1},      {"duration_s", 0, -1},  {"caller_cell", 0, -1},
    {"callee_cell", 0, -1}, {"caller_imei", 0, -1}, {"callee_imei", 0, -1},
};

ls_status ls_ingest_read_events(const char *path, const ls_read_opts *opts, ls_events *out,
                                ls_read_stats *stats, ls_error *err) {
  ls_csv csv;
  ls_tz *own_tz = NULL;
  const ls_tz *tz = opts ? opts->tz : NULL;
  ls_read_stats local_stats;
  ls_row_ctx ctx;
  ls_csv_col cols[C_COUNT];
  const size_t count0 = out->count;
  num_map nums = {NULL, 0, 0};
  cell_map cellm = {NULL, 0, 0};
  ls_status rc;

  if (!stats)
    stats = &local_stats;
  memset(stats, 0, sizeof *stats);
  memcpy(cols, k_cols, sizeof cols);
  rc = ls_csv_open(&csv, path, err);
  if (rc)
    goto out;
  ls_row_begin(&ctx, &csv, opts, stats);
  rc = ls_csv_read_header(&csv, err);
  if (rc)
    goto out;
  rc = ls_csv_map_columns(&csv, cols, C_COUNT, err);
  if (rc) {
    if (err) {
      char why[LS_ERROR_MESSAGE_MAX];
      snprintf(why, sizeof why, "%s", err->message);
      ls_error_set(err, LS_ERR_INPUT, csv.name, err->line, err->column,
                   "not an events file: %s (need start, type, caller, callee)", why);
    }
    goto out;
  }
  const size_t ncols = ls_csv_header_count(&csv);
  const uint64_t header_end = ls_csv_offset(&csv);
  int reserved = 0;

  for (;;) {
    rc = ls_csv_next(&csv);
    if (rc == LS_DONE)
      break;
    stats->rows_read++;
    ls_row_progress(&ctx, &csv, 0);
    if (rc == LS_ERR_INPUT) {
      rc = ls_row_reject_malformed(&ctx, &csv, err);
      if (rc)
        goto out;
      continue;
    }
    if (rc < 0) {
      rc = ls_error_set(err, rc, csv.name, ls_csv_line(&csv), 0, "out of memory");
      goto out;
    }
    if (!reserved && stats->rows_read == 1024) {
      /* Size the columns once from the first rows' average length rather
       * than doubling (which would copy 10M rows ~ 20 times over). */
      uint64_t used = ls_csv_offset(&csv) - header_end;
      uint64_t rest = ls_csv_size(&csv) - header_end;
      uint64_t est = rest / (used / 1024 + 1);
      /* A valid row has at least 36 bytes (a 16-byte time, a 3-byte type,
       * two 7-digit numbers, commas): short first rows cannot make us
       * reserve more than that allows. */
      if (est > rest / 36)
        est = rest / 36;
      reserved = 1;
      rc = ls_events_reserve(out, out->count + (size_t)(est + est / 8 + 1024));
      if (rc) {
        rc = ls_error_set(err, rc, csv.name, 0, 0, "out of memory for %llu events",
                          (unsigned long long)est);
        goto out;
      }
    }
    if (!ls_row_width_ok(&csv, ncols)) {
      rc = ls_row_reject(&ctx, &csv, err, "expected %zu fields as in the header, found %zu",
                         ncols, ls_csv_count(&csv));
      if (rc)
        goto out;
      continue;
    }

    const char *s, *why = NULL;
    size_t n;
    int bad_col = -1;
    int64_t start;
    ls_event_type type;
    char caller_num[LS_E164_MAX], callee_num[LS_E164_MAX];
    int32_t duration;
    uint32_t ids[6];

    /* start */
    s = ls_csv_field(&csv, cols[C_START].index, &n);
    ls_row_trim(&s, &n);
    if (n == 0 || ls_time_parse(s, n, tz, &start, &why) != LS_OK) {
      if (n && !tz) {
        /* The default zone is opened at the first time that may need it,
         * so files with UTC or offset times never touch the tz database. */
        rc = ls_tz_open(LS_DEFAULT_TZ, &own_tz, err);
        if (rc)
          goto out;
        tz = own_tz;
        if (ls_time_parse(s, n, tz, &start, &why) == LS_OK)
          goto start_ok;
      }
      bad_col = C_START;
      goto reject;
    }
  start_ok:
    s = ls_csv_field(&csv, cols[C_TYPE].index, &n);
    ls_row_trim(&s, &n);
    if (n == 0 || !parse_type(s, n, &type)) {
      bad_col = C_TYPE;
      why = "not call, sms or mms";
      goto reject;
    }
    s = ls_csv_field(&csv, cols[C_CALLER].index, &n);
    if (ls_phone_normalise(s, n, caller_num, &why) != LS_OK) {
      bad_col = C_CALLER;
      goto reject;
    }
    s = ls_csv_field(&csv, cols[C_CALLEE].index, &n);
    if (ls_phone_normalise(s, n, callee_num, &why) != LS_OK) {
      bad_col = C_CALLEE;
      goto reject;
    }
    size_t caller_len, callee_len;
    uint64_t caller_key = num_key(caller_num, &caller_len);
    uint64_t callee_key = num_key(callee_num, &callee_len);
    num_map_prefetch(&nums, caller_key);
    num_map_prefetch(&nums, callee_key);
    s = ls_csv_field(&csv, cols[C_DURATION].index, &n);
    ls_row_trim(&s, &n);
    why = parse_duration(s, n, &duration);
    if (why) {
      bad_col = C_DURATION;
      goto reject;
    }
    for (int k = 0; k < 2; k++) {
      char imei[17];
      size_t ilen;
      s = ls_csv_field(&csv, cols[C_CALLER_IMEI + k].index, &n);
      ls_row_trim(&s, &n);
      ids[4 + k] = LS_NO_ID;
      if (n == 0)
        continue;
      ilen = parse_imei(s, n, imei);
      if (!ilen) {
        bad_col = C_CALLER_IMEI + k;
        why = "not a 14-16 digit IMEI";
        goto reject;
      }
      rc = ls_dict_intern(&out->imeis, imei, ilen, &ids[4 + k]);
      if (rc)
        goto nomem;
    }
    for (int k = 0; k < 2; k++) {
      s = ls_csv_field(&csv, cols[C_CALLER_CELL + k].index, &n);
      ls_row_trim(&s, &n);
      ids[2 + k] = LS_NO_ID;
      if (n == 0)
        continue;
      rc = intern_cell(&cellm, &out->cells, s, n, &ids[2 + k]);
      if (rc)
        goto nomem;
    }
    rc = intern_number(&nums, &out->numbers, caller_num, caller_key, caller_len, &ids[0]);
    if (rc)
      goto nomem;
    rc = intern_number(&nums, &out->numbers, callee_num, callee_key, callee_len, &ids[1]);
    if (rc)
      goto nomem;
    rc = ls_events_push(out, start, type, ids[0], ids[1], duration, ids[2], ids[3], ids[4], ids[5]);
    if (rc)
      goto nomem;
    stats->rows_ok++;
    continue;

  reject:
    s = ls_csv_field(&csv, cols[bad_col].index, &n);
    {
      const char *t = s;
      size_t tn = n;
      ls_row_trim(&t, &tn);
      if (tn == 0)
        rc = ls_row_reject(&ctx, &csv, err, "%s: missing value", cols[bad_col].name);
      else
        rc = ls_row_reject_value(&ctx, &csv, err, cols[bad_col].name, why ? why : "invalid", s, n);
    }
    if (rc)
      goto out;
  }
  rc = LS_OK;
  ls_row_progress(&ctx, &csv, 1);
  goto out;

nomem:
  rc = ls_error_set(err, rc, csv.name, ls_csv_line(&csv), 0, "%s",
                    rc == LS_ERR_LIMIT ? "too many distinct values" : "out of memory");
out:
  if (rc)
    out->count = count0; /* nothing half-read stays behind */
  ls_csv_close(&csv);
  ls_tz_close(own_tz);
  num_map_free(&nums);
  cell_map_free(&cellm);
  return rc;
}
