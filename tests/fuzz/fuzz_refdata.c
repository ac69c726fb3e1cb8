/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the reference-table reader (cells, persons, attributions,
 * addresses; ls_ingest_read_refdata) on a file made of the input. Every
 * record is stored or rejected with a reason, the kind matches the table
 * that grew, and every stored row passed the checks the reader promises:
 * coordinates in range, a bearing 0..360, sex M/F/U, E.164 numbers, from <=
 * to. The seeds are the sample tables of tests/data and their variants. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "linesight/ls_ingest.h"

static ls_status on_reject(void *ctx, const ls_reject *r) {
  if (!r->reason || !r->reason[0] || r->line < 2 || (r->raw_len && !r->raw))
    abort();
  (*(uint64_t *)ctx)++;
  return LS_OK;
}

static void check_coord(double lat, double lon) {
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ls_tz *utc;
  ls_error err;
  char path[64];
  if (!utc && ls_tz_open("UTC", &utc, &err))
    abort();
  if (fz_file(0, data, size, path))
    return 0;

  uint64_t rejected = 0;
  ls_read_opts opts = {.tz = utc, .on_reject = on_reject, .reject_ctx = &rejected};
  ls_read_stats st;
  ls_refdata rd;
  ls_file_kind kind = LS_KIND_UNKNOWN;
  ls_refdata_init(&rd);
  ls_error_clear(&err);
  ls_status rc = ls_ingest_read_refdata(path, &opts, &rd, &kind, &st, &err);
  if (rc == LS_OK) {
    size_t stored = rd.n_cells + rd.n_persons + rd.n_attributions + rd.n_addresses;
    if (st.rows_ok + st.rows_rejected != st.rows_read || stored != st.rows_ok ||
        rejected != st.rows_rejected)
      abort();
    size_t of_kind = kind == LS_KIND_CELLS          ? rd.n_cells
                     : kind == LS_KIND_PERSONS      ? rd.n_persons
                     : kind == LS_KIND_ATTRIBUTIONS ? rd.n_attributions
                     : kind == LS_KIND_ADDRESSES    ? rd.n_addresses
                                                    : (size_t)-1;
    if (of_kind != stored)
      abort();
    for (size_t i = 0; i < rd.n_cells; i++) {
      const ls_cell *c = &rd.cells[i];
      check_coord(c->lat, c->lon);
      if (!c->cell_id || !c->cell_id[0] || (!isnan(c->azimuth) && !(c->azimuth >= 0 && c->azimuth <= 360)))
        abort();
    }
    for (size_t i = 0; i < rd.n_persons; i++) {
      const ls_person *p = &rd.persons[i];
      if (!p->person_id || !p->person_id[0] || !strchr("MFU", p->sex) || p->sex == '\0' ||
          p->flags >= (LS_FLAG_MENTAL_HEALTH << 1))
        abort();
    }
    for (size_t i = 0; i < rd.n_attributions; i++) {
      const ls_attribution *a = &rd.attributions[i];
      if (a->number[0] != '+' || !a->person_id || !a->person_id[0] || a->to < a->from)
        abort();
    }
    for (size_t i = 0; i < rd.n_addresses; i++) {
      const ls_address *a = &rd.addresses[i];
      check_coord(a->lat, a->lon);
      if (!a->address_id || !a->address_id[0] || a->flags >= (LS_FLAG_MENTAL_HEALTH << 1))
        abort();
    }
  } else if (err.code == LS_OK || !err.message[0]) {
    abort(); /* a failure always says why */
  }
  ls_refdata_free(&rd);

  /* the detector on the same header agrees with the reader */
  ls_file_kind seen;
  if (ls_ingest_detect(path, &seen, &err) == LS_OK && rc == LS_OK && seen != kind)
    abort();
  return 0;
}
