/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: bandicoot's input files (ls_ingest_bandicoot.h) and the
 * indicators computed from what they gave. The input is cut at FZ_SEP
 * lines into up to four files:
 *   1. the subscriber's records ("ego"; header layout or "orange" layout),
 *   2. an antennas file, 3. a recharges file,
 *   4. the records of correspondent "peer", written as peer.csv in a
 *      temporary folder for the network filter.
 * Every record is kept or counted as ignored (and reported), records end
 * sorted with their ids in range, and the indicators never fail on what the
 * readers accepted. Seeds: the files of tests/cli/indicators.sh and
 * tests/unit/test_indicators.c, and the layouts of docs/indicators.md. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ls_mem.h"
#include "fuzz_util.h"
#include "linesight/ls_indicators.h"
#include "linesight/ls_ingest_bandicoot.h"

static char peer_dir[64];
static char peer_path[96];

static void remove_peer_dir(void) {
  unlink(peer_path);
  rmdir(peer_dir);
}

static ls_status on_reject(void *ctx, const char *file, long line, const char *raw, size_t raw_len,
                           const char *reason) {
  if (!file || line < 1 || !reason || !reason[0] || (raw_len && !raw))
    abort();
  (*(long *)ctx)++;
  return LS_OK;
}

static void check_user(const ls_bc_user *u) {
  for (size_t i = 0; i < u->n_records; i++) {
    const ls_bc_record *r = &u->records[i];
    if (r->correspondent >= u->correspondents.count || r->position >= u->positions.count ||
        r->interaction > LS_BC_GPS || r->out > 1 || (i && r->local < u->records[i - 1].local))
      abort();
  }
  for (size_t i = 1; i < u->n_recharges; i++)
    if (u->recharges[i].local < u->recharges[i - 1].local)
      abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!peer_dir[0]) {
    snprintf(peer_dir, sizeof peer_dir, "%s", "/tmp/ls_fuzz_bandicoot_XXXXXX");
    if (!mkdtemp(peer_dir))
      abort();
    snprintf(peer_path, sizeof peer_path, "%s/peer.csv", peer_dir);
    atexit(remove_peer_dir);
  }
  const uint8_t *part[4];
  size_t len[4];
  size_t n = fz_split(data, size, part, len, 4);
  char records[64], antennas[64], recharges[64];
  if (fz_file(0, part[0], len[0], records))
    return 0;
  if (n > 1 && fz_file(1, part[1], len[1], antennas))
    return 0;
  if (n > 2 && fz_file(2, part[2], len[2], recharges))
    return 0;
  if (n > 3) {
    FILE *peer = fopen(peer_path, "wb");
    if (!peer || (len[3] && fwrite(part[3], 1, len[3], peer) != len[3]) || fclose(peer) != 0)
      abort();
  }

  ls_error err;
  ls_error_clear(&err);
  ls_bc_user u;
  ls_bc_user_init(&u);
  u.name = ls_strdup("ego"); /* the peer's records name the subscriber so */
  if (!u.name)
    abort();
  long rejected = 0;
  ls_status rc = ls_ingest_read_bandicoot(records, &u, on_reject, &rejected, &err);
  if (rc == LS_OK && rejected != u.ignored.all)
    abort();
  if (rc == LS_OK && n > 1)
    rc = ls_ingest_read_bandicoot_antennas(antennas, &u, &err);
  if (rc == LS_OK && n > 2)
    rc = ls_ingest_read_bandicoot_recharges(recharges, &u, &err);
  if (rc == LS_OK && n > 3) {
    size_t before = u.n_records, dropped = 0;
    rc = ls_ingest_bandicoot_network_filter(&u, peer_dir, &dropped, &err);
    if (rc == LS_OK && u.n_records + dropped != before)
      abort();
  }
  if (rc == LS_OK) {
    check_user(&u);
    ls_indicators_opts o;
    ls_indicators_opts_default(&o);
    o.split_week = o.split_day = o.extended = (size & 1) != 0;
    o.groupby_week = (size & 2) != 0;
    json_t *out = NULL;
    if (ls_indicators_compute(&u, &o, &out, &err) != LS_OK || !json_is_object(out))
      abort();
    json_decref(out);
  } else if (rc != LS_ERR_INPUT || !err.message[0]) {
    abort(); /* only bad input fails here, and it says why */
  }
  ls_bc_user_free(&u);

  /* the date parser alone, as the records and recharges readers use it */
  int64_t t;
  (void)ls_bc_parse_datetime((const char *)data, size < 64 ? size : 64, (int)(size & 1), &t);
  return 0;
}
