/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The xlsx workbook (libxlsxwriter) of an export: sheets Lines, Numbers,
 * Safeguarding, Evidence and Cuckooed addresses, one row an item of the
 * result (docs/exports.md lists the columns). Numbers carry their activity
 * in the events (first and last seen, events). Strings are written as text
 * cells, never formulas, so a name that starts with '=' stays a name. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../core/ls_buf.h"
#include "export_internal.h"
#include "linesight/ls_time.h"

/* Excel holds at most 32,767 characters in a cell; bytes below that
 * keep any UTF-8 text under it. */
#define CELL_MAX_BYTES 32000

typedef struct sheet {
  lxw_worksheet *ws;
  lxw_format *bold;
  lxw_row_t row;
  lxw_error e;
  ls_buf clean;
  int nomem;
} sheet;

static void put_str(sheet *s, lxw_col_t col, const char *v) {
  if (!v)
    return;
  if (ls__export_utf8_clean(v, CELL_MAX_BYTES, &s->clean)) {
    s->nomem = 1;
    return;
  }
  lxw_error e = worksheet_write_string(s->ws, s->row, col, ls_buf_str(&s->clean), NULL);
  if (e && !s->e)
    s->e = e;
}

static void put_num(sheet *s, lxw_col_t col, double v) {
  if (!isfinite(v))
    return; /* unknown stays empty, never 0 */
  lxw_error e = worksheet_write_number(s->ws, s->row, col, v, NULL);
  if (e && !s->e)
    s->e = e;
}

static void put_json_num(sheet *s, lxw_col_t col, json_t *v) {
  if (json_is_number(v))
    put_num(s, col, json_number_value(v));
}

static void put_time(sheet *s, lxw_col_t col, int64_t t) {
  if (t == LS__EX_NO_TIME)
    return;
  char buf[LS_ISO_MAX];
  ls_time_format_utc(t, buf);
  put_str(s, col, buf);
}

static void header(sheet *s, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++) {
    lxw_error e = worksheet_write_string(s->ws, 0, (lxw_col_t)i, names[i], s->bold);
    if (e && !s->e)
      s->e = e;
  }
  worksheet_freeze_panes(s->ws, 1, 0);
  worksheet_set_column(s->ws, 0, (lxw_col_t)(n - 1), 16, NULL);
  s->row = 1;
}

static void join(sheet *s, ls_buf *b, json_t *arr, const char *sep) {
  size_t i;
  json_t *v;
  ls_buf_reset(b);
  json_array_foreach(arr, i, v) {
    const char *str = json_string_value(v);
    ls_status rc = str && b->len ? ls_buf_puts(b, sep) : LS_OK;
    if (!rc && str)
      rc = ls_buf_puts(b, str);
    if (rc) {
      s->nomem |= rc == LS_ERR_NOMEM;
      break;
    }
  }
}

static void lines_sheet(sheet *s, const ls__ex_model *m, ls_buf *tmp) {
  static const char *const cols[] = {"line", "rank", "score", "origin", "destinations", "first_seen",
                                     "last_seen", "deal_numbers", "holders", "runners", "customers",
                                     "harm_score", "revenue_gbp_per_day", "juveniles", "cuckooed",
                                     "evidence_items"};
  header(s, cols, sizeof cols / sizeof cols[0]);
  size_t i;
  json_t *l;
  json_array_foreach(m->lines, i, l) {
    json_t *harm = json_object_get(l, "harm"), *comp = json_object_get(harm, "components");
    put_str(s, 0, json_string_value(json_object_get(l, "id")));
    put_json_num(s, 1, json_object_get(l, "rank"));
    put_json_num(s, 2, json_object_get(l, "score"));
    put_str(s, 3, json_string_value(json_object_get(l, "origin")));
    join(s, tmp, json_object_get(l, "destinations"), "; ");
    put_str(s, 4, ls_buf_str(tmp));
    put_str(s, 5, json_string_value(json_object_get(l, "first_seen")));
    put_str(s, 6, json_string_value(json_object_get(l, "last_seen")));
    join(s, tmp, json_object_get(l, "numbers"), "; ");
    put_str(s, 7, ls_buf_str(tmp));
    join(s, tmp, json_object_get(l, "holders"), "; ");
    put_str(s, 8, ls_buf_str(tmp));
    join(s, tmp, json_object_get(l, "runners"), "; ");
    put_str(s, 9, ls_buf_str(tmp));
    put_json_num(s, 10, json_object_get(l, "customers"));
    put_json_num(s, 11, json_object_get(harm, "score"));
    put_json_num(s, 12, json_object_get(comp, "revenue_gbp_per_day"));
    put_json_num(s, 13, json_object_get(comp, "juveniles"));
    put_json_num(s, 14, json_object_get(comp, "cuckooed"));
    put_num(s, 15, (double)json_array_size(json_object_get(l, "explain")));
    s->row++;
  }
}

static void numbers_sheet(sheet *s, const ls__ex_model *m) {
  static const char *const cols[] = {"number", "role", "score", "line", "first_seen", "last_seen",
                                     "events", "all_lines"};
  header(s, cols, sizeof cols / sizeof cols[0]);
  size_t i;
  json_t *n;
  char key[8 + LS_E164_MAX + 64];
  json_array_foreach(m->numbers, i, n) {
    const char *num = json_string_value(json_object_get(n, "number"));
    put_str(s, 0, num);
    put_str(s, 1, json_string_value(json_object_get(n, "role")));
    put_json_num(s, 2, json_object_get(n, "score"));
    put_str(s, 3, json_string_value(json_object_get(n, "line")));
    uint32_t id;
    int len = snprintf(key, sizeof key, "number:%s", num ? num : "");
    if (len > 0 && (size_t)len < sizeof key && ls_dict_find(&m->ids, key, (size_t)len, &id) == LS_OK) {
      const ls__ex_node *nd = &m->nodes[id];
      put_time(s, 4, nd->first);
      put_time(s, 5, nd->last);
      if (m->ev)
        put_num(s, 6, (double)nd->events);
      put_str(s, 7, nd->lines);
    }
    s->row++;
  }
}

static void safeguarding_sheet(sheet *s, const ls__ex_model *m, ls_buf *tmp) {
  static const char *const cols[] = {"subject", "priority", "line", "reasons", "person",
                                     "numbers", "age", "evidence"};
  header(s, cols, sizeof cols / sizeof cols[0]);
  size_t i, k;
  json_t *c, *ev;
  json_array_foreach(m->safeguarding, i, c) {
    put_str(s, 0, json_string_value(json_object_get(c, "subject")));
    put_str(s, 1, json_string_value(json_object_get(c, "priority")));
    put_str(s, 2, json_string_value(json_object_get(c, "line")));
    join(s, tmp, json_object_get(c, "reasons"), "; ");
    put_str(s, 3, ls_buf_str(tmp));
    put_str(s, 4, json_string_value(json_object_get(c, "person")));
    join(s, tmp, json_object_get(c, "numbers"), "; ");
    put_str(s, 5, ls_buf_str(tmp));
    put_json_num(s, 6, json_object_get(c, "age"));
    /* the facts behind the case, each with the file it came from */
    ls_buf_reset(tmp);
    json_array_foreach(json_object_get(c, "evidence"), k, ev) {
      const char *fact = json_string_value(json_object_get(ev, "fact"));
      const char *src = json_string_value(json_object_get(ev, "source"));
      ls_status rc = fact ? ls_buf_printf(tmp, "%s%s%s%s%s", tmp->len ? "\n" : "", fact, src ? " [" : "",
                                          src ? src : "", src ? "]" : "")
                          : LS_OK;
      if (rc) {
        s->nomem |= rc == LS_ERR_NOMEM;
        break;
      }
    }
    put_str(s, 7, ls_buf_str(tmp));
    s->row++;
  }
}

static void evidence_sheet(sheet *s, const ls__ex_model *m) {
  static const char *const cols[] = {"line", "item", "evidence"};
  header(s, cols, sizeof cols / sizeof cols[0]);
  worksheet_set_column(s->ws, 2, 2, 90, NULL);
  size_t i, k;
  json_t *l, *x;
  json_array_foreach(m->lines, i, l) {
    json_array_foreach(json_object_get(l, "explain"), k, x) {
      put_str(s, 0, json_string_value(json_object_get(l, "id")));
      put_num(s, 1, (double)(k + 1));
      put_str(s, 2, json_string_value(x));
      s->row++;
    }
  }
}

static void cuckoo_sheet(sheet *s, const ls__ex_model *m, ls_buf *tmp) {
  static const char *const cols[] = {"address", "line", "score", "lat", "lon", "cell", "explain"};
  header(s, cols, sizeof cols / sizeof cols[0]);
  size_t i;
  json_t *c;
  char key[512];
  json_array_foreach(m->cuckoo, i, c) {
    const char *aid = json_string_value(json_object_get(c, "address"));
    put_str(s, 0, aid);
    put_str(s, 1, json_string_value(json_object_get(c, "line")));
    put_json_num(s, 2, json_object_get(c, "score"));
    uint32_t id;
    int len = snprintf(key, sizeof key, "address:%s", aid ? aid : "");
    if (len > 0 && (size_t)len < sizeof key && ls_dict_find(&m->ids, key, (size_t)len, &id) == LS_OK &&
        m->nodes[id].address) {
      put_num(s, 3, m->nodes[id].address->lat);
      put_num(s, 4, m->nodes[id].address->lon);
      put_str(s, 5, m->nodes[id].address->cell_id);
    }
    join(s, tmp, json_object_get(c, "explain"), "; ");
    put_str(s, 6, ls_buf_str(tmp));
    s->row++;
  }
}

ls_status ls__export_xlsx(const ls__ex_model *m, const char *path, ls_error *err) {
  char tmp_path[LS_ERROR_FILE_MAX + 8];
  if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s.tmp", path) >= sizeof tmp_path)
    return LS_FAIL(err, LS_ERR_USAGE, "%s: output path too long", path);
  lxw_workbook *wb = workbook_new(tmp_path);
  if (!wb)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot create the workbook");
  sheet s = {0};
  ls_buf tmp;
  ls_buf_init(&s.clean, CELL_MAX_BYTES + 8);
  ls_buf_init(&tmp, 1u << 20);
  s.bold = workbook_add_format(wb);
  if (s.bold)
    format_set_bold(s.bold);
  static const char *const names[] = {"Lines", "Numbers", "Safeguarding", "Evidence", "Cuckooed addresses"};
  for (size_t k = 0; k < sizeof names / sizeof names[0] && !s.e && !s.nomem; k++) {
    s.ws = workbook_add_worksheet(wb, names[k]);
    if (!s.ws) {
      s.e = LXW_ERROR_MEMORY_MALLOC_FAILED;
      break;
    }
    switch (k) {
    case 0:
      lines_sheet(&s, m, &tmp);
      break;
    case 1:
      numbers_sheet(&s, m);
      break;
    case 2:
      safeguarding_sheet(&s, m, &tmp);
      break;
    case 3:
      evidence_sheet(&s, m);
      break;
    default:
      cuckoo_sheet(&s, m, &tmp);
    }
  }
  lxw_error closed = workbook_close(wb);
  ls_buf_free(&s.clean);
  ls_buf_free(&tmp);
  ls_status rc = LS_OK;
  if (s.nomem)
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory writing the workbook");
  else if (s.e || closed)
    rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "workbook: %s", lxw_strerror(s.e ? s.e : closed));
  else if (rename(tmp_path, path))
    rc = ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write");
  if (rc)
    remove(tmp_path);
  return rc;
}
