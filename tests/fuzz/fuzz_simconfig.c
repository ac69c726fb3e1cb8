/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the simulator's parameter file (ls_sim_params_load: `key =
 * value` lines or one JSON object) and ls_sim_params_set /
 * ls_sim_params_check behind it. Beyond not crashing: a file that loads
 * holds exactly the numbers its text says. For the `key = value` form the
 * harness reads the lines itself and checks that each key's last value
 * (after the last `difficulty` line, which resets the world's keys) is the
 * value stored: strtod's number, whole for integer keys. Seeds: the
 * configs of tests/cli/simulate.sh and tests/unit/test_sim.c, and a file of
 * every key at its default (docs/simulator.md). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "linesight/ls_sim.h"

typedef enum { U32, U64, DBL, I64 } ktype;
typedef struct key {
  const char *name;
  ktype type;
  size_t off;
} key;
#define K(k, t) {#k, t, offsetof(ls_sim_params, k)}
static const key keys[] = {
    K(seed, U64),
    K(scale, U32),
    K(days, U32),
    K(start, I64),
    K(degree_alpha, DBL),
    K(degree_min, DBL),
    K(degree_max, DBL),
    K(local_tie_share, DBL),
    K(tie_rate_median, DBL),
    K(tie_rate_sigma, DBL),
    K(sms_share, DBL),
    K(oneoff_rate, DBL),
    K(trip_rate, DBL),
    K(attributed_share, DBL),
    K(second_phone_share, DBL),
    K(flagged_attributed_share, DBL),
    K(lines_per_10k, DBL),
    K(lines_min, U32),
    K(customers_min, U32),
    K(customers_max, U32),
    K(new_customer_share, DBL),
    K(multi_line_share, DBL),
    K(purchase_rate_median, DBL),
    K(adverts_min, U32),
    K(adverts_max, U32),
    K(rotation_min_days, U32),
    K(rotation_max_days, U32),
    K(forced_swap_rate, DBL),
    K(same_imei_share, DBL),
    K(runners_min, U32),
    K(runners_max, U32),
    K(juvenile_runner_share, DBL),
    K(missing_episode_share, DBL),
    K(stint_min_days, U32),
    K(stint_max_days, U32),
    K(closure_share, DBL),
    K(late_start_share, DBL),
    K(holder_calls, DBL),
    K(runner_phone_on_share, DBL),
    K(runner_known_share, DBL),
    K(occupant_customer_share, DBL),
    K(taxi_per_10k, DBL),
    K(takeaway_per_10k, DBL),
    K(trade_per_10k, DBL),
    K(delivery_per_10k, DBL),
    K(bulk_sms_per_10k, DBL),
    K(community_per_10k, DBL),
    K(phone_change_share, DBL),
    K(taxi_user_share, DBL),
    K(takeaway_user_share, DBL),
    K(vulnerable_adult_share, DBL),
    K(drug_dependency_share, DBL),
    K(mental_health_share, DBL),
    K(looked_after_share, DBL),
    K(excluded_share, DBL),
    K(missing_share, DBL),
};
#undef K
#define NKEYS (sizeof keys / sizeof keys[0])

static double stored(const ls_sim_params *p, const key *k) {
  const char *f = (const char *)p + k->off;
  switch (k->type) {
  case U32: {
    uint32_t v;
    memcpy(&v, f, sizeof v);
    return v;
  }
  case U64: {
    uint64_t v;
    memcpy(&v, f, sizeof v);
    return (double)v;
  }
  case I64: {
    int64_t v;
    memcpy(&v, f, sizeof v);
    return (double)v;
  }
  case DBL:
  default: {
    double v;
    memcpy(&v, f, sizeof v);
    return v;
  }
  }
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

/* The loaded p against the text's own numbers (key = value form only). */
static void check_values(const ls_sim_params *p, char *text) {
  double want[NKEYS];
  int have[NKEYS] = {0};
  for (char *line = text, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    if (strlen(line) >= 510)
      return; /* the reader's line buffer splits long lines: not modelled */
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char *eq = strchr(line, '=');
    if (!eq)
      continue;
    *eq = '\0';
    char *k = trim(line), *v = trim(eq + 1);
    if (!strcmp(k, "difficulty"))
      memset(have, 0, sizeof have);
    for (size_t i = 0; i < NKEYS; i++)
      if (!strcmp(k, keys[i].name)) {
        want[i] = strtod(v, NULL);
        have[i] = 1;
      }
  }
  for (size_t i = 0; i < NKEYS; i++) {
    if (!have[i])
      continue;
    double got = stored(p, &keys[i]);
    /* whole keys: exact up to 2^53 (beyond, the double compare rounds) */
    if (keys[i].type != DBL && fabs(want[i]) < 9007199254740992.0 ? got != want[i]
                                                                 : fabs(got - want[i]) > fabs(want[i]) * 1e-15)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (memchr(data, '\0', size))
    return 0; /* both readers stop at a NUL (fgets, jansson): not a config */
  char path[64];
  if (fz_file(0, data, size, path))
    return 0;
  ls_sim_params p;
  ls_sim_params_default(&p);
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = ls_sim_params_load(&p, path, &err);
  if (rc == LS_OK) {
    (void)ls_sim_params_check(&p, &err);
    for (size_t i = 0; i < NKEYS; i++)
      if (!isfinite(stored(&p, &keys[i])))
        abort(); /* NaN lies inside no range */
    size_t at = 0;
    while (at < size && strchr(" \t\r\n", data[at]))
      at++;
    if (at == size || data[at] != '{') {
      char *text = fz_strndup(data, size);
      check_values(&p, text);
      free(text);
    }
  } else if (rc != LS_ERR_INPUT || !err.message[0] || strcmp(err.file, path)) {
    abort(); /* a bad file is an input error naming the file */
  }
  return 0;
}
