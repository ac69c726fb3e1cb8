/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the CSV reader over arbitrary bytes. Checks that every span
 * it hands out lies in the input or its scratch buffer, that line numbers
 * never go back, and that it always reaches the end. */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/ingest_csv.h"

static int inside(const char *p, size_t n, const char *lo, size_t len) {
  return p >= lo && p + n <= lo + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ls_csv csv;
  ls_error err;
  const char *in = (const char *)data;
  ls_csv_open_mem(&csv, in, size, "fuzz.csv");
  if (ls_csv_read_header(&csv, &err) == LS_OK) {
    ls_csv_col cols[] = {{"start", 1, -1}, {"caller", 0, -1}};
    (void)ls_csv_map_columns(&csv, cols, 2, &err);
    (void)ls_csv_column(&csv, "callee");
  }
  long last_line = 0;
  size_t records = 0;
  for (;;) {
    ls_status rc = ls_csv_next(&csv);
    if (rc == LS_DONE)
      break;
    if (rc != LS_ROW && rc != LS_ERR_INPUT)
      abort();
    if (ls_csv_line(&csv) < last_line)
      abort();
    last_line = ls_csv_line(&csv);
    size_t n;
    const char *raw = ls_csv_raw(&csv, &n);
    if (!inside(raw, n, in, size))
      abort();
    if (rc == LS_ERR_INPUT && ls_csv_reason(&csv)[0] == '\0')
      abort();
    for (size_t i = 0; rc == LS_ROW && i < ls_csv_count(&csv); i++) {
      const char *f = ls_csv_field(&csv, (long)i, &n);
      if (!inside(f, n, in, size) && !inside(f, n, csv.scratch, csv.scratch_cap))
        abort();
      if (n > LS_LIMIT_CSV_FIELD)
        abort();
    }
    if (++records > size + 1) /* every record consumes at least one byte */
      abort();
  }
  if (ls_csv_offset(&csv) != size)
    abort();
  ls_csv_close(&csv);
  return 0;
}
