/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the diversion-text gateway file (ls_messaging_gateway_load,
 * docs/messaging.md): `key = value` lines naming Kannel's sendsms URL, the
 * account, the sender id, the rate, the delivery-report listener and the
 * reconciliation wait. A refused file is an input error naming the file;
 * a loaded one has every value within the ranges the loader promises and
 * every text NUL-terminated inside its field. Seeds: the gateway files of
 * docs/messaging.md, scripts/kannel and tests/unit/test_messaging.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "linesight/ls_messaging.h"

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  if (fz_file(0, data, size, path))
    return 0;
  ls_msg_gateway gw;
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = ls_messaging_gateway_load(path, &gw, &err);
  if (rc == LS_OK) {
    if (!TERMINATED(gw.sendsms_url) || !TERMINATED(gw.username) || !TERMINATED(gw.password) ||
        !TERMINATED(gw.from) || !TERMINATED(gw.dlr_host))
      abort();
    if ((strncmp(gw.sendsms_url, "http://", 7) && strncmp(gw.sendsms_url, "https://", 8)) ||
        !(gw.rate_per_second > 0 && gw.rate_per_second <= 1000) || gw.dlr_port < 1 || gw.dlr_port > 65535 ||
        gw.reconcile_wait_s < 1 || gw.reconcile_wait_s > 3600)
      abort();
  } else if (rc != LS_ERR_INPUT || !err.message[0] || strcmp(err.file, path)) {
    abort(); /* a bad file is an input error naming the file */
  }
  return 0;
}
