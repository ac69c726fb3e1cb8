/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Users, roles and sessions of the analyst console, kept in the store.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, the
 * "interactive" limits: about 64 MiB and a few tens of milliseconds a
 * check). A session is a random 256-bit token given to the browser in a
 * cookie; the store keeps only its BLAKE2b hash, so a copy of the database
 * cannot be used to take over a session. Each session also has a CSRF token
 * that state-changing requests must echo.
 *
 * Every user belongs to a force; the force LS_AUTH_NATIONAL sees the data
 * of every force. What a role may do is decided by the server's route table
 * (src/server/server_routes.c), not here. */
#ifndef LINESIGHT_LS_AUTH_H
#define LINESIGHT_LS_AUTH_H

#include <stdint.h>

#include "ls_error.h"
#include "ls_store.h"

typedef enum ls_role {
  LS_ROLE_ADMIN = 0,    /* everything, user administration, audit */
  LS_ROLE_ANALYST,      /* lines, networks, safeguarding, operations (read), analysis runs */
  LS_ROLE_OFFICER,      /* operations: result entry and reports */
  LS_ROLE_SAFEGUARDING, /* partner agency: the safeguarding list only */
  LS_ROLE_PRESS,        /* published operation totals only */
  LS_ROLE_SUPERVISOR,   /* an analyst who also approves diversion-text campaigns
                         * (a second pair of eyes: never their own) */
  LS_ROLE_COUNT
} ls_role;

#define LS_AUTH_NAME_MAX 64       /* user and force names, bytes */
#define LS_AUTH_PASSWORD_MIN 10   /* NCSC advice favours length over rules */
#define LS_AUTH_PASSWORD_MAX 1024 /* bounds the hashing work an attacker can ask for */
#define LS_AUTH_TOKEN_HEX 64      /* a 256-bit token as hex */
#define LS_AUTH_NATIONAL "national" /* the force that sees every force's data */
#define LS_AUTH_SESSION_TTL_S (8 * 3600) /* one working shift */

typedef struct ls_auth_user {
  int64_t id;
  char name[LS_AUTH_NAME_MAX + 1];
  char force[LS_AUTH_NAME_MAX + 1];
  ls_role role;
  int disabled;
} ls_auth_user;

typedef struct ls_auth_session {
  char token[LS_AUTH_TOKEN_HEX + 1]; /* only filled by ls_auth_login */
  char csrf[LS_AUTH_TOKEN_HEX + 1];
  int64_t expires_at; /* Unix seconds */
  ls_auth_user user;
} ls_auth_session;

/* Initialises libsodium; call once before any other ls_auth_ function.
 * Errors: LS_ERR_INTERNAL when libsodium cannot start. */
ls_status ls_auth_init(ls_error *err);

/* "admin", "analyst", ... ; NULL for an invalid value. */
const char *ls_auth_role_name(ls_role role);
/* Errors: LS_ERR_USAGE naming the valid roles. */
ls_status ls_auth_role_parse(const char *text, ls_role *out, ls_error *err);
/* 1 when the user's force sees every force's data. */
int ls_auth_is_national(const ls_auth_user *u);
/* 1 when a user of `user_force` may see data owned by `owner_force`
 * (same force, compared case-insensitively, or a national user). */
int ls_auth_force_may_see(const ls_auth_user *u, const char *owner_force);

/* Adds a user. name: 1-64 of [A-Za-z0-9._-]; force: 1-64 printable ASCII
 * without control characters; password: LS_AUTH_PASSWORD_MIN..MAX bytes.
 * Errors: LS_ERR_USAGE (invalid name, force or password), LS_ERR_DUPLICATE
 * (name taken), LS_ERR_NOMEM (hashing memory), LS_ERR_DB. */
ls_status ls_auth_user_add(ls_store *st, const char *name, ls_role role, const char *force,
                           const char *password, ls_error *err);
/* Replaces a password and ends the user's sessions.
 * Errors: LS_ERR_NOTFOUND, LS_ERR_USAGE (password), LS_ERR_DB. */
ls_status ls_auth_user_set_password(ls_store *st, const char *name, const char *password,
                                    ls_error *err);
/* Disables a user (kept for the audit trail) and ends their sessions.
 * Errors: LS_ERR_NOTFOUND, LS_ERR_DB. */
ls_status ls_auth_user_disable(ls_store *st, const char *name, ls_error *err);
/* Errors: LS_ERR_NOTFOUND, LS_ERR_DB. */
ls_status ls_auth_user_get(ls_store *st, const char *name, ls_auth_user *out, ls_error *err);
/* Calls visit for every user in name order; a non-zero return stops. */
ls_status ls_auth_user_list(ls_store *st, int (*visit)(const ls_auth_user *u, void *ctx), void *ctx,
                            ls_error *err);

/* Checks a password and opens a session lasting ttl_s from now.
 * An unknown or disabled user costs the same hashing work as a wrong
 * password, so timing does not tell which names exist.
 * Errors: LS_ERR_DENIED (unknown user, disabled, wrong password),
 * LS_ERR_NOMEM, LS_ERR_DB. */
ls_status ls_auth_login(ls_store *st, const char *name, const char *password, int64_t now,
                        int64_t ttl_s, ls_auth_session *out, ls_error *err);
/* Finds the live session of a token (out->token is left empty).
 * Errors: LS_ERR_DENIED (unknown, expired, or its user disabled), LS_ERR_DB. */
ls_status ls_auth_session_get(ls_store *st, const char *token, int64_t now, ls_auth_session *out,
                              ls_error *err);
/* The same lookup on a statement prepared once, for a server that looks
 * a session up on every request (preparing it was ~5% of a request's CPU
 * under load, docs/performance.md). Bound to one store connection and used
 * by one thread at a time, like the connection; close it before the store.
 * open errors: LS_ERR_NOMEM, LS_ERR_DB. find: as ls_auth_session_get, an
 * index lookup, O(log sessions). */
typedef struct ls_auth_sessions ls_auth_sessions;
ls_status ls_auth_sessions_open(ls_store *st, ls_auth_sessions **out, ls_error *err);
ls_status ls_auth_sessions_find(ls_auth_sessions *r, const char *token, int64_t now,
                                ls_auth_session *out, ls_error *err);
void ls_auth_sessions_close(ls_auth_sessions *r); /* accepts NULL */
/* Ends a session; ending an unknown one is not an error. */
ls_status ls_auth_logout(ls_store *st, const char *token, ls_error *err);
/* Deletes expired sessions. */
ls_status ls_auth_sessions_purge(ls_store *st, int64_t now, ls_error *err);

/* ---- areas: which force polices a town or district ---------------------
 * Lines, safeguarding cases and public reports name towns (the cells'
 * `area`); a record belongs to the forces of the areas it names. Area names
 * compare case-insensitively (stored lower-cased). */

/* Sets (or moves) area -> force. Errors: LS_ERR_USAGE (empty or over
 * LS_AUTH_NAME_MAX bytes, control characters), LS_ERR_DB. */
ls_status ls_auth_area_set(ls_store *st, const char *area, const char *force, ls_error *err);
/* The force of an area into force (LS_AUTH_NAME_MAX + 1 bytes).
 * Errors: LS_ERR_NOTFOUND, LS_ERR_DB. */
ls_status ls_auth_area_force(ls_store *st, const char *area, char *force, ls_error *err);
/* Calls visit for every area in area order; a non-zero return stops. */
ls_status ls_auth_area_list(ls_store *st, int (*visit)(const char *area, const char *force, void *ctx),
                            void *ctx, ls_error *err);

/* Compares two NUL-terminated secrets in time that depends only on their
 * lengths; 1 when equal. */
int ls_auth_secret_equal(const char *a, const char *b);

#endif
