/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Static files. Two roots: the built console (web/console/dist, the Vite
 * build: `/` and `/assets/...`) and the web folder itself (the public
 * report page and its files). A path must be plain (letters, digits,
 * . _ - /, no segment starting with a dot) and resolve, links followed, to
 * a regular file inside its root: nothing else on the disk can be read
 * through the server. The console's sources (web/console/, node_modules)
 * are never served. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_internal.h"

/* The largest console file (a vendored library is a few hundred KiB). */
#define STATIC_FILE_MAX (8u * 1024u * 1024u)
#define STATIC_PATH_MAX 200u

static const struct {
  const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const char *type_of(const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    size_t e = strlen(types[i].ext);
    if (n > e && !strcmp(name + n - e, types[i].ext))
      return types[i].type;
  }
  return NULL;
}

static int plain_path(const char *p) {
  size_t n = strlen(p);
  if (n == 0 || n > STATIC_PATH_MAX)
    return 0;
  int seg_start = 1;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (seg_start && (c == '.' || c == '/'))
      return 0; /* no "..", no hidden files, no "//" */
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-' || c == '/'))
      return 0;
    seg_start = c == '/';
  }
  return !seg_start;
}

static void serve_from(const char *root, ls__response *rs, const char *file) {
  const char *type = type_of(file);
  if (!root || !plain_path(file) || !type) {
    ls__server_error(rs, 404, "not found");
    return;
  }
  char joined[PATH_MAX];
  if ((size_t)snprintf(joined, sizeof joined, "%s/%s", root, file) >= sizeof joined) {
    ls__server_error(rs, 404, "not found");
    return;
  }
  char *real = realpath(joined, NULL);
  size_t rl = strlen(root);
  if (!real || strncmp(real, root, rl) || real[rl] != '/') {
    free(real);
    ls__server_error(rs, 404, "not found");
    return;
  }
  int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  free(real);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > STATIC_FILE_MAX) {
    if (fd >= 0)
      close(fd);
    ls__server_error(rs, 404, "not found");
    return;
  }
  size_t len = (size_t)sb.st_size;
  char *buf = malloc(len ? len : 1);
  size_t got = 0;
  while (buf && got < len) {
    ssize_t r = read(fd, buf + got, len - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  if (!buf || got != len) {
    free(buf);
    ls__server_error(rs, 500, "cannot read the file");
    return;
  }
  json_decref(rs->json);
  rs->json = NULL;
  free(rs->body);
  rs->body = buf;
  rs->body_len = len;
  rs->content_type = type;
  rs->status = 200;
}

/* Where the built console should be, for the message when it is not. */
static const char console_missing[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>linesight</title></head>"
    "<body><h1>The console is not built</h1><p>The server found no web/console/dist/index.html. "
    "Build it with <code>make</code> (or <code>npm ci &amp;&amp; npm run build</code> in "
    "web/console), then reload. The API and the public report page work without it.</p>"
    "</body></html>\n";

void ls__server_console(ls__request *rq, ls__response *rs, const char *file) {
  if (!rq->srv->console_root) {
    size_t len = sizeof console_missing - 1;
    char *body = malloc(len);
    if (!body) {
      ls__server_error(rs, 500, "out of memory");
      return;
    }
    memcpy(body, console_missing, len);
    json_decref(rs->json);
    rs->json = NULL;
    free(rs->body);
    rs->body = body;
    rs->body_len = len;
    rs->content_type = "text/html; charset=utf-8";
    rs->status = 503;
    return;
  }
  serve_from(rq->srv->console_root, rs, file);
}

void ls__server_static(ls__request *rq, ls__response *rs, const char *file) {
  /* the Vite build's chunks; index.html through `/` */
  if (!strncmp(file, "assets/", 7)) {
    ls__server_console(rq, rs, file);
    return;
  }
  /* the console's sources and packages stay private */
  if (!strncmp(file, "console/", 8) || !strcmp(file, "console")) {
    ls__server_error(rs, 404, "not found");
    return;
  }
  serve_from(rq->srv->web_root, rs, file);
}
