/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fast non-cryptographic 64-bit hash for in-memory tables (not for
 * anything an attacker controls the table size of; SHA-256 and BLAKE2b from
 * libsodium cover those). */
#ifndef LINESIGHT_CORE_LS_HASH_H
#define LINESIGHT_CORE_LS_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t ls_hash_mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/* Hashes 8 bytes at a time, then the tail, then finalises with murmur's mix. */
static inline uint64_t ls_hash_bytes(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0x100000001b3ULL);
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ ls_hash_mix(w)) * 0x9fb21c651e98df25ULL;
    p += 8;
    len -= 8;
  }
  uint64_t tail = 0;
  memcpy(&tail, p, len);
  h = (h ^ ls_hash_mix(tail + len)) * 0x9fb21c651e98df25ULL;
  return ls_hash_mix(h);
}

#endif
