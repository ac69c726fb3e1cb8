/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hash-chained audit log (see include/linesight/ls_audit.h). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../core/ls_buf.h"
#include "../core/ls_mem.h"
#include "linesight/ls_audit.h"
#include "store_internal.h"

static const char genesis[LS_AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Every field goes in with an 8-byte length in front, so no two different
 * entries can hash the same bytes by moving text between fields. */
static void hash_field(crypto_generichash_state *h, const char *s) {
  size_t n = strlen(s);
  unsigned char len[8];
  for (int i = 0; i < 8; i++)
    len[i] = (unsigned char)((uint64_t)n >> (8 * i));
  crypto_generichash_update(h, len, sizeof len);
  crypto_generichash_update(h, (const unsigned char *)s, n);
}

static void entry_hash(const ls_audit_entry *e, char out[LS_AUDIT_HASH_HEX + 1]) {
  crypto_generichash_state h;
  unsigned char digest[32];
  char seq[32];
  snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
  crypto_generichash_init(&h, NULL, 0, sizeof digest);
  hash_field(&h, "linesight-audit-v1");
  hash_field(&h, seq);
  hash_field(&h, e->at);
  hash_field(&h, e->actor);
  hash_field(&h, e->force);
  hash_field(&h, e->action);
  hash_field(&h, e->target);
  hash_field(&h, e->records);
  hash_field(&h, e->detail);
  hash_field(&h, e->prev_hash);
  crypto_generichash_final(&h, digest, sizeof digest);
  sodium_bin2hex(out, LS_AUDIT_HASH_HEX + 1, digest, sizeof digest);
}

/* Copies s, cut to LS_AUDIT_FIELD_MAX bytes ending in "..." when longer.
 * The cut never splits a UTF-8 sequence. */
static char *bounded(const char *s) {
  if (!s)
    s = "";
  size_t n = strlen(s);
  if (n <= LS_AUDIT_FIELD_MAX)
    return ls_strdup(s);
  size_t keep = LS_AUDIT_FIELD_MAX - 3;
  while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
    keep--;
  char *out = ls_malloc(keep + 4);
  if (out) {
    memcpy(out, s, keep);
    memcpy(out + keep, "...", 4);
  }
  return out;
}

/* The write lock is taken before the head is read (BEGIN IMMEDIATE on
 * SQLite), so two writers cannot both link to the same previous entry. */
static ls_status begin_write(ls_store *st, ls_error *err) {
  if (strcmp(ls_store_backend(st), "sqlite"))
    return ls_store_begin(st, err);
  if (st->in_tx)
    return LS_FAIL(err, LS_ERR_INTERNAL, "a transaction is already open");
  ls_status rc = ls_store_exec(st, "BEGIN IMMEDIATE", err);
  if (rc == LS_OK)
    st->in_tx = 1;
  return rc;
}

ls_status ls_audit_append(ls_store *st, const char *actor, const char *force, const char *action,
                          const char *target, const char *records, const char *detail,
                          ls_error *err) {
  ls_audit_entry e = {.actor = actor, .force = force, .action = action, .target = target,
                      .records = records, .detail = detail};
  return ls_audit_append_many(st, &e, 1, err);
}

/* One entry of a batch: its fields cut to size, then chained. */
static ls_status append_one(ls_stmt *ins, const ls_audit_entry *in, int64_t seq, const char *at,
                            char prev[LS_AUDIT_HASH_HEX + 1], ls_error *err) {
  char *f[6] = {bounded(in->actor), bounded(in->force), bounded(in->action),
                bounded(in->target), bounded(in->records), bounded(in->detail)};
  ls_status rc = LS_OK;
  for (int i = 0; i < 6; i++)
    if (!f[i])
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory writing the audit log");
  if (rc)
    goto out;
  ls_audit_entry e = {.seq = seq, .at = at, .actor = f[0], .force = f[1], .action = f[2],
                      .target = f[3], .records = f[4], .detail = f[5], .prev_hash = prev};
  char hash[LS_AUDIT_HASH_HEX + 1];
  entry_hash(&e, hash);
  ls_stmt_reset(ins);
  ls_stmt_bind_int64(ins, 1, e.seq);
  ls_stmt_bind_str(ins, 2, e.at);
  ls_stmt_bind_str(ins, 3, e.actor);
  ls_stmt_bind_str(ins, 4, e.force);
  ls_stmt_bind_str(ins, 5, e.action);
  ls_stmt_bind_str(ins, 6, e.target);
  ls_stmt_bind_str(ins, 7, e.records);
  ls_stmt_bind_str(ins, 8, e.detail);
  ls_stmt_bind_str(ins, 9, e.prev_hash);
  ls_stmt_bind_str(ins, 10, hash);
  rc = ls_stmt_step(ins, err);
  if (rc == LS_DONE) {
    rc = LS_OK;
    memcpy(prev, hash, sizeof hash);
  }
out:
  for (int i = 0; i < 6; i++)
    ls_free(f[i]);
  return rc;
}

ls_status ls_audit_append_many(ls_store *st, const ls_audit_entry *entries, size_t n,
                               ls_error *err) {
  if (n == 0)
    return LS_OK;
  ls_stmt *s = NULL;
  int64_t head_seq = 0;
  char prev[LS_AUDIT_HASH_HEX + 1], at[LS_ISO_MAX];
  memcpy(prev, genesis, sizeof prev);
  ls_status rc = begin_write(st, err);
  if (rc)
    return rc;
  rc = ls_stmt_prepare(st, "SELECT seq, hash FROM audit_head WHERE id = 1", &s, err);
  if (rc)
    goto out;
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    head_seq = ls_stmt_int64(s, 0);
    snprintf(prev, sizeof prev, "%s", ls_stmt_text(s, 1));
    rc = LS_OK;
  } else if (rc == LS_DONE) {
    rc = LS_OK;
  }
  ls_stmt_finalize(s);
  s = NULL;
  if (rc)
    goto out;
  /* one time for the batch: its entries were all made within it */
  ls_time_format_utc(ls_time_now(), at);
  rc = ls_stmt_prepare(st,
                       "INSERT INTO audit_log(seq, at, actor, force_name, action, target, records,"
                       " detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       &s, err);
  for (size_t i = 0; rc == LS_OK && i < n; i++)
    rc = append_one(s, &entries[i], head_seq + 1 + (int64_t)i, at, prev, err);
  ls_stmt_finalize(s);
  s = NULL;
  if (rc)
    goto out;
  rc = ls_stmt_prepare(st,
                       head_seq == 0 ? "INSERT INTO audit_head(seq, hash, id) VALUES (?, ?, 1)"
                                     : "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
                       &s, err);
  if (rc)
    goto out;
  ls_stmt_bind_int64(s, 1, head_seq + (int64_t)n);
  ls_stmt_bind_str(s, 2, prev);
  rc = ls_stmt_step(s, err);
  if (rc != LS_DONE)
    goto out;
  rc = ls_store_commit(st, err);
out:
  ls_stmt_finalize(s);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_audit_writer_setup(ls_store *st, ls_error *err) {
  if (strcmp(ls_store_backend(st), "sqlite"))
    return LS_OK;
  /* SQLite checkpoints the WAL in the commit that passes 1,000 pages: the
   * batch committing then waits while megabytes are copied and synced,
   * and so does every request waiting for it */
  return ls_store_exec(st, "PRAGMA wal_autocheckpoint=0", err);
}

ls_status ls_audit_checkpoint(ls_store *st, ls_error *err) {
  int64_t frames;
  return ls_audit_checkpoint_wal(st, &frames, err);
}

ls_status ls_audit_checkpoint_wal(ls_store *st, int64_t *frames, ls_error *err) {
  *frames = 0;
  if (strcmp(ls_store_backend(st), "sqlite"))
    return LS_OK;
  /* one row: busy, pages in the WAL (-1 when not in WAL mode), pages
   * copied into the database (all of them, unless a reader's snapshot or
   * a commit in between held some back) */
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, "PRAGMA wal_checkpoint(PASSIVE)", &s, err);
  if (rc)
    return rc;
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    int64_t log = ls_stmt_int64(s, 1);
    *frames = log > 0 ? log : 0;
    rc = LS_OK;
  } else if (rc == LS_DONE) {
    rc = LS_OK;
  }
  ls_stmt_finalize(s);
  return rc;
}

static void read_entry(ls_stmt *s, ls_audit_entry *e) {
  e->seq = ls_stmt_int64(s, 0);
  e->at = ls_stmt_text(s, 1);
  e->actor = ls_stmt_text(s, 2);
  e->force = ls_stmt_text(s, 3);
  e->action = ls_stmt_text(s, 4);
  e->target = ls_stmt_text(s, 5);
  e->records = ls_stmt_text(s, 6);
  e->detail = ls_stmt_text(s, 7);
  e->prev_hash = ls_stmt_text(s, 8);
  e->hash = ls_stmt_text(s, 9);
}

#define ENTRY_COLUMNS "seq, at, actor, force_name, action, target, records, detail, prev_hash, hash"

/* The SQL is assembled from fixed fragments chosen by which filters are
 * set; the filter values themselves are always bound parameters. */
static ls_status prepare_query(ls_store *st, const ls_audit_filter *f, ls_stmt **out,
                               ls_error *err) {
  ls_buf sql;
  ls_buf_init(&sql, 1024);
  ls_status rc = ls_buf_puts(&sql, "SELECT " ENTRY_COLUMNS " FROM audit_log WHERE 1 = 1");
  if (rc == LS_OK && f->actor)
    rc = ls_buf_puts(&sql, " AND actor = ?");
  if (rc == LS_OK && f->action)
    rc = ls_buf_puts(&sql, " AND action = ?");
  if (rc == LS_OK && f->since)
    rc = ls_buf_puts(&sql, " AND at >= ?");
  if (rc == LS_OK && f->until)
    rc = ls_buf_puts(&sql, " AND at < ?");
  if (rc == LS_OK)
    rc = ls_buf_puts(&sql, " ORDER BY seq");
  if (rc) {
    ls_buf_free(&sql);
    return LS_FAIL(err, rc, "out of memory building the audit query");
  }
  rc = ls_stmt_prepare(st, ls_buf_str(&sql), out, err);
  ls_buf_free(&sql);
  if (rc)
    return rc;
  int idx = 1;
  if (f->actor)
    ls_stmt_bind_str(*out, idx++, f->actor);
  if (f->action)
    ls_stmt_bind_str(*out, idx++, f->action);
  if (f->since)
    ls_stmt_bind_str(*out, idx++, f->since);
  if (f->until)
    ls_stmt_bind_str(*out, idx++, f->until);
  return LS_OK;
}

static int record_matches(const ls_audit_filter *f, const ls_audit_entry *e) {
  return !f->record || strstr(e->records, f->record) != NULL;
}

ls_status ls_audit_query(ls_store *st, const ls_audit_filter *filter,
                         int (*visit)(const ls_audit_entry *e, void *ctx), void *ctx,
                         ls_error *err) {
  ls_audit_filter none = {0};
  const ls_audit_filter *f = filter ? filter : &none;
  ls_stmt *s = NULL;
  int64_t skip = 0;
  ls_status rc = LS_OK;
  if (f->limit > 0) {
    /* a first pass counts the matches, so that the newest `limit` can be
     * given in seq order without holding them in memory */
    int64_t matches = 0;
    rc = prepare_query(st, f, &s, err);
    if (rc)
      return rc;
    ls_audit_entry e;
    while ((rc = ls_stmt_step(s, err)) == LS_ROW) {
      read_entry(s, &e);
      matches += record_matches(f, &e);
    }
    ls_stmt_finalize(s);
    s = NULL;
    if (rc != LS_DONE)
      return rc;
    skip = matches > f->limit ? matches - f->limit : 0;
  }
  rc = prepare_query(st, f, &s, err);
  if (rc)
    return rc;
  ls_audit_entry e;
  while ((rc = ls_stmt_step(s, err)) == LS_ROW) {
    read_entry(s, &e);
    if (!record_matches(f, &e))
      continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    if (visit(&e, ctx)) {
      rc = LS_DONE;
      break;
    }
  }
  ls_stmt_finalize(s);
  return rc == LS_DONE ? LS_OK : rc;
}

ls_status ls_audit_verify(ls_store *st, ls_audit_report *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  out->intact = 1;
  snprintf(out->head, sizeof out->head, "%s", genesis);
  ls_stmt *s = NULL;
  char prev[LS_AUDIT_HASH_HEX + 1];
  snprintf(prev, sizeof prev, "%s", genesis);
  int64_t expect = 1;
  ls_status rc = ls_stmt_prepare(st, "SELECT " ENTRY_COLUMNS " FROM audit_log ORDER BY seq", &s, err);
  if (rc)
    return rc;
  ls_audit_entry e;
  while ((rc = ls_stmt_step(s, err)) == LS_ROW) {
    read_entry(s, &e);
    out->entries++;
    if (!out->intact)
      continue; /* keep counting; the first fault is the one reported */
    char want[LS_AUDIT_HASH_HEX + 1];
    if (e.seq != expect) {
      out->intact = 0;
      out->bad_seq = expect;
      snprintf(out->reason, sizeof out->reason, "entry %lld is missing (next is %lld)",
               (long long)expect, (long long)e.seq);
      continue;
    }
    if (strcmp(e.prev_hash, prev)) {
      out->intact = 0;
      out->bad_seq = e.seq;
      snprintf(out->reason, sizeof out->reason,
               "entry %lld does not link to the entry before it", (long long)e.seq);
      continue;
    }
    entry_hash(&e, want);
    if (strcmp(want, e.hash)) {
      out->intact = 0;
      out->bad_seq = e.seq;
      snprintf(out->reason, sizeof out->reason, "entry %lld was changed after it was written",
               (long long)e.seq);
      continue;
    }
    snprintf(prev, sizeof prev, "%s", e.hash);
    expect++;
  }
  ls_stmt_finalize(s);
  s = NULL;
  if (rc != LS_DONE)
    return rc;
  if (out->intact)
    snprintf(out->head, sizeof out->head, "%s", prev);
  /* the head row catches deleted newest entries */
  int64_t head_seq = 0;
  char head_hash[LS_AUDIT_HASH_HEX + 1];
  snprintf(head_hash, sizeof head_hash, "%s", genesis);
  rc = ls_stmt_prepare(st, "SELECT seq, hash FROM audit_head WHERE id = 1", &s, err);
  if (rc)
    return rc;
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    head_seq = ls_stmt_int64(s, 0);
    snprintf(head_hash, sizeof head_hash, "%s", ls_stmt_text(s, 1));
    rc = LS_DONE;
  }
  ls_stmt_finalize(s);
  if (rc != LS_DONE)
    return rc;
  if (out->intact && (head_seq != expect - 1 || strcmp(head_hash, prev))) {
    out->intact = 0;
    snprintf(out->reason, sizeof out->reason,
             "the log ends at entry %lld but its head records entry %lld: entries were deleted"
             " or the head was changed",
             (long long)(expect - 1), (long long)head_seq);
  }
  return LS_OK;
}
