/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the fuzz targets (header only, so each target stays one
 * .c file that the replay driver or libFuzzer links alone).
 *
 * fz_file: readers that take a path get the input through an in-memory file
 * (memfd), made once per slot and rewritten for each input, so no input
 * touches the disk and nothing is left behind: /proc/self/fd/N opens it
 * afresh at offset 0, as fopen/open of a real file would.
 *
 * fz_split: targets that read several files at once (a mapping and a
 * return, records and antennas, truth and result) take them from one input
 * cut at each FZ_SEP line; libFuzzer finds the separator through its
 * memmem hook, and the seeds carry it. */
#ifndef LINESIGHT_FUZZ_UTIL_H
#define LINESIGHT_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FZ_SEP "\n----\n"
#define FZ_SLOTS 4

/* Writes data into in-memory file `slot` and puts its path in `path`.
 * Returns 0, or -1 when the memfd cannot be made or written. */
static inline int fz_file(int slot, const void *data, size_t size, char path[64]) {
  static int fds[FZ_SLOTS] = {-1, -1, -1, -1};
  if (slot < 0 || slot >= FZ_SLOTS)
    abort();
  if (fds[slot] < 0) {
    fds[slot] = memfd_create("linesight_fuzz", 0);
    if (fds[slot] < 0)
      return -1;
  }
  int fd = fds[slot];
  if (ftruncate(fd, 0) != 0)
    return -1;
  const char *p = data;
  size_t done = 0;
  while (done < size) {
    ssize_t w = pwrite(fd, p + done, size - done, (off_t)done);
    if (w <= 0)
      return -1;
    done += (size_t)w;
  }
  snprintf(path, 64, "/proc/self/fd/%d", fd);
  return 0;
}

/* Cuts data at each FZ_SEP into at most `max` parts (the last part keeps
 * any further separators). Returns the number of parts (>= 1). */
static inline size_t fz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len,
                              size_t max) {
  const size_t seplen = sizeof FZ_SEP - 1;
  size_t n = 0;
  const uint8_t *at = data, *end = data + size;
  while (n + 1 < max) {
    const uint8_t *s = at < end ? memmem(at, (size_t)(end - at), FZ_SEP, seplen) : NULL;
    if (!s)
      break;
    part[n] = at;
    len[n] = (size_t)(s - at);
    n++;
    at = s + seplen;
  }
  part[n] = at;
  len[n] = (size_t)(end - at);
  return n + 1;
}

/* A NUL-terminated copy (malloc; aborts when out of memory: a harness bug). */
static inline char *fz_strndup(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    abort();
  if (size)
    memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

/* An operator mapping with every `timezone` line read as `timezone = UTC`
 * (malloc'd; *out_len its length). Opening a real zone probes it through
 * the C library (~30 ms, ls_tz_open): a hundred times a mapping target's
 * budget per input. Zone names and offsets are fuzzed by the time target. */
static inline char *fz_mapping_utc(const uint8_t *data, size_t size, size_t *out_len) {
  static const char utc[] = "timezone = UTC\n";
  char *out = malloc(size * 2 + sizeof utc), *o = out;
  if (!out)
    abort();
  const char *s = (const char *)data, *end = s + size;
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *stop = nl ? nl + 1 : end, *k = s;
    while (k < stop && (*k == ' ' || *k == '\t'))
      k++;
    if ((size_t)(stop - k) >= 8 && !memcmp(k, "timezone", 8)) {
      memcpy(o, utc, sizeof utc - 1);
      o += sizeof utc - 1;
    } else {
      memcpy(o, s, (size_t)(stop - s));
      o += stop - s;
    }
    s = stop;
  }
  *out_len = (size_t)(o - out);
  return out;
}

#endif
