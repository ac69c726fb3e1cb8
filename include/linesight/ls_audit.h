/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The audit trail: every read of communications or person data and every
 * change, appended to the store as a hash chain.
 *
 * Entry n stores hash_n = BLAKE2b-256(fields of n || hash_{n-1}), with
 * hash_0 = 64 zeros, and seq numbers are dense from 1; a separate head row
 * keeps the newest seq and hash. Editing any field of an entry breaks its
 * hash; deleting an entry leaves a gap or breaks the next entry's link;
 * deleting the newest entries disagrees with the head. Someone with write
 * access to the database who also recomputes every later hash and the head
 * is caught only by comparing the head with a copy kept elsewhere, which
 * is why `linesight audit verify` prints it (docs/server.md). */
#ifndef LINESIGHT_LS_AUDIT_H
#define LINESIGHT_LS_AUDIT_H

#include <stdint.h>

#include "ls_error.h"
#include "ls_store.h"
#include "ls_time.h"

#define LS_AUDIT_HASH_HEX 64
#define LS_AUDIT_FIELD_MAX (64u * 1024u) /* one field; longer record lists are cut with "..." */

typedef struct ls_audit_entry {
  int64_t seq;
  const char *at;      /* ISO 8601 UTC */
  const char *actor;   /* user name, "cli:<login>", or "public" */
  const char *force;   /* the actor's force ("" when none) */
  const char *action;  /* e.g. "read", "change", "login", "login_failed" */
  const char *target;  /* what was touched: an API path, "user alice" */
  const char *records; /* which records: comma-separated ids or numbers */
  const char *detail;  /* free text */
  const char *prev_hash;
  const char *hash;
} ls_audit_entry;

/* Appends one entry in its own transaction, at the current time.
 * NULL strings are stored as "". Fields longer than LS_AUDIT_FIELD_MAX are
 * cut and end in "...".
 * Errors: LS_ERR_DB, LS_ERR_NOMEM. Must not be called inside an open
 * transaction. Time: O(size of the fields). */
ls_status ls_audit_append(ls_store *st, const char *actor, const char *force, const char *action,
                          const char *target, const char *records, const char *detail,
                          ls_error *err);

/* Appends n entries in one transaction (one disk sync: group commit), in
 * array order, chained as n single appends would be. From each entry only
 * actor, force, action, target, records and detail are read (NULL = "");
 * seq, at and the hashes are assigned here, `at` once for the batch.
 * All or none are stored. Errors: LS_ERR_DB, LS_ERR_NOMEM. Must not be
 * called inside an open transaction. Time: O(total size of the fields). */
ls_status ls_audit_append_many(ls_store *st, const ls_audit_entry *entries, size_t n,
                               ls_error *err);

/* For a connection that only appends batches (a server's audit writer):
 * on SQLite, turns off the automatic WAL checkpoint that a commit would
 * otherwise run, so that no batch waits for one; the owner then calls
 * ls_audit_checkpoint from another connection. No-op on PostgreSQL.
 * Errors: LS_ERR_DB. */
ls_status ls_audit_writer_setup(ls_store *st, ls_error *err);
/* Copies committed WAL pages into the database without blocking writers
 * or readers (SQLite PASSIVE checkpoint); no-op on PostgreSQL.
 * Errors: LS_ERR_DB. Time: O(pages written since the last one). */
ls_status ls_audit_checkpoint(ls_store *st, ls_error *err);
/* The same, and *frames: the pages the WAL file holds since it last
 * started over (0 on PostgreSQL), which is how large it has grown.
 * SQLite starts it over only after a checkpoint that copied every page
 * while no commit came in between. */
ls_status ls_audit_checkpoint_wal(ls_store *st, int64_t *frames, ls_error *err);

typedef struct ls_audit_filter {
  const char *actor;  /* exact, or NULL */
  const char *action; /* exact, or NULL */
  const char *record; /* entries whose records contain this text, or NULL */
  const char *since;  /* ISO 8601 UTC, inclusive, or NULL */
  const char *until;  /* ISO 8601 UTC, exclusive, or NULL */
  int64_t limit;      /* newest `limit` matching entries; 0 = all */
} ls_audit_filter;

/* Calls visit for each matching entry in seq order; strings are valid only
 * during the call; a non-zero return stops. Errors: LS_ERR_DB.
 * Time: O(entries in the time range). */
ls_status ls_audit_query(ls_store *st, const ls_audit_filter *filter,
                         int (*visit)(const ls_audit_entry *e, void *ctx), void *ctx,
                         ls_error *err);

typedef struct ls_audit_report {
  int intact;        /* 1 when the chain and the head agree */
  int64_t entries;   /* entries read */
  int64_t bad_seq;   /* first entry found wrong (0 when intact or the head is wrong) */
  char reason[256];  /* why it is not intact */
  char head[LS_AUDIT_HASH_HEX + 1]; /* hash of the newest entry */
} ls_audit_report;

/* Recomputes the whole chain. A broken chain is reported in `out`, not as
 * an error. Errors: LS_ERR_DB, LS_ERR_NOMEM. Time: O(total size of the log). */
ls_status ls_audit_verify(ls_store *st, ls_audit_report *out, ls_error *err);

#endif
