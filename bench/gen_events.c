/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes a synthetic events CSV for the ingest benchmark (bench/run).
 *
 *   gen_events ROWS [SEED] > events.csv
 *
 * Shape (chosen to look like an operator's call detail records):
 *  - numbers drawn from 1M subscribers with Zipf-like popularity
 *    (P(rank r) ~ 1/r, by inverse transform of the continuous law), so a few
 *    numbers (deal lines, taxis) are in many events and most in few;
 *  - times increase from 2024-09-01 with exponential gaps averaging 0.78 s
 *    (10M events over ~90 days);
 *  - 60% sms, 40% calls with durations 1-900 s (geometric-like);
 *  - caller in E.164 (+447...), callee in national form (07...), a cell id;
 *  - 1% of rows repeat an earlier row (the other party's return of the same
 *    call), which the ingest must store once.
 * Numbers are in the 07700 range only by prefix shape; all are synthetic.
 * Deterministic for a given seed (xorshift64*). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUBSCRIBERS 1000000.0
#define RECENT 1024 /* rows kept to repeat from */

static uint64_t rng_state;

static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}

static double unit(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

/* Zipf-like rank in [0, SUBSCRIBERS), scattered over 9-digit subscriber numbers. */
static uint64_t subscriber(void) {
  double r = exp(unit() * log(SUBSCRIBERS + 1.0)) - 1.0;
  uint64_t rank = (uint64_t)r;
  return (rank * 2654435761ULL + 12345) % 1000000000ULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gen_events ROWS [SEED]\n");
    return 2;
  }
  long long rows = strtoll(argv[1], NULL, 10);
  rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) * 0x9e3779b97f4a7c15ULL + 1 : 88172645463325252ULL;
  static char recent[RECENT][128];
  static char buf[1 << 20];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  fputs("start,type,caller,callee,duration_s,caller_cell\n", stdout);
  double t = 1725148800.0; /* 2024-09-01T00:00:00Z */
  for (long long i = 0; i < rows; i++) {
    if (i > RECENT && rnd() % 100 == 0) {
      fputs(recent[rnd() % RECENT], stdout);
      continue;
    }
    t += -log(1.0 - unit()) * 0.78;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int sms = rnd() % 10 < 6;
    int duration = sms ? 0 : 1 + (int)(-log(1.0 - unit()) * 120.0) % 900;
    char *line = recent[i % RECENT];
    snprintf(line, sizeof recent[0], "%s,%s,+447%09llu,07%09llu,%d,C%05llu\n", when,
             sms ? "sms" : "call", (unsigned long long)subscriber(),
             (unsigned long long)subscriber(), duration, (unsigned long long)(rnd() % 20000));
    fputs(line, stdout);
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
