/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the ISO 8601 parser, in UTC and in Europe/London. An accepted
 * time formats back to a `...Z` text that parses to the same instant, and a
 * zone-less time read in London is never more than 1h (BST) from UTC
 * (double summer time, 2h, last ran in 1947). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_ingest.h"
#include "linesight/ls_time.h"

static ls_tz *utc, *london;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!utc) {
    ls_error err;
    if (ls_tz_open("UTC", &utc, &err) || ls_tz_open("Europe/London", &london, &err))
      abort();
  }
  const char *in = (const char *)data;
  const char *reason = NULL;
  int64_t t_utc = 0, t_lon = 0, back = 0;
  ls_status a = ls_time_parse(in, size, utc, &t_utc, &reason);
  if (a != LS_OK && (a != LS_ERR_INPUT || !reason))
    abort();
  ls_status b = ls_time_parse(in, size, london, &t_lon, &reason);
  if (b != LS_OK && (b != LS_ERR_INPUT || !reason))
    abort();
  if (b == LS_OK && a != LS_OK)
    abort(); /* London can only refuse more (its gap), never less */
  if (a == LS_OK && b == LS_OK && (t_utc - t_lon < 0 || t_utc - t_lon > 7200))
    abort();
  if (a == LS_OK && t_utc > -62135596800LL && t_utc < 253402300800LL) { /* years 1..9999 */
    char iso[LS_ISO_MAX];
    ls_time_format_utc(t_utc, iso);
    if (strlen(iso) == 20 && (ls_time_parse(iso, 20, NULL, &back, &reason) != LS_OK || back != t_utc))
      abort();
  }
  (void)ls_time_parse(in, size, NULL, &t_utc, &reason);
  int32_t days;
  (void)ls_date_parse(in, size, &days, &reason);
  return 0;
}
