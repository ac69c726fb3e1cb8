/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ISO 8601 timestamps and time zones from the system tz database.
 *
 * Zones: ls_tz_open probes the zone once through the C library (TZ + tzset +
 * localtime_r, so the system's tzdata and its rules are the only source: no
 * hand-coded DST rules) and keeps the list of its UTC-offset transitions from
 * 1900 to 2100. Converting a local time is then a binary search over a few
 * hundred entries (Europe/London has ~370), no libc call per row.
 *
 * Times: a fixed-layout fast path for `YYYY-MM-DDThh:mm:ssZ` (the canonical
 * form, and what every export from linesight writes) converts with Howard
 * Hinnant's days-from-civil arithmetic and calls no libc per row. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/ls_mem.h"
#include "linesight/ls_ingest.h"

/* Probe window. Events, attributions and dates of birth of living people
 * fall well inside it; outside it the nearest known offset applies. */
#define PROBE_FROM (-2208988800LL) /* 1900-01-01T00:00:00Z */
#define PROBE_TO (4102444800LL)    /* 2100-01-01T00:00:00Z */
/* Daily steps find every transition: tz rules never change the offset twice
 * within 24 hours. */
#define PROBE_STEP 86400LL

typedef struct tz_trans {
  int64_t at;     /* UTC second from which `after` applies */
  int32_t before; /* offset (seconds east of UTC) until then */
  int32_t after;
  int64_t key;    /* first local second touched by this transition: at + min(before, after) */
} tz_trans;

struct ls_tz {
  char name[128];
  int32_t initial; /* offset before the first transition */
  tz_trans *trans;
  size_t n;
};

/* ---- calendar ----------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
 * days_from_civil; exact for every year an int can hold here). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* ---- zones -------------------------------------------------------------- */

static pthread_mutex_t tz_probe_lock = PTHREAD_MUTEX_INITIALIZER;

static int32_t probe_offset(int64_t t) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!localtime_r(&tt, &tm))
    return 0;
  return (int32_t)tm.tm_gmtoff;
}

static int is_utc_name(const char *name) {
  return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 || strcmp(name, "GMT") == 0 ||
         strcmp(name, "Etc/GMT") == 0 || strcmp(name, "Z") == 0;
}

/* A zone name must be a file of the tz database: glibc silently reads an
 * unknown TZ as UTC, which would shift every local time without a word. */
static ls_status check_zone_file(const char *name, ls_error *err) {
  const char *dir = getenv("TZDIR");
  char path[512];
  struct stat st;
  if (!dir || !*dir)
    dir = "/usr/share/zoneinfo";
  if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) >= 128)
    return LS_FAIL(err, LS_ERR_USAGE, "unknown time zone '%s'", name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return LS_FAIL(err, LS_ERR_USAGE,
                   "unknown time zone '%s' (not in the tz database at %s; try e.g. "
                   "Europe/London or UTC)",
                   name, dir);
  return LS_OK;
}

ls_status ls_tz_open(const char *name, ls_tz **out, ls_error *err) {
  ls_status rc = LS_OK;
  ls_tz *tz = NULL;
  char *saved = NULL;
  int had_tz = 0, locked = 0;
  size_t cap = 0;

  *out = NULL;
  if (!name)
    name = LS_DEFAULT_TZ;
  tz = ls_calloc(1, sizeof *tz);
  if (!tz)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  snprintf(tz->name, sizeof tz->name, "%s", name);
  if (is_utc_name(name))
    goto done;
  rc = check_zone_file(name, err);
  if (rc)
    goto out;

  /* TZ is process-wide: switch it only for the probe, under a lock, and put
   * it back. Other threads calling localtime_r meanwhile would see the
   * probed zone; linesight formats times in UTC (gmtime_r) everywhere. */
  pthread_mutex_lock(&tz_probe_lock);
  locked = 1;
  const char *old = getenv("TZ");
  if (old) {
    had_tz = 1;
    saved = ls_strdup(old);
    if (!saved) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      goto out;
    }
  }
  if (setenv("TZ", name, 1) != 0) {
    rc = LS_FAIL(err, LS_ERR_INTERNAL, "cannot set TZ: %s", strerror(errno));
    goto out;
  }
  tzset();

  int32_t prev = probe_offset(PROBE_FROM);
  tz->initial = prev;
  for (int64_t t = PROBE_FROM + PROBE_STEP; t <= PROBE_TO; t += PROBE_STEP) {
    int32_t o = probe_offset(t);
    if (o == prev)
      continue;
    /* The offset changed in (t - step, t]: find the first second of the new
     * offset by bisection. */
    int64_t lo = t - PROBE_STEP, hi = t;
    while (hi - lo > 1) {
      int64_t mid = lo + (hi - lo) / 2;
      if (probe_offset(mid) == prev)
        lo = mid;
      else
        hi = mid;
    }
    if (tz->n == cap) {
      size_t ncap = cap ? cap * 2 : 256;
      tz_trans *nt = ls_reallocarray(tz->trans, ncap, sizeof *nt);
      if (!nt) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
        goto out;
      }
      tz->trans = nt;
      cap = ncap;
    }
    tz_trans *tr = &tz->trans[tz->n++];
    tr->at = hi;
    tr->before = prev;
    tr->after = o;
    tr->key = hi + (prev < o ? prev : o);
    prev = o;
  }
done:
  *out = tz;
  tz = NULL;
out:
  if (locked) {
    if (had_tz && saved)
      setenv("TZ", saved, 1);
    else if (!had_tz)
      unsetenv("TZ");
    tzset();
    pthread_mutex_unlock(&tz_probe_lock);
  }
  ls_free(saved);
  ls_tz_close(tz);
  return rc;
}

void ls_tz_close(ls_tz *tz) {
  if (!tz)
    return;
  ls_free(tz->trans);
  ls_free(tz);
}

const char *ls_tz_name(const ls_tz *tz) { return tz ? tz->name : ""; }

int32_t ls_tz_offset_at(const ls_tz *tz, int64_t utc) {
  if (!tz || tz->n == 0 || utc < tz->trans[0].at)
    return tz ? tz->initial : 0;
  size_t lo = 0, hi = tz->n; /* last transition with at <= utc */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (tz->trans[mid].at <= utc)
      lo = mid;
    else
      hi = mid;
  }
  return tz->trans[lo].after;
}

static const char R_GAP[] = "local time does not exist (clocks went forward)";

/* Local wall-clock seconds (as if UTC) -> UTC. A time in a spring-forward
 * gap fails; a time in an autumn fold takes the first occurrence (the
 * offset before the change). O(log transitions). */
static ls_status tz_local_to_utc(const ls_tz *tz, int64_t local, int64_t *utc,
                                 const char **reason) {
  if (tz->n == 0 || local < tz->trans[0].key) {
    *utc = local - tz->initial;
    return LS_OK;
  }
  size_t lo = 0, hi = tz->n; /* last transition with key <= local */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (tz->trans[mid].key <= local)
      lo = mid;
    else
      hi = mid;
  }
  const tz_trans *tr = &tz->trans[lo];
  int32_t hi_off = tr->before > tr->after ? tr->before : tr->after;
  if (local < tr->at + hi_off) {
    if (tr->after > tr->before) {
      if (reason)
        *reason = R_GAP;
      return LS_ERR_INPUT;
    }
    *utc = local - tr->before; /* fold: first occurrence */
    return LS_OK;
  }
  *utc = local - tr->after;
  return LS_OK;
}

/* ---- parsing ------------------------------------------------------------ */

static const char R_EMPTY[] = "empty";
static const char R_FORMAT[] = "not an ISO 8601 time (expected YYYY-MM-DDThh:mm:ss[Z|+hh:mm])";
static const char R_DATE_FORMAT[] = "not an ISO 8601 date (expected YYYY-MM-DD)";
static const char R_MONTH[] = "month out of range";
static const char R_DAY[] = "day out of range for the month";
static const char R_HOUR[] = "hour out of range";
static const char R_MINUTE[] = "minute out of range";
static const char R_SECOND[] = "second out of range";
static const char R_OFFSET[] = "zone offset out of range";
static const char R_TRAIL[] = "unexpected text after the time";
static const char R_NOZONE[] = "local time without a time zone";

static ls_status fail(const char **reason, const char *why) {
  if (reason)
    *reason = why;
  return LS_ERR_INPUT;
}

static int dig(char c) { return c >= '0' && c <= '9'; }
static int d2(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* Parses YYYY-MM-DD at s (at least 10 bytes available) into days. */
static ls_status parse_date(const char *s, int64_t *days, const char **reason) {
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-')
        return fail(reason, R_DATE_FORMAT);
    } else if (!dig(s[i])) {
      return fail(reason, R_DATE_FORMAT);
    }
  }
  int y = d2(s) * 100 + d2(s + 2), m = d2(s + 5), d = d2(s + 8);
  if (m < 1 || m > 12)
    return fail(reason, R_MONTH);
  if (d < 1 || d > days_in_month(y, m))
    return fail(reason, R_DAY);
  *days = days_from_civil(y, (unsigned)m, (unsigned)d);
  return LS_OK;
}

static void trim(const char **in, size_t *len) {
  const char *s = *in;
  size_t n = *len;
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  *in = s;
  *len = n;
}

ls_status ls_date_parse(const char *in, size_t len, int32_t *days, const char **reason) {
  int64_t dd;
  trim(&in, &len);
  if (len == 0)
    return fail(reason, R_EMPTY);
  if (len != 10)
    return fail(reason, R_DATE_FORMAT);
  ls_status rc = parse_date(in, &dd, reason);
  if (rc)
    return rc;
  *days = (int32_t)dd;
  return LS_OK;
}

ls_status ls_time_parse(const char *in, size_t len, const ls_tz *tz, int64_t *unix_seconds,
                        const char **reason) {
  int64_t days;
  ls_status rc;

  /* Fast path: exactly YYYY-MM-DDThh:mm:ssZ. */
  if (len == 20 && in[19] == 'Z' && in[10] == 'T' && in[13] == ':' && in[16] == ':' &&
      dig(in[11]) && dig(in[12]) && dig(in[14]) && dig(in[15]) && dig(in[17]) && dig(in[18])) {
    rc = parse_date(in, &days, reason);
    if (rc)
      return rc == LS_ERR_INPUT && reason && *reason == R_DATE_FORMAT ? fail(reason, R_FORMAT) : rc;
    int h = d2(in + 11), mi = d2(in + 14), se = d2(in + 17);
    if (h > 23)
      return fail(reason, R_HOUR);
    if (mi > 59)
      return fail(reason, R_MINUTE);
    if (se > 59)
      return fail(reason, R_SECOND);
    *unix_seconds = days * 86400 + h * 3600 + mi * 60 + se;
    return LS_OK;
  }

  trim(&in, &len);
  if (len == 0)
    return fail(reason, R_EMPTY);
  if (len < 16)
    return fail(reason, R_FORMAT);
  rc = parse_date(in, &days, reason);
  if (rc)
    return rc == LS_ERR_INPUT && reason && *reason == R_DATE_FORMAT ? fail(reason, R_FORMAT) : rc;
  const char *p = in + 10, *end = in + len;
  if (!(*p == 'T' || *p == 't' || *p == ' '))
    return fail(reason, R_FORMAT);
  p++;
  if (end - p < 5 || !dig(p[0]) || !dig(p[1]) || p[2] != ':' || !dig(p[3]) || !dig(p[4]))
    return fail(reason, R_FORMAT);
  int h = d2(p), mi = d2(p + 3), se = 0;
  p += 5;
  if (p < end && *p == ':') {
    if (end - p < 3 || !dig(p[1]) || !dig(p[2]))
      return fail(reason, R_FORMAT);
    se = d2(p + 1);
    p += 3;
    if (p < end && (*p == '.' || *p == ',')) { /* fractional seconds: dropped */
      p++;
      const char *f0 = p;
      while (p < end && dig(*p))
        p++;
      if (p == f0 || p - f0 > 9)
        return fail(reason, R_FORMAT);
    }
  }
  if (h > 23)
    return fail(reason, R_HOUR);
  if (mi > 59)
    return fail(reason, R_MINUTE);
  if (se > 59)
    return fail(reason, R_SECOND);
  int64_t local = days * 86400 + h * 3600 + mi * 60 + se;

  if (p == end) {
    if (!tz)
      return fail(reason, R_NOZONE);
    return tz_local_to_utc(tz, local, unix_seconds, reason);
  }
  if (*p == 'Z' || *p == 'z') {
    if (p + 1 != end)
      return fail(reason, R_TRAIL);
    *unix_seconds = local;
    return LS_OK;
  }
  if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    p++;
    int oh, om = 0;
    if (end - p < 2 || !dig(p[0]) || !dig(p[1]))
      return fail(reason, R_FORMAT);
    oh = d2(p);
    p += 2;
    if (p < end && *p == ':') {
      if (end - p < 3 || !dig(p[1]) || !dig(p[2]))
        return fail(reason, R_FORMAT);
      om = d2(p + 1);
      p += 3;
    } else if (end - p >= 2 && dig(p[0]) && dig(p[1])) {
      om = d2(p);
      p += 2;
    }
    if (p != end)
      return fail(reason, R_TRAIL);
    /* Real zones lie within -12:00..+14:00; ISO and java.time allow 18h. */
    if (oh > 18 || om > 59 || (oh == 18 && om > 0))
      return fail(reason, R_OFFSET);
    *unix_seconds = local - sign * (oh * 3600 + om * 60);
    return LS_OK;
  }
  return fail(reason, R_TRAIL);
}
