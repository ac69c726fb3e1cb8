/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weeks of action: exact parsers, record validation, import (all or
 * nothing, --skip-bad quarantine, duplicates), totals and report wording,
 * from the fixtures in tests/data/ops/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ls_buf.h"
#include "core/ls_mem.h"
#include "linesight/ls_ops.h"
#include "linesight/ls_store.h"
#include "ops/ops_internal.h"

#define OP1 "2024-10 intensification"
#define OP2 "2025-03 intensification"

/* fontconfig (under cairo's text) keeps a process-wide cache that it never
 * frees; LeakSanitizer would report it after every PDF. Suppress that one
 * library only (this hook is read by LSan and unused otherwise). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

/* ---- parsers ----------------------------------------------------------- */

static int64_t money(const char *s) {
  int64_t v = -1;
  const char *why = NULL;
  return ls_ops_parse_money(s, strlen(s), &v, &why) == LS_OK ? v : -1;
}

static const char *money_reason(const char *s) {
  int64_t v;
  const char *why = NULL;
  assert_int_equal(ls_ops_parse_money(s, strlen(s), &v, &why), LS_ERR_INPUT);
  return why;
}

static void money_is_parsed_to_exact_pence(void **state) {
  (void)state;
  assert_int_equal(money("50272"), 5027200);
  assert_int_equal(money("30240.89"), 3024089);
  assert_int_equal(money("20,031.11"), 2003111);
  assert_int_equal(money("\xc2\xa3" "1,250.5"), 125050);
  assert_int_equal(money(" 0.1 "), 10);
  assert_int_equal(money("12.500"), 1250);
  assert_int_equal(money("1,000,000"), 100000000);
  /* 0.1 + 0.2 style sums stay exact: what doubles would get wrong */
  assert_int_equal(money("0.10") + money("0.20"), money("0.30"));
  assert_string_equal(money_reason("12.345"), "more than two decimal places");
  assert_string_equal(money_reason("-5"), "negative");
  assert_string_equal(money_reason("1,25"), "misplaced thousands separator");
  assert_string_equal(money_reason("12,3456"), "misplaced thousands separator");
  assert_string_equal(money_reason("abc"), "not a number");
  assert_string_equal(money_reason("12."), "no digits after the decimal point");
  assert_string_equal(money_reason("99999999999999999999"), "too large");
}

static void grams_counts_and_dates_are_checked(void **state) {
  (void)state;
  int64_t v = 0;
  const char *why = NULL;
  char d[LS_OPS_DATE_MAX];
  assert_int_equal(ls_ops_parse_grams("56.5", 4, &v, &why), LS_OK);
  assert_int_equal(v, 56500);
  assert_int_equal(ls_ops_parse_grams("1,250.125", 9, &v, &why), LS_OK);
  assert_int_equal(v, 1250125);
  assert_int_equal(ls_ops_parse_grams("0.0005", 6, &v, &why), LS_ERR_INPUT);
  assert_string_equal(why, "more than three decimal places");
  assert_int_equal(ls_ops_parse_count("1,200", 5, &v, &why), LS_OK);
  assert_int_equal(v, 1200);
  assert_int_equal(ls_ops_parse_count("1.5", 3, &v, &why), LS_ERR_INPUT);
  assert_string_equal(why, "not a whole number");
  assert_int_equal(ls_ops_parse_date("2024-02-29", 10, d, &why), LS_OK);
  assert_string_equal(d, "2024-02-29");
  assert_int_equal(ls_ops_parse_date("2000-02-29", 10, d, &why), LS_OK);
  assert_int_equal(ls_ops_parse_date("2023-02-29", 10, d, &why), LS_ERR_INPUT);
  assert_int_equal(ls_ops_parse_date("2100-02-29", 10, d, &why), LS_ERR_INPUT);
  assert_int_equal(ls_ops_parse_date("2024-13-01", 10, d, &why), LS_ERR_INPUT);
  assert_string_equal(why, "no such month");
  assert_int_equal(ls_ops_parse_date("2024-1-07", 9, d, &why), LS_ERR_INPUT);
  assert_int_equal(ls_ops_parse_date("07/10/2024", 10, d, &why), LS_ERR_INPUT);
}

/* ---- one record -------------------------------------------------------- */

/* Builds a row from "column=value" pairs. */
static void row_of(ls_ops_row_text *row, const char *const *pairs, size_t n) {
  memset(row, 0, sizeof *row);
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(pairs[i], '=');
    for (int c = 0; c < LS_OPS_COLS; c++)
      if (strlen(ls_ops_column_names[c]) == (size_t)(eq - pairs[i]) &&
          !strncmp(pairs[i], ls_ops_column_names[c], (size_t)(eq - pairs[i]))) {
        row->text[c] = eq + 1;
        row->len[c] = strlen(eq + 1);
      }
  }
}

static ls_status parse_pairs(const char *const *pairs, size_t n, ls_ops_record *rec, int *col, char *why) {
  ls_ops_row_text row;
  row_of(&row, pairs, n);
  return ls_ops_record_parse(&row, rec, col, why);
}

#define BASE "operation=" OP1, "force=Hampshire", "date=2024-10-08"

static void records_are_validated_by_kind(void **state) {
  (void)state;
  ls_ops_record r;
  int col;
  char why[LS_OPS_REASON_MAX];

  const char *ok1[] = {BASE, "kind=Stop search", "count=3", "out_of_area=Yes", "age_band=Under 18"};
  assert_int_equal(parse_pairs(ok1, 7, &r, &col, why), LS_OK);
  assert_int_equal(r.kind, LS_OPS_STOP_SEARCH);
  assert_int_equal(r.count, 3);
  assert_int_equal(r.out_of_area, 1);
  assert_int_equal(r.age, LS_OPS_AGE_UNDER_18);
  ls_ops_record_clear(&r);

  const char *ok2[] = {BASE, "kind=seizure", "category=Drug", "item=Crack Cocaine", "wraps=269"};
  assert_int_equal(parse_pairs(ok2, 7, &r, &col, why), LS_OK);
  assert_string_equal(r.category, "drug");
  assert_string_equal(r.item, "crack");
  assert_int_equal(r.wraps, 269);
  assert_int_equal(r.value_pence, -1);
  assert_int_equal(r.weight_mg, -1);
  assert_int_equal(r.count, 1);
  ls_ops_record_clear(&r);

  const char *ok3[] = {BASE, "kind=seizure", "category=other", "item=Rolex watch", "count=3"};
  assert_int_equal(parse_pairs(ok3, 7, &r, &col, why), LS_OK);
  assert_string_equal(r.item, "Rolex watch"); /* other items keep their spelling */
  ls_ops_record_clear(&r);

  struct {
    const char *pairs[8];
    size_t n;
    int col;
    const char *reason;
  } bad[] = {
      {{BASE, "kind=arest"}, 4, LS_OPS_COL_KIND, NULL},
      {{BASE, "kind=seizure"}, 4, LS_OPS_COL_CATEGORY, NULL},
      {{BASE, "kind=seizure", "category=drug"}, 5, LS_OPS_COL_ITEM, "item: missing"},
      {{BASE, "kind=seizure", "category=jewellery", "item=ring"}, 6, LS_OPS_COL_CATEGORY, NULL},
      {{BASE, "kind=visit", "category=pub"}, 5, LS_OPS_COL_CATEGORY, NULL},
      {{BASE, "kind=arrest", "category=cash"}, 5, LS_OPS_COL_CATEGORY,
       "category: 'cash': does not apply to arrest (leave it empty)"},
      {{BASE, "kind=arrest", "value_gbp=10"}, 5, LS_OPS_COL_VALUE_GBP, NULL},
      {{BASE, "kind=seizure", "category=weapon", "item=knife", "weight_g=10"}, 7, LS_OPS_COL_WEIGHT_G, NULL},
      {{BASE, "kind=warrant", "age_band=adult"}, 5, LS_OPS_COL_AGE_BAND, NULL},
      {{BASE, "kind=arrest", "sex=m"}, 5, LS_OPS_COL_SEX, "sex: 'm': not a sex (male, female, unknown)"},
      {{BASE, "kind=arrest", "out_of_area=maybe"}, 5, LS_OPS_COL_OUT_OF_AREA, NULL},
      {{BASE, "kind=arrest", "count=0"}, 5, LS_OPS_COL_COUNT, "count: '0': must be at least 1"},
      {{BASE, "kind=line_closed", "category=type_3"}, 5, LS_OPS_COL_CATEGORY, NULL},
      {{"operation=x", "force=", "date=2024-10-08", "kind=arrest"}, 4, LS_OPS_COL_FORCE, "force: missing"},
      {{"operation=x", "force=BTP", "date=2024-10-32", "kind=arrest"}, 4, LS_OPS_COL_DATE,
       "date: '2024-10-32': no such day in that month"},
      {{"operation=x", "force=BT\x01P", "date=2024-10-08", "kind=arrest"}, 4, LS_OPS_COL_FORCE, NULL},
      {{"operation=x", "force=\xff\xfe", "date=2024-10-08", "kind=arrest"}, 4, LS_OPS_COL_FORCE, NULL},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(parse_pairs(bad[i].pairs, bad[i].n, &r, &col, why), LS_ERR_INPUT);
    ls_ops_record_clear(&r);
    if (col != bad[i].col)
      fail_msg("case %zu: column %d, expected %d (%s)", i, col, bad[i].col, why);
    if (bad[i].reason)
      assert_string_equal(why, bad[i].reason);
  }
}

/* ---- wording ------------------------------------------------------------ */

static void money_weights_and_plurals_read_as_published(void **state) {
  (void)state;
  char out[64];
  ls_ops_format_money(5027200, out, sizeof out);
  assert_string_equal(out, "\xc2\xa3" "50,272");
  ls_ops_format_money(3024089, out, sizeof out);
  assert_string_equal(out, "\xc2\xa3" "30,240.89");
  ls_ops_format_money(5, out, sizeof out);
  assert_string_equal(out, "\xc2\xa3" "0.05");
  ls_ops_format_weight(56500, out, sizeof out);
  assert_string_equal(out, "56.5g");
  ls_ops_format_weight(999999, out, sizeof out);
  assert_string_equal(out, "999.999g");
  ls_ops_format_weight(1250125, out, sizeof out);
  assert_string_equal(out, "1.25kg");
  ls_ops_format_weight(3300500, out, sizeof out);
  assert_string_equal(out, "3.301kg");
  ls_ops_format_weight(1500000000, out, sizeof out);
  assert_string_equal(out, "1,500kg");

  static const char *const cases[][3] = {
      {"knife", "1 knife", "2 knives"},           {"zombie knife", "1 zombie knife", "2 zombie knives"},
      {"Rolex watch", "1 Rolex watch", "2 Rolex watches"}, {"machete", "1 machete", "2 machetes"},
      {"cuckooed address", "1 cuckooed address", "2 cuckooed addresses"},
      {"county lines network", "1 county lines network", "2 county lines networks"},
      {"arrest", "1 arrest", "2 arrests"},        {"vehicle check", "1 vehicle check", "2 vehicle checks"},
      {"designer handbag", "1 designer handbag", "2 designer handbags"},
  };
  ls_buf b;
  ls_buf_init(&b, 1024);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ls_buf_reset(&b);
    assert_int_equal(ls__ops_counted(&b, 1, cases[i][0]), LS_OK);
    assert_string_equal(ls_buf_str(&b), cases[i][1]);
    ls_buf_reset(&b);
    assert_int_equal(ls__ops_counted(&b, 2, cases[i][0]), LS_OK);
    assert_string_equal(ls_buf_str(&b), cases[i][2]);
  }
  ls_buf_reset(&b);
  assert_int_equal(ls__ops_counted(&b, 1360, "arrest"), LS_OK);
  assert_string_equal(ls_buf_str(&b), "1,360 arrests");
  ls_buf_free(&b);

  char period[96];
  ls__ops_format_period("2024-10-07", "2024-10-13", period, sizeof period);
  assert_string_equal(period, "7 to 13 October 2024");
  ls__ops_format_period("2024-09-30", "2024-10-06", period, sizeof period);
  assert_string_equal(period, "30 September to 6 October 2024");
  ls__ops_format_period("2024-12-30", "2025-01-03", period, sizeof period);
  assert_string_equal(period, "30 December 2024 to 3 January 2025");
}

/* ---- the store ------------------------------------------------------------ */

typedef struct fixture {
  char dir[64];
  char db[128];
  ls_store *st;
} fixture;

static char fixture_path[512];
static const char *data(const char *name) {
  const char *src = getenv("LS_SRC_DIR");
  snprintf(fixture_path, sizeof fixture_path, "%s/tests/data/ops/%s", src ? src : ".", name);
  return fixture_path;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ls-test-ops-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  ls_error err;
  if (ls_store_open(f->db, &f->st, &err))
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  ls_store_close(f->st);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

static void import_ok(fixture *f, const char *name, uint64_t rows) {
  ls_ops_import_stats stats;
  ls_error err;
  ls_error_clear(&err);
  ls_status rc = ls_ops_results_import(f->st, data(name), NULL, &stats, &err);
  if (rc)
    fail_msg("%s: %s", name, err.message);
  assert_int_equal(stats.rows_stored, rows);
  assert_int_equal(stats.rows_rejected, 0);
}

static void import_week1(fixture *f) {
  import_ok(f, "week1_hampshire_tvp.csv", 41);
  import_ok(f, "week1_btp_serocu.csv", 20); /* CRLF, other column order, capitalised names */
}

static char *render(fixture *f, const char *op, const char *force, int national, ls_ops_format fmt) {
  ls_ops_scope scope = {op, force, national};
  ls_ops_report *r = NULL;
  ls_error err;
  ls_error_clear(&err);
  if (ls_ops_report_build(f->st, &scope, &r, &err))
    fail_msg("build: %s", err.message);
  char *text = NULL;
  size_t len;
  if (ls_ops_report_render(r, fmt, &text, &len, &err))
    fail_msg("render: %s", err.message);
  assert_int_equal(strlen(text), len);
  ls_ops_report_free(r);
  return text;
}

static json_t *report_json(fixture *f, const char *op, const char *force, int national) {
  char *text = render(f, op, force, national, LS_OPS_FORMAT_JSON);
  json_error_t je;
  json_t *o = json_loads(text, 0, &je);
  ls_ops_free(text);
  assert_non_null(o);
  return o;
}

static int64_t jint(json_t *o, const char *path) {
  /* "a.b" walks objects; the leaf must be an integer */
  char key[64];
  const char *dot;
  while ((dot = strchr(path, '.'))) {
    snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
    o = json_object_get(o, key);
    path = dot + 1;
  }
  json_t *v = json_object_get(o, path);
  if (!json_is_integer(v))
    fail_msg("%s is not an integer", path);
  return (int64_t)json_integer_value(v);
}

static json_t *find(json_t *arr, const char *key, const char *name) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    if (!strcmp(json_string_value(json_object_get(v, key)), name))
      return v;
  }
  fail_msg("no %s '%s'", key, name);
  return NULL;
}

static void national_totals_are_exact(void **state) {
  fixture *f = *state;
  import_week1(f);
  json_t *o = report_json(f, OP1, NULL, 1);
  assert_string_equal(json_string_value(json_object_get(o, "operation")), OP1);
  json_t *forces = json_object_get(o, "forces");
  assert_int_equal(json_array_size(forces), 4);
  assert_string_equal(json_string_value(json_array_get(forces, 0)), "BTP");
  assert_string_equal(json_string_value(json_array_get(forces, 2)), "SEROCU");
  assert_int_equal(jint(o, "arrests.total"), 28);
  assert_int_equal(jint(o, "arrests.under_18"), 9);
  assert_int_equal(jint(o, "arrests.male"), 23);
  assert_int_equal(jint(o, "arrests.female"), 4);
  assert_int_equal(jint(o, "safeguarded.total"), 11);
  assert_int_equal(jint(o, "safeguarded.adult_male"), 2);
  assert_int_equal(jint(o, "safeguarded.adult_female"), 3);
  assert_int_equal(jint(o, "safeguarded.juvenile"), 6);
  assert_int_equal(jint(o, "warrants"), 13);
  assert_int_equal(jint(o, "stop_searches.total"), 18);
  assert_int_equal(jint(o, "stop_searches.out_of_area"), 10);
  /* 30,240.89 + 20,031.11 + 1,250.50 + 100,000 + 3,450.00, to the penny */
  assert_int_equal(jint(o, "cash_pence"), 15497250);
  assert_true(json_real_value(json_object_get(o, "cash_gbp")) == 154972.5);
  assert_int_equal(jint(o, "phones"), 20);
  assert_int_equal(jint(o, "weapons.total"), 7);
  assert_int_equal(jint(o, "weapons.by_type.knife"), 3);
  assert_int_equal(jint(o, "weapons.by_type.machete"), 2);
  assert_int_equal(jint(o, "weapons.by_type.zombie knife"), 1);
  assert_int_equal(jint(o, "weapons.by_type.firearm"), 1);
  assert_int_equal(jint(o, "visits.cuckooed_address"), 11);
  assert_int_equal(jint(o, "visits.school"), 4);
  assert_int_equal(jint(o, "visits.landlord"), 5);
  assert_int_equal(jint(o, "visits.vehicle_check"), 12);
  assert_int_equal(jint(o, "lines_closed"), 8);
  assert_int_equal(jint(o, "messages_sent"), 750);
  assert_int_equal(jint(o, "networks_disrupted"), 2);

  json_t *drugs = json_object_get(o, "drugs");
  assert_int_equal(json_array_size(drugs), 5);
  json_t *crack = find(drugs, "drug", "crack"); /* "crack cocaine" in the BTP file */
  assert_int_equal(jint(crack, "wraps"), 299);
  assert_int_equal(jint(crack, "weight_mg"), 12250);
  assert_int_equal(jint(crack, "value_pence"), 60000);
  assert_int_equal(jint(crack, "unquantified_items"), 0);
  json_t *coke = find(drugs, "drug", "cocaine");
  assert_int_equal(jint(coke, "weight_mg"), 1250125);
  assert_true(json_real_value(json_object_get(coke, "weight_g")) == 1250.125);
  assert_int_equal(jint(coke, "unquantified_items"), 1);
  assert_true(json_is_null(json_object_get(coke, "wraps")));
  json_t *cannabis = find(drugs, "drug", "cannabis");
  assert_int_equal(jint(cannabis, "weight_mg"), 3300500);
  json_t *ket = find(drugs, "drug", "ketamine"); /* seized, not yet quantified: never zero */
  assert_int_equal(jint(ket, "unquantified_items"), 2);
  assert_true(json_is_null(json_object_get(ket, "value_gbp")));
  assert_true(json_is_null(json_object_get(ket, "weight_g")));
  assert_true(json_is_null(json_object_get(ket, "wraps")));

  json_t *others = json_object_get(o, "other_items");
  json_t *rolex = find(others, "item", "Rolex watch");
  assert_int_equal(jint(rolex, "count"), 4);
  assert_int_equal(jint(rolex, "value_pence"), 800000);
  assert_int_equal(jint(rolex, "not_yet_valued"), 3);
  json_t *bag = find(others, "item", "designer handbag");
  assert_int_equal(jint(bag, "value_pence"), 120050);

  json_t *by = json_object_get(o, "by_force");
  assert_int_equal(json_array_size(by), 4);
  json_t *serocu = find(by, "force", "SEROCU");
  assert_int_equal(jint(serocu, "cash_pence"), 10000000);
  assert_true(json_real_value(json_object_get(json_object_get(serocu, "share"), "cash_gbp")) == 0.6453);
  json_t *btp = find(by, "force", "BTP");
  assert_int_equal(jint(btp, "arrests.under_18"), 4);
  assert_int_equal(jint(btp, "stop_searches.out_of_area"), 7);
  json_decref(o);

  /* one force: Hampshire's Rolex watches are not valued at all -> null */
  o = report_json(f, OP1, "hampshire", 0);
  assert_int_equal(json_array_size(json_object_get(o, "forces")), 1);
  assert_int_equal(jint(o, "cash_pence"), 5027200);
  rolex = find(json_object_get(o, "other_items"), "item", "Rolex watch");
  assert_int_equal(jint(rolex, "count"), 3);
  assert_true(json_is_null(json_object_get(rolex, "value_gbp")));
  assert_null(json_object_get(o, "by_force"));
  json_decref(o);
}

static const char *const hampshire_text =
    "Hampshire, 2024-10 intensification (7 to 13 October 2024): 12 arrests, 5 people safeguarded and 4 deal "
    "lines closed.\n"
    "\n"
    "- 12 arrests, including 3 aged under 18\n"
    "- 5 people safeguarded: 1 adult male, 1 adult female and 3 juveniles\n"
    "- 4 deal lines closed (3 Type 1)\n"
    "- 6 warrants executed\n"
    "- 8 people stop-searched, including 3 from outside the force area\n"
    "- \xc2\xa3" "50,272 in cash seized, plus 1 cash seizure yet to be counted\n"
    "- 1 seizure of cocaine, yet to be quantified\n"
    "- 269 wraps of crack cocaine\n"
    "- 56.5g and 40 wraps of heroin, worth an estimated \xc2\xa3" "3,150\n"
    "- 4 weapons seized: 2 machetes, 1 knife and 1 zombie knife\n"
    "- 14 phones seized\n"
    "- 3 Rolex watches, yet to be valued\n"
    "- 11 cuckooed addresses visited\n"
    "- 4 schools visited\n"
    "- 450 diversion messages sent to deal-line customers\n";

static void text_reads_like_a_press_release(void **state) {
  fixture *f = *state;
  import_week1(f);
  char *text = render(f, OP1, "Hampshire", 0, LS_OPS_FORMAT_TEXT);
  assert_string_equal(text, hampshire_text);
  ls_ops_free(text);

  text = render(f, OP1, NULL, 1, LS_OPS_FORMAT_TEXT);
  static const char *const lines[] = {
      "National, 2024-10 intensification (7 to 13 October 2024): 28 arrests, 11 people safeguarded and 8 deal "
      "lines closed.\n",
      "- 11 people safeguarded: 2 adult males, 3 adult females and 6 juveniles\n",
      "- \xc2\xa3" "154,972.50 in cash seized, plus 1 cash seizure yet to be counted\n",
      "- 1.25kg of cocaine, worth an estimated \xc2\xa3" "45,000, plus 1 further seizure yet to be quantified\n",
      "- 12.25g and 299 wraps of crack cocaine, worth an estimated \xc2\xa3" "600 (1 of 2 seizures valued)\n",
      "- 3.301kg of cannabis, worth an estimated \xc2\xa3" "25,000 (1 of 2 seizures valued)\n",
      "- 2 seizures of ketamine, yet to be quantified\n",
      "- 7 weapons seized: 3 knives, 2 machetes, 1 firearm and 1 zombie knife\n",
      "- 4 Rolex watches: 1 valued at \xc2\xa3" "8,000, 3 yet to be valued\n",
      "- 2 designer handbags, valued at \xc2\xa3" "1,200.50\n",
      "- 2 county lines networks disrupted\n",
      "Share by force and unit (4 forces and units):\n",
      "- SEROCU: 3 arrests (10.7%), 0 people safeguarded (0.0%), 2 deal lines closed (25.0%), 4 warrants "
      "executed (30.8%), \xc2\xa3" "100,000 in cash (64.5%)\n",
  };
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
    if (!strstr(text, lines[i]))
      fail_msg("missing line: %s\nin:\n%s", lines[i], text);
  assert_null(strstr(text, "\xc2\xa3" "0 ")); /* never "£0" for something not valued */
  assert_null(strstr(text, "\xc2\xa3" "0,"));
  ls_ops_free(text);
}

static void html_holds_the_figures_and_nothing_external(void **state) {
  fixture *f = *state;
  import_week1(f);
  char *html = render(f, OP1, NULL, 1, LS_OPS_FORMAT_HTML);
  assert_non_null(strstr(html, "<!DOCTYPE html>"));
  assert_non_null(strstr(html, "28 arrests, including 9 aged under 18"));
  assert_non_null(strstr(html, "\xc2\xa3" "154,972.50 in cash seized"));
  assert_non_null(strstr(html, "4 Rolex watches: 1 valued at"));
  assert_non_null(strstr(html, "Seizures by type"));
  assert_non_null(strstr(html, "Arrests by age band"));
  assert_non_null(strstr(html, "Arrests and people safeguarded by force"));
  assert_non_null(strstr(html, "<td>64.5%</td>")); /* SEROCU's share of the cash */
  assert_null(strstr(html, "src="));
  assert_null(strstr(html, "href="));
  assert_null(strstr(html, "url("));
  assert_null(strstr(html, "<script"));
  ls_ops_free(html);
}

static void pdf_and_xlsx_files_are_written(void **state) {
  fixture *f = *state;
  import_week1(f);
  ls_ops_scope scope = {OP1, NULL, 1};
  ls_ops_report *r = NULL;
  ls_error err;
  assert_int_equal(ls_ops_report_build(f->st, &scope, &r, &err), LS_OK);
  char path[160];
  unsigned char magic[4];
  snprintf(path, sizeof path, "%s/r.pdf", f->dir);
  assert_int_equal(ls_ops_report_save(r, LS_OPS_FORMAT_PDF, path, &err), LS_OK);
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fread(magic, 1, 4, fp), 4);
  fclose(fp);
  assert_memory_equal(magic, "%PDF", 4);
  snprintf(path, sizeof path, "%s/r.xlsx", f->dir);
  assert_int_equal(ls_ops_report_save(r, LS_OPS_FORMAT_XLSX, path, &err), LS_OK);
  fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fread(magic, 1, 4, fp), 4);
  fclose(fp);
  assert_memory_equal(magic, "PK\x03\x04", 4); /* a zip container */
  /* a file that cannot be written is an error, not a crash */
  assert_int_equal(ls_ops_report_save(r, LS_OPS_FORMAT_PDF, "/nonexistent-dir/r.pdf", &err), LS_ERR_IO);
  char *text = NULL;
  assert_int_equal(ls_ops_report_render(r, LS_OPS_FORMAT_PDF, &text, NULL, &err), LS_ERR_USAGE);
  ls_ops_report_free(r);
}

typedef struct rejects {
  long lines[16];
  int columns[16];
  int n;
} rejects;

static ls_status collect(void *ctx, const ls_error *problem, const char *raw, size_t raw_len) {
  rejects *r = ctx;
  assert_true(raw_len > 0 && raw != NULL);
  assert_int_equal(problem->code, LS_ERR_INPUT);
  if (r->n < 16) {
    r->lines[r->n] = problem->line;
    r->columns[r->n] = problem->column;
  }
  r->n++;
  return LS_OK;
}

static int64_t stored_rows(fixture *f) {
  int64_t n = -1;
  ls_error err;
  assert_int_equal(ls_store_query_int64(f->st, "SELECT COUNT(*) FROM ops_results", &n, &err), LS_OK);
  return n;
}

static void bad_rows_refuse_the_whole_file(void **state) {
  fixture *f = *state;
  rejects rj = {0};
  ls_ops_import_opts opts = {0, collect, &rj, NULL};
  ls_ops_import_stats stats;
  ls_error err;
  ls_error_clear(&err);
  assert_int_equal(ls_ops_results_import(f->st, data("bad_rows.csv"), &opts, &stats, &err), LS_ERR_INPUT);
  assert_int_equal(stored_rows(f), 0);
  assert_int_equal(stats.rows_read, 10);
  assert_int_equal(stats.rows_rejected, 7);
  assert_int_equal(stats.rows_stored, 0);
  assert_string_equal(stats.quarantine_file, "");
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 8);
  assert_non_null(strstr(err.file, "bad_rows.csv"));
  assert_non_null(strstr(err.message, "nothing imported: 7 bad rows of 10"));
  static const long want_lines[] = {3, 5, 6, 7, 8, 9, 11};
  static const int want_cols[] = {8, 4, 3, 6, 11, 9};
  assert_int_equal(rj.n, 7);
  for (int i = 0; i < 7; i++)
    assert_int_equal(rj.lines[i], want_lines[i]);
  for (int i = 0; i < 6; i++)
    assert_int_equal(rj.columns[i], want_cols[i]);

  /* refused, so not remembered: with --skip-bad the same file goes in */
  rj.n = 0;
  opts.skip_bad = 1;
  assert_int_equal(ls_ops_results_import(f->st, data("bad_rows.csv"), &opts, &stats, &err), LS_OK);
  assert_int_equal(stats.rows_stored, 3);
  assert_int_equal(stats.rows_rejected, 7);
  assert_int_equal(stored_rows(f), 3);
  assert_non_null(strstr(stats.quarantine_file, f->dir)); /* beside the store */
  FILE *q = fopen(stats.quarantine_file, "r");
  assert_non_null(q);
  char line[1024];
  int n = 0;
  while (fgets(line, sizeof line, q))
    n++;
  fclose(q);
  assert_int_equal(n, 8); /* header + 7 bad rows */

  /* the same file again: refused as a duplicate, nothing added */
  assert_int_equal(ls_ops_results_import(f->st, data("bad_rows.csv"), &opts, &stats, &err), LS_ERR_DUPLICATE);
  assert_int_equal(stored_rows(f), 3);
}

static void duplicates_and_unknown_names_are_refused(void **state) {
  fixture *f = *state;
  import_week1(f);
  ls_ops_import_stats stats;
  ls_error err;
  assert_int_equal(ls_ops_results_import(f->st, data("week1_btp_serocu.csv"), NULL, &stats, &err),
                   LS_ERR_DUPLICATE);
  assert_non_null(strstr(err.message, "already imported"));
  assert_int_equal(stored_rows(f), 61);

  ls_ops_scope scope = {"no such week", NULL, 0};
  ls_ops_report *r = NULL;
  assert_int_equal(ls_ops_report_build(f->st, &scope, &r, &err), LS_ERR_NOTFOUND);
  assert_null(r);
  ls_ops_scope s2 = {OP1, "Kent", 0};
  assert_int_equal(ls_ops_report_build(f->st, &s2, &r, &err), LS_ERR_NOTFOUND);
  ls_ops_scope s3 = {OP1, "Kent", 1};
  assert_int_equal(ls_ops_report_build(f->st, &s3, &r, &err), LS_ERR_USAGE);

  ls_ops_operation *ops = NULL;
  size_t n = 0;
  import_ok(f, "week2_hampshire_btp.csv", 10);
  assert_int_equal(ls_ops_operations_list(f->st, &ops, &n, &err), LS_OK);
  assert_int_equal(n, 2);
  assert_string_equal(ops[0].name, OP1);
  assert_int_equal(ops[0].records, 61);
  assert_int_equal(ops[0].nforces, 4);
  assert_string_equal(ops[0].first_date, "2024-10-07");
  assert_string_equal(ops[0].last_date, "2024-10-13");
  assert_string_equal(ops[1].forces[0], "BTP");
  assert_string_equal(ops[1].last_date, "2025-03-16");
  ls_ops_operations_free(ops, n);
}

static void comparison_gives_each_change(void **state) {
  fixture *f = *state;
  import_week1(f);
  import_ok(f, "week2_hampshire_btp.csv", 10);
  char *text = NULL;
  size_t len = 0;
  ls_error err;
  assert_int_equal(ls_ops_compare_render(f->st, OP1, OP2, NULL, LS_OPS_FORMAT_JSON, &text, &len, &err), LS_OK);
  json_error_t je;
  json_t *o = json_loads(text, 0, &je);
  ls_ops_free(text);
  assert_non_null(o);
  json_t *ch = json_object_get(o, "changes");
  json_t *arrests = find(ch, "measure", "arrests");
  assert_int_equal(jint(arrests, "before"), 28);
  assert_int_equal(jint(arrests, "after"), 18);
  assert_int_equal(jint(arrests, "change"), -10);
  json_t *cash = find(ch, "measure", "cash_gbp");
  assert_int_equal(jint(cash, "before_pence"), 15497250);
  assert_int_equal(jint(cash, "after_pence"), 1250000);
  json_decref(o);

  assert_int_equal(ls_ops_compare_render(f->st, OP1, OP2, NULL, LS_OPS_FORMAT_TEXT, &text, &len, &err), LS_OK);
  assert_non_null(strstr(text, "arrests                                  28             18  -10 (-35.7%)\n"));
  assert_non_null(strstr(text, "-\xc2\xa3" "142,472.50 (-91.9%)\n"));
  assert_non_null(strstr(text, "warrants executed                        13              0  -13 (-100.0%)\n"));
  ls_ops_free(text);
  assert_int_equal(ls_ops_compare_render(f->st, OP1, "nope", NULL, LS_OPS_FORMAT_TEXT, &text, &len, &err),
                   LS_ERR_NOTFOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(money_is_parsed_to_exact_pence),
      cmocka_unit_test(grams_counts_and_dates_are_checked),
      cmocka_unit_test(records_are_validated_by_kind),
      cmocka_unit_test(money_weights_and_plurals_read_as_published),
      cmocka_unit_test_setup_teardown(national_totals_are_exact, setup, teardown),
      cmocka_unit_test_setup_teardown(text_reads_like_a_press_release, setup, teardown),
      cmocka_unit_test_setup_teardown(html_holds_the_figures_and_nothing_external, setup, teardown),
      cmocka_unit_test_setup_teardown(pdf_and_xlsx_files_are_written, setup, teardown),
      cmocka_unit_test_setup_teardown(bad_rows_refuse_the_whole_file, setup, teardown),
      cmocka_unit_test_setup_teardown(duplicates_and_unknown_names_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(comparison_gives_each_change, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
