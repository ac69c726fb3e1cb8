/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deal lines: a brand run from an origin city by a holder, worked in a
 * destination town by 1-3 runners who come by rail and sleep at a cuckooed
 * address, selling to a list of repeat customers, advertising by bulk text,
 * rotating numbers and handsets, starting, growing and being closed.
 * Every figure is a parameter (sim_params.c, docs/simulator.md). */
#include <limits.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "sim_internal.h"

static const char *const brands[] = {
    "Tony",  "Dizzy", "Kay",   "Jay",    "Blade",  "Rambo", "Mickey", "Dee",   "Ghost",
    "Snoop", "Sparks", "Bando", "Smokey", "Taz",   "Zeus",  "Kilo",   "Nitro", "Flash",
    "Prince", "Gucci", "Milly", "Benz",  "Zac",   "Ricky", "Fizz",   "Ace",   "Tiger",
    "Lucky", "Deano", "Rico",  "Sonny",  "Manny", "Reds",  "Bugsy",  "Chase", "Dolla",
    "Eazy",  "Frosty", "Gunna", "Hench", "Itchy", "Jigga", "Krispy", "Loco",  "Marley",
};
#define N_BRANDS (sizeof brands / sizeof brands[0])

static uint16_t pick_place(const ls_sim_world *w, sim_rng *r, uint8_t kind) {
  double total = 0;
  for (uint32_t i = 0; i < w->n_places; i++)
    if (w->places[i].kind == kind)
      total += w->places[i].line_weight;
  double u = ls__sim_rng_unit(r) * total;
  uint16_t last = 0;
  for (uint32_t i = 0; i < w->n_places; i++) {
    if (w->places[i].kind != kind)
      continue;
    last = (uint16_t)i;
    u -= w->places[i].line_weight;
    if (u < 0)
      break;
  }
  return last;
}

/* A person of the place not yet given a part in any line and not heading
 * a household (so an age change does not leave a child householder). */
static uint32_t pick_free(ls_sim_world *w, sim_rng *r, uint16_t place, uint8_t *taken, int adult,
                          int household_head_ok) {
  const sim_place *pl = &w->places[place];
  for (int tries = 0; tries < 10000; tries++) {
    uint32_t i = pl->first_person + ls__sim_rng_below(r, pl->n_people);
    const sim_person *pe = &w->people[i];
    if (taken[i] || (adult && pe->age < 18))
      continue;
    if (!household_head_ok && w->addrs[pe->address].occupant == i)
      continue;
    if (pe->change_day >= 0)
      continue;
    taken[i] = 1;
    return i;
  }
  return SIM_NONE;
}

static void set_age(ls_sim_world *w, sim_rng *r, uint32_t person, uint8_t age) {
  sim_person *pe = &w->people[person];
  pe->age = age;
  pe->dob_day = (int32_t)(w->p.start / 86400) - age * 365 - age / 4 -
                (int32_t)ls__sim_rng_below(r, 365);
}

static ls_status line_add_number(ls_sim_world *w, sim_line *l, sim_rng *r, int keep_imei,
                                 uint32_t *out) {
  uint32_t imei = SIM_NONE;
  ls_status rc = LS_OK;
  if (keep_imei && l->n_nums)
    imei = w->nums[l->nums[l->n_nums - 1]].imei;
  else
    rc = ls__sim_new_imei(w, r, &imei);
  if (rc)
    return rc;
  if (l->n_nums == l->cap_nums) {
    uint32_t nc = l->cap_nums ? l->cap_nums * 2 : 4;
    uint32_t *q = ls_reallocarray(l->nums, nc, sizeof *q);
    if (!q)
      return LS_ERR_NOMEM;
    l->nums = q;
    l->cap_nums = nc;
  }
  rc = ls__sim_new_number(w, r, SIM_NUM_DEAL, SIM_NONE, imei, out);
  if (rc)
    return rc;
  l->nums[l->n_nums++] = *out;
  return LS_OK;
}

ls_status ls__sim_build_lines(ls_sim_world *w, ls_error *err) {
  const ls_sim_params *p = &w->p;
  sim_rng r;
  ls__sim_rng_seed(&r, p->seed, 4, 0);
  uint8_t *taken = ls_calloc(w->n_people, 1);
  uint32_t brand_order[N_BRANDS];
  uint32_t n = (uint32_t)(p->lines_per_10k * p->scale / 10000.0 + 0.5);
  if (n < p->lines_min)
    n = p->lines_min;
  w->lines = ls_calloc(n ? n : 1, sizeof *w->lines);
  if (!taken || !w->lines)
    goto nomem;
  for (uint32_t i = 0; i < N_BRANDS; i++)
    brand_order[i] = i;
  ls__sim_rng_shuffle(&r, brand_order, N_BRANDS);
  /* decoy organisers keep their own role */
  for (uint32_t i = 0; i < w->n_biz; i++)
    if (w->biz[i].person != SIM_NONE)
      taken[w->biz[i].person] = 1;
  uint32_t cust_cap = 0;
  for (uint32_t li = 0; li < n; li++) {
    sim_line *l = &w->lines[li];
    uint32_t round = li / N_BRANDS;
    if (round)
      snprintf(l->brand, sizeof l->brand, "%s%u", brands[brand_order[li % N_BRANDS]], round + 1);
    else
      snprintf(l->brand, sizeof l->brand, "%s", brands[brand_order[li % N_BRANDS]]);
    l->origin = pick_place(w, &r, SIM_ORIGIN);
    l->dest = pick_place(w, &r, SIM_DEST);
    /* the holder: an adult in the origin, often in their twenties */
    l->holder = pick_free(w, &r, l->origin, taken, 1, 1);
    if (l->holder == SIM_NONE)
      goto small;
    if (w->people[l->holder].age > 40)
      set_age(w, &r, l->holder, (uint8_t)ls__sim_rng_range(&r, 19, 35));
    l->n_runners = (uint8_t)ls__sim_rng_range(&r, p->runners_min, p->runners_max);
    for (uint8_t k = 0; k < l->n_runners; k++) {
      uint32_t rn = pick_free(w, &r, l->origin, taken, 0, 0);
      if (rn == SIM_NONE)
        goto small;
      sim_person *pe = &w->people[rn];
      l->runners[k] = rn;
      pe->runner = 1;
      pe->male = (uint8_t)ls__sim_rng_chance(&r, 0.85);
      if (ls__sim_rng_chance(&r, p->juvenile_runner_share)) {
        /* DOMAIN: mostly 15-17, youngest reported 11 */
        static const uint8_t ages[] = {13, 14, 14, 15, 15, 15, 16, 16, 16, 16, 17, 17, 17};
        set_age(w, &r, rn, ages[ls__sim_rng_below(&r, sizeof ages)]);
        pe->flags &= (uint16_t)~(SIM_F_VULNERABLE | SIM_F_DRUGS | SIM_F_MENTAL);
        if (ls__sim_rng_chance(&r, p->missing_episode_share))
          pe->flags |= SIM_F_MISSING;
        if (ls__sim_rng_chance(&r, 0.25))
          pe->flags |= SIM_F_LOOKED_AFTER;
        if (ls__sim_rng_chance(&r, 0.35))
          pe->flags |= SIM_F_EXCLUDED;
        pe->day_cell = ls__sim_random_cell(w, l->origin, ls__sim_rng_next(&r));
      } else {
        set_age(w, &r, rn, (uint8_t)ls__sim_rng_range(&r, 18, 24));
        pe->flags &= (uint16_t)~(SIM_F_LOOKED_AFTER | SIM_F_EXCLUDED | SIM_F_MISSING);
      }
      /* Police hold most runners' own numbers from intelligence: stops at
       * stations, arrests, referrals (runner_known_share); a child reported
       * missing from home or care is reported with their mobile number
       * (the Philomena Protocol form), so nearly always (0.95). */
      int known = ls__sim_rng_chance(&r, p->runner_known_share);
      if (pe->age < 18 && (pe->flags & (SIM_F_MISSING | SIM_F_LOOKED_AFTER)) && ls__sim_rng_chance(&r, 0.95))
        known = 1;
      if (known)
        w->nums[pe->sim].attributed = SIM_ATT_INTEL;
    }
    /* cuckooed addresses: homes of vulnerable adults in the destination */
    l->n_cuckoo = ls__sim_rng_chance(&r, 0.3) ? 2 : 1;
    for (uint8_t k = 0; k < l->n_cuckoo; k++) {
      uint32_t occ = pick_free(w, &r, l->dest, taken, 1, 1);
      if (occ == SIM_NONE)
        goto small;
      sim_person *pe = &w->people[occ];
      sim_address *ad = &w->addrs[pe->address];
      if (ad->occupant != occ || ad->cuckooed) {
        k--; /* want a householder; the taken mark keeps the loop finite */
        continue;
      }
      pe->flags |= SIM_F_VULNERABLE;
      if (ls__sim_rng_chance(&r, 0.6))
        pe->flags |= SIM_F_DRUGS;
      if (ls__sim_rng_chance(&r, 0.3))
        pe->flags |= SIM_F_MENTAL;
      if (pe->age < 30)
        set_age(w, &r, occ, (uint8_t)ls__sim_rng_range(&r, 30, 75));
      ad->cuckooed = 1;
      if (ls__sim_rng_chance(&r, 0.5))
        ad->flags = pe->flags & (SIM_F_VULNERABLE | SIM_F_DRUGS | SIM_F_MENTAL);
      l->cuckoo_addr[k] = pe->address;
    }
    /* lifetime within the window */
    l->start_day = 0;
    if (p->days >= 8 && ls__sim_rng_chance(&r, p->late_start_share))
      l->start_day = (int32_t)ls__sim_rng_range(&r, 1, (uint32_t)(p->days * 6 / 10));
    l->end_day = INT32_MAX;
    if (ls__sim_rng_chance(&r, p->closure_share) && (int32_t)p->days - 1 > l->start_day + 3) {
      l->end_day = (int32_t)ls__sim_rng_range(&r, (uint32_t)l->start_day + 3, p->days - 1);
      l->end_sec = ls__sim_rng_range(&r, 5 * 3600, 20 * 3600); /* warrants are early, arrests any time */
      l->closed = 1;
    }
    int32_t last = l->closed ? l->end_day : (int32_t)p->days - 1;
    /* customers */
    uint32_t want = ls__sim_rng_range(&r, p->customers_min, p->customers_max);
    l->first_cust = w->n_cust;
    for (uint32_t c = 0; c < want; c++) {
      uint32_t who = SIM_NONE;
      if (ls__sim_rng_chance(&r, p->multi_line_share)) {
        /* a customer of an earlier line in the same town */
        uint32_t pool = 0;
        for (uint32_t o = 0; o < li; o++)
          if (w->lines[o].dest == l->dest)
            pool += w->lines[o].n_cust;
        if (pool) {
          uint32_t pick = ls__sim_rng_below(&r, pool);
          for (uint32_t o = 0; o < li; o++) {
            if (w->lines[o].dest != l->dest)
              continue;
            if (pick < w->lines[o].n_cust) {
              who = w->cust[w->lines[o].first_cust + pick].person;
              break;
            }
            pick -= w->lines[o].n_cust;
          }
        }
      }
      if (who == SIM_NONE || taken[who] == 2) {
        const sim_place *pl = &w->places[l->dest];
        for (int tries = 0; tries < 1000; tries++) {
          uint32_t i = pl->first_person + ls__sim_rng_below(&r, pl->n_people);
          if (w->people[i].age >= 18 && !w->people[i].runner && taken[i] != 2) {
            who = i;
            break;
          }
        }
      }
      if (who == SIM_NONE)
        continue;
      int dup = 0;
      for (uint32_t c2 = l->first_cust; c2 < w->n_cust && !dup; c2++)
        dup = w->cust[c2].person == who;
      if (dup || who == l->holder)
        continue;
      if (w->n_cust == cust_cap) {
        cust_cap = cust_cap ? cust_cap * 2 : 1024;
        sim_rel *q = ls_reallocarray(w->cust, cust_cap, sizeof *q);
        if (!q)
          goto nomem;
        w->cust = q;
      }
      sim_rel *cr = &w->cust[w->n_cust++];
      memset(cr, 0, sizeof *cr);
      cr->person = who;
      cr->target = li;
      /* a few daily users, most buying every few days */
      double rate = ls__sim_rng_lognormal(&r, p->purchase_rate_median, 0.8);
      cr->rate = (float)(rate > 3 ? 3 : rate);
      cr->prefers_sms = (uint8_t)ls__sim_rng_chance(&r, 0.4);
      cr->join_day = l->start_day;
      if (ls__sim_rng_chance(&r, p->new_customer_share))
        cr->join_day = (int32_t)ls__sim_rng_range(&r, (uint32_t)l->start_day, (uint32_t)last);
      cr->leave_day = INT32_MAX;
      sim_person *pe = &w->people[who];
      if (ls__sim_rng_chance(&r, 0.7))
        pe->flags |= SIM_F_DRUGS;
      if (ls__sim_rng_chance(&r, 0.2))
        pe->flags |= SIM_F_MENTAL;
    }
    /* the cuckooed occupant often buys from the line too (DOMAIN: the
     * occupant typically has a drug dependency; dealers take over their
     * customers' homes): a dependent user, buying about daily */
    for (uint8_t k = 0; k < l->n_cuckoo; k++) {
      uint32_t occ = w->addrs[l->cuckoo_addr[k]].occupant;
      if (!ls__sim_rng_chance(&r, p->occupant_customer_share))
        continue;
      int dup = 0;
      for (uint32_t c2 = l->first_cust; c2 < w->n_cust && !dup; c2++)
        dup = w->cust[c2].person == occ;
      if (dup)
        continue;
      if (w->n_cust == cust_cap) {
        cust_cap = cust_cap ? cust_cap * 2 : 1024;
        sim_rel *q = ls_reallocarray(w->cust, cust_cap, sizeof *q);
        if (!q)
          goto nomem;
        w->cust = q;
      }
      sim_rel *cr = &w->cust[w->n_cust++];
      memset(cr, 0, sizeof *cr);
      cr->person = occ;
      cr->target = li;
      double rate = ls__sim_rng_lognormal(&r, 1.0, 0.5);
      cr->rate = (float)(rate > 3 ? 3 : rate);
      cr->prefers_sms = (uint8_t)ls__sim_rng_chance(&r, 0.4);
      cr->join_day = l->start_day;
      cr->leave_day = INT32_MAX;
      w->people[occ].flags |= SIM_F_DRUGS;
    }
    l->n_cust = w->n_cust - l->first_cust;
    l->adverts_lo = ls__sim_rng_range(&r, p->adverts_min, p->adverts_max);
    l->adverts_hi = ls__sim_rng_range(&r, l->adverts_lo, p->adverts_max);
    uint32_t first;
    if (line_add_number(w, l, &r, 0, &first))
      goto nomem;
    l->cur_num = l->prev_num = first;
    l->swap_day = -1;
    l->next_swap_day = l->start_day + (int32_t)ls__sim_rng_range(&r, p->rotation_min_days,
                                                                  p->rotation_max_days);
    if (l->start_day == 0) /* a line already running: part-way through its number */
      l->next_swap_day = (int32_t)ls__sim_rng_range(&r, 1, p->rotation_max_days);
    l->holding = l->holding_after = 0;
    l->stint_left = (int32_t)ls__sim_rng_range(&r, p->stint_min_days, p->stint_max_days);
    w->n_lines++;
  }
  for (uint32_t i = 0; i < w->n_cust; i++)
    taken[w->cust[i].person] = 2;
  /* Flags are final now (lines added some): people with a flag on record
   * have their number known at flagged_attributed_share rather than
   * attributed_share. Everyone flagged, involved or not, on a stream of
   * its own. */
  {
    sim_rng fr;
    ls__sim_rng_seed(&fr, p->seed, 6, 0);
    double q = p->attributed_share < 1 && p->flagged_attributed_share > p->attributed_share
                   ? (p->flagged_attributed_share - p->attributed_share) / (1 - p->attributed_share)
                   : 0;
    for (uint32_t i = 0; i < w->n_people; i++) {
      const sim_person *pe = &w->people[i];
      double u = ls__sim_rng_unit(&fr);
      if (pe->flags && w->nums[pe->sim].attributed == SIM_ATT_NONE && u < q)
        w->nums[pe->sim].attributed = SIM_ATT_RECORD;
    }
  }
  w->cust_seen = ls_calloc(w->n_cust ? w->n_cust : 1, 1);
  if (!w->cust_seen)
    goto nomem;
  ls_free(taken);
  return LS_OK;
small:
  ls_free(taken);
  return LS_FAIL(err, LS_ERR_USAGE, "the world is too small for %u lines: raise scale", n);
nomem:
  ls_free(taken);
  return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building deal lines");
}

/* ------------------------------------------------------------- the day */
typedef struct line_day {
  sim_line *l;
  uint32_t idx;
  int32_t day;
  uint32_t phone_away_from, phone_away_to; /* phone out of the destination */
  uint32_t live_from, live_to;             /* seconds a number answers today */
} line_day;

/* The number that answers at sec, or SIM_NONE (not yet live, between a
 * swap and the new number's announcement, or closed). */
static uint32_t live_number(const line_day *ld, uint32_t sec) {
  const sim_line *l = ld->l;
  if (sec < ld->live_from || sec >= ld->live_to)
    return SIM_NONE;
  if (l->swap_day == ld->day) {
    if (sec < l->swap_sec)
      return l->prev_num;
    if (sec < l->announce_sec)
      return SIM_NONE;
  }
  return l->cur_num;
}

static uint32_t holder_of_phone(const sim_line *l, uint32_t sec) {
  return l->runners[sec >= l->handover_sec ? l->holding_after : l->holding];
}

static uint32_t deal_cell(const ls_sim_world *w, const sim_line *l, uint32_t sec) {
  return ls__sim_where(w, holder_of_phone(l, sec), sec);
}

/* Departure second (UTC) for a journey: children in school hours on
 * weekdays (a #LookCloser sign), others through the day; early enough to
 * arrive the same day. */
static uint32_t departure(const ls_sim_world *w, sim_rng *r, uint32_t person, uint32_t travel) {
  const sim_person *pe = &w->people[person];
  uint32_t lo = 10 * 3600, hi = 19 * 3600;
  if (pe->age < 18 && w->weekday < 5) {
    lo = 9 * 3600 + 1800;
    hi = 13 * 3600 + 1800;
  }
  uint32_t off = (uint32_t)w->utc_offset_h * 3600;
  uint32_t dep = ls__sim_rng_range(r, lo, hi) - off;
  if (dep + travel > SIM_DAY_S - 3600)
    dep = SIM_DAY_S - 3600 > travel ? SIM_DAY_S - 3600 - travel : 0;
  return dep;
}

static void set_home(sim_person *pe) {
  pe->state = SIM_ST_HOME;
  pe->quiet = 0;
}

static void set_away(const ls_sim_world *w, sim_person *pe, const sim_line *l, uint32_t seed_k) {
  pe->state = SIM_ST_AWAY;
  pe->to_place = l->dest;
  pe->to_stay = w->addrs[l->cuckoo_addr[(w->day / 4 + (int32_t)seed_k) % l->n_cuckoo]].cell;
}

static void set_travel(const ls_sim_world *w, sim_person *pe, const sim_line *l, int inbound,
                       uint32_t dep) {
  uint32_t cuckoo = w->addrs[l->cuckoo_addr[(w->day / 4) % l->n_cuckoo]].cell;
  pe->state = SIM_ST_TRAVEL;
  pe->dep_sec = dep;
  pe->quiet = 0;
  if (inbound) {
    pe->from_place = pe->place;
    pe->from_stay = pe->home_cell;
    pe->to_place = l->dest;
    pe->to_stay = cuckoo;
  } else {
    pe->from_place = l->dest;
    pe->from_stay = cuckoo;
    pe->to_place = pe->place;
    pe->to_stay = pe->home_cell;
  }
}

static void call_pair(ls_sim_world *w, sim_rng *r, uint32_t sec, uint32_t a_num, uint32_t a_cell,
                      uint32_t b_num, uint32_t b_cell, double median) {
  if (a_num == SIM_NONE || b_num == SIM_NONE)
    return;
  ls__sim_emit(w, sec, LS_EV_CALL, a_num, b_num, ls__sim_call_secs(r, median, 0.8, 5, 1800), a_cell,
               b_cell);
}

/* Sets the runners' whereabouts for the day and the hours the phone is out
 * of town; returns the arrival second of a runner coming in (or 0). */
static void rota(ls_sim_world *w, line_day *ld, sim_rng *r) {
  sim_line *l = ld->l;
  const ls_sim_params *p = &w->p;
  int32_t d = ld->day;
  l->handover_sec = UINT32_MAX;
  l->holding_after = l->holding;
  ld->phone_away_from = ld->phone_away_to = 0;
  for (uint8_t k = 0; k < l->n_runners; k++)
    set_home(&w->people[l->runners[k]]);
  if (d < l->start_day || d > (l->closed ? l->end_day : INT32_MAX))
    return;
  sim_person *hold = &w->people[l->runners[l->holding]];
  uint32_t travel = ls__sim_path_secs(w, l->origin, l->dest);
  if (d == l->start_day && d > 0) {
    /* the line opens: the first runner comes down with the phone */
    uint32_t dep = departure(w, r, l->runners[0], travel);
    set_travel(w, hold, l, 1, dep);
    ld->live_from = dep + travel + ls__sim_rng_range(r, 600, 3600);
    ld->phone_away_from = 0;
    ld->phone_away_to = dep + travel;
    return;
  }
  if (l->break_day == 1) { /* single runner back after a night at home */
    uint32_t dep = departure(w, r, l->runners[0], travel);
    set_travel(w, hold, l, 1, dep);
    ld->phone_away_from = 0;
    ld->phone_away_to = dep + travel;
    l->break_day = 0;
    return;
  }
  set_away(w, hold, l, 0);
  /* some runners keep their own phone off while working (param) */
  hold->quiet = (uint8_t)((ls__sim_mix3(l->runners[l->holding], (uint64_t)d / 3, 77) & 1023) >=
                          (uint64_t)(p->runner_phone_on_share * 1024));
  if (--l->stint_left > 0 || (l->closed && d == l->end_day))
    return;
  l->stint_left = (int32_t)ls__sim_rng_range(r, p->stint_min_days, p->stint_max_days);
  if (l->n_runners == 1) {
    /* one runner: goes home for a night, taking the phone */
    uint32_t dep = departure(w, r, l->runners[0], travel);
    set_travel(w, hold, l, 0, dep);
    ld->phone_away_from = dep;
    ld->phone_away_to = SIM_DAY_S;
    l->break_day = 1;
    return;
  }
  /* handover: the next runner comes down; the phone changes hands on
   * arrival; the outgoing runner leaves an hour later */
  uint8_t next = (uint8_t)((l->holding + 1) % l->n_runners);
  sim_person *in = &w->people[l->runners[next]];
  uint32_t dep = departure(w, r, l->runners[next], travel);
  if (dep + 2 * travel + 7200 > SIM_DAY_S)
    dep = SIM_DAY_S > 2 * travel + 7200 ? SIM_DAY_S - 2 * travel - 7200 : 0;
  set_travel(w, in, l, 1, dep);
  l->handover_sec = dep + travel;
  l->holding_after = next;
  set_travel(w, hold, l, 0, dep + travel + 3600);
}

static void burst(ls_sim_world *w, line_day *ld, uint32_t sec, uint32_t num) {
  sim_line *l = ld->l;
  uint32_t cell = deal_cell(w, l, sec);
  uint32_t j = 0;
  for (uint32_t c = l->first_cust; c < l->first_cust + l->n_cust; c++) {
    const sim_rel *cr = &w->cust[c];
    if (cr->join_day > ld->day || cr->leave_day <= ld->day)
      continue;
    /* DOMAIN: ~500 texts in seconds: about 40 a second */
    uint32_t s = sec + j++ / 40;
    uint32_t cn = ls__sim_person_number(w, cr->person, s);
    ls__sim_emit(w, s, LS_EV_SMS, num, cn, 0, cell, ls__sim_where(w, cr->person, s));
    w->cust_seen[c] = 1;
  }
}

ls_status ls__sim_lines_day(ls_sim_world *w) {
  const ls_sim_params *p = &w->p;
  for (uint32_t li = 0; li < w->n_lines; li++) {
    sim_line *l = &w->lines[li];
    sim_rng r;
    ls__sim_rng_seed(&r, p->seed, 200 + li, (uint64_t)w->day);
    line_day ld = {.l = l, .idx = li, .day = w->day, .live_from = 0, .live_to = SIM_DAY_S};
    int32_t d = w->day;
    rota(w, &ld, &r);
    if (d < l->start_day || (l->closed && d > l->end_day))
      continue;
    for (uint8_t k = 0; k < l->n_runners; k++)
      if (w->people[l->runners[k]].state != SIM_ST_HOME)
        l->worked |= (uint8_t)(1u << k);
    if (l->closed && d == l->end_day)
      ld.live_to = l->end_sec;
    /* number swaps: planned every rotation_min..max days, forced after a
     * seizure; the new number is announced to the whole customer list */
    int forced = ls__sim_rng_chance(&r, p->forced_swap_rate);
    if (d > l->start_day && (d >= l->next_swap_day || forced) &&
        !(l->closed && d == l->end_day)) {
      int planned = d >= l->next_swap_day;
      double keep = planned ? p->same_imei_share : p->same_imei_share * 0.5;
      uint32_t num;
      if (line_add_number(w, l, &r, ls__sim_rng_chance(&r, keep), &num))
        return LS_ERR_NOMEM;
      uint32_t off = (uint32_t)w->utc_offset_h * 3600;
      l->prev_num = l->cur_num;
      l->cur_num = num;
      l->swap_day = d;
      l->swap_sec = planned ? ls__sim_rng_range(&r, 7 * 3600, 11 * 3600) - off
                            : ls__sim_rng_range(&r, 3600, 19 * 3600);
      /* DOMAIN: live again within an hour to a few hours */
      l->announce_sec = l->swap_sec + (planned ? ls__sim_rng_range(&r, 60, 1200)
                                               : ls__sim_rng_range(&r, 1800, 4 * 3600));
      l->next_swap_day = d + (int32_t)ls__sim_rng_range(&r, p->rotation_min_days,
                                                         p->rotation_max_days);
      l->n_swaps++;
      l->n_forced += !planned;
      l->n_same_imei += w->nums[num].imei == w->nums[l->prev_num].imei;
      if (l->announce_sec < ld.live_to) {
        burst(w, &ld, l->announce_sec, num);
        uint32_t hs = l->announce_sec + ls__sim_rng_range(&r, 30, 900);
        call_pair(w, &r, hs, w->people[l->holder].sim, ls__sim_where(w, l->holder, hs), num,
                  deal_cell(w, l, hs), 60);
      }
    }
    if (d == l->start_day && d > 0) {
      burst(w, &ld, ld.live_from, l->cur_num);
      uint32_t hs = ld.live_from + 120;
      call_pair(w, &r, hs, w->people[l->holder].sim, ls__sim_where(w, l->holder, hs), l->cur_num,
                deal_cell(w, l, hs), 90);
    }
    /* adverts: several bulk texts a day to the list */
    uint32_t n_ads = ls__sim_rng_range(&r, l->adverts_lo, l->adverts_hi);
    for (uint32_t a = 0; a < n_ads; a++) {
      uint32_t sec = ls__sim_profile_sec(&w->pr_advert, &r);
      uint32_t num = live_number(&ld, sec);
      if (num != SIM_NONE)
        burst(w, &ld, sec, num);
    }
    /* purchases */
    double f = w->weekday >= 4 ? 1.15 : 1.0; /* busier Friday to Sunday */
    for (uint32_t c = l->first_cust; c < l->first_cust + l->n_cust; c++) {
      const sim_rel *cr = &w->cust[c];
      if (cr->join_day > d || cr->leave_day <= d)
        continue;
      uint32_t k = ls__sim_rng_poisson(&r, cr->rate * f);
      for (uint32_t j = 0; j < k; j++) {
        uint32_t sec = ls__sim_profile_sec(&w->pr_deal, &r);
        uint32_t cn = ls__sim_person_number(w, cr->person, sec);
        uint32_t cc = ls__sim_where(w, cr->person, sec);
        uint32_t num = live_number(&ld, sec);
        int away = sec >= ld.phone_away_from && sec < ld.phone_away_to;
        if (num == SIM_NONE || away) {
          /* nobody answers: a text to the number they know */
          uint32_t known = l->swap_day == d && sec >= l->swap_sec ? l->prev_num : l->cur_num;
          if (sec < ld.live_to)
            ls__sim_emit(w, sec, LS_EV_SMS, cn, known, 0, cc, SIM_NONE);
          w->cust_seen[c] = 1;
          continue;
        }
        uint32_t dc = deal_cell(w, l, sec);
        w->cust_seen[c] = 1;
        if (cr->prefers_sms) {
          ls__sim_emit(w, sec, LS_EV_SMS, cn, num, 0, cc, dc);
          uint32_t s2 = sec + ls__sim_rng_range(&r, 20, 300);
          if (live_number(&ld, s2) == num)
            ls__sim_emit(w, s2, LS_EV_SMS, num, cn, 0, deal_cell(w, l, s2),
                         ls__sim_where(w, cr->person, s2));
        } else {
          ls__sim_emit(w, sec, LS_EV_CALL, cn, num, ls__sim_call_secs(&r, 30, 0.5, 6, 180), cc, dc);
        }
        if (ls__sim_rng_chance(&r, 0.5)) { /* "outside" when the runner arrives */
          uint32_t s3 = sec + ls__sim_rng_range(&r, 600, 2700);
          if (live_number(&ld, s3) == num) {
            int sms = ls__sim_rng_chance(&r, 0.5);
            ls__sim_emit(w, s3, sms ? LS_EV_SMS : LS_EV_CALL, num, ls__sim_person_number(w, cr->person, s3),
                         sms ? 0 : ls__sim_call_secs(&r, 15, 0.5, 4, 90), deal_cell(w, l, s3),
                         ls__sim_where(w, cr->person, s3));
          }
        }
      }
    }
    /* the runners sleep at a cuckooed home: it is counted for the truth,
     * and a runner coming back in the evening texts or rings the occupant
     * to be let in (own phone when on, else the deal phone) */
    {
      uint8_t ck = (uint8_t)((d / 4) % l->n_cuckoo);
      const sim_address *ad = &w->addrs[l->cuckoo_addr[ck]];
      uint32_t occ = ad->occupant, stayer = SIM_NONE;
      for (uint8_t k = 0; k < l->n_runners && stayer == SIM_NONE; k++) {
        const sim_person *rp = &w->people[l->runners[k]];
        if (rp->state == SIM_ST_AWAY || (rp->state == SIM_ST_TRAVEL && rp->to_place == l->dest))
          stayer = l->runners[k];
      }
      if (stayer != SIM_NONE && l->cuckoo_nights[ck] < UINT16_MAX)
        l->cuckoo_nights[ck]++;
      if (stayer != SIM_NONE && ls__sim_rng_chance(&r, 0.7)) {
        const sim_person *rp = &w->people[stayer];
        uint32_t off = (uint32_t)w->utc_offset_h * 3600;
        uint32_t sec = ls__sim_rng_range(&r, 19 * 3600, 23 * 3600 + 1800) - off;
        if (rp->state == SIM_ST_TRAVEL) {
          uint32_t in = rp->dep_sec + ls__sim_path_secs(w, rp->from_place, rp->to_place) + 600;
          sec = sec > in ? sec : in;
        }
        uint32_t rn = rp->quiet ? live_number(&ld, sec) : ls__sim_person_number(w, stayer, sec);
        uint32_t on = ls__sim_person_number(w, occ, sec);
        if (rn != SIM_NONE && sec < SIM_DAY_S) {
          if (ls__sim_rng_chance(&r, 0.6)) {
            ls__sim_emit(w, sec, LS_EV_SMS, rn, on, 0, ad->cell, ls__sim_where(w, occ, sec));
            uint32_t s2 = sec + ls__sim_rng_range(&r, 20, 600);
            if (ls__sim_rng_chance(&r, 0.5) && s2 < SIM_DAY_S)
              ls__sim_emit(w, s2, LS_EV_SMS, on, rn, 0, ls__sim_where(w, occ, s2), ad->cell);
          } else {
            call_pair(w, &r, sec, rn, ad->cell, on, ls__sim_where(w, occ, sec), 25);
          }
        }
      }
    }
    /* the holder runs the line by phone: calls with the deal phone and the
     * runner's own phone */
    uint32_t hn = w->people[l->holder].sim;
    uint32_t hc = ls__sim_rng_poisson(&r, p->holder_calls);
    for (uint32_t k = 0; k < hc; k++) {
      uint32_t sec = ls__sim_profile_sec(&w->pr_social, &r);
      uint32_t num = live_number(&ld, sec);
      if (num == SIM_NONE)
        continue;
      uint32_t hcell = ls__sim_where(w, l->holder, sec), dc = deal_cell(w, l, sec);
      if (ls__sim_rng_chance(&r, 0.5))
        call_pair(w, &r, sec, hn, hcell, num, dc, 90);
      else
        call_pair(w, &r, sec, num, dc, hn, hcell, 90);
    }
    uint32_t rc = 1 + ls__sim_rng_poisson(&r, 1.0);
    for (uint32_t k = 0; k < rc; k++) {
      uint32_t sec = ls__sim_profile_sec(&w->pr_social, &r);
      uint32_t runner = holder_of_phone(l, sec);
      const sim_person *rp = &w->people[runner];
      uint32_t rn = rp->quiet ? live_number(&ld, sec) : ls__sim_person_number(w, runner, sec);
      call_pair(w, &r, sec, rn, ls__sim_where(w, runner, sec), hn, ls__sim_where(w, l->holder, sec),
                120);
    }
    /* runners on the move ring the holder when they set off and arrive */
    for (uint8_t k = 0; k < l->n_runners; k++) {
      uint32_t rr = l->runners[k];
      const sim_person *rp = &w->people[rr];
      if (rp->state != SIM_ST_TRAVEL)
        continue;
      uint32_t t1 = rp->dep_sec + 300, t2 = rp->dep_sec + ls__sim_path_secs(w, rp->from_place, rp->to_place) + 120;
      call_pair(w, &r, t1, ls__sim_person_number(w, rr, t1), ls__sim_where(w, rr, t1), hn,
                ls__sim_where(w, l->holder, t1), 40);
      call_pair(w, &r, t2, ls__sim_person_number(w, rr, t2), ls__sim_where(w, rr, t2), hn,
                ls__sim_where(w, l->holder, t2), 40);
    }
    l->holding = l->holding_after;
  }
  return w->ev_rc;
}
