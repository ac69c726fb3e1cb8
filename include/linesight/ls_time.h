/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Formatting of instants for output. Parsing lives in the ingest layer. */
#ifndef LINESIGHT_LS_TIME_H
#define LINESIGHT_LS_TIME_H

#include <stddef.h>
#include <stdint.h>

#define LS_ISO_MAX 32

/* Writes `2024-10-07T13:45:12Z` for Unix seconds t (UTC). */
void ls_time_format_utc(int64_t t, char out[LS_ISO_MAX]);
/* Current time, Unix seconds. */
int64_t ls_time_now(void);

#endif
