/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "linesight/ls_time.h"

#include <stdio.h>
#include <time.h>

void ls_time_format_utc(int64_t t, char out[LS_ISO_MAX]) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm)) {
    snprintf(out, LS_ISO_MAX, "invalid");
    return;
  }
  strftime(out, LS_ISO_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t ls_time_now(void) { return (int64_t)time(NULL); }
