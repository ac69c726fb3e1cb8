/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the events and reference-table readers end to end on a file
 * made of the input (an in-memory file). Every record is either stored or
 * rejected, never lost, and ids stay in range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linesight/ls_ingest.h"

static ls_status count_reject(void *ctx, const ls_reject *r) {
  if (!r->reason || !r->reason[0] || r->line < 1)
    abort();
  (*(uint64_t *)ctx)++;
  return LS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ls_tz *tz;
  ls_error err;
  if (!tz && ls_tz_open("Europe/London", &tz, &err))
    abort();
  int fd = memfd_create("fuzz_events", 0);
  if (fd < 0)
    return 0;
  if (size && write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

  uint64_t rejected = 0;
  ls_read_opts opts = {tz, count_reject, &rejected, NULL, NULL};
  ls_read_stats st;
  ls_events ev;
  ls_events_init(&ev);
  if (ls_ingest_read_events(path, &opts, &ev, &st, &err) == LS_OK) {
    if (st.rows_ok + st.rows_rejected != st.rows_read || rejected != st.rows_rejected ||
        ev.count != st.rows_ok)
      abort();
    for (size_t i = 0; i < ev.count; i++) {
      if (ev.caller[i] >= ev.numbers.count || ev.callee[i] >= ev.numbers.count ||
          (ev.caller_cell[i] != LS_NO_ID && ev.caller_cell[i] >= ev.cells.count) ||
          (ev.callee_imei[i] != LS_NO_ID && ev.callee_imei[i] >= ev.imeis.count) ||
          ev.duration[i] < 0 || ev.type[i] > LS_EV_SMS)
        abort();
    }
  }
  ls_events_free(&ev);

  ls_refdata rd;
  ls_refdata_init(&rd);
  ls_file_kind kind;
  rejected = 0;
  if (ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err) == LS_OK) {
    size_t stored = rd.n_cells + rd.n_persons + rd.n_attributions + rd.n_addresses;
    if (st.rows_ok + st.rows_rejected != st.rows_read || stored != st.rows_ok)
      abort();
  }
  ls_refdata_free(&rd);
  (void)ls_ingest_detect(path, &kind, &err);
  close(fd);
  return 0;
}
