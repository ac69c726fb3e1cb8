/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hard negatives: ordinary businesses and people whose calling patterns
 * look like a deal line on one feature or another (many short inbound calls
 * from many local numbers, bulk texts, group texts, a number swap with the
 * same friends). Named in truth.json under "decoys". */
#include <string.h>

#include "../core/ls_mem.h"
#include "sim_internal.h"

static uint16_t weighted_place(const ls_sim_world *w, sim_rng *r, int dest_only) {
  double total = 0;
  for (uint32_t i = 0; i < w->n_places; i++)
    if (!dest_only || w->places[i].kind == SIM_DEST)
      total += w->places[i].pop_weight;
  double u = ls__sim_rng_unit(r) * total;
  for (uint32_t i = 0; i < w->n_places; i++) {
    if (dest_only && w->places[i].kind != SIM_DEST)
      continue;
    u -= w->places[i].pop_weight;
    if (u < 0)
      return (uint16_t)i;
  }
  return (uint16_t)(w->n_places - 1);
}

static uint32_t count_for(const ls_sim_world *w, double per_10k, sim_rng *r) {
  double x = per_10k * w->p.scale / 10000.0;
  uint32_t n = (uint32_t)x;
  if (ls__sim_rng_unit(r) < x - n)
    n++;
  return n;
}

static uint32_t random_person_in(const ls_sim_world *w, sim_rng *r, uint16_t place) {
  const sim_place *pl = &w->places[place];
  if (!pl->n_people)
    return ls__sim_rng_below(r, w->n_people);
  return pl->first_person + ls__sim_rng_below(r, pl->n_people);
}

ls_status ls__sim_build_decoys(ls_sim_world *w, ls_error *err) {
  const ls_sim_params *p = &w->p;
  sim_rng r;
  ls__sim_rng_seed(&r, p->seed, 3, 0);
  uint32_t *stamp = NULL; /* person -> business index + 1 that listed them */
  uint32_t counts[SIM_D_KINDS] = {
      count_for(w, p->taxi_per_10k, &r),     count_for(w, p->takeaway_per_10k, &r),
      count_for(w, p->trade_per_10k, &r),    count_for(w, p->delivery_per_10k, &r),
      count_for(w, p->bulk_sms_per_10k, &r), count_for(w, p->community_per_10k, &r)};
  /* each kind present at least once, so every world has every hard negative */
  uint32_t total = 0;
  for (int k = 0; k < SIM_D_KINDS; k++) {
    if (!counts[k])
      counts[k] = 1;
    total += counts[k];
  }
  w->biz = ls_calloc(total, sizeof *w->biz);
  stamp = ls_calloc(w->n_people, sizeof *stamp);
  if (!w->biz || !stamp)
    goto nomem;
  for (int k = 0; k < SIM_D_KINDS; k++)
    for (uint32_t i = 0; i < counts[k]; i++) {
      sim_business *b = &w->biz[w->n_biz++];
      b->kind = (uint8_t)k;
      b->place = weighted_place(w, &r, k == SIM_D_BULK || k == SIM_D_COMMUNITY);
      b->cell = ls__sim_random_cell(w, b->place, ls__sim_rng_next(&r));
      b->person = SIM_NONE;
      if (k == SIM_D_COMMUNITY) {
        /* an ordinary adult who runs a group (a recovery or tenants' group) */
        uint32_t org;
        do
          org = random_person_in(w, &r, b->place);
        while (w->people[org].age < 25);
        b->person = org;
        b->number = w->people[org].sim;
        b->cell = w->people[org].home_cell;
      } else {
        uint32_t imei;
        if (ls__sim_new_imei(w, &r, &imei) ||
            ls__sim_new_number(w, &r, SIM_NUM_BUSINESS, SIM_NONE, imei, &b->number))
          goto nomem;
      }
      if (k == SIM_D_BULK || k == SIM_D_COMMUNITY) {
        uint32_t m = k == SIM_D_BULK ? ls__sim_rng_range(&r, 150, 600) : ls__sim_rng_range(&r, 20, 70);
        if (m > w->n_people / 4)
          m = w->n_people / 4;
        if (k == SIM_D_COMMUNITY && m > w->places[b->place].n_people / 2)
          m = w->places[b->place].n_people / 2;
        b->members = ls_reallocarray(NULL, m ? m : 1, sizeof *b->members);
        if (!b->members)
          goto nomem;
        for (uint32_t j = 0; j < m; j++) {
          uint32_t who;
          /* each member once: a list holds a number once */
          do
            who = k == SIM_D_COMMUNITY ? random_person_in(w, &r, b->place)
                                       : random_person_in(w, &r, weighted_place(w, &r, 1));
          while (stamp[who] == w->n_biz);
          stamp[who] = w->n_biz;
          if (k == SIM_D_COMMUNITY) {
            /* half the group are people in recovery or with support needs:
             * the same flags a deal line's customers carry */
            if (j % 2 == 0) {
              w->people[who].flags |= ls__sim_rng_chance(&r, 0.6) ? SIM_F_DRUGS : SIM_F_VULNERABLE;
              if (w->people[who].age < 18)
                w->people[who].age = 30;
            }
          }
          b->members[j] = who;
        }
        b->n_members = m;
        /* bulk senders: several campaigns a week; groups: most evenings */
        b->rate = k == SIM_D_BULK ? 0.3 + 0.5 * ls__sim_rng_unit(&r) : 0.4 + 0.4 * ls__sim_rng_unit(&r);
      }
    }
  /* taxi and takeaway users: each uses one firm in their own place */
  {
    uint32_t cap = 0;
    for (uint32_t pl = 0; pl < w->n_places; pl++) {
      uint32_t firms[2][256], nf[2] = {0, 0};
      for (uint32_t i = 0; i < w->n_biz; i++) {
        const sim_business *b = &w->biz[i];
        if (b->place != pl || (b->kind != SIM_D_TAXI && b->kind != SIM_D_TAKEAWAY))
          continue;
        int t = b->kind == SIM_D_TAXI ? 0 : 1;
        if (nf[t] < 256)
          firms[t][nf[t]++] = i;
      }
      const sim_place *place = &w->places[pl];
      for (uint32_t i = place->first_person; i < place->first_person + place->n_people; i++)
        for (int t = 0; t < 2; t++) {
          double share = t == 0 ? p->taxi_user_share : p->takeaway_user_share;
          if (!nf[t] || !ls__sim_rng_chance(&r, share))
            continue;
          if (w->n_users == cap) {
            cap = cap ? cap * 2 : 4096;
            sim_rel *q = ls_reallocarray(w->users, cap, sizeof *q);
            if (!q)
              goto nomem;
            w->users = q;
          }
          sim_rel *u = &w->users[w->n_users++];
          memset(u, 0, sizeof *u);
          u->person = i;
          u->target = firms[t][ls__sim_rng_below(&r, nf[t])];
          /* a ride or a takeaway every few weeks, a few people far more */
          u->rate = (float)ls__sim_rng_lognormal(&r, t == 0 ? 0.04 : 0.035, 1.0);
        }
    }
  }
  ls_free(stamp);
  return LS_OK;
nomem:
  ls_free(stamp);
  return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building decoys");
}

static uint32_t moving_cell(const ls_sim_world *w, const sim_business *b, uint32_t idx, uint32_t sec) {
  /* on the road: a different cell of the place every quarter hour */
  return ls__sim_random_cell(w, b->place, ls__sim_mix3(idx, (uint64_t)w->day, sec / 900));
}

void ls__sim_decoys_day(ls_sim_world *w) {
  sim_rng r;
  ls__sim_rng_seed(&r, w->p.seed, 102, (uint64_t)w->day);
  int wd = w->weekday;
  double taxi_f = wd == 4 || wd == 5 ? 1.6 : wd == 6 ? 1.1 : 0.9;
  double take_f = wd == 4 || wd == 5 ? 1.8 : wd == 6 ? 1.3 : 0.8;
  for (uint32_t i = 0; i < w->n_users; i++) {
    const sim_rel *u = &w->users[i];
    const sim_business *b = &w->biz[u->target];
    int taxi = b->kind == SIM_D_TAXI;
    uint32_t k = ls__sim_rng_poisson(&r, u->rate * (taxi ? taxi_f : take_f));
    for (uint32_t j = 0; j < k; j++) {
      uint32_t sec = ls__sim_profile_sec(taxi ? &w->pr_taxi : &w->pr_takeaway, &r);
      if (ls__sim_is_quiet(w, u->person))
        continue;
      uint32_t me = ls__sim_person_number(w, u->person, sec);
      uint32_t cell = ls__sim_where(w, u->person, sec);
      ls__sim_emit(w, sec, LS_EV_CALL, me, b->number,
                   ls__sim_call_secs(&r, taxi ? 35 : 90, 0.5, 8, 600), cell, b->cell);
      if (taxi && ls__sim_rng_chance(&r, 0.4)) { /* "your car is outside" */
        uint32_t s2 = sec + ls__sim_rng_range(&r, 300, 1200);
        ls__sim_emit(w, s2, LS_EV_SMS, b->number, me, 0, b->cell, ls__sim_where(w, u->person, s2));
      } else if (ls__sim_rng_chance(&r, 0.1)) { /* calling back about the order */
        uint32_t s2 = sec + ls__sim_rng_range(&r, 120, 900);
        ls__sim_emit(w, s2, LS_EV_CALL, b->number, me, ls__sim_call_secs(&r, 30, 0.5, 5, 300),
                     b->cell, ls__sim_where(w, u->person, s2));
      }
    }
  }
  for (uint32_t i = 0; i < w->n_biz; i++) {
    const sim_business *b = &w->biz[i];
    switch (b->kind) {
    case SIM_D_TRADE: {
      /* new enquiries from across town, calls back to quote */
      if (wd == 6)
        break;
      uint32_t in = ls__sim_rng_poisson(&r, wd == 5 ? 2 : 6), out = ls__sim_rng_poisson(&r, 4);
      for (uint32_t j = 0; j < in + out; j++) {
        uint32_t sec = ls__sim_profile_sec(&w->pr_work, &r);
        uint32_t o = random_person_in(w, &r, b->place);
        if (ls__sim_is_quiet(w, o))
          continue;
        uint32_t on = ls__sim_person_number(w, o, sec), oc = ls__sim_where(w, o, sec);
        int32_t dur = ls__sim_call_secs(&r, 120, 0.7, 10, 1800);
        if (j < in)
          ls__sim_emit(w, sec, LS_EV_CALL, on, b->number, dur, oc, moving_cell(w, b, i, sec));
        else
          ls__sim_emit(w, sec, LS_EV_CALL, b->number, on, dur, moving_cell(w, b, i, sec), oc);
      }
      break;
    }
    case SIM_D_DELIVERY: {
      /* many short outbound calls and texts while moving, six days a week */
      if (wd == 6)
        break;
      uint32_t n = ls__sim_rng_poisson(&r, 28);
      for (uint32_t j = 0; j < n; j++) {
        uint32_t sec = ls__sim_profile_sec(&w->pr_work, &r);
        uint32_t o = random_person_in(w, &r, b->place);
        if (ls__sim_is_quiet(w, o))
          continue;
        int sms = ls__sim_rng_chance(&r, 0.5);
        ls__sim_emit(w, sec, sms ? LS_EV_SMS : LS_EV_CALL, b->number,
                     ls__sim_person_number(w, o, sec), sms ? 0 : ls__sim_call_secs(&r, 25, 0.5, 3, 240),
                     moving_cell(w, b, i, sec), ls__sim_where(w, o, sec));
      }
      break;
    }
    case SIM_D_BULK:
    case SIM_D_COMMUNITY: {
      if (!ls__sim_rng_chance(&r, b->rate))
        break;
      int bulk = b->kind == SIM_D_BULK;
      uint32_t sec = ls__sim_profile_sec(bulk ? &w->pr_work : &w->pr_evening, &r);
      uint32_t from = bulk ? b->number : ls__sim_person_number(w, b->person, sec);
      if (!bulk && ls__sim_is_quiet(w, b->person))
        break;
      uint32_t cell = bulk ? b->cell : ls__sim_where(w, b->person, sec);
      for (uint32_t j = 0; j < b->n_members; j++) {
        uint32_t m = b->members[j];
        if (ls__sim_is_quiet(w, m))
          continue;
        uint32_t s = sec + j / 10; /* a bulk sender pushes ~10 texts a second */
        uint32_t mn = ls__sim_person_number(w, m, s);
        ls__sim_emit(w, s, LS_EV_SMS, from, mn, 0, cell, ls__sim_where(w, m, s));
        double reply = bulk ? 0.005 : 0.15; /* STOP, or a group member answering */
        if (ls__sim_rng_chance(&r, reply)) {
          uint32_t s2 = s + ls__sim_rng_range(&r, 30, 3 * 3600);
          ls__sim_emit(w, s2, LS_EV_SMS, ls__sim_person_number(w, m, s2), from, 0,
                       ls__sim_where(w, m, s2), bulk ? b->cell : ls__sim_where(w, b->person, s2));
        }
      }
      break;
    }
    default:
      break;
    }
  }
}
