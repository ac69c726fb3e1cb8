/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ingest orchestration: readers -> duplicate detection -> store, in one write
 * transaction, with provenance (datasets) and quarantine files.
 *
 * The SHA-256 of each file (streamed) is computed on a second thread while
 * the reader parses the same file. It uses OpenSSL's libcrypto rather than
 * libsodium (used everywhere else): libcrypto takes the CPU's SHA extensions
 * (2.0 GB/s on this machine by `openssl speed -evp sha256`, 0.3 s for a
 * 0.6 GB file) where libsodium's portable C runs at ~360 MB/s (1.7 s, 24%
 * of all CPU of a 10M-row ingest by perf), and on a 2-core machine those
 * CPU seconds are taken from the reader. The duplicate file check happens
 * once the file is read; a refused file rolls the whole ingest back like
 * any other failure. */
#include "linesight/ls_store_ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/ls_mem.h"
#include "linesight/ls_store_events.h"
#include "linesight/ls_time.h"
#include "store_internal.h"

#define HASH_BLOCK (1u << 20) /* read size for hashing: big enough to stream */
#define BYTES_PER_EVENT_ESTIMATE 60 /* a bare events CSV row is ~65 bytes (bench/) */

int ls_store_ingest_format_supported(const char *format) {
  if (!format || !strcmp(format, "auto") || !strcmp(format, "linesight") ||
      !strcmp(format, "operator"))
    return 1;
  if (!strcmp(format, "bandicoot"))
    return 0;
  return -1;
}

/* bandicoot records are not stored (docs/store.md, "bandicoot files"): a
 * records file is one subscriber's view named by its file, its
 * correspondents are pseudonymous ids rather than phone numbers, and its
 * times have no zone. Giving the ids made-up E.164 numbers would put numbers
 * that no operator issued into evidence beside real ones, and no mapping of
 * arbitrary ids into 15 digits is both one-to-one and stateless (a hash can
 * collide; a counter differs between stores). The indicators command reads
 * such files directly. */
const char *ls_store_ingest_format_refusal(const char *format) {
  if (format && !strcmp(format, "bandicoot"))
    return "bandicoot records (one subscriber's view, pseudonymous correspondent ids, times"
           " without a zone) are not phone events and are not stored; compute their"
           " indicators with `linesight indicators --bandicoot FILE.csv`";
  return NULL;
}

/* ---- SHA-256 on a second thread ------------------------------------------ */

typedef struct sha_job {
  const char *path;
  pthread_t thread;
  int started;
  int errnum; /* 0 or the errno of the failure */
  char hex[LS_SHA256_HEX];
} sha_job;

static void *sha_run(void *arg) {
  static const char hex[] = "0123456789abcdef";
  sha_job *job = arg;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  unsigned char *buf = ls_malloc(HASH_BLOCK);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int fd = -1;
  if (!buf || !md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
    job->errnum = ENOMEM;
    goto out;
  }
  fd = open(job->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    job->errnum = errno;
    goto out;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  for (;;) {
    ssize_t got = read(fd, buf, HASH_BLOCK);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      job->errnum = errno;
      goto out;
    }
    if (got == 0)
      break;
    if (EVP_DigestUpdate(md, buf, (size_t)got) != 1) {
      job->errnum = EIO;
      goto out;
    }
  }
  if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != 32) {
    job->errnum = EIO;
    goto out;
  }
  for (unsigned i = 0; i < dlen; i++) {
    job->hex[2 * i] = hex[digest[i] >> 4];
    job->hex[2 * i + 1] = hex[digest[i] & 15];
  }
  job->hex[2 * dlen] = '\0';
out:
  if (fd >= 0)
    close(fd);
  EVP_MD_CTX_free(md);
  ls_free(buf);
  return NULL;
}

static ls_status sha_start(sha_job *job, const char *path, ls_error *err) {
  memset(job, 0, sizeof *job);
  job->path = path;
  if (pthread_create(&job->thread, NULL, sha_run, job) != 0)
    return ls_error_set(err, LS_ERR_NOMEM, path, 0, 0, "cannot start the hashing thread");
  job->started = 1;
  return LS_OK;
}

static ls_status sha_finish(sha_job *job, ls_error *err) {
  if (!job->started)
    return LS_OK;
  pthread_join(job->thread, NULL);
  job->started = 0;
  if (job->errnum == ENOMEM)
    return ls_error_set(err, LS_ERR_NOMEM, job->path, 0, 0, "out of memory hashing the file");
  if (job->errnum)
    return ls_error_set(err, LS_ERR_IO, job->path, 0, 0, "cannot read: %s", strerror(job->errnum));
  return LS_OK;
}

/* ---- quarantine ---------------------------------------------------------- */

/* One CSV per dataset: <dir>/<file name>.<first 12 hex of its SHA-256>.csv,
 * mode 0600 in a 0700 directory (quarantined rows hold personal data). It is
 * written as a hidden .partial and renamed only after the commit, so a failed
 * or killed ingest leaves no quarantine file that names a dataset (at most a
 * hidden .partial, removed on an ordinary failure). */
typedef struct quarantine {
  const char *dir;
  char partial[PATH_MAX]; /* of the file being read */
  FILE *fp;
  int write_failed;
  int seq;                /* files of this ingest, for unique partial names */
  char **pending;         /* partial, final, partial, final, ... to rename at commit */
  size_t n_pending;
} quarantine;

static int needs_quotes(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
      return 1;
  return 0;
}

static void put_field(FILE *fp, const char *s, size_t len) {
  if (!needs_quotes(s, len)) {
    fwrite(s, 1, len, fp);
    return;
  }
  fputc('"', fp);
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"')
      fputc('"', fp);
    fputc(s[i], fp);
  }
  fputc('"', fp);
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static ls_status on_reject(void *ctx, const ls_reject *r) {
  quarantine *q = ctx;
  if (!q->fp) {
    if (mkdir(q->dir, 0700) != 0 && errno != EEXIST)
      return LS_ERR_IO;
    int n = snprintf(q->partial, sizeof q->partial, "%s/.%s.%ld-%d.partial", q->dir,
                     base_name(r->file), (long)getpid(), q->seq++);
    if (n < 0 || (size_t)n >= sizeof q->partial)
      return LS_ERR_LIMIT;
    int fd = open(q->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
      return LS_ERR_IO;
    q->fp = fdopen(fd, "w");
    if (!q->fp) {
      close(fd);
      unlink(q->partial);
      return LS_ERR_NOMEM;
    }
    q->write_failed = 0;
    fputs("file,line,reason,record\n", q->fp);
  }
  char line[24];
  int n = snprintf(line, sizeof line, "%ld", r->line);
  put_field(q->fp, r->file, strlen(r->file));
  fputc(',', q->fp);
  fwrite(line, 1, (size_t)n, q->fp);
  fputc(',', q->fp);
  put_field(q->fp, r->reason, strlen(r->reason));
  fputc(',', q->fp);
  put_field(q->fp, r->raw, r->raw_len);
  if (fputc('\n', q->fp) == EOF) {
    q->write_failed = 1;
    return LS_ERR_IO;
  }
  return LS_OK;
}

/* Drops a .partial left by a failed file. */
static void quarantine_discard(quarantine *q) {
  if (q->fp) {
    fclose(q->fp);
    q->fp = NULL;
    unlink(q->partial);
  }
}

/* Closes the .partial and names its final path (renamed at commit); *path
 * is NULL when the file had no rejected row. */
static ls_status quarantine_close(quarantine *q, const char *file, const char *sha_hex,
                                  char **path, ls_error *err) {
  *path = NULL;
  if (!q->fp)
    return LS_OK;
  int bad = fflush(q->fp) != 0 || ferror(q->fp) || q->write_failed;
  bad |= fclose(q->fp) != 0;
  q->fp = NULL;
  if (bad) {
    unlink(q->partial);
    return ls_error_set(err, LS_ERR_IO, q->dir, 0, 0, "cannot write the quarantine file");
  }
  char final[PATH_MAX];
  int n = snprintf(final, sizeof final, "%s/%s.%.12s.csv", q->dir, base_name(file), sha_hex);
  char **grown = ls_reallocarray(q->pending, q->n_pending + 2, sizeof *grown);
  if (grown)
    q->pending = grown;
  char *from = ls_strdup(q->partial), *to = ls_strdup(final);
  if (n < 0 || (size_t)n >= sizeof final || !grown || !from || !to) {
    ls_free(from);
    ls_free(to);
    unlink(q->partial);
    return ls_error_set(err, n < 0 || (size_t)n >= sizeof final ? LS_ERR_LIMIT : LS_ERR_NOMEM,
                        file, 0, 0, "cannot name the quarantine file");
  }
  q->pending[q->n_pending++] = from;
  q->pending[q->n_pending++] = to;
  *path = to;
  return LS_OK;
}

/* After the commit: gives each quarantine file its final name. After a
 * rollback: removes them. */
static ls_status quarantine_finish(quarantine *q, int committed, ls_error *err) {
  ls_status rc = LS_OK;
  quarantine_discard(q);
  for (size_t i = 0; i + 1 < q->n_pending; i += 2) {
    if (!committed) {
      unlink(q->pending[i]);
    } else if (rename(q->pending[i], q->pending[i + 1]) != 0 && rc == LS_OK) {
      rc = ls_error_set(err, LS_ERR_IO, q->pending[i + 1], 0, 0,
                        "stored, but the quarantine file could not take this name (%s); it is %s",
                        strerror(errno), q->pending[i]);
    }
  }
  for (size_t i = 0; i < q->n_pending; i++)
    ls_free(q->pending[i]);
  ls_free(q->pending);
  q->pending = NULL;
  q->n_pending = 0;
  return rc;
}

/* ---- the transaction ----------------------------------------------------- */

static ls_status begin_write(ls_store *st, ls_error *err) {
  if (st->in_tx)
    return LS_FAIL(err, LS_ERR_INTERNAL, "a transaction is already open");
  /* Take the write lock up front: the dictionaries and the stored events are
   * read to find duplicates, and must not change before the commit. */
  ls_status rc;
  if (!strcmp(ls_store_backend(st), "sqlite")) {
    rc = ls_store_exec(st, "BEGIN IMMEDIATE", err);
  } else {
    rc = ls_store_exec(st, "BEGIN", err);
    if (rc == LS_OK)
      rc = ls_store_exec(st, "LOCK TABLE datasets IN EXCLUSIVE MODE", err);
    if (rc)
      ls_store_exec(st, "ROLLBACK", NULL);
  }
  if (rc == LS_OK)
    st->in_tx = 1;
  return rc;
}

static ls_status check_not_ingested(ls_store *st, const char *path, const char *hex, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT id, file_name, ingested_at FROM datasets WHERE sha256 = ?",
                                 &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_text(s, 1, hex, strlen(hex));
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW)
    rc = ls_error_set(err, LS_ERR_DUPLICATE, path, 0, 0,
                      "already ingested as dataset %lld (%s, %s; same SHA-256 %.16s...); refused",
                      (long long)ls_stmt_int64(s, 0), ls_stmt_text(s, 1), ls_stmt_text(s, 2), hex);
  ls_stmt_finalize(s);
  return rc;
}

static ls_status insert_dataset(ls_store *st, const ls_store_ingest_file *f, const char *name,
                                int64_t *id, ls_error *err) {
  ls_stmt *s = NULL;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  ls_status rc = ls_stmt_prepare(st,
                                 "INSERT INTO datasets(file_name, sha256, kind, format, bytes,"
                                 " rows_read, rows_stored, rows_duplicate, rows_rejected,"
                                 " quarantine_file, ingested_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                 &s, err);
  if (rc)
    return rc;
  const char *kind = ls_file_kind_name(f->kind);
  rc = ls_stmt_bind_text(s, 1, name, strlen(name));
  rc = rc ? rc : ls_stmt_bind_text(s, 2, f->sha256, strlen(f->sha256));
  rc = rc ? rc : ls_stmt_bind_text(s, 3, kind, strlen(kind));
  rc = rc ? rc : ls_stmt_bind_text(s, 4, f->format, strlen(f->format));
  ls_stmt_bind_int64(s, 5, (int64_t)f->bytes);
  ls_stmt_bind_int64(s, 6, (int64_t)f->rows_read);
  ls_stmt_bind_int64(s, 7, (int64_t)f->rows_stored);
  ls_stmt_bind_int64(s, 8, (int64_t)f->rows_duplicate);
  ls_stmt_bind_int64(s, 9, (int64_t)f->rows_rejected);
  if (f->quarantine)
    rc = rc ? rc : ls_stmt_bind_text(s, 10, f->quarantine, strlen(f->quarantine));
  else
    ls_stmt_bind_null(s, 10);
  rc = rc ? rc : ls_stmt_bind_text(s, 11, now, strlen(now));
  if (rc) {
    ls_stmt_finalize(s);
    return LS_FAIL(err, rc, "out of memory recording the dataset");
  }
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    *id = ls_stmt_int64(s, 0);
    rc = ls_stmt_step(s, err) == LS_DONE ? LS_OK : LS_FAIL(err, LS_ERR_DB, "dataset insert");
  } else if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_DB, "dataset insert returned no id");
  }
  ls_stmt_finalize(s);
  return rc;
}

static ls_status update_counts(ls_store *st, const ls_store_ingest_file *f, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st,
                                 "UPDATE datasets SET rows_stored = ?, rows_duplicate = ?"
                                 " WHERE id = ?",
                                 &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_int64(s, 1, (int64_t)f->rows_stored);
  ls_stmt_bind_int64(s, 2, (int64_t)f->rows_duplicate);
  ls_stmt_bind_int64(s, 3, f->dataset_id);
  rc = ls_stmt_step(s, err);
  ls_stmt_finalize(s);
  return rc == LS_DONE ? LS_OK : rc;
}

/* A file read and recorded as a dataset, waiting for its events (when it
 * has any) to be written and for on_file. */
typedef struct pending_file {
  ls_store_ingest_file f;
  size_t first, end; /* its events in ingest_state.ev */
} pending_file;

typedef struct ingest_state {
  ls_store *st;
  const ls_store_ingest_opts *opts;
  ls_tz *tz;
  quarantine q;
  ls_events ev;       /* stored events, then each events file's new ones */
  int ev_loaded;
  int operator;       /* every file is an operator return */
  pending_file *pending;
  size_t n_pending, cap_pending, n_flushed;
} ingest_state;

/* Writes the events of the files read but not stored yet, in order, each
 * with its dataset, and reports them. */
static ls_status flush_pending(ingest_state *s, ls_error *err) {
  ls_status rc = LS_OK;
  for (; rc == LS_OK && s->n_flushed < s->n_pending; s->n_flushed++) {
    pending_file *p = &s->pending[s->n_flushed];
    if (p->f.kind == LS_KIND_EVENTS)
      rc = ls_store_events_append_range(s->st, &s->ev, p->first, p->end, p->f.dataset_id, err);
    if (rc == LS_OK && s->opts->on_file)
      s->opts->on_file(s->opts->file_ctx, &p->f);
  }
  return rc;
}

/* Tells the file's kind from its header; refuses what is not a regular file
 * (a directory, a device) before any reader maps it. */
static ls_status identify(const char *path, int operator, ls_store_ingest_file *f,
                          ls_error *err) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return ls_error_set(err, errno == ENOENT ? LS_ERR_INPUT : LS_ERR_IO, path, 0, 0,
                        "cannot open: %s", strerror(errno));
  if (!S_ISREG(sb.st_mode))
    return ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "not a regular file; refused");
  f->bytes = (uint64_t)sb.st_size;
  if (operator) { /* its header is the operator's, checked by the mapping */
    f->kind = LS_KIND_EVENTS;
    return LS_OK;
  }
  ls_status rc = ls_ingest_detect(path, &f->kind, err);
  if (rc == LS_OK && f->kind == LS_KIND_UNKNOWN)
    rc = ls_error_set(err, LS_ERR_INPUT, path, 1, 0,
                      "not an events, cells, persons, attributions or addresses CSV"
                      " (header not recognised); refused");
  return rc;
}

static ls_status ingest_one(ingest_state *s, const char *path, const char *mapping,
                            ls_error *err) {
  ls_store_ingest_file f;
  memset(&f, 0, sizeof f);
  f.path = path;
  f.format = s->operator ? "operator" : "linesight";
  sha_job sha;
  memset(&sha, 0, sizeof sha);
  ls_refdata rd;
  ls_refdata_init(&rd);
  char *qpath = NULL;
  char *real = NULL;
  size_t base = 0;
  ls_read_stats stats;
  memset(&stats, 0, sizeof stats);
  ls_read_opts ro = {.tz = s->tz,
                     .on_reject = on_reject,
                     .reject_ctx = &s->q,
                     .on_progress = s->opts->on_progress,
                     .progress_ctx = s->opts->progress_ctx};

  uint64_t merged = 0;
  ls_status rc = identify(path, s->operator, &f, err);
  if (rc)
    goto out;
  rc = sha_start(&sha, path, err);
  if (rc)
    goto out;
  if (f.kind == LS_KIND_EVENTS) {
    if (!s->ev_loaded) {
      rc = ls_store_events_load(s->st, INT64_MIN, INT64_MAX, &s->ev, err);
      if (rc)
        goto out;
      s->ev_loaded = 1;
    }
    /* one allocation up front instead of the reader's doublings: keeps the
     * peak memory of a 10M-row file near its final size */
    rc = ls_events_reserve(&s->ev, s->ev.count + f.bytes / BYTES_PER_EVENT_ESTIMATE + 1024);
    if (rc) {
      rc = ls_error_set(err, rc, path, 0, 0, "out of memory for %llu bytes of events",
                        (unsigned long long)f.bytes);
      goto out;
    }
    base = s->ev.count;
    if (s->operator)
      rc = ls_ingest_read_operator(path, mapping, &ro, &s->ev, &stats, &merged, err);
    else
      rc = ls_ingest_read_events(path, &ro, &s->ev, &stats, err);
    if (rc)
      goto out;
    rc = ls_store_events_dedupe(&s->ev, base, &f.rows_duplicate);
    if (rc) {
      rc = LS_FAIL(err, rc, "out of memory finding duplicate events");
      goto out;
    }
    /* a merged mirror record is the other party's copy of a stored event */
    f.rows_duplicate += merged;
    f.rows_stored = s->ev.count - base;
  } else {
    ls_file_kind kind = LS_KIND_UNKNOWN;
    rc = ls_ingest_read_refdata(path, &ro, &rd, &kind, &stats, err);
    if (rc)
      goto out;
  }
  f.rows_read = stats.rows_read;
  f.rows_rejected = stats.rows_rejected;
  rc = sha_finish(&sha, err);
  if (rc == LS_OK)
    rc = check_not_ingested(s->st, path, sha.hex, err);
  if (rc)
    goto out;
  memcpy(f.sha256, sha.hex, sizeof f.sha256);
  rc = quarantine_close(&s->q, path, f.sha256, &qpath, err);
  if (rc)
    goto out;
  f.quarantine = qpath;
  real = realpath(path, NULL); /* provenance: where the file was */
  rc = insert_dataset(s->st, &f, real ? real : path, &f.dataset_id, err);
  if (rc)
    goto out;
  if (f.kind != LS_KIND_EVENTS) {
    rc = ls_store_refdata_append(s->st, &rd, f.kind, f.dataset_id, &f.rows_stored,
                                 &f.rows_duplicate, err);
    if (rc == LS_OK)
      rc = update_counts(s->st, &f, err);
    if (rc)
      goto out;
  }
  if (s->n_pending == s->cap_pending) {
    size_t cap = s->cap_pending ? s->cap_pending * 2 : 8;
    pending_file *grown = ls_reallocarray(s->pending, cap, sizeof *grown);
    if (!grown) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      goto out;
    }
    s->pending = grown;
    s->cap_pending = cap;
  }
  s->pending[s->n_pending++] =
      (pending_file){f, base, f.kind == LS_KIND_EVENTS ? s->ev.count : base};
  /* operator returns are written once every file is read, since a later
   * return may still complete their events with its mirror records; other
   * files at once (each file's line then appears as soon as it is stored) */
  if (!s->operator)
    rc = flush_pending(s, err);
out:
  if (sha.started)
    sha_finish(&sha, NULL);
  if (rc)
    quarantine_discard(&s->q);
  free(real); /* from realpath: libc's allocator */
  ls_refdata_free(&rd);
  return rc;
}

static const char *mapping_of(const ls_store_ingest_opts *o, size_t i) {
  return o->mappings && o->mappings[i] ? o->mappings[i] : o->mapping;
}

ls_status ls_store_ingest(ls_store *st, const char *const *paths, size_t n,
                          const ls_store_ingest_opts *opts, ls_error *err) {
  static const ls_store_ingest_opts no_opts;
  ingest_state s;
  memset(&s, 0, sizeof s);
  s.st = st;
  s.opts = opts ? opts : &no_opts;
  char qdir[PATH_MAX];
  ls_status rc;
  int supported = ls_store_ingest_format_supported(s.opts->format);
  if (supported < 0)
    return LS_FAIL(err, LS_ERR_USAGE, "unknown format '%s' (auto, linesight, bandicoot, operator)",
                   s.opts->format);
  if (supported == 0)
    return LS_FAIL(err, LS_ERR_USAGE, "format '%s': %s", s.opts->format,
                   ls_store_ingest_format_refusal(s.opts->format));
  s.operator = s.opts->format && !strcmp(s.opts->format, "operator");
  for (size_t i = 0; i < n; i++) {
    if (s.operator && !mapping_of(s.opts, i))
      return ls_error_set(err, LS_ERR_USAGE, paths[i], 0, 0,
                          "format 'operator' needs a mapping file for this return (--mapping,"
                          " e.g. share/mappings/uk-return-a.map)");
    if (!s.operator && mapping_of(s.opts, i))
      return LS_FAIL(err, LS_ERR_USAGE, "a mapping file is read only with format 'operator'");
  }
  if (s.opts->quarantine_dir)
    snprintf(qdir, sizeof qdir, "%s", s.opts->quarantine_dir);
  else if (!strcmp(ls_store_backend(st), "sqlite"))
    snprintf(qdir, sizeof qdir, "%s.quarantine", ls_store_location(st));
  else
    snprintf(qdir, sizeof qdir, "linesight.quarantine");
  s.q.dir = qdir;
  rc = ls_tz_open(s.opts->tz ? s.opts->tz : LS_DEFAULT_TZ, &s.tz, err);
  if (rc)
    return rc;
  ls_events_init(&s.ev);
  rc = begin_write(st, err);
  for (size_t i = 0; rc == LS_OK && i < n; i++)
    rc = ingest_one(&s, paths[i], mapping_of(s.opts, i), err);
  if (rc == LS_OK)
    rc = flush_pending(&s, err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  ls_status qrc = quarantine_finish(&s.q, rc == LS_OK, err);
  if (rc == LS_OK)
    rc = qrc;
  ls_events_free(&s.ev);
  ls_free(s.pending);
  ls_tz_close(s.tz);
  return rc;
}
