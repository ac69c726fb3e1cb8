/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the HTTP server's request parsing end to end, through its
 * public entry point (ls_server_start) and a socket, as a browser would
 * reach it: libmicrohttpd's parser, routing and path parameters, query
 * strings, cookies, the CSRF and origin checks, the JSON body reader
 * (ls__server_body_object), the public report's JSON and plain form
 * (server_public.c, whose form decoder is static), results entry,
 * intelligence grading and links, diversion-text campaigns, and static
 * files (path handling under web/).
 *
 * The input is a request's head (request line and headers, one a line),
 * an empty line, and the body. The harness owns the framing so that every
 * request is complete and the answer arrives at once: it drops the input's
 * Content-Length, Connection and Transfer-Encoding lines and sends its own
 * Content-Length and `Connection: close`. `@SESSION@` and `@CSRF@` in the
 * head become the session cookie and CSRF token of an admin signed in
 * once at start-up (admin may call every route), and `@ITEM@` the id of
 * an intelligence item stored then (for grading and links). Requests to the login,
 * logout and user routes are not sent: each login or new user runs
 * argon2id (64 MiB, tenths of a second, on purpose) and a logout would end
 * the session; their JSON bodies go through the same reader as the rest.
 * Each request comes from its own 127.x.y.z address so that the per-address
 * limit on public reports does not turn every later report into a 429.
 *
 * Checks: every request gets a well-formed HTTP answer (no hang, no
 * dropped connection) and none is a 500: input must never be able to make
 * the server fail. Seeds: the requests of tests/cli/serve_api.sh and
 * tests/cli/public_reports.sh, and docs/server.md. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "linesight/ls_auth.h"
#include "linesight/ls_server.h"
#include "linesight/ls_store.h"
#include "linesight/ls_store_intel.h"

#define ANSWER_TIMEOUT_MS 30000 /* generous: replays also run on loaded machines */

static ls_server *srv;
static unsigned port;
static char dir[64], db[96];
static char token[LS_AUTH_TOKEN_HEX + 1], csrf[LS_AUTH_TOKEN_HEX + 1], item[32];
static uint32_t next_client;

static void cleanup(void) {
  ls_server_stop(srv);
  srv = NULL;
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
    char p[128];
    snprintf(p, sizeof p, "%s%s", db, suffix[i]);
    unlink(p);
  }
  rmdir(dir);
}

/* The repository's web/ folder, from this file's path (tests/fuzz/). */
static void web_root(char *out, size_t n) {
  snprintf(out, n, "%s", __FILE__);
  char *cut = strstr(out, "tests/fuzz/fuzz_server.c");
  if (cut)
    snprintf(cut, n - (size_t)(cut - out), "web");
  else
    snprintf(out, n, "web");
}

static void start(void) {
  struct stat sb;
  snprintf(dir, sizeof dir, "%s/ls_fuzz_server_XXXXXX",
           stat("/dev/shm", &sb) == 0 && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  if (!mkdtemp(dir))
    abort();
  snprintf(db, sizeof db, "%s/server.db", dir);
  ls_error err;
  ls_store *st = NULL;
  ls_auth_session s;
  if (ls_auth_init(&err) || ls_store_open(db, &st, &err) ||
      ls_auth_user_add(st, "fuzz", LS_ROLE_ADMIN, LS_AUTH_NATIONAL, "fuzz-password-0123", &err) ||
      ls_auth_area_set(st, "Basingstoke", "Hampshire", &err) ||
      ls_auth_login(st, "fuzz", "fuzz-password-0123", 0, 100LL * 365 * 86400, &s, &err))
    abort();
  ls_intel_item it;
  memset(&it, 0, sizeof it);
  it.source = "public";
  it.category = "cuckooing";
  it.signs = "";
  it.area = "Basingstoke";
  it.postcode = "";
  it.seen_when = "";
  it.description = "Visitors at odd hours.";
  int64_t id = 0;
  if (ls_store_intel_add(st, &it, &id, &err))
    abort();
  snprintf(item, sizeof item, "%lld", (long long)id);
  ls_store_close(st);
  snprintf(token, sizeof token, "%s", s.token);
  snprintf(csrf, sizeof csrf, "%s", s.csrf);
  char web[4096];
  web_root(web, sizeof web);
  if (access(web, R_OK) != 0)
    web[0] = '\0';
  ls_server_config cfg = {.db = db, .bind = "127.0.0.1", .web_root = web[0] ? web : NULL, .connection_timeout_s = 5};
  if (ls_server_start(&cfg, &srv, &err)) {
    fprintf(stderr, "fuzz_server: %s\n", err.message);
    abort();
  }
  port = ls_server_port(srv);
  atexit(cleanup);
}

/* Appends n bytes to a growing buffer. */
typedef struct buf {
  char *p;
  size_t len, cap;
} buf;

static void put(buf *b, const void *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
      abort();
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

/* 1 when a header line is one the harness sends itself. */
static int framing(const char *line, size_t n) {
  static const char *const names[] = {"content-length:", "connection:", "transfer-encoding:"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t k = strlen(names[i]);
    if (n >= k && !strncasecmp(line, names[i], k))
      return 1;
  }
  return 0;
}

/* 1 when the request line's path names a route that must not be sent (see
 * above), after %-decoding, as the server will read it. */
static int skipped(const char *line, size_t n) {
  char path[1024];
  size_t o = 0;
  const char *sp = memchr(line, ' ', n);
  if (!sp)
    return 0;
  for (const char *s = sp + 1; s < line + n && *s != ' ' && *s != '?' && o + 1 < sizeof path; s++) {
    if (*s == '%' && s + 2 < line + n && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
      char hex[3] = {s[1], s[2], 0};
      path[o++] = (char)strtol(hex, NULL, 16);
      s += 2;
    } else {
      path[o++] = *s;
    }
  }
  path[o] = '\0';
  for (size_t i = 0; i < o; i++) /* %-decoded letters too */
    path[i] = (char)tolower((unsigned char)path[i]);
  return strstr(path, "login") || strstr(path, "logout") || strstr(path, "users");
}

/* Builds the request; returns 0 when it is not to be sent. */
static int build(const uint8_t *data, size_t size, buf *req) {
  const char *in = (const char *)data, *end = in + size;
  const char *body = end;
  /* the head ends at the first empty line */
  const char *head_end = end;
  for (const char *s = in; s < end; s++) {
    if (*s != '\n')
      continue;
    const char *t = s + 1;
    if (t < end && *t == '\r')
      t++;
    if (t < end && *t == '\n') {
      head_end = s;
      body = t + 1;
      break;
    }
  }
  int first = 1;
  for (const char *s = in; s < head_end;) {
    const char *nl = memchr(s, '\n', (size_t)(head_end - s));
    const char *stop = nl ? nl : head_end;
    size_t n = (size_t)(stop - s);
    if (n && s[n - 1] == '\r')
      n--;
    if (first && skipped(s, n))
      return 0;
    if (!framing(s, n) && (n || first)) {
      /* the placeholders, wherever they are */
      for (size_t i = 0; i < n;) {
        if (n - i >= 9 && !memcmp(s + i, "@SESSION@", 9)) {
          put(req, token, strlen(token));
          i += 9;
        } else if (n - i >= 6 && !memcmp(s + i, "@CSRF@", 6)) {
          put(req, csrf, strlen(csrf));
          i += 6;
        } else if (n - i >= 6 && !memcmp(s + i, "@ITEM@", 6)) {
          put(req, item, strlen(item));
          i += 6;
        } else {
          put(req, s + i, 1);
          i++;
        }
      }
      put(req, "\r\n", 2);
    }
    first = 0;
    s = stop + 1;
  }
  char framing_lines[96];
  int k = snprintf(framing_lines, sizeof framing_lines, "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                   (size_t)(end - body));
  put(req, framing_lines, (size_t)k);
  put(req, body, (size_t)(end - body));
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!srv)
    start();
  buf req = {0};
  if (!build(data, size, &req)) {
    free(req.p);
    return 0;
  }
  int fd = -1;
  /* A connection can fail for a moment under a burst of thousands a
   * second (seen once in 16,000: the listen queue); try again a while
   * before calling it a finding. */
  for (int attempt = 0; fd < 0; attempt++) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      abort();
    /* a fresh loopback source address per request: 127.1.0.1 and up */
    uint32_t c = next_client++ % (250u * 250u * 250u);
    struct sockaddr_in from = {0}, to = {0};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl((127u << 24) | ((1 + c / 62500) << 16) | ((c / 250 % 250) << 8) | (1 + c % 250));
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* where 127/8 is not all loopback, the kernel's own choice will do */
    (void)bind(fd, (struct sockaddr *)&from, sizeof from);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) == 0)
      break;
    int e = errno;
    close(fd);
    fd = -1;
    if (attempt == 50) {
      fprintf(stderr, "fuzz_server: cannot connect: %s\n", strerror(e));
      abort();
    }
    usleep(100000);
  }
  size_t sent = 0;
  while (sent < req.len) {
    ssize_t w = send(fd, req.p + sent, req.len - sent, MSG_NOSIGNAL);
    if (w <= 0)
      break; /* the server may answer (413, 400) and close before reading it all */
    sent += (size_t)w;
  }
  buf ans = {0};
  char chunk[4096];
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, ANSWER_TIMEOUT_MS);
    if (r == 0) {
      fprintf(stderr, "fuzz_server: no answer within %d ms\n", ANSWER_TIMEOUT_MS);
      abort();
    }
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0)
      break;
    put(&ans, chunk, (size_t)got);
  }
  close(fd);
  /* MHD closes without answering only what it cannot parse at all */
  if (ans.len) {
    if (ans.len < 12 || memcmp(ans.p, "HTTP/1.", 7) != 0)
      abort();
    long status = strtol(ans.p + 9, NULL, 10);
    if (getenv("LS_FUZZ_VERBOSE")) /* to see what the seeds reach */
      fprintf(stderr, "%ld %.60s\n", status, req.p);
    if (status < 100 || status > 599 || status == 500) {
      fprintf(stderr, "fuzz_server: answer %.*s\n", (int)(ans.len < 400 ? ans.len : 400), ans.p);
      abort();
    }
  }
  free(ans.p);
  free(req.p);
  return 0;
}
