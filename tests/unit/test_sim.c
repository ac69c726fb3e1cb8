/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Simulator: the world's statistics (heavy-tailed contacts, customers and
 * adverts within their ranges, swaps that keep customers, every decoy kind,
 * every truth number present), determinism, parameter files, and the naive
 * baseline that must not find the deal numbers. Events are taken through
 * an in-memory sink, not from files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ls_mem.h"
#include "linesight/ls_events.h"
#include "linesight/ls_sim.h"

typedef struct capture {
  ls_sim_event *ev;
  size_t n, cap;
  int64_t last;
  int unsorted;
} capture;

static ls_status capture_sink(void *ctx, const ls_sim_world *w, const ls_sim_event *ev, size_t n,
                              ls_error *err) {
  (void)w;
  (void)err;
  capture *c = ctx;
  if (c->n + n > c->cap) {
    size_t nc = c->cap ? c->cap : 65536;
    while (nc < c->n + n)
      nc *= 2;
    ls_sim_event *q = realloc(c->ev, nc * sizeof *q);
    if (!q)
      return LS_ERR_NOMEM;
    c->ev = q;
    c->cap = nc;
  }
  for (size_t i = 0; i < n; i++) {
    if (ev[i].start < c->last)
      c->unsorted = 1;
    c->last = ev[i].start;
  }
  memcpy(c->ev + c->n, ev, n * sizeof *ev);
  c->n += n;
  return LS_OK;
}

/* A world with its events and truth, plus a string -> id map. */
typedef struct world_run {
  ls_sim_params p;
  ls_sim_world *w;
  capture cap;
  json_t *truth;
  ls_dict ids;
} world_run;

static int sanitized(void) { return getenv("LS_SANITIZED") != NULL; }

static void run_world(world_run *r, const char *difficulty, uint32_t scale, uint32_t days,
                      uint64_t seed) {
  memset(r, 0, sizeof *r);
  ls_error err;
  ls_error_clear(&err);
  ls_sim_params_default(&r->p);
  assert_int_equal(ls_sim_params_preset(&r->p, difficulty, &err), LS_OK);
  r->p.scale = scale;
  r->p.days = days;
  r->p.seed = seed;
  assert_int_equal(ls_sim_world_create(&r->p, &r->w, &err), LS_OK);
  assert_int_equal(ls_sim_world_run(r->w, capture_sink, &r->cap, &err), LS_OK);
  assert_false(r->cap.unsorted);
  assert_int_equal(ls_sim_event_count(r->w), r->cap.n);
  r->truth = ls_sim_truth(r->w);
  assert_non_null(r->truth);
  ls_dict_init(&r->ids);
  for (size_t i = 0; i < ls_sim_number_count(r->w); i++) {
    const char *s = ls_sim_number(r->w, (uint32_t)i);
    uint32_t id;
    assert_int_equal(ls_dict_intern(&r->ids, s, strlen(s), &id), LS_OK);
    assert_int_equal(id, (uint32_t)i); /* numbers are unique */
  }
}

static void free_world(world_run *r) {
  ls_dict_free(&r->ids);
  json_decref(r->truth);
  free(r->cap.ev);
  ls_sim_world_free(r->w);
}

static uint32_t id_of(const world_run *r, const char *s) {
  uint32_t id = UINT32_MAX;
  assert_int_equal(ls_dict_find(&r->ids, s, strlen(s), &id), LS_OK);
  return id;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}
static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Distinct (caller -> callee) pairs, or undirected pairs, sorted. */
static uint64_t *pairs(const world_run *r, int directed, size_t *n_out) {
  uint64_t *pr = malloc(r->cap.n * sizeof *pr + 8);
  assert_non_null(pr);
  for (size_t i = 0; i < r->cap.n; i++) {
    uint64_t a = r->cap.ev[i].caller, b = r->cap.ev[i].callee;
    if (!directed && a > b) {
      uint64_t t = a;
      a = b;
      b = t;
    }
    pr[i] = a << 32 | b;
  }
  qsort(pr, r->cap.n, sizeof *pr, cmp_u64);
  size_t n = 0;
  for (size_t i = 0; i < r->cap.n; i++)
    if (!n || pr[n - 1] != pr[i])
      pr[n++] = pr[i];
  *n_out = n;
  return pr;
}

/* ------------------------------------------------------------- tests */

static void contact_degree_is_heavy_tailed(void **state) {
  (void)state;
  world_run r;
  run_world(&r, "standard", sanitized() ? 3000 : 8000, 14, 11);
  size_t n_pairs;
  uint64_t *pr = pairs(&r, 0, &n_pairs);
  size_t nn = ls_sim_number_count(r.w);
  uint32_t *deg = calloc(nn, sizeof *deg);
  assert_non_null(deg);
  for (size_t i = 0; i < n_pairs; i++) {
    deg[pr[i] >> 32]++;
    deg[pr[i] & 0xffffffffu]++;
  }
  uint32_t *d = malloc(nn * sizeof *d);
  size_t m = 0;
  for (size_t i = 0; i < nn; i++)
    if (deg[i] >= 2) /* numbers seen more than once: people, not one-off contacts */
      d[m++] = deg[i];
  qsort(d, m, sizeof *d, cmp_u32);
  uint32_t median = d[m / 2], p99 = d[m * 99 / 100], max = d[m - 1];
  /* a heavy tail: the top 1% has several times the median, the largest
   * (hub people, taxi firms, deal lines) tens of times */
  assert_true(median >= 3);
  assert_true(p99 >= 4 * median);
  assert_true(max >= 25 * median);
  /* and the top 1% of numbers hold well over their share of contacts */
  uint64_t total = 0, top = 0;
  for (size_t i = 0; i < m; i++) {
    total += d[i];
    if (i >= m - m / 100)
      top += d[i];
  }
  assert_true(top * 100 >= total * 5);
  free(d);
  free(deg);
  free(pr);
  free_world(&r);
}

static void every_truth_number_appears_in_events(void **state) {
  (void)state;
  world_run r;
  run_world(&r, "standard", 4000, 10, 5);
  size_t nn = ls_sim_number_count(r.w);
  uint8_t *seen = calloc(nn, 1);
  for (size_t i = 0; i < r.cap.n; i++)
    seen[r.cap.ev[i].caller] = seen[r.cap.ev[i].callee] = 1;
  size_t checked = 0, li;
  json_t *line;
  json_array_foreach(json_object_get(r.truth, "lines"), li, line) {
    static const char *const keys[] = {"numbers", "holders", "runners", "customers"};
    for (int k = 0; k < 4; k++) {
      json_t *arr = json_object_get(line, keys[k]), *v;
      size_t i;
      assert_true(json_array_size(arr) > 0);
      json_array_foreach(arr, i, v) {
        assert_true(seen[id_of(&r, json_string_value(v))]);
        checked++;
      }
    }
    assert_true(json_array_size(json_object_get(line, "cuckoo_addresses")) > 0);
  }
  const char *key;
  json_t *arr;
  json_object_foreach(json_object_get(r.truth, "decoys"), key, arr) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
      assert_true(seen[id_of(&r, json_string_value(v))]);
      checked++;
    }
  }
  assert_true(checked > 300);
  free(seen);
  free_world(&r);
}

static void every_decoy_kind_is_present(void **state) {
  (void)state;
  world_run r;
  run_world(&r, "standard", 3000, 7, 9);
  static const char *const kinds[] = {"taxi",     "takeaway", "bulk_sms",    "tradesperson",
                                      "delivery", "community", "phone_change"};
  json_t *decoys = json_object_get(r.truth, "decoys");
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    json_t *arr = json_object_get(decoys, kinds[k]);
    assert_true(json_is_array(arr));
    assert_true(json_array_size(arr) >= 1);
  }
  /* a bulk SMS sender texts far more numbers than text it */
  json_t *bulk = json_array_get(json_object_get(decoys, "bulk_sms"), 0);
  uint32_t b = id_of(&r, json_string_value(bulk));
  size_t out = 0, in = 0;
  for (size_t i = 0; i < r.cap.n; i++) {
    out += r.cap.ev[i].caller == b;
    in += r.cap.ev[i].callee == b;
  }
  assert_true(out > 20 * (in + 1));
  free_world(&r);
}

/* Customers per line and adverts a day stay inside the configured ranges. */
static void lines_respect_configured_ranges(void **state) {
  (void)state;
  world_run r;
  run_world(&r, "standard", 8000, 14, 21);
  const ls_sim_params *p = &r.p;
  size_t li;
  json_t *line;
  size_t full_days = 0;
  json_array_foreach(json_object_get(r.truth, "lines"), li, line) {
    json_t *nums = json_object_get(line, "numbers");
    size_t n_cust = json_array_size(json_object_get(line, "customers"));
    if (!json_is_true(json_object_get(line, "closed"))) {
      /* distinct customer numbers; a customer who changes phone counts twice */
      assert_true(n_cust >= p->customers_min);
      assert_true(n_cust <= p->customers_max + p->customers_max / 20 + 2);
    }
    /* bursts: texts from the deal number less than 10 s apart, 5 or more */
    size_t k;
    json_t *v;
    json_array_foreach(nums, k, v) {
      uint32_t num = id_of(&r, json_string_value(v));
      int64_t first = INT64_MAX, last = INT64_MIN;
      for (size_t i = 0; i < r.cap.n; i++)
        if (r.cap.ev[i].caller == num || r.cap.ev[i].callee == num) {
          if (r.cap.ev[i].start < first)
            first = r.cap.ev[i].start;
          last = r.cap.ev[i].start;
        }
      int64_t d0 = (first - p->start) / 86400 + 1, d1 = (last - p->start) / 86400 - 1;
      for (int64_t d = d0; d <= d1; d++) { /* whole days on this one number */
        int64_t t0 = p->start + d * 86400, t1 = t0 + 86400, prev = t0 - 3600;
        uint32_t bursts = 0, run = 0;
        for (size_t i = 0; i < r.cap.n; i++) {
          const ls_sim_event *e = &r.cap.ev[i];
          if (e->start < t0 || e->start >= t1 || e->caller != num || e->type != LS_EV_SMS)
            continue;
          if (e->start - prev > 10) {
            if (run >= 5)
              bursts++;
            run = 0;
          }
          run++;
          prev = e->start;
        }
        if (run >= 5)
          bursts++;
        assert_true(bursts >= p->adverts_min);
        assert_true(bursts <= p->adverts_max);
        full_days++;
      }
    }
  }
  assert_true(full_days >= 20);
  free_world(&r);
}

/* A swap keeps the line's customers: old and new numbers share contacts. */
static void swaps_carry_customers_over(void **state) {
  (void)state;
  world_run r;
  run_world(&r, "hard", 6000, 21, 33);
  size_t n_pairs;
  uint64_t *pr = pairs(&r, 0, &n_pairs);
  size_t swaps = 0, li;
  json_t *line;
  json_array_foreach(json_object_get(r.truth, "lines"), li, line) {
    json_t *nums = json_object_get(line, "numbers");
    for (size_t k = 1; k < json_array_size(nums); k++) {
      uint32_t a = id_of(&r, json_string_value(json_array_get(nums, k - 1)));
      uint32_t b = id_of(&r, json_string_value(json_array_get(nums, k)));
      /* contacts of a and of b */
      size_t nn = ls_sim_number_count(r.w);
      uint8_t *mark = calloc(nn, 1);
      size_t ca = 0, cb = 0, both = 0;
      for (size_t i = 0; i < n_pairs; i++) {
        uint32_t x = (uint32_t)(pr[i] >> 32), y = (uint32_t)pr[i];
        if (x == a || y == a) {
          mark[x == a ? y : x] |= 1;
        }
        if (x == b || y == b)
          mark[x == b ? y : x] |= 2;
      }
      for (size_t i = 0; i < nn; i++) {
        ca += (mark[i] & 1) != 0;
        cb += (mark[i] & 2) != 0;
        both += mark[i] == 3;
      }
      size_t smaller = ca < cb ? ca : cb;
      assert_true(smaller > 0);
      assert_true(both * 2 >= smaller); /* at least half carried over */
      free(mark);
      swaps++;
    }
  }
  assert_true(swaps >= 5);
  free(pr);
  free_world(&r);
}

/* Rank numbers by distinct inbound contacts, take as many as there are
 * deal numbers: with taxis, takeaways and hub people about, this naive
 * detector must do badly (deal-number F1 < 0.6). */
static double baseline_f1(const world_run *r) {
  size_t n_pairs;
  uint64_t *pr = pairs(r, 1, &n_pairs);
  size_t nn = ls_sim_number_count(r->w);
  uint32_t *in = calloc(nn, sizeof *in), *order = malloc(nn * sizeof *order);
  uint8_t *deal = calloc(nn, 1);
  for (size_t i = 0; i < n_pairs; i++)
    in[pr[i] & 0xffffffffu]++;
  size_t k = 0, li;
  json_t *line;
  json_array_foreach(json_object_get(r->truth, "lines"), li, line) {
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(line, "numbers"), i, v) {
      deal[id_of(r, json_string_value(v))] = 1;
      k++;
    }
  }
  /* partial selection of the k largest (ties to the lower id) */
  for (size_t i = 0; i < nn; i++)
    order[i] = (uint32_t)i;
  size_t hit = 0;
  for (size_t j = 0; j < k; j++) {
    size_t best = j;
    for (size_t i = j + 1; i < nn; i++)
      if (in[order[i]] > in[order[best]])
        best = i;
    uint32_t t = order[j];
    order[j] = order[best];
    order[best] = t;
    hit += deal[order[j]];
  }
  free(pr);
  free(in);
  free(order);
  free(deal);
  return k ? (double)hit / (double)k : 0; /* precision = recall = F1 when k = |truth| */
}

static void naive_inbound_baseline_fails(void **state) {
  (void)state;
  const char *diffs[] = {"standard", "hard"};
  for (int d = 0; d < 2; d++) {
    world_run r;
    run_world(&r, diffs[d], sanitized() ? 6000 : 12000, 28, 7);
    double f1 = baseline_f1(&r);
    print_message("baseline F1 (%s, scale %u, 28 days): %.3f\n", diffs[d], r.p.scale, f1);
    assert_true(f1 < 0.6);
    free_world(&r);
  }
}

/* Reads a CSV written by the simulator (no quoting: ids, numbers and flag
 * lists only) into rows of fields; returns the row count. */
typedef struct csv_rows {
  char **field; /* row-major, `cols` a row */
  size_t n, cols;
  char *text;
} csv_rows;

static void read_csv(const char *path, size_t cols, csv_rows *out) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  out->text = malloc((size_t)size + 1);
  assert_non_null(out->text);
  assert_int_equal(fread(out->text, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  out->text[size] = '\0';
  size_t lines = 0;
  for (long i = 0; i < size; i++)
    lines += out->text[i] == '\n';
  out->field = calloc(lines * cols + 1, sizeof *out->field);
  assert_non_null(out->field);
  out->cols = cols;
  out->n = 0;
  char *line = strchr(out->text, '\n') + 1; /* skip the header */
  while (*line) {
    char *end = strchr(line, '\n');
    assert_non_null(end);
    *end = '\0';
    char *fld = line;
    for (size_t c = 0; c < cols; c++) {
      char *comma = c + 1 < cols ? strchr(fld, ',') : NULL;
      assert_true(c + 1 == cols || comma != NULL);
      if (comma)
        *comma = '\0';
      out->field[out->n * cols + c] = fld;
      fld = comma ? comma + 1 : fld;
    }
    out->n++;
    line = end + 1;
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void free_csv(csv_rows *r) {
  free(r->field);
  free(r->text);
}

static const char *find_field(const csv_rows *r, size_t key_col, const char *key, size_t want_col) {
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(r->field[i * r->cols + key_col], key))
      return r->field[i * r->cols + want_col];
  return NULL;
}

/* What police records and the events hold about runners and cuckooed
 * homes: most runners' numbers known (intelligence), people with a flag on
 * record known more often than others, and each cuckooed home's occupant,
 * when known, in contact with the line's runners or phones. */
static void runners_known_and_homes_tied(void **state) {
  (void)state;
  world_run r;
  run_world(&r, "standard", 12000, 14, 77);
  char dir[] = "/tmp/ls-sim-att-XXXXXX", path[96];
  assert_non_null(mkdtemp(dir));
  ls_error err;
  csv_rows att, per, adr;
  snprintf(path, sizeof path, "%s/attributions.csv", dir);
  assert_int_equal(ls_sim_write_attributions(r.w, path, &err), LS_OK);
  read_csv(path, 5, &att);
  assert_int_equal(unlink(path), 0);
  snprintf(path, sizeof path, "%s/persons.csv", dir);
  assert_int_equal(ls_sim_write_persons(r.w, path, &err), LS_OK);
  read_csv(path, 4, &per);
  assert_int_equal(unlink(path), 0);
  snprintf(path, sizeof path, "%s/addresses.csv", dir);
  assert_int_equal(ls_sim_write_addresses(r.w, path, &err), LS_OK);
  read_csv(path, 6, &adr);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(dir), 0);
  /* runners: known at least at runner_known_share, mostly from intelligence */
  size_t runners = 0, known = 0, intel = 0, li;
  json_t *line, *v;
  json_array_foreach(json_object_get(r.truth, "lines"), li, line) {
    size_t i;
    json_array_foreach(json_object_get(line, "runners"), i, v) {
      const char *src = find_field(&att, 0, json_string_value(v), 4);
      runners++;
      known += src != NULL;
      intel += src && !strcmp(src, "intelligence");
    }
  }
  assert_true(runners >= 8);
  assert_true((double)known >= r.p.runner_known_share * (double)runners);
  assert_true((double)intel >= 0.7 * (double)runners);
  /* flagged people's numbers are known more often than others' */
  size_t flagged = 0, flagged_known = 0, plain = 0, plain_known = 0;
  const char **owners = malloc((att.n + 1) * sizeof *owners);
  assert_non_null(owners);
  for (size_t j = 0; j < att.n; j++)
    owners[j] = att.field[j * 5 + 1];
  qsort(owners, att.n, sizeof *owners, cmp_str);
  for (size_t i = 0; i < per.n; i++) {
    const char *key = per.field[i * 4];
    int k = bsearch(&key, owners, att.n, sizeof *owners, cmp_str) != NULL;
    if (per.field[i * 4 + 3][0]) {
      flagged++;
      flagged_known += (size_t)k;
    } else {
      plain++;
      plain_known += (size_t)k;
    }
  }
  assert_true(flagged > 100 && plain > 1000);
  assert_true((double)flagged_known / (double)flagged > (double)plain_known / (double)plain + 0.1);
  /* a cuckooed home's occupant, when their number is known, is in contact
   * with the line's runners or phones */
  size_t homes = 0, tied = 0;
  json_array_foreach(json_object_get(r.truth, "lines"), li, line) {
    size_t i, k;
    json_t *a;
    json_array_foreach(json_object_get(line, "cuckoo_addresses"), i, a) {
      const char *occ = find_field(&adr, 0, json_string_value(a), 4);
      assert_non_null(occ);
      for (size_t j = 0; j < att.n; j++) {
        if (strcmp(att.field[j * 5 + 1], occ))
          continue;
        uint32_t on = id_of(&r, att.field[j * 5]);
        int hit = 0;
        static const char *const keys[] = {"numbers", "runners"};
        for (int kk = 0; kk < 2 && !hit; kk++)
          json_array_foreach(json_object_get(line, keys[kk]), k, v) {
            uint32_t ln = id_of(&r, json_string_value(v));
            for (size_t e = 0; e < r.cap.n && !hit; e++)
              hit = (r.cap.ev[e].caller == on && r.cap.ev[e].callee == ln) ||
                    (r.cap.ev[e].caller == ln && r.cap.ev[e].callee == on);
          }
        homes++;
        tied += (size_t)hit;
      }
    }
  }
  assert_true(homes >= 3);
  assert_true(tied * 10 >= homes * 9);
  free(owners);
  free_csv(&att);
  free_csv(&per);
  free_csv(&adr);
  free_world(&r);
}

static void same_seed_same_bytes(void **state) {
  (void)state;
  char dir[2][64];
  unsigned char hash[2][6][crypto_hash_sha256_BYTES];
  static const char *const files[] = {"events.csv",  "cells.csv",     "persons.csv",
                                      "attributions.csv", "addresses.csv", "truth.json"};
  assert_true(sodium_init() >= 0);
  for (int k = 0; k < 2; k++) {
    snprintf(dir[k], sizeof dir[k], "/tmp/ls-sim-test-XXXXXX");
    assert_non_null(mkdtemp(dir[k]));
    ls_sim_params p;
    ls_sim_params_default(&p);
    p.scale = 2000;
    p.days = 5;
    p.seed = 42;
    ls_error err;
    ls_sim_summary sum;
    assert_int_equal(ls_sim_write_dir(&p, dir[k], &sum, &err), LS_OK);
    assert_true(sum.events > 10000);
    for (int f = 0; f < 6; f++) {
      char path[160];
      snprintf(path, sizeof path, "%s/%s", dir[k], files[f]);
      FILE *fp = fopen(path, "rb");
      assert_non_null(fp);
      crypto_hash_sha256_state st;
      crypto_hash_sha256_init(&st);
      unsigned char buf[65536];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
      fclose(fp);
      crypto_hash_sha256_final(&st, hash[k][f]);
      unlink(path);
    }
    rmdir(dir[k]);
  }
  for (int f = 0; f < 6; f++)
    assert_memory_equal(hash[0][f], hash[1][f], crypto_hash_sha256_BYTES);
  /* and another seed gives another world */
  world_run a, b;
  run_world(&a, "standard", 2000, 3, 1);
  run_world(&b, "standard", 2000, 3, 2);
  assert_true(a.cap.n != b.cap.n ||
              strcmp(ls_sim_number(a.w, a.cap.ev[0].caller), ls_sim_number(b.w, b.cap.ev[0].caller)));
  free_world(&a);
  free_world(&b);
}

/* events.csv is written with the days generated on one thread and
 * formatted on others, by a hand-written formatter; the rows must be the
 * events ls_sim_world_run hands a sink on one thread, formatted here with
 * snprintf and gmtime_r. Eight days: line swaps and phone changes create
 * numbers while earlier days are still being written. */
typedef struct text_sink {
  char *buf;
  size_t len, cap;
} text_sink;

static ls_status format_sink(void *ctx, const ls_sim_world *w, const ls_sim_event *ev, size_t n,
                             ls_error *err) {
  (void)err;
  text_sink *t = ctx;
  for (size_t i = 0; i < n; i++) {
    const ls_sim_event *e = &ev[i];
    if (t->len + 256 > t->cap) {
      size_t nc = t->cap ? t->cap * 2 : 1 << 20;
      char *q = realloc(t->buf, nc);
      if (!q)
        return LS_ERR_NOMEM;
      t->buf = q;
      t->cap = nc;
    }
    time_t secs = (time_t)e->start;
    struct tm tm;
    assert_non_null(gmtime_r(&secs, &tm));
    int k = snprintf(t->buf + t->len, t->cap - t->len,
                     "%04d-%02d-%02dT%02d:%02d:%02dZ,%s,%s,%s,%d,%s,%s,%s,%s\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, e->type == LS_EV_SMS ? "sms" : "call", ls_sim_number(w, e->caller),
                     ls_sim_number(w, e->callee), (int)e->duration,
                     e->caller_cell == LS_NO_ID ? "" : ls_sim_cell_id(w, e->caller_cell),
                     e->callee_cell == LS_NO_ID ? "" : ls_sim_cell_id(w, e->callee_cell),
                     e->caller_imei == LS_NO_ID ? "" : ls_sim_imei(w, e->caller_imei),
                     e->callee_imei == LS_NO_ID ? "" : ls_sim_imei(w, e->callee_imei));
    assert_true(k > 0 && (size_t)k < t->cap - t->len);
    t->len += (size_t)k;
  }
  return LS_OK;
}

static void file_rows_match_the_sink(void **state) {
  (void)state;
  char dir[64], path[128];
  snprintf(dir, sizeof dir, "/tmp/ls-sim-test-XXXXXX");
  assert_non_null(mkdtemp(dir));
  ls_sim_params p;
  ls_sim_params_default(&p);
  p.scale = sanitized() ? 1500 : 4000;
  p.days = 8;
  p.seed = 77;
  ls_error err;
  ls_sim_summary sum;
  assert_int_equal(ls_sim_write_dir(&p, dir, &sum, &err), LS_OK);

  text_sink t = {0};
  ls_sim_world *w = NULL;
  assert_int_equal(ls_sim_world_create(&p, &w, &err), LS_OK);
  assert_int_equal(ls_sim_world_run(w, format_sink, &t, &err), LS_OK);
  assert_int_equal(ls_sim_event_count(w), sum.events);
  assert_int_equal(ls_sim_number_count(w), sum.numbers);
  ls_sim_world_free(w);

  snprintf(path, sizeof path, "%s/events.csv", dir);
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  char header[256];
  assert_non_null(fgets(header, sizeof header, fp));
  char *file = malloc(t.len + 2);
  assert_non_null(file);
  size_t got = fread(file, 1, t.len + 1, fp);
  fclose(fp);
  assert_int_equal(got, t.len);
  for (size_t i = 0; i < t.len; i++)
    if (file[i] != t.buf[i]) {
      size_t b = i;
      while (b > 0 && file[b - 1] != '\n')
        b--;
      fail_msg("events.csv differs at byte %zu: file '%.120s' sink '%.120s'", i, file + b, t.buf + b);
    }
  free(file);
  free(t.buf);
  static const char *const files[] = {"events.csv", "cells.csv", "persons.csv", "attributions.csv",
                                      "addresses.csv", "truth.json"};
  for (int f = 0; f < 6; f++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[f]);
    unlink(path);
  }
  rmdir(dir);
}

static void params_files_and_errors(void **state) {
  (void)state;
  char path[] = "/tmp/ls-sim-conf-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# a harder world\ndifficulty = hard\ncustomers_max = 90 # fewer\nadverts_min=2\n", f);
  fclose(f);
  ls_sim_params p;
  ls_sim_params_default(&p);
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_sim_params_load(&p, path, &err), LS_OK);
  assert_string_equal(p.difficulty, "hard");
  assert_int_equal(p.customers_max, 90);
  assert_int_equal(p.adverts_min, 2);
  assert_int_equal(p.scale, 20000); /* presets keep the size */
  /* JSON form */
  f = fopen(path, "w");
  fputs("{\"difficulty\": \"standard\", \"scale\": 5000, \"trip_rate\": 0.02}\n", f);
  fclose(f);
  assert_int_equal(ls_sim_params_load(&p, path, &err), LS_OK);
  assert_int_equal(p.scale, 5000);
  assert_true(p.trip_rate > 0.019 && p.trip_rate < 0.021);
  assert_int_equal(p.customers_max, 200);
  /* errors name the line */
  f = fopen(path, "w");
  fputs("seed = 3\n\nno_such_key = 1\n", f);
  fclose(f);
  assert_int_equal(ls_sim_params_load(&p, path, &err), LS_ERR_INPUT);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.message, "no_such_key"));
  f = fopen(path, "w");
  fputs("closure_share = 2\n", f);
  fclose(f);
  assert_int_equal(ls_sim_params_load(&p, path, &err), LS_ERR_INPUT);
  unlink(path);
  assert_int_equal(ls_sim_params_set(&p, "days", "ten", &err), LS_ERR_USAGE);
  assert_int_equal(ls_sim_params_preset(&p, "easy", &err), LS_ERR_USAGE);
  ls_sim_params_default(&p);
  p.customers_min = 500;
  p.customers_max = 100;
  assert_int_equal(ls_sim_params_check(&p, &err), LS_ERR_USAGE);
}

static ls_status count_sink(void *ctx, const ls_sim_world *w, const ls_sim_event *ev, size_t n,
                            ls_error *err) {
  (void)w;
  (void)ev;
  (void)err;
  *(size_t *)ctx += n;
  return LS_OK;
}

/* Out of memory anywhere while building or running a world is an error
 * return, never a crash or a leak (the sanitizer build checks the leaks). */
static void allocation_failures_are_errors(void **state) {
  (void)state;
  ls_sim_params p;
  ls_sim_params_default(&p);
  p.scale = 400;
  p.days = 2;
  int failed = 0, succeeded = 0;
  for (unsigned long n = 1; n < 700; n += 3) {
    ls_error err;
    ls_error_clear(&err);
    ls_sim_world *w = NULL;
    size_t events = 0;
    ls__mem_fail_after(n);
    ls_status rc = ls_sim_world_create(&p, &w, &err);
    if (!rc)
      rc = ls_sim_world_run(w, count_sink, &events, &err);
    ls__mem_fail_after(0);
    ls_sim_world_free(w);
    if (rc) {
      assert_int_equal(rc, LS_ERR_NOMEM);
      failed++;
    } else {
      succeeded++;
    }
  }
  assert_true(failed > 10);
  assert_true(succeeded > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(contact_degree_is_heavy_tailed),
      cmocka_unit_test(every_truth_number_appears_in_events),
      cmocka_unit_test(every_decoy_kind_is_present),
      cmocka_unit_test(lines_respect_configured_ranges),
      cmocka_unit_test(swaps_carry_customers_over),
      cmocka_unit_test(naive_inbound_baseline_fails),
      cmocka_unit_test(runners_known_and_homes_tied),
      cmocka_unit_test(same_seed_same_bytes),
      cmocka_unit_test(file_rows_match_the_sink),
      cmocka_unit_test(params_files_and_errors),
      cmocka_unit_test(allocation_failures_are_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
