/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `report --compare OP1 OP2`: the change in each headline figure from one
 * week of action to the next, for the same forces. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"

typedef struct measure {
  const char *key;  /* JSON key */
  const char *name; /* text label */
  int money;
  int64_t before, after;
} measure;

static int64_t drug_seizures(const ls__ops_totals *t) {
  int64_t n = 0;
  for (size_t i = 0; i < t->drugs.n; i++)
    n += t->drugs.v[i].count;
  return n;
}

#define NMEASURES 15

static void measures(const ls__ops_totals *a, const ls__ops_totals *b, measure m[NMEASURES]) {
  const measure init[NMEASURES] = {
      {"arrests", "arrests", 0, a->arrests, b->arrests},
      {"arrests_under_18", "arrests of under 18s", 0, a->arrests_under_18, b->arrests_under_18},
      {"safeguarded", "people safeguarded", 0, a->safeguarded, b->safeguarded},
      {"safeguarded_juvenile", "juveniles safeguarded", 0, a->sg_juvenile, b->sg_juvenile},
      {"lines_closed", "deal lines closed", 0, a->lines_closed, b->lines_closed},
      {"warrants", "warrants executed", 0, a->warrants, b->warrants},
      {"stop_searches", "people stop-searched", 0, a->stop_searches, b->stop_searches},
      {"cash_gbp", "cash seized", 1, a->cash_pence, b->cash_pence},
      {"drug_seizures", "drug seizures", 0, drug_seizures(a), drug_seizures(b)},
      {"weapons", "weapons seized", 0, a->weapons, b->weapons},
      {"phones", "phones seized", 0, a->phones, b->phones},
      {"cuckooed_address_visits", "cuckooed addresses visited", 0, a->visits[LS__OPS_VISIT_CUCKOO],
       b->visits[LS__OPS_VISIT_CUCKOO]},
      {"school_visits", "schools visited", 0, a->visits[LS__OPS_VISIT_SCHOOL], b->visits[LS__OPS_VISIT_SCHOOL]},
      {"messages_sent", "diversion messages sent", 0, a->messages_sent, b->messages_sent},
      {"networks_disrupted", "networks disrupted", 0, a->networks_disrupted, b->networks_disrupted},
  };
  memcpy(m, init, sizeof init);
}

static void fmt_value(const measure *m, int64_t v, char *out, size_t n) {
  if (m->money && v == 0)
    snprintf(out, n, "none"); /* nothing seized; "£0" would read as a valuation */
  else if (m->money)
    ls_ops_format_money(v, out, n);
  else
    ls__ops_format_int(v, out, n);
}

/* "+8 (+18.6%)", "-2 (-50.0%)", "no change", "+3 (new)" */
static void fmt_change(const measure *m, char *out, size_t n) {
  int64_t d = m->after - m->before;
  char v[64], pct[32] = "";
  if (d == 0) {
    snprintf(out, n, "no change");
    return;
  }
  fmt_value(m, d < 0 ? -d : d, v, sizeof v);
  if (m->before == 0) {
    snprintf(pct, sizeof pct, "new");
  } else {
    int64_t ad = d < 0 ? -d : d;
    int64_t permille = (ad * 1000 + m->before / 2) / m->before;
    snprintf(pct, sizeof pct, "%c%lld.%lld%%", d < 0 ? '-' : '+', (long long)(permille / 10),
             (long long)(permille % 10));
  }
  snprintf(out, n, "%c%s (%s)", d < 0 ? '-' : '+', v, pct);
}

static ls_status compare_text(const ls_ops_report *a, const ls_ops_report *b, ls_buf *out) {
  measure m[NMEASURES];
  measures(&a->total, &b->total, m);
  ls_status rc = ls_buf_puts(out, "Change from ");
  if (rc == LS_OK)
    rc = ls__ops_title(out, a);
  if (rc == LS_OK)
    rc = ls_buf_puts(out, "\n         to ");
  if (rc == LS_OK)
    rc = ls__ops_title(out, b);
  if (rc == LS_OK)
    rc = ls_buf_puts(out, "\n\n");
  if (rc == LS_OK)
    rc = ls_buf_printf(out, "%-28s %14s %14s  %s\n", "measure", "before", "after", "change");
  for (int i = 0; i < NMEASURES && rc == LS_OK; i++) {
    if (!m[i].before && !m[i].after)
      continue; /* recorded in neither week */
    char x[64], y[64], c[96];
    fmt_value(&m[i], m[i].before, x, sizeof x);
    fmt_value(&m[i], m[i].after, y, sizeof y);
    fmt_change(&m[i], c, sizeof c);
    /* the pound sign is two bytes in UTF-8: pad one more so columns align */
    rc = ls_buf_printf(out, "%-28s %*s %*s  %s\n", m[i].name, m[i].money && m[i].before ? 15 : 14, x,
                       m[i].money && m[i].after ? 15 : 14, y, c);
  }
  return rc;
}

static ls_status compare_json(const ls_ops_report *a, const ls_ops_report *b, ls_buf *out, ls_error *err) {
  measure m[NMEASURES];
  measures(&a->total, &b->total, m);
  json_t *root = json_object(), *changes = json_array();
  json_t *ta = ls__ops_totals_json(&a->total), *tb = ls__ops_totals_json(&b->total);
  int bad = !root || !changes || !ta || !tb;
  if (!bad) {
    json_object_set_new(ta, "operation", json_string(a->operation));
    json_object_set_new(tb, "operation", json_string(b->operation));
  }
  for (int i = 0; i < NMEASURES && !bad; i++) {
    json_t *c;
    if (m[i].money)
      c = json_pack("{s:s, s:f, s:f, s:f, s:I, s:I}", "measure", m[i].key, "before", (double)m[i].before / 100.0,
                    "after", (double)m[i].after / 100.0, "change", (double)(m[i].after - m[i].before) / 100.0,
                    "before_pence", (json_int_t)m[i].before, "after_pence", (json_int_t)m[i].after);
    else
      c = json_pack("{s:s, s:I, s:I, s:I}", "measure", m[i].key, "before", (json_int_t)m[i].before, "after",
                    (json_int_t)m[i].after, "change", (json_int_t)(m[i].after - m[i].before));
    bad = !c || json_object_set_new(c, "change_pct",
                                    m[i].before ? json_real(round((double)(m[i].after - m[i].before) /
                                                                  (double)m[i].before * 1000.0) / 10.0)
                                                : json_null()) ||
          json_array_append_new(changes, c);
  }
  if (!bad)
    bad = json_object_set_new(root, "scope", json_string(a->force ? a->force : "all")) ||
          json_object_set_new(root, "before", ta) || json_object_set_new(root, "after", tb) ||
          json_object_set_new(root, "changes", changes);
  else {
    json_decref(ta);
    json_decref(tb);
    json_decref(changes);
  }
  char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
  json_decref(root);
  if (!text)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory writing the comparison");
  ls_status rc = ls_buf_puts(out, text);
  if (rc == LS_OK)
    rc = ls_buf_puts(out, "\n");
  free(text);
  return rc ? LS_FAIL(err, rc, "cannot hold the comparison") : LS_OK;
}

ls_status ls_ops_compare_render(ls_store *st, const char *before, const char *after, const char *force,
                                ls_ops_format fmt, char **out, size_t *len, ls_error *err) {
  ls_ops_report *a = NULL, *b = NULL;
  ls_buf buf;
  *out = NULL;
  if (len)
    *len = 0;
  if (fmt != LS_OPS_FORMAT_TEXT && fmt != LS_OPS_FORMAT_JSON)
    return LS_FAIL(err, LS_ERR_USAGE, "a comparison is written as text or json");
  ls_buf_init(&buf, LS_LIMIT_TEXT_OUTPUT);
  ls_ops_scope sa = {before, force, 0}, sb = {after, force, 0};
  ls_status rc = ls_ops_report_build(st, &sa, &a, err);
  if (rc == LS_OK)
    rc = ls_ops_report_build(st, &sb, &b, err);
  if (rc == LS_OK) {
    if (fmt == LS_OPS_FORMAT_TEXT) {
      rc = compare_text(a, b, &buf);
      if (rc)
        rc = LS_FAIL(err, rc, "cannot render the comparison");
    } else {
      rc = compare_json(a, b, &buf, err);
    }
  }
  ls_ops_report_free(a);
  ls_ops_report_free(b);
  if (rc == LS_OK && !buf.data)
    rc = ls_buf_puts(&buf, "");
  if (rc) {
    ls_buf_free(&buf);
    return rc;
  }
  *out = buf.data;
  if (len)
    *len = buf.len;
  return LS_OK;
}
