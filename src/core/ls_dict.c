/* SPDX-License-Identifier: GPL-3.0-or-later */
/* String interning for numbers, cells and handsets.
 *
 * Written by hand rather than with GLib's GHashTable: the ingest and analysis
 * hot paths intern tens of millions of short strings, and a flat pool plus an
 * open-addressing table of 32-bit ids avoids one allocation per key and keeps
 * the table at ~12 bytes a key. */
#include <string.h>

#include "linesight/ls_events.h"
#include "ls_hash.h"
#include "ls_mem.h"

void ls_dict_init(ls_dict *d) { memset(d, 0, sizeof *d); }

void ls_dict_free(ls_dict *d) {
  ls_free(d->pool);
  ls_free(d->offsets);
  ls_free(d->lengths);
  ls_free(d->slots);
  ls_free(d->hashes);
  memset(d, 0, sizeof *d);
}

static ls_status grow_slots(ls_dict *d) {
  uint32_t nslots = d->slots ? (d->slot_mask + 1) * 2 : 1024;
  uint32_t *slots = ls_calloc_touched(nslots, sizeof *slots);
  if (!slots)
    return LS_ERR_NOMEM;
  uint32_t mask = nslots - 1;
  for (uint32_t id = 0; id < d->count; id++) {
    uint32_t i = (uint32_t)d->hashes[id] & mask;
    while (slots[i])
      i = (i + 1) & mask;
    slots[i] = id + 1;
  }
  ls_free(d->slots);
  d->slots = slots;
  d->slot_mask = mask;
  return LS_OK;
}

static ls_status grow_ids(ls_dict *d) {
  uint32_t cap = d->cap ? d->cap * 2 : 512;
  uint64_t *offsets = ls_reallocarray(d->offsets, cap, sizeof *offsets);
  if (!offsets)
    return LS_ERR_NOMEM;
  d->offsets = offsets;
  uint32_t *lengths = ls_reallocarray(d->lengths, cap, sizeof *lengths);
  if (!lengths)
    return LS_ERR_NOMEM;
  d->lengths = lengths;
  uint64_t *hashes = ls_reallocarray(d->hashes, cap, sizeof *hashes);
  if (!hashes)
    return LS_ERR_NOMEM;
  d->hashes = hashes;
  d->cap = cap;
  return LS_OK;
}

static ls_status pool_reserve(ls_dict *d, size_t extra) {
  if (d->pool_len + extra <= d->pool_cap)
    return LS_OK;
  size_t cap = d->pool_cap ? d->pool_cap : 4096;
  while (cap < d->pool_len + extra)
    cap *= 2;
  char *pool = ls_realloc(d->pool, cap);
  if (!pool)
    return LS_ERR_NOMEM;
  d->pool = pool;
  d->pool_cap = cap;
  return LS_OK;
}

static int slot_matches(const ls_dict *d, uint32_t id, uint64_t h, const char *s, size_t len) {
  return d->hashes[id] == h && d->lengths[id] == len && memcmp(d->pool + d->offsets[id], s, len) == 0;
}

ls_status ls_dict_find(const ls_dict *d, const char *s, size_t len, uint32_t *id) {
  if (!d->slots)
    return LS_ERR_NOTFOUND;
  uint64_t h = ls_hash_bytes(s, len);
  uint32_t i = (uint32_t)h & d->slot_mask;
  while (d->slots[i]) {
    uint32_t cand = d->slots[i] - 1;
    if (slot_matches(d, cand, h, s, len)) {
      *id = cand;
      return LS_OK;
    }
    i = (i + 1) & d->slot_mask;
  }
  return LS_ERR_NOTFOUND;
}

ls_status ls_dict_intern(ls_dict *d, const char *s, size_t len, uint32_t *id) {
  ls_status rc;
  if (len > UINT32_MAX - 1)
    return LS_ERR_LIMIT;
  /* keep the load factor under 1/2 so probes stay short */
  if (!d->slots || (uint64_t)(d->count + 1) * 2 > (uint64_t)d->slot_mask + 1) {
    rc = grow_slots(d);
    if (rc)
      return rc;
  }
  uint64_t h = ls_hash_bytes(s, len);
  uint32_t i = (uint32_t)h & d->slot_mask;
  while (d->slots[i]) {
    uint32_t cand = d->slots[i] - 1;
    if (slot_matches(d, cand, h, s, len)) {
      *id = cand;
      return LS_OK;
    }
    i = (i + 1) & d->slot_mask;
  }
  if (d->count == UINT32_MAX - 1)
    return LS_ERR_LIMIT;
  if (d->count == d->cap) {
    rc = grow_ids(d);
    if (rc)
      return rc;
  }
  rc = pool_reserve(d, len + 1);
  if (rc)
    return rc;
  memcpy(d->pool + d->pool_len, s, len);
  d->pool[d->pool_len + len] = '\0';
  d->offsets[d->count] = d->pool_len;
  d->lengths[d->count] = (uint32_t)len;
  d->hashes[d->count] = h;
  d->pool_len += len + 1;
  d->slots[i] = d->count + 1;
  *id = d->count++;
  return LS_OK;
}
