/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Output for the exports: a FILE whose first error sticks (checked once at
 * close, as the writers emit thousands of small pieces), and the escapes of
 * XML, CSV and JSON. Hand-written because the strings come from input files
 * (cell names, areas, attribution sources): each escape must accept any
 * bytes and still produce a file every reader takes, so invalid UTF-8 and
 * characters XML 1.0 cannot carry become U+FFFD rather than an error. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ls_buf.h"
#include "export_internal.h"
#include "linesight/ls_time.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p) {
  unsigned c = p[0];
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
  }
  return 0;
}

ls_status ls__export_out_open(ls__ex_out *o, const char *path, ls_error *err) {
  char tmp[LS_ERROR_FILE_MAX + 8];
  o->failed = 0;
  o->nomem = 0;
  o->f = NULL;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
    return LS_FAIL(err, LS_ERR_USAGE, "%s: output path too long", path);
  o->f = fopen(tmp, "wb");
  if (!o->f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write %s", tmp);
  return LS_OK;
}

ls_status ls__export_out_close(ls__ex_out *o, const char *path, ls_error *err) {
  char tmp[LS_ERROR_FILE_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (!o->f)
    return LS_OK;
  int bad = o->failed || o->nomem || ferror(o->f);
  bad = fclose(o->f) != 0 || bad;
  o->f = NULL;
  if (!bad && rename(tmp, path) == 0)
    return LS_OK;
  remove(tmp);
  if (o->nomem)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory writing %s", path);
  return ls_error_set(err, LS_ERR_IO, path, 0, 0, "write failed");
}

void ls__export_out_check(ls__ex_out *o, ls_status rc) {
  if (rc == LS_ERR_NOMEM)
    o->nomem = 1;
}

void ls__export_out_join(ls__ex_out *o, ls_buf *b, json_t *arr, const char *sep) {
  size_t i;
  json_t *v;
  ls_buf_reset(b);
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    ls_status rc = s && b->len ? ls_buf_puts(b, sep) : LS_OK;
    if (!rc && s)
      rc = ls_buf_puts(b, s);
    if (rc) {
      ls__export_out_check(o, rc);
      break;
    }
  }
}

void ls__export_out_puts(ls__ex_out *o, const char *s) {
  if (!o->failed && fputs(s, o->f) == EOF)
    o->failed = 1;
}

static void put(ls__ex_out *o, const char *s, size_t n) {
  if (!o->failed && n && fwrite(s, 1, n, o->f) != n)
    o->failed = 1;
}

void ls__export_out_printf(ls__ex_out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (!o->failed && vfprintf(o->f, fmt, ap) < 0)
    o->failed = 1;
  va_end(ap);
}

void ls__export_out_xml(ls__ex_out *o, const char *s) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    size_t n = utf8_len(p);
    const char *rep = NULL;
    switch (*p) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&apos;"; break;
    case '\t': rep = "&#9;"; break;
    case '\n': rep = "&#10;"; break;
    case '\r': rep = "&#13;"; break;
    default:
      /* C0 controls are not XML 1.0 characters, not even as references;
       * U+FFFE and U+FFFF are not characters either */
      if (*p < 0x20 || !n || (n == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE))
        rep = REPLACEMENT;
    }
    if (rep) {
      ls__export_out_puts(o, rep);
      p += n ? n : 1;
    } else {
      put(o, (const char *)p, n);
      p += n;
    }
  }
}

void ls__export_out_csv(ls__ex_out *o, const char *s) {
  if (!s)
    return;
  size_t len = strlen(s);
  int quote = strpbrk(s, ",\"\r\n") != NULL || (len && (s[0] == ' ' || s[len - 1] == ' '));
  if (quote)
    put(o, "\"", 1);
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    size_t n = utf8_len(p);
    if (!n) {
      ls__export_out_puts(o, REPLACEMENT);
      p++;
    } else if (*p == '"') {
      put(o, "\"\"", 2);
      p++;
    } else {
      put(o, (const char *)p, n);
      p += n;
    }
  }
  if (quote)
    put(o, "\"", 1);
}

void ls__export_out_json(ls__ex_out *o, const char *s) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  put(o, "\"", 1);
  while (*p) {
    size_t n = utf8_len(p);
    if (!n) {
      ls__export_out_puts(o, REPLACEMENT);
      p++;
    } else if (*p == '"' || *p == '\\') {
      char esc[2] = {'\\', (char)*p};
      put(o, esc, 2);
      p++;
    } else if (*p < 0x20) {
      ls__export_out_printf(o, "\\u%04x", *p);
      p++;
    } else {
      put(o, (const char *)p, n);
      p += n;
    }
  }
  put(o, "\"", 1);
}

void ls__export_out_num(ls__ex_out *o, double v) {
  if (!isfinite(v))
    return;
  /* %.17g round-trips every double; try shorter forms first so that a
   * score of 0.97 is written 0.97, not 0.96999999999999997 */
  char buf[40];
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    char *end;
    if (strtod(buf, &end) == v)
      break;
  }
  ls__export_out_puts(o, buf);
}

void ls__export_out_time(ls__ex_out *o, int64_t t) {
  if (t == LS__EX_NO_TIME)
    return;
  char buf[LS_ISO_MAX];
  ls_time_format_utc(t, buf);
  ls__export_out_puts(o, buf);
}

ls_status ls__export_utf8_clean(const char *s, size_t max_bytes, ls_buf *out) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  ls_buf_reset(out);
  while (*p) {
    size_t n = utf8_len(p);
    const char *piece = n ? (const char *)p : REPLACEMENT;
    size_t len = n ? n : 3;
    if (out->len + len > max_bytes)
      break; /* cut at a character boundary */
    if (ls_buf_append(out, piece, len))
      return LS_ERR_NOMEM;
    p += n ? n : 1;
  }
  return LS_OK;
}
