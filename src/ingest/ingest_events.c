/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The events CSV reader (DESIGN.md s.4), the hot path of an ingest: one pass
 * over the mapped file, no allocation per row (fields are spans into the
 * mapping, numbers are normalised into a stack buffer and interned), so the
 * cost per row is parsing plus six hash lookups. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
  num_slot *slots = ls_calloc_touched(n, sizeof *slots);
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
  cell_slot *slots = ls_calloc_touched(n, sizeof *slots);
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

/* Files with at least this much data after the header are parsed in two
 * byte ranges on two threads (below 16 MB a thread costs more than it
 * saves: such a file reads in ~0.1 s). */
#define PARALLEL_MIN_BYTES (16u << 20)
static uint64_t parallel_min = PARALLEL_MIN_BYTES;

void ls__ingest_events_parallel_min(uint64_t bytes) {
  parallel_min = bytes ? bytes : PARALLEL_MIN_BYTES;
}
#define CANCEL_CHECK_ROWS 65536u /* rows between checks of the cancel flag */

/* ---- rejects of the second range, held until it is known to be valid ---- */

typedef struct held_reject {
  long line; /* within the range (1-based) */
  size_t raw_off, raw_len, reason_off;
} held_reject;

typedef struct held {
  held_reject *v;
  size_t n, cap;
  char *text; /* raw records and reasons, NUL-separated */
  size_t len, cap_text;
} held;

static ls_status held_text(held *h, const char *s, size_t n, size_t *off) {
  if (h->len + n + 1 > h->cap_text) {
    size_t cap = h->cap_text ? h->cap_text : 4096;
    while (cap < h->len + n + 1)
      cap *= 2;
    char *t = ls_realloc(h->text, cap);
    if (!t)
      return LS_ERR_NOMEM;
    h->text = t;
    h->cap_text = cap;
  }
  memcpy(h->text + h->len, s, n);
  h->text[h->len + n] = '\0';
  *off = h->len;
  h->len += n + 1;
  return LS_OK;
}

static ls_status hold_reject(void *ctx, const ls_reject *r) {
  held *h = ctx;
  if (h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 64;
    held_reject *v = ls_reallocarray(h->v, cap, sizeof *v);
    if (!v)
      return LS_ERR_NOMEM;
    h->v = v;
    h->cap = cap;
  }
  held_reject *x = &h->v[h->n];
  x->line = r->line;
  x->raw_len = r->raw_len;
  if (held_text(h, r->raw, r->raw_len, &x->raw_off) ||
      held_text(h, r->reason, strlen(r->reason), &x->reason_off))
    return LS_ERR_NOMEM;
  h->n++;
  return LS_OK;
}

static void held_free(held *h) {
  ls_free(h->v);
  ls_free(h->text);
  memset(h, 0, sizeof *h);
}

/* ---- one byte range of the file and its reader ---------------------------- */

typedef struct part {
  ls_csv csv;
  const ls_csv_col *cols;
  size_t ncols;
  ls_read_opts ro; /* this range's rejects and progress */
  ls_row_ctx ctx;
  ls_read_stats stats;
  ls_events *out;
  ls_events own;   /* the second range's table: its own dictionaries */
  held held;       /* the second range's rejects */
  const ls_tz *tz;
  ls_tz *own_tz;
  num_map nums;
  cell_map cellm;
  uint64_t begin;  /* offset of the range's first record */
  uint64_t stop;   /* the first range: where the second begins (UINT64_MAX: none) */
  int overran;     /* the first range: a record crossed `stop` */
  int reserved;
  atomic_int *cancel; /* the second range: set when its result is not wanted */
  ls_progress_fn progress; /* the caller's, for the first range's scaled progress */
  void *progress_ctx;
  ls_error err;    /* the second range's error */
  ls_status rc;
} part;

static void part_free(part *p) {
  ls_csv_close(&p->csv);
  ls_tz_close(p->own_tz);
  num_map_free(&p->nums);
  cell_map_free(&p->cellm);
  ls_events_free(&p->own);
  held_free(&p->held);
}

/* The first range covers [begin, stop) of the file: its progress is scaled
 * to the whole file, which both threads read at about the same pace. */
static void progress_scaled(void *ctx, uint64_t done, uint64_t total) {
  const part *p = ctx;
  if (done < p->stop && p->stop > 0)
    done = (uint64_t)((double)done * (double)total / (double)p->stop);
  p->progress(p->progress_ctx, done, total);
}

/* Reads the records of one range into p->out. Returns LS_OK or a
 * whole-file error (out of memory, on_reject failing). */
static ls_status read_rows(part *p, ls_error *err) {
  ls_csv *csv = &p->csv;
  ls_events *out = p->out;
  ls_read_stats *stats = &p->stats;
  const ls_csv_col *cols = p->cols;
  ls_status rc;
  for (;;) {
    uint64_t at = ls_csv_offset(csv);
    if (at >= p->stop) {
      if (at == p->stop)
        break; /* the second range starts here: its reader takes over */
      /* a record (a quoted line end, or empty lines) crossed the split:
       * the second range started mid-record, so read on alone */
      p->overran = 1;
      p->stop = UINT64_MAX;
    }
    if (p->cancel && stats->rows_read % CANCEL_CHECK_ROWS == 0 &&
        atomic_load_explicit(p->cancel, memory_order_relaxed))
      return LS_OK;
    rc = ls_csv_next(csv);
    if (rc == LS_DONE)
      break;
    stats->rows_read++;
    ls_row_progress(&p->ctx, csv, 0);
    if (rc == LS_ERR_INPUT) {
      rc = ls_row_reject_malformed(&p->ctx, csv, err);
      if (rc)
        return rc;
      continue;
    }
    if (rc < 0)
      return ls_error_set(err, rc, csv->name, ls_csv_line(csv), 0, "out of memory");
    if (!p->reserved && stats->rows_read == 1024) {
      /* Size the columns once from the first rows' average length rather
       * than doubling (which would copy 10M rows ~ 20 times over). */
      uint64_t used = ls_csv_offset(csv) - p->begin;
      uint64_t rest = ls_csv_size(csv) - p->begin;
      uint64_t est = rest / (used / 1024 + 1);
      /* A valid row has at least 36 bytes (a 16-byte time, a 3-byte type,
       * two 7-digit numbers, commas): short first rows cannot make us
       * reserve more than that allows. */
      if (est > rest / 36)
        est = rest / 36;
      p->reserved = 1;
      rc = ls_events_reserve(out, out->count + (size_t)(est + est / 8 + 1024));
      if (rc)
        return ls_error_set(err, rc, csv->name, 0, 0, "out of memory for %llu events",
                            (unsigned long long)est);
    }
    if (!ls_row_width_ok(csv, p->ncols)) {
      rc = ls_row_reject(&p->ctx, csv, err, "expected %zu fields as in the header, found %zu",
                         p->ncols, ls_csv_count(csv));
      if (rc)
        return rc;
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
    s = ls_csv_field(csv, cols[C_START].index, &n);
    ls_row_trim(&s, &n);
    if (n == 0 || ls_time_parse(s, n, p->tz, &start, &why) != LS_OK) {
      if (n && !p->tz) {
        /* The default zone is opened at the first time that may need it,
         * so files with UTC or offset times never touch the tz database. */
        rc = ls_tz_open(LS_DEFAULT_TZ, &p->own_tz, err);
        if (rc)
          return rc;
        p->tz = p->own_tz;
        if (ls_time_parse(s, n, p->tz, &start, &why) == LS_OK)
          goto start_ok;
      }
      bad_col = C_START;
      goto reject;
    }
  start_ok:
    s = ls_csv_field(csv, cols[C_TYPE].index, &n);
    ls_row_trim(&s, &n);
    if (n == 0 || !parse_type(s, n, &type)) {
      bad_col = C_TYPE;
      why = "not call, sms or mms";
      goto reject;
    }
    s = ls_csv_field(csv, cols[C_CALLER].index, &n);
    if (ls_phone_normalise(s, n, caller_num, &why) != LS_OK) {
      bad_col = C_CALLER;
      goto reject;
    }
    s = ls_csv_field(csv, cols[C_CALLEE].index, &n);
    if (ls_phone_normalise(s, n, callee_num, &why) != LS_OK) {
      bad_col = C_CALLEE;
      goto reject;
    }
    size_t caller_len, callee_len;
    uint64_t caller_key = num_key(caller_num, &caller_len);
    uint64_t callee_key = num_key(callee_num, &callee_len);
    num_map_prefetch(&p->nums, caller_key);
    num_map_prefetch(&p->nums, callee_key);
    s = ls_csv_field(csv, cols[C_DURATION].index, &n);
    ls_row_trim(&s, &n);
    why = parse_duration(s, n, &duration);
    if (why) {
      bad_col = C_DURATION;
      goto reject;
    }
    for (int k = 0; k < 2; k++) {
      char imei[17];
      size_t ilen;
      s = ls_csv_field(csv, cols[C_CALLER_IMEI + k].index, &n);
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
      s = ls_csv_field(csv, cols[C_CALLER_CELL + k].index, &n);
      ls_row_trim(&s, &n);
      ids[2 + k] = LS_NO_ID;
      if (n == 0)
        continue;
      rc = intern_cell(&p->cellm, &out->cells, s, n, &ids[2 + k]);
      if (rc)
        goto nomem;
    }
    rc = intern_number(&p->nums, &out->numbers, caller_num, caller_key, caller_len, &ids[0]);
    if (rc)
      goto nomem;
    rc = intern_number(&p->nums, &out->numbers, callee_num, callee_key, callee_len, &ids[1]);
    if (rc)
      goto nomem;
    rc = ls_events_push(out, start, type, ids[0], ids[1], duration, ids[2], ids[3], ids[4], ids[5]);
    if (rc)
      goto nomem;
    stats->rows_ok++;
    continue;

  reject:
    s = ls_csv_field(csv, cols[bad_col].index, &n);
    {
      const char *t = s;
      size_t tn = n;
      ls_row_trim(&t, &tn);
      if (tn == 0)
        rc = ls_row_reject(&p->ctx, csv, err, "%s: missing value", cols[bad_col].name);
      else
        rc = ls_row_reject_value(&p->ctx, csv, err, cols[bad_col].name, why ? why : "invalid", s,
                                 n);
    }
    if (rc)
      return rc;
  }
  return LS_OK;

nomem:
  return ls_error_set(err, rc, csv->name, ls_csv_line(csv), 0, "%s",
                      rc == LS_ERR_LIMIT ? "too many distinct values" : "out of memory");
}

static void *part_run(void *arg) {
  part *p = arg;
  p->rc = read_rows(p, &p->err);
  return NULL;
}

/* Appends the second range's events to the first's table: its rejects go
 * to the caller with file line numbers (line0 = the line the second range
 * starts on), its dictionary ids are re-interned (numbers and cells through
 * the first range's maps, which know nearly all of them), then its columns
 * are copied with the ids translated. O(events + distinct values of b). */
static ls_status merge_part(part *a, part *b, const ls_read_opts *opts, long line0,
                            ls_error *err) {
  ls_events *out = a->out, *ev = &b->own;
  uint32_t *map[3] = {NULL, NULL, NULL};
  ls_status rc = LS_OK;
  for (size_t i = 0; i < b->held.n && opts && opts->on_reject; i++) {
    const held_reject *h = &b->held.v[i];
    ls_reject r = {.file = a->ctx.file,
                   .line = h->line + line0 - 1,
                   .raw = b->held.text + h->raw_off,
                   .raw_len = h->raw_len,
                   .reason = b->held.text + h->reason_off};
    rc = opts->on_reject(opts->reject_ctx, &r);
    if (rc)
      return ls_error_set(err, rc < 0 ? rc : LS_ERR_INTERNAL, a->ctx.file, r.line, 0,
                          "cannot record a rejected row: %s", ls_status_name(rc));
  }
  const ls_dict *from[3] = {&ev->numbers, &ev->cells, &ev->imeis};
  for (int t = 0; t < 3 && rc == LS_OK; t++) {
    map[t] = ls_malloc(((size_t)from[t]->count + 1) * sizeof *map[t]);
    if (!map[t]) {
      rc = LS_ERR_NOMEM;
      break;
    }
    for (uint32_t id = 0; id < from[t]->count && rc == LS_OK; id++) {
      const char *str = ls_dict_str(from[t], id);
      size_t len = from[t]->lengths[id];
      if (t == 0) {
        size_t klen;
        uint64_t key = num_key(str, &klen);
        rc = intern_number(&a->nums, &out->numbers, str, key, len, &map[0][id]);
      } else if (t == 1) {
        rc = intern_cell(&a->cellm, &out->cells, str, len, &map[1][id]);
      } else {
        rc = ls_dict_intern(&out->imeis, str, len, &map[2][id]);
      }
    }
  }
  if (rc == LS_OK)
    rc = ls_events_reserve(out, out->count + ev->count);
  if (rc == LS_OK) {
    size_t o = out->count;
    memcpy(out->start + o, ev->start, ev->count * sizeof *ev->start);
    memcpy(out->type + o, ev->type, ev->count * sizeof *ev->type);
    memcpy(out->duration + o, ev->duration, ev->count * sizeof *ev->duration);
    for (size_t i = 0; i < ev->count; i++) {
      out->caller[o + i] = map[0][ev->caller[i]];
      out->callee[o + i] = map[0][ev->callee[i]];
      out->caller_cell[o + i] = ev->caller_cell[i] == LS_NO_ID ? LS_NO_ID : map[1][ev->caller_cell[i]];
      out->callee_cell[o + i] = ev->callee_cell[i] == LS_NO_ID ? LS_NO_ID : map[1][ev->callee_cell[i]];
      out->caller_imei[o + i] = ev->caller_imei[i] == LS_NO_ID ? LS_NO_ID : map[2][ev->caller_imei[i]];
      out->callee_imei[o + i] = ev->callee_imei[i] == LS_NO_ID ? LS_NO_ID : map[2][ev->callee_imei[i]];
    }
    out->count = o + ev->count;
  }
  for (int t = 0; t < 3; t++)
    ls_free(map[t]);
  if (rc)
    return ls_error_set(err, rc, a->ctx.file, 0, 0, "%s",
                        rc == LS_ERR_LIMIT ? "too many distinct values" : "out of memory");
  a->stats.rows_read += b->stats.rows_read;
  a->stats.rows_ok += b->stats.rows_ok;
  a->stats.rows_rejected += b->stats.rows_rejected;
  return LS_OK;
}

/* Where a second range can begin: just after the first line end at or past
 * the middle of [begin, size), or 0 when there is none. Whether that is a
 * record boundary (not a line end inside quotes) is known only once the
 * first range's reader gets there. */
static uint64_t split_point(const ls_csv *csv, uint64_t begin) {
  uint64_t size = ls_csv_size(csv);
  uint64_t mid = begin + (size - begin) / 2;
  const char *nl = memchr(ls_csv_data(csv) + mid, '\n', (size_t)(size - mid));
  if (!nl)
    return 0;
  uint64_t at = (uint64_t)(nl - ls_csv_data(csv)) + 1;
  return at < size ? at : 0;
}

ls_status ls_ingest_read_events(const char *path, const ls_read_opts *opts, ls_events *out,
                                ls_read_stats *stats, ls_error *err) {
  static const ls_read_opts no_opts;
  ls_csv_col cols[C_COUNT];
  const size_t count0 = out->count;
  part a, *b = NULL;
  pthread_t thread;
  int started = 0;
  atomic_int cancel;
  ls_status rc;

  atomic_init(&cancel, 0);
  memset(&a, 0, sizeof a);
  ls_events_init(&a.own);
  a.out = out;
  a.ro = opts ? *opts : no_opts;
  a.tz = a.ro.tz;
  a.stop = UINT64_MAX;
  memcpy(cols, k_cols, sizeof cols);
  rc = ls_csv_open(&a.csv, path, err);
  if (rc)
    goto out;
  ls_row_begin(&a.ctx, &a.csv, &a.ro, &a.stats);
  rc = ls_csv_read_header(&a.csv, err);
  if (rc)
    goto out;
  rc = ls_csv_map_columns(&a.csv, cols, C_COUNT, err);
  if (rc) {
    if (err) {
      char why[LS_ERROR_MESSAGE_MAX];
      snprintf(why, sizeof why, "%s", err->message);
      ls_error_set(err, LS_ERR_INPUT, a.csv.name, err->line, err->column,
                   "not an events file: %s (need start, type, caller, callee)", why);
    }
    goto out;
  }
  a.cols = cols;
  a.ncols = ls_csv_header_count(&a.csv);
  a.begin = ls_csv_offset(&a.csv);

  /* Two ranges on two threads when the file is large: the number interning
   * that dominates a read (perf: ~30% of it, cache misses) and the parsing
   * both split cleanly, and each thread's dictionaries are small enough to
   * merge in a fraction of the time saved (docs/performance.md). */
  uint64_t split = 0;
  if (ls_csv_size(&a.csv) - a.begin >= parallel_min && sysconf(_SC_NPROCESSORS_ONLN) >= 2)
    split = split_point(&a.csv, a.begin);
  if (split)
    b = ls_calloc(1, sizeof *b);
  if (b) {
    ls_csv_open_view(&b->csv, &a.csv, (size_t)split);
    ls_events_init(&b->own);
    b->out = &b->own;
    b->cols = cols;
    b->ncols = a.ncols;
    b->ro.tz = a.ro.tz;
    b->ro.on_reject = hold_reject;
    b->ro.reject_ctx = &b->held;
    b->tz = a.ro.tz;
    b->stop = UINT64_MAX;
    b->cancel = &cancel;
    ls_row_begin(&b->ctx, &b->csv, &b->ro, &b->stats);
    if (pthread_create(&thread, NULL, part_run, b) == 0) {
      started = 1;
      a.stop = split;
      if (a.ro.on_progress) {
        a.progress = a.ro.on_progress;
        a.progress_ctx = a.ro.progress_ctx;
        a.ro.on_progress = progress_scaled;
        a.ro.progress_ctx = &a;
      }
    }
  }
  rc = read_rows(&a, err);
  if (started) {
    if (rc || a.overran)
      atomic_store(&cancel, 1);
    pthread_join(thread, NULL);
    if (rc == LS_OK && !a.overran) {
      long line0 = ls_csv_pos_line(&a.csv);
      if (b->rc) {
        rc = b->rc;
        if (err) {
          *err = b->err;
          if (err->line > 0)
            err->line += line0 - 1;
        }
      } else {
        rc = merge_part(&a, b, opts, line0, err);
      }
    }
  }
  if (rc == LS_OK && a.progress) {
    a.ro.on_progress = a.progress;
    a.ro.progress_ctx = a.progress_ctx;
    a.stop = UINT64_MAX;
  }
  if (rc == LS_OK)
    ls_row_progress(&a.ctx, &a.csv, 1);

out:
  if (rc)
    out->count = count0; /* nothing half-read stays behind */
  if (stats)
    *stats = a.stats;
  if (b) {
    part_free(b);
    ls_free(b);
  }
  part_free(&a);
  return rc;
}
