/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of the server: users, sessions, the hash-chained audit log and the
 * anonymous public reports (versions 200-299). */
#include "store_internal.h"

const ls__migration ls__schema_server[] = {
    {200, "users, sessions, audit log, public reports",
     /* password_hash is libsodium's argon2id string (salt and parameters
      * inside); sessions keep only a hash of the token, so a copy of the
      * database does not let anyone take over a session. */
     "CREATE TABLE users ("
     " id INTEGER PRIMARY KEY,"
     " name TEXT NOT NULL UNIQUE,"
     " role TEXT NOT NULL,"
     " force_name TEXT NOT NULL,"
     " password_hash TEXT NOT NULL,"
     " disabled INTEGER NOT NULL DEFAULT 0,"
     " created_at TEXT NOT NULL,"
     " password_changed_at TEXT NOT NULL);"
     "CREATE TABLE sessions ("
     " token_hash TEXT PRIMARY KEY,"
     " user_id INTEGER NOT NULL REFERENCES users(id),"
     " csrf TEXT NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL);"
     "CREATE INDEX sessions_user ON sessions(user_id);"
     /* seq is dense from 1: a gap is a deleted entry. audit_head holds the
      * last seq and hash so that deleting the newest entries shows too. */
     "CREATE TABLE audit_log ("
     " seq BIGINT PRIMARY KEY,"
     " at TEXT NOT NULL,"
     " actor TEXT NOT NULL,"
     " force_name TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " target TEXT NOT NULL,"
     " records TEXT NOT NULL,"
     " detail TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL,"
     " hash TEXT NOT NULL);"
     "CREATE INDEX audit_log_actor ON audit_log(actor);"
     "CREATE TABLE audit_head ("
     " id INTEGER PRIMARY KEY CHECK (id = 1),"
     " seq BIGINT NOT NULL,"
     " hash TEXT NOT NULL);"
     /* Public reports keep the day, not the time, and nothing about the
      * sender (no address, no cookie): see docs/server.md. */
     "CREATE TABLE public_reports ("
     " id INTEGER PRIMARY KEY,"
     " received_on TEXT NOT NULL,"
     " category TEXT NOT NULL,"
     " area TEXT NOT NULL,"
     " description TEXT NOT NULL);"
     /* Which force polices a town or district: a line, a safeguarding case
      * or a public report belongs to the forces of the areas it names. */
     "CREATE TABLE force_areas ("
     " area TEXT PRIMARY KEY,"
     " force_name TEXT NOT NULL);"},
};
const size_t ls__schema_server_count = sizeof ls__schema_server / sizeof ls__schema_server[0];
