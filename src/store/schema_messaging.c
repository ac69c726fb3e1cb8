/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of diversion texts (versions 300-399): campaigns to a deal line's
 * customers, one row per recipient with its delivery state, the delivery
 * reports the SMS gateway sent back, and the do-not-contact list.
 * docs/messaging.md explains the states and why each is persisted. */
#include "store_internal.h"

const ls__migration ls__schema_messaging[] = {
    {300, "diversion text campaigns",
     /* status: awaiting_approval -> approved -> sending -> complete (or
      * cancelled). The lease (owner "host:pid", until) keeps two senders off
      * one campaign; nonce makes every message reference unique across
      * stores sharing one gateway. */
     "CREATE TABLE msg_campaigns ("
     " id INTEGER PRIMARY KEY,"
     " line TEXT NOT NULL,"
     " days BIGINT NOT NULL,"
     " window_from BIGINT NOT NULL,"
     " window_to BIGINT NOT NULL,"
     " template TEXT NOT NULL,"
     " nonce TEXT NOT NULL UNIQUE,"
     " status TEXT NOT NULL,"
     " created_by TEXT NOT NULL,"
     " created_at TEXT NOT NULL,"
     " approved_by TEXT,"
     " approved_at TEXT,"
     " operation TEXT NOT NULL,"
     " force_name TEXT NOT NULL,"
     " excluded_children BIGINT NOT NULL,"
     " excluded_dnc BIGINT NOT NULL,"
     " lease_owner TEXT,"
     " lease_until BIGINT,"
     " completed_at TEXT);"
     /* state: planned -> sending -> sent -> delivered, or failed. msg_ref is
      * the per-recipient reference carried in the delivery-report URL. */
     "CREATE TABLE msg_recipients ("
     " id INTEGER PRIMARY KEY,"
     " campaign_id BIGINT NOT NULL REFERENCES msg_campaigns(id),"
     " number TEXT NOT NULL,"
     " state TEXT NOT NULL,"
     " msg_ref TEXT NOT NULL UNIQUE,"
     " attempts BIGINT NOT NULL,"
     " last_error TEXT NOT NULL,"
     " dlr_status BIGINT,"
     " updated_at BIGINT NOT NULL,"
     " UNIQUE (campaign_id, number));"
     "CREATE INDEX msg_recipients_state ON msg_recipients(campaign_id, state);"
     "CREATE TABLE msg_dlr ("
     " id INTEGER PRIMARY KEY,"
     " msg_ref TEXT NOT NULL,"
     " status BIGINT NOT NULL,"
     " received_at BIGINT NOT NULL);"
     "CREATE INDEX msg_dlr_ref ON msg_dlr(msg_ref);"
     "CREATE TABLE msg_dnc ("
     " number TEXT PRIMARY KEY,"
     " reason TEXT NOT NULL,"
     " added_by TEXT NOT NULL,"
     " added_at TEXT NOT NULL);"},
};
const size_t ls__schema_messaging_count = sizeof ls__schema_messaging / sizeof ls__schema_messaging[0];
