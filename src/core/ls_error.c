/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "linesight/ls_error.h"

#include <stdio.h>
#include <string.h>

void ls_error_clear(ls_error *err) {
  if (err)
    memset(err, 0, sizeof *err);
}

ls_status ls_error_vset(ls_error *err, ls_status code, const char *file, long line,
                        int column, const char *fmt, va_list ap) {
  if (!err)
    return code;
  err->code = code;
  err->line = line;
  err->column = column;
  err->file[0] = '\0';
  if (file)
    snprintf(err->file, sizeof err->file, "%s", file);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return code;
}

ls_status ls_error_set(ls_error *err, ls_status code, const char *file, long line,
                       int column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ls_error_vset(err, code, file, line, column, fmt, ap);
  va_end(ap);
  return code;
}

const char *ls_status_name(ls_status code) {
  switch (code) {
  case LS_OK: return "ok";
  case LS_ROW: return "row";
  case LS_ERR_NOMEM: return "out of memory";
  case LS_ERR_IO: return "i/o error";
  case LS_ERR_INPUT: return "input error";
  case LS_ERR_USAGE: return "usage error";
  case LS_ERR_DB: return "store error";
  case LS_ERR_DUPLICATE: return "duplicate";
  case LS_ERR_NOTFOUND: return "not found";
  case LS_ERR_LIMIT: return "limit exceeded";
  case LS_ERR_INTERNAL: return "internal error";
  case LS_ERR_DENIED: return "denied";
  case LS_ERR_CONFLICT: return "conflict";
  }
  return "unknown error";
}

void ls_error_format(const ls_error *err, char *out, unsigned long out_size) {
  const char *msg = err->message[0] ? err->message : ls_status_name(err->code);
  if (err->file[0] && err->line > 0 && err->column > 0)
    snprintf(out, out_size, "%s:%ld:%d: %s", err->file, err->line, err->column, msg);
  else if (err->file[0] && err->line > 0)
    snprintf(out, out_size, "%s:%ld: %s", err->file, err->line, msg);
  else if (err->file[0])
    snprintf(out, out_size, "%s: %s", err->file, msg);
  else
    snprintf(out, out_size, "%s", msg);
}

int ls_status_exit_code(ls_status code) {
  if (code >= 0)
    return 0;
  if (code == LS_ERR_USAGE || code == LS_ERR_INPUT || code == LS_ERR_DUPLICATE)
    return 2;
  return 1;
}
