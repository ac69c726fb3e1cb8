/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared inside src/messaging/. */
#ifndef LINESIGHT_MESSAGING_INTERNAL_H
#define LINESIGHT_MESSAGING_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "linesight/ls_messaging.h"

/* 1 when someone born on dob_days (days since 1970-01-01) is under 18 on
 * day on_days. O(1). */
int ls__msg_is_child(int32_t dob_days, int64_t on_days);
/* 1 for valid UTF-8 without control characters (newlines allowed when
 * multiline). */
int ls__msg_text_ok(const char *s, int multiline);
/* Binds a string (NULL as ""). */
void ls__msg_bind(ls_stmt *s, int idx, const char *v);
/* Steps a statement with RETURNING to its end; LS_ERR_NOTFOUND with
 * `what` when it returned no row. */
ls_status ls__msg_step_returning(ls_stmt *s, const char *what, ls_error *err);

#endif
