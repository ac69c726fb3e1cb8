/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ingest_rows.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_VALUE_MAX 60

void ls_row_begin(ls_row_ctx *ctx, const ls_csv *csv, const ls_read_opts *opts,
                  ls_read_stats *stats) {
  ctx->file = ls_csv_name(csv);
  ctx->opts = opts;
  ctx->stats = stats;
  memset(stats, 0, sizeof *stats);
  stats->bytes = ls_csv_size(csv);
  ctx->reason[0] = '\0';
}

static ls_status deliver(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err) {
  ctx->stats->rows_rejected++;
  if (!ctx->opts || !ctx->opts->on_reject)
    return LS_OK;
  ls_reject r;
  r.file = ctx->file;
  r.line = ls_csv_line(csv);
  r.raw = ls_csv_raw(csv, &r.raw_len);
  r.reason = ctx->reason;
  ls_status rc = ctx->opts->on_reject(ctx->opts->reject_ctx, &r);
  if (rc)
    return ls_error_set(err, rc < 0 ? rc : LS_ERR_INTERNAL, ctx->file, r.line, 0,
                        "cannot record a rejected row: %s", ls_status_name(rc));
  return LS_OK;
}

ls_status ls_row_reject(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->reason, sizeof ctx->reason, fmt, ap);
  va_end(ap);
  return deliver(ctx, csv, err);
}

ls_status ls_row_reject_value(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err,
                              const char *column, const char *why, const char *val, size_t len) {
  char shown[SHOW_VALUE_MAX + 4];
  size_t n = len > SHOW_VALUE_MAX ? SHOW_VALUE_MAX : len;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)val[i];
    shown[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  if (len > SHOW_VALUE_MAX) {
    memcpy(shown + n, "...", 3);
    n += 3;
  }
  shown[n] = '\0';
  snprintf(ctx->reason, sizeof ctx->reason, "%s: %s ('%s')", column, why, shown);
  return deliver(ctx, csv, err);
}

ls_status ls_row_reject_malformed(ls_row_ctx *ctx, const ls_csv *csv, ls_error *err) {
  size_t field = ls_csv_error_field(csv);
  if (field)
    return ls_row_reject(ctx, csv, err, "malformed CSV record: %s (field %zu)", ls_csv_reason(csv),
                         field);
  return ls_row_reject(ctx, csv, err, "malformed CSV record: %s", ls_csv_reason(csv));
}

void ls_row_progress(const ls_row_ctx *ctx, const ls_csv *csv, int final) {
  if (!ctx->opts || !ctx->opts->on_progress)
    return;
  if (!final && ctx->stats->rows_read % LS_ROW_PROGRESS_ROWS != 0)
    return;
  ctx->opts->on_progress(ctx->opts->progress_ctx, ls_csv_offset(csv), ls_csv_size(csv));
}

int ls_row_width_ok(const ls_csv *csv, size_t ncols) {
  size_t n = ls_csv_count(csv);
  if (n < ncols)
    return 0;
  for (size_t i = ncols; i < n; i++) {
    size_t len;
    const char *s = ls_csv_field(csv, (long)i, &len);
    ls_row_trim(&s, &len);
    if (len)
      return 0;
  }
  return 1;
}

ls_status ls_row_parse_double(const char *s, size_t len, double *out) {
  char buf[64];
  ls_row_trim(&s, &len);
  if (len == 0 || len >= sizeof buf)
    return LS_ERR_INPUT;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return LS_ERR_INPUT; /* no hex, inf, nan, locale commas */
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  char *end = NULL;
  double v = strtod(buf, &end);
  if (end != buf + len || !isfinite(v))
    return LS_ERR_INPUT;
  *out = v;
  return LS_OK;
}

ls_file_kind ls_row_kind(const ls_csv *csv) {
#define HAS(name) (ls_csv_column(csv, name) >= 0)
  if (HAS("start") && HAS("type") && HAS("caller") && HAS("callee"))
    return LS_KIND_EVENTS;
  if (HAS("address_id") && HAS("lat") && HAS("lon"))
    return LS_KIND_ADDRESSES;
  if (HAS("person_id") && HAS("dob") && HAS("sex"))
    return LS_KIND_PERSONS;
  if (HAS("number") && HAS("person_id"))
    return LS_KIND_ATTRIBUTIONS;
  if (HAS("cell_id") && HAS("lat") && HAS("lon"))
    return LS_KIND_CELLS;
#undef HAS
  return LS_KIND_UNKNOWN;
}
