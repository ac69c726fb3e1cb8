/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Events and reference data in the store: the chunk codec, dictionary
 * tables, in-memory duplicate detection, and the reference tables.
 *
 * The codec is hand-written (no compression library fits: zlib/zstd cost
 * more CPU than the disk time they save at ~15 bytes an event, and the whole
 * 10M-event ingest budget is ~3 s). Chunk BLOB, codec 1:
 *   "LSE1", u32 n, u32 stream_len[9]   (little-endian)
 *   streams, in this order:
 *     start        zigzag varint of the delta to the previous event's start
 *                  (the first against 0): CDRs come roughly in time order, so
 *                  most deltas fit one or two bytes
 *     type         bitmap, bit i set = sms
 *     caller       varint id
 *     callee       varint id
 *     duration     varint seconds (>= 0)
 *     caller_cell, callee_cell, caller_imei, callee_imei
 *                  varint of id + 1, 0 for LS_NO_ID
 * Varints are LEB128 (7 bits a byte, low first). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_hash.h"
#include "../core/ls_mem.h"
#include "linesight/ls_store_events.h"
#include "store_internal.h"

#define CODEC_V1 1
#define N_STREAMS 9
#define HEADER_BYTES (8 + 4 * N_STREAMS)

/* ---- little helpers ------------------------------------------------------ */

static void put_u32le(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t put_varint(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* Reads one varint from [*p, end); returns 0 on a truncated or overlong one. */
static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t out = 0;
  unsigned shift = 0;
  const uint8_t *q = *p;
  while (q < end && shift < 64) {
    uint8_t b = *q++;
    out |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *p = q;
      *v = out;
      return 1;
    }
    shift += 7;
  }
  return 0;
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static ls_status step_done(ls_stmt *s, ls_error *err) {
  ls_status rc = ls_stmt_step(s, err);
  if (rc == LS_DONE || rc == LS_ROW)
    return LS_OK;
  return rc;
}

/* ---- chunk codec --------------------------------------------------------- */

static size_t chunk_bound(size_t n) { return HEADER_BYTES + n * (10 + 7 * 5) + n / 8 + 1; }

/* Encodes events [i0, i0 + n) into buf (chunk_bound(n) bytes); returns the size. */
static size_t chunk_encode(const ls_events *ev, size_t i0, size_t n, uint8_t *buf) {
  uint8_t *p = buf + HEADER_BYTES;
  uint32_t lens[N_STREAMS];
  uint8_t *mark = p;
  int64_t prev = 0;
  for (size_t i = i0; i < i0 + n; i++) {
    p += put_varint(p, zigzag((int64_t)((uint64_t)ev->start[i] - (uint64_t)prev)));
    prev = ev->start[i];
  }
  lens[0] = (uint32_t)(p - mark);
  mark = p;
  memset(p, 0, (n + 7) / 8);
  for (size_t k = 0; k < n; k++)
    if (ev->type[i0 + k] == LS_EV_SMS)
      p[k / 8] |= (uint8_t)(1u << (k % 8));
  p += (n + 7) / 8;
  lens[1] = (uint32_t)(p - mark);
  const uint32_t *ids[6] = {ev->caller,      ev->callee,      (const uint32_t *)ev->duration,
                            ev->caller_cell, ev->callee_cell, ev->caller_imei};
  for (int s = 0; s < 6; s++) {
    mark = p;
    /* cells and handsets may be LS_NO_ID: stored as id + 1, so absent is 0 */
    uint32_t bias = s >= 3 ? 1u : 0u;
    for (size_t i = i0; i < i0 + n; i++)
      p += put_varint(p, (uint32_t)(ids[s][i] + bias));
    lens[2 + s] = (uint32_t)(p - mark);
  }
  mark = p;
  for (size_t i = i0; i < i0 + n; i++)
    p += put_varint(p, (uint32_t)(ev->callee_imei[i] + 1u));
  lens[8] = (uint32_t)(p - mark);
  memcpy(buf, "LSE1", 4);
  put_u32le(buf + 4, (uint32_t)n);
  for (int s = 0; s < N_STREAMS; s++)
    put_u32le(buf + 8 + 4 * s, lens[s]);
  return (size_t)(p - buf);
}

/* Decodes a chunk of n events into ev at positions [ev->count, ev->count + n)
 * (capacity reserved by the caller). Returns 0 on a corrupt chunk. */
static int chunk_decode(const uint8_t *blob, size_t len, size_t n, ls_events *ev) {
  if (len < HEADER_BYTES || memcmp(blob, "LSE1", 4) != 0 || get_u32le(blob + 4) != n)
    return 0;
  const uint8_t *p = blob + HEADER_BYTES;
  const uint8_t *end = blob + len;
  const uint8_t *stream_end[N_STREAMS];
  const uint8_t *q = p;
  for (int s = 0; s < N_STREAMS; s++) {
    uint32_t l = get_u32le(blob + 8 + 4 * s);
    if ((size_t)(end - q) < l)
      return 0;
    q += l;
    stream_end[s] = q;
  }
  size_t base = ev->count;
  uint64_t v;
  int64_t prev = 0;
  for (size_t k = 0; k < n; k++) {
    if (!get_varint(&p, stream_end[0], &v))
      return 0;
    prev = (int64_t)((uint64_t)prev + (uint64_t)unzigzag(v));
    ev->start[base + k] = prev;
  }
  if (p != stream_end[0] || (size_t)(stream_end[1] - p) != (n + 7) / 8)
    return 0;
  for (size_t k = 0; k < n; k++)
    ev->type[base + k] = (p[k / 8] >> (k % 8)) & 1u ? LS_EV_SMS : LS_EV_CALL;
  p = stream_end[1];
  uint32_t *ids[7] = {ev->caller,      ev->callee,      (uint32_t *)ev->duration, ev->caller_cell,
                      ev->callee_cell, ev->caller_imei, ev->callee_imei};
  for (int s = 0; s < 7; s++) {
    uint32_t bias = s >= 3 ? 1u : 0u;
    uint32_t *col = ids[s] + base;
    for (size_t k = 0; k < n; k++) {
      if (!get_varint(&p, stream_end[2 + s], &v) || v > UINT32_MAX)
        return 0;
      col[k] = (uint32_t)v - bias;
    }
    if (p != stream_end[2 + s])
      return 0;
  }
  ev->count = base + n;
  return 1;
}

/* ---- dictionaries -------------------------------------------------------- */

/* New dictionary entries and chunks are written with the bulk-copy API:
 * COPY on PostgreSQL, where a prepared INSERT per row cost a network round
 * trip each (h8 measured PostgreSQL ingests 4-6x slower than SQLite, most of
 * it in the ~1M dictionary rows of a 10M-event file); on SQLite it is the
 * same prepared INSERT per row as before. */
static const struct dict_table {
  const char *select;  /* id, text in id order */
  const char *next_id; /* one past the largest id */
  const char *table;   /* for the bulk copy of (id, text) */
  const char *column;
  const char *last;    /* text of one id, to check the caller's dictionary */
} dict_tables[3] = {
    {"SELECT id, e164 FROM numbers ORDER BY id", "SELECT COALESCE(MAX(id) + 1, 0) FROM numbers",
     "numbers", "e164", "SELECT e164 FROM numbers WHERE id = ?"},
    {"SELECT id, cell_id FROM event_cells ORDER BY id",
     "SELECT COALESCE(MAX(id) + 1, 0) FROM event_cells", "event_cells", "cell_id",
     "SELECT cell_id FROM event_cells WHERE id = ?"},
    {"SELECT id, imei FROM imeis ORDER BY id", "SELECT COALESCE(MAX(id) + 1, 0) FROM imeis",
     "imeis", "imei", "SELECT imei FROM imeis WHERE id = ?"},
};

static ls_dict *dict_of(ls_events *ev, int t) {
  return t == 0 ? &ev->numbers : t == 1 ? &ev->cells : &ev->imeis;
}

static ls_status dict_load(ls_store *st, const struct dict_table *t, ls_dict *d, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, t->select, &s, err);
  while (rc == LS_OK) {
    rc = ls_stmt_step(s, err);
    if (rc != LS_ROW)
      break;
    const char *text = ls_stmt_text(s, 1);
    uint32_t id;
    rc = ls_dict_intern(d, text, strlen(text), &id);
    if (rc) {
      rc = LS_FAIL(err, rc, "cannot load the dictionaries: %s", ls_status_name(rc));
      break;
    }
    if ((int64_t)id != ls_stmt_int64(s, 0)) {
      rc = LS_FAIL(err, LS_ERR_DB, "corrupt dictionary in the store: id %lld (%s)",
                   (long long)ls_stmt_int64(s, 0), text);
      break;
    }
  }
  ls_stmt_finalize(s);
  return rc;
}

static ls_status dict_append(ls_store *st, const struct dict_table *t, const ls_dict *d,
                             ls_error *err) {
  int64_t next = 0;
  ls_stmt *s = NULL;
  ls_status rc = ls_store_query_int64(st, t->next_id, &next, err);
  if (rc)
    return rc;
  if ((int64_t)d->count < next)
    return LS_FAIL(err, LS_ERR_INTERNAL, "dictionary was not loaded from the store before appending");
  if (next > 0) { /* cheap check that the caller's ids are the store's ids */
    rc = ls_stmt_prepare(st, t->last, &s, err);
    if (rc)
      return rc;
    ls_stmt_bind_int64(s, 1, next - 1);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW)
      rc = strcmp(ls_stmt_text(s, 0), ls_dict_str(d, (uint32_t)(next - 1))) == 0
               ? LS_OK
               : LS_FAIL(err, LS_ERR_INTERNAL, "dictionary ids differ from the store's");
    else if (rc == LS_DONE)
      rc = LS_FAIL(err, LS_ERR_DB, "corrupt dictionary in the store: ids not dense");
    ls_stmt_finalize(s);
    s = NULL;
    if (rc)
      return rc;
  }
  if ((int64_t)d->count == next)
    return LS_OK;
  const char *cols[2] = {"id", t->column};
  ls_copy *c = NULL;
  rc = ls_store_copy_begin(st, t->table, cols, 2, 0, &c, err);
  for (uint32_t id = (uint32_t)next; rc == LS_OK && id < d->count; id++) {
    rc = ls_copy_int64(c, id);
    if (rc == LS_OK)
      rc = ls_copy_text(c, ls_dict_str(d, id), d->lengths[id]);
    rc = rc ? LS_FAIL(err, rc, "cannot store the dictionaries") : ls_copy_row(c, err);
  }
  if (rc) {
    ls_copy_abort(c);
    return rc;
  }
  return ls_copy_end(c, NULL, err);
}

/* ---- events -------------------------------------------------------------- */

ls_status ls_store_events_count(ls_store *st, int64_t *count, ls_error *err) {
  return ls_store_query_int64(st, "SELECT COALESCE(SUM(n_events), 0) FROM event_chunks", count, err);
}

/* Keeps only events [first, count) with start in [from, to), in order. */
static void filter_window(ls_events *ev, size_t first, int64_t from, int64_t to) {
  size_t w = first;
  for (size_t i = first; i < ev->count; i++) {
    if (ev->start[i] < from || ev->start[i] >= to)
      continue;
    if (w != i) {
      ev->start[w] = ev->start[i];
      ev->type[w] = ev->type[i];
      ev->caller[w] = ev->caller[i];
      ev->callee[w] = ev->callee[i];
      ev->duration[w] = ev->duration[i];
      ev->caller_cell[w] = ev->caller_cell[i];
      ev->callee_cell[w] = ev->callee_cell[i];
      ev->caller_imei[w] = ev->caller_imei[i];
      ev->callee_imei[w] = ev->callee_imei[i];
    }
    w++;
  }
  ev->count = w;
}

ls_status ls_store_events_load(ls_store *st, int64_t from, int64_t to, ls_events *out,
                               ls_error *err) {
  ls_stmt *s = NULL;
  int64_t total = 0;
  ls_status rc = LS_OK;
  for (int t = 0; t < 3 && rc == LS_OK; t++)
    rc = dict_load(st, &dict_tables[t], dict_of(out, t), err);
  if (rc)
    return rc;
  /* a chunk overlaps [from, to) when t_max >= from and t_min < to */
  rc = ls_stmt_prepare(st,
                       "SELECT COALESCE(SUM(n_events), 0) FROM event_chunks"
                       " WHERE t_max >= ? AND t_min < ?",
                       &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_int64(s, 1, from);
  ls_stmt_bind_int64(s, 2, to);
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    total = ls_stmt_int64(s, 0);
    rc = LS_OK;
  }
  ls_stmt_finalize(s);
  s = NULL;
  if (rc)
    return rc;
  if (total < 0 || (uint64_t)total >= UINT32_MAX)
    return LS_FAIL(err, LS_ERR_LIMIT, "the store holds too many events to load at once: %lld",
                   (long long)total);
  rc = ls_events_reserve(out, out->count + (size_t)total);
  if (rc)
    return LS_FAIL(err, rc, "out of memory loading %lld events", (long long)total);
  rc = ls_stmt_prepare(st,
                       "SELECT id, n_events, t_min, t_max, codec, data FROM event_chunks"
                       " WHERE t_max >= ? AND t_min < ? ORDER BY id",
                       &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_int64(s, 1, from);
  ls_stmt_bind_int64(s, 2, to);
  for (;;) {
    rc = ls_stmt_step(s, err);
    if (rc != LS_ROW)
      break;
    rc = LS_OK;
    int64_t n = ls_stmt_int64(s, 1);
    size_t len = 0;
    const void *blob = ls_stmt_blob(s, 5, &len);
    size_t first = out->count;
    if (ls_stmt_int64(s, 4) != CODEC_V1 || n < 0 || (size_t)n > out->cap - out->count ||
        !blob || !chunk_decode(blob, len, (size_t)n, out)) {
      rc = LS_FAIL(err, LS_ERR_DB, "corrupt event chunk %lld in the store",
                   (long long)ls_stmt_int64(s, 0));
      break;
    }
    if (ls_stmt_int64(s, 2) < from || ls_stmt_int64(s, 3) >= to)
      filter_window(out, first, from, to);
  }
  ls_stmt_finalize(s);
  return rc;
}

ls_status ls_store_events_append(ls_store *st, const ls_events *ev, size_t first,
                                 int64_t dataset_id, ls_error *err) {
  return ls_store_events_append_range(st, ev, first, ev->count, dataset_id, err);
}

ls_status ls_store_events_append_range(ls_store *st, const ls_events *ev, size_t first,
                                       size_t end, int64_t dataset_id, ls_error *err) {
  ls_stmt *s = NULL;
  uint8_t *buf = NULL;
  int64_t next_event = 0;
  ls_status rc = LS_OK;
  for (int t = 0; t < 3 && rc == LS_OK; t++)
    rc = dict_append(st, &dict_tables[t], dict_of((ls_events *)ev, t), err);
  if (rc)
    return rc;
  if (end > ev->count)
    return LS_FAIL(err, LS_ERR_INTERNAL, "event range ends past the table");
  if (first >= end)
    return LS_OK;
  for (size_t i = first; i < end; i++)
    if (ev->duration[i] < 0)
      return LS_FAIL(err, LS_ERR_INTERNAL, "negative duration in event %zu", i);
  rc = ls_stmt_prepare(st, "SELECT first_event + n_events FROM event_chunks ORDER BY id DESC LIMIT 1",
                       &s, err);
  if (rc)
    return rc;
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW)
    next_event = ls_stmt_int64(s, 0);
  ls_stmt_finalize(s);
  s = NULL;
  if (rc < 0)
    return rc;
  size_t per = LS_STORE_CHUNK_EVENTS;
  buf = ls_malloc(chunk_bound(per));
  if (!buf)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory storing events");
  rc = ls_stmt_prepare(st,
                       "INSERT INTO event_chunks(dataset_id, first_event, n_events, t_min, t_max,"
                       " codec, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &s, err);
  for (size_t i0 = first; rc == LS_OK && i0 < end; i0 += per) {
    size_t n = end - i0 < per ? end - i0 : per;
    int64_t t_min = INT64_MAX, t_max = INT64_MIN;
    for (size_t i = i0; i < i0 + n; i++) {
      t_min = ev->start[i] < t_min ? ev->start[i] : t_min;
      t_max = ev->start[i] > t_max ? ev->start[i] : t_max;
    }
    size_t len = chunk_encode(ev, i0, n, buf);
    ls_stmt_bind_int64(s, 1, dataset_id);
    ls_stmt_bind_int64(s, 2, next_event);
    ls_stmt_bind_int64(s, 3, (int64_t)n);
    ls_stmt_bind_int64(s, 4, t_min);
    ls_stmt_bind_int64(s, 5, t_max);
    ls_stmt_bind_int64(s, 6, CODEC_V1);
    rc = ls_stmt_bind_blob(s, 7, buf, len);
    if (rc)
      rc = LS_FAIL(err, rc, "cannot store an event chunk of %zu bytes", len);
    else
      rc = step_done(s, err);
    ls_stmt_reset(s);
    next_event += (int64_t)n;
  }
  ls_stmt_finalize(s);
  ls_free(buf);
  return rc;
}

/* ---- duplicate detection ------------------------------------------------- */

typedef struct dedupe_table {
  uint64_t *slots; /* (hash tag << 32) | (index + 1); 0 = empty */
  uint64_t mask;
} dedupe_table;

static inline uint64_t event_hash(const ls_events *ev, size_t i) {
  uint64_t a = (uint64_t)ev->start[i] * 0x9e3779b97f4a7c15ULL ^
               ((uint64_t)(uint32_t)ev->duration[i] << 1 | ev->type[i]);
  uint64_t b = ((uint64_t)ev->caller[i] << 32 | ev->callee[i]) * 0xc2b2ae3d27d4eb4fULL;
  return ls_hash_mix(ls_hash_mix(a) ^ b);
}

static inline int same_event(const ls_events *ev, size_t i, size_t j) {
  return ev->start[i] == ev->start[j] && ev->caller[i] == ev->caller[j] &&
         ev->callee[i] == ev->callee[j] && ev->duration[i] == ev->duration[j] &&
         ev->type[i] == ev->type[j];
}

static inline void move_event(ls_events *ev, size_t w, size_t i) {
  ev->start[w] = ev->start[i];
  ev->type[w] = ev->type[i];
  ev->caller[w] = ev->caller[i];
  ev->callee[w] = ev->callee[i];
  ev->duration[w] = ev->duration[i];
  ev->caller_cell[w] = ev->caller_cell[i];
  ev->callee_cell[w] = ev->callee_cell[i];
  ev->caller_imei[w] = ev->caller_imei[i];
  ev->callee_imei[w] = ev->callee_imei[i];
}

static void slot_put(dedupe_table *t, uint64_t h, size_t idx) {
  uint64_t pos = h & t->mask;
  while (t->slots[pos])
    pos = (pos + 1) & t->mask;
  t->slots[pos] = (h >> 32) << 32 | (uint64_t)(idx + 1);
}

#define PREFETCH_AHEAD 16 /* slots fetched ahead: hides most of a cache miss */
#define RUN_LIMIT 64      /* longest equal-start run the sequential pass takes */
#define LATE_FILTER_BITS (1u << 20)

/* Sequential pass for a time-ordered batch with no stored event in its span:
 * a duplicate has the same start, so it lies in the same run of equal
 * starts; runs are short (a second holds ~1 event in 10M over 90 days; a
 * bulk text burst a few dozen), so comparing within a run is linear. */
static void dedupe_sorted(ls_events *ev, size_t first, uint64_t *duplicates) {
  size_t w = first, run = first; /* run: first kept event of the current start */
  for (size_t i = first; i < ev->count; i++) {
    if (w > first && ev->start[w - 1] != ev->start[i])
      run = w;
    int dup = 0;
    for (size_t j = run; j < w && !dup; j++)
      dup = same_event(ev, j, i);
    if (dup) {
      (*duplicates)++;
      continue;
    }
    if (w != i)
      move_event(ev, w, i);
    w++;
  }
  ev->count = w;
}

/* Nearly time-ordered batch with no stored event in its span: in order but
 * for a few late events (start before an earlier event's; in bench/'s file
 * the 1% of rows repeating an earlier row, as when the other party's return
 * is appended). A late event can only equal an earlier event: a late one
 * (found through a small hash table of the late events) or an in-order one
 * (which, when kept, looks itself up in that table and marks it). In-order
 * events are checked within their equal-start run as in dedupe_sorted. The
 * table holds only the late events, so it stays in cache: perf put the
 * hash pass over all 10M events at 0.43 s, ~7% of an ingest. */
static ls_status dedupe_nearly_sorted(ls_events *ev, size_t first, size_t n_late,
                                      uint64_t *duplicates) {
  size_t n = ev->count - first;
  uint64_t want = 1024;
  while (want < (uint64_t)n_late * 2)
    want *= 2;
  dedupe_table t = {ls_calloc_touched((size_t)want, sizeof(uint64_t)), want - 1};
  uint8_t *dup = ls_calloc(n / 8 + 1, 1); /* bit k: event first + k is a duplicate */
  /* bit (start mod 2^20) set: some late event has that start; an in-order
   * event whose bit is clear has no late twin and skips the hash (128 KiB,
   * ~10% of bits set by 100k late events) */
  uint8_t *starts = ls_calloc(LATE_FILTER_BITS / 8, 1);
  if (!t.slots || !dup || !starts) {
    ls_free(t.slots);
    ls_free(dup);
    ls_free(starts);
    return LS_ERR_NOMEM;
  }
  int64_t max = INT64_MIN;
  for (size_t i = first; i < ev->count; i++) {
    if (ev->start[i] >= max) {
      max = ev->start[i];
      continue;
    }
    uint64_t sb = (uint64_t)ev->start[i] & (LATE_FILTER_BITS - 1);
    starts[sb / 8] |= (uint8_t)(1u << (sb % 8));
    uint64_t h = event_hash(ev, i), tag = h >> 32, pos = h & t.mask, slot;
    int same = 0;
    while ((slot = t.slots[pos]) != 0) {
      if (slot >> 32 == tag && same_event(ev, (size_t)(slot & 0xffffffffu) - 1, i)) {
        same = 1;
        break;
      }
      pos = (pos + 1) & t.mask;
    }
    if (same)
      dup[(i - first) / 8] |= (uint8_t)(1u << ((i - first) % 8));
    else
      t.slots[pos] = tag << 32 | (uint64_t)(i + 1);
  }
  max = INT64_MIN;
  size_t w = first, run = first; /* run: first kept in-order event of start `max` */
  for (size_t i = first; i < ev->count; i++) {
    size_t k = i - first;
    if (ev->start[i] < max) { /* late: decided above or by an in-order twin */
      if (dup[k / 8] >> (k % 8) & 1) {
        (*duplicates)++;
        continue;
      }
    } else {
      if (ev->start[i] != max || w == first)
        run = w;
      max = ev->start[i];
      int same = 0;
      /* kept late events inside [run, w) have an earlier start: never equal */
      for (size_t j = run; j < w && !same; j++)
        same = same_event(ev, j, i);
      if (same) {
        (*duplicates)++;
        continue;
      }
      /* later late copies of this event are duplicates of it */
      uint64_t sb = (uint64_t)ev->start[i] & (LATE_FILTER_BITS - 1);
      if (starts[sb / 8] >> (sb % 8) & 1) {
        uint64_t h = event_hash(ev, i), tag = h >> 32, pos = h & t.mask, slot;
        while ((slot = t.slots[pos]) != 0) {
          size_t j = (size_t)(slot & 0xffffffffu) - 1;
          if (slot >> 32 == tag && same_event(ev, j, i)) /* j > i: not moved yet */
            dup[(j - first) / 8] |= (uint8_t)(1u << ((j - first) % 8));
          pos = (pos + 1) & t.mask;
        }
      }
    }
    if (w != i)
      move_event(ev, w, i);
    w++;
  }
  ev->count = w;
  ls_free(t.slots);
  ls_free(dup);
  ls_free(starts);
  return LS_OK;
}

/* Hash pass: indexes the stored events [0, first) within [lo, hi], then
 * keeps each new event not yet in the table. */
static ls_status dedupe_hashed(ls_events *ev, size_t first, int64_t lo, int64_t hi,
                               size_t overlap, uint64_t *duplicates) {
  size_t entries = overlap + (ev->count - first);
  uint64_t want = 1024;
  /* load factor under 2/3: linear probing stays at a few probes there */
  while (want < (uint64_t)entries + entries / 2)
    want *= 2;
  dedupe_table t = {ls_calloc_touched((size_t)want, sizeof(uint64_t)), want - 1};
  if (!t.slots)
    return LS_ERR_NOMEM;
  for (size_t i = 0; i < first && overlap; i++)
    if (ev->start[i] >= lo && ev->start[i] <= hi)
      slot_put(&t, event_hash(ev, i), i);
  uint64_t ring[PREFETCH_AHEAD];
  size_t end = ev->count, w = first;
  for (size_t k = 0; k < PREFETCH_AHEAD && first + k < end; k++) {
    ring[k] = event_hash(ev, first + k);
    __builtin_prefetch(&t.slots[ring[k] & t.mask]);
  }
  for (size_t i = first; i < end; i++) {
    uint64_t h = ring[(i - first) % PREFETCH_AHEAD];
    if (i + PREFETCH_AHEAD < end) { /* not yet moved: w <= i */
      uint64_t h2 = event_hash(ev, i + PREFETCH_AHEAD);
      ring[(i - first) % PREFETCH_AHEAD] = h2;
      __builtin_prefetch(&t.slots[h2 & t.mask]);
    }
    uint64_t tag = h >> 32, pos = h & t.mask, slot;
    int dup = 0;
    while ((slot = t.slots[pos]) != 0) {
      if (slot >> 32 == tag && same_event(ev, (size_t)(slot & 0xffffffffu) - 1, i)) {
        dup = 1;
        break;
      }
      pos = (pos + 1) & t.mask;
    }
    if (dup) {
      (*duplicates)++;
      continue;
    }
    if (w != i)
      move_event(ev, w, i);
    t.slots[pos] = tag << 32 | (uint64_t)(w + 1);
    w++;
  }
  ev->count = w;
  ls_free(t.slots);
  return LS_OK;
}

ls_status ls_store_events_dedupe(ls_events *ev, size_t first, uint64_t *duplicates) {
  *duplicates = 0;
  if (first > ev->count)
    return LS_ERR_INTERNAL;
  if (ev->count >= UINT32_MAX)
    return LS_ERR_LIMIT;
  if (first == ev->count)
    return LS_OK;
  int64_t lo = INT64_MAX, hi = INT64_MIN, max = INT64_MIN;
  size_t run = 0, longest = 0, late = 0; /* runs of equal start among in-order events */
  for (size_t i = first; i < ev->count; i++) {
    int64_t t = ev->start[i];
    lo = t < lo ? t : lo;
    if (t < max) {
      late++;
      continue;
    }
    run = t == max && i > first ? run + 1 : 1;
    longest = run > longest ? run : longest;
    max = t;
  }
  hi = max;
  size_t overlap = 0;
  for (size_t i = 0; i < first; i++)
    overlap += ev->start[i] >= lo && ev->start[i] <= hi;
  if (overlap == 0 && longest <= RUN_LIMIT && late == 0) {
    dedupe_sorted(ev, first, duplicates);
    return LS_OK;
  }
  /* up to 1 late event in 16 the late table stays small; beyond that the
   * batch is not a time-ordered file and the general hash pass fits */
  if (overlap == 0 && longest <= RUN_LIMIT && late <= (ev->count - first) / 16)
    return dedupe_nearly_sorted(ev, first, late, duplicates);
  return dedupe_hashed(ev, first, lo, hi, overlap, duplicates);
}

/* ---- reference tables ---------------------------------------------------- */

static ls_status bind_opt_text(ls_stmt *s, int idx, const char *v) {
  return v ? ls_stmt_bind_text(s, idx, v, strlen(v)) : ls_stmt_bind_null(s, idx);
}

static ls_status bind_all(ls_stmt *s, const ls_refdata *rd, ls_file_kind kind, size_t i,
                          int64_t dataset_id) {
  ls_status rc = LS_OK;
  switch (kind) {
  case LS_KIND_CELLS: {
    const ls_cell *c = &rd->cells[i];
    rc = bind_opt_text(s, 1, c->cell_id);
    ls_stmt_bind_double(s, 2, c->lat);
    ls_stmt_bind_double(s, 3, c->lon);
    if (isnan(c->azimuth))
      ls_stmt_bind_null(s, 4);
    else
      ls_stmt_bind_double(s, 4, c->azimuth);
    rc = rc ? rc : bind_opt_text(s, 5, c->name);
    rc = rc ? rc : bind_opt_text(s, 6, c->area);
    ls_stmt_bind_int64(s, 7, dataset_id);
    break;
  }
  case LS_KIND_PERSONS: {
    const ls_person *p = &rd->persons[i];
    char sex[2] = {p->sex, 0};
    rc = bind_opt_text(s, 1, p->person_id);
    ls_stmt_bind_int64(s, 2, p->dob_days);
    rc = rc ? rc : ls_stmt_bind_text(s, 3, sex, 1);
    ls_stmt_bind_int64(s, 4, p->flags);
    ls_stmt_bind_int64(s, 5, dataset_id);
    break;
  }
  case LS_KIND_ADDRESSES: {
    const ls_address *a = &rd->addresses[i];
    rc = bind_opt_text(s, 1, a->address_id);
    ls_stmt_bind_double(s, 2, a->lat);
    ls_stmt_bind_double(s, 3, a->lon);
    rc = rc ? rc : bind_opt_text(s, 4, a->cell_id);
    rc = rc ? rc : bind_opt_text(s, 5, a->occupant);
    ls_stmt_bind_int64(s, 6, a->flags);
    ls_stmt_bind_int64(s, 7, dataset_id);
    break;
  }
  default:
    rc = LS_ERR_INTERNAL;
  }
  return rc;
}

/* Upserts that change a row only when a value differs; RETURNING tells
 * whether anything was written (portable to PostgreSQL). */
static const char *upsert_sql(ls_file_kind kind) {
  switch (kind) {
  case LS_KIND_CELLS:
    return "INSERT INTO cells(cell_id, lat, lon, azimuth, name, area, dataset_id)"
           " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(cell_id) DO UPDATE SET"
           " lat = excluded.lat, lon = excluded.lon, azimuth = excluded.azimuth,"
           " name = excluded.name, area = excluded.area, dataset_id = excluded.dataset_id"
           " WHERE cells.lat IS DISTINCT FROM excluded.lat OR cells.lon IS DISTINCT FROM excluded.lon"
           " OR cells.azimuth IS DISTINCT FROM excluded.azimuth"
           " OR cells.name IS DISTINCT FROM excluded.name OR cells.area IS DISTINCT FROM excluded.area"
           " RETURNING 1";
  case LS_KIND_PERSONS:
    return "INSERT INTO persons(person_id, dob_days, sex, flags, dataset_id)"
           " VALUES (?, ?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET"
           " dob_days = excluded.dob_days, sex = excluded.sex, flags = excluded.flags,"
           " dataset_id = excluded.dataset_id"
           " WHERE persons.dob_days IS DISTINCT FROM excluded.dob_days"
           " OR persons.sex IS DISTINCT FROM excluded.sex"
           " OR persons.flags IS DISTINCT FROM excluded.flags"
           " RETURNING 1";
  case LS_KIND_ADDRESSES:
    return "INSERT INTO addresses(address_id, lat, lon, cell_id, occupant, flags, dataset_id)"
           " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(address_id) DO UPDATE SET"
           " lat = excluded.lat, lon = excluded.lon, cell_id = excluded.cell_id,"
           " occupant = excluded.occupant, flags = excluded.flags, dataset_id = excluded.dataset_id"
           " WHERE addresses.lat IS DISTINCT FROM excluded.lat"
           " OR addresses.lon IS DISTINCT FROM excluded.lon"
           " OR addresses.cell_id IS DISTINCT FROM excluded.cell_id"
           " OR addresses.occupant IS DISTINCT FROM excluded.occupant"
           " OR addresses.flags IS DISTINCT FROM excluded.flags"
           " RETURNING 1";
  default:
    return NULL;
  }
}

static size_t rows_of(const ls_refdata *rd, ls_file_kind kind) {
  switch (kind) {
  case LS_KIND_CELLS:
    return rd->n_cells;
  case LS_KIND_PERSONS:
    return rd->n_persons;
  case LS_KIND_ATTRIBUTIONS:
    return rd->n_attributions;
  case LS_KIND_ADDRESSES:
    return rd->n_addresses;
  default:
    return 0;
  }
}

/* Attributions have no natural id: a row equal in every field to a stored one
 * is a duplicate; anything else is a further attribution. */
static ls_status append_attributions(ls_store *st, const ls_refdata *rd, int64_t dataset_id,
                                     uint64_t *stored, uint64_t *duplicates, ls_error *err) {
  ls_stmt *find = NULL, *ins = NULL;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT 1 FROM attributions WHERE number = ? AND person_id = ?"
                                 " AND COALESCE(valid_from, ?) = ? AND COALESCE(valid_to, ?) = ?"
                                 " AND source IS NOT DISTINCT FROM ?",
                                 &find, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO attributions(number, person_id, valid_from, valid_to, source,"
                         " dataset_id) VALUES (?, ?, ?, ?, ?, ?)",
                         &ins, err);
  for (size_t i = 0; rc == LS_OK && i < rd->n_attributions; i++) {
    const ls_attribution *a = &rd->attributions[i];
    rc = ls_stmt_bind_text(find, 1, a->number, strlen(a->number));
    rc = rc ? rc : bind_opt_text(find, 2, a->person_id);
    ls_stmt_bind_int64(find, 3, INT64_MIN);
    ls_stmt_bind_int64(find, 4, a->from);
    ls_stmt_bind_int64(find, 5, INT64_MAX);
    ls_stmt_bind_int64(find, 6, a->to);
    rc = rc ? rc : bind_opt_text(find, 7, a->source);
    if (rc) {
      rc = LS_FAIL(err, rc, "out of memory storing attributions");
      break;
    }
    rc = ls_stmt_step(find, err);
    ls_stmt_reset(find);
    if (rc == LS_ROW) {
      (*duplicates)++;
      rc = LS_OK;
      continue;
    }
    if (rc < 0)
      break;
    rc = ls_stmt_bind_text(ins, 1, a->number, strlen(a->number));
    rc = rc ? rc : bind_opt_text(ins, 2, a->person_id);
    if (a->from == INT64_MIN)
      ls_stmt_bind_null(ins, 3);
    else
      ls_stmt_bind_int64(ins, 3, a->from);
    if (a->to == INT64_MAX)
      ls_stmt_bind_null(ins, 4);
    else
      ls_stmt_bind_int64(ins, 4, a->to);
    rc = rc ? rc : bind_opt_text(ins, 5, a->source);
    ls_stmt_bind_int64(ins, 6, dataset_id);
    if (rc) {
      rc = LS_FAIL(err, rc, "out of memory storing attributions");
      break;
    }
    rc = step_done(ins, err);
    ls_stmt_reset(ins);
    if (rc == LS_OK)
      (*stored)++;
  }
  ls_stmt_finalize(find);
  ls_stmt_finalize(ins);
  return rc;
}

/* ---- reference tables in bulk ------------------------------------------- */

/* A file's reference rows are bulk-copied into a temporary staging table
 * and merged with one INSERT ... SELECT (an upsert, or for attributions an
 * insert of the rows not stored yet): on PostgreSQL the row-at-a-time
 * statements below cost a round trip each, ~5 s of a 1.1M-event ingest of a
 * simulated world with 20,000 persons (bench/store-backends). The merge is
 * one statement, so it cannot see a key twice in one file the way the
 * row-at-a-time path does (the later row replacing the earlier): a file
 * whose keys repeat takes that path instead. */
static const struct stage_sql {
  const char *create; /* the staging table */
  const char *columns[8];
  size_t ncolumns;
  const char *merge;  /* RETURNING one row per row stored */
} stage_sqls[4] = {
    {"CREATE TEMP TABLE ls_stage_cells (seq BIGINT, cell_id TEXT, lat DOUBLE PRECISION,"
     " lon DOUBLE PRECISION, azimuth DOUBLE PRECISION, name TEXT, area TEXT)",
     {"seq", "cell_id", "lat", "lon", "azimuth", "name", "area"},
     7,
     "INSERT INTO cells(cell_id, lat, lon, azimuth, name, area, dataset_id)"
     " SELECT cell_id, lat, lon, azimuth, name, area, CAST(? AS BIGINT) FROM ls_stage_cells"
     " WHERE true ORDER BY seq ON CONFLICT(cell_id) DO UPDATE SET"
     " lat = excluded.lat, lon = excluded.lon, azimuth = excluded.azimuth,"
     " name = excluded.name, area = excluded.area, dataset_id = excluded.dataset_id"
     " WHERE cells.lat IS DISTINCT FROM excluded.lat OR cells.lon IS DISTINCT FROM excluded.lon"
     " OR cells.azimuth IS DISTINCT FROM excluded.azimuth"
     " OR cells.name IS DISTINCT FROM excluded.name OR cells.area IS DISTINCT FROM excluded.area"
     " RETURNING 1"},
    {"CREATE TEMP TABLE ls_stage_persons (seq BIGINT, person_id TEXT, dob_days BIGINT,"
     " sex TEXT, flags BIGINT)",
     {"seq", "person_id", "dob_days", "sex", "flags"},
     5,
     "INSERT INTO persons(person_id, dob_days, sex, flags, dataset_id)"
     " SELECT person_id, dob_days, sex, flags, CAST(? AS BIGINT) FROM ls_stage_persons"
     " WHERE true ORDER BY seq ON CONFLICT(person_id) DO UPDATE SET"
     " dob_days = excluded.dob_days, sex = excluded.sex, flags = excluded.flags,"
     " dataset_id = excluded.dataset_id"
     " WHERE persons.dob_days IS DISTINCT FROM excluded.dob_days"
     " OR persons.sex IS DISTINCT FROM excluded.sex"
     " OR persons.flags IS DISTINCT FROM excluded.flags"
     " RETURNING 1"},
    {"CREATE TEMP TABLE ls_stage_attributions (seq BIGINT, number TEXT, person_id TEXT,"
     " valid_from BIGINT, valid_to BIGINT, source TEXT)",
     {"seq", "number", "person_id", "valid_from", "valid_to", "source"},
     6,
     "INSERT INTO attributions(number, person_id, valid_from, valid_to, source, dataset_id)"
     " SELECT s.number, s.person_id, s.valid_from, s.valid_to, s.source, CAST(? AS BIGINT)"
     " FROM ls_stage_attributions s WHERE NOT EXISTS (SELECT 1 FROM attributions a"
     " WHERE a.number = s.number AND a.person_id = s.person_id"
     " AND a.valid_from IS NOT DISTINCT FROM s.valid_from"
     " AND a.valid_to IS NOT DISTINCT FROM s.valid_to"
     " AND a.source IS NOT DISTINCT FROM s.source)"
     " ORDER BY s.seq RETURNING 1"},
    {"CREATE TEMP TABLE ls_stage_addresses (seq BIGINT, address_id TEXT, lat DOUBLE PRECISION,"
     " lon DOUBLE PRECISION, cell_id TEXT, occupant TEXT, flags BIGINT)",
     {"seq", "address_id", "lat", "lon", "cell_id", "occupant", "flags"},
     7,
     "INSERT INTO addresses(address_id, lat, lon, cell_id, occupant, flags, dataset_id)"
     " SELECT address_id, lat, lon, cell_id, occupant, flags, CAST(? AS BIGINT)"
     " FROM ls_stage_addresses WHERE true ORDER BY seq ON CONFLICT(address_id) DO UPDATE SET"
     " lat = excluded.lat, lon = excluded.lon, cell_id = excluded.cell_id,"
     " occupant = excluded.occupant, flags = excluded.flags, dataset_id = excluded.dataset_id"
     " WHERE addresses.lat IS DISTINCT FROM excluded.lat"
     " OR addresses.lon IS DISTINCT FROM excluded.lon"
     " OR addresses.cell_id IS DISTINCT FROM excluded.cell_id"
     " OR addresses.occupant IS DISTINCT FROM excluded.occupant"
     " OR addresses.flags IS DISTINCT FROM excluded.flags"
     " RETURNING 1"},
};

static const char *const stage_names[4] = {"ls_stage_cells", "ls_stage_persons",
                                           "ls_stage_attributions", "ls_stage_addresses"};
static const char *const stage_drops[4] = {
    "DROP TABLE ls_stage_cells", "DROP TABLE ls_stage_persons", "DROP TABLE ls_stage_attributions",
    "DROP TABLE ls_stage_addresses"};

static int stage_index(ls_file_kind kind) {
  switch (kind) {
  case LS_KIND_CELLS:
    return 0;
  case LS_KIND_PERSONS:
    return 1;
  case LS_KIND_ATTRIBUTIONS:
    return 2;
  case LS_KIND_ADDRESSES:
    return 3;
  default:
    return -1;
  }
}

static uint64_t hash_opt(uint64_t h, const char *s) {
  return ls_hash_mix(h ^ (s ? ls_hash_bytes(s, strlen(s)) : 0x5bd1e995u));
}

/* The key of row i (what the row-at-a-time path would find twice). */
static uint64_t row_key_hash(const ls_refdata *rd, int k, size_t i) {
  switch (k) {
  case 0:
    return hash_opt(0, rd->cells[i].cell_id);
  case 1:
    return hash_opt(0, rd->persons[i].person_id);
  case 2: {
    const ls_attribution *a = &rd->attributions[i];
    uint64_t h = hash_opt(hash_opt(ls_hash_bytes(a->number, strlen(a->number)), a->person_id),
                          a->source);
    return ls_hash_mix(h ^ (uint64_t)a->from) ^ ls_hash_mix((uint64_t)a->to + 1);
  }
  default:
    return hash_opt(0, rd->addresses[i].address_id);
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Whether no two rows may share a key: 1 yes, 0 perhaps (equal 64-bit
 * hashes: take the row-at-a-time path), <0 out of memory. O(n log n). */
static int keys_unique(const ls_refdata *rd, int k, size_t n) {
  uint64_t *h = ls_malloc((n ? n : 1) * sizeof *h);
  if (!h)
    return LS_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    h[i] = row_key_hash(rd, k, i);
  ls_qsort(h, n, sizeof *h, cmp_u64);
  int unique = 1;
  for (size_t i = 1; i < n && unique; i++)
    unique = h[i] != h[i - 1];
  ls_free(h);
  return unique;
}

static ls_status copy_opt_text(ls_copy *c, const char *v) {
  return v ? ls_copy_text(c, v, strlen(v)) : ls_copy_null(c);
}

static ls_status stage_row(ls_copy *c, const ls_refdata *rd, int k, size_t i) {
  ls_status rc = ls_copy_int64(c, (int64_t)i);
  switch (k) {
  case 0: {
    const ls_cell *x = &rd->cells[i];
    rc = rc ? rc : copy_opt_text(c, x->cell_id);
    rc = rc ? rc : ls_copy_double(c, x->lat);
    rc = rc ? rc : ls_copy_double(c, x->lon);
    rc = rc ? rc : isnan(x->azimuth) ? ls_copy_null(c) : ls_copy_double(c, x->azimuth);
    rc = rc ? rc : copy_opt_text(c, x->name);
    rc = rc ? rc : copy_opt_text(c, x->area);
    break;
  }
  case 1: {
    const ls_person *x = &rd->persons[i];
    char sex[2] = {x->sex, 0};
    rc = rc ? rc : copy_opt_text(c, x->person_id);
    rc = rc ? rc : ls_copy_int64(c, x->dob_days);
    rc = rc ? rc : ls_copy_text(c, sex, 1);
    rc = rc ? rc : ls_copy_int64(c, x->flags);
    break;
  }
  case 2: {
    const ls_attribution *x = &rd->attributions[i];
    rc = rc ? rc : ls_copy_text(c, x->number, strlen(x->number));
    rc = rc ? rc : copy_opt_text(c, x->person_id);
    rc = rc ? rc : x->from == INT64_MIN ? ls_copy_null(c) : ls_copy_int64(c, x->from);
    rc = rc ? rc : x->to == INT64_MAX ? ls_copy_null(c) : ls_copy_int64(c, x->to);
    rc = rc ? rc : copy_opt_text(c, x->source);
    break;
  }
  default: {
    const ls_address *x = &rd->addresses[i];
    rc = rc ? rc : copy_opt_text(c, x->address_id);
    rc = rc ? rc : ls_copy_double(c, x->lat);
    rc = rc ? rc : ls_copy_double(c, x->lon);
    rc = rc ? rc : copy_opt_text(c, x->cell_id);
    rc = rc ? rc : copy_opt_text(c, x->occupant);
    rc = rc ? rc : ls_copy_int64(c, x->flags);
    break;
  }
  }
  return rc;
}

static ls_status refdata_bulk(ls_store *st, const ls_refdata *rd, int k, size_t n,
                              int64_t dataset_id, uint64_t *stored, uint64_t *duplicates,
                              ls_error *err) {
  const struct stage_sql *q = &stage_sqls[k];
  ls_copy *c = NULL;
  ls_stmt *s = NULL;
  int created = 0;
  ls_status rc = ls_store_exec(st, q->create, err);
  created = rc == LS_OK;
  if (rc == LS_OK)
    rc = ls_store_copy_begin(st, stage_names[k], q->columns, q->ncolumns, 0, &c, err);
  for (size_t i = 0; rc == LS_OK && i < n; i++) {
    rc = stage_row(c, rd, k, i);
    rc = rc ? LS_FAIL(err, rc, "cannot stage the reference rows") : ls_copy_row(c, err);
  }
  if (c) {
    if (rc)
      ls_copy_abort(c);
    else
      rc = ls_copy_end(c, NULL, err);
  }
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st, q->merge, &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, dataset_id);
    while ((rc = ls_stmt_step(s, err)) == LS_ROW)
      (*stored)++;
    rc = rc == LS_DONE ? LS_OK : rc;
  }
  ls_stmt_finalize(s);
  if (created && rc == LS_OK)
    rc = ls_store_exec(st, stage_drops[k], err);
  *duplicates = rc == LS_OK ? n - *stored : 0;
  return rc;
}

ls_status ls_store_refdata_append(ls_store *st, const ls_refdata *rd, ls_file_kind kind,
                                  int64_t dataset_id, uint64_t *stored, uint64_t *duplicates,
                                  ls_error *err) {
  *stored = *duplicates = 0;
  int k = stage_index(kind);
  size_t n = rows_of(rd, kind);
  if (k >= 0 && n > 0) {
    int unique = keys_unique(rd, k, n);
    if (unique < 0)
      return LS_FAIL(err, LS_ERR_NOMEM, "out of memory storing %s", ls_file_kind_name(kind));
    if (unique)
      return refdata_bulk(st, rd, k, n, dataset_id, stored, duplicates, err);
  }
  if (kind == LS_KIND_ATTRIBUTIONS)
    return append_attributions(st, rd, dataset_id, stored, duplicates, err);
  const char *sql = upsert_sql(kind);
  if (!sql)
    return LS_FAIL(err, LS_ERR_INTERNAL, "not a reference table kind: %d", (int)kind);
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, sql, &s, err);
  for (size_t i = 0; rc == LS_OK && i < n; i++) {
    rc = bind_all(s, rd, kind, i, dataset_id);
    if (rc) {
      rc = LS_FAIL(err, rc, "out of memory storing %s", ls_file_kind_name(kind));
      break;
    }
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      (*stored)++;
      /* finish the statement so the next bind starts clean */
      while (rc == LS_ROW)
        rc = ls_stmt_step(s, err);
    } else if (rc == LS_DONE) {
      (*duplicates)++;
    }
    ls_stmt_reset(s);
  }
  ls_stmt_finalize(s);
  return rc;
}

/* ---- loading reference tables -------------------------------------------- */

static ls_status grow(void **arr, size_t *cap, size_t n, size_t size) {
  if (n < *cap)
    return LS_OK;
  size_t c = *cap ? *cap * 2 : 64;
  void *p = ls_reallocarray(*arr, c, size);
  if (!p)
    return LS_ERR_NOMEM;
  *arr = p;
  *cap = c;
  return LS_OK;
}

/* NULL for SQL NULL; otherwise a copy (NULL and *oom set when out of memory). */
static char *dup_col(ls_stmt *s, int col, int *oom) {
  if (ls_stmt_is_null(s, col))
    return NULL;
  char *p = ls_strdup(ls_stmt_text(s, col));
  if (!p)
    *oom = 1;
  return p;
}

static ls_status load_row(ls_stmt *s, ls_refdata *rd, int which) {
  int oom = 0;
  ls_status rc;
  switch (which) {
  case 0: {
    rc = grow((void **)&rd->cells, &rd->cap_cells, rd->n_cells, sizeof *rd->cells);
    if (rc)
      return rc;
    ls_cell *c = &rd->cells[rd->n_cells++];
    memset(c, 0, sizeof *c);
    c->cell_id = dup_col(s, 0, &oom);
    c->lat = ls_stmt_double(s, 1);
    c->lon = ls_stmt_double(s, 2);
    c->azimuth = ls_stmt_is_null(s, 3) ? NAN : ls_stmt_double(s, 3);
    c->name = dup_col(s, 4, &oom);
    c->area = dup_col(s, 5, &oom);
    break;
  }
  case 1: {
    rc = grow((void **)&rd->persons, &rd->cap_persons, rd->n_persons, sizeof *rd->persons);
    if (rc)
      return rc;
    ls_person *p = &rd->persons[rd->n_persons++];
    memset(p, 0, sizeof *p);
    p->person_id = dup_col(s, 0, &oom);
    p->dob_days = (int32_t)ls_stmt_int64(s, 1);
    p->sex = ls_stmt_text(s, 2)[0] ? ls_stmt_text(s, 2)[0] : 'U';
    p->flags = (uint32_t)ls_stmt_int64(s, 3);
    break;
  }
  case 2: {
    rc = grow((void **)&rd->attributions, &rd->cap_attributions, rd->n_attributions,
              sizeof *rd->attributions);
    if (rc)
      return rc;
    ls_attribution *a = &rd->attributions[rd->n_attributions++];
    memset(a, 0, sizeof *a);
    snprintf(a->number, sizeof a->number, "%s", ls_stmt_text(s, 0));
    a->person_id = dup_col(s, 1, &oom);
    a->from = ls_stmt_is_null(s, 2) ? INT64_MIN : ls_stmt_int64(s, 2);
    a->to = ls_stmt_is_null(s, 3) ? INT64_MAX : ls_stmt_int64(s, 3);
    a->source = dup_col(s, 4, &oom);
    break;
  }
  default: {
    rc = grow((void **)&rd->addresses, &rd->cap_addresses, rd->n_addresses, sizeof *rd->addresses);
    if (rc)
      return rc;
    ls_address *a = &rd->addresses[rd->n_addresses++];
    memset(a, 0, sizeof *a);
    a->address_id = dup_col(s, 0, &oom);
    a->lat = ls_stmt_double(s, 1);
    a->lon = ls_stmt_double(s, 2);
    a->cell_id = dup_col(s, 3, &oom);
    a->occupant = dup_col(s, 4, &oom);
    a->flags = (uint32_t)ls_stmt_int64(s, 5);
    break;
  }
  }
  return oom ? LS_ERR_NOMEM : LS_OK;
}

ls_status ls_store_refdata_load(ls_store *st, ls_refdata *rd, ls_error *err) {
  static const char *const sql[4] = {
      "SELECT cell_id, lat, lon, azimuth, name, area FROM cells ORDER BY cell_id",
      "SELECT person_id, dob_days, sex, flags FROM persons ORDER BY person_id",
      "SELECT number, person_id, valid_from, valid_to, source FROM attributions ORDER BY id",
      "SELECT address_id, lat, lon, cell_id, occupant, flags FROM addresses ORDER BY address_id",
  };
  ls_status rc = LS_OK;
  for (int t = 0; t < 4 && rc == LS_OK; t++) {
    ls_stmt *s = NULL;
    rc = ls_stmt_prepare(st, sql[t], &s, err);
    while (rc == LS_OK) {
      rc = ls_stmt_step(s, err);
      if (rc != LS_ROW)
        break;
      rc = load_row(s, rd, t);
      if (rc)
        rc = LS_FAIL(err, rc, "out of memory loading reference tables");
    }
    ls_stmt_finalize(s);
  }
  return rc;
}
