/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Random numbers for the simulator. Hand-written rather than libsodium's
 * randombytes: the world must be reproducible from a seed on every machine,
 * and generation draws tens of millions of numbers a second. xoshiro256**
 * (Blackman and Vigna) seeded through splitmix64. */
#include <math.h>

#include "sim_internal.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void ls__sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t x = seed ^ (a * 0xd1342543de82ef95ULL) ^ (b * 0xa0761d6478bd642fULL);
  x = splitmix64(&x) ^ b;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ls__sim_rng_next(sim_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double ls__sim_rng_unit(sim_rng *r) { return (double)(ls__sim_rng_next(r) >> 11) * 0x1.0p-53; }

/* Lemire's multiply-shift: the bias for n < 2^32 is below 2^-32, far under
 * anything the statistics could show. */
uint32_t ls__sim_rng_below(sim_rng *r, uint32_t n) {
  return (uint32_t)(((ls__sim_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

uint32_t ls__sim_rng_range(sim_rng *r, uint32_t lo, uint32_t hi) {
  if (hi <= lo)
    return lo;
  return lo + ls__sim_rng_below(r, hi - lo + 1);
}

int ls__sim_rng_chance(sim_rng *r, double p) { return ls__sim_rng_unit(r) < p; }

/* Knuth's product method for small means, a rounded normal above 30 (the
 * counts there are only used as totals). */
uint32_t ls__sim_rng_poisson(sim_rng *r, double lambda) {
  if (lambda <= 0)
    return 0;
  if (lambda > 30) {
    double v = lambda + sqrt(lambda) * ls__sim_rng_normal(r) + 0.5;
    return v < 0 ? 0 : (uint32_t)v;
  }
  double l = exp(-lambda), prod = ls__sim_rng_unit(r);
  uint32_t k = 0;
  while (prod > l) {
    k++;
    prod *= ls__sim_rng_unit(r);
  }
  return k;
}

double ls__sim_rng_normal(sim_rng *r) {
  double u = ls__sim_rng_unit(r), v = ls__sim_rng_unit(r);
  if (u < 1e-300)
    u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

double ls__sim_rng_lognormal(sim_rng *r, double median, double sigma) {
  return median * exp(sigma * ls__sim_rng_normal(r));
}

double ls__sim_rng_pareto(sim_rng *r, double xmin, double alpha) {
  double u = 1.0 - ls__sim_rng_unit(r); /* (0,1] */
  return xmin * pow(u, -1.0 / alpha);
}

void ls__sim_rng_shuffle(sim_rng *r, uint32_t *a, uint32_t n) {
  for (uint32_t i = n; i > 1; i--) {
    uint32_t j = ls__sim_rng_below(r, i);
    uint32_t t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

void ls__sim_profile_build(sim_profile *pr, const double weights[24], int utc_offset_h) {
  double w[24], total = 0;
  for (int h = 0; h < 24; h++) {
    /* UTC hour h is local hour h + offset */
    w[h] = weights[(h + utc_offset_h + 24) % 24];
    total += w[h];
  }
  double acc = 0;
  int h = 0;
  for (int i = 0; i < 1024; i++) {
    double target = (i + 0.5) / 1024.0 * total;
    while (h < 23 && acc + w[h] < target) {
      acc += w[h];
      h++;
    }
    pr->hour[i] = (uint8_t)h;
  }
}

uint32_t ls__sim_profile_sec(const sim_profile *pr, sim_rng *r) {
  uint64_t x = ls__sim_rng_next(r);
  uint32_t hour = pr->hour[x >> 54];
  return hour * 3600u + (uint32_t)(((x & 0xffffffffu) * 3600u) >> 32);
}

int32_t ls__sim_call_secs(sim_rng *r, double median, double sigma, int32_t lo, int32_t hi) {
  double d = ls__sim_rng_lognormal(r, median, sigma);
  if (d < lo)
    d = lo;
  if (d > hi)
    d = hi;
  return (int32_t)d;
}
