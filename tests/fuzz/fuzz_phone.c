/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the E.164 normaliser. An accepted number is `+` and 7-15
 * digits, and normalising it again gives itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char out[LS_E164_MAX], again[LS_E164_MAX];
  const char *reason = NULL;
  ls_status rc = ls_phone_normalise((const char *)data, size, out, &reason);
  if (rc != LS_OK) {
    if (rc != LS_ERR_INPUT || !reason || !*reason)
      abort();
    return 0;
  }
  size_t n = strlen(out);
  if (out[0] != '+' || n < 8 || n > 16 || out[1] == '0')
    abort();
  for (size_t i = 1; i < n; i++)
    if (out[i] < '0' || out[i] > '9')
      abort();
  if (ls_phone_normalise(out, n, again, &reason) != LS_OK || strcmp(out, again) != 0)
    abort();
  return 0;
}
