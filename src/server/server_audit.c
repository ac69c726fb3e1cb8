/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Group commit of the audit trail. Every read of person or communications
 * data appends an audit entry; written one transaction each, every request
 * paid a full disk sync (synchronous=FULL) and waited for the write lock
 * behind the others, which put the p99 of the line list over 50 ms at 200
 * connections (docs/performance.md). Here a request hands its entry to one
 * writer thread and, after giving its store connection back, waits until
 * the entry is durable; the writer takes every entry queued meanwhile and
 * appends them in one transaction (ls_audit_append_many: one sync for the
 * batch, the hash chain unchanged). No timer: while one batch syncs the next
 * one gathers, so a lone request waits for one sync only and a busy server
 * syncs once for many. The answer is still never sent before its entry is
 * on disk, and one whose entry failed is a 500 (server_http.c).
 *
 * A request handled on an I/O thread (server_http.c) does not wait on a
 * condition variable: its connection is suspended, and the writer resumes
 * it after the batch commit, which is what lets a few I/O threads carry
 * 200 connections (docs/performance.md). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linesight/ls_audit.h"
#include "server_internal.h"

struct ls__audit_job {
  ls__audit_job *next;
  char *fields[6]; /* actor, force, action, target, records, detail */
  int done;
  ls_status status;
  pthread_cond_t cv; /* signalled for this job alone: a batch wakes only its own requests */
  /* the suspended connection to resume once this job is done (the last
   * job of a request from an I/O thread; jobs finish in queue order), and
   * the writer's list of those to resume after a batch */
  struct MHD_Connection *resume;
  ls__audit_job *resume_next;
};

static void job_free(ls__audit_job *j) {
  if (!j)
    return;
  for (int i = 0; i < 6; i++)
    free(j->fields[i]);
  pthread_cond_destroy(&j->cv);
  free(j);
}

static void *writer(void *arg) {
  ls__audit_queue *q = arg;
  ls_audit_entry *batch = NULL;
  size_t cap = 0;
  pthread_mutex_lock(&q->mu);
  for (;;) {
    while (!q->head && !q->stopping)
      pthread_cond_wait(&q->work_cv, &q->mu);
    if (!q->head)
      break; /* stopping and drained */
    ls__audit_job *jobs = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->mu);

    size_t n = 0;
    for (ls__audit_job *j = jobs; j; j = j->next)
      n++;
    ls_status rc = LS_OK;
    ls_error err;
    ls_error_clear(&err);
    if (n > cap) {
      ls_audit_entry *p = realloc(batch, n * sizeof *p);
      if (p) {
        batch = p;
        cap = n;
      } else {
        rc = LS_ERR_NOMEM;
      }
    }
    if (rc == LS_OK) {
      size_t i = 0;
      for (ls__audit_job *j = jobs; j; j = j->next, i++) {
        memset(&batch[i], 0, sizeof batch[i]);
        batch[i].actor = j->fields[0];
        batch[i].force = j->fields[1];
        batch[i].action = j->fields[2];
        batch[i].target = j->fields[3];
        batch[i].records = j->fields[4];
        batch[i].detail = j->fields[5];
      }
      pthread_mutex_lock(&q->commit_mu);
      rc = ls_audit_append_many(q->st, batch, n, &err);
      pthread_mutex_unlock(&q->commit_mu);
    }

    pthread_mutex_lock(&q->mu);
    q->batches++;
    q->entries += n;
    ls__audit_job *resume = NULL;
    for (ls__audit_job *j = jobs, *next; j; j = next) {
      next = j->next; /* j may be freed once done is seen */
      j->status = rc;
      j->done = 1;
      if (j->resume) {
        j->resume_next = resume;
        resume = j;
      } else {
        pthread_cond_signal(&j->cv);
      }
    }
    /* resumed outside the lock: each resume wakes an I/O thread (an
     * eventfd write), and requests queue entries meanwhile. A job with a
     * suspended connection is freed only by that connection's handler,
     * which runs after the resume. */
    pthread_mutex_unlock(&q->mu);
    for (ls__audit_job *j = resume, *next; j; j = next) {
      next = j->resume_next;
      MHD_resume_connection(j->resume);
    }
    pthread_mutex_lock(&q->mu);
  }
  pthread_mutex_unlock(&q->mu);
  free(batch);
  return NULL;
}

/* Checkpoints the WAL every CHECKPOINT_MS while entries are written, on
 * its own connection, so that the writer does not (ls_audit_writer_setup).
 * The pass copies what is in the WAL while batches go on. SQLite starts
 * the WAL file over only after a checkpoint that caught up with the last
 * commit; a pass does when it falls in a gap between two batches, which at
 * a modest rate is most of the time. A writer that never pauses (the load
 * benchmark: a batch every 1-3 ms) keeps it from that, and the WAL would
 * grow without end, so past WAL_RESTART_PAGES a second pass runs between
 * two batches (commit_mu) and copies the few pages written meanwhile.
 * That pass holds the batches for 2-40 ms (two syncs); run every round, as
 * it was first, it put such a stall in every 250 ms and showed in the p99
 * (docs/performance.md). 100 ms rounds keep each pass short (commit p99
 * 4-5 ms against 6-11 ms with 250 ms rounds, back to back). */
#define CHECKPOINT_MS 100
/* 256 MiB of 4 KiB pages: at the benchmark's 25,000 entries/s (~5,000
 * pages/s: small batches rewrite their last pages) the second pass runs
 * every ~12 s instead of every ~3 s at 64 MiB, whose stalls were still
 * visible in the p99; the file is written over, not grown, after that */
#define WAL_RESTART_PAGES 65536

static void *checkpointer(void *arg) {
  ls__audit_queue *q = arg;
  uint64_t done = 0;
  pthread_mutex_lock(&q->mu);
  while (!q->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += CHECKPOINT_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&q->stop_cv, &q->mu, &until);
    if (q->stopping || q->entries == done)
      continue;
    done = q->entries;
    pthread_mutex_unlock(&q->mu);
    ls_error err;
    ls_error_clear(&err);
    /* a failure is retried on the next round; the commits go on regardless */
    int64_t frames = 0;
    (void)ls_audit_checkpoint_wal(q->checkpoint_st, &frames, &err);
    if (frames >= WAL_RESTART_PAGES) {
      pthread_mutex_lock(&q->commit_mu);
      (void)ls_audit_checkpoint(q->checkpoint_st, &err);
      pthread_mutex_unlock(&q->commit_mu);
    }
    pthread_mutex_lock(&q->mu);
  }
  pthread_mutex_unlock(&q->mu);
  return NULL;
}

ls_status ls__audit_queue_start(ls__audit_queue *q, const char *db, ls_error *err) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->work_cv, NULL);
  pthread_cond_init(&q->stop_cv, NULL);
  pthread_mutex_init(&q->commit_mu, NULL);
  ls_status rc = ls_store_open(db, &q->st, err);
  if (rc == LS_OK)
    rc = ls_store_open(db, &q->checkpoint_st, err);
  if (rc == LS_OK)
    rc = ls_audit_writer_setup(q->st, err);
  if (rc)
    return rc;
  if (pthread_create(&q->thread, NULL, writer, q))
    return LS_FAIL(err, LS_ERR_NOMEM, "cannot start the audit writer thread");
  q->running = 1;
  if (pthread_create(&q->checkpoint_thread, NULL, checkpointer, q))
    return LS_FAIL(err, LS_ERR_NOMEM, "cannot start the checkpoint thread");
  q->checkpointing = 1;
  return LS_OK;
}

void ls__audit_queue_drain(ls__audit_queue *q) {
  pthread_mutex_lock(&q->mu);
  q->stopping = 1;
  pthread_cond_signal(&q->work_cv);
  pthread_cond_signal(&q->stop_cv);
  pthread_mutex_unlock(&q->mu);
  if (q->running)
    pthread_join(q->thread, NULL);
  if (q->checkpointing)
    pthread_join(q->checkpoint_thread, NULL);
  q->running = q->checkpointing = 0;
}

void ls__audit_queue_stop(ls__audit_queue *q) {
  ls__audit_queue_drain(q);
  if (q->checkpoint_st) {
    /* what the last batches left in the WAL goes into the database */
    ls_error err;
    ls_error_clear(&err);
    (void)ls_audit_checkpoint(q->checkpoint_st, &err);
  }
  ls_store_close(q->checkpoint_st);
  ls_store_close(q->st);
  q->st = q->checkpoint_st = NULL;
  pthread_cond_destroy(&q->stop_cv);
  pthread_mutex_destroy(&q->commit_mu);
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->work_cv);
}

/* Waits for the request's entries; frees them. LS_OK when all are stored. */
ls_status ls__audit_wait(ls__request *rq) {
  if (!rq->naudit)
    return LS_OK; /* also for a request refused before it was set up */
  ls__audit_queue *q = &rq->srv->audit;
  ls_status rc = LS_OK;
  pthread_mutex_lock(&q->mu);
  for (size_t i = 0; i < rq->naudit; i++) {
    while (!rq->audit[i]->done)
      pthread_cond_wait(&rq->audit[i]->cv, &q->mu);
    if (rq->audit[i]->status && !rc)
      rc = rq->audit[i]->status;
  }
  pthread_mutex_unlock(&q->mu);
  for (size_t i = 0; i < rq->naudit; i++)
    job_free(rq->audit[i]);
  rq->naudit = 0;
  return rc;
}

int ls__audit_suspend(ls__request *rq) {
  if (!rq->naudit)
    return 0;
  ls__audit_queue *q = &rq->srv->audit;
  ls__audit_job *last = rq->audit[rq->naudit - 1];
  /* suspended before the queue's lock is taken: libmicrohttpd takes its
   * own lock and may make a system call, and the writer needs q->mu after
   * every batch (an I/O thread descheduled while holding it would hold up
   * every request). The writer sees `resume` only once the connection is
   * suspended; when the batch finished meanwhile, the connection is
   * resumed here and answered on the I/O thread's next round. */
  MHD_suspend_connection(rq->conn);
  pthread_mutex_lock(&q->mu);
  int done = last->done;
  if (!done)
    last->resume = rq->conn;
  pthread_mutex_unlock(&q->mu);
  if (done)
    MHD_resume_connection(rq->conn);
  return 1;
}

ls_status ls__audit_enqueue(ls__request *rq, const char *actor, const char *force,
                            const char *action, const char *target, const char *records,
                            const char *detail) {
  ls__audit_queue *q = &rq->srv->audit;
  if (rq->naudit == LS__REQUEST_AUDITS) {
    /* more entries than a request keeps: settle the earlier ones first */
    ls_status rc = ls__audit_wait(rq);
    if (rc)
      return rc;
  }
  ls__audit_job *j = calloc(1, sizeof *j);
  if (!j)
    return LS_ERR_NOMEM;
  pthread_cond_init(&j->cv, NULL);
  const char *in[6] = {actor, force, action, target, records, detail};
  for (int i = 0; i < 6; i++) {
    j->fields[i] = strdup(in[i] ? in[i] : "");
    if (!j->fields[i]) {
      job_free(j);
      return LS_ERR_NOMEM;
    }
  }
  pthread_mutex_lock(&q->mu);
  if (q->stopping) {
    /* the writer has gone: nobody would write it or resume its request */
    pthread_mutex_unlock(&q->mu);
    job_free(j);
    return LS_ERR_IO;
  }
  if (q->tail)
    q->tail->next = j;
  else
    q->head = j;
  q->tail = j;
  pthread_cond_signal(&q->work_cv);
  pthread_mutex_unlock(&q->mu);
  rq->audit[rq->naudit++] = j;
  return LS_OK;
}
