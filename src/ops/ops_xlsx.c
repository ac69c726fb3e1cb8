/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The XLSX report (libxlsxwriter): a "Totals" sheet (the headline figures,
 * drugs, other items and each force's figures) and a "Records" sheet with
 * every record in scope, one row each, in the import columns. Cells that
 * were not recorded stay empty, never 0. */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "ops_internal.h"

typedef struct sheet {
  lxw_worksheet *ws;
  lxw_format *bold, *money, *grams;
  lxw_row_t row;
  lxw_error e;
} sheet;

static void put_str(sheet *s, lxw_col_t col, const char *v, lxw_format *f) {
  lxw_error e = worksheet_write_string(s->ws, s->row, col, v, f);
  if (e && !s->e)
    s->e = e;
}

static void put_num(sheet *s, lxw_col_t col, double v, lxw_format *f) {
  lxw_error e = worksheet_write_number(s->ws, s->row, col, v, f);
  if (e && !s->e)
    s->e = e;
}

static void kv(sheet *s, const char *name, int64_t v) {
  put_str(s, 0, name, NULL);
  put_num(s, 1, (double)v, NULL);
  s->row++;
}

static void totals_sheet(sheet *s, const ls_ops_report *r) {
  const ls__ops_totals *t = &r->total;
  char title[512];
  ls_buf b;
  ls_buf_init(&b, sizeof title);
  if (ls__ops_title(&b, r) == LS_OK)
    snprintf(title, sizeof title, "%s", ls_buf_str(&b));
  else
    snprintf(title, sizeof title, "%s", r->operation);
  ls_buf_free(&b);
  worksheet_set_column(s->ws, 0, 0, 38, NULL);
  worksheet_set_column(s->ws, 1, 8, 15, NULL);
  put_str(s, 0, title, s->bold);
  s->row += 2;
  put_str(s, 0, "Measure", s->bold);
  put_str(s, 1, "Total", s->bold);
  s->row++;
  kv(s, "Arrests", t->arrests);
  kv(s, "Arrests: under 18", t->arrests_under_18);
  kv(s, "Arrests: male", t->arrests_male);
  kv(s, "Arrests: female", t->arrests_female);
  kv(s, "People safeguarded", t->safeguarded);
  kv(s, "Safeguarded: adult males", t->sg_adult_male);
  kv(s, "Safeguarded: adult females", t->sg_adult_female);
  kv(s, "Safeguarded: juveniles", t->sg_juvenile);
  kv(s, "Warrants executed", t->warrants);
  kv(s, "People stop-searched", t->stop_searches);
  kv(s, "Stop-searched: from outside the area", t->ss_out_of_area);
  put_str(s, 0, "Cash seized (GBP)", NULL);
  put_num(s, 1, (double)t->cash_pence / 100.0, s->money);
  s->row++;
  kv(s, "Cash seizures yet to be counted", t->cash_uncounted);
  kv(s, "Phones seized", t->phones);
  kv(s, "Vehicles seized", t->vehicles);
  kv(s, "Weapons seized", t->weapons);
  for (size_t i = 0; i < t->weapon_types.n; i++) {
    char name[256];
    snprintf(name, sizeof name, "Weapons: %s", t->weapon_types.v[i].name);
    kv(s, name, t->weapon_types.v[i].count);
  }
  kv(s, "Cuckooed addresses visited", t->visits[LS__OPS_VISIT_CUCKOO]);
  kv(s, "Schools visited", t->visits[LS__OPS_VISIT_SCHOOL]);
  kv(s, "Landlords visited", t->visits[LS__OPS_VISIT_LANDLORD]);
  kv(s, "Vehicle checks", t->visits[LS__OPS_VISIT_VEHICLE]);
  kv(s, "Deal lines closed", t->lines_closed);
  kv(s, "Diversion messages sent", t->messages_sent);
  kv(s, "Networks disrupted", t->networks_disrupted);
  kv(s, "Records", t->records);

  s->row++;
  put_str(s, 0, "Drug", s->bold);
  put_str(s, 1, "Seizures", s->bold);
  put_str(s, 2, "Weight (g)", s->bold);
  put_str(s, 3, "Wraps", s->bold);
  put_str(s, 4, "Value (GBP)", s->bold);
  put_str(s, 5, "Not yet quantified", s->bold);
  s->row++;
  for (size_t i = 0; i < t->drugs.n; i++, s->row++) {
    const ls__ops_named *d = &t->drugs.v[i];
    put_str(s, 0, ls__ops_drug_display(d->name), NULL);
    put_num(s, 1, (double)d->count, NULL);
    if (d->has_weight)
      put_num(s, 2, (double)d->weight_mg / 1000.0, s->grams);
    if (d->has_wraps)
      put_num(s, 3, (double)d->wraps, NULL);
    if (d->has_value)
      put_num(s, 4, (double)d->value_pence / 100.0, s->money);
    put_num(s, 5, (double)d->unquantified, NULL);
  }
  s->row++;
  put_str(s, 0, "Other item", s->bold);
  put_str(s, 1, "Count", s->bold);
  put_str(s, 2, "Value (GBP)", s->bold);
  put_str(s, 3, "Not yet valued", s->bold);
  s->row++;
  for (size_t i = 0; i < t->others.n; i++, s->row++) {
    const ls__ops_named *o = &t->others.v[i];
    put_str(s, 0, o->name, NULL);
    put_num(s, 1, (double)o->count, NULL);
    if (o->has_value)
      put_num(s, 2, (double)o->value_pence / 100.0, s->money);
    put_num(s, 3, (double)(o->count - o->valued), NULL);
  }
  if (r->national && r->by_force) {
    static const char *const heads[] = {"Force or unit", "Arrests", "Share of arrests", "Safeguarded",
                                        "Share of safeguarded", "Cash seized (GBP)", "Share of cash",
                                        "Lines closed", "Records"};
    s->row++;
    for (int k = 0; k < 9; k++)
      put_str(s, (lxw_col_t)k, heads[k], s->bold);
    s->row++;
    for (size_t i = 0; i < r->nforces; i++, s->row++) {
      const ls__ops_totals *f = &r->by_force[i];
      put_str(s, 0, f->force, NULL);
      put_num(s, 1, (double)f->arrests, NULL);
      if (t->arrests)
        put_num(s, 2, (double)f->arrests / (double)t->arrests, NULL);
      put_num(s, 3, (double)f->safeguarded, NULL);
      if (t->safeguarded)
        put_num(s, 4, (double)f->safeguarded / (double)t->safeguarded, NULL);
      put_num(s, 5, (double)f->cash_pence / 100.0, s->money);
      if (t->cash_pence)
        put_num(s, 6, (double)f->cash_pence / (double)t->cash_pence, NULL);
      put_num(s, 7, (double)f->lines_closed, NULL);
      put_num(s, 8, (double)f->records, NULL);
    }
  }
}

static void records_sheet(sheet *s, const ls_ops_report *r) {
  for (int k = 0; k < LS_OPS_COLS; k++)
    put_str(s, (lxw_col_t)k, ls_ops_column_names[k], s->bold);
  worksheet_set_column(s->ws, 0, 0, 26, NULL);
  worksheet_set_column(s->ws, 1, LS_OPS_COLS - 1, 13, NULL);
  s->row++;
  for (size_t i = 0; i < r->nrecs; i++, s->row++) {
    const ls_ops_record *x = &r->recs[i];
    put_str(s, LS_OPS_COL_OPERATION, x->operation, NULL);
    put_str(s, LS_OPS_COL_FORCE, x->force, NULL);
    put_str(s, LS_OPS_COL_DATE, x->date, NULL);
    put_str(s, LS_OPS_COL_KIND, ls_ops_kind_name(x->kind), NULL);
    if (x->category[0])
      put_str(s, LS_OPS_COL_CATEGORY, x->category, NULL);
    if (x->item[0])
      put_str(s, LS_OPS_COL_ITEM, x->item, NULL);
    put_num(s, LS_OPS_COL_COUNT, (double)x->count, NULL);
    if (x->value_pence >= 0)
      put_num(s, LS_OPS_COL_VALUE_GBP, (double)x->value_pence / 100.0, s->money);
    if (x->weight_mg >= 0)
      put_num(s, LS_OPS_COL_WEIGHT_G, (double)x->weight_mg / 1000.0, s->grams);
    if (x->wraps >= 0)
      put_num(s, LS_OPS_COL_WRAPS, (double)x->wraps, NULL);
    if (x->age != LS_OPS_AGE_UNKNOWN)
      put_str(s, LS_OPS_COL_AGE_BAND, x->age == LS_OPS_AGE_UNDER_18 ? "under_18" : "adult", NULL);
    if (x->sex != LS_OPS_SEX_UNKNOWN)
      put_str(s, LS_OPS_COL_SEX, x->sex == LS_OPS_SEX_MALE ? "male" : "female", NULL);
    if (x->area[0])
      put_str(s, LS_OPS_COL_AREA, x->area, NULL);
    if (x->kind == LS_OPS_ARREST || x->kind == LS_OPS_SAFEGUARD || x->kind == LS_OPS_STOP_SEARCH)
      put_str(s, LS_OPS_COL_OUT_OF_AREA, x->out_of_area ? "yes" : "no", NULL);
    if (x->note[0])
      put_str(s, LS_OPS_COL_NOTE, x->note, NULL);
  }
}

ls_status ls__ops_save_xlsx(const ls_ops_report *r, const char *path, ls_error *err) {
  lxw_workbook *wb = workbook_new(path);
  if (!wb)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot create the XLSX report");
  sheet t = {0}, rec = {0};
  t.ws = workbook_add_worksheet(wb, "Totals");
  rec.ws = workbook_add_worksheet(wb, "Records");
  lxw_format *bold = workbook_add_format(wb), *money = workbook_add_format(wb), *grams = workbook_add_format(wb);
  lxw_error e = LXW_NO_ERROR;
  if (!t.ws || !rec.ws || !bold || !money || !grams) {
    e = LXW_ERROR_MEMORY_MALLOC_FAILED;
  } else {
    format_set_bold(bold);
    format_set_num_format(money, "\xc2\xa3#,##0.00");
    format_set_num_format(grams, "#,##0.###");
    t.bold = rec.bold = bold;
    t.money = rec.money = money;
    t.grams = rec.grams = grams;
    totals_sheet(&t, r);
    records_sheet(&rec, r);
    e = t.e ? t.e : rec.e;
  }
  lxw_error ce = workbook_close(wb); /* frees wb whatever happens */
  if (!e)
    e = ce;
  if (e) {
    remove(path);
    return ls_error_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? LS_ERR_NOMEM : LS_ERR_IO, path, 0, 0,
                        "cannot write the XLSX report: %s", lxw_strerror(e));
  }
  return LS_OK;
}
