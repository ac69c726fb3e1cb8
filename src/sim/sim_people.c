/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ordinary population: homes, households, flags, phones, social ties,
 * whereabouts through the day, trips, and the day's ordinary contacts. */
#include <math.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "sim_internal.h"

/* ---------------------------------------------------- unique random ids */
/* A bitmap over the id space: 12.5 MB for 8-digit person ids, 1.25 MB
 * for 7-digit address ids. It replaced an open-addressing set probed at a
 * random slot per draw (a cache miss each; it also took id 0 for an empty
 * slot). */
typedef struct idset {
  uint64_t *bits;
  uint32_t lo, span;
} idset;

static ls_status idset_init(idset *s, uint32_t lo, uint32_t span) {
  s->lo = lo;
  s->span = span;
  s->bits = ls_calloc((size_t)span / 64 + 1, sizeof *s->bits);
  return s->bits ? LS_OK : LS_ERR_NOMEM;
}

/* Draws a value in [lo, lo+span) not drawn before. */
static uint32_t idset_draw(idset *s, sim_rng *r) {
  for (;;) {
    uint32_t v = ls__sim_rng_below(r, s->span);
    uint64_t bit = 1ull << (v & 63);
    if (!(s->bits[v >> 6] & bit)) {
      s->bits[v >> 6] |= bit;
      return s->lo + v;
    }
  }
}

static uint8_t draw_age(sim_rng *r) {
  /* phone users 11-85; shares roughly as the UK's age structure */
  double u = ls__sim_rng_unit(r);
  if (u < 0.12)
    return (uint8_t)ls__sim_rng_range(r, 11, 17);
  if (u < 0.34)
    return (uint8_t)ls__sim_rng_range(r, 18, 29);
  if (u < 0.67)
    return (uint8_t)ls__sim_rng_range(r, 30, 49);
  if (u < 0.90)
    return (uint8_t)ls__sim_rng_range(r, 50, 69);
  return (uint8_t)ls__sim_rng_range(r, 70, 85);
}

ls_status ls__sim_build_people(ls_sim_world *w, ls_error *err) {
  ls_status rc = LS_OK;
  const ls_sim_params *p = &w->p;
  sim_rng r;
  ls__sim_rng_seed(&r, p->seed, 2, 0);
  uint32_t n = p->scale;
  idset pid = {0}, aid = {0};
  uint32_t *stubs = NULL, *deg = NULL, *fill = NULL;
  uint8_t *age = NULL; /* people's ages, packed: the tie loop reads a random partner's */
  uint64_t n_stubs = 0;
  w->people_mem = ls_calloc((size_t)n + 1, sizeof *w->people);
  if (w->people_mem)
    w->people = (sim_person *)(((uintptr_t)w->people_mem + 63) & ~(uintptr_t)63);
  w->addrs = ls_calloc(n, sizeof *w->addrs);
  deg = ls_calloc(n, sizeof *deg);
  if (!w->people || !w->addrs || !deg || idset_init(&pid, 0, 100000000) ||
      idset_init(&aid, 0, 10000000))
    goto nomem;
  /* numbers: a phone each, second phones, new numbers and other networks'
   * (about 1.6 n), and businesses and lines on top */
  if (ls__sim_num_set_reserve(w, n + n / 2 + n / 4 + 4096))
    goto nomem;
  w->n_people = n;
  /* people per place, contiguous */
  double total = 0;
  for (uint32_t i = 0; i < w->n_places; i++)
    total += w->places[i].pop_weight;
  uint32_t next = 0;
  for (uint32_t i = 0; i < w->n_places; i++) {
    sim_place *pl = &w->places[i];
    uint32_t cnt = i + 1 == w->n_places ? n - next : (uint32_t)(n * pl->pop_weight / total);
    pl->first_person = next;
    pl->n_people = cnt;
    next += cnt;
  }
  int32_t today = (int32_t)(p->start / 86400);
  for (uint32_t pl = 0; pl < w->n_places; pl++) {
    const sim_place *place = &w->places[pl];
    uint32_t end = place->first_person + place->n_people;
    for (uint32_t i = place->first_person; i < end;) {
      /* a household of 1-4 sharing an address and a home cell */
      uint32_t size = 1 + ls__sim_rng_poisson(&r, 1.3);
      if (size > 4)
        size = 4;
      if (i + size > end)
        size = end - i;
      uint32_t a = w->n_addrs++;
      sim_address *ad = &w->addrs[a];
      uint32_t cell = ls__sim_random_cell(w, (uint16_t)pl, ls__sim_rng_next(&r));
      ad->id_num = idset_draw(&aid, &r);
      ad->id[0] = 'A';
      ls__sim_digits(ad->id + 1, ad->id_num, 7);
      ad->id[8] = '\0';
      ad->cell = cell;
      ad->lat = w->cells[cell].lat + (ls__sim_rng_unit(&r) - 0.5) * 0.006;
      ad->lon = w->cells[cell].lon + (ls__sim_rng_unit(&r) - 0.5) * 0.009;
      ad->occupant = i;
      for (uint32_t k = 0; k < size; k++, i++) {
        sim_person *pe = &w->people[i];
        pe->id_num = idset_draw(&pid, &r);
        pe->age = draw_age(&r);
        if (k == 0 && pe->age < 18)
          pe->age = (uint8_t)ls__sim_rng_range(&r, 18, 80); /* an adult heads the household */
        pe->dob_day = today - pe->age * 365 - (int32_t)ls__sim_rng_below(&r, 365) - pe->age / 4;
        pe->male = (uint8_t)ls__sim_rng_chance(&r, 0.49);
        pe->place = (uint8_t)pl;
        pe->home_cell = cell;
        pe->address = a;
        /* work or school somewhere in the same place */
        int goes_out = pe->age < 18 || (pe->age < 67 && ls__sim_rng_chance(&r, 0.7));
        pe->day_cell = goes_out ? ls__sim_random_cell(w, (uint16_t)pl, ls__sim_rng_next(&r)) : cell;
        if (pe->age < 18) {
          if (ls__sim_rng_chance(&r, p->looked_after_share))
            pe->flags |= SIM_F_LOOKED_AFTER;
          if (ls__sim_rng_chance(&r, p->excluded_share))
            pe->flags |= SIM_F_EXCLUDED;
          if (ls__sim_rng_chance(&r, p->missing_share))
            pe->flags |= SIM_F_MISSING;
        } else {
          if (ls__sim_rng_chance(&r, p->vulnerable_adult_share + (pe->age >= 75 ? 0.1 : 0)))
            pe->flags |= SIM_F_VULNERABLE;
          if (ls__sim_rng_chance(&r, p->drug_dependency_share))
            pe->flags |= SIM_F_DRUGS;
          if (ls__sim_rng_chance(&r, p->mental_health_share))
            pe->flags |= SIM_F_MENTAL;
        }
        pe->sim2 = SIM_NONE;
        pe->change_day = -1;
        pe->trip_end = -1;
        uint32_t imei;
        rc = ls__sim_new_imei(w, &r, &imei);
        if (!rc)
          rc = ls__sim_new_number(w, &r, SIM_NUM_PERSONAL, i, imei, &pe->sim);
        if (rc)
          goto nomem;
        w->nums[pe->sim].attributed = (uint8_t)ls__sim_rng_chance(&r, p->attributed_share);
        if (ls__sim_rng_chance(&r, p->second_phone_share)) {
          rc = ls__sim_new_imei(w, &r, &imei);
          if (!rc)
            rc = ls__sim_new_number(w, &r, SIM_NUM_PERSONAL, i, imei, &pe->sim2);
          if (rc)
            goto nomem;
          w->nums[pe->sim2].attributed = (uint8_t)ls__sim_rng_chance(&r, p->attributed_share * 0.5);
        }
        /* contact count: Pareto, capped */
        double k = ls__sim_rng_pareto(&r, p->degree_min, p->degree_alpha);
        if (k > p->degree_max)
          k = p->degree_max;
        deg[i] = (uint32_t)k;
        n_stubs += deg[i];
      }
      /* address flags: known to services when the occupant is vulnerable */
      const sim_person *occ = &w->people[ad->occupant];
      if ((occ->flags & (SIM_F_VULNERABLE | SIM_F_MENTAL)) && ls__sim_rng_chance(&r, 0.5))
        ad->flags = occ->flags & (SIM_F_VULNERABLE | SIM_F_MENTAL | SIM_F_DRUGS);
    }
  }
  /* phone changes: the innocent twin of a deal number swap */
  for (uint32_t i = 0; i < n; i++) {
    sim_person *pe = &w->people[i];
    if (pe->sim2 != SIM_NONE || p->days < 6 || !ls__sim_rng_chance(&r, p->phone_change_share))
      continue;
    uint32_t imei = w->nums[pe->sim].imei;
    if (!ls__sim_rng_chance(&r, 0.5))
      rc = ls__sim_new_imei(w, &r, &imei);
    if (!rc)
      rc = ls__sim_new_number(w, &r, SIM_NUM_PERSONAL, i, imei, &pe->sim2);
    if (rc)
      goto nomem;
    pe->change_day = (int32_t)ls__sim_rng_range(&r, 2, p->days - 3);
    pe->change_sec = ls__sim_rng_range(&r, 8 * 3600, 20 * 3600);
    w->nums[pe->sim].to_day = pe->change_day;
    w->nums[pe->sim2].from_day = pe->change_day;
    w->nums[pe->sim2].attributed = w->nums[pe->sim].attributed;
  }
  for (uint32_t i = 0; i < n; i++)
    w->n_changers += w->people[i].change_day >= 0;
  w->changers = ls_reallocarray(NULL, w->n_changers ? w->n_changers : 1, sizeof *w->changers);
  if (!w->changers)
    goto nomem;
  for (uint32_t i = 0, k = 0; i < n; i++)
    if (w->people[i].change_day >= 0)
      w->changers[k++] = i;
  /* numbers on other networks: one-off contacts and friends elsewhere */
  w->n_ext = n / 2 + 16;
  w->ext = ls_calloc(w->n_ext, sizeof *w->ext);
  if (!w->ext)
    goto nomem;
  for (uint32_t i = 0; i < w->n_ext; i++)
    if (ls__sim_new_number(w, &r, SIM_NUM_EXTERNAL, SIM_NONE, SIM_NONE, &w->ext[i]))
      goto nomem;
  /* Social ties: each person starts ceil(k/2) ties; partners are drawn from
   * a stub list (a person appears k times), so partner choice is degree
   * weighted and the expected degree is about k (configuration model). Most
   * ties stay within the place. */
  stubs = ls_reallocarray(NULL, n_stubs ? n_stubs : 1, sizeof *stubs);
  if (!stubs)
    goto nomem;
  {
    uint64_t s = 0;
    uint64_t *place_first = ls_calloc(w->n_places + 1, sizeof *place_first);
    if (!place_first)
      goto nomem;
    for (uint32_t pl = 0; pl < w->n_places; pl++) {
      place_first[pl] = s;
      const sim_place *place = &w->places[pl];
      for (uint32_t i = place->first_person; i < place->first_person + place->n_people; i++)
        for (uint32_t k = 0; k < deg[i]; k++)
          stubs[s++] = i;
    }
    place_first[w->n_places] = s;
    uint64_t want = 0;
    for (uint32_t i = 0; i < n; i++)
      want += (deg[i] + 1) / 2;
    w->tie_a = ls_reallocarray(NULL, want, sizeof *w->tie_a);
    w->tie_b = ls_reallocarray(NULL, want, sizeof *w->tie_b);
    w->tie_rate = ls_reallocarray(NULL, want, sizeof *w->tie_rate);
    w->tie_p0 = ls_reallocarray(NULL, want, sizeof *w->tie_p0);
    w->tie_a_share = ls_reallocarray(NULL, want, sizeof *w->tie_a_share);
    w->tie_sms = ls_reallocarray(NULL, want, sizeof *w->tie_sms);
    if (!w->tie_a || !w->tie_b || !w->tie_rate || !w->tie_p0 || !w->tie_a_share || !w->tie_sms) {
      ls_free(place_first);
      goto nomem;
    }
    age = ls_malloc(n);
    if (!age) {
      ls_free(place_first);
      goto nomem;
    }
    for (uint32_t i = 0; i < n; i++)
      age[i] = w->people[i].age;
    uint32_t t = 0;
    for (uint32_t i = 0; i < n; i++) {
      const sim_person *pe = &w->people[i];
      for (uint32_t k = 0; k < (deg[i] + 1) / 2; k++) {
        uint64_t lo = 0, span = n_stubs;
        if (ls__sim_rng_chance(&r, p->local_tie_share)) {
          lo = place_first[pe->place];
          span = place_first[pe->place + 1] - lo;
        }
        if (!span)
          continue;
        uint32_t j = stubs[lo + (uint64_t)(ls__sim_rng_unit(&r) * (double)span)];
        if (j == i)
          continue;
        w->tie_a[t] = i;
        w->tie_b[t] = j;
        /* tie strength: log-normal, so a few close ties carry most contact */
        double rate = ls__sim_rng_lognormal(&r, p->tie_rate_median, p->tie_rate_sigma);
        w->tie_rate[t] = (float)(rate > 8 ? 8 : rate);
        w->tie_p0[t] = (float)exp(-(double)w->tie_rate[t]);
        w->tie_a_share[t] = (float)(0.25 + 0.5 * ls__sim_rng_unit(&r));
        double sms = p->sms_share + (age[i] < 25 && age[j] < 25 ? 0.25 : 0) -
                     (age[i] > 60 || age[j] > 60 ? 0.2 : 0);
        w->tie_sms[t] = (float)(sms < 0.05 ? 0.05 : sms > 0.95 ? 0.95 : sms);
        t++;
      }
    }
    w->n_ties = t;
    ls_free(place_first);
  }
  /* adjacency (both directions) for announcements and group picks;
   * counted and placed through packed arrays (deg is free again), not the
   * 88-byte person records, which missed the cache on every tie */
  fill = ls_calloc(n, sizeof *fill);
  w->adj = ls_reallocarray(NULL, (size_t)w->n_ties * 2 + 1, sizeof *w->adj);
  if (!fill || !w->adj)
    goto nomem;
  for (uint32_t t = 0; t < w->n_ties; t++) {
    fill[w->tie_a[t]]++;
    fill[w->tie_b[t]]++;
  }
  {
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
      w->people[i].first_tie = acc;
      w->people[i].n_ties = fill[i];
      deg[i] = acc;
      acc += fill[i];
    }
  }
  for (uint32_t t = 0; t < w->n_ties; t++) {
    uint32_t a = w->tie_a[t], b = w->tie_b[t];
    w->adj[deg[a]++] = b;
    w->adj[deg[b]++] = a;
  }
  goto out;
nomem:
  rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the population");
out:
  ls_free(pid.bits);
  ls_free(aid.bits);
  ls_free(stubs);
  ls_free(deg);
  ls_free(fill);
  ls_free(age);
  return rc;
}

/* Trips: a person sometimes spends 1-4 days elsewhere, going by rail. */
void ls__sim_people_day_start(ls_sim_world *w) {
  sim_rng r;
  ls__sim_rng_seed(&r, w->p.seed, 100, (uint64_t)w->day);
  for (uint32_t i = 0; i < w->n_people; i++) {
    sim_person *pe = &w->people[i];
    double u = ls__sim_rng_unit(&r);
    if (pe->runner)
      continue;
    pe->quiet = 0;
    if (pe->trip_end > w->day) {
      pe->state = SIM_ST_AWAY;
      continue;
    }
    if (pe->trip_end == w->day) {
      pe->state = SIM_ST_TRAVEL;
      pe->from_place = pe->to_place;
      pe->from_stay = pe->to_stay;
      pe->to_place = pe->place;
      pe->to_stay = pe->home_cell;
      pe->dep_sec = ls__sim_rng_range(&r, 9 * 3600, 19 * 3600);
      pe->trip_end = -1;
      continue;
    }
    pe->state = SIM_ST_HOME;
    if (u >= w->p.trip_rate)
      continue;
    uint16_t dest = (uint16_t)ls__sim_rng_below(&r, w->n_places);
    if (dest == pe->place)
      continue;
    pe->state = SIM_ST_TRAVEL;
    pe->from_place = pe->place;
    pe->from_stay = pe->home_cell;
    pe->to_place = dest;
    pe->to_stay = ls__sim_random_cell(w, dest, ls__sim_rng_next(&r));
    pe->dep_sec = ls__sim_rng_range(&r, 6 * 3600, 12 * 3600);
    pe->trip_end = w->day + (int32_t)ls__sim_rng_range(&r, 1, 4);
  }
}

static uint32_t routine(const ls_sim_world *w, uint32_t person, const sim_person *pe, uint16_t place,
                        uint32_t stay, uint32_t sec) {
  uint32_t hour = sec / 3600;
  int lh = (int)((hour + (uint32_t)w->utc_offset_h) % 24);
  uint64_t h = ls__sim_mix3(person, (uint64_t)w->day, hour);
  if (place == pe->place && stay == pe->home_cell) {
    if (lh < 7 || lh >= 22)
      return pe->home_cell;
    if (w->weekday < 5 && lh >= 9 && lh < 17 && pe->day_cell != pe->home_cell)
      return (h & 15) < 13 ? pe->day_cell : ls__sim_random_cell(w, place, h);
    return (h & 3) == 0 ? ls__sim_random_cell(w, place, h) : pe->home_cell;
  }
  if (lh < 8 || lh >= 23)
    return stay;
  return (h & 15) < 9 ? ls__sim_random_cell(w, place, h) : stay;
}

uint32_t ls__sim_where(const ls_sim_world *w, uint32_t person, uint32_t sec) {
  const sim_person *pe = &w->people[person];
  switch (pe->state) {
  case SIM_ST_AWAY:
    return routine(w, person, pe, pe->to_place, pe->to_stay, sec);
  case SIM_ST_TRAVEL: {
    if (sec < pe->dep_sec)
      return routine(w, person, pe, pe->from_place, pe->from_stay, sec);
    uint32_t into = sec - pe->dep_sec;
    if (into < ls__sim_path_secs(w, pe->from_place, pe->to_place))
      return ls__sim_path_cell(w, pe->from_place, pe->to_place, into);
    return routine(w, person, pe, pe->to_place, pe->to_stay, sec);
  }
  default:
    return routine(w, person, pe, pe->place, pe->home_cell, sec);
  }
}

uint32_t ls__sim_person_number(const ls_sim_world *w, uint32_t person, uint32_t sec) {
  const sim_person *pe = &w->people[person];
  if (pe->change_day >= 0 &&
      (w->day > pe->change_day || (w->day == pe->change_day && sec >= pe->change_sec)))
    return pe->sim2;
  return pe->sim;
}

void ls__sim_announce_to_ties(ls_sim_world *w, uint32_t person, uint32_t number, uint32_t sec,
                              sim_rng *r) {
  const sim_person *pe = &w->people[person];
  uint32_t cell = ls__sim_where(w, person, sec);
  for (uint32_t k = 0; k < pe->n_ties; k++) {
    uint32_t f = w->adj[pe->first_tie + k];
    uint32_t s = sec + k / 4; /* a few texts a second from a contact list */
    ls__sim_emit(w, s, LS_EV_SMS, number, ls__sim_person_number(w, f, s), 0, cell,
                 ls__sim_where(w, f, s));
    if (ls__sim_rng_chance(r, 0.3)) { /* "who's this?" / "saved" */
      uint32_t s2 = s + ls__sim_rng_range(r, 60, 4 * 3600);
      ls__sim_emit(w, s2, LS_EV_SMS, ls__sim_person_number(w, f, s2), number, 0,
                   ls__sim_where(w, f, s2), ls__sim_where(w, person, s2));
    }
  }
}

/* Ordinary contacts along ties are made in two passes. The first walks
 * the ties in order and makes every random draw (how many contacts, when,
 * who calls, text or call, how long), reading only the tie arrays and a
 * bitmap of who is quiet today; it writes one 12-byte record a contact.
 * The second turns records into events, which needs both people's records
 * (numbers, whereabouts): a cache line each over 64 MB at scale 1M, so
 * cache misses, but now known in advance and fetched a few records ahead.
 * In one pass, two thirds of the loop waited on those misses even with
 * every tie's people prefetched (most ties have no contact on a given day,
 * and only the sequential draw says which). Same draws in the same order,
 * so the same events. */
#define CT_SEC_BITS 17u   /* second of the day < 2^17 */
#define CT_SMS (1u << 17)
#define CT_SECOND (1u << 18) /* a calls from their second phone */
#define CT_DUR_SHIFT 19u  /* call seconds <= 5400 < 2^13 */

typedef struct sim_contact {
  uint32_t a, b, packed;
} sim_contact;

static ls_status contacts_reserve(ls_sim_world *w, size_t need) {
  if (need <= w->cap_contacts)
    return LS_OK;
  size_t nc = w->cap_contacts ? w->cap_contacts * 2 : 65536;
  while (nc < need)
    nc *= 2;
  void *q = ls_reallocarray(w->contacts, nc, sizeof(sim_contact));
  if (!q)
    return LS_ERR_NOMEM;
  w->contacts = q;
  w->cap_contacts = nc;
  return LS_OK;
}

/* Who is quiet today, one bit a person (128 KB at scale 1M: stays in L2,
 * where the 64 MB of person records do not). Only runners are ever quiet:
 * ls__sim_people_day_start clears everyone else's flag each morning and
 * the lines' rota sets it on runners alone, so the bits come from the
 * lines' runners instead of a walk over every person. */
ls_status ls__sim_quiet_bits(ls_sim_world *w) {
  size_t words = w->n_people / 64 + 1;
  if (!w->quiet_bits) {
    w->quiet_bits = ls_calloc(words, sizeof *w->quiet_bits);
    if (!w->quiet_bits)
      return LS_ERR_NOMEM;
  }
  memset(w->quiet_bits, 0, words * sizeof *w->quiet_bits);
  for (uint32_t li = 0; li < w->n_lines; li++)
    for (uint8_t k = 0; k < w->lines[li].n_runners; k++) {
      uint32_t i = w->lines[li].runners[k];
      if (w->people[i].quiet)
        w->quiet_bits[i >> 6] |= 1ull << (i & 63);
    }
  return LS_OK;
}

/* Pass 1: the draws, over every tie in order. */
static ls_status tie_draws(ls_sim_world *w, sim_rng *r, size_t *n_out) {
  /* weekends are a little quieter for calls and texts */
  double factor = w->weekday >= 5 ? 0.85 : 1.0;
  size_t n = 0;
  for (uint32_t t = 0; t < w->n_ties; t++) {
    /* Poisson by inversion from the stored exp(-rate): most ties see no
     * contact on a given day and cost one draw; weekends thin the count */
    double u = ls__sim_rng_unit(r), pk = w->tie_p0[t], cdf = pk;
    uint32_t k = 0;
    while (u >= cdf && k < 64) {
      k++;
      pk *= w->tie_rate[t] / k;
      cdf += pk;
    }
    if (!k)
      continue;
    if (n + k > w->cap_contacts && contacts_reserve(w, n + k))
      return LS_ERR_NOMEM;
    sim_contact *c = (sim_contact *)w->contacts;
    for (uint32_t j = 0; j < k; j++) {
      if (factor < 1 && ls__sim_rng_unit(r) >= factor)
        continue;
      uint32_t sec = ls__sim_profile_sec(&w->pr_social, r);
      uint32_t a = w->tie_a[t], b = w->tie_b[t];
      if (ls__sim_rng_unit(r) >= w->tie_a_share[t]) {
        uint32_t x = a;
        a = b;
        b = x;
      }
      if (ls__sim_is_quiet(w, a) || ls__sim_is_quiet(w, b))
        continue;
      uint32_t packed = sec | ((t % 5) == 0 ? CT_SECOND : 0);
      if (ls__sim_rng_unit(r) < w->tie_sms[t])
        packed |= CT_SMS;
      else
        packed |= (uint32_t)ls__sim_call_secs(r, 75, 1.1, 3, 5400) << CT_DUR_SHIFT;
      c[n].a = a;
      c[n].b = b;
      c[n].packed = packed;
      n++;
    }
  }
  *n_out = n;
  return LS_OK;
}

/* Pass 2: records [from, to) to events. No draws. */
static void tie_events(ls_sim_world *w, const sim_contact *c, size_t from, size_t to) {
  enum { PF = 8 };
  for (size_t i = from; i < to; i++) {
    if (i + PF < to) { /* one cache line a person */
      __builtin_prefetch(&w->people[c[i + PF].a]);
      __builtin_prefetch(&w->people[c[i + PF].b]);
    }
    uint32_t a = c[i].a, b = c[i].b, packed = c[i].packed;
    uint32_t sec = packed & ((1u << CT_SEC_BITS) - 1);
    const sim_person *pa = &w->people[a];
    uint32_t na = (packed & CT_SECOND) && pa->sim2 != SIM_NONE && pa->change_day < 0
                      ? pa->sim2
                      : ls__sim_person_number(w, a, sec);
    uint32_t nb = ls__sim_person_number(w, b, sec);
    int sms = (packed & CT_SMS) != 0;
    ls__sim_emit(w, sec, sms ? LS_EV_SMS : LS_EV_CALL, na, nb,
                 sms ? 0 : (int32_t)(packed >> CT_DUR_SHIFT), ls__sim_where(w, a, sec),
                 ls__sim_where(w, b, sec));
  }
}

void ls__sim_people_day(ls_sim_world *w) {
  sim_rng r;
  ls__sim_rng_seed(&r, w->p.seed, 101, (uint64_t)w->day);
  size_t n = 0;
  if (tie_draws(w, &r, &n)) {
    w->ev_rc = LS_ERR_NOMEM;
    return;
  }
  tie_events(w, (const sim_contact *)w->contacts, 0, n);
  /* one-off contacts: a wrong number, a shop, someone met once */
  double p0 = exp(-w->p.oneoff_rate); /* P(no one-off today), once, not per person */
  for (uint32_t i = 0; i < w->n_people; i++) {
    if (ls__sim_rng_unit(&r) < p0)
      continue;
    uint32_t k = 1 + ls__sim_rng_poisson(&r, w->p.oneoff_rate * 0.5); /* at least one */
    for (uint32_t j = 0; j < k; j++) {
      uint32_t sec = ls__sim_profile_sec(&w->pr_social, &r);
      if (ls__sim_is_quiet(w, i))
        continue;
      uint32_t me = ls__sim_person_number(w, i, sec);
      uint32_t cell = ls__sim_where(w, i, sec);
      int sms = ls__sim_rng_chance(&r, 0.35);
      int32_t dur = sms ? 0 : ls__sim_call_secs(&r, 40, 1.0, 2, 1800);
      if (ls__sim_rng_chance(&r, 0.6)) {
        uint32_t other = w->ext[ls__sim_rng_below(&r, w->n_ext)];
        if (ls__sim_rng_chance(&r, 0.5))
          ls__sim_emit(w, sec, sms ? LS_EV_SMS : LS_EV_CALL, me, other, dur, cell, SIM_NONE);
        else
          ls__sim_emit(w, sec, sms ? LS_EV_SMS : LS_EV_CALL, other, me, dur, SIM_NONE, cell);
      } else {
        uint32_t o = ls__sim_rng_below(&r, w->n_people);
        if (ls__sim_is_quiet(w, o))
          continue;
        ls__sim_emit(w, sec, sms ? LS_EV_SMS : LS_EV_CALL, me, ls__sim_person_number(w, o, sec),
                     dur, cell, ls__sim_where(w, o, sec));
      }
    }
  }
  /* people changing number: the new number texts everyone once (the
   * changers, in person order: not a walk over everyone) */
  for (uint32_t k = 0; k < w->n_changers; k++) {
    uint32_t i = w->changers[k];
    const sim_person *pe = &w->people[i];
    if (pe->change_day == w->day && !pe->quiet)
      ls__sim_announce_to_ties(w, i, pe->sim2, pe->change_sec + 30, &r);
  }
}
