/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Campaigns: a plan frozen with its text, created by one user, approved by
 * a supervisor who is someone else (the two-person rule), then sent. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "linesight/ls_time.h"
#include "messaging_internal.h"

/* Plain words, support first, no reply expected. The numbers are national
 * services: FRANK (drugs advice), Crimestoppers (anonymous), Childline. */
const char ls_messaging_default_text[] =
    "Police message: this phone has been in contact with a number used to sell drugs. "
    "Free, confidential help with drugs: FRANK 0300 123 6600. If you or someone you know "
    "is being exploited, call Childline 0800 1111 or Crimestoppers 0800 555 111 (anonymous). "
    "In an emergency call 999. Do not reply to this message.";

int ls__msg_text_ok(const char *s, int multiline) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p;
    if (c < 0x80) {
      if ((c < 0x20 && !(multiline && c == '\n')) || c == 0x7f)
        return 0;
      p++;
      continue;
    }
    int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (!len)
      return 0;
    for (int i = 1; i < len; i++)
      if ((p[i] & 0xc0) != 0x80)
        return 0;
    p += len;
  }
  return 1;
}

void ls__msg_bind(ls_stmt *s, int idx, const char *v) {
  ls_stmt_bind_str(s, idx, v ? v : "");
}

ls_status ls__msg_step_returning(ls_stmt *s, const char *what, ls_error *err) {
  ls_status rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    while ((rc = ls_stmt_step(s, err)) == LS_ROW)
      ;
    return rc;
  }
  return rc == LS_DONE ? LS_FAIL(err, LS_ERR_NOTFOUND, "%s", what) : rc;
}

static int name_ok(const char *s) {
  return s && *s && strlen(s) <= LS_MSG_NAME_MAX && ls__msg_text_ok(s, 0);
}

ls_status ls_messaging_campaign_create(ls_store *st, const ls_msg_campaign_opts *o, int64_t *id,
                                       ls_error *err) {
  const char *text = o->text ? o->text : ls_messaging_default_text;
  size_t tn = strlen(text);
  if (tn == 0 || tn > LS_MSG_TEXT_MAX || !ls__msg_text_ok(text, 1))
    return LS_FAIL(err, LS_ERR_INPUT, "message text: 1 to %d bytes of UTF-8 text", LS_MSG_TEXT_MAX);
  int has_op = o->operation && *o->operation, has_force = o->force && *o->force;
  if (has_op != has_force)
    return LS_FAIL(err, LS_ERR_INPUT, "operation and force go together (the results need both)");
  if (has_op && (!name_ok(o->operation) || !name_ok(o->force)))
    return LS_FAIL(err, LS_ERR_INPUT, "operation and force: 1 to %d bytes of text on one line",
                   LS_MSG_NAME_MAX);
  if (!o->created_by || !*o->created_by)
    return LS_FAIL(err, LS_ERR_USAGE, "a campaign needs the user creating it");
  if (sodium_init() < 0)
    return LS_FAIL(err, LS_ERR_INTERNAL, "libsodium failed to initialise");
  int days = o->days ? o->days : LS_MSG_DEFAULT_DAYS;
  ls_msg_plan plan;
  ls_status rc = ls_messaging_plan(st, o->line, days, &plan, err);
  if (rc)
    return rc;
  if (plan.n_recipients == 0) {
    ls_messaging_plan_free(&plan);
    return LS_FAIL(err, LS_ERR_INPUT, "line %s has no one to text in the last %d days", o->line, days);
  }
  unsigned char raw[8];
  char nonce[17], now[LS_ISO_MAX], ref[64];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
  ls_time_format_utc(ls_time_now(), now);
  ls_stmt *s = NULL;
  int64_t cid = 0;
  rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO msg_campaigns(line, days, window_from, window_to, template, nonce,"
                         " status, created_by, created_at, operation, force_name, excluded_children,"
                         " excluded_dnc) VALUES (?, ?, ?, ?, ?, ?, 'awaiting_approval', ?, ?, ?, ?, ?, ?)"
                         " RETURNING id",
                         &s, err);
  if (rc == LS_OK) {
    ls__msg_bind(s, 1, plan.line);
    ls_stmt_bind_int64(s, 2, days);
    ls_stmt_bind_int64(s, 3, plan.window_from);
    ls_stmt_bind_int64(s, 4, plan.window_to);
    ls__msg_bind(s, 5, text);
    ls__msg_bind(s, 6, nonce);
    ls__msg_bind(s, 7, o->created_by);
    ls__msg_bind(s, 8, now);
    ls__msg_bind(s, 9, has_op ? o->operation : "");
    ls__msg_bind(s, 10, has_op ? o->force : "");
    ls_stmt_bind_int64(s, 11, (int64_t)plan.excluded_children);
    ls_stmt_bind_int64(s, 12, (int64_t)plan.excluded_dnc);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      cid = ls_stmt_int64(s, 0);
      rc = ls_stmt_step(s, err);
    } else if (rc == LS_DONE) {
      rc = LS_FAIL(err, LS_ERR_DB, "the campaign was not stored");
    }
  }
  ls_stmt_finalize(s);
  s = NULL;
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO msg_recipients(campaign_id, number, state, msg_ref, attempts,"
                         " last_error, updated_at) VALUES (?, ?, 'planned', ?, 0, '', ?)",
                         &s, err);
  int64_t t = ls_time_now();
  for (size_t i = 0; rc == LS_OK && i < plan.n_recipients; i++) {
    /* the reference the delivery reports come back with: unique per
     * recipient, and per store through the campaign's random nonce */
    snprintf(ref, sizeof ref, "%s-%lld-%zu", nonce, (long long)cid, i + 1);
    ls_stmt_reset(s);
    ls_stmt_bind_int64(s, 1, cid);
    ls__msg_bind(s, 2, plan.recipients[i]);
    ls__msg_bind(s, 3, ref);
    ls_stmt_bind_int64(s, 4, t);
    rc = ls_stmt_step(s, err);
  }
  ls_stmt_finalize(s);
  ls_messaging_plan_free(&plan);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc) {
    ls_store_rollback(st);
    return rc;
  }
  if (id)
    *id = cid;
  return LS_OK;
}

ls_status ls_messaging_campaign_approve(ls_store *st, int64_t id, const ls_auth_user *by, ls_error *err) {
  if (by->role != LS_ROLE_SUPERVISOR || by->disabled)
    return LS_FAIL(err, LS_ERR_DENIED, "only a supervisor may approve a campaign (%s is %s)", by->name,
                   ls_auth_role_name(by->role) ? ls_auth_role_name(by->role) : "?");
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  ls_stmt *s = NULL;
  ls_status rc = ls_store_begin(st, err);
  char status[24] = "", creator[LS_AUTH_NAME_MAX + 1] = "";
  int found = 0;
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st, "SELECT status, created_by FROM msg_campaigns WHERE id = ?", &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, id);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      found = 1;
      snprintf(status, sizeof status, "%s", ls_stmt_text(s, 0));
      snprintf(creator, sizeof creator, "%s", ls_stmt_text(s, 1));
      rc = LS_OK;
    }
  }
  ls_stmt_finalize(s);
  s = NULL;
  if (rc == LS_OK && !found)
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no campaign %lld", (long long)id);
  else if (rc == LS_OK && !strcmp(creator, by->name))
    rc = LS_FAIL(err, LS_ERR_DENIED, "%s created campaign %lld: a second person must approve it",
                 by->name, (long long)id);
  /* the status is checked again in the UPDATE: two approvers at once
   * cannot both succeed, and a cancelled campaign stays cancelled */
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "UPDATE msg_campaigns SET status = 'approved', approved_by = ?, approved_at = ?"
                         " WHERE id = ? AND status = 'awaiting_approval' AND created_by <> ? RETURNING id",
                         &s, err);
  if (rc == LS_OK) {
    ls__msg_bind(s, 1, by->name);
    ls__msg_bind(s, 2, now);
    ls_stmt_bind_int64(s, 3, id);
    ls__msg_bind(s, 4, by->name);
    rc = ls__msg_step_returning(s, "", err);
    if (rc == LS_ERR_NOTFOUND)
      rc = LS_FAIL(err, LS_ERR_CONFLICT, "campaign %lld is %s, not awaiting approval", (long long)id, status);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_messaging_campaign_cancel(ls_store *st, int64_t id, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "UPDATE msg_campaigns SET status = 'cancelled', lease_owner = NULL"
                         " WHERE id = ? AND status <> 'complete' RETURNING id",
                         &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, id);
    rc = ls__msg_step_returning(s, "", err);
    if (rc == LS_ERR_NOTFOUND)
      rc = LS_FAIL(err, LS_ERR_CONFLICT, "campaign %lld does not exist or is complete", (long long)id);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

#define CAMPAIGN_COLUMNS                                                                              \
  "SELECT id, line, status, created_by, COALESCE(approved_by, ''), created_at,"                    \
  " COALESCE(approved_at, ''), COALESCE(completed_at, ''), operation, force_name, days,"            \
  " window_from, window_to, excluded_children, excluded_dnc FROM msg_campaigns"

static void fill_row(ls_stmt *s, ls_msg_status *o) {
  memset(o, 0, sizeof *o);
  o->id = ls_stmt_int64(s, 0);
  snprintf(o->line, sizeof o->line, "%s", ls_stmt_text(s, 1));
  snprintf(o->status, sizeof o->status, "%s", ls_stmt_text(s, 2));
  snprintf(o->created_by, sizeof o->created_by, "%s", ls_stmt_text(s, 3));
  snprintf(o->approved_by, sizeof o->approved_by, "%s", ls_stmt_text(s, 4));
  snprintf(o->created_at, sizeof o->created_at, "%s", ls_stmt_text(s, 5));
  snprintf(o->approved_at, sizeof o->approved_at, "%s", ls_stmt_text(s, 6));
  snprintf(o->completed_at, sizeof o->completed_at, "%s", ls_stmt_text(s, 7));
  snprintf(o->operation, sizeof o->operation, "%s", ls_stmt_text(s, 8));
  snprintf(o->force, sizeof o->force, "%s", ls_stmt_text(s, 9));
  o->days = ls_stmt_int64(s, 10);
  o->window_from = ls_stmt_int64(s, 11);
  o->window_to = ls_stmt_int64(s, 12);
  o->excluded_children = ls_stmt_int64(s, 13);
  o->excluded_dnc = ls_stmt_int64(s, 14);
}

/* Recipient counts by state, and whether the results record exists. */
static ls_status fill_counts(ls_store *st, ls_msg_status *o, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT state, COUNT(*) FROM msg_recipients WHERE campaign_id = ?"
                                 " GROUP BY state",
                                 &s, err);
  if (rc == LS_OK)
    ls_stmt_bind_int64(s, 1, o->id);
  while (rc == LS_OK && (rc = ls_stmt_step(s, err)) == LS_ROW) {
    rc = LS_OK;
    const char *state = ls_stmt_text(s, 0);
    int64_t n = ls_stmt_int64(s, 1);
    o->recipients += n;
    if (!strcmp(state, "planned"))
      o->planned = n;
    else if (!strcmp(state, "sending"))
      o->sending = n;
    else if (!strcmp(state, "sent"))
      o->sent = n;
    else if (!strcmp(state, "delivered"))
      o->delivered = n;
    else if (!strcmp(state, "failed"))
      o->failed = n;
  }
  ls_stmt_finalize(s);
  s = NULL;
  if (rc == LS_OK || rc == LS_DONE) {
    char source[64];
    snprintf(source, sizeof source, "messaging campaign %lld", (long long)o->id);
    rc = ls_stmt_prepare(st, "SELECT COUNT(*) FROM ops_results WHERE source = ?", &s, err);
    if (rc == LS_OK) {
      ls__msg_bind(s, 1, source);
      rc = ls_stmt_step(s, err);
      if (rc == LS_ROW) {
        o->results_recorded = ls_stmt_int64(s, 0) > 0;
        rc = LS_OK;
      }
    }
    ls_stmt_finalize(s);
  }
  return rc;
}

ls_status ls_messaging_campaign_status(ls_store *st, int64_t id, ls_msg_status *out, ls_error *err) {
  ls_stmt *s = NULL;
  int found = 0;
  ls_status rc = ls_stmt_prepare(st, CAMPAIGN_COLUMNS " WHERE id = ?", &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, id);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      fill_row(s, out);
      found = 1;
      rc = LS_OK;
    }
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK && !found)
    return LS_FAIL(err, LS_ERR_NOTFOUND, "no campaign %lld", (long long)id);
  if (rc == LS_OK)
    rc = fill_counts(st, out, err);
  return rc;
}

ls_status ls_messaging_campaign_list(ls_store *st, int (*visit)(const ls_msg_status *s, void *ctx), void *ctx,
                                     ls_error *err) {
  /* ids first, then one status each: the counts need their own queries */
  ls_stmt *s = NULL;
  int64_t *ids = NULL;
  size_t n = 0, cap = 0;
  ls_status rc = ls_stmt_prepare(st, "SELECT id FROM msg_campaigns ORDER BY id DESC", &s, err);
  while (rc == LS_OK && (rc = ls_stmt_step(s, err)) == LS_ROW) {
    rc = LS_OK;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      int64_t *v = ls_reallocarray(ids, cap, sizeof *v);
      if (!v) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory listing campaigns");
        break;
      }
      ids = v;
    }
    ids[n++] = ls_stmt_int64(s, 0);
  }
  ls_stmt_finalize(s);
  for (size_t i = 0; rc == LS_OK && i < n; i++) {
    ls_msg_status one;
    rc = ls_messaging_campaign_status(st, ids[i], &one, err);
    if (rc == LS_OK && visit(&one, ctx))
      break;
  }
  ls_free(ids);
  return rc;
}

ls_status ls_messaging_campaign_text(ls_store *st, int64_t id, char *out, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT template FROM msg_campaigns WHERE id = ?", &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, id);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      snprintf(out, LS_MSG_TEXT_MAX + 1, "%s", ls_stmt_text(s, 0));
      rc = LS_OK;
    } else if (rc == LS_DONE) {
      rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no campaign %lld", (long long)id);
    }
  }
  ls_stmt_finalize(s);
  return rc;
}
