/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Login rate limiting: failures are counted per user name and per client
 * address in fixed windows, checked before any password hashing so that a
 * flood costs the server nothing. Kept in memory: a restart forgets them,
 * which only helps an attacker who can restart the server. */
#include <sodium.h>
#include <string.h>

#include "server_internal.h"

#define WINDOW_S (15 * 60)
/* NCSC password guidance: allow about 10 attempts before locking an
 * account out; the lock lasts to the end of the 15-minute window. */
#define USER_FAILURES 10
/* One force's staff may share an address (NAT), so an address gets more. */
#define ADDRESS_FAILURES 50
/* Public reports: a person reports a few things; a script sends many. */
#define PUBLIC_REPORTS_PER_WINDOW 10
#define PROBES 16

static unsigned char rl_key[crypto_shorthash_KEYBYTES];
static pthread_once_t rl_key_once = PTHREAD_ONCE_INIT;
static void make_key(void) { randombytes_buf(rl_key, sizeof rl_key); }

static const uint32_t limits[] = {USER_FAILURES, ADDRESS_FAILURES, PUBLIC_REPORTS_PER_WINDOW};

/* A keyed hash (SipHash), so nobody can pick names that collide with a
 * victim's slot to lock them out. */
static uint64_t key_of(ls__rl_kind kind, const char *key) {
  unsigned char out[crypto_shorthash_BYTES];
  size_t n = strlen(key);
  unsigned char buf[1 + 320];
  if (n > sizeof buf - 1)
    n = sizeof buf - 1;
  buf[0] = (unsigned char)kind;
  memcpy(buf + 1, key, n);
  crypto_shorthash(out, buf, n + 1, rl_key);
  uint64_t h = 0;
  for (int i = 0; i < 8; i++)
    h = (h << 8) | out[i];
  return h ? h : 1;
}

void ls__rl_init(ls__ratelimit *rl) {
  pthread_once(&rl_key_once, make_key);
  memset(rl->slots, 0, sizeof rl->slots);
  pthread_mutex_init(&rl->mu, NULL);
}

void ls__rl_free(ls__ratelimit *rl) { pthread_mutex_destroy(&rl->mu); }

/* The slot of h, or (when insert) a free, expired or oldest slot claimed
 * for it; NULL when absent and not inserting. Caller holds the lock. */
static ls__rl_slot *find(ls__ratelimit *rl, uint64_t h, int64_t now, int insert) {
  ls__rl_slot *free_slot = NULL, *oldest = NULL;
  for (int i = 0; i < PROBES; i++) {
    ls__rl_slot *s = &rl->slots[(h + (uint64_t)i) % LS__RL_SLOTS];
    if (s->key == h) {
      if (now - s->window_start >= WINDOW_S) {
        s->window_start = now;
        s->failures = 0;
      }
      return s;
    }
    if (s->key == 0 || now - s->window_start >= WINDOW_S) {
      if (!free_slot)
        free_slot = s;
    } else if (!oldest || s->window_start < oldest->window_start) {
      oldest = s;
    }
  }
  ls__rl_slot *victim = free_slot ? free_slot : oldest;
  if (!insert)
    return NULL;
  victim->key = h;
  victim->window_start = now;
  victim->failures = 0;
  return victim;
}

int64_t ls__rl_wait(ls__ratelimit *rl, ls__rl_kind kind, const char *key, int64_t now) {
  uint64_t h = key_of(kind, key);
  int64_t wait = 0;
  pthread_mutex_lock(&rl->mu);
  ls__rl_slot *s = find(rl, h, now, 0);
  if (s && s->failures >= limits[kind])
    wait = s->window_start + WINDOW_S - now;
  pthread_mutex_unlock(&rl->mu);
  return wait > 0 ? wait : 0;
}

void ls__rl_hit(ls__ratelimit *rl, ls__rl_kind kind, const char *key, int64_t now) {
  uint64_t h = key_of(kind, key);
  pthread_mutex_lock(&rl->mu);
  ls__rl_slot *s = find(rl, h, now, 1);
  if (s->failures < UINT32_MAX)
    s->failures++;
  pthread_mutex_unlock(&rl->mu);
}

void ls__rl_clear(ls__ratelimit *rl, ls__rl_kind kind, const char *key) {
  uint64_t h = key_of(kind, key);
  pthread_mutex_lock(&rl->mu);
  for (int i = 0; i < PROBES; i++) {
    ls__rl_slot *s = &rl->slots[(h + (uint64_t)i) % LS__RL_SLOTS];
    if (s->key == h)
      memset(s, 0, sizeof *s);
  }
  pthread_mutex_unlock(&rl->mu);
}
