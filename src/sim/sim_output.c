/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writing a world: the event CSV (the hot path: rows are formatted by hand
 * into a 4 MiB buffer, because fprintf per field runs at well under a
 * million rows a second), the static tables, and truth.json. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../core/ls_mem.h"
#include "sim_internal.h"

/* ------------------------------------------------------------ the writer */
/* The event file is written by a second thread while rows are formatted
 * into the other buffer, and with O_DIRECT where the file system takes it.
 * Buffered, the kernel's copy of the rows into the page cache (1.6 GB for
 * 7 days at scale 1M) cost 0.4 to 4 CPU s on this VM, varying with how much
 * of the guest's memory the host had to back afresh (dd of 1.6 GB: 0.4-4.0 s
 * of system time buffered, 0.17 s with oflag=direct at 1.2 GB/s); it was
 * the largest single cost of a run (perf, 2026-11-27). Direct writes DMA
 * from our buffers, and the rows are on disk, not only in the page cache,
 * when simulate returns. They need block-aligned buffers, offsets and
 * lengths: whole 4 KiB blocks are written and the tail is carried into the
 * next buffer; the last partial block is written with O_DIRECT switched
 * off. Where a file system refuses O_DIRECT (at open, or EINVAL on a
 * write) the file is written through the page cache as before. */
enum { OUT_ALIGN = 4096 };

typedef struct sim_out {
  int fd;
  int direct;       /* opened with O_DIRECT: write whole blocks */
  const char *path;
  char *buf;
  size_t len, cap;
  void *raw[2];     /* allocations behind the two aligned buffers */
  int32_t date_day; /* day whose date prefix is cached */
  int64_t tsec;     /* second whose "YYYY-MM-DDTHH:MM:SS" is in tstr */
  char tstr[32];
  int threaded;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char *spare;      /* the buffer not being filled, when the writer is idle */
  char *pending;    /* handed to the writer */
  size_t pending_len;
  int stop, werr;   /* werr: errno of the first failed write */
} sim_out;

/* Writes n bytes; 0 or an errno value. Leaves o->direct alone (read by
 * the formatting thread): blocks stay whole after a fall-back, harmlessly. */
static int write_all(const sim_out *o, const char *p, size_t n) {
  int direct = o->direct;
  while (n) {
    ssize_t k = write(o->fd, p, n);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EINVAL && direct) { /* alignment this file system rejects */
        int fl = fcntl(o->fd, F_GETFL);
        if (fl != -1 && fcntl(o->fd, F_SETFL, fl & ~O_DIRECT) != -1) {
          direct = 0;
          continue;
        }
      }
      return errno ? errno : EIO;
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static void *writer_main(void *arg) {
  sim_out *o = arg;
  pthread_mutex_lock(&o->mu);
  for (;;) {
    while (!o->pending && !o->stop)
      pthread_cond_wait(&o->cv, &o->mu);
    if (!o->pending)
      break;
    char *p = o->pending;
    size_t n = o->pending_len;
    int bad = o->werr;
    pthread_mutex_unlock(&o->mu);
    if (!bad)
      bad = write_all(o, p, n);
    pthread_mutex_lock(&o->mu);
    if (!o->werr)
      o->werr = bad;
    o->pending = NULL;
    o->spare = p;
    pthread_cond_broadcast(&o->cv);
  }
  pthread_mutex_unlock(&o->mu);
  return NULL;
}

static char *aligned(void *raw) {
  return (char *)(((uintptr_t)raw + OUT_ALIGN - 1) & ~(uintptr_t)(OUT_ALIGN - 1));
}

/* threaded: a writer thread; direct: try O_DIRECT (the event file). */
static ls_status out_open(sim_out *o, const char *path, int threaded, int direct, ls_error *err) {
  memset(o, 0, sizeof *o);
  o->fd = -1;
  o->path = path;
  o->cap = 4u << 20;
  o->date_day = INT32_MIN;
  o->tsec = INT64_MIN;
  o->raw[0] = ls_malloc(o->cap + OUT_ALIGN);
  if (!o->raw[0])
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  o->buf = aligned(o->raw[0]);
  if (direct) {
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0666);
    o->direct = o->fd >= 0;
  }
  if (o->fd < 0)
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (o->fd < 0) {
    ls_status rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot create: %s", strerror(errno));
    ls_free(o->raw[0]);
    o->raw[0] = NULL;
    o->buf = NULL;
    return rc;
  }
  if (threaded) {
    o->raw[1] = ls_malloc(o->cap + OUT_ALIGN);
    if (o->raw[1] && !pthread_mutex_init(&o->mu, NULL)) {
      o->spare = aligned(o->raw[1]);
      if (!pthread_cond_init(&o->cv, NULL)) {
        if (!pthread_create(&o->th, NULL, writer_main, o)) {
          o->threaded = 1;
          return LS_OK;
        }
        pthread_cond_destroy(&o->cv);
      }
      pthread_mutex_destroy(&o->mu);
    }
    /* no thread: write from this one */
    ls_free(o->raw[1]);
    o->raw[1] = NULL;
    o->spare = NULL;
  }
  return LS_OK;
}

/* Writes what is buffered: all of it, or with O_DIRECT the whole blocks,
 * the rest moving to the start of the next buffer. */
static ls_status out_flush(sim_out *o, ls_error *err) {
  size_t n = o->direct ? o->len & ~(size_t)(OUT_ALIGN - 1) : o->len;
  if (!n)
    return LS_OK;
  if (!o->threaded) {
    int e = write_all(o, o->buf, n);
    if (e)
      return ls_error_set(err, LS_ERR_IO, o->path, 0, 0, "write failed: %s", strerror(e));
    memmove(o->buf, o->buf + n, o->len - n);
    o->len -= n;
    return LS_OK;
  }
  pthread_mutex_lock(&o->mu);
  while (o->pending)
    pthread_cond_wait(&o->cv, &o->mu);
  int bad = o->werr;
  if (!bad) {
    char *next = o->spare;
    memcpy(next, o->buf + n, o->len - n);
    o->pending = o->buf;
    o->pending_len = n;
    o->buf = next;
    o->spare = NULL;
    o->len -= n;
    pthread_cond_broadcast(&o->cv);
  }
  pthread_mutex_unlock(&o->mu);
  if (bad)
    return ls_error_set(err, LS_ERR_IO, o->path, 0, 0, "write failed: %s", strerror(bad));
  return LS_OK;
}

static ls_status out_close(sim_out *o, ls_status rc, ls_error *err) {
  if (!rc)
    rc = out_flush(o, err);
  if (o->threaded) {
    pthread_mutex_lock(&o->mu);
    o->stop = 1;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->th, NULL);
    if (o->werr && !rc)
      rc = ls_error_set(err, LS_ERR_IO, o->path, 0, 0, "write failed: %s", strerror(o->werr));
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    o->threaded = 0;
  }
  if (!rc && o->len) { /* the last partial block */
    int fl = o->direct ? fcntl(o->fd, F_GETFL) : 0;
    if (fl == -1 || (o->direct && fcntl(o->fd, F_SETFL, fl & ~O_DIRECT) == -1))
      rc = ls_error_set(err, LS_ERR_IO, o->path, 0, 0, "fcntl failed: %s", strerror(errno));
    o->direct = 0;
    int e = rc ? 0 : write_all(o, o->buf, o->len);
    if (e)
      rc = ls_error_set(err, LS_ERR_IO, o->path, 0, 0, "write failed: %s", strerror(e));
  }
  if (o->fd >= 0 && close(o->fd) && !rc)
    rc = ls_error_set(err, LS_ERR_IO, o->path, 0, 0, "close failed: %s", strerror(errno));
  ls_free(o->raw[0]);
  ls_free(o->raw[1]);
  o->fd = -1;
  o->buf = NULL;
  return rc;
}

/* room for one more row of at most `need` bytes */
static ls_status out_room(sim_out *o, size_t need, ls_error *err) {
  if (o->len + need <= o->cap)
    return LS_OK;
  return out_flush(o, err);
}

static inline void put(sim_out *o, const char *s, size_t n) {
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}
static inline void puts0(sim_out *o, const char *s) { put(o, s, strlen(s)); }
static inline void putc1(sim_out *o, char c) { o->buf[o->len++] = c; }

static const char two_digits[201] = "00010203040506070809101112131415161718192021222324"
                                    "25262728293031323334353637383940414243444546474849"
                                    "50515253545556575859606162636465666768697071727374"
                                    "75767778798081828384858687888990919293949596979899";

static void put_u(sim_out *o, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    o->buf[o->len++] = tmp[--n];
}


/* A text field, quoted when it holds a comma, quote or newline (RFC 4180). */
static void put_field(sim_out *o, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    puts0(o, s);
    return;
  }
  putc1(o, '"');
  for (; *s; s++) {
    if (*s == '"')
      putc1(o, '"');
    putc1(o, *s);
  }
  putc1(o, '"');
}

/* v with 5 decimals, as printf's "%.5f" (correctly rounded) writes it.
 * By hand (snprintf of a double was most of addresses.csv): v * 1e5 is
 * within 1e-9 of the exact product for |v| < 1e6, so rounding it gives
 * printf's digits unless it lies within 1e-3 of a half, and those few go
 * to snprintf, as do values that round to zero (printf keeps "-0"). */
static void put_fixed5(sim_out *o, double v) {
  double x = v * 100000.0, r = floor(x + 0.5);
  if (!(fabs(v) < 1e6) || fabs(x - floor(x) - 0.5) < 1e-3 || r == 0) {
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%.5f", v);
    put(o, tmp, (size_t)n);
    return;
  }
  int64_t k = (int64_t)r;
  if (k < 0) {
    putc1(o, '-');
    k = -k;
  }
  put_u(o, (uint64_t)(k / 100000));
  putc1(o, '.');
  uint32_t f = (uint32_t)(k % 100000);
  for (int i = 4; i >= 0; i--) {
    o->buf[o->len + (size_t)i] = (char)('0' + f % 10);
    f /= 10;
  }
  o->len += 5;
}

/* YYYY-MM-DD for years 0-9999 (dates of birth and number use). */
static void put_date(sim_out *o, int32_t day) {
  int y;
  unsigned m, d;
  ls__sim_civil_from_days(day, &y, &m, &d);
  if (y < 0 || y > 9999) {
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%04d-%02u-%02u", y, m, d);
    put(o, tmp, (size_t)n);
    return;
  }
  char *p = o->buf + o->len;
  memcpy(p, two_digits + 2 * (y / 100), 2);
  memcpy(p + 2, two_digits + 2 * (y % 100), 2);
  p[4] = '-';
  memcpy(p + 5, two_digits + 2 * m, 2);
  p[7] = '-';
  memcpy(p + 8, two_digits + 2 * d, 2);
  o->len += 10;
}

static const char *const flag_names[] = {"missing_episodes", "looked_after", "excluded_from_school",
                                         "vulnerable_adult", "drug_dependency", "mental_health"};

static void put_flags(sim_out *o, uint16_t flags) {
  int first = 1;
  for (int i = 0; i < 6; i++)
    if (flags & (1u << i)) {
      if (!first)
        putc1(o, ';');
      puts0(o, flag_names[i]);
      first = 0;
    }
}

/* ------------------------------------------------------------- events */
static const char events_header[] =
    "start,type,caller,callee,duration_s,caller_cell,callee_cell,caller_imei,callee_imei\n";

/* Rows are written through a local pointer with fixed 16-byte copies of
 * padded fields, advancing by the field's real length (the buffer keeps
 * slack for the overhang). Stores through o->buf made the compiler reload
 * o->len after every byte (a char store may alias it), and variable-length
 * memcpy calls cost more than the copy: the writer went from ~130 to ~40 ns
 * a row (perf, scale 1M). */
enum { ROW_MAX = 192 }; /* longest row ~130 bytes plus a 16-byte overhang */

static inline char *put_secs(char *p, uint32_t v) {
  if (v < 10) {
    *p = (char)('0' + v);
    return p + 1;
  }
  if (v < 100) {
    memcpy(p, two_digits + 2 * v, 2);
    return p + 2;
  }
  if (v < 1000) {
    *p = (char)('0' + v / 100);
    memcpy(p + 1, two_digits + 2 * (v % 100), 2);
    return p + 3;
  }
  if (v < 10000) {
    memcpy(p, two_digits + 2 * (v / 100), 2);
    memcpy(p + 2, two_digits + 2 * (v % 100), 2);
    return p + 4;
  }
  char tmp[12];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    *p++ = tmp[--n];
  return p;
}

/* The hot record's digits[9] and imei_str[15] lie inside its 32 bytes with
 * room for a 16-byte read from either. */
_Static_assert(offsetof(sim_hot, digits) + 16 <= sizeof(sim_hot), "digits overhang");
_Static_assert(offsetof(sim_hot, imei_str) + 16 <= sizeof(sim_hot), "imei overhang");

static ls_status events_sink(void *ctx, const ls_sim_world *w, const ls_sim_event *ev, size_t n,
                             ls_error *err) {
  static const char sms16[16] = "Z,sms,+447", call16[16] = "Z,call,+447", sep16[16] = ",+447";
  sim_out *o = ctx;
  const sim_hot *hot = w->hot;
  const sim_cell *cells = w->cells;
  for (size_t i = 0; i < n; i++) {
    const ls_sim_event *e = &ev[i];
    if (o->cap - o->len < ROW_MAX) {
      ls_status rc = out_flush(o, err);
      if (rc)
        return rc;
    }
    if (e->start != o->tsec) { /* rows are in time order: ~25 share a second */
      int32_t day = (int32_t)(e->start / 86400);
      uint32_t sec = (uint32_t)(e->start - (int64_t)day * 86400);
      if (day != o->date_day) {
        int y;
        unsigned m, d;
        ls__sim_civil_from_days(day, &y, &m, &d);
        snprintf(o->tstr, sizeof o->tstr, "%04d-%02u-%02uT", y, m, d);
        o->date_day = day;
      }
      memcpy(o->tstr + 11, two_digits + 2 * (sec / 3600), 2);
      o->tstr[13] = ':';
      memcpy(o->tstr + 14, two_digits + 2 * (sec / 60 % 60), 2);
      o->tstr[16] = ':';
      memcpy(o->tstr + 17, two_digits + 2 * (sec % 60), 2);
      o->tsec = e->start;
    }
    char *p = o->buf + o->len;
    const sim_hot *hc = &hot[e->caller], *he = &hot[e->callee];
    memcpy(p, o->tstr, 24); /* "YYYY-MM-DDTHH:MM:SS" */
    p += 19;
    if (e->type == LS_EV_SMS) {
      memcpy(p, sms16, 16);
      p += 10;
    } else {
      memcpy(p, call16, 16);
      p += 11;
    }
    memcpy(p, (const char *)hc + offsetof(sim_hot, digits), 16);
    p += 9;
    memcpy(p, sep16, 16);
    p += 5;
    memcpy(p, (const char *)he + offsetof(sim_hot, digits), 16);
    p += 9;
    *p++ = ',';
    p = put_secs(p, (uint32_t)(e->duration < 0 ? 0 : e->duration));
    *p++ = ',';
    if (e->caller_cell != LS_NO_ID) {
      memcpy(p, cells[e->caller_cell].id, 16);
      p += cells[e->caller_cell].id_len;
    }
    *p++ = ',';
    if (e->callee_cell != LS_NO_ID) {
      memcpy(p, cells[e->callee_cell].id, 16);
      p += cells[e->callee_cell].id_len;
    }
    *p++ = ',';
    if (e->caller_imei != LS_NO_ID) {
      memcpy(p, (const char *)hc + offsetof(sim_hot, imei_str), 16);
      p += 15;
    }
    *p++ = ',';
    if (e->callee_imei != LS_NO_ID) {
      memcpy(p, (const char *)he + offsetof(sim_hot, imei_str), 16);
      p += 15;
    }
    *p++ = '\n';
    o->len = (size_t)(p - o->buf);
  }
  return LS_OK;
}

/* ------------------------------------------------------- static tables */
ls_status ls_sim_write_cells(const ls_sim_world *w, const char *path, ls_error *err) {
  sim_out o;
  ls_status rc = out_open(&o, path, 0, 0, err);
  if (rc)
    return rc;
  puts0(&o, "cell_id,lat,lon,azimuth,name,area\n");
  for (uint32_t i = 0; i < w->n_cells && !rc; i++) {
    const sim_cell *c = &w->cells[i];
    rc = out_room(&o, 256, err);
    if (rc)
      break;
    puts0(&o, c->id);
    putc1(&o, ',');
    put_fixed5(&o, c->lat);
    putc1(&o, ',');
    put_fixed5(&o, c->lon);
    putc1(&o, ',');
    put_u(&o, c->azimuth);
    putc1(&o, ',');
    put_field(&o, c->name);
    putc1(&o, ',');
    put_field(&o, c->area);
    putc1(&o, '\n');
  }
  return out_close(&o, rc, err);
}

/* Sorts (key << 32 | index) pairs by their unique 32-bit keys (LSD radix,
 * 16 bits a pass over the high half; the indices need no passes, as no two
 * keys are equal): O(n), and no comparator chasing pointers into a million
 * scattered records. */
static int radix_sort(uint64_t *a, size_t n) {
  enum { passes = 2 };
  uint64_t *tmp = ls_reallocarray(NULL, n ? n : 1, sizeof *tmp);
  size_t *count = ls_calloc(65536, sizeof *count);
  if (!tmp || !count) {
    ls_free(tmp);
    ls_free(count);
    return -1;
  }
  for (int pass = 0; pass < passes; pass++) {
    int shift = 32 + 16 * pass;
    memset(count, 0, 65536 * sizeof *count);
    for (size_t i = 0; i < n; i++)
      count[(a[i] >> shift) & 0xffff]++;
    size_t acc = 0;
    for (size_t b = 0; b < 65536; b++) {
      size_t c = count[b];
      count[b] = acc;
      acc += c;
    }
    for (size_t i = 0; i < n; i++)
      tmp[count[(a[i] >> shift) & 0xffff]++] = a[i];
    uint64_t *t = a;
    a = tmp;
    tmp = t;
  }
  ls_free(tmp); /* passes is even: the result is back in the caller's array */
  ls_free(count);
  return 0;
}

/* Record indices ordered by their random, unique id (key < 2^32), so file
 * order says nothing about roles; returned as (key << 32 | index). */
static uint64_t *sorted_keys(uint32_t n, uint32_t (*key)(const ls_sim_world *, uint32_t),
                             const ls_sim_world *w) {
  uint64_t *k = ls_reallocarray(NULL, n ? n : 1, sizeof *k);
  if (!k)
    return NULL;
  for (uint32_t i = 0; i < n; i++)
    k[i] = (uint64_t)key(w, i) << 32 | i;
  if (radix_sort(k, n)) {
    ls_free(k);
    return NULL;
  }
  return k;
}
static uint32_t person_key(const ls_sim_world *w, uint32_t i) { return w->people[i].id_num; }
static uint32_t address_key(const ls_sim_world *w, uint32_t i) { return w->addrs[i].id_num; }

/* `width` digits of v, zero padded. */
static void put_digits(sim_out *o, uint32_t v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    o->buf[o->len + (size_t)i] = (char)('0' + v % 10);
    v /= 10;
  }
  o->len += (size_t)width;
}
static void put_person_id(sim_out *o, const sim_person *pe) {
  putc1(o, 'P');
  put_digits(o, pe->id_num, 8);
}

ls_status ls_sim_write_persons(const ls_sim_world *w, const char *path, ls_error *err) {
  uint64_t *idx = sorted_keys(w->n_people, person_key, w);
  if (!idx)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  sim_out o;
  ls_status rc = out_open(&o, path, 0, 0, err);
  if (rc) {
    ls_free(idx);
    return rc;
  }
  puts0(&o, "person_id,dob,sex,flags\n");
  for (uint32_t k = 0; k < w->n_people; k++) {
    if (k + 8 < w->n_people) /* in id order the records are scattered */
      __builtin_prefetch(&w->people[(uint32_t)idx[k + 8]]);
    const sim_person *pe = &w->people[(uint32_t)idx[k]];
    rc = out_room(&o, 256, err);
    if (rc)
      break;
    put_person_id(&o, pe);
    putc1(&o, ',');
    put_date(&o, pe->dob_day);
    puts0(&o, pe->male ? ",male," : ",female,");
    put_flags(&o, pe->flags);
    putc1(&o, '\n');
  }
  ls_free(idx);
  return out_close(&o, rc, err);
}

/* The attributions as world building left them. Personal numbers are all
 * made then (the days add only deal numbers), so the rows are known before
 * the days run; a copy lets them be written on another thread while the
 * days' new numbers move w->nums. */
typedef struct attrib_row {
  uint32_t body;   /* the 9 digits after +447, < 10^9: file order */
  uint32_t num;    /* index in w->nums (picks the source column) */
  uint32_t person;
  int32_t from_day, to_day;
} attrib_row;

typedef struct attrib_set {
  attrib_row *rows;
  uint32_t n;
} attrib_set;

static ls_status attrib_collect(const ls_sim_world *w, attrib_set *a) {
  a->n = 0;
  a->rows = ls_reallocarray(NULL, w->n_nums ? w->n_nums : 1, sizeof *a->rows);
  if (!a->rows)
    return LS_ERR_NOMEM;
  for (uint32_t i = 0; i < w->n_nums; i++) {
    const sim_number *n = &w->nums[i];
    if (n->kind != SIM_NUM_PERSONAL || !n->attributed || n->person == SIM_NONE)
      continue;
    a->rows[a->n++] = (attrib_row){(uint32_t)n->body, i, n->person, n->from_day, n->to_day};
  }
  return LS_OK;
}

static ls_status attrib_write(const ls_sim_world *w, const attrib_set *a, const char *path,
                              ls_error *err) {
  uint64_t *idx = ls_reallocarray(NULL, a->n ? a->n : 1, sizeof *idx);
  if (!idx)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  for (uint32_t k = 0; k < a->n; k++)
    idx[k] = (uint64_t)a->rows[k].body << 32 | k;
  if (radix_sort(idx, a->n)) {
    ls_free(idx);
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  }
  sim_out o;
  ls_status rc = out_open(&o, path, 0, 0, err);
  if (rc) {
    ls_free(idx);
    return rc;
  }
  int32_t day0 = (int32_t)(w->p.start / 86400);
  puts0(&o, "number,person_id,from,to,source\n");
  for (uint32_t k = 0; k < a->n; k++) {
    if (k + 16 < a->n)
      __builtin_prefetch(&a->rows[(uint32_t)idx[k + 16]]);
    if (k + 8 < a->n)
      __builtin_prefetch(&w->people[a->rows[(uint32_t)idx[k + 8]].person]);
    const attrib_row *r = &a->rows[(uint32_t)idx[k]];
    rc = out_room(&o, 256, err);
    if (rc)
      break;
    put(&o, "+447", 4);
    put_digits(&o, r->body, 9);
    putc1(&o, ',');
    put_person_id(&o, &w->people[r->person]);
    putc1(&o, ',');
    if (r->from_day >= 0)
      put_date(&o, day0 + r->from_day);
    putc1(&o, ',');
    if (r->to_day >= 0)
      put_date(&o, day0 + r->to_day);
    /* most records from the operator's subscriber check, some from
     * intelligence (a stop, a previous case) */
    puts0(&o, w->nums[r->num].attributed != SIM_ATT_INTEL && ls__sim_mix3(r->num, w->p.seed, 9) % 5
                  ? ",subscriber\n"
                  : ",intelligence\n");
  }
  ls_free(idx);
  return out_close(&o, rc, err);
}

ls_status ls_sim_write_attributions(const ls_sim_world *w, const char *path, ls_error *err) {
  attrib_set a;
  if (attrib_collect(w, &a))
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  ls_status rc = attrib_write(w, &a, path, err);
  ls_free(a.rows);
  return rc;
}

ls_status ls_sim_write_addresses(const ls_sim_world *w, const char *path, ls_error *err) {
  uint64_t *idx = sorted_keys(w->n_addrs, address_key, w);
  if (!idx)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  sim_out o;
  ls_status rc = out_open(&o, path, 0, 0, err);
  if (rc) {
    ls_free(idx);
    return rc;
  }
  puts0(&o, "address_id,lat,lon,cell_id,occupant,flags\n");
  for (uint32_t k = 0; k < w->n_addrs; k++) {
    if (k + 16 < w->n_addrs)
      __builtin_prefetch(&w->addrs[(uint32_t)idx[k + 16]]);
    if (k + 8 < w->n_addrs)
      __builtin_prefetch(&w->people[w->addrs[(uint32_t)idx[k + 8]].occupant]);
    const sim_address *a = &w->addrs[(uint32_t)idx[k]];
    rc = out_room(&o, 256, err);
    if (rc)
      break;
    putc1(&o, 'A');
    put_digits(&o, a->id_num, 7);
    putc1(&o, ',');
    put_fixed5(&o, a->lat);
    putc1(&o, ',');
    put_fixed5(&o, a->lon);
    putc1(&o, ',');
    put(&o, w->cells[a->cell].id, w->cells[a->cell].id_len);
    putc1(&o, ',');
    put_person_id(&o, &w->people[a->occupant]);
    putc1(&o, ',');
    put_flags(&o, a->flags);
    putc1(&o, '\n');
  }
  ls_free(idx);
  return out_close(&o, rc, err);
}

/* ---------------------------------------------------------------- truth */
/* Each list gets a new stamp; a number already stamped with it is in the
 * list (O(1) de-duplication instead of scanning the array). */
typedef struct truth_ctx {
  const ls_sim_world *w;
  uint32_t *stamp; /* per number */
  uint32_t list;
} truth_ctx;

static int add_num(truth_ctx *t, json_t *arr, uint32_t num) {
  if (num == SIM_NONE || !t->w->hot[num].used || t->stamp[num] == t->list)
    return 0;
  t->stamp[num] = t->list;
  return json_array_append_new(arr, json_string(t->w->nums[num].str));
}

static int add_person_nums(truth_ctx *t, json_t *arr, uint32_t person) {
  const sim_person *pe = &t->w->people[person];
  int rc = add_num(t, arr, pe->sim);
  if (!rc && pe->change_day >= 0)
    rc = add_num(t, arr, pe->sim2);
  return rc;
}

json_t *ls_sim_truth(const ls_sim_world *w) {
  static const char *const kinds[SIM_D_KINDS] = {"taxi",     "takeaway", "tradesperson",
                                                 "delivery", "bulk_sms", "community"};
  json_t *root = json_object(), *lines = json_array(), *juv = json_array(), *decoys = json_object();
  truth_ctx t = {w, ls_calloc(w->n_nums ? w->n_nums : 1, sizeof(uint32_t)), 1};
  uint32_t juv_list = t.list++;
  int bad = !root || !lines || !juv || !decoys || !t.stamp;
  if (bad)
    goto fail;
  bad |= json_object_set_new(root, "seed", json_integer((json_int_t)w->p.seed));
  bad |= json_object_set_new(root, "difficulty", json_string(w->p.difficulty));
  bad |= json_object_set_new(root, "scale", json_integer(w->p.scale));
  bad |= json_object_set_new(root, "days", json_integer(w->p.days));
  for (uint32_t li = 0; li < w->n_lines && !bad; li++) {
    const sim_line *l = &w->lines[li];
    json_t *o = json_object(), *nums = json_array(), *hold = json_array(), *run = json_array(),
           *cust = json_array(), *cuckoo = json_array(), *imeis = json_array();
    if (!o || !nums || !hold || !run || !cust || !cuckoo || !imeis) {
      json_decref(o);
      json_decref(nums);
      json_decref(hold);
      json_decref(run);
      json_decref(cust);
      json_decref(cuckoo);
      json_decref(imeis);
      goto fail;
    }
    char id[16];
    snprintf(id, sizeof id, "L%03u", li + 1);
    bad |= json_object_set_new(o, "line_id", json_string(id));
    bad |= json_object_set_new(o, "brand", json_string(l->brand));
    bad |= json_object_set_new(o, "origin", json_string(w->places[l->origin].name));
    bad |= json_object_set_new(o, "destination", json_string(w->places[l->dest].name));
    t.list++;
    for (uint32_t k = 0; k < l->n_nums; k++) {
      bad |= add_num(&t, nums, l->nums[k]);
      const char *im = w->imeis[w->nums[l->nums[k]].imei];
      size_t i;
      json_t *v;
      int seen = 0;
      json_array_foreach(imeis, i, v) seen |= !strcmp(json_string_value(v), im);
      if (!seen && w->hot[l->nums[k]].used)
        bad |= json_array_append_new(imeis, json_string(im));
    }
    t.list++;
    bad |= add_num(&t, hold, w->people[l->holder].sim);
    t.list++;
    /* runners who worked for the line in the window (came to the
     * destination); one whose turn never came is not a runner of the data */
    for (uint8_t k = 0; k < l->n_runners; k++)
      if (l->worked >> k & 1)
        bad |= add_num(&t, run, w->people[l->runners[k]].sim);
    uint32_t mine = t.list;
    t.list = juv_list;
    for (uint8_t k = 0; k < l->n_runners; k++)
      if (w->people[l->runners[k]].age < 18 && (l->worked >> k & 1))
        bad |= add_num(&t, juv, w->people[l->runners[k]].sim);
    t.list = mine + 1;
    for (uint32_t c = l->first_cust; c < l->first_cust + l->n_cust; c++)
      if (w->cust_seen[c])
        bad |= add_person_nums(&t, cust, w->cust[c].person);
    /* the homes the line used as a base in the window: slept in on two
     * nights or more (issue 5: "dwells overnight on several nights"); a
     * second home the rota never reached is not in the data */
    for (uint8_t k = 0; k < l->n_cuckoo; k++)
      if (l->cuckoo_nights[k] >= 2)
        bad |= json_array_append_new(cuckoo, json_string(w->addrs[l->cuckoo_addr[k]].id));
    bad |= json_object_set_new(o, "numbers", nums);
    bad |= json_object_set_new(o, "holders", hold);
    bad |= json_object_set_new(o, "runners", run);
    bad |= json_object_set_new(o, "customers", cust);
    bad |= json_object_set_new(o, "cuckoo_addresses", cuckoo);
    bad |= json_object_set_new(o, "handsets", imeis);
    bad |= json_object_set_new(o, "closed", json_boolean(l->closed));
    bad |= json_object_set_new(o, "swaps", json_integer(l->n_swaps));
    bad |= json_object_set_new(o, "forced_swaps", json_integer(l->n_forced));
    bad |= json_object_set_new(o, "same_handset_swaps", json_integer(l->n_same_imei));
    bad |= json_array_append_new(lines, o);
  }
  for (int k = 0; k < SIM_D_KINDS && !bad; k++) {
    json_t *arr = json_array();
    if (!arr)
      goto fail;
    t.list++;
    for (uint32_t i = 0; i < w->n_biz; i++)
      if (w->biz[i].kind == k)
        bad |= add_num(&t, arr, w->biz[i].number);
    bad |= json_object_set_new(decoys, kinds[k], arr);
  }
  if (!bad) {
    json_t *arr = json_array();
    if (!arr)
      goto fail;
    t.list++;
    for (uint32_t i = 0; i < w->n_people; i++)
      if (w->people[i].change_day >= 0) {
        bad |= add_num(&t, arr, w->people[i].sim);
        bad |= add_num(&t, arr, w->people[i].sim2);
      }
    bad |= json_object_set_new(decoys, "phone_change", arr);
  }
  bad |= json_object_set_new(root, "lines", lines);
  lines = NULL;
  bad |= json_object_set_new(root, "juvenile_runners", juv);
  juv = NULL;
  bad |= json_object_set_new(root, "decoys", decoys);
  decoys = NULL;
  if (bad)
    goto fail;
  ls_free(t.stamp);
  return root;
fail:
  ls_free(t.stamp);
  json_decref(lines);
  json_decref(juv);
  json_decref(decoys);
  json_decref(root);
  return NULL;
}

/* ------------------------------------------------------------ directory */
static ls_status make_dir(const char *dir, ls_error *err) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
    return LS_FAIL(err, LS_ERR_USAGE, "output path too long");
  for (char *s = path + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(path, 0777) && errno != EEXIST)
      return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot create directory: %s", strerror(errno));
    *s = '/';
  }
  if (mkdir(path, 0777) && errno != EEXIST)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot create directory: %s", strerror(errno));
  return LS_OK;
}

/* cells.csv, persons.csv and addresses.csv. They hold only what world
 * building left (ids, dates of birth, sex, flags, places), which the days
 * never change, so they are written on a thread of their own while the
 * days are generated (~0.9 CPU s at scale 1M, otherwise on the critical
 * path). */
typedef struct static_job {
  const ls_sim_world *w;
  const char *dir;
  attrib_set attrib;
  ls_status rc;
  ls_error err;
} static_job;

static ls_status write_static(const static_job *job, ls_error *err) {
  const ls_sim_world *w = job->w;
  const char *dir = job->dir;
  char path[4200];
  snprintf(path, sizeof path, "%s/cells.csv", dir);
  ls_status rc = ls_sim_write_cells(w, path, err);
  if (!rc) {
    snprintf(path, sizeof path, "%s/persons.csv", dir);
    rc = ls_sim_write_persons(w, path, err);
  }
  if (!rc) {
    snprintf(path, sizeof path, "%s/addresses.csv", dir);
    rc = ls_sim_write_addresses(w, path, err);
  }
  if (!rc) {
    snprintf(path, sizeof path, "%s/attributions.csv", dir);
    rc = attrib_write(w, &job->attrib, path, err);
  }
  return rc;
}

static void *static_main(void *arg) {
  static_job *job = arg;
  job->rc = write_static(job, &job->err);
  return NULL;
}

ls_status ls_sim_write_dir(const ls_sim_params *p, const char *dir, ls_sim_summary *summary,
                           ls_error *err) {
  ls_sim_world *w = NULL;
  char path[4200];
  json_t *truth = NULL;
  ls_status rc = make_dir(dir, err);
  if (!rc)
    rc = ls_sim_world_create(p, &w, err);
  if (rc)
    return rc;
  static_job job = {.w = w, .dir = dir};
  ls_error_clear(&job.err);
  if (attrib_collect(w, &job.attrib)) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
    goto out;
  }
  pthread_t static_th;
  int static_threaded = !pthread_create(&static_th, NULL, static_main, &job);
  if (!static_threaded)
    job.rc = write_static(&job, &job.err);
  if (!job.rc) {
    sim_out o;
    snprintf(path, sizeof path, "%s/events.csv", dir);
    rc = out_open(&o, path, 1, 1, err);
    if (!rc) {
      puts0(&o, events_header);
      rc = ls__sim_world_run_piped(w, events_sink, &o, err);
      rc = out_close(&o, rc, err);
    }
  }
  if (static_threaded)
    pthread_join(static_th, NULL);
  if (!rc && job.rc) {
    rc = job.rc;
    if (err)
      *err = job.err;
  }
  if (rc)
    goto out;
  truth = ls_sim_truth(w);
  if (!truth) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory building truth.json");
    goto out;
  }
  snprintf(path, sizeof path, "%s/truth.json", dir);
  if (json_dump_file(truth, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
    rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write");
    goto out;
  }
  if (summary) {
    memset(summary, 0, sizeof *summary);
    summary->events = w->events_total;
    summary->lines = w->n_lines;
    for (uint32_t i = 0; i < w->n_lines; i++)
      summary->deal_numbers += w->lines[i].n_nums;
    summary->numbers = w->n_nums;
    summary->cells = w->n_cells;
    summary->persons = w->n_people;
    summary->addresses = w->n_addrs;
  }
out:
  ls_free(job.attrib.rows);
  json_decref(truth);
  ls_sim_world_free(w);
  return rc;
}
