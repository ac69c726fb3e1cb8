/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Diversion texts: police text the customers of a known deal line,
 * pointing them to support services (DOMAIN.md, "The response").
 *
 *   plan      who would be texted: the numbers that contacted the line's
 *             deal numbers in a window, less numbers attributed to children
 *             (they go to safeguarding instead) and the do-not-contact list
 *   campaign  a plan frozen with its message text, created by one user and
 *             approved by a second user with the supervisor role
 *   send      through an SMS gateway's HTTP interface (Kannel's sendsms),
 *             throttled, each recipient's state persisted before and after
 *             each send, delivery reports taken back on a small HTTP
 *             listener; a crashed or stopped sender resumes without sending
 *             any message twice or missing one (docs/messaging.md)
 *   results   a finished campaign adds one `messages_sent` record to its
 *             week of action (DESIGN.md s.7), once. */
#ifndef LINESIGHT_LS_MESSAGING_H
#define LINESIGHT_LS_MESSAGING_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "ls_auth.h"
#include "ls_error.h"
#include "ls_store.h"

#define LS_MSG_DEFAULT_DAYS 28 /* four weeks: a line's current customer base */
#define LS_MSG_DAYS_MAX 3660
/* Four concatenated SMS of 153 GSM-7 characters: the text must stay short
 * enough to be read, and Kannel is configured for up to four parts. */
#define LS_MSG_TEXT_MAX 612
#define LS_MSG_LINE_MAX 64
#define LS_MSG_NAME_MAX 100 /* operation and force names */

/* The default text: support services, no judgement, no reply expected. */
extern const char ls_messaging_default_text[];

/* ---- plan ----------------------------------------------------------------- */

typedef struct ls_msg_plan {
  char line[LS_MSG_LINE_MAX + 1];
  int64_t window_from, window_to; /* Unix seconds, [from, to) */
  char **recipients;              /* E.164, sorted, unique */
  size_t n_recipients;
  size_t excluded_children; /* attributed to a person under 18 at window_to */
  size_t excluded_dnc;      /* on the do-not-contact list (and not a child) */
} ls_msg_plan;

/* Who a campaign to `line` (an id of the latest saved analysis) would text:
 * the callers of its deal numbers whose events start in the `days` days up
 * to the line's last_seen, without the line's own numbers (deal numbers,
 * holders, runners), numbers attributed to a person under 18 in that window,
 * and numbers on the do-not-contact list. Fills *out (free with
 * ls_messaging_plan_free). Errors: LS_ERR_USAGE (days outside 1-3660),
 * LS_ERR_NOTFOUND (no analysis saved, or no such line in it), LS_ERR_DB,
 * LS_ERR_NOMEM. O(E + P + A + D + R log R) for E events in the window,
 * P persons, A attributions, D do-not-contact entries, R recipients. */
ls_status ls_messaging_plan(ls_store *st, const char *line, int days, ls_msg_plan *out,
                            ls_error *err);
void ls_messaging_plan_free(ls_msg_plan *p); /* accepts NULL and a zeroed plan */

/* ---- do not contact --------------------------------------------------------- */

/* Adds (or keeps) a number, any spelling, stored in E.164. Errors:
 * LS_ERR_INPUT (not a phone number, reason over 200 bytes), LS_ERR_DB. */
ls_status ls_messaging_dnc_add(ls_store *st, const char *number, const char *reason, const char *who,
                               ls_error *err);
/* Errors: LS_ERR_INPUT, LS_ERR_NOTFOUND, LS_ERR_DB. */
ls_status ls_messaging_dnc_remove(ls_store *st, const char *number, ls_error *err);
ls_status ls_messaging_dnc_list(ls_store *st,
                                int (*visit)(const char *number, const char *reason, const char *added_by,
                                             const char *added_at, void *ctx),
                                void *ctx, ls_error *err);

/* ---- campaigns -------------------------------------------------------------- */

typedef struct ls_msg_campaign_opts {
  const char *line;
  int days;              /* 0: LS_MSG_DEFAULT_DAYS */
  const char *text;      /* NULL: ls_messaging_default_text */
  const char *operation; /* week of action to credit (with force), or NULL */
  const char *force;
  const char *created_by; /* a user name */
} ls_msg_campaign_opts;

/* Plans and stores a campaign awaiting approval, every recipient "planned".
 * Errors: as ls_messaging_plan; LS_ERR_INPUT (text empty, too long, not
 * UTF-8; operation without force or the reverse; no recipients).
 * O(plan + R). */
ls_status ls_messaging_campaign_create(ls_store *st, const ls_msg_campaign_opts *opts, int64_t *id,
                                       ls_error *err);
/* The second pair of eyes: `by` must hold the supervisor role and must not
 * be the campaign's creator; the campaign must be awaiting approval.
 * Errors: LS_ERR_DENIED (role, same user), LS_ERR_CONFLICT (not awaiting
 * approval), LS_ERR_NOTFOUND, LS_ERR_DB. */
ls_status ls_messaging_campaign_approve(ls_store *st, int64_t id, const ls_auth_user *by,
                                       ls_error *err);
/* Stops a campaign that is not complete; recipients not yet sent stay
 * unsent. Errors: LS_ERR_CONFLICT (complete), LS_ERR_NOTFOUND, LS_ERR_DB. */
ls_status ls_messaging_campaign_cancel(ls_store *st, int64_t id, ls_error *err);

typedef struct ls_msg_status {
  int64_t id;
  char line[LS_MSG_LINE_MAX + 1];
  char status[24]; /* awaiting_approval, approved, sending, complete, cancelled */
  char created_by[LS_AUTH_NAME_MAX + 1], approved_by[LS_AUTH_NAME_MAX + 1];
  char created_at[32], approved_at[32], completed_at[32];
  char operation[LS_MSG_NAME_MAX + 1], force[LS_MSG_NAME_MAX + 1];
  int64_t days, window_from, window_to;
  int64_t recipients, planned, sending, sent, delivered, failed;
  int64_t excluded_children, excluded_dnc;
  int results_recorded; /* the messages_sent record is in the operation */
} ls_msg_status;

/* Errors: LS_ERR_NOTFOUND, LS_ERR_DB. O(recipients). */
ls_status ls_messaging_campaign_status(ls_store *st, int64_t id, ls_msg_status *out, ls_error *err);
/* Every campaign, newest first. O(campaigns + recipients). */
ls_status ls_messaging_campaign_list(ls_store *st, int (*visit)(const ls_msg_status *s, void *ctx),
                                     void *ctx, ls_error *err);
/* The campaign's text into out (LS_MSG_TEXT_MAX + 1 bytes). */
ls_status ls_messaging_campaign_text(ls_store *st, int64_t id, char *out, ls_error *err);

/* ---- sending ---------------------------------------------------------------- */

typedef struct ls_msg_gateway {
  char sendsms_url[512]; /* Kannel smsbox: http://127.0.0.1:13013/cgi-bin/sendsms */
  char username[128], password[128];
  char from[32];          /* sender id shown to the recipient */
  double rate_per_second; /* throttle; default 5 */
  char dlr_host[64];      /* where the delivery-report listener binds */
  unsigned dlr_port;
  int reconcile_wait_s; /* how long to wait for the report of a message in doubt */
} ls_msg_gateway;

/* Reads a gateway file: `key = value` lines, `#` comments; keys
 * sendsms_url, username, password, from, rate_per_second, dlr_listen
 * (host:port), reconcile_wait_s. Errors: LS_ERR_IO,
 * LS_ERR_INPUT (file and line named). */
ls_status ls_messaging_gateway_load(const char *path, ls_msg_gateway *out, ls_error *err);

typedef enum ls_msg_event {
  LS_MSG_EV_SENDING = 0, /* "sending" persisted; the request is about to go */
  LS_MSG_EV_ACCEPTED,    /* the gateway accepted it; "sent" not yet persisted */
  LS_MSG_EV_SENT,        /* "sent" persisted */
  LS_MSG_EV_RECONCILED,  /* a message in doubt: detail says "sent" or "resend" */
  LS_MSG_EV_RETRY,       /* the gateway refused for now; detail says why */
  LS_MSG_EV_FAILED       /* given up on a recipient; detail says why */
} ls_msg_event;

typedef struct ls_msg_send_opts {
  const ls_msg_gateway *gateway;
  /* told of each step (may be NULL): progress output, and the crash tests */
  void (*on_event)(void *ctx, ls_msg_event ev, const char *number, const char *detail);
  void *ctx;
  /* set (by a signal handler) to stop after the message in flight */
  volatile sig_atomic_t *stop;
  /* give up when the gateway has refused or been unreachable this long */
  int give_up_s; /* 0: 120 */
  /* the URI `st` was opened with: the report listener opens its own
   * connection. NULL: ls_store_location(st), enough for SQLite (it hides a
   * PostgreSQL password, so pass the URI for PostgreSQL). */
  const char *store_uri;
} ls_msg_send_opts;

typedef struct ls_msg_send_result {
  int64_t sent_now;   /* accepted by the gateway in this run */
  int64_t reconciled; /* messages in doubt found sent (not sent again) */
  int64_t resent;     /* messages in doubt found unsent (sent again) */
  int complete;       /* no recipient left to send */
  int results_recorded;
} ls_msg_send_result;

/* Sends an approved campaign (or resumes one). Takes the campaign's lease
 * (refused while another live sender holds it), starts the delivery-report
 * listener, reconciles any recipient left "sending" by a crash (its report
 * arrived: sent; none within reconcile_wait_s: sent again), then sends the
 * rest in order at the configured rate. Each recipient is set "sending"
 * and committed before its request and "sent" after the gateway accepted
 * it. When none is left the campaign is complete and, if it names an
 * operation, a messages_sent record (sent + delivered) is added to it once.
 * Errors: LS_ERR_CONFLICT (not approved, or another sender holds it),
 * LS_ERR_DENIED (the gateway refused our credentials), LS_ERR_IO (gateway
 * unreachable for give_up_s, listener port busy), LS_ERR_NOTFOUND, LS_ERR_DB.
 * The store is left consistent on every error: run again to resume. */
ls_status ls_messaging_send(ls_store *st, int64_t id, const ls_msg_send_opts *opts,
                            ls_msg_send_result *out, ls_error *err);

#endif
