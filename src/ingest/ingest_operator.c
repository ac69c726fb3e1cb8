/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Operator call-data returns read through a column-mapping file
 * (docs/formats-operator.md; shipped mappings in share/mappings/).
 *
 * A return lists the records of one or more *target* numbers, each seen from
 * the target's side: the other party, MO (target originated) or MT (target
 * received), service type, start, duration (or end), the target's first and
 * last cell, IMEI and IMSI -- the items of the Data Retention Regulations
 * 2007 reg. 5 (DOMAIN.md). Layouts differ per operator in column names,
 * direction and service codes, and time formats; the mapping file names them.
 *
 * Each record becomes one event (MO: caller = target; MT: callee = target),
 * with the target's first cell and IMEI on the target's side (the last cell
 * when the first is empty). When both parties are targets, the event appears
 * twice -- an MO record in the caller's return and an MT record in the
 * callee's -- and the two are merged into one event carrying both sides'
 * cells and handsets (see MIRROR_* below). IMSIs are checked but not stored:
 * ls_events has no IMSI column. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ls_mem.h"
#include "ingest/ingest_csv.h"
#include "ingest/ingest_rows.h"
#include "linesight/ls_ingest.h"

/* Mirror records come from two operators' switches, each stamping the event
 * itself: start times differ by the call set-up seen at each end (seconds)
 * and durations by each side's rounding to whole seconds. A pair counts as
 * one event when starts are at most MIRROR_START_S apart and durations at
 * most MIRROR_DURATION_S. Bulk texts to the same recipient within 5 s would
 * also pair up, but only an MO record with an MT record (never two records
 * of the same side), which a repeat from one return cannot be. */
#define MIRROR_START_S 5
#define MIRROR_DURATION_S 2
#define MAPPING_LINE_MAX 1024
#define MAPPING_VALUES_MAX 16

typedef enum { F_TARGET, F_OTHER, F_DIRECTION, F_TYPE, F_START, F_START_DATE, F_START_TIME, F_END,
               F_DURATION, F_FIRST_CELL, F_LAST_CELL, F_IMEI, F_IMSI, F_COUNT } field_id;

static const char *const field_keys[F_COUNT] = {
    "target", "other", "direction", "type", "start", "start_date", "start_time", "end",
    "duration", "first_cell", "last_cell", "imei", "imsi"};

typedef enum { TF_ISO, TF_DMY, TF_MDY } time_format;
typedef enum { DF_SECONDS, DF_HMS } dur_format;

typedef struct mapping {
  char name[128];
  char *col[F_COUNT]; /* header names, NULL when not mapped */
  char *dir_out[MAPPING_VALUES_MAX], *dir_in[MAPPING_VALUES_MAX];
  char *type_call[MAPPING_VALUES_MAX], *type_sms[MAPPING_VALUES_MAX];
  time_format tf;
  dur_format df;
  char tz[128];
} mapping;

static void mapping_free(mapping *m) {
  for (int i = 0; i < F_COUNT; i++)
    ls_free(m->col[i]);
  for (int i = 0; i < MAPPING_VALUES_MAX; i++) {
    ls_free(m->dir_out[i]);
    ls_free(m->dir_in[i]);
    ls_free(m->type_call[i]);
    ls_free(m->type_sms[i]);
  }
  memset(m, 0, sizeof *m);
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    s[--n] = 0;
  return s;
}

/* "a, b, c" -> list (values trimmed). Returns 0 when there are too many.
 * A key given again replaces its earlier list (found by fuzzing: the old
 * values leaked and those past the new list's end stayed in force). */
static int split_list(char *v, char **list, int *nomem) {
  int n = 0;
  char *save = NULL;
  for (int i = 0; i < MAPPING_VALUES_MAX; i++) {
    ls_free(list[i]);
    list[i] = NULL;
  }
  for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    tok = trim(tok);
    if (!*tok)
      continue;
    if (n == MAPPING_VALUES_MAX)
      return 0;
    list[n] = ls_strdup(tok);
    if (!list[n]) {
      *nomem = 1;
      return 0;
    }
    n++;
  }
  return n > 0;
}

static ls_status mapping_load(const char *path, mapping *m, ls_error *err) {
  memset(m, 0, sizeof *m);
  FILE *fp = fopen(path, "r");
  if (!fp)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open mapping: %s", strerror(errno));
  char line[MAPPING_LINE_MAX];
  long no = 0;
  ls_status rc = LS_OK;
  while (!rc && fgets(line, sizeof line, fp)) {
    no++;
    if (!strchr(line, '\n') && !feof(fp)) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, no, 0, "line longer than %d bytes", MAPPING_LINE_MAX - 2);
      break;
    }
    char *s = trim(line);
    if (!*s || *s == '#')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, no, 1, "expected 'key = value'");
      break;
    }
    *eq = 0;
    char *key = trim(s), *val = trim(eq + 1);
    int col = (int)(val - line) + 1, nomem = 0, ok = 1, known = 0;
    for (int i = 0; i < F_COUNT; i++)
      if (!strcmp(key, field_keys[i])) {
        known = 1;
        ls_free(m->col[i]);
        m->col[i] = ls_strdup(val);
        nomem = !m->col[i];
      }
    if (!strcmp(key, "name")) {
      known = 1;
      snprintf(m->name, sizeof m->name, "%s", val);
    } else if (!strcmp(key, "direction.out")) {
      known = 1;
      ok = split_list(val, m->dir_out, &nomem);
    } else if (!strcmp(key, "direction.in")) {
      known = 1;
      ok = split_list(val, m->dir_in, &nomem);
    } else if (!strcmp(key, "type.call")) {
      known = 1;
      ok = split_list(val, m->type_call, &nomem);
    } else if (!strcmp(key, "type.sms")) {
      known = 1;
      ok = split_list(val, m->type_sms, &nomem);
    } else if (!strcmp(key, "time.format")) {
      known = 1;
      if (!strcmp(val, "iso"))
        m->tf = TF_ISO;
      else if (!strcmp(val, "dmy"))
        m->tf = TF_DMY;
      else if (!strcmp(val, "mdy"))
        m->tf = TF_MDY;
      else
        ok = 0;
    } else if (!strcmp(key, "duration.format")) {
      known = 1;
      if (!strcmp(val, "seconds"))
        m->df = DF_SECONDS;
      else if (!strcmp(val, "hms"))
        m->df = DF_HMS;
      else
        ok = 0;
    } else if (!strcmp(key, "timezone")) {
      known = 1;
      snprintf(m->tz, sizeof m->tz, "%s", val);
    }
    if (nomem)
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading mapping");
    else if (!known)
      rc = ls_error_set(err, LS_ERR_INPUT, path, no, 1, "unknown key '%s'", key);
    else if (!ok)
      rc = ls_error_set(err, LS_ERR_INPUT, path, no, col, "bad value for '%s'", key);
  }
  fclose(fp);
  if (rc)
    goto fail;
  static const struct {
    int field;
    const char *what;
  } need[] = {{F_TARGET, "target"}, {F_OTHER, "other"}, {F_DIRECTION, "direction"}, {F_TYPE, "type"}};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
    if (!m->col[need[i].field]) {
      rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "mapping lacks '%s'", need[i].what);
      goto fail;
    }
  if (!m->col[F_START] && !(m->col[F_START_DATE] && m->col[F_START_TIME])) {
    rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "mapping lacks 'start' (or 'start_date' and 'start_time')");
    goto fail;
  }
  if (!m->dir_out[0] || !m->dir_in[0] || !m->type_call[0] || !m->type_sms[0]) {
    rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0,
                      "mapping lacks one of direction.out, direction.in, type.call, type.sms");
    goto fail;
  }
  return LS_OK;
fail:
  mapping_free(m);
  return rc;
}

static int in_list(char *const *list, const char *s, size_t n) {
  for (int i = 0; i < MAPPING_VALUES_MAX && list[i]; i++)
    if (strlen(list[i]) == n && !strncasecmp(list[i], s, n))
      return 1;
  return 0;
}

/* dd/mm/yyyy or mm/dd/yyyy (also '-' or '.'), then HH:MM[:SS]; rewritten as
 * ISO for ls_time_parse. */
static int rewrite_date(const char *s, size_t n, time_format tf, char *out, size_t outn) {
  int a, b, y, h = 0, mi = 0, se = 0, used = 0;
  char buf[64];
  if (n >= sizeof buf)
    return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  for (char *p = buf; *p; p++)
    if (*p == '-' || *p == '.')
      *p = '/';
  int k = sscanf(buf, "%d/%d/%d%n", &a, &b, &y, &used);
  if (k != 3)
    return 0;
  const char *rest = buf + used;
  while (*rest == ' ' || *rest == 'T')
    rest++;
  if (*rest) {
    int u2 = 0;
    k = sscanf(rest, "%d:%d%n:%d%n", &h, &mi, &u2, &se, &u2);
    if (k < 2 || rest[u2])
      return 0;
  }
  int d = tf == TF_DMY ? a : b, m = tf == TF_DMY ? b : a;
  snprintf(out, outn, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, h, mi, se);
  return 1;
}

static int parse_duration(const char *s, size_t n, dur_format df, int32_t *out) {
  char buf[32];
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  char *end;
  if (df == DF_SECONDS) {
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (end == buf || *end || errno || v < 0 || v > INT32_MAX)
      return 0;
    *out = (int32_t)v;
    return 1;
  }
  long parts[3], np = 0;
  char *p = buf;
  while (np < 3) {
    errno = 0;
    long v = strtol(p, &end, 10);
    if (end == p || errno || v < 0)
      return 0;
    parts[np++] = v;
    if (*end == 0)
      break;
    if (*end != ':')
      return 0;
    p = end + 1;
  }
  if (*end)
    return 0;
  long secs = 0;
  for (long i = 0; i < np; i++)
    secs = secs * 60 + parts[i];
  if (secs > INT32_MAX)
    return 0;
  *out = (int32_t)secs;
  return 1;
}

static size_t digits_only(const char *s, size_t n, char *out, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] >= '0' && s[i] <= '9') {
      if (k + 1 >= cap)
        return 0;
      out[k++] = s[i];
    } else if (s[i] != ' ' && s[i] != '-') {
      return 0;
    }
  }
  out[k] = 0;
  return k;
}

/* ---- mirror merging --------------------------------------------------------- */

static uint64_t pair_hash(uint32_t type, uint32_t caller, uint32_t callee) {
  uint64_t h = ((uint64_t)caller << 32 | callee) * 0x9E3779B97F4A7C15ull;
  return h ^ (type * 0xC2B2AE3D27D4EB4Full) ^ (h >> 29);
}

/* side of an event: 1 = only the caller's side known (MO record), 2 = only
 * the callee's (MT record), 0 = both or neither */
static int side_of(const ls_events *ev, size_t i) {
  int a = ev->caller_cell[i] != LS_NO_ID || ev->caller_imei[i] != LS_NO_ID;
  int b = ev->callee_cell[i] != LS_NO_ID || ev->callee_imei[i] != LS_NO_ID;
  return a && !b ? 1 : (!a && b ? 2 : 0);
}

/* Merges each event [first, count) that mirrors an earlier event (or another
 * new one) of the opposite side into it, and compacts. O(count) expected. */
static ls_status merge_mirrors(ls_events *ev, size_t first, uint8_t *side_new, uint64_t *merged,
                               ls_error *err) {
  size_t n = ev->count, nb = 1;
  while (nb < n * 2)
    nb <<= 1;
  uint32_t *head = ls_malloc(nb * sizeof *head), *next = ls_malloc((n ? n : 1) * sizeof *next);
  uint8_t *gone = ls_calloc(n ? n : 1, 1);
  ls_status rc = LS_OK;
  *merged = 0;
  if (!head || !next || !gone) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory merging mirror records");
    goto out;
  }
  memset(head, 0xff, nb * sizeof *head);
  for (size_t i = 0; i < n; i++) {
    int si = i >= first ? side_new[i - first] : side_of(ev, i);
    size_t b = pair_hash(ev->type[i], ev->caller[i], ev->callee[i]) & (nb - 1);
    if (i >= first && si) {
      for (uint32_t j = head[b]; j != UINT32_MAX; j = next[j]) {
        if (gone[j] || ev->type[j] != ev->type[i] || ev->caller[j] != ev->caller[i] ||
            ev->callee[j] != ev->callee[i])
          continue;
        int sj = j >= first ? side_new[j - first] : side_of(ev, j);
        int64_t ds = ev->start[i] - ev->start[j];
        int32_t dd = ev->duration[i] - ev->duration[j];
        if (sj == 0 || sj == si || ds > MIRROR_START_S || ds < -MIRROR_START_S || dd > MIRROR_DURATION_S ||
            dd < -MIRROR_DURATION_S)
          continue;
        /* j keeps the event and gains i's side (an event loaded from the
         * store is completed only in memory; the store keeps its copy) */
        if (si == 1) {
          ev->caller_cell[j] = ev->caller_cell[i];
          ev->caller_imei[j] = ev->caller_imei[i];
          ev->start[j] = ev->start[i]; /* the originating network's time */
          ev->duration[j] = ev->duration[i];
        } else {
          ev->callee_cell[j] = ev->callee_cell[i];
          ev->callee_imei[j] = ev->callee_imei[i];
        }
        if (j >= first)
          side_new[j - first] = 0; /* both sides known now */
        gone[i] = 1;
        (*merged)++;
        break;
      }
    }
    if (!gone[i]) {
      next[i] = head[b];
      head[b] = (uint32_t)i;
    }
  }
  size_t k = first;
  for (size_t i = first; i < n; i++) {
    if (gone[i])
      continue;
    ev->start[k] = ev->start[i];
    ev->type[k] = ev->type[i];
    ev->caller[k] = ev->caller[i];
    ev->callee[k] = ev->callee[i];
    ev->duration[k] = ev->duration[i];
    ev->caller_cell[k] = ev->caller_cell[i];
    ev->callee_cell[k] = ev->callee_cell[i];
    ev->caller_imei[k] = ev->caller_imei[i];
    ev->callee_imei[k] = ev->callee_imei[i];
    k++;
  }
  ev->count = k;
out:
  ls_free(head);
  ls_free(next);
  ls_free(gone);
  return rc;
}

/* ---- reader --------------------------------------------------------------------- */

ls_status ls_ingest_read_operator(const char *path, const char *mapping_path, const ls_read_opts *opts,
                                  ls_events *out, ls_read_stats *stats, uint64_t *mirrors_merged,
                                  ls_error *err) {
  mapping m;
  ls_csv csv;
  ls_read_stats local_stats;
  ls_tz *own_tz = NULL;
  const ls_tz *tz = opts ? opts->tz : NULL;
  uint8_t *side = NULL;
  size_t side_cap = 0, first = out->count;
  uint64_t merged = 0;
  ls_row_ctx ctx;
  memset(&csv, 0, sizeof csv);
  if (!stats)
    stats = &local_stats;
  ls_status rc = mapping_load(mapping_path, &m, err);
  if (rc)
    return rc;
  if (m.tz[0] || !tz) {
    rc = ls_tz_open(m.tz[0] ? m.tz : LS_DEFAULT_TZ, &own_tz, err);
    if (rc)
      goto out;
    tz = own_tz;
  }
  rc = ls_csv_open(&csv, path, err);
  if (rc)
    goto out;
  rc = ls_csv_read_header(&csv, err);
  if (rc)
    goto out;
  ls_csv_col cols[F_COUNT];
  size_t ncols = 0;
  int where[F_COUNT];
  for (int i = 0; i < F_COUNT; i++) {
    where[i] = -1;
    if (m.col[i]) {
      where[i] = (int)ncols;
      cols[ncols].name = m.col[i];
      cols[ncols].required = 1;
      cols[ncols].index = -1;
      ncols++;
    }
  }
  rc = ls_csv_map_columns(&csv, cols, ncols, err);
  if (rc)
    goto out;
  ls_row_begin(&ctx, &csv, opts, stats);
#define FIELD(f, lenp) ls_csv_field(&csv, where[f] < 0 ? -1 : cols[where[f]].index, lenp)
  while ((rc = ls_csv_next(&csv)) != LS_DONE) {
    stats->rows_read++;
    if (rc == LS_ERR_INPUT) {
      rc = ls_row_reject_malformed(&ctx, &csv, err);
      if (rc)
        goto out;
      continue;
    }
    if (rc < 0) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading %s", path);
      goto out;
    }
    size_t n;
    const char *s;
    char target[LS_E164_MAX], other[LS_E164_MAX];
    const char *why = NULL;
    /* target and other party */
    s = FIELD(F_TARGET, &n);
    ls_row_trim(&s, &n);
    if (ls_phone_normalise(s, n, target, &why)) {
      rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_TARGET], why ? why : "not a phone number", s, n);
      goto next;
    }
    s = FIELD(F_OTHER, &n);
    ls_row_trim(&s, &n);
    if (ls_phone_normalise(s, n, other, &why)) {
      rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_OTHER], why ? why : "not a phone number", s, n);
      goto next;
    }
    /* direction and type */
    s = FIELD(F_DIRECTION, &n);
    ls_row_trim(&s, &n);
    int mo;
    if (in_list(m.dir_out, s, n))
      mo = 1;
    else if (in_list(m.dir_in, s, n))
      mo = 0;
    else {
      rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_DIRECTION], "not a direction of this mapping", s, n);
      goto next;
    }
    s = FIELD(F_TYPE, &n);
    ls_row_trim(&s, &n);
    ls_event_type type;
    if (in_list(m.type_call, s, n))
      type = LS_EV_CALL;
    else if (in_list(m.type_sms, s, n))
      type = LS_EV_SMS;
    else {
      rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_TYPE], "not a call or sms type of this mapping", s, n);
      goto next;
    }
    /* start */
    char when[96];
    size_t wn;
    if (m.col[F_START]) {
      s = FIELD(F_START, &n);
      ls_row_trim(&s, &n);
      if (n >= sizeof when) {
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_START], "too long", s, n);
        goto next;
      }
      memcpy(when, s, n);
      wn = n;
    } else {
      size_t n2;
      const char *s2;
      s = FIELD(F_START_DATE, &n);
      s2 = FIELD(F_START_TIME, &n2);
      ls_row_trim(&s, &n);
      ls_row_trim(&s2, &n2);
      if (n + n2 + 1 >= sizeof when) {
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_START_DATE], "too long", s, n);
        goto next;
      }
      memcpy(when, s, n);
      when[n] = ' ';
      memcpy(when + n + 1, s2, n2);
      wn = n + 1 + n2;
    }
    when[wn] = 0;
    int64_t start, end_t;
    char iso[64];
    const char *tsrc = when;
    size_t tlen = wn;
    if (m.tf != TF_ISO) {
      if (!rewrite_date(when, wn, m.tf, iso, sizeof iso)) {
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_START] ? m.col[F_START] : m.col[F_START_DATE],
                                 m.tf == TF_DMY ? "not dd/mm/yyyy hh:mm:ss" : "not mm/dd/yyyy hh:mm:ss", when, wn);
        goto next;
      }
      tsrc = iso;
      tlen = strlen(iso);
    }
    if (ls_time_parse(tsrc, tlen, tz, &start, &why)) {
      rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_START] ? m.col[F_START] : m.col[F_START_DATE],
                               why ? why : "not a time", when, wn);
      goto next;
    }
    /* duration, or end - start */
    int32_t dur = 0;
    if (m.col[F_DURATION]) {
      s = FIELD(F_DURATION, &n);
      ls_row_trim(&s, &n);
      if (n == 0 && type == LS_EV_SMS)
        dur = 0;
      else if (!parse_duration(s, n, m.df, &dur)) {
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_DURATION],
                                 m.df == DF_HMS ? "not [h:]mm:ss" : "not whole seconds", s, n);
        goto next;
      }
    } else if (m.col[F_END]) {
      s = FIELD(F_END, &n);
      ls_row_trim(&s, &n);
      const char *es = s;
      size_t en = n;
      if (m.tf != TF_ISO && n && rewrite_date(s, n, m.tf, iso, sizeof iso)) {
        es = iso;
        en = strlen(iso);
      }
      if (n == 0)
        dur = 0;
      else if (ls_time_parse(es, en, tz, &end_t, &why) || end_t < start || end_t - start > INT32_MAX) {
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_END], "not a time at or after the start", s, n);
        goto next;
      } else
        dur = (int32_t)(end_t - start);
    }
    if (type == LS_EV_SMS)
      dur = 0;
    /* target's cell and handset */
    uint32_t cell = LS_NO_ID, imei = LS_NO_ID, tid, oid;
    s = FIELD(F_FIRST_CELL, &n);
    ls_row_trim(&s, &n);
    if (n == 0) {
      s = FIELD(F_LAST_CELL, &n);
      ls_row_trim(&s, &n);
    }
    if (n && ls_dict_intern(&out->cells, s, n, &cell)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading %s", path);
      goto out;
    }
    s = FIELD(F_IMEI, &n);
    ls_row_trim(&s, &n);
    if (n) {
      char digits[20];
      size_t dn = digits_only(s, n, digits, sizeof digits);
      if (dn < 14 || dn > 16) {
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_IMEI], "not 14-16 digits", s, n);
        goto next;
      }
      if (ls_dict_intern(&out->imeis, digits, dn, &imei)) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading %s", path);
        goto out;
      }
    }
    s = FIELD(F_IMSI, &n);
    ls_row_trim(&s, &n);
    if (n) {
      char digits[20];
      size_t dn = digits_only(s, n, digits, sizeof digits);
      if (dn < 6 || dn > 15) { /* ITU-T E.212: MCC + MNC + MSIN, at most 15 digits */
        rc = ls_row_reject_value(&ctx, &csv, err, m.col[F_IMSI], "not an IMSI (at most 15 digits)", s, n);
        goto next;
      }
    }
    if (ls_dict_intern(&out->numbers, target, strlen(target), &tid) ||
        ls_dict_intern(&out->numbers, other, strlen(other), &oid)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading %s", path);
      goto out;
    }
    if (mo)
      rc = ls_events_push(out, start, type, tid, oid, dur, cell, LS_NO_ID, imei, LS_NO_ID);
    else
      rc = ls_events_push(out, start, type, oid, tid, dur, LS_NO_ID, cell, LS_NO_ID, imei);
    if (rc) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading %s", path);
      goto out;
    }
    if (out->count - first > side_cap) {
      size_t cap = side_cap ? side_cap * 2 : 1024;
      uint8_t *p = ls_realloc(side, cap);
      if (!p) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory reading %s", path);
        goto out;
      }
      side = p;
      side_cap = cap;
    }
    side[out->count - first - 1] = mo ? 1 : 2;
    stats->rows_ok++;
  next:
    if (rc)
      goto out;
    ls_row_progress(&ctx, &csv, 0);
  }
#undef FIELD
  ls_row_progress(&ctx, &csv, 1);
  rc = merge_mirrors(out, first, side, &merged, err);
out:
  if (mirrors_merged)
    *mirrors_merged = merged;
  ls_free(side);
  ls_csv_close(&csv);
  ls_tz_close(own_tz);
  mapping_free(&m);
  return rc;
}
