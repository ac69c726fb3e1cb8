/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the operator mapping-file parser (docs/formats-operator.md)
 * alone. The input is a mapping file; it is read against one fixed return
 * whose header holds the columns of both shipped layouts (the rows of
 * tests/data/operator/return_a.csv and return_b.csv side by side), so a
 * mapping that parses goes on to name columns, codes and formats that the
 * rows exercise. A refused mapping names its file (and line when it has
 * one); an accepted one accounts for every row. `timezone` lines are read
 * as UTC, for speed (see fuzz_operator.c). Seeds: share/mappings/ and the
 * mappings of tests/unit/test_operator.c and tests/cli/ingest_operator.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "linesight/ls_ingest.h"

static const char both_layouts[] =
    "Target MSISDN,Call Type,Service,Other Party,Start Date,Start Time,Duration,First Cell ID,Last Cell ID,IMEI,IMSI,MSISDN,DIRECTION,EVENT_TYPE,B_NUMBER,EVENT_START_UTC,EVENT_END_UTC,START_CELL,END_CELL\n"
    "07700 900111,MO,Voice,07700 900222,07/10/2024,13:45:12,00:02:01,BAS-0101,BAS-0102,35-209900-176148-1,234159000000111,447700900222,T,VOICE,447700900111,2024-10-07T12:45:14Z,2024-10-07T12:47:14Z,LDN-2201,LDN-2202\n"
    "07700 900111,MT,SMS,07700 900333,07/10/2024,13:50:00,,BAS-0101,,352099001761481,234159000000111,447700900222,T,SMS-MT,447700900111,2024-10-07T13:00:31Z,,LDN-2201,\n"
    "07700 900111,MO,SMS,+44 7700 900222,07/10/2024,14:00:30,,,BAS-0103,352099001761481,234159000000111,447700900222,O,VOICE,447700900666,2024-10-07T15:00:00Z,2024-10-07T15:10:00Z,LDN-2203,\n"
    "07700 900111,MO,Fax,07700 900444,07/10/2024,14:05:00,00:00:10,BAS-0101,,352099001761481,234159000000111,447700900222,O,VOICE,447700900111,2024-10-07T16:00:00Z,2024-10-07T15:10:00Z,LDN-2203,\n"
    "07700 900111,MO,Voice,07700 900555,31/09/2024,14:06:00,00:00:10,BAS-0101,,352099001761481,234159000000111,,,,,,,,\n";

static ls_status on_reject(void *ctx, const ls_reject *r) {
  if (!r->reason || !r->reason[0] || r->line < 2)
    abort();
  (*(uint64_t *)ctx)++;
  return LS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ls_tz *london;
  static char ret[64];
  ls_error err;
  if (!london) {
    if (ls_tz_open("Europe/London", &london, &err) ||
        fz_file(1, both_layouts, sizeof both_layouts - 1, ret))
      abort();
  }
  size_t mlen;
  char *map = fz_mapping_utc(data, size, &mlen);
  char mapping[64];
  int ok = fz_file(0, map, mlen, mapping) == 0;
  free(map);
  if (!ok)
    return 0;

  uint64_t rejected = 0, merged = 0;
  ls_read_opts opts = {.tz = london, .on_reject = on_reject, .reject_ctx = &rejected};
  ls_read_stats st;
  ls_events ev;
  ls_events_init(&ev);
  ls_error_clear(&err);
  ls_status rc = ls_ingest_read_operator(ret, mapping, &opts, &ev, &st, &merged, &err);
  if (rc == LS_OK) {
    if (st.rows_read != 5 || st.rows_ok + st.rows_rejected != st.rows_read ||
        rejected != st.rows_rejected || ev.count + merged != st.rows_ok)
      abort();
    for (size_t i = 0; i < ev.count; i++)
      if (ev.caller[i] >= ev.numbers.count || ev.callee[i] >= ev.numbers.count || ev.duration[i] < 0)
        abort();
  } else if (rc != LS_ERR_INPUT || !err.message[0] || !err.file[0]) {
    abort(); /* a bad mapping is an input error naming the file */
  }
  ls_events_free(&ev);
  return 0;
}
