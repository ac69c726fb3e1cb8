/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Simulator parameters: defaults, the two difficulty presets, and loading
 * from a `key = value` or JSON file. The source of every default is given
 * in docs/simulator.md; the short reason sits beside each value here. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

typedef enum { P_U32, P_U64, P_DBL, P_I64 } ptype;

typedef struct pdef {
  const char *key;
  ptype type;
  size_t off;
  double lo, hi;
} pdef;

#define F(k, t, lo, hi) {#k, t, offsetof(ls_sim_params, k), lo, hi}
static const pdef defs[] = {
    F(seed, P_U64, 0, 1.8e19),
    F(scale, P_U32, 200, 50000000),
    F(days, P_U32, 1, 3660),
    F(start, P_I64, 0, 4102444800.0),
    F(degree_alpha, P_DBL, 1.05, 6),
    F(degree_min, P_DBL, 1, 100),
    F(degree_max, P_DBL, 2, 5000),
    F(local_tie_share, P_DBL, 0, 1),
    F(tie_rate_median, P_DBL, 0.001, 20),
    F(tie_rate_sigma, P_DBL, 0, 3),
    F(sms_share, P_DBL, 0, 1),
    F(oneoff_rate, P_DBL, 0, 10),
    F(trip_rate, P_DBL, 0, 1),
    F(attributed_share, P_DBL, 0, 1),
    F(flagged_attributed_share, P_DBL, 0, 1),
    F(second_phone_share, P_DBL, 0, 1),
    F(lines_per_10k, P_DBL, 0, 1000),
    F(lines_min, P_U32, 0, 100000),
    F(customers_min, P_U32, 1, 100000),
    F(customers_max, P_U32, 1, 100000),
    F(new_customer_share, P_DBL, 0, 1),
    F(multi_line_share, P_DBL, 0, 1),
    F(purchase_rate_median, P_DBL, 0.01, 10),
    F(adverts_min, P_U32, 0, 200),
    F(adverts_max, P_U32, 0, 200),
    F(rotation_min_days, P_U32, 1, 3650),
    F(rotation_max_days, P_U32, 1, 3650),
    F(forced_swap_rate, P_DBL, 0, 1),
    F(same_imei_share, P_DBL, 0, 1),
    F(runners_min, P_U32, 1, 3),
    F(runners_max, P_U32, 1, 3),
    F(juvenile_runner_share, P_DBL, 0, 1),
    F(missing_episode_share, P_DBL, 0, 1),
    F(stint_min_days, P_U32, 1, 365),
    F(stint_max_days, P_U32, 1, 365),
    F(closure_share, P_DBL, 0, 1),
    F(late_start_share, P_DBL, 0, 1),
    F(holder_calls, P_DBL, 0, 100),
    F(runner_phone_on_share, P_DBL, 0, 1),
    F(runner_known_share, P_DBL, 0, 1),
    F(occupant_customer_share, P_DBL, 0, 1),
    F(taxi_per_10k, P_DBL, 0, 1000),
    F(takeaway_per_10k, P_DBL, 0, 1000),
    F(trade_per_10k, P_DBL, 0, 1000),
    F(delivery_per_10k, P_DBL, 0, 1000),
    F(bulk_sms_per_10k, P_DBL, 0, 1000),
    F(community_per_10k, P_DBL, 0, 1000),
    F(phone_change_share, P_DBL, 0, 1),
    F(taxi_user_share, P_DBL, 0, 1),
    F(takeaway_user_share, P_DBL, 0, 1),
    F(vulnerable_adult_share, P_DBL, 0, 1),
    F(drug_dependency_share, P_DBL, 0, 1),
    F(mental_health_share, P_DBL, 0, 1),
    F(looked_after_share, P_DBL, 0, 1),
    F(excluded_share, P_DBL, 0, 1),
    F(missing_share, P_DBL, 0, 1),
};
#undef F

static void standard(ls_sim_params *p) {
  snprintf(p->difficulty, sizeof p->difficulty, "standard");
  /* Contact counts: heavy-tailed (Pareto exponent ~2.2 as in mobile call
   * graphs, Onnela et al. 2007), 3..400 contacts. */
  p->degree_alpha = 2.2;
  p->degree_min = 3;
  p->degree_max = 400;
  p->local_tie_share = 0.85;
  p->tie_rate_median = 0.3;
  p->tie_rate_sigma = 1.1;
  p->sms_share = 0.45;
  p->oneoff_rate = 0.08;
  p->trip_rate = 0.01;
  p->attributed_share = 0.7;
  /* People with a flag on record (vulnerable adults, people with a drug
   * dependency or mental ill health, children in care or reported missing)
   * are known to an agency, and its records carry their phone number more
   * often than a subscriber check finds one. */
  p->flagged_attributed_share = 0.9;
  p->second_phone_share = 0.04;
  /* Lines: far denser than the national ~1 per 60-110k people (DOMAIN:
   * 600-1,100 lines) because the world stands for the numbers in a data
   * request around an investigation, not a whole population. */
  p->lines_per_10k = 5;
  p->lines_min = 4;
  /* DOMAIN: 100 to over 2,000 contacts over a line's life, ~5 new a day
   * for a big line; a 28-day window of a small world sees a slice. */
  p->customers_min = 40;
  p->customers_max = 200;
  p->new_customer_share = 0.25;
  p->multi_line_share = 0.3;
  /* DOMAIN: four lines, 200+ customers and 1,000+ calls a day: ~50
   * customers a day per line, each buying every few days. A median of
   * 0.55 purchases a day (log-normal, sigma 0.8) has a customer buying on
   * ~45% of days, so a standard line's ~120 customers make about 50
   * buying days a day (measured: docs/simulator.md). */
  p->purchase_rate_median = 0.55;
  /* DOMAIN: bulk texts several times a day, up to 60+. */
  p->adverts_min = 2;
  p->adverts_max = 8;
  /* DOMAIN: no published interval; days to weeks, plus forced swaps. */
  p->rotation_min_days = 6;
  p->rotation_max_days = 21;
  p->forced_swap_rate = 0.015;
  p->same_imei_share = 0.3;
  p->runners_min = 1;
  p->runners_max = 3;
  /* DOMAIN: ~40% of BTP county lines arrests are under 18. */
  p->juvenile_runner_share = 0.4;
  p->missing_episode_share = 0.5;
  /* DOMAIN: stays of hours to days at a cuckooed address. */
  p->stint_min_days = 2;
  p->stint_max_days = 7;
  /* DOMAIN: 172-250 lines closed in an intensification week of 600-1,100
   * active: ~20% closed within a month's window. */
  p->closure_share = 0.2;
  p->late_start_share = 0.2;
  p->holder_calls = 4;
  p->runner_phone_on_share = 0.8;
  /* Runners are the part of a line police meet: stop-searches at stations
   * (BTP), arrests, missing-person reports and NRM referrals record their
   * phones (DOMAIN: ~40% of BTP county lines arrests are under 18; 1,900
   * children missing because of county lines in 2021/22). A child who goes
   * missing from care or home is reported with their mobile number (the
   * Philomena Protocol form), so those are known almost always
   * (sim_lines.c). */
  p->runner_known_share = 0.85;
  /* DOMAIN: the cuckooed occupant is typically a vulnerable adult with a
   * drug dependency: dealers take over their customers' homes and pay in
   * drugs. */
  p->occupant_customer_share = 0.7;
  p->taxi_per_10k = 5;
  p->takeaway_per_10k = 10;
  p->trade_per_10k = 10;
  p->delivery_per_10k = 5;
  p->bulk_sms_per_10k = 3;
  p->community_per_10k = 3;
  p->phone_change_share = 0.004;
  p->taxi_user_share = 0.2;
  p->takeaway_user_share = 0.3;
  p->vulnerable_adult_share = 0.04;
  p->drug_dependency_share = 0.015;
  p->mental_health_share = 0.06;
  p->looked_after_share = 0.01;
  p->excluded_share = 0.015;
  p->missing_share = 0.01;
}

/* Harder: smaller, quieter lines that rotate faster and keep handsets,
 * runners who switch their own phone off, more decoys. */
static void hard(ls_sim_params *p) {
  standard(p);
  snprintf(p->difficulty, sizeof p->difficulty, "hard");
  p->customers_min = 25;
  p->customers_max = 120;
  p->multi_line_share = 0.45;
  p->adverts_min = 1;
  p->adverts_max = 4;
  p->rotation_min_days = 3;
  p->rotation_max_days = 10;
  p->forced_swap_rate = 0.03;
  p->same_imei_share = 0.5;
  p->runner_phone_on_share = 0.4;
  p->runner_known_share = 0.75;
  p->occupant_customer_share = 0.5;
  p->holder_calls = 2;
  p->taxi_per_10k = 8;
  p->takeaway_per_10k = 14;
  p->bulk_sms_per_10k = 6;
  p->community_per_10k = 6;
  p->phone_change_share = 0.01;
}

void ls_sim_params_default(ls_sim_params *p) {
  memset(p, 0, sizeof *p);
  p->seed = 1;
  p->scale = 20000;
  p->days = 28;
  p->start = 1728259200; /* 2024-10-07T00:00:00Z, a Monday */
  standard(p);
}

ls_status ls_sim_params_preset(ls_sim_params *p, const char *name, ls_error *err) {
  ls_sim_params keep = *p;
  if (!strcmp(name, "standard"))
    standard(p);
  else if (!strcmp(name, "hard"))
    hard(p);
  else
    return LS_FAIL(err, LS_ERR_USAGE, "unknown difficulty '%s' (standard or hard)", name);
  p->seed = keep.seed;
  p->scale = keep.scale;
  p->days = keep.days;
  p->start = keep.start;
  return LS_OK;
}

ls_status ls_sim_params_set(ls_sim_params *p, const char *key, const char *value, ls_error *err) {
  if (!strcmp(key, "difficulty"))
    return ls_sim_params_preset(p, value, err);
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
    const pdef *d = &defs[i];
    if (strcmp(d->key, key))
      continue;
    char *end = NULL;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || errno)
      return LS_FAIL(err, LS_ERR_USAGE, "%s: '%s' is not a number", key, value);
    const char *num_end = end;
    while (*end == ' ' || *end == '\t' || *end == '\r')
      end++;
    if (*end)
      return LS_FAIL(err, LS_ERR_USAGE, "%s: trailing text after the number in '%s'", key, value);
    /* written so that NaN ("nan") is outside every range too (found by fuzzing) */
    if (!(v >= d->lo && v <= d->hi))
      return LS_FAIL(err, LS_ERR_USAGE, "%s: %s is outside [%g, %g]", key, value, d->lo, d->hi);
    char *field = (char *)p + d->off;
    /* floor, not a cast to int64_t: seeds go up to 1.8e19, past INT64_MAX */
    if (d->type != P_DBL && v != floor(v))
      return LS_FAIL(err, LS_ERR_USAGE, "%s: '%s' must be a whole number", key, value);
    switch (d->type) {
    case P_U32: {
      uint32_t u = (uint32_t)v;
      memcpy(field, &u, sizeof u);
      break;
    }
    case P_U64: {
      /* digits only: exact beyond 2^53; any other form ("1e3", "12.0")
       * through its double, not strtoull's prefix of it (fuzzing found
       * "1e3" read as 1) */
      char *u_end = NULL;
      errno = 0;
      uint64_t u = strtoull(value, &u_end, 10);
      if (u_end != num_end || errno)
        u = (uint64_t)v;
      memcpy(field, &u, sizeof u);
      break;
    }
    case P_I64: {
      int64_t u = (int64_t)v;
      memcpy(field, &u, sizeof u);
      break;
    }
    case P_DBL:
      memcpy(field, &v, sizeof v);
      break;
    }
    return LS_OK;
  }
  return LS_FAIL(err, LS_ERR_USAGE, "unknown parameter '%s'", key);
}

ls_status ls_sim_params_check(const ls_sim_params *p, ls_error *err) {
  if (p->customers_min > p->customers_max)
    return LS_FAIL(err, LS_ERR_USAGE, "customers_min (%u) exceeds customers_max (%u)",
                   p->customers_min, p->customers_max);
  if (p->adverts_min > p->adverts_max)
    return LS_FAIL(err, LS_ERR_USAGE, "adverts_min exceeds adverts_max");
  if (p->rotation_min_days > p->rotation_max_days)
    return LS_FAIL(err, LS_ERR_USAGE, "rotation_min_days exceeds rotation_max_days");
  if (p->runners_min > p->runners_max)
    return LS_FAIL(err, LS_ERR_USAGE, "runners_min exceeds runners_max");
  if (p->stint_min_days > p->stint_max_days)
    return LS_FAIL(err, LS_ERR_USAGE, "stint_min_days exceeds stint_max_days");
  if (p->degree_min > p->degree_max)
    return LS_FAIL(err, LS_ERR_USAGE, "degree_min exceeds degree_max");
  if (p->scale < 200 || p->days < 1)
    return LS_FAIL(err, LS_ERR_USAGE, "scale must be at least 200 and days at least 1");
  return LS_OK;
}

static ls_status load_json(ls_sim_params *p, const char *path, ls_error *err) {
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!root)
    return ls_error_set(err, LS_ERR_INPUT, path, jerr.line, jerr.column, "%s", jerr.text);
  ls_status rc = LS_OK;
  if (!json_is_object(root)) {
    rc = ls_error_set(err, LS_ERR_INPUT, path, 1, 1, "expected one JSON object of parameters");
    goto out;
  }
  /* "difficulty" first, so that the other keys override the preset. */
  json_t *diff = json_object_get(root, "difficulty");
  if (diff) {
    if (!json_is_string(diff)) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "difficulty must be a string");
      goto out;
    }
    rc = ls_sim_params_preset(p, json_string_value(diff), err);
    if (rc) { /* named like every other key's error (found by fuzzing) */
      char msg[LS_ERROR_MESSAGE_MAX];
      snprintf(msg, sizeof msg, "%s", err ? err->message : "bad value");
      rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "%s", msg);
      goto out;
    }
  }
  const char *key;
  json_t *val;
  json_object_foreach(root, key, val) {
    if (!strcmp(key, "difficulty"))
      continue;
    char text[64];
    if (json_is_integer(val))
      snprintf(text, sizeof text, "%lld", (long long)json_integer_value(val));
    else if (json_is_real(val))
      snprintf(text, sizeof text, "%.17g", json_real_value(val));
    else if (json_is_string(val))
      snprintf(text, sizeof text, "%s", json_string_value(val));
    else {
      rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "%s: expected a number", key);
      goto out;
    }
    rc = ls_sim_params_set(p, key, text, err);
    if (rc) {
      char msg[LS_ERROR_MESSAGE_MAX];
      snprintf(msg, sizeof msg, "%s", err ? err->message : "bad value");
      rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "%s", msg);
      goto out;
    }
  }
out:
  json_decref(root);
  return rc;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

ls_status ls_sim_params_load(ls_sim_params *p, const char *path, ls_error *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
  int c;
  do
    c = fgetc(f);
  while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
  if (c == '{') {
    fclose(f);
    return load_json(p, path, err);
  }
  rewind(f);
  ls_status rc = LS_OK;
  char line[512];
  long lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char *s = trim(line);
    if (!*s)
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, lineno, 1, "expected key = value");
      goto out;
    }
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    rc = ls_sim_params_set(p, key, value, err);
    if (rc) {
      char msg[LS_ERROR_MESSAGE_MAX];
      snprintf(msg, sizeof msg, "%s", err ? err->message : "bad value");
      rc = ls_error_set(err, LS_ERR_INPUT, path, lineno, (int)(value - line) + 1, "%s", msg);
      goto out;
    }
  }
  if (ferror(f))
    rc = ls_error_set(err, LS_ERR_IO, path, lineno, 0, "read error");
out:
  fclose(f);
  return rc;
}
