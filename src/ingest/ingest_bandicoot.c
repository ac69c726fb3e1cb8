/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bandicoot's records, antennas and recharges files (ls_ingest_bandicoot.h).
 *
 * The validity rules are bandicoot's io.filter_record (SPEC.md s.2 in
 * ../shared/peer/bandicoot): a record is ignored when its interaction is not
 * call/text/gps, its direction not in/out, its correspondent empty, its
 * datetime unparsable, a call has no integer duration, or a gps record has no
 * position; each failing field is counted and `all` counts the record once.
 * Ignored records are also reported to the caller (file, line, text, reason)
 * so that nothing is dropped silently. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "linesight/ls_qsort.h"
#include "core/ls_mem.h"
#include "ingest/ingest_csv.h"
#include "linesight/ls_ingest_bandicoot.h"

/* bandicoot's Record.matches: the two sides of one event are less than 30 s
 * apart (core.py). */
#define NETWORK_MATCH_S 30

void ls_bc_user_init(ls_bc_user *u) {
  memset(u, 0, sizeof *u);
  ls_dict_init(&u->correspondents);
  ls_dict_init(&u->positions);
}

void ls_bc_user_free(ls_bc_user *u) {
  if (!u)
    return;
  ls_free(u->records);
  ls_free(u->recharges);
  ls_dict_free(&u->correspondents);
  ls_dict_free(&u->positions);
  ls_free(u->pos_lat);
  ls_free(u->pos_lon);
  ls_free(u->name);
  memset(u, 0, sizeof *u);
}

static ls_status nomem(ls_error *err) {
  return LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading bandicoot records");
}

ls_status ls_bc_user_push(ls_bc_user *u, const ls_bc_record *r, ls_error *err) {
  if (u->n_records == u->cap_records) {
    size_t cap = u->cap_records ? u->cap_records * 2 : 256;
    ls_bc_record *p = ls_reallocarray(u->records, cap, sizeof *p);
    if (!p)
      return nomem(err);
    u->records = p;
    u->cap_records = cap;
  }
  u->records[u->n_records++] = *r;
  return LS_OK;
}

/* Keeps pos_lat/pos_lon as long as the positions dictionary. */
static ls_status grow_positions(ls_bc_user *u, uint32_t id, ls_error *err) {
  if (id < u->cap_pos)
    return LS_OK;
  size_t cap = u->cap_pos ? u->cap_pos : 64;
  while (cap <= id)
    cap *= 2;
  double *la = ls_reallocarray(u->pos_lat, cap, sizeof *la);
  if (!la)
    return nomem(err);
  u->pos_lat = la;
  double *lo = ls_reallocarray(u->pos_lon, cap, sizeof *lo);
  if (!lo)
    return nomem(err);
  u->pos_lon = lo;
  for (size_t i = u->cap_pos; i < cap; i++)
    u->pos_lat[i] = u->pos_lon[i] = NAN;
  u->cap_pos = cap;
  return LS_OK;
}

ls_status ls_bc_user_antenna(ls_bc_user *u, const char *id, size_t len, uint32_t *pos, ls_error *err) {
  ls_status rc = ls_dict_intern(&u->positions, id, len, pos);
  if (rc)
    return rc == LS_ERR_NOMEM ? nomem(err) : LS_FAIL(err, rc, "too many antennas");
  return grow_positions(u, *pos, err);
}

ls_status ls_bc_user_location(ls_bc_user *u, double lat, double lon, uint32_t *pos, ls_error *err) {
  char name[80];
  /* '@' cannot start an antenna id read from a file we key this way, so a
   * located record never collides with an antenna of the same text */
  int n = snprintf(name, sizeof name, "@%.9g,%.9g", lat, lon);
  ls_status rc = ls_bc_user_antenna(u, name, (size_t)n, pos, err);
  if (!rc) {
    u->pos_lat[*pos] = lat;
    u->pos_lon[*pos] = lon;
  }
  return rc;
}

ls_status ls_bc_user_set_location(ls_bc_user *u, const char *id, size_t len, double lat, double lon,
                                  ls_error *err) {
  uint32_t pos;
  ls_status rc = ls_bc_user_antenna(u, id, len, &pos, err);
  if (!rc) {
    u->pos_lat[pos] = lat;
    u->pos_lon[pos] = lon;
  }
  return rc;
}

static int cmp_record(const void *a, const void *b) {
  const ls_bc_record *x = a, *y = b;
  return (x->local > y->local) - (x->local < y->local);
}

ls_status ls_bc_user_sort(ls_bc_user *u, ls_error *err) {
  /* A stable sort: merge sort over a scratch copy (qsort is not stable and
   * bandicoot keeps file order among records of the same second). */
  size_t n = u->n_records;
  if (n < 2)
    return LS_OK;
  ls_bc_record *tmp = ls_malloc(n * sizeof *tmp);
  if (!tmp)
    return nomem(err);
  ls_bc_record *a = u->records, *b = tmp;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        b[k++] = cmp_record(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
      while (i < mid)
        b[k++] = a[i++];
      while (j < hi)
        b[k++] = a[j++];
    }
    ls_bc_record *t = a;
    a = b;
    b = t;
  }
  if (a != u->records)
    memcpy(u->records, a, n * sizeof *a);
  ls_free(tmp);
  return LS_OK;
}

/* ---- field parsing -------------------------------------------------------- */

static int read_int(const char *s, size_t len, size_t *at, int digits_min, int digits_max, int *v) {
  size_t i = *at, d = 0;
  int x = 0;
  while (i < len && s[i] >= '0' && s[i] <= '9' && (int)d < digits_max) {
    x = x * 10 + (s[i] - '0');
    i++;
    d++;
  }
  if ((int)d < digits_min)
    return 0;
  *at = i;
  *v = x;
  return 1;
}

static int days_in_month(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return dm[m - 1];
}

static int64_t days_from_civil(int y, int m, int d) { /* H. Hinnant's algorithm */
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

ls_status ls_bc_parse_datetime(const char *s, size_t len, int date_only_ok, int64_t *local) {
  size_t at = 0;
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!read_int(s, len, &at, 4, 4, &y) || at >= len || s[at++] != '-' ||
      !read_int(s, len, &at, 1, 2, &mo) || at >= len || s[at++] != '-' ||
      !read_int(s, len, &at, 1, 2, &d))
    return LS_ERR_INPUT;
  if (at < len || !date_only_ok) {
    if (at >= len || s[at++] != ' ' || !read_int(s, len, &at, 1, 2, &h) || at >= len ||
        s[at++] != ':' || !read_int(s, len, &at, 1, 2, &mi) || at >= len || s[at++] != ':' ||
        !read_int(s, len, &at, 1, 2, &se) || at != len)
      return LS_ERR_INPUT;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
    return LS_ERR_INPUT;
  *local = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return LS_OK;
}

/* Python's int(): optional blanks, optional sign, digits, optional blanks. */
static int parse_int(const char *s, size_t len, long *v) {
  char buf[32];
  if (len == 0 || len >= sizeof buf)
    return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  char *end;
  errno = 0;
  long x = strtol(buf, &end, 10);
  if (end == buf || errno)
    return 0;
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end)
    return 0;
  *v = x;
  return 1;
}

static int parse_double(const char *s, size_t len, double *v) {
  char buf[64];
  if (len == 0 || len >= sizeof buf)
    return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  char *end;
  errno = 0;
  double x = strtod(buf, &end);
  if (end == buf || errno || !isfinite(x))
    return 0;
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end)
    return 0;
  *v = x;
  return 1;
}

static int span_eq(const char *s, size_t len, const char *w) {
  return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* ---- records ---------------------------------------------------------------- */

typedef struct fields {
  const char *inter, *dir, *corr, *when, *dur, *ant, *lat, *lon;
  size_t inter_n, dir_n, corr_n, when_n, dur_n, ant_n, lat_n, lon_n;
  int has_ant, has_latlon;
} fields;

/* Validates one record and appends it, or counts and reports it. */
static ls_status add_record(ls_bc_user *u, const fields *f, const char *file, long line, const char *raw,
                            size_t raw_len, ls_bc_reject_fn on_reject, void *rctx, ls_error *err) {
  ls_bc_record r = {0};
  char reason[200];
  size_t rl = 0;
  int bad = 0;
  reason[0] = 0;
#define FAIL_FIELD(counter, text)                                                                  \
  do {                                                                                             \
    u->ignored.counter++;                                                                          \
    bad = 1;                                                                                       \
    rl += (size_t)snprintf(reason + rl, sizeof reason - rl, "%s%s", rl ? "; " : "", text);         \
    if (rl >= sizeof reason)                                                                       \
      rl = sizeof reason - 1;                                                                      \
  } while (0)

  if (span_eq(f->inter, f->inter_n, "call"))
    r.interaction = LS_BC_CALL;
  else if (span_eq(f->inter, f->inter_n, "text"))
    r.interaction = LS_BC_TEXT;
  else if (span_eq(f->inter, f->inter_n, "gps"))
    r.interaction = LS_BC_GPS;
  else
    FAIL_FIELD(interaction, "interaction: not call, text or gps");
  if (span_eq(f->dir, f->dir_n, "in"))
    r.out = 0;
  else if (span_eq(f->dir, f->dir_n, "out"))
    r.out = 1;
  else
    FAIL_FIELD(direction, "direction: not in or out");
  if (f->corr_n == 0)
    FAIL_FIELD(correspondent_id, "correspondent_id: empty");
  if (ls_bc_parse_datetime(f->when, f->when_n, 0, &r.local))
    FAIL_FIELD(datetime, "datetime: not YYYY-MM-DD HH:MM:SS");
  long dur = -1;
  int dur_ok = parse_int(f->dur, f->dur_n, &dur) && dur >= INT32_MIN && dur <= INT32_MAX;
  r.duration = dur_ok ? (int32_t)dur : -1;
  int is_call = span_eq(f->inter, f->inter_n, "call");
  if (is_call && !dur_ok)
    FAIL_FIELD(call_duration, "call_duration: a call needs whole seconds");
  /* position */
  int located = 0;
  double lat = 0, lon = 0;
  if (!f->has_ant && f->has_latlon)
    located = parse_double(f->lat, f->lat_n, &lat) && parse_double(f->lon, f->lon_n, &lon);
  int has_position = f->has_ant ? f->ant_n > 0 : located;
  int is_calltext = is_call || span_eq(f->inter, f->inter_n, "text");
  if (!is_calltext && !has_position)
    FAIL_FIELD(location, "location: a gps record needs a position");
#undef FAIL_FIELD
  if (bad) {
    u->ignored.all++;
    if (on_reject)
      return on_reject(rctx, file, line, raw, raw_len, reason);
    return LS_OK;
  }
  ls_status rc = ls_dict_intern(&u->correspondents, f->corr, f->corr_n, &r.correspondent);
  if (rc)
    return rc == LS_ERR_NOMEM ? nomem(err) : LS_FAIL(err, rc, "too many correspondents");
  if (located)
    rc = ls_bc_user_location(u, lat, lon, &r.position, err);
  else
    rc = ls_bc_user_antenna(u, f->has_ant ? f->ant : "", f->has_ant ? f->ant_n : 0, &r.position, err);
  if (!rc)
    rc = ls_bc_user_push(u, &r, err);
  return rc;
}

static ls_status set_name(ls_bc_user *u, const char *path, ls_error *err) {
  if (u->name)
    return LS_OK;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 4 && !strcmp(base + n - 4, ".csv"))
    n -= 4;
  u->name = ls_strndup(base, n);
  return u->name ? LS_OK : nomem(err);
}

/* bandicoot's "orange" layout: ';'-separated, no header,
 * call_record_type;basic_service;user_msisdn;call_partner_identity;datetime;
 * call_duration;longitude;latitude (1 = out, 2 = in; 11/12 call, 21/22 text). */
static ls_status read_orange(const char *path, ls_bc_user *u, ls_bc_reject_fn on_reject, void *rctx,
                             ls_error *err) {
  FILE *fp = fopen(path, "r");
  if (!fp)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  long lineno = 0;
  ls_status rc = LS_OK;
  while (!rc && (got = getline(&line, &cap, fp)) != -1) {
    lineno++;
    size_t len = (size_t)got;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    if (len == 0)
      continue;
    const char *part[8];
    size_t plen[8], np = 0, start = 0;
    for (size_t i = 0; i <= len && np < 8; i++)
      if (i == len || line[i] == ';') {
        part[np] = line + start;
        plen[np++] = i - start;
        start = i + 1;
      }
    if (np < 8) {
      u->ignored.all++;
      if (on_reject)
        rc = on_reject(rctx, path, lineno, line, len, "orange layout: expected 8 ';'-separated fields");
      continue;
    }
    fields f = {0};
    int out = span_eq(part[0], plen[0], "1");
    int call = span_eq(part[1], plen[1], "11") || span_eq(part[1], plen[1], "12");
    f.inter = call ? "call" : "text";
    f.inter_n = 4;
    f.dir = out ? "out" : "in";
    f.dir_n = out ? 3 : 2;
    f.corr = part[3];
    f.corr_n = plen[3];
    f.when = part[4];
    f.when_n = plen[4];
    f.dur = part[5];
    f.dur_n = plen[5];
    f.lon = part[6];
    f.lon_n = plen[6];
    f.lat = part[7];
    f.lat_n = plen[7];
    f.has_latlon = 1;
    rc = add_record(u, &f, path, lineno, line, len, on_reject, rctx, err);
  }
  free(line); /* allocated by getline */
  if (!rc && ferror(fp))
    rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "read error");
  fclose(fp);
  return rc;
}

static int looks_orange(const char *path) {
  FILE *fp = fopen(path, "r");
  if (!fp)
    return 0;
  char buf[512];
  int orange = 0;
  if (fgets(buf, sizeof buf, fp))
    orange = strchr(buf, ';') && !strstr(buf, "interaction");
  fclose(fp);
  return orange;
}

ls_status ls_ingest_read_bandicoot(const char *path, ls_bc_user *u, ls_bc_reject_fn on_reject,
                                   void *rctx, ls_error *err) {
  ls_status rc = set_name(u, path, err);
  if (rc)
    return rc;
  if (looks_orange(path)) {
    rc = read_orange(path, u, on_reject, rctx, err);
    return rc ? rc : ls_bc_user_sort(u, err);
  }
  ls_csv csv;
  memset(&csv, 0, sizeof csv);
  rc = ls_csv_open(&csv, path, err);
  if (rc)
    return rc;
  rc = ls_csv_read_header(&csv, err);
  if (rc == LS_ERR_INPUT && ls_csv_header_count(&csv) == 0) {
    /* an empty file is a subscriber without records */
    ls_csv_close(&csv);
    ls_error_clear(err);
    return LS_OK;
  }
  if (rc)
    goto out;
  ls_csv_col cols[] = {{"interaction", 1, -1},    {"direction", 1, -1}, {"correspondent_id", 1, -1},
                       {"datetime", 1, -1},       {"call_duration", 1, -1}, {"antenna_id", 0, -1},
                       {"latitude", 0, -1},       {"longitude", 0, -1}};
  rc = ls_csv_map_columns(&csv, cols, sizeof cols / sizeof cols[0], err);
  if (rc)
    goto out;
  while ((rc = ls_csv_next(&csv)) != LS_DONE) {
    size_t rawn;
    const char *raw;
    if (rc == LS_ERR_INPUT) {
      raw = ls_csv_raw(&csv, &rawn);
      u->ignored.all++;
      rc = on_reject ? on_reject(rctx, path, ls_csv_line(&csv), raw, rawn, ls_csv_reason(&csv)) : LS_OK;
      if (rc)
        goto out;
      continue;
    }
    if (rc < 0) {
      rc = nomem(err);
      goto out;
    }
    fields f = {0};
    f.inter = ls_csv_field(&csv, cols[0].index, &f.inter_n);
    f.dir = ls_csv_field(&csv, cols[1].index, &f.dir_n);
    f.corr = ls_csv_field(&csv, cols[2].index, &f.corr_n);
    f.when = ls_csv_field(&csv, cols[3].index, &f.when_n);
    f.dur = ls_csv_field(&csv, cols[4].index, &f.dur_n);
    f.has_ant = cols[5].index >= 0;
    f.ant = ls_csv_field(&csv, cols[5].index, &f.ant_n);
    f.has_latlon = cols[6].index >= 0 && cols[7].index >= 0;
    f.lat = ls_csv_field(&csv, cols[6].index, &f.lat_n);
    f.lon = ls_csv_field(&csv, cols[7].index, &f.lon_n);
    raw = ls_csv_raw(&csv, &rawn);
    rc = add_record(u, &f, path, ls_csv_line(&csv), raw, rawn, on_reject, rctx, err);
    if (rc)
      goto out;
  }
  rc = ls_bc_user_sort(u, err);
out:
  ls_csv_close(&csv);
  return rc;
}

/* ---- antennas and recharges ------------------------------------------------- */

ls_status ls_ingest_read_bandicoot_antennas(const char *path, ls_bc_user *u, ls_error *err) {
  ls_csv csv;
  memset(&csv, 0, sizeof csv);
  ls_status rc = ls_csv_open(&csv, path, err);
  if (rc)
    return rc;
  rc = ls_csv_read_header(&csv, err);
  if (rc)
    goto out;
  long id_col = ls_csv_column(&csv, "antenna_id");
  if (id_col < 0)
    id_col = ls_csv_column(&csv, "place_id");
  ls_csv_col cols[] = {{"latitude", 1, -1}, {"longitude", 1, -1}};
  if (id_col < 0) {
    rc = ls_error_set(err, LS_ERR_INPUT, path, 1, 0, "missing column 'antenna_id'");
    goto out;
  }
  rc = ls_csv_map_columns(&csv, cols, 2, err);
  if (rc)
    goto out;
  while ((rc = ls_csv_next(&csv)) != LS_DONE) {
    if (rc == LS_ERR_INPUT) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, ls_csv_line(&csv), (int)ls_csv_error_field(&csv), "%s",
                        ls_csv_reason(&csv));
      goto out;
    }
    if (rc < 0) {
      rc = nomem(err);
      goto out;
    }
    size_t idn, lan, lon_n;
    const char *id = ls_csv_field(&csv, id_col, &idn);
    const char *la = ls_csv_field(&csv, cols[0].index, &lan);
    const char *lo = ls_csv_field(&csv, cols[1].index, &lon_n);
    double lat, lon;
    if (!parse_double(la, lan, &lat) || !parse_double(lo, lon_n, &lon)) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, ls_csv_line(&csv),
                        (int)(parse_double(la, lan, &lat) ? cols[1].index : cols[0].index) + 1,
                        "antenna '%.*s': latitude and longitude must be numbers", (int)(idn > 60 ? 60 : idn),
                        id);
      goto out;
    }
    rc = ls_bc_user_set_location(u, id, idn, lat, lon, err);
    if (rc)
      goto out;
    u->n_antennas++;
  }
  rc = LS_OK;
out:
  ls_csv_close(&csv);
  return rc;
}

static int cmp_recharge(const void *a, const void *b) {
  const ls_bc_recharge *x = a, *y = b;
  return (x->local > y->local) - (x->local < y->local);
}

ls_status ls_ingest_read_bandicoot_recharges(const char *path, ls_bc_user *u, ls_error *err) {
  ls_csv csv;
  memset(&csv, 0, sizeof csv);
  ls_status rc = ls_csv_open(&csv, path, err);
  if (rc)
    return rc;
  rc = ls_csv_read_header(&csv, err);
  if (rc)
    goto out;
  ls_csv_col cols[] = {{"datetime", 1, -1}, {"amount", 1, -1}};
  rc = ls_csv_map_columns(&csv, cols, 2, err);
  if (rc)
    goto out;
  u->has_recharges = 1;
  while ((rc = ls_csv_next(&csv)) != LS_DONE) {
    if (rc == LS_ERR_INPUT) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, ls_csv_line(&csv), (int)ls_csv_error_field(&csv), "%s",
                        ls_csv_reason(&csv));
      goto out;
    }
    if (rc < 0) {
      rc = nomem(err);
      goto out;
    }
    size_t wn, an;
    const char *w = ls_csv_field(&csv, cols[0].index, &wn);
    const char *a = ls_csv_field(&csv, cols[1].index, &an);
    ls_bc_recharge r = {0};
    if (ls_bc_parse_datetime(w, wn, 1, &r.local)) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, ls_csv_line(&csv), (int)cols[0].index + 1,
                        "datetime: not YYYY-MM-DD [HH:MM:SS]");
      goto out;
    }
    if (an > 0 && !parse_double(a, an, &r.amount)) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, ls_csv_line(&csv), (int)cols[1].index + 1,
                        "amount: not a number");
      goto out;
    }
    if (u->n_recharges == u->cap_recharges) {
      size_t cap = u->cap_recharges ? u->cap_recharges * 2 : 32;
      ls_bc_recharge *p = ls_reallocarray(u->recharges, cap, sizeof *p);
      if (!p) {
        rc = nomem(err);
        goto out;
      }
      u->recharges = p;
      u->cap_recharges = cap;
    }
    u->recharges[u->n_recharges++] = r;
  }
  rc = LS_OK;
  /* stable enough: equal times keep no meaning for the recharge indicators
   * except interevent gaps of 0, which do not depend on order; qsort's
   * array must not be NULL, even for none (a header-only file, found by
   * fuzzing) */
  if (u->n_recharges > 1)
    ls_qsort(u->recharges, u->n_recharges, sizeof *u->recharges, cmp_recharge);
out:
  ls_csv_close(&csv);
  return rc;
}

/* ---- network filter ---------------------------------------------------------- */

static int record_matches(const ls_bc_record *a, const ls_bc_record *b) {
  int64_t dt = a->local - b->local;
  if (dt < 0)
    dt = -dt;
  return a->interaction == b->interaction && a->out != b->out && a->duration == b->duration &&
         dt < NETWORK_MATCH_S;
}

ls_status ls_ingest_bandicoot_network_filter(ls_bc_user *u, const char *dir, size_t *dropped,
                                             ls_error *err) {
  ls_status rc = LS_OK;
  size_t ncorr = u->correspondents.count;
  uint8_t *drop = ls_calloc(u->n_records ? u->n_records : 1, 1);
  *dropped = 0;
  if (!drop)
    return nomem(err);
  for (uint32_t c = 0; c < ncorr && !rc; c++) {
    const char *who = ls_dict_str(&u->correspondents, c);
    if ((u->name && !strcmp(who, u->name)) || strchr(who, '/') || !strcmp(who, "..") || !*who)
      continue;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s.csv", dir, who);
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) || !S_ISREG(st.st_mode))
      continue;
    ls_bc_user other;
    ls_bc_user_init(&other);
    rc = ls_ingest_read_bandicoot(path, &other, NULL, NULL, err);
    uint32_t me = 0;
    int has_back = 0;
    if (!rc && u->name &&
        ls_dict_find(&other.correspondents, u->name, strlen(u->name), &me) == LS_OK) {
      for (size_t j = 0; j < other.n_records && !has_back; j++)
        has_back = other.records[j].correspondent == me;
    }
    if (!rc && has_back) {
      for (size_t i = 0; i < u->n_records; i++) {
        if (u->records[i].correspondent != c)
          continue;
        int found = 0;
        for (size_t j = 0; j < other.n_records && !found; j++)
          found = other.records[j].correspondent == me && record_matches(&u->records[i], &other.records[j]);
        drop[i] = (uint8_t)!found;
      }
    }
    ls_bc_user_free(&other);
  }
  if (!rc) {
    size_t k = 0;
    for (size_t i = 0; i < u->n_records; i++)
      if (!drop[i])
        u->records[k++] = u->records[i];
    *dropped = u->n_records - k;
    u->n_records = k;
  }
  ls_free(drop);
  return rc;
}
