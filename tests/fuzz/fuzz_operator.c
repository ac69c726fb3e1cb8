/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: operator returns read through a mapping file
 * (ls_ingest_read_operator, docs/formats-operator.md). The input is cut at
 * FZ_SEP lines: the mapping, then one or two returns read into the same
 * events (so that mirrored MO/MT records across files are merged too).
 * Every record is stored, merged into its mirror or rejected with a reason,
 * and ids stay in range.
 *
 * A mapping's `timezone` line is read as `timezone = UTC`: opening a real
 * zone probes it through the C library (~30 ms, ls_tz_open), which would
 * make this target a hundred times slower; the zone-name check and the
 * offsets are the time target's and the unit tests' business. Seeds: the
 * mappings of share/mappings with the returns of tests/data/operator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "linesight/ls_ingest.h"

static ls_status on_reject(void *ctx, const ls_reject *r) {
  if (!r->reason || !r->reason[0] || r->line < 1 || (r->raw_len && !r->raw))
    abort();
  (*(uint64_t *)ctx)++;
  return LS_OK;
}

static void check_events(const ls_events *ev) {
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->caller[i] >= ev->numbers.count || ev->callee[i] >= ev->numbers.count ||
        (ev->caller_cell[i] != LS_NO_ID && ev->caller_cell[i] >= ev->cells.count) ||
        (ev->callee_cell[i] != LS_NO_ID && ev->callee_cell[i] >= ev->cells.count) ||
        (ev->caller_imei[i] != LS_NO_ID && ev->caller_imei[i] >= ev->imeis.count) ||
        (ev->callee_imei[i] != LS_NO_ID && ev->callee_imei[i] >= ev->imeis.count) ||
        ev->duration[i] < 0 || ev->type[i] > LS_EV_SMS || (ev->type[i] == LS_EV_SMS && ev->duration[i]))
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ls_tz *london;
  ls_error err;
  if (!london && ls_tz_open("Europe/London", &london, &err))
    abort();
  const uint8_t *part[3];
  size_t len[3];
  size_t n = fz_split(data, size, part, len, 3);
  size_t mlen;
  char *map = fz_mapping_utc(part[0], len[0], &mlen);
  char mapping[64], ret[2][64];
  int ok = fz_file(0, map, mlen, mapping) == 0;
  free(map);
  for (size_t i = 1; ok && i < n; i++)
    ok = fz_file((int)i, part[i], len[i], ret[i - 1]) == 0;
  if (!ok || n < 2)
    return 0;

  uint64_t rejected = 0, merged_total = 0, rows_ok = 0;
  ls_read_opts opts = {.tz = london, .on_reject = on_reject, .reject_ctx = &rejected};
  ls_events ev;
  ls_events_init(&ev);
  for (size_t i = 0; i + 1 < n; i++) {
    ls_read_stats st;
    uint64_t merged = 0, before = rejected;
    ls_error_clear(&err);
    ls_status rc = ls_ingest_read_operator(ret[i], mapping, &opts, &ev, &st, &merged, &err);
    if (rc != LS_OK) {
      if (rc != LS_ERR_INPUT || !err.message[0])
        abort(); /* no I/O or memory failure here: only bad input, said why */
      break;
    }
    if (st.rows_ok + st.rows_rejected != st.rows_read || rejected - before != st.rows_rejected)
      abort();
    rows_ok += st.rows_ok;
    merged_total += merged;
    if (ev.count + merged_total != rows_ok)
      abort();
    check_events(&ev);
  }
  ls_events_free(&ev);
  return 0;
}
