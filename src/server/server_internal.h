/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside the server: the request and response records every handler gets,
 * the permission model, and the helpers shared by the handler files.
 *
 * The server is the top layer: it uses only include/linesight/ headers. It
 * allocates with the C library (jansson and libmicrohttpd free with it too)
 * because the core's ls_mem wrappers are private to the lower layers. */
#ifndef LINESIGHT_SERVER_INTERNAL_H
#define LINESIGHT_SERVER_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "linesight/ls_auth.h"
#include "linesight/ls_events.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_server.h"
#include "linesight/ls_store.h"

/* What a route needs. Each role has a fixed set of these
 * (ls__server_role_may in server_routes.c): the one place access is decided. */
typedef struct ls__request ls__request;

typedef enum ls__perm {
  LS__PERM_PUBLIC = 0,   /* no session needed */
  LS__PERM_SESSION,      /* any signed-in user */
  LS__PERM_LINES,        /* lines, networks, maps: communications data */
  LS__PERM_SAFEGUARDING, /* the safeguarding list: person data */
  LS__PERM_OPS_READ,     /* operations list and published totals */
  LS__PERM_OPS_WRITE,    /* result entry */
  LS__PERM_ANALYSE,      /* running an analysis */
  LS__PERM_REPORTS_READ, /* reading the public's reports */
  LS__PERM_ADMIN,        /* users and the audit trail */
  LS__PERM_INTEL_GRADE,  /* grading and linking intelligence items */
  LS__PERM_MESSAGES,     /* planning and creating diversion-text campaigns */
  LS__PERM_MESSAGES_APPROVE, /* approving them (the supervisor) */
  LS__PERM_COUNT
} ls__perm;

const char *ls__server_perm_name(ls__perm p);
int ls__server_role_may(ls_role role, ls__perm p);

/* Store connections: SQLite handles are opened NOMUTEX, so each is used by
 * one thread at a time; a request borrows one for its handler. The I/O
 * threads and the workers together never hold more than this many (the
 * workers are LS__SERVER_POOL minus the I/O threads), so an I/O thread
 * always finds one free. */
#define LS__SERVER_POOL 8
/* I/O threads at most (one per core below that). */
#define LS__SERVER_IO_MAX 4
/* Concurrent argon2id checks (64 MiB each): bounds a login flood's memory. */
#define LS__SERVER_HASHERS 2

/* Failed logins are counted per user name and per client address in a
 * fixed table; see server_ratelimit.c for the limits and their reasons. */
#define LS__RL_SLOTS 1024
typedef struct ls__rl_slot {
  uint64_t key;       /* hash of "u:<name>" or "a:<address>"; 0 = free */
  int64_t window_start;
  uint32_t failures;
} ls__rl_slot;
typedef struct ls__ratelimit {
  pthread_mutex_t mu;
  ls__rl_slot slots[LS__RL_SLOTS];
} ls__ratelimit;

typedef enum ls__rl_kind { LS__RL_USER = 0, LS__RL_ADDRESS, LS__RL_PUBLIC_REPORT } ls__rl_kind;
void ls__rl_init(ls__ratelimit *rl);
void ls__rl_free(ls__ratelimit *rl);
/* Seconds until `key` may try again (0 = now). */
int64_t ls__rl_wait(ls__ratelimit *rl, ls__rl_kind kind, const char *key, int64_t now);
/* Counts one failure (or, for public reports, one submission). */
void ls__rl_hit(ls__ratelimit *rl, ls__rl_kind kind, const char *key, int64_t now);
/* Forgets the failures of `key` (after a good login). */
void ls__rl_clear(ls__ratelimit *rl, ls__rl_kind kind, const char *key);

/* The latest analysis (server_view.c): the saved result parsed once and
 * shared read-only; the events and reference data loaded on first need. */
typedef struct ls__view {
  int refs; /* under ls__analysis_cache.mu */
  int64_t run_id;
  char created[32];
  json_t *result;      /* DESIGN.md s.6 object */
  json_t *line_index;  /* line id -> index into result.lines */
  json_t *number_info; /* number -> its entry in result.numbers */
  pthread_mutex_t mu;  /* guards the lazy load below */
  int data_loaded;
  ls_events ev;
  ls_refdata rd;
  json_t *cell_index; /* cell id -> index into rd.cells */
  json_t *timelines;  /* line id -> its timeline, computed once (under mu) */
  /* Serialised answers, made once per view (the view never changes): a
   * request copies text instead of building and printing JSON (the line
   * list and a line's page are the load benchmark's two paths). */
  size_t nlines;
  char **summary;        /* [nlines] a line of /api/lines, JSON text; made with the view */
  char **detail;         /* [nlines] /api/lines/{id}, JSON text; made on first need (under mu) */
  char **detail_records; /* [nlines] its audit records */
} ls__view;

typedef struct ls__analysis_cache {
  pthread_mutex_t mu;
  ls__view *view;     /* current, or NULL */
  int64_t checked_at; /* when the store was last asked for a newer run */
} ls__analysis_cache;

/* A reference to the current view, refreshed when a newer run was saved.
 * Errors: LS_ERR_NOTFOUND (no run saved), LS_ERR_DB, LS_ERR_NOMEM. */
ls_status ls__view_get(ls__request *rq, ls__view **out, ls_error *err);
void ls__view_put(ls_server *srv, ls__view *v); /* accepts NULL */
void ls__view_cache_free(ls__analysis_cache *c);
/* Loads the events and reference data behind a view (once). */
ls_status ls__view_load_data(ls__request *rq, ls__view *v, ls_error *err);
/* The line object of an id, or NULL. */
json_t *ls__view_line(const ls__view *v, const char *id);
/* area (lower-cased) -> force, from the store; NULL when out of memory or
 * the store failed. */
json_t *ls__server_areas(ls__request *rq);
/* 1 when the signed-in user may see a line: national, or the line's force
 * or one of its areas (origin, destinations) belongs to the user's force. */
int ls__server_line_visible(const ls__request *rq, json_t *areas, json_t *line);

/* Group commit of audit entries (server_audit.c): requests queue their
 * entries, one writer thread appends each gathered batch in one
 * transaction, requests wait (without a store connection) until theirs is
 * durable. */
typedef struct ls__audit_job ls__audit_job;
typedef struct ls__conn ls__conn; /* one connection's request (server_http.c) */
typedef struct ls__audit_queue {
  pthread_mutex_t mu;
  pthread_cond_t work_cv; /* the writer waits for entries (each job has its own) */
  pthread_cond_t stop_cv; /* the checkpointer sleeps on it */
  pthread_mutex_t commit_mu; /* held by the writer while it commits a batch */
  ls__audit_job *head, *tail;
  int stopping, running, checkpointing;
  pthread_t thread, checkpoint_thread;
  ls_store *st;            /* the writer's own connection */
  ls_store *checkpoint_st; /* the checkpointer's */
  uint64_t batches, entries;
} ls__audit_queue;

struct ls_server {
  struct MHD_Daemon *daemon;
  char *db;
  char *web_root;     /* realpath, or NULL */
  char *console_root; /* realpath of web_root/console/dist, NULL when not built */
  unsigned port;
  int64_t session_ttl_s;
  pthread_mutex_t pool_mu;
  pthread_cond_t pool_cv;
  ls_store *pool[LS__SERVER_POOL];
  ls_auth_sessions *sessions[LS__SERVER_POOL]; /* the session lookup of each */
  int pool_busy[LS__SERVER_POOL];
  /* Requests an I/O thread must not run itself (server_http.c): their
   * connections wait suspended in this queue for a worker. */
  pthread_mutex_t work_mu;
  pthread_cond_t work_cv;
  ls__conn *work_head, *work_tail;
  int work_stopping;
  unsigned io_threads, nworkers;
  pthread_t workers[LS__SERVER_POOL];
  pthread_mutex_t hash_mu;
  pthread_cond_t hash_cv;
  int hashers;
  ls__ratelimit rl;
  ls__analysis_cache analysis;
  ls__audit_queue audit;
  int audit_started;
};

typedef struct ls__response {
  unsigned status;
  json_t *json;             /* owned; sent as application/json */
  char *body;               /* owned (malloc), used when json is NULL */
  size_t body_len;
  const char *content_type; /* for body */
  char set_cookie[256];     /* "" = none */
  int64_t retry_after;      /* > 0: a Retry-After header */
} ls__response;

#define LS__MAX_PARAMS 2
#define LS__REQUEST_AUDITS 4 /* audit entries a request keeps pending */
#define LS__PARAM_MAX 256 /* bytes of one path parameter */

struct ls__request {
  ls_server *srv;
  struct MHD_Connection *conn;
  const char *method;
  const char *path;
  char *params[LS__MAX_PARAMS]; /* the `*` segments of the route, decoded */
  size_t nparams;
  const char *body;
  size_t body_len;
  ls_store *st;                   /* borrowed for the handler */
  ls_auth_sessions *sessions;     /* the session lookup prepared on st */
  int io_thread; /* runs on an I/O thread: the handler must not do slow work */
  int defer;     /* set by a handler on an I/O thread: run me on a worker */
  const ls_auth_session *session; /* NULL on public routes without one */
  char client[64];                /* the peer's address, for rate limits only */
  ls__audit_job *audit[LS__REQUEST_AUDITS]; /* queued entries, not yet known durable */
  size_t naudit;
};

typedef void (*ls__handler)(ls__request *rq, ls__response *rs);

/* ---- helpers (server_http.c) ------------------------------------------- */

/* Sets a JSON body {"error": message} with `status`. */
/* 1 when s[0..n) is valid UTF-8 (s must be NUL-terminated somewhere at or
 * after n). Path parameters must be: handlers echo them into JSON. */
int ls__utf8_valid(const char *s, size_t n);
void ls__server_error(ls__response *rs, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets a JSON body (reference stolen); a NULL json is a 500. */
void ls__server_json(ls__response *rs, unsigned status, json_t *json);
/* Maps a library status to an HTTP status and error body; the message is
 * given to the client only for input errors (4xx), never for 5xx. */
void ls__server_fail(ls__response *rs, const ls_error *err);
/* Parses the request body as a JSON object; on failure sets a 400/415 and
 * returns NULL. */
json_t *ls__server_body_object(ls__request *rq, ls__response *rs);
/* Appends an audit entry for the signed-in user (actor "public" without
 * one): action, the request path as target, records and detail. The entry
 * is queued (group commit, server_audit.c); the answer is sent only once
 * it is durable, and replaced by a 500 when it could not be written. An
 * error here (out of memory) is returned at once. */
ls_status ls__server_audit(ls__request *rq, const char *action, const char *records,
                           const char *detail);
/* The strings of a JSON array joined by commas (malloc; NULL when out of
 * memory): the `records` of an audit entry. */
char *ls__server_join(const json_t *strings);
/* Blocks until an argon2id slot is free; pair with ls__server_hash_done. */
void ls__server_hash_begin(ls_server *srv);
void ls__server_hash_done(ls_server *srv);
/* A copy of the value of a query-string argument, or NULL. */
const char *ls__server_query(ls__request *rq, const char *name);

/* ---- the audit writer (server_audit.c) ---------------------------------- */

/* Opens the writer's store connection and starts its thread. Errors:
 * LS_ERR_DB, LS_ERR_NOMEM. */
ls_status ls__audit_queue_start(ls__audit_queue *q, const char *db, ls_error *err);
/* Writes what is queued, stops the thread, closes the connection. */
void ls__audit_queue_stop(ls__audit_queue *q);
/* Queues one entry for the request (strings copied). Errors: LS_ERR_NOMEM,
 * LS_ERR_IO when the server is stopping, or an earlier entry's failure when
 * the request had to wait for it. */
ls_status ls__audit_enqueue(ls__request *rq, const char *actor, const char *force,
                            const char *action, const char *target, const char *records,
                            const char *detail);
/* Waits until the request's queued entries are durable and forgets them.
 * LS_OK, or the status of the first that failed. */
ls_status ls__audit_wait(ls__request *rq);
/* For an I/O thread, which must not block: when the request has entries,
 * suspends its connection (called from the access handler) and returns 1;
 * the writer resumes it once they are durable, and the access handler
 * then finishes with ls__audit_wait, which no longer blocks. 0: nothing to
 * wait for. */
int ls__audit_suspend(ls__request *rq);
/* Writes what is queued (resuming its connections) and stops the threads;
 * later entries fail. ls__audit_queue_stop then frees the rest. */
void ls__audit_queue_drain(ls__audit_queue *q);

/* ---- routing (server_routes.c) ----------------------------------------- */

/* Finds the route, checks session, permission and CSRF, runs the handler. */
void ls__server_dispatch(ls__request *rq, ls__response *rs);
/* 1 for the routes whose handlers run on an I/O thread: bounded work
 * from memory and indexed reads (the session, the line list, a line's
 * page). Their handlers set rq->defer when they find slower work to do
 * (building a new analysis view, loading the events). */
int ls__server_route_inline(const char *method, const char *path);
/* The permission names of a role, as a JSON array (for /api/session). */
json_t *ls__server_role_permissions(ls_role role);

/* ---- handlers (server_api_*.c) ----------------------------------------- */

void ls__api_login(ls__request *rq, ls__response *rs);
void ls__api_logout(ls__request *rq, ls__response *rs);
void ls__api_session(ls__request *rq, ls__response *rs);
void ls__api_users_list(ls__request *rq, ls__response *rs);
void ls__api_users_add(ls__request *rq, ls__response *rs);
void ls__api_audit_list(ls__request *rq, ls__response *rs);
void ls__api_audit_verify(ls__request *rq, ls__response *rs);
void ls__api_lines(ls__request *rq, ls__response *rs);
void ls__api_line(ls__request *rq, ls__response *rs);
void ls__api_line_network(ls__request *rq, ls__response *rs);
void ls__api_line_map(ls__request *rq, ls__response *rs);
void ls__api_safeguarding(ls__request *rq, ls__response *rs);
void ls__api_operations(ls__request *rq, ls__response *rs);
void ls__api_operation_report(ls__request *rq, ls__response *rs);
void ls__api_operation_results_add(ls__request *rq, ls__response *rs);
void ls__api_analyse(ls__request *rq, ls__response *rs);
void ls__api_public_report_add(ls__request *rq, ls__response *rs);
void ls__api_public_reports_list(ls__request *rq, ls__response *rs);

/* Static files (server_static.c). Only GET and HEAD. ls__server_static
 * serves `assets/...` from the built console and other paths from the web
 * folder; ls__server_console serves a file of the built console, or a 503
 * page saying how to build it. */
void ls__server_static(ls__request *rq, ls__response *rs, const char *file);
void ls__server_console(ls__request *rq, ls__response *rs, const char *file);

#endif
