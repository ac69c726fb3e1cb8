/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console's static files, from the web root only. A path must be
 * plain (letters, digits, . _ - /, no segment starting with a dot) and
 * resolve, links followed, to a regular file inside the root: nothing
 * else on the disk can be read through the server. */
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

void ls__server_static(ls__request *rq, ls__response *rs, const char *file) {
  const char *root = rq->srv->web_root;
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
