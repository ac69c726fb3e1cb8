/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP server: the JSON API of DESIGN.md section 8 and the analyst
 * console's static files, on libmicrohttpd.
 *
 * Who may call what is decided in one place, the route table in
 * src/server/server_routes.c: each route names the permission it needs,
 * each role has a fixed set of permissions, and records of another force
 * answer 404 (docs/server.md lists the table). The server runs its own
 * threads; ls_server_start returns once it listens. */
#ifndef LINESIGHT_LS_SERVER_H
#define LINESIGHT_LS_SERVER_H

#include <stdint.h>

#include "ls_error.h"

typedef struct ls_server_config {
  const char *db;       /* store URI; NULL = LS_DEFAULT_DB */
  const char *bind;     /* IPv4 or IPv6 address; NULL = "127.0.0.1" */
  unsigned port;        /* 0 = any free port (ls_server_port tells which) */
  const char *web_root; /* folder of the console's files; NULL = no console */
  unsigned session_ttl_s;   /* 0 = LS_AUTH_SESSION_TTL_S */
  unsigned connection_timeout_s; /* idle connections are closed; 0 = 30 */
  unsigned threads; /* I/O threads; 0 = one per core (at most 4) */
} ls_server_config;

typedef struct ls_server ls_server;

/* Opens the store (applying migrations), binds and starts serving.
 * Errors: LS_ERR_USAGE (bad address or web root), LS_ERR_IO (cannot bind:
 * the port is taken or not allowed), LS_ERR_DB, LS_ERR_NOMEM. */
ls_status ls_server_start(const ls_server_config *cfg, ls_server **out, ls_error *err);
/* The port the server listens on. */
unsigned ls_server_port(const ls_server *srv);
/* Stops accepting, finishes the requests in flight and frees everything.
 * Accepts NULL. */
void ls_server_stop(ls_server *srv);

#endif
