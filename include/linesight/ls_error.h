/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Status codes and the error record every fallible library call fills.
 * Library code never prints; the CLI and the server turn an ls_error into text. */
#ifndef LINESIGHT_LS_ERROR_H
#define LINESIGHT_LS_ERROR_H

#include <stdarg.h>

typedef enum ls_status {
  LS_DONE = 0,   /* alias of LS_OK for iterators: no more rows */
  LS_OK = 0,
  LS_ROW = 1,    /* iterator produced a row */
  LS_ERR_NOMEM = -1,
  LS_ERR_IO = -2,
  LS_ERR_INPUT = -3,     /* bad input data: a rejected file or value */
  LS_ERR_USAGE = -4,     /* bad arguments */
  LS_ERR_DB = -5,        /* the store failed */
  LS_ERR_DUPLICATE = -6, /* already present (a re-ingested file) */
  LS_ERR_NOTFOUND = -7,
  LS_ERR_LIMIT = -8,     /* a hard limit (field size, body size) was hit */
  LS_ERR_INTERNAL = -9,
  LS_ERR_DENIED = -10,   /* authentication or authorisation refused */
  LS_ERR_CONFLICT = -11  /* a concurrent change or violated constraint */
} ls_status;

#define LS_ERROR_MESSAGE_MAX 512
#define LS_ERROR_FILE_MAX 256

/* Where and why something failed. file/line/column describe the *input*
 * (a CSV file and its line), not the C source. line/column are 0 when unknown. */
typedef struct ls_error {
  ls_status code;
  char message[LS_ERROR_MESSAGE_MAX];
  char file[LS_ERROR_FILE_MAX];
  long line;
  int column;
} ls_error;

void ls_error_clear(ls_error *err);

/* Records an error and returns `code`, so callers can `return ls_error_set(...)`.
 * `err` may be NULL (the code is still returned). `file` may be NULL. */
ls_status ls_error_set(ls_error *err, ls_status code, const char *file, long line,
                       int column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
ls_status ls_error_vset(ls_error *err, ls_status code, const char *file, long line,
                        int column, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* Shorthand for errors with no input position. */
#define LS_FAIL(err, code, ...) ls_error_set((err), (code), NULL, 0, 0, __VA_ARGS__)

/* A short constant name for a status ("out of memory", "input error", ...). */
const char *ls_status_name(ls_status code);

/* Formats "file:line:col: message" (parts omitted when unknown) into out. */
void ls_error_format(const ls_error *err, char *out, unsigned long out_size);

/* Exit code for the CLI contract: 0 ok, 2 usage or input error, 1 otherwise. */
int ls_status_exit_code(ls_status code);

#endif
