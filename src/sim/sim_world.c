/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The world: geography (places, cells, rail corridors), numbers and
 * handsets, and the day loop that collects, sorts and hands out events. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "sim_internal.h"

/* ---------------------------------------------------------------- places */
/* Approximate real centres. pop_weight sets the share of the ordinary
 * population; line_weight the share of lines starting there (DOMAIN:
 * London ~15%, West Midlands 9%, Merseyside 7% of lines). Districts name the
 * cells. */
typedef struct place_def {
  const char *name;
  double lat, lon, radius_km, pop_weight, line_weight;
  uint32_t cells;
  uint8_t kind;
  int station;
  const char *districts[8];
} place_def;

static const place_def place_defs[] = {
    {"London", 51.5074, -0.1278, 14, 10, 15, 300, SIM_ORIGIN, 0,
     {"Lambeth", "Southwark", "Brixton", "Peckham", "Hackney", "Tottenham", "Croydon", "Lewisham"}},
    {"Birmingham", 52.4862, -1.8904, 8, 5, 9, 160, SIM_ORIGIN, 21,
     {"Aston", "Handsworth", "Digbeth", "Erdington", "Small Heath", "Sparkbrook", "Edgbaston",
      "Kings Heath"}},
    {"Liverpool", 53.4084, -2.9916, 6, 4, 7, 120, SIM_ORIGIN, 25,
     {"Toxteth", "Everton", "Anfield", "Kirkdale", "Walton", "Wavertree", "Kensington",
      "City Centre"}},
    {"Southampton", 50.9097, -1.4044, 5, 10, 10, 90, SIM_DEST, 6,
     {"Shirley", "Portswood", "Bitterne", "Woolston", "Millbrook", "Sholing", "Bevois",
      "City Centre"}},
    {"Portsmouth", 50.8198, -1.0880, 4.5, 9, 9, 80, SIM_DEST, 10,
     {"Southsea", "Fratton", "Buckland", "Landport", "Cosham", "Copnor", "Paulsgrove", "Hilsea"}},
    {"Basingstoke", 51.2665, -1.0924, 4, 6, 6, 45, SIM_DEST, 3,
     {"Town Centre", "Brighton Hill", "Popley", "South Ham", "Oakridge", "Winklebury", "Chineham",
      NULL}},
    {"Winchester", 51.0598, -1.3101, 3, 4, 3, 30, SIM_DEST, 4,
     {"City Centre", "Stanmore", "Winnall", "Highcliffe", "Weeke", "Badger Farm", NULL, NULL}},
    {"Andover", 51.2080, -1.4800, 3, 3, 3, 24, SIM_DEST, 13,
     {"Town Centre", "Picket Piece", "Charlton", "Floral Way", "Augusta Park", NULL, NULL, NULL}},
    {"New Forest", 50.8720, -1.5760, 12, 6, 4, 50, SIM_DEST, 14,
     {"Lyndhurst", "Brockenhurst", "Ringwood", "Lymington", "Totton", "Fordingbridge",
      "New Milton", NULL}},
    {"Isle of Wight", 50.6938, -1.2950, 13, 6, 5, 60, SIM_DEST, 12,
     {"Newport", "Ryde", "Cowes", "Sandown", "Shanklin", "Ventnor", "Freshwater", NULL}},
    {"Eastleigh", 50.9690, -1.3500, 3, 4, 3, 25, SIM_DEST, 5,
     {"Town Centre", "Chandler's Ford", "Bishopstoke", "Fair Oak", NULL, NULL, NULL, NULL}},
    {"Fareham", 50.8520, -1.1770, 3.5, 4, 2, 30, SIM_DEST, 9,
     {"Town Centre", "Portchester", "Titchfield", "Stubbington", NULL, NULL, NULL, NULL}},
    {"Havant", 50.8560, -0.9800, 4, 5, 4, 30, SIM_DEST, 8,
     {"Havant", "Leigh Park", "Waterlooville", "Emsworth", NULL, NULL, NULL, NULL}},
};
#define N_PLACES (sizeof place_defs / sizeof place_defs[0])

typedef struct station_def {
  const char *name;
  double lat, lon;
  const char *area;
} station_def;

/* DOMAIN: runners travel through hubs such as Waterloo, Clapham Junction,
 * Birmingham New Street. */
static const station_def station_defs[] = {
    {"London Waterloo", 51.5031, -0.1132, "London"},
    {"Clapham Junction", 51.4642, -0.1703, "London"},
    {"Woking", 51.3185, -0.5570, "Woking"},
    {"Basingstoke", 51.2683, -1.0873, "Basingstoke"},
    {"Winchester", 51.0672, -1.3197, "Winchester"},
    {"Eastleigh", 50.9693, -1.3500, "Eastleigh"},
    {"Southampton Central", 50.9075, -1.4136, "Southampton"},
    {"Guildford", 51.2370, -0.5800, "Guildford"},
    {"Havant", 50.8545, -0.9817, "Havant"},
    {"Fareham", 50.8531, -1.1920, "Fareham"},
    {"Portsmouth and Southsea", 50.7986, -1.0907, "Portsmouth"},
    {"Portsmouth Harbour", 50.7969, -1.1083, "Portsmouth"},
    {"Ryde Pier Head", 50.7390, -1.1600, "Isle of Wight"},
    {"Andover", 51.2114, -1.4921, "Andover"},
    {"Brockenhurst", 50.8167, -1.5733, "New Forest"},
    {"Lymington Pier", 50.7580, -1.5290, "New Forest"},
    {"Yarmouth", 50.7060, -1.5000, "Isle of Wight"},
    {"Reading", 51.4586, -0.9719, "Reading"},
    {"Oxford", 51.7535, -1.2700, "Oxford"},
    {"Banbury", 52.0603, -1.3283, "Banbury"},
    {"Leamington Spa", 52.2846, -1.5364, "Leamington Spa"},
    {"Birmingham New Street", 52.4778, -1.8990, "Birmingham"},
    {"Wolverhampton", 52.5877, -2.1199, "Wolverhampton"},
    {"Stafford", 52.8038, -2.1220, "Stafford"},
    {"Crewe", 53.0890, -2.4330, "Crewe"},
    {"Liverpool Lime Street", 53.4074, -2.9779, "Liverpool"},
    {"Overton", 51.2504, -1.2604, "Basingstoke"},
};
#define N_STATIONS (sizeof station_defs / sizeof station_defs[0])

/* Rail links (both directions); the two ferries count as links. */
static const uint8_t links[][2] = {
    {0, 1},   {1, 2},   {2, 3},   {3, 4},   {4, 5},   {5, 6},   {2, 7},   {7, 8},
    {8, 10},  {10, 11}, {11, 12}, {5, 9},   {9, 10},  {6, 9},   {6, 14},  {14, 15},
    {15, 16}, {3, 26},  {26, 13}, {3, 17},  {17, 18}, {18, 19}, {19, 20}, {20, 21},
    {21, 22}, {22, 23}, {23, 24}, {24, 25}, {17, 1},
};
#define N_LINKS (sizeof links / sizeof links[0])

static double dist_km(double lat1, double lon1, double lat2, double lon2) {
  double x = (lon2 - lon1) * cos((lat1 + lat2) * 0.5 * 3.141592653589793 / 180.0);
  double y = lat2 - lat1;
  return sqrt(x * x + y * y) * 111.195;
}

int32_t ls__sim_days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int32_t)doe - 719468;
}

void ls__sim_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int yy = (int)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

/* UK clocks: BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on
 * the last Sunday of October. Evaluated at noon of the day, which is all
 * the hour profiles need. */
static int uk_offset_hours(int64_t t) {
  int32_t days = (int32_t)(t / 86400);
  int y;
  unsigned m, d;
  ls__sim_civil_from_days(days, &y, &m, &d);
  int32_t mar31 = ls__sim_days_from_civil(y, 3, 31), oct31 = ls__sim_days_from_civil(y, 10, 31);
  /* 1970-01-01 was a Thursday: weekday (Mon=0) = (days + 3) % 7 */
  int32_t last_sun_mar = mar31 - ((mar31 + 3) % 7 + 1) % 7;
  int32_t last_sun_oct = oct31 - ((oct31 + 3) % 7 + 1) % 7;
  return days >= last_sun_mar && days < last_sun_oct ? 1 : 0;
}

static ls_status grow(void **p, uint32_t *cap, uint32_t need, size_t size) {
  if (need <= *cap)
    return LS_OK;
  uint32_t nc = *cap ? *cap : 1024;
  while (nc < need)
    nc *= 2;
  void *q = ls_reallocarray(*p, nc, size);
  if (!q)
    return LS_ERR_NOMEM;
  *p = q;
  *cap = nc;
  return LS_OK;
}

static ls_status add_cell(ls_sim_world *w, sim_rng *r, uint32_t *cap, double lat, double lon,
                          int16_t place, const char *name, const char *area) {
  ls_status rc = grow((void **)&w->cells, cap, w->n_cells + 1, sizeof *w->cells);
  if (rc)
    return rc;
  sim_cell *c = &w->cells[w->n_cells++];
  memset(c, 0, sizeof *c);
  c->lat = lat;
  c->lon = lon;
  c->place = place;
  c->azimuth = (uint16_t)(ls__sim_rng_below(r, 3) * 120 + ls__sim_rng_below(r, 60));
  snprintf(c->name, sizeof c->name, "%s", name);
  c->area = area;
  return LS_OK;
}

/* Shortest station route by distance (Dijkstra over a few dozen stations). */
static int station_route(int from, int to, int *route, int max) {
  double best[N_STATIONS];
  int prev[N_STATIONS], done[N_STATIONS];
  for (size_t i = 0; i < N_STATIONS; i++) {
    best[i] = 1e18;
    prev[i] = -1;
    done[i] = 0;
  }
  best[from] = 0;
  for (;;) {
    int u = -1;
    for (size_t i = 0; i < N_STATIONS; i++)
      if (!done[i] && (u < 0 || best[i] < best[u]))
        u = (int)i;
    if (u < 0 || best[u] >= 1e18 || u == to)
      break;
    done[u] = 1;
    for (size_t k = 0; k < N_LINKS; k++) {
      int a = links[k][0], b = links[k][1], v = -1;
      if (a == u)
        v = b;
      else if (b == u)
        v = a;
      if (v < 0 || done[v])
        continue;
      double dd = best[u] + dist_km(station_defs[u].lat, station_defs[u].lon, station_defs[v].lat,
                                    station_defs[v].lon);
      if (dd < best[v]) {
        best[v] = dd;
        prev[v] = u;
      }
    }
  }
  int n = 0, tmp[N_STATIONS];
  for (int v = to; v >= 0 && n < (int)N_STATIONS; v = prev[v])
    tmp[n++] = v;
  if (tmp[n - 1] != from || n > max)
    return 0;
  for (int i = 0; i < n; i++)
    route[i] = tmp[n - 1 - i];
  return n;
}

ls_status ls__sim_build_geo(ls_sim_world *w, ls_error *err) {
  ls_status rc = LS_OK;
  sim_rng r;
  ls__sim_rng_seed(&r, w->p.seed, 1, 0);
  uint32_t cap = 0;
  w->n_places = N_PLACES;
  w->places = ls_calloc(N_PLACES, sizeof *w->places);
  uint32_t station_cell[N_STATIONS];
  /* track cells of each link: first index and count */
  uint32_t link_first[N_LINKS], link_n[N_LINKS];
  if (!w->places)
    goto nomem;
  for (size_t i = 0; i < N_PLACES; i++) {
    const place_def *d = &place_defs[i];
    sim_place *pl = &w->places[i];
    pl->name = d->name;
    pl->lat = d->lat;
    pl->lon = d->lon;
    pl->radius_km = d->radius_km;
    pl->pop_weight = d->pop_weight;
    pl->line_weight = d->line_weight;
    pl->kind = d->kind;
    pl->station = d->station;
    pl->first_cell = w->n_cells;
    int nd = 0;
    while (nd < 8 && d->districts[nd])
      nd++;
    /* Cells spread around district centres: the first district at the
     * centre, the rest on a ring; spacing comes out at 1-2 km in towns and
     * wider in the New Forest and on the Island, as real macro cells. */
    for (uint32_t c = 0; c < d->cells; c++) {
      int di = (int)(c % (uint32_t)nd);
      double ang = di == 0 ? 0 : 6.283185307179586 * (di - 1) / (nd - 1);
      double rr = di == 0 ? 0 : d->radius_km * 0.55;
      double dlat = rr * sin(ang) / 111.195;
      double dlon = rr * cos(ang) / (111.195 * cos(d->lat * 3.141592653589793 / 180));
      double a2 = ls__sim_rng_unit(&r) * 6.283185307179586;
      double r2 = sqrt(ls__sim_rng_unit(&r)) * d->radius_km * 0.5;
      dlat += r2 * sin(a2) / 111.195;
      dlon += r2 * cos(a2) / (111.195 * cos(d->lat * 3.141592653589793 / 180));
      char name[48];
      snprintf(name, sizeof name, "%s %u", d->districts[di], c / (uint32_t)nd + 1);
      rc = add_cell(w, &r, &cap, d->lat + dlat, d->lon + dlon, (int16_t)i, name, d->name);
      if (rc)
        goto nomem;
    }
    pl->n_cells = w->n_cells - pl->first_cell;
  }
  /* stations: one cell each, in their place where they have one */
  for (size_t s = 0; s < N_STATIONS; s++) {
    int16_t place = -1;
    for (size_t i = 0; i < N_PLACES; i++)
      if (!strcmp(place_defs[i].name, station_defs[s].area))
        place = (int16_t)i;
    char name[48];
    snprintf(name, sizeof name, "%s station", station_defs[s].name);
    station_cell[s] = w->n_cells;
    rc = add_cell(w, &r, &cap, station_defs[s].lat, station_defs[s].lon, place, name,
                  station_defs[s].area);
    if (rc)
      goto nomem;
  }
  /* rail corridors: a trackside cell every ~7 km between stations */
  for (size_t k = 0; k < N_LINKS; k++) {
    const station_def *a = &station_defs[links[k][0]], *b = &station_defs[links[k][1]];
    double km = dist_km(a->lat, a->lon, b->lat, b->lon);
    uint32_t n = (uint32_t)(km / 7.0);
    link_first[k] = w->n_cells;
    link_n[k] = n;
    for (uint32_t j = 1; j <= n; j++) {
      double f = (double)j / (n + 1);
      char name[48];
      snprintf(name, sizeof name, "%.14s-%.14s trackside %u", a->name, b->name, j);
      rc = add_cell(w, &r, &cap, a->lat + (b->lat - a->lat) * f + (ls__sim_rng_unit(&r) - 0.5) * 0.01,
                    a->lon + (b->lon - a->lon) * f + (ls__sim_rng_unit(&r) - 0.5) * 0.01, -1, name,
                    "Rail corridor");
      if (rc)
        goto nomem;
    }
  }
  /* cell ids: operator style "LAC-CI", random so that ids say nothing */
  for (uint32_t c = 0; c < w->n_cells; c++) {
    for (;;) {
      uint32_t lac = ls__sim_rng_range(&r, 1000, 9999), ci = ls__sim_rng_range(&r, 10000, 99999);
      w->cells[c].id_len =
          (uint8_t)snprintf(w->cells[c].id, sizeof w->cells[c].id, "%u-%u", lac, ci);
      int dup = 0;
      for (uint32_t o = 0; o < c && !dup; o++) /* a few thousand cells: quadratic is fine */
        dup = !strcmp(w->cells[o].id, w->cells[c].id);
      if (!dup)
        break;
    }
  }
  _Static_assert(N_PLACES < 256, "people keep places in 8 bits");
  if (w->n_cells >= SIM_EV_NO_CELL) /* events and people keep cells in 16 bits */
    return LS_FAIL(err, LS_ERR_USAGE, "too many cells (%u)", w->n_cells);
  /* journeys between every pair of places */
  w->paths = ls_calloc((size_t)N_PLACES * N_PLACES, sizeof *w->paths);
  if (!w->paths)
    goto nomem;
  for (size_t i = 0; i < N_PLACES; i++)
    for (size_t j = 0; j < N_PLACES; j++) {
      if (i == j)
        continue;
      int route[N_STATIONS];
      int n = station_route(place_defs[i].station, place_defs[j].station, route, (int)N_STATIONS);
      sim_path *pa = &w->paths[i * N_PLACES + j];
      uint32_t max = (uint32_t)n;
      for (size_t k = 0; k < N_LINKS; k++)
        max += link_n[k];
      pa->cells = ls_calloc(max, sizeof *pa->cells);
      pa->at_s = ls_calloc(max, sizeof *pa->at_s);
      if (!pa->cells || !pa->at_s)
        goto nomem;
      double t = 0;
      for (int s = 0; s < n; s++) {
        if (s > 0) {
          int a = route[s - 1], b = route[s];
          double km = dist_km(station_defs[a].lat, station_defs[a].lon, station_defs[b].lat,
                              station_defs[b].lon);
          /* ~100 km/h between stops, ferries ~25 km/h, 5 minutes a stop */
          int ferry = (a == 11 && b == 12) || (a == 12 && b == 11) || (a == 15 && b == 16) ||
                      (a == 16 && b == 15);
          double leg = km / (ferry ? 25.0 : 100.0) * 3600.0;
          for (size_t k = 0; k < N_LINKS; k++) {
            int fwd = links[k][0] == a && links[k][1] == b;
            int back = links[k][0] == b && links[k][1] == a;
            if (!fwd && !back)
              continue;
            for (uint32_t j2 = 0; j2 < link_n[k]; j2++) {
              uint32_t idx = fwd ? j2 : link_n[k] - 1 - j2;
              pa->cells[pa->n] = link_first[k] + idx;
              pa->at_s[pa->n++] = (uint32_t)(t + leg * (j2 + 1) / (link_n[k] + 1));
            }
          }
          t += leg + 300;
        }
        pa->cells[pa->n] = station_cell[route[s]];
        pa->at_s[pa->n++] = (uint32_t)t;
      }
    }
  return LS_OK;
nomem:
  return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the geography");
}

uint32_t ls__sim_path_secs(const ls_sim_world *w, uint16_t a, uint16_t b) {
  if (a == b)
    return 0;
  const sim_path *pa = &w->paths[(size_t)a * w->n_places + b];
  return pa->n ? pa->at_s[pa->n - 1] : 0;
}

uint32_t ls__sim_path_cell(const ls_sim_world *w, uint16_t a, uint16_t b, uint32_t into) {
  const sim_path *pa = &w->paths[(size_t)a * w->n_places + b];
  if (a == b || !pa->n)
    return w->places[b].first_cell;
  uint32_t i = 0;
  while (i + 1 < pa->n && pa->at_s[i + 1] <= into)
    i++;
  return pa->cells[i];
}

uint32_t ls__sim_random_cell(const ls_sim_world *w, uint16_t place, uint64_t h) {
  const sim_place *pl = &w->places[place];
  return pl->first_cell + (uint32_t)(((h >> 16) & 0xffffffffu) * pl->n_cells >> 32);
}

/* ------------------------------------------------------ numbers, handsets */
/* Keys are body + 1 < 2^30 in 32 bits: the set is probed at random once
 * a number (1.6M numbers at scale 1M), so its size is cache misses. */
static int num_set_add(ls_sim_world *w, uint32_t key) {
  uint32_t i = (uint32_t)ls__sim_mix3(key, 7, 11) & w->num_set_mask;
  while (w->num_set[i]) {
    if (w->num_set[i] == key)
      return 0;
    i = (i + 1) & w->num_set_mask;
  }
  w->num_set[i] = key;
  return 1;
}

ls_status ls__sim_num_set_reserve(ls_sim_world *w, uint32_t need) {
  if (w->num_set && (uint64_t)need * 2 < (uint64_t)w->num_set_mask + 1)
    return LS_OK;
  uint32_t size = 1024;
  while (size < need * 2u + 16)
    size *= 2;
  uint32_t *old = w->num_set;
  uint32_t old_size = old ? w->num_set_mask + 1 : 0;
  w->num_set = ls_calloc(size, sizeof *w->num_set);
  if (!w->num_set) {
    w->num_set = old;
    return LS_ERR_NOMEM;
  }
  w->num_set_mask = size - 1;
  for (uint32_t i = 0; i < old_size; i++)
    if (old[i])
      num_set_add(w, old[i]);
  ls_free(old);
  return LS_OK;
}

ls_status ls__sim_new_number(ls_sim_world *w, sim_rng *r, uint8_t kind, uint32_t person,
                             uint32_t imei, uint32_t *out) {
  if (w->n_nums + 1 > w->cap_nums || w->n_nums + 1 > w->cap_hot)
    ls__sim_pipe_drain(w); /* the writing thread reads them */
  ls_status rc = grow((void **)&w->nums, &w->cap_nums, w->n_nums + 1, sizeof *w->nums);
  if (!rc)
    rc = grow((void **)&w->hot, &w->cap_hot, w->n_nums + 1, sizeof *w->hot);
  if (!rc)
    rc = ls__sim_num_set_reserve(w, w->n_nums + 1);
  if (rc)
    return rc;
  /* UK mobile numbers +447 followed by 9 digits; the second digit avoids 0
   * and 6 (pagers and personal numbers), as real mobile ranges do. */
  static const char second[] = "12345789";
  uint64_t body;
  for (;;) {
    body = (uint64_t)(second[ls__sim_rng_below(r, 8)] - '0') * 100000000ULL +
           ls__sim_rng_below(r, 100000000u);
    if (num_set_add(w, (uint32_t)body + 1))
      break;
  }
  sim_number *n = &w->nums[w->n_nums];
  memset(n, 0, sizeof *n);
  memcpy(n->str, "+447", 4);
  ls__sim_digits(n->str + 4, body, 9);
  n->str[13] = '\0';
  n->body = body;
  sim_hot *h = &w->hot[w->n_nums];
  memset(h, 0, sizeof *h);
  memcpy(h->digits, n->str + 4, 9);
  h->imei = imei;
  if (imei != SIM_NONE)
    memcpy(h->imei_str, w->imeis[imei], 15);
  n->kind = kind;
  n->person = person;
  n->imei = imei;
  n->from_day = -1;
  n->to_day = -1;
  *out = w->n_nums++;
  return LS_OK;
}

/* 15-digit IMEI: an 8-digit type allocation code, a 6-digit serial and the
 * Luhn check digit, as on real handsets. */
ls_status ls__sim_new_imei(ls_sim_world *w, sim_rng *r, uint32_t *out) {
  static const uint32_t tacs[] = {35332509, 35391110, 35674108, 35875405, 86769104,
                                  35290611, 35425811, 86473503, 35209912, 35161909};
  if (w->n_imeis + 1 > w->cap_imeis)
    ls__sim_pipe_drain(w);
  ls_status rc = grow((void **)&w->imeis, &w->cap_imeis, w->n_imeis + 1, sizeof *w->imeis);
  if (rc)
    return rc;
  char *s = w->imeis[w->n_imeis];
  ls__sim_digits(s, tacs[ls__sim_rng_below(r, 10)], 8);
  ls__sim_digits(s + 8, ls__sim_rng_below(r, 1000000), 6);
  int sum = 0;
  for (int i = 0; i < 14; i++) {
    int dgt = s[i] - '0';
    if (i % 2 == 1) {
      dgt *= 2;
      if (dgt > 9)
        dgt -= 9;
    }
    sum += dgt;
  }
  s[14] = (char)('0' + (10 - sum % 10) % 10);
  s[15] = '\0';
  *out = w->n_imeis++;
  return LS_OK;
}

/* ------------------------------------------------------------ the world */
ls_status ls_sim_world_create(const ls_sim_params *p, ls_sim_world **out, ls_error *err) {
  ls_status rc = ls_sim_params_check(p, err);
  if (rc)
    return rc;
  ls_sim_world *w = ls_calloc(1, sizeof *w);
  if (!w)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  w->p = *p;
  w->day = -1;
  rc = ls__sim_build_geo(w, err);
  if (!rc)
    rc = ls__sim_build_people(w, err);
  if (!rc)
    rc = ls__sim_build_decoys(w, err);
  if (!rc)
    rc = ls__sim_build_lines(w, err);
  if (rc) {
    ls_sim_world_free(w);
    return rc;
  }
  *out = w;
  return LS_OK;
}

void ls_sim_world_free(ls_sim_world *w) {
  if (!w)
    return;
  if (w->paths)
    for (uint32_t i = 0; i < w->n_places * w->n_places; i++) {
      ls_free(w->paths[i].cells);
      ls_free(w->paths[i].at_s);
    }
  ls_free(w->paths);
  ls_free(w->places);
  ls_free(w->cells);
  ls_free(w->nums);
  ls_free(w->hot);
  ls_free(w->imeis);
  ls_free(w->num_set);
  ls_free(w->people_mem);
  ls_free(w->ext);
  ls_free(w->tie_a);
  ls_free(w->tie_b);
  ls_free(w->tie_rate);
  ls_free(w->tie_p0);
  ls_free(w->tie_a_share);
  ls_free(w->tie_sms);
  ls_free(w->adj);
  ls_free(w->addrs);
  for (uint32_t i = 0; i < w->n_lines; i++)
    ls_free(w->lines[i].nums);
  ls_free(w->lines);
  ls_free(w->cust);
  ls_free(w->cust_seen);
  for (uint32_t i = 0; i < w->n_biz; i++)
    ls_free(w->biz[i].members);
  ls_free(w->biz);
  ls_free(w->users);
  ls_free(w->buf[0].ev);
  ls_free(w->buf[1].ev);
  ls_free(w->ev_tmp);
  ls_free(w->contacts);
  ls_free(w->quiet_bits);
  ls_free(w->changers);
  ls_free(w);
}

void ls__sim_emit(ls_sim_world *w, uint32_t sec, uint8_t type, uint32_t caller, uint32_t callee,
                  int32_t duration, uint32_t caller_cell, uint32_t callee_cell) {
  if (w->ev_rc || caller == callee)
    return;
  sim_evbuf *b = &w->buf[w->fill];
  if (b->n == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 65536;
    sim_ev *q = ls_reallocarray(b->ev, nc, sizeof *q);
    if (!q) {
      w->ev_rc = LS_ERR_NOMEM;
      return;
    }
    b->ev = q;
    b->cap = nc;
  }
  if (sec >= SIM_DAY_S)
    sec = SIM_DAY_S - 1;
  sim_ev *e = &b->ev[b->n++];
  e->sec_type = sec << 1 | (type & 1u);
  e->caller = caller;
  e->callee = callee;
  e->duration = type == LS_EV_SMS ? 0 : duration;
  e->caller_cell = caller_cell == SIM_NONE ? (uint16_t)SIM_EV_NO_CELL : (uint16_t)caller_cell;
  e->callee_cell = callee_cell == SIM_NONE ? (uint16_t)SIM_EV_NO_CELL : (uint16_t)callee_cell;
}

static const double h_social[24] = {0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 2.6, 3.0, 3.2, 3.4,
                                    3.8, 3.6, 3.4, 3.4, 3.8, 4.2, 4.6, 4.8, 4.6, 4.0, 2.8, 1.5};
static const double h_taxi[24] = {3.0, 2.5, 1.8, 1.0, 0.6, 0.8, 1.5, 2.2, 2.2, 1.5, 1.2, 1.2,
                                  1.4, 1.4, 1.4, 1.6, 2.0, 2.4, 2.6, 2.8, 3.0, 3.4, 3.8, 3.6};
static const double h_takeaway[24] = {0.3, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.4,
                                      0.8, 0.6, 0.3, 0.3, 0.6, 2.0, 4.0, 5.0, 4.2, 2.8, 1.6, 0.8};
static const double h_work[24] = {0, 0, 0, 0, 0, 0, 0, 0.3, 2.0, 3.0, 3.2, 3.0,
                                  2.2, 2.8, 3.0, 3.0, 2.6, 1.6, 0.5, 0.1, 0, 0, 0, 0};
/* Deal lines answer at all hours ("on till 1"), busiest afternoon/evening. */
static const double h_deal[24] = {1.6, 1.2, 0.7, 0.4, 0.3, 0.3, 0.6, 1.0, 1.6, 2.2, 2.8, 3.0,
                                  3.2, 3.2, 3.2, 3.4, 3.6, 3.8, 4.0, 4.0, 3.8, 3.4, 2.8, 2.2};
static const double h_advert[24] = {0.5, 0.3, 0, 0, 0, 0, 0.2, 1.0, 1.5, 2.0, 2.0, 2.0,
                                    2.0, 1.8, 1.8, 2.0, 2.0, 2.2, 2.2, 2.0, 1.8, 1.5, 1.2, 0.8};
static const double h_evening[24] = {0.2, 0, 0, 0, 0, 0, 0, 0.3, 0.6, 1.0, 1.2, 1.2,
                                     1.2, 1.0, 1.0, 1.2, 1.6, 2.2, 3.0, 3.4, 3.0, 2.2, 1.2, 0.6};

static void day_start(ls_sim_world *w, int32_t day) {
  w->day = day;
  w->day_t0 = w->p.start + (int64_t)day * SIM_DAY_S;
  w->utc_offset_h = uk_offset_hours(w->day_t0 + 43200);
  w->weekday = (int)(((w->day_t0 / 86400) + 3) % 7);
  ls__sim_profile_build(&w->pr_social, h_social, w->utc_offset_h);
  ls__sim_profile_build(&w->pr_taxi, h_taxi, w->utc_offset_h);
  ls__sim_profile_build(&w->pr_takeaway, h_takeaway, w->utc_offset_h);
  ls__sim_profile_build(&w->pr_work, h_work, w->utc_offset_h);
  ls__sim_profile_build(&w->pr_deal, h_deal, w->utc_offset_h);
  ls__sim_profile_build(&w->pr_advert, h_advert, w->utc_offset_h);
  ls__sim_profile_build(&w->pr_evening, h_evening, w->utc_offset_h);
  w->buf[w->fill].n = 0;
}

/* Room in the radix sort's scratch buffer for n events; done on the
 * generating thread (all allocation stays on one thread). */
static ls_status reserve_tmp(ls_sim_world *w, size_t n, ls_error *err) {
  if (n <= w->cap_tmp)
    return LS_OK;
  size_t nc = w->buf[w->fill].cap;
  sim_ev *q = ls_reallocarray(w->ev_tmp, nc, sizeof *q);
  if (!q)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory sorting day %d", (int)w->day);
  w->ev_tmp = q;
  w->cap_tmp = nc;
  return LS_OK;
}

/* Orders a day by second: LSD radix sort on 9 then 8 bits of the second
 * (< 2^17). Stable, so events of the same second keep the (deterministic)
 * order they were generated in. Two sequential passes with 512 and 169
 * write streams replaced a counting sort over 86,400 buckets whose gather
 * missed the cache on every event (perf: 10% of a run at scale 1M). */
static void sort_ev(sim_ev *ev, sim_ev *tmp, size_t n) {
  uint32_t c0[512], c1[256];
  memset(c0, 0, sizeof c0);
  memset(c1, 0, sizeof c1);
  for (size_t i = 0; i < n; i++) {
    uint32_t sec = ev[i].sec_type >> 1;
    c0[sec & 511]++;
    c1[sec >> 9]++;
  }
  uint32_t a0 = 0, a1 = 0;
  for (int i = 0; i < 512; i++) {
    uint32_t c = c0[i];
    c0[i] = a0;
    a0 += c;
  }
  for (int i = 0; i < 256; i++) {
    uint32_t c = c1[i];
    c1[i] = a1;
    a1 += c;
  }
  for (size_t i = 0; i < n; i++)
    tmp[c0[(ev[i].sec_type >> 1) & 511]++] = ev[i];
  for (size_t i = 0; i < n; i++)
    ev[c1[tmp[i].sec_type >> 10]++] = tmp[i];
}

/* Generates day d into buf[fill], in generation order. */
static ls_status gen_day(ls_sim_world *w, uint32_t d, ls_error *err) {
  day_start(w, (int32_t)d);
  ls__sim_people_day_start(w);
  ls_status rc = ls__sim_lines_day(w);
  if (!rc)
    rc = ls__sim_quiet_bits(w);
  if (!rc) {
    ls__sim_decoys_day(w);
    ls__sim_people_day(w);
    rc = w->ev_rc;
  }
  if (rc)
    return LS_FAIL(err, rc, "out of memory generating day %u", d);
  return LS_OK;
}

/* Sorts a day and hands it to the sink in chunks of ls_sim_event. Small chunks:
 * the numbers' records fetched here are still in cache when the sink
 * formats them. Reads only what does not change once created (handset ids
 * and strings, cells); marks the numbers used for truth.json. */
enum { SIM_CHUNK = 1024 };
static ls_status emit_day(ls_sim_world *w, sim_ev *ev, size_t n, int64_t t0,
                          ls_sim_event *chunk, ls_sim_sink_fn sink, void *ctx, ls_error *err) {
  sort_ev(ev, w->ev_tmp, n);
  sim_hot *hot = w->hot;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    /* the numbers' records are cache misses at scale: ask for them early */
    if (i + 12 < n) {
      __builtin_prefetch(&hot[ev[i + 12].caller], 1);
      __builtin_prefetch(&hot[ev[i + 12].callee], 1);
    }
    const sim_ev *e = &ev[i];
    ls_sim_event *o = &chunk[k++];
    o->start = t0 + (e->sec_type >> 1);
    o->type = (uint8_t)(e->sec_type & 1);
    o->caller = e->caller;
    o->callee = e->callee;
    o->caller_cell = e->caller_cell == SIM_EV_NO_CELL ? LS_NO_ID : e->caller_cell;
    o->callee_cell = e->callee_cell == SIM_EV_NO_CELL ? LS_NO_ID : e->callee_cell;
    sim_hot *hc = &hot[e->caller], *he = &hot[e->callee];
    o->caller_imei = hc->imei;
    o->callee_imei = he->imei;
    o->duration = e->duration;
    hc->used = 1;
    he->used = 1;
    if (k == SIM_CHUNK) {
      ls_status rc = sink(ctx, w, chunk, k, err);
      if (rc)
        return rc;
      k = 0;
    }
  }
  return k ? sink(ctx, w, chunk, k, err) : LS_OK;
}

ls_status ls_sim_world_run(ls_sim_world *w, ls_sim_sink_fn sink, void *ctx, ls_error *err) {
  if (w->day >= 0)
    return LS_FAIL(err, LS_ERR_USAGE, "a simulated world can be run only once");
  ls_status rc = LS_OK;
  ls_sim_event *chunk = ls_reallocarray(NULL, SIM_CHUNK, sizeof *chunk);
  if (!chunk)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  for (uint32_t d = 0; d < w->p.days && !rc; d++) {
    rc = gen_day(w, d, err);
    if (!rc)
      rc = reserve_tmp(w, w->buf[w->fill].n, err);
    if (rc)
      break;
    sim_evbuf *b = &w->buf[w->fill];
    rc = emit_day(w, b->ev, b->n, w->day_t0, chunk, sink, ctx, err);
    w->events_total += b->n;
  }
  ls_free(chunk);
  return rc;
}

/* ------------------------------------------------ days on a second thread */
/* Sorting a day and the sink's share (ids to rows, and in the CSV writer
 * the formatting) are about as much work as generating it, so on two cores
 * day d is sorted and written while day d+1 is generated. Generation never
 * reads what this side writes (the `used` marks, the sort scratch) and the
 * sink reads only records that do not change once created; the arrays it
 * reads (numbers, handsets) are grown only after the writing thread has
 * finished its day (ls__sim_pipe_drain). The random draws are the same as
 * in ls_sim_world_run, so the output is the same bytes. */
typedef struct sim_pipe {
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ls_sim_world *w;
  ls_sim_sink_fn sink;
  void *ctx;
  ls_sim_event *chunk;
  sim_ev *ev; /* the day handed over; NULL once written */
  size_t n;
  int64_t t0;
  int stop;
  ls_status rc; /* first failure of the sink */
  ls_error err;
} sim_pipe;

static void *pipe_main(void *arg) {
  sim_pipe *pp = arg;
  pthread_mutex_lock(&pp->mu);
  for (;;) {
    while (!pp->ev && !pp->stop)
      pthread_cond_wait(&pp->cv, &pp->mu);
    if (!pp->ev)
      break;
    sim_ev *ev = pp->ev;
    size_t n = pp->n;
    int64_t t0 = pp->t0;
    ls_status rc = pp->rc;
    pthread_mutex_unlock(&pp->mu);
    ls_error err;
    ls_error_clear(&err);
    if (!rc) /* after a failure the remaining days are only released */
      rc = emit_day(pp->w, ev, n, t0, pp->chunk, pp->sink, pp->ctx, &err);
    pthread_mutex_lock(&pp->mu);
    if (rc && !pp->rc) {
      pp->rc = rc;
      pp->err = err;
    }
    pp->ev = NULL;
    pthread_cond_broadcast(&pp->cv);
  }
  pthread_mutex_unlock(&pp->mu);
  return NULL;
}

void ls__sim_pipe_drain(ls_sim_world *w) {
  sim_pipe *pp = w->pipe;
  if (!pp)
    return;
  pthread_mutex_lock(&pp->mu);
  while (pp->ev)
    pthread_cond_wait(&pp->cv, &pp->mu);
  pthread_mutex_unlock(&pp->mu);
}

ls_status ls__sim_world_run_piped(ls_sim_world *w, ls_sim_sink_fn sink, void *ctx,
                                  ls_error *err) {
  if (w->day >= 0)
    return LS_FAIL(err, LS_ERR_USAGE, "a simulated world can be run only once");
  sim_pipe *pp = ls_calloc(1, sizeof *pp);
  ls_sim_event *chunk = ls_reallocarray(NULL, SIM_CHUNK, sizeof *chunk);
  if (!pp || !chunk) {
    ls_free(pp);
    ls_free(chunk);
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  }
  pp->w = w;
  pp->sink = sink;
  pp->ctx = ctx;
  pp->chunk = chunk;
  int started = 0;
  if (!pthread_mutex_init(&pp->mu, NULL)) {
    if (!pthread_cond_init(&pp->cv, NULL)) {
      if (!pthread_create(&pp->th, NULL, pipe_main, pp))
        started = 1;
      else
        pthread_cond_destroy(&pp->cv);
    }
    if (!started)
      pthread_mutex_destroy(&pp->mu);
  }
  if (!started) { /* no second thread: the same days on this one */
    ls_free(chunk);
    ls_free(pp);
    return ls_sim_world_run(w, sink, ctx, err);
  }
  w->pipe = pp;
  ls_status rc = LS_OK;
  for (uint32_t d = 0; d < w->p.days; d++) {
    rc = gen_day(w, d, err);
    if (rc)
      break;
    const sim_evbuf *b = &w->buf[w->fill];
    pthread_mutex_lock(&pp->mu);
    while (pp->ev && !pp->rc) /* the other buffer's day still being written */
      pthread_cond_wait(&pp->cv, &pp->mu);
    int failed = pp->rc != LS_OK;
    /* the other thread is idle: its sort scratch can grow */
    if (!failed && (rc = reserve_tmp(w, b->n, err)) != LS_OK)
      failed = 1;
    if (!failed) {
      pp->ev = b->ev;
      pp->n = b->n;
      pp->t0 = w->day_t0;
      pthread_cond_broadcast(&pp->cv);
    }
    pthread_mutex_unlock(&pp->mu);
    if (failed)
      break;
    w->events_total += b->n;
    w->fill ^= 1; /* the next day goes into the buffer just written */
  }
  pthread_mutex_lock(&pp->mu);
  pp->stop = 1;
  pthread_cond_broadcast(&pp->cv);
  pthread_mutex_unlock(&pp->mu);
  pthread_join(pp->th, NULL);
  w->pipe = NULL;
  if (!rc && pp->rc) {
    rc = pp->rc;
    if (err)
      *err = pp->err;
  }
  pthread_cond_destroy(&pp->cv);
  pthread_mutex_destroy(&pp->mu);
  ls_free(chunk);
  ls_free(pp);
  return rc;
}

const char *ls_sim_number(const ls_sim_world *w, uint32_t id) {
  return id < w->n_nums ? w->nums[id].str : "";
}
const char *ls_sim_cell_id(const ls_sim_world *w, uint32_t id) {
  return id < w->n_cells ? w->cells[id].id : "";
}
const char *ls_sim_imei(const ls_sim_world *w, uint32_t id) {
  return id < w->n_imeis ? w->imeis[id] : "";
}
size_t ls_sim_number_count(const ls_sim_world *w) { return w->n_nums; }
uint64_t ls_sim_event_count(const ls_sim_world *w) { return w->events_total; }
