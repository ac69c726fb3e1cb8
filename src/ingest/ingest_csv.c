/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RFC 4180 CSV reader; see ingest_csv.h for the dialect and why it is
 * hand-written. */
#include "ingest_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ls_mem.h"

/* Scratch holds the unescaped copies of one record's quoted fields; their
 * total is never longer than the record, so one allocation of the record
 * limit means spans into it never move while a record is being read. */
#define CSV_SCRATCH_CAP LS_LIMIT_CSV_RECORD

static void csv_reset(ls_csv *csv) {
  memset(csv, 0, offsetof(ls_csv, fields));
  csv->nfields = 0;
  csv->scratch = NULL;
  csv->scratch_cap = 0;
  csv->reason = NULL;
  csv->err_field = 0;
  csv->q_valid = 0;
  csv->cols = NULL;
  csv->col_lens = NULL;
  csv->ncols = 0;
}

static void csv_set_name(ls_csv *csv, const char *name) {
  snprintf(csv->name, sizeof csv->name, "%s", name ? name : "");
}

static void csv_skip_bom(ls_csv *csv) {
  if (csv->size >= 3 && (unsigned char)csv->data[0] == 0xEF &&
      (unsigned char)csv->data[1] == 0xBB && (unsigned char)csv->data[2] == 0xBF)
    csv->pos = 3;
}

void ls_csv_open_mem(ls_csv *csv, const char *data, size_t size, const char *name) {
  csv_reset(csv);
  csv->data = data ? data : "";
  csv->size = data ? size : 0;
  csv->line = 1;
  csv_set_name(csv, name);
  csv_skip_bom(csv);
}

void ls_csv_open_view(ls_csv *view, const ls_csv *parent, size_t from) {
  if (from > parent->size)
    from = parent->size;
  ls_csv_open_mem(view, parent->data + from, parent->size - from, parent->name);
  view->drop_behind = parent->drop_behind;
}

/* Releases the pages of a mapped file that every earlier record used, a
 * step at a time: they stay in the page cache but leave this process's
 * memory, so reading a 600 MB file does not hold 600 MB while the event
 * table grows. The mapping is private and never written, so a later read
 * of a released page (a quarantined row's raw text) maps the file again:
 * nothing is lost. Advice only; a failure changes nothing. */
#define DROP_STEP ((size_t)32 << 20)
static size_t drop_step = DROP_STEP;
static _Atomic size_t drop_total; /* bytes released, for tests */

size_t ls__csv_drop_step(size_t bytes) {
  drop_step = bytes ? bytes : DROP_STEP;
  return drop_total;
}

static void csv_drop_behind(ls_csv *csv) {
  drop_total += ls_mem_release(csv->data, csv->dropped, csv->pos);
  csv->dropped = csv->pos;
}

/* A pipe or other unmappable input: read it whole into the heap. */
static ls_status csv_slurp(ls_csv *csv, int fd, const char *path, ls_error *err) {
  size_t len = 0, cap = 0;
  char *buf = NULL;
  ls_status rc = LS_OK;
  for (;;) {
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = ls_realloc(buf, ncap);
      if (!nb) {
        rc = ls_error_set(err, LS_ERR_NOMEM, path, 0, 0, "out of memory reading the file");
        goto out;
      }
      buf = nb;
      cap = ncap;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
      goto out;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  csv->map = buf;
  csv->map_len = cap;
  csv->map_is_heap = 1;
  csv->data = buf;
  csv->size = len;
  buf = NULL;
out:
  ls_free(buf);
  return rc;
}

ls_status ls_csv_open(ls_csv *csv, const char *path, ls_error *err) {
  ls_status rc = LS_OK;
  struct stat st;
  int fd;

  ls_csv_open_mem(csv, NULL, 0, path);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
  if (fstat(fd, &st) != 0) {
    rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot stat: %s", strerror(errno));
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "is a directory");
      goto out;
    }
    rc = csv_slurp(csv, fd, path, err);
    goto out;
  }
  if (st.st_size > 0) {
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot map: %s", strerror(errno));
      goto out;
    }
    /* One forward pass: let the kernel read ahead aggressively. Advice only,
     * a failure changes nothing. */
    (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
    csv->map = m;
    csv->map_len = (size_t)st.st_size;
    csv->drop_behind = 1;
    csv->data = m;
    csv->size = (size_t)st.st_size;
  }
out:
  close(fd);
  if (!rc)
    csv_skip_bom(csv);
  return rc;
}

void ls_csv_close(ls_csv *csv) {
  if (!csv)
    return;
  if (csv->map) {
    if (csv->map_is_heap)
      ls_free(csv->map);
    else
      munmap(csv->map, csv->map_len);
  }
  ls_free(csv->scratch);
  for (size_t i = 0; i < csv->ncols; i++)
    ls_free(csv->cols[i]);
  ls_free(csv->cols);
  ls_free(csv->col_lens);
  csv_reset(csv);
  csv->data = "";
}

/* Position of the next '"' at or after `from` (csv->size when none). The memo
 * answers any later search that starts before the quote found last time, so
 * a file with many unterminated quotes is scanned once, not once per line. */
static size_t csv_find_quote(ls_csv *csv, size_t from) {
  if (csv->q_valid && from >= csv->q_from && from <= csv->q_at)
    return csv->q_at;
  const char *q = from < csv->size ? memchr(csv->data + from, '"', csv->size - from) : NULL;
  csv->q_from = from;
  csv->q_at = q ? (size_t)(q - csv->data) : csv->size;
  csv->q_valid = 1;
  return csv->q_at;
}

static long csv_count_newlines(const char *p, const char *end) {
  long n = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      break;
    n++;
    p = nl + 1;
  }
  return n;
}

/* Rejects the current record: its raw text is its first line; reading goes
 * on at the next line. */
static ls_status csv_fail(ls_csv *csv, size_t rec_start, const char *reason, size_t field) {
  const char *d = csv->data;
  const char *nl = memchr(d + rec_start, '\n', csv->size - rec_start);
  size_t line_end = nl ? (size_t)(nl - d) : csv->size;
  size_t raw_end = line_end;
  if (raw_end > rec_start && d[raw_end - 1] == '\r')
    raw_end--;
  csv->rec = d + rec_start;
  csv->rec_len = raw_end - rec_start;
  csv->pos = nl ? line_end + 1 : csv->size;
  csv->line = csv->rec_line + 1;
  csv->nfields = 0;
  csv->reason = reason;
  csv->err_field = field;
  return LS_ERR_INPUT;
}

ls_status ls_csv_next(ls_csv *csv) {
  const char *d = csv->data;
  const char *end = d + csv->size;
  size_t scratch_len = 0;
  if (csv->drop_behind && csv->pos - csv->dropped >= drop_step)
    csv_drop_behind(csv);
  const char *p = d + csv->pos;

  csv->reason = NULL;
  csv->err_field = 0;
  csv->nfields = 0;

  /* Skip empty lines (LF or CRLF). */
  for (;;) {
    if (p < end && *p == '\n') {
      p++;
      csv->line++;
    } else if (p < end && *p == '\r' && (p + 1 == end || p[1] == '\n')) {
      p += (p + 1 == end) ? 1 : 2;
      if (p <= end && p[-1] == '\n')
        csv->line++;
    } else {
      break;
    }
  }
  csv->pos = (size_t)(p - d);
  if (p >= end) {
    csv->rec = end;
    csv->rec_len = 0;
    csv->rec_line = csv->line;
    return LS_DONE;
  }

  const size_t rec_start = csv->pos;
  csv->rec_line = csv->line;
  const char *rec_end; /* end of the record's text, before its line end */

  for (;;) {
    if (csv->nfields == LS_LIMIT_CSV_COLUMNS)
      return csv_fail(csv, rec_start, "too many fields in the record", csv->nfields + 1);
    ls_csv_span *f = &csv->fields[csv->nfields];

    if (p < end && *p == '"') {
      const char *start = p + 1;
      size_t from = (size_t)(start - d);
      int escaped = 0;
      size_t q;
      for (;;) {
        q = csv_find_quote(csv, from);
        if (q >= csv->size)
          return csv_fail(csv, rec_start, "unterminated quoted field", csv->nfields + 1);
        if (q - (size_t)(start - d) > LS_LIMIT_CSV_FIELD)
          return csv_fail(csv, rec_start, "field longer than the limit", csv->nfields + 1);
        if (q + 1 < csv->size && d[q + 1] == '"') {
          escaped = 1;
          from = q + 2;
          continue;
        }
        break;
      }
      const char *close = d + q;
      p = close + 1;
      if (!(p == end || *p == ',' || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'))))
        return csv_fail(csv, rec_start, "text after the closing quote of a field",
                        csv->nfields + 1);
      if ((size_t)(p - d) - rec_start > LS_LIMIT_CSV_RECORD)
        return csv_fail(csv, rec_start, "record longer than the limit", csv->nfields + 1);
      csv->line += csv_count_newlines(start, close);
      if (!escaped) {
        f->ptr = start;
        f->len = (size_t)(close - start);
      } else {
        if (!csv->scratch) {
          csv->scratch = ls_malloc(CSV_SCRATCH_CAP);
          if (!csv->scratch)
            return LS_ERR_NOMEM;
          csv->scratch_cap = CSV_SCRATCH_CAP;
        }
        /* The unescaped text is shorter than the raw field, and the record
         * is within the limit, so it fits; checked anyway. */
        if (scratch_len + (size_t)(close - start) > csv->scratch_cap)
          return csv_fail(csv, rec_start, "record longer than the limit", csv->nfields + 1);
        char *o = csv->scratch + scratch_len;
        char *o0 = o;
        for (const char *s = start; s < close; s++) {
          *o++ = *s;
          if (*s == '"')
            s++; /* the second quote of a "" pair */
        }
        f->ptr = o0;
        f->len = (size_t)(o - o0);
        scratch_len += f->len;
      }
    } else {
      const char *start = p;
      /* Unquoted: runs to the next comma or line end. */
      while (p < end && *p != ',' && *p != '\n')
        p++;
      const char *fe = p;
      if (fe > start && fe[-1] == '\r' && (p == end || *p == '\n'))
        fe--;
      if ((size_t)(fe - start) > LS_LIMIT_CSV_FIELD)
        return csv_fail(csv, rec_start, "field longer than the limit", csv->nfields + 1);
      if ((size_t)(p - d) - rec_start > LS_LIMIT_CSV_RECORD)
        return csv_fail(csv, rec_start, "record longer than the limit", csv->nfields + 1);
      f->ptr = start;
      f->len = (size_t)(fe - start);
    }
    csv->nfields++;

    if (p == end) {
      rec_end = p;
      break;
    }
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == '\r') { /* CRLF or a final CR after a quoted field */
      rec_end = p;
      p += (p + 1 == end) ? 1 : 2;
      if (p[-1] == '\n')
        csv->line++;
      break;
    }
    /* '\n' */
    rec_end = (p > d + rec_start && p[-1] == '\r') ? p - 1 : p;
    p++;
    csv->line++;
    break;
  }
  csv->rec = d + rec_start;
  csv->rec_len = (size_t)(rec_end - csv->rec);
  csv->pos = (size_t)(p - d);
  /* A NUL byte is no text: every value is later a C string (a number, a
   * cell id, a dictionary key), where it would cut the value short, so the
   * record is rejected here, whole, and the reading goes on after it. */
  if (memchr(csv->rec, '\0', csv->rec_len)) {
    size_t field = 0;
    for (size_t i = 0; i < csv->nfields && !field; i++)
      if (memchr(csv->fields[i].ptr, '\0', csv->fields[i].len))
        field = i + 1;
    csv->nfields = 0;
    csv->reason = "NUL byte in the record";
    csv->err_field = field;
    return LS_ERR_INPUT;
  }
  return LS_ROW;
}

size_t ls_csv_count(const ls_csv *csv) { return csv->nfields; }
long ls_csv_line(const ls_csv *csv) { return csv->rec_line; }
const char *ls_csv_raw(const ls_csv *csv, size_t *len) {
  *len = csv->rec_len;
  return csv->rec ? csv->rec : "";
}
const char *ls_csv_reason(const ls_csv *csv) { return csv->reason ? csv->reason : ""; }
size_t ls_csv_error_field(const ls_csv *csv) { return csv->err_field; }
long ls_csv_pos_line(const ls_csv *csv) { return csv->line; }
uint64_t ls_csv_offset(const ls_csv *csv) { return csv->pos; }
uint64_t ls_csv_size(const ls_csv *csv) { return csv->size; }
const char *ls_csv_name(const ls_csv *csv) { return csv->name; }
const char *ls_csv_data(const ls_csv *csv) { return csv->data; }

static int is_blank(char c) { return c == ' ' || c == '\t'; }

ls_status ls_csv_read_header(ls_csv *csv, ls_error *err) {
  ls_status rc = ls_csv_next(csv);
  if (rc == LS_DONE)
    return ls_error_set(err, LS_ERR_INPUT, csv->name, 0, 0, "empty file: no header row");
  if (rc == LS_ERR_INPUT)
    return ls_error_set(err, LS_ERR_INPUT, csv->name, csv->rec_line, (int)csv->err_field,
                        "malformed header: %s", csv->reason);
  if (rc < 0)
    return ls_error_set(err, rc, csv->name, csv->rec_line, 0, "out of memory");
  rc = LS_OK;

  for (size_t i = 0; i < csv->ncols; i++)
    ls_free(csv->cols[i]);
  ls_free(csv->cols);
  ls_free(csv->col_lens);
  csv->ncols = 0;
  csv->cols = ls_calloc(csv->nfields, sizeof *csv->cols);
  csv->col_lens = ls_calloc(csv->nfields, sizeof *csv->col_lens);
  if (!csv->cols || !csv->col_lens) {
    rc = ls_error_set(err, LS_ERR_NOMEM, csv->name, csv->rec_line, 0, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < csv->nfields; i++) {
    const char *s = csv->fields[i].ptr;
    size_t n = csv->fields[i].len;
    while (n && is_blank(*s)) {
      s++;
      n--;
    }
    while (n && is_blank(s[n - 1]))
      n--;
    csv->cols[i] = ls_strndup(s, n);
    if (!csv->cols[i]) {
      rc = ls_error_set(err, LS_ERR_NOMEM, csv->name, csv->rec_line, 0, "out of memory");
      goto out;
    }
    csv->col_lens[i] = n;
    csv->ncols = i + 1;
  }
out:
  return rc;
}

size_t ls_csv_header_count(const ls_csv *csv) { return csv->ncols; }

const char *ls_csv_header_name(const ls_csv *csv, size_t i) {
  return i < csv->ncols ? csv->cols[i] : NULL;
}

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

int ls_csv_span_ieq(const char *s, size_t len, const char *word) {
  size_t i = 0;
  for (; i < len; i++) {
    if (!word[i] || ascii_lower(s[i]) != ascii_lower(word[i]))
      return 0;
  }
  return word[i] == '\0';
}

long ls_csv_column(const ls_csv *csv, const char *name) {
  for (size_t i = 0; i < csv->ncols; i++)
    if (ls_csv_span_ieq(csv->cols[i], csv->col_lens[i], name))
      return (long)i;
  return -1;
}

ls_status ls_csv_map_columns(const ls_csv *csv, ls_csv_col *cols, size_t n, ls_error *err) {
  for (size_t k = 0; k < n; k++) {
    long found = -1;
    for (size_t i = 0; i < csv->ncols; i++) {
      if (!ls_csv_span_ieq(csv->cols[i], csv->col_lens[i], cols[k].name))
        continue;
      if (found >= 0)
        return ls_error_set(err, LS_ERR_INPUT, csv->name, csv->rec_line, (int)i + 1,
                            "column '%s' appears twice in the header", cols[k].name);
      found = (long)i;
    }
    cols[k].index = found;
    if (found < 0 && cols[k].required)
      return ls_error_set(err, LS_ERR_INPUT, csv->name, csv->rec_line, 0,
                          "missing column '%s' in the header", cols[k].name);
  }
  return LS_OK;
}
