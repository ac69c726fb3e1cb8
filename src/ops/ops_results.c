/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Week-of-action result records: validation of one record, import of a CSV
 * file (all or nothing, or with bad rows quarantined), storage and listing.
 *
 * Money and weights are parsed by hand into integers (pence, milligrams)
 * rather than with strtod: a press release must add £30,240.89 to £20,031.11
 * and print £50,272 exactly, which binary floating point does not promise. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_buf.h"
#include "../core/ls_mem.h"
#include "../ingest/ingest_csv.h"
#include "linesight/ls_time.h"
#include "ops_internal.h"

const char *const ls_ops_column_names[LS_OPS_COLS] = {
    "operation", "force",    "date",   "kind",     "category", "item",        "count", "value_gbp",
    "weight_g",  "wraps",    "age_band", "sex",    "area",     "out_of_area", "note"};

static const char *const kind_names[LS_OPS_KIND_COUNT] = {
    "arrest", "safeguard", "warrant", "stop_search", "seizure",
    "visit",  "line_closed", "messages_sent", "network_disrupted"};

const char *const ls__ops_seizure_names[LS__OPS_SEIZE_CATEGORIES] = {"cash",  "drug",    "weapon",
                                                                     "phone", "vehicle", "other"};
const char *const ls__ops_visit_names[LS__OPS_VISITS] = {"cuckooed_address", "school", "landlord",
                                                         "vehicle_check"};
static const char *const closure_names[] = {"type_1", "type_2"};

/* Text limits per field: longer values are refused, not truncated. Names of
 * forces and operations are short in every published release; notes get
 * room for a sentence or two. */
#define OP_NAME_MAX 200
#define FORCE_NAME_MAX 100
#define ITEM_MAX 200
#define AREA_MAX 200
#define NOTE_MAX 2000
/* Upper bounds that catch a mistyped figure (an extra digit run) without
 * ever binding on a real week of action: national totals are in the low
 * thousands of arrests and millions of pounds (DOMAIN.md, The response). */
#define MONEY_MAX_PENCE 1000000000000LL /* £10bn */
#define WEIGHT_MAX_MG 1000000000000LL   /* 1,000 tonnes */
#define COUNT_MAX 1000000000LL

const char *ls_ops_kind_name(ls_ops_kind kind) {
  return (unsigned)kind < LS_OPS_KIND_COUNT ? kind_names[kind] : "";
}

void ls_ops_record_clear(ls_ops_record *r) {
  if (!r)
    return;
  ls_free(r->operation);
  ls_free(r->force);
  ls_free(r->category);
  ls_free(r->item);
  ls_free(r->area);
  ls_free(r->note);
  memset(r, 0, sizeof *r);
}

void ls_ops_free(void *p) { ls_free(p); }

/* ---- exact number parsers ------------------------------------------------ */

static void trim(const char **s, size_t *len) {
  while (*len && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*len)--;
  }
  while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
    (*len)--;
}

/* Digits with optional thousands commas, then optionally '.' and decimals.
 * Result = value * 10^scale, exactly. Extra decimals are allowed only when
 * they are zeros ("12.500" is 12.50 pounds). */
static ls_status parse_fixed(const char *s, size_t len, int scale, int64_t limit, int64_t *out,
                             const char **reason) {
  static const char *const too_many[] = {"not a whole number", "more than one decimal place",
                                         "more than two decimal places", "more than three decimal places"};
  trim(&s, &len);
  if (len == 0)
    return (*reason = "empty", LS_ERR_INPUT);
  if (s[0] == '-')
    return (*reason = "negative", LS_ERR_INPUT);
  size_t i = 0, digits = 0, group = 0;
  int commas = 0;
  int64_t v = 0;
  for (; i < len && s[i] != '.'; i++) {
    if (s[i] == ',') {
      /* thousands separators: 1-3 digits before the first, 3 between */
      if (digits == 0 || (commas ? group != 3 : group > 3))
        return (*reason = "misplaced thousands separator", LS_ERR_INPUT);
      commas = 1;
      group = 0;
      continue;
    }
    if (s[i] < '0' || s[i] > '9')
      return (*reason = "not a number", LS_ERR_INPUT);
    if (v > (INT64_MAX - 9) / 10)
      return (*reason = "too large", LS_ERR_INPUT);
    v = v * 10 + (s[i] - '0');
    digits++;
    group++;
  }
  if (commas && group != 3)
    return (*reason = "misplaced thousands separator", LS_ERR_INPUT);
  int decimals = 0;
  int64_t frac = 0;
  if (i < len) { /* s[i] == '.' */
    i++;
    if (i == len)
      return (*reason = "no digits after the decimal point", LS_ERR_INPUT);
    for (; i < len; i++) {
      if (s[i] < '0' || s[i] > '9')
        return (*reason = "not a number", LS_ERR_INPUT);
      if (decimals < scale) {
        frac = frac * 10 + (s[i] - '0');
        decimals++;
      } else if (s[i] != '0') {
        return (*reason = too_many[scale], LS_ERR_INPUT);
      }
      digits++;
    }
  }
  if (digits == 0)
    return (*reason = "not a number", LS_ERR_INPUT);
  for (; decimals < scale; decimals++)
    frac *= 10;
  int64_t mult = 1;
  for (int k = 0; k < scale; k++)
    mult *= 10;
  if (v > (limit - frac) / mult)
    return (*reason = "too large", LS_ERR_INPUT);
  *out = v * mult + frac;
  return LS_OK;
}

ls_status ls_ops_parse_money(const char *s, size_t len, int64_t *pence, const char **reason) {
  trim(&s, &len);
  /* a pound sign (UTF-8 C2 A3) may lead: "£1,250.50" as pasted from a release */
  if (len >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA3) {
    s += 2;
    len -= 2;
  }
  return parse_fixed(s, len, 2, MONEY_MAX_PENCE, pence, reason);
}

ls_status ls_ops_parse_grams(const char *s, size_t len, int64_t *mg, const char **reason) {
  return parse_fixed(s, len, 3, WEIGHT_MAX_MG, mg, reason);
}

ls_status ls_ops_parse_count(const char *s, size_t len, int64_t *n, const char **reason) {
  return parse_fixed(s, len, 0, COUNT_MAX, n, reason);
}

ls_status ls_ops_parse_date(const char *s, size_t len, char out[LS_OPS_DATE_MAX], const char **reason) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  trim(&s, &len);
  if (len != 10 || s[4] != '-' || s[7] != '-')
    return (*reason = "not an ISO date (YYYY-MM-DD)", LS_ERR_INPUT);
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return (*reason = "not an ISO date (YYYY-MM-DD)", LS_ERR_INPUT);
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 1900 || y > 2999)
    return (*reason = "year out of range (1900-2999)", LS_ERR_INPUT);
  if (m < 1 || m > 12)
    return (*reason = "no such month", LS_ERR_INPUT);
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int maxd = mdays[m - 1] + (m == 2 && leap);
  if (d < 1 || d > maxd)
    return (*reason = "no such day in that month", LS_ERR_INPUT);
  memcpy(out, s, 10);
  out[10] = '\0';
  return LS_OK;
}

/* ---- one record ------------------------------------------------------- */

/* Compares a value with a name, case-insensitively, reading ' ' and '-' in
 * the value as '_' ("Stop search", "stop-search" -> stop_search). */
static int name_eq(const char *s, size_t len, const char *name) {
  size_t n = strlen(name);
  if (len != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c == ' ' || c == '-')
      c = '_';
    if (c != name[i])
      return 0;
  }
  return 1;
}

static int lookup(const char *s, size_t len, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (name_eq(s, len, names[i]))
      return i;
  return -1;
}

/* A printable excerpt of a bad value for a reason text. */
static void excerpt(const char *s, size_t len, char *out, size_t size) {
  size_t j = 0;
  for (size_t i = 0; i < len && j + 4 < size; i++)
    out[j++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
  if (j + 4 >= size && len > j) {
    out[j++] = '.';
    out[j++] = '.';
    out[j++] = '.';
  }
  out[j] = '\0';
}

static int valid_utf8(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned c = p[i];
    size_t n;
    unsigned min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, min = 0x10000, c &= 0x07;
    } else {
      return 0;
    }
    if (i + n >= len)
      return 0;
    for (size_t k = 1; k <= n; k++) {
      if ((p[i + k] & 0xC0) != 0x80)
        return 0;
      c = (c << 6) | (p[i + k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
      return 0;
    i += n + 1;
  }
  return 1;
}

typedef struct parse_ctx {
  const ls_ops_row_text *row;
  int *column;
  char *reason;
} parse_ctx;

static void cell(const parse_ctx *c, int col, const char **s, size_t *len) {
  *s = c->row->text[col] ? c->row->text[col] : "";
  *len = c->row->text[col] ? c->row->len[col] : 0;
  trim(s, len);
}

static ls_status bad(const parse_ctx *c, int col, const char *fmt, const char *value, size_t vlen,
                     const char *why) {
  char ex[48];
  excerpt(value, vlen, ex, sizeof ex);
  *c->column = col;
  snprintf(c->reason, LS_OPS_REASON_MAX, fmt, ls_ops_column_names[col], ex, why);
  return LS_ERR_INPUT;
}

/* Copies a text field: checks length, UTF-8 and (unless free text) control
 * characters; `lower` folds ASCII to lower case. */
static ls_status text_field(const parse_ctx *c, int col, size_t max, int required, int free_text,
                            int lower, char **out) {
  const char *s;
  size_t len;
  cell(c, col, &s, &len);
  if (required && len == 0)
    return bad(c, col, "%s: missing%.0s%.0s", s, 0, "");
  if (len > max) {
    char why[64];
    snprintf(why, sizeof why, "longer than %zu bytes", max);
    return bad(c, col, "%s: '%s': %s", s, len, why);
  }
  if (!valid_utf8(s, len))
    return bad(c, col, "%s: '%s': %s", s, len, "not valid UTF-8");
  if (!free_text)
    for (size_t i = 0; i < len; i++)
      if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
        return bad(c, col, "%s: '%s': %s", s, len, "holds a control character");
  char *p = ls_strndup(s, len);
  if (!p)
    return LS_ERR_NOMEM;
  if (lower)
    for (char *q = p; *q; q++)
      if (*q >= 'A' && *q <= 'Z')
        *q = (char)(*q - 'A' + 'a');
  *out = p;
  return LS_OK;
}

static ls_status must_be_empty(const parse_ctx *c, int col, const char *kind) {
  const char *s;
  size_t len;
  cell(c, col, &s, &len);
  if (len == 0)
    return LS_OK;
  char why[96];
  snprintf(why, sizeof why, "does not apply to %s (leave it empty)", kind);
  return bad(c, col, "%s: '%s': %s", s, len, why);
}

static ls_status number_field(const parse_ctx *c, int col,
                              ls_status (*parse)(const char *, size_t, int64_t *, const char **),
                              int64_t *out) {
  const char *s, *why = NULL;
  size_t len;
  cell(c, col, &s, &len);
  *out = -1;
  if (len == 0)
    return LS_OK;
  if (parse(s, len, out, &why))
    return bad(c, col, "%s: '%s': %s", s, len, why);
  return LS_OK;
}

ls_status ls_ops_record_parse(const ls_ops_row_text *row, ls_ops_record *out, int *column,
                              char reason[LS_OPS_REASON_MAX]) {
  parse_ctx c = {row, column, reason};
  const char *s, *why = NULL;
  size_t len;
  ls_status rc;
  int col;
  memset(out, 0, sizeof *out);
  out->value_pence = out->weight_mg = out->wraps = -1;
  *column = -1;
  reason[0] = '\0';

  rc = text_field(&c, LS_OPS_COL_OPERATION, OP_NAME_MAX, 1, 0, 0, &out->operation);
  if (rc)
    return rc;
  rc = text_field(&c, LS_OPS_COL_FORCE, FORCE_NAME_MAX, 1, 0, 0, &out->force);
  if (rc)
    return rc;
  cell(&c, LS_OPS_COL_DATE, &s, &len);
  if (len == 0)
    return bad(&c, LS_OPS_COL_DATE, "%s: missing%.0s%.0s", s, 0, "");
  if (ls_ops_parse_date(s, len, out->date, &why))
    return bad(&c, LS_OPS_COL_DATE, "%s: '%s': %s", s, len, why);

  cell(&c, LS_OPS_COL_KIND, &s, &len);
  if (len == 0)
    return bad(&c, LS_OPS_COL_KIND, "%s: missing%.0s%.0s", s, 0, "");
  int k = lookup(s, len, kind_names, LS_OPS_KIND_COUNT);
  if (k < 0)
    return bad(&c, LS_OPS_COL_KIND, "%s: '%s': %s", s, len,
               "not a kind (arrest, safeguard, warrant, stop_search, seizure, visit, line_closed, "
               "messages_sent, network_disrupted)");
  out->kind = (ls_ops_kind)k;
  const char *kname = kind_names[k];

  /* category, by kind */
  cell(&c, LS_OPS_COL_CATEGORY, &s, &len);
  int cat = -1;
  if (out->kind == LS_OPS_SEIZURE) {
    if (len == 0)
      return bad(&c, LS_OPS_COL_CATEGORY, "%s: missing%.0s%s", s, 0,
                 " (a seizure needs cash, drug, weapon, phone, vehicle or other)");
    cat = lookup(s, len, ls__ops_seizure_names, LS__OPS_SEIZE_CATEGORIES);
    if (cat < 0)
      return bad(&c, LS_OPS_COL_CATEGORY, "%s: '%s': %s", s, len,
                 "not a seizure category (cash, drug, weapon, phone, vehicle, other)");
    rc = (out->category = ls_strdup(ls__ops_seizure_names[cat])) ? LS_OK : LS_ERR_NOMEM;
  } else if (out->kind == LS_OPS_VISIT) {
    if (len == 0)
      return bad(&c, LS_OPS_COL_CATEGORY, "%s: missing%.0s%s", s, 0,
                 " (a visit needs cuckooed_address, school, landlord or vehicle_check)");
    cat = lookup(s, len, ls__ops_visit_names, LS__OPS_VISITS);
    if (cat < 0)
      return bad(&c, LS_OPS_COL_CATEGORY, "%s: '%s': %s", s, len,
                 "not a visit category (cuckooed_address, school, landlord, vehicle_check)");
    rc = (out->category = ls_strdup(ls__ops_visit_names[cat])) ? LS_OK : LS_ERR_NOMEM;
  } else if (out->kind == LS_OPS_LINE_CLOSED && len) {
    /* DOMAIN.md: Type 1 = holder charged and number kept dead; Type 2 =
     * number or SIM deactivated only */
    cat = lookup(s, len, closure_names, 2);
    if (cat < 0)
      return bad(&c, LS_OPS_COL_CATEGORY, "%s: '%s': %s", s, len,
                 "not a closure type (type_1, type_2, or empty)");
    rc = (out->category = ls_strdup(closure_names[cat])) ? LS_OK : LS_ERR_NOMEM;
  } else {
    rc = must_be_empty(&c, LS_OPS_COL_CATEGORY, kname);
    if (rc == LS_OK)
      rc = (out->category = ls_strdup("")) ? LS_OK : LS_ERR_NOMEM;
  }
  if (rc)
    return rc;

  /* item: the drug, the weapon, the other thing seized */
  if (out->kind == LS_OPS_SEIZURE) {
    int needs = cat == LS__OPS_SEIZE_DRUG || cat == LS__OPS_SEIZE_WEAPON || cat == LS__OPS_SEIZE_OTHER;
    int lower = cat == LS__OPS_SEIZE_DRUG || cat == LS__OPS_SEIZE_WEAPON;
    rc = text_field(&c, LS_OPS_COL_ITEM, ITEM_MAX, needs, 0, lower, &out->item);
    if (rc == LS_OK && cat == LS__OPS_SEIZE_DRUG && !strcmp(out->item, "crack cocaine"))
      out->item[5] = '\0'; /* one name per drug: "crack cocaine" is "crack" */
  } else {
    rc = must_be_empty(&c, LS_OPS_COL_ITEM, kname);
    if (rc == LS_OK)
      rc = (out->item = ls_strdup("")) ? LS_OK : LS_ERR_NOMEM;
  }
  if (rc)
    return rc;

  /* count: default 1, never 0 (a row records something that happened) */
  rc = number_field(&c, LS_OPS_COL_COUNT, ls_ops_parse_count, &out->count);
  if (rc)
    return rc;
  if (out->count == -1)
    out->count = 1;
  else if (out->count == 0) {
    cell(&c, LS_OPS_COL_COUNT, &s, &len);
    return bad(&c, LS_OPS_COL_COUNT, "%s: '%s': %s", s, len, "must be at least 1");
  }

  /* money, weight, wraps: seizures only; weight and wraps: drugs only */
  if (out->kind == LS_OPS_SEIZURE)
    rc = number_field(&c, LS_OPS_COL_VALUE_GBP, ls_ops_parse_money, &out->value_pence);
  else
    rc = must_be_empty(&c, LS_OPS_COL_VALUE_GBP, kname);
  if (rc)
    return rc;
  for (col = LS_OPS_COL_WEIGHT_G; col <= LS_OPS_COL_WRAPS; col++) {
    int64_t *dst = col == LS_OPS_COL_WEIGHT_G ? &out->weight_mg : &out->wraps;
    if (out->kind == LS_OPS_SEIZURE && cat == LS__OPS_SEIZE_DRUG)
      rc = number_field(&c, col, col == LS_OPS_COL_WEIGHT_G ? ls_ops_parse_grams : ls_ops_parse_count,
                        dst);
    else
      rc = must_be_empty(&c, col, out->kind == LS_OPS_SEIZURE ? "a seizure other than drugs" : kname);
    if (rc)
      return rc;
  }

  /* people: age band, sex, out of area */
  int people = out->kind == LS_OPS_ARREST || out->kind == LS_OPS_SAFEGUARD || out->kind == LS_OPS_STOP_SEARCH;
  if (!people) {
    for (col = LS_OPS_COL_AGE_BAND; col <= LS_OPS_COL_OUT_OF_AREA; col++) {
      if (col == LS_OPS_COL_AREA)
        continue;
      rc = must_be_empty(&c, col, kname);
      if (rc)
        return rc;
    }
  } else {
    static const char *const ages[] = {"under_18", "adult"};
    static const char *const sexes[] = {"male", "female", "unknown"};
    static const char *const yesno[] = {"yes", "no"};
    cell(&c, LS_OPS_COL_AGE_BAND, &s, &len);
    if (len) {
      int a = lookup(s, len, ages, 2);
      if (a < 0)
        return bad(&c, LS_OPS_COL_AGE_BAND, "%s: '%s': %s", s, len, "not an age band (under_18, adult)");
      out->age = a == 0 ? LS_OPS_AGE_UNDER_18 : LS_OPS_AGE_ADULT;
    }
    cell(&c, LS_OPS_COL_SEX, &s, &len);
    if (len) {
      int x = lookup(s, len, sexes, 3);
      if (x < 0)
        return bad(&c, LS_OPS_COL_SEX, "%s: '%s': %s", s, len, "not a sex (male, female, unknown)");
      out->sex = x == 0 ? LS_OPS_SEX_MALE : x == 1 ? LS_OPS_SEX_FEMALE : LS_OPS_SEX_UNKNOWN;
    }
    cell(&c, LS_OPS_COL_OUT_OF_AREA, &s, &len);
    if (len) {
      int y = lookup(s, len, yesno, 2);
      if (y < 0)
        return bad(&c, LS_OPS_COL_OUT_OF_AREA, "%s: '%s': %s", s, len, "not yes or no");
      out->out_of_area = y == 0;
    }
  }
  rc = text_field(&c, LS_OPS_COL_AREA, AREA_MAX, 0, 0, 0, &out->area);
  if (rc == LS_OK)
    rc = text_field(&c, LS_OPS_COL_NOTE, NOTE_MAX, 0, 1, 0, &out->note);
  return rc;
}

/* ---- storage ------------------------------------------------------------ */

static const char insert_sql[] =
    "INSERT INTO ops_results(import_id, source, line, operation, force, date, kind, category, item,"
    " count, value_pence, weight_mg, wraps, age_band, sex, area, out_of_area, note)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";


static void bind_opt(ls_stmt *s, int idx, int64_t v) {
  if (v < 0)
    ls_stmt_bind_null(s, idx);
  else
    ls_stmt_bind_int64(s, idx, v);
}

/* Inserts the records; import_id < 0 stores NULL. Caller holds the
 * transaction. O(n). */
static ls_status insert_records(ls_store *st, int64_t import_id, const char *source,
                                const ls_ops_record *recs, size_t n, ls_error *err) {
  ls_stmt *ins = NULL;
  ls_status rc = ls_stmt_prepare(st, insert_sql, &ins, err);
  for (size_t i = 0; rc == LS_OK && i < n; i++) {
    const ls_ops_record *r = &recs[i];
    ls_stmt_reset(ins);
    bind_opt(ins, 1, import_id);
    ls_stmt_bind_str(ins, 2, source);
    ls_stmt_bind_int64(ins, 3, r->line);
    ls_stmt_bind_str(ins, 4, r->operation);
    ls_stmt_bind_str(ins, 5, r->force);
    ls_stmt_bind_str(ins, 6, r->date);
    ls_stmt_bind_str(ins, 7, ls_ops_kind_name(r->kind));
    ls_stmt_bind_str(ins, 8, r->category ? r->category : "");
    ls_stmt_bind_str(ins, 9, r->item ? r->item : "");
    ls_stmt_bind_int64(ins, 10, r->count);
    bind_opt(ins, 11, r->value_pence);
    bind_opt(ins, 12, r->weight_mg);
    bind_opt(ins, 13, r->wraps);
    if (r->age == LS_OPS_AGE_UNKNOWN)
      ls_stmt_bind_null(ins, 14);
    else
      ls_stmt_bind_str(ins, 14, r->age == LS_OPS_AGE_UNDER_18 ? "under_18" : "adult");
    if (r->sex == LS_OPS_SEX_UNKNOWN)
      ls_stmt_bind_null(ins, 15);
    else
      ls_stmt_bind_str(ins, 15, r->sex == LS_OPS_SEX_MALE ? "male" : "female");
    ls_stmt_bind_str(ins, 16, r->area ? r->area : "");
    ls_stmt_bind_int64(ins, 17, r->out_of_area);
    ls_stmt_bind_str(ins, 18, r->note ? r->note : "");
    rc = ls_stmt_step(ins, err);
    if (rc == LS_DONE)
      rc = LS_OK;
  }
  ls_stmt_finalize(ins);
  return rc;
}

ls_status ls_ops_results_store(ls_store *st, const ls_ops_record *recs, size_t n, const char *source,
                               ls_error *err) {
  ls_status rc = ls_store_begin(st, err);
  if (rc)
    return rc;
  rc = insert_records(st, -1, source ? source : "", recs, n, err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

/* ---- import ------------------------------------------------------------- */

static ls_status sha256_file(const char *path, char hex[65], ls_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
  if (sodium_init() < 0) {
    fclose(f);
    return LS_FAIL(err, LS_ERR_INTERNAL, "libsodium failed to initialise");
  }
  crypto_hash_sha256_state h;
  crypto_hash_sha256_init(&h);
  unsigned char chunk[65536];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    crypto_hash_sha256_update(&h, chunk, got);
  int failed = ferror(f);
  fclose(f);
  if (failed)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "read error");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&h, digest);
  sodium_bin2hex(hex, 65, digest, sizeof digest);
  return LS_OK;
}

typedef struct rec_vec {
  ls_ops_record *v;
  size_t n, cap;
} rec_vec;

static void rec_vec_free(rec_vec *rv) {
  for (size_t i = 0; i < rv->n; i++)
    ls_ops_record_clear(&rv->v[i]);
  ls_free(rv->v);
  memset(rv, 0, sizeof *rv);
}

static ls_status rec_vec_push(rec_vec *rv, ls_ops_record *r) {
  if (rv->n == rv->cap) {
    size_t cap = rv->cap ? rv->cap * 2 : 64;
    ls_ops_record *v = ls_reallocarray(rv->v, cap, sizeof *v);
    if (!v)
      return LS_ERR_NOMEM;
    rv->v = v;
    rv->cap = cap;
  }
  rv->v[rv->n++] = *r;
  memset(r, 0, sizeof *r);
  return LS_OK;
}

/* Appends one CSV field, quoted when it needs to be. */
static ls_status csv_put(ls_buf *b, const char *s, size_t len) {
  int quote = 0;
  for (size_t i = 0; i < len && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote)
    return ls_buf_append(b, s, len);
  ls_status rc = ls_buf_append(b, "\"", 1);
  for (size_t i = 0; rc == LS_OK && i < len; i++)
    rc = s[i] == '"' ? ls_buf_append(b, "\"\"", 2) : ls_buf_append(b, &s[i], 1);
  return rc ? rc : ls_buf_append(b, "\"", 1);
}

/* Where the quarantine CSV goes: <dir>/<input stem>-<sha12>.quarantine.csv,
 * dir being the store's directory (SQLite) or ".". */
static void quarantine_path(ls_store *st, const ls_ops_import_opts *opts, const char *input,
                            const char *sha, char *out, size_t size) {
  char dir[LS_OPS_PATH_MAX] = ".";
  if (opts && opts->quarantine_dir) {
    snprintf(dir, sizeof dir, "%s", opts->quarantine_dir);
  } else if (!strcmp(ls_store_backend(st), "sqlite")) {
    const char *loc = ls_store_location(st);
    const char *slash = strrchr(loc, '/');
    if (slash)
      snprintf(dir, sizeof dir, "%.*s", (int)(slash - loc == 0 ? 1 : slash - loc), loc);
  }
  const char *base = strrchr(input, '/');
  base = base ? base + 1 : input;
  size_t stem = strlen(base);
  if (stem > 4 && !strcmp(base + stem - 4, ".csv"))
    stem -= 4;
  if (stem > 200)
    stem = 200;
  snprintf(out, size, "%s/%.*s-%.12s.quarantine.csv", dir, (int)stem, base, sha);
}

static ls_status write_file(const char *path, const char *data, size_t len, ls_error *err) {
  char tmp[LS_OPS_PATH_MAX + 16];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
  int ok = fwrite(data, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    remove(tmp);
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
  }
  return LS_OK;
}

typedef struct import_state {
  const char *path;
  const ls_ops_import_opts *opts;
  ls_ops_import_stats *stats;
  ls_buf quarantine;
  ls_error first; /* the first bad row */
} import_state;

static ls_status reject(import_state *is, long line, int column, const char *reason, const char *raw,
                        size_t raw_len) {
  ls_error problem;
  ls_error_clear(&problem);
  ls_error_set(&problem, LS_ERR_INPUT, is->path, line, column, "%s", reason);
  if (is->stats->rows_rejected++ == 0)
    is->first = problem;
  char num[24];
  int n = snprintf(num, sizeof num, "%ld,", line);
  ls_status rc = ls_buf_append(&is->quarantine, num, (size_t)n);
  if (rc == LS_OK)
    rc = csv_put(&is->quarantine, reason, strlen(reason));
  if (rc == LS_OK)
    rc = ls_buf_append(&is->quarantine, ",", 1);
  if (rc == LS_OK)
    rc = ls_buf_append(&is->quarantine, raw, raw_len);
  if (rc == LS_OK)
    rc = ls_buf_append(&is->quarantine, "\n", 1);
  if (rc)
    return rc;
  if (is->opts && is->opts->on_reject)
    return is->opts->on_reject(is->opts->reject_ctx, &problem, raw, raw_len);
  return LS_OK;
}

static ls_status already_imported(ls_store *st, const char *path, const char *sha, ls_error *err) {
  ls_stmt *q = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT file_name, imported_at FROM ops_imports WHERE sha256 = ?", &q, err);
  if (rc)
    return rc;
  ls_stmt_bind_text(q, 1, sha, strlen(sha));
  rc = ls_stmt_step(q, err);
  if (rc == LS_ROW)
    rc = ls_error_set(err, LS_ERR_DUPLICATE, path, 0, 0,
                      "already imported (same SHA-256 as %s, imported %s); nothing imported",
                      ls_stmt_text(q, 0), ls_stmt_text(q, 1));
  ls_stmt_finalize(q);
  return rc;
}

static ls_status record_import(ls_store *st, const char *path, const ls_ops_import_stats *stats,
                               int64_t *id, ls_error *err) {
  ls_stmt *s = NULL;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  ls_status rc = ls_stmt_prepare(st,
                                 "INSERT INTO ops_imports(file_name, sha256, rows_read, rows_stored,"
                                 " rows_rejected, quarantine_file, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_str(s, 1, path);
  ls_stmt_bind_str(s, 2, stats->sha256);
  ls_stmt_bind_int64(s, 3, (int64_t)stats->rows_read);
  ls_stmt_bind_int64(s, 4, (int64_t)stats->rows_stored);
  ls_stmt_bind_int64(s, 5, (int64_t)stats->rows_rejected);
  if (stats->quarantine_file[0])
    ls_stmt_bind_str(s, 6, stats->quarantine_file);
  else
    ls_stmt_bind_null(s, 6);
  ls_stmt_bind_str(s, 7, now);
  rc = ls_stmt_step(s, err);
  ls_stmt_finalize(s);
  if (rc != LS_DONE)
    return rc ? rc : LS_FAIL(err, LS_ERR_DB, "unexpected row from INSERT");
  s = NULL;
  rc = ls_stmt_prepare(st, "SELECT id FROM ops_imports WHERE sha256 = ?", &s, err);
  if (rc)
    return rc;
  ls_stmt_bind_str(s, 1, stats->sha256);
  rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    *id = ls_stmt_int64(s, 0);
    rc = LS_OK;
  } else if (rc == LS_DONE) {
    rc = LS_FAIL(err, LS_ERR_DB, "import record vanished");
  }
  ls_stmt_finalize(s);
  return rc;
}

ls_status ls_ops_results_import(ls_store *st, const char *path, const ls_ops_import_opts *opts,
                                ls_ops_import_stats *stats, ls_error *err) {
  ls_csv csv;
  rec_vec recs = {0};
  ls_ops_record rec;
  import_state is;
  int in_tx = 0, wrote_quarantine = 0;
  memset(&csv, 0, sizeof csv);
  memset(&rec, 0, sizeof rec);
  memset(stats, 0, sizeof *stats);
  memset(&is, 0, sizeof is);
  is.path = path;
  is.opts = opts;
  is.stats = stats;
  ls_buf_init(&is.quarantine, LS_LIMIT_TEXT_OUTPUT);

  ls_csv_col cols[LS_OPS_COLS];
  for (int i = 0; i < LS_OPS_COLS; i++) {
    cols[i].name = ls_ops_column_names[i];
    cols[i].required = i <= LS_OPS_COL_KIND;
    cols[i].index = -1;
  }

  ls_status rc = sha256_file(path, stats->sha256, err);
  if (rc == LS_OK)
    rc = already_imported(st, path, stats->sha256, err);
  if (rc == LS_OK)
    rc = ls_csv_open(&csv, path, err);
  if (rc == LS_OK)
    rc = ls_csv_read_header(&csv, err);
  if (rc == LS_OK)
    rc = ls_csv_map_columns(&csv, cols, LS_OPS_COLS, err);
  if (rc)
    goto out;

  /* the quarantine file's header: where, why, then the file's own columns */
  rc = ls_buf_puts(&is.quarantine, "line,reason");
  for (size_t i = 0; rc == LS_OK && i < ls_csv_header_count(&csv); i++) {
    const char *name = ls_csv_header_name(&csv, i);
    rc = ls_buf_append(&is.quarantine, ",", 1);
    if (rc == LS_OK)
      rc = csv_put(&is.quarantine, name, strlen(name));
  }
  if (rc == LS_OK)
    rc = ls_buf_append(&is.quarantine, "\n", 1);
  if (rc)
    goto nomem;

  for (;;) {
    ls_status r = ls_csv_next(&csv);
    if (r == LS_DONE)
      break;
    size_t raw_len;
    const char *raw;
    if (r == LS_ERR_INPUT) {
      stats->rows_read++;
      raw = ls_csv_raw(&csv, &raw_len);
      rc = reject(&is, ls_csv_line(&csv), (int)ls_csv_error_field(&csv), ls_csv_reason(&csv), raw, raw_len);
      if (rc)
        goto stopped;
      continue;
    }
    if (r < 0) {
      rc = r;
      goto nomem;
    }
    stats->rows_read++;
    ls_ops_row_text row;
    for (int i = 0; i < LS_OPS_COLS; i++)
      row.text[i] = ls_csv_field(&csv, cols[i].index, &row.len[i]);
    int column = -1;
    char reason[LS_OPS_REASON_MAX];
    r = ls_ops_record_parse(&row, &rec, &column, reason);
    if (r == LS_ERR_INPUT) {
      ls_ops_record_clear(&rec);
      raw = ls_csv_raw(&csv, &raw_len);
      int at = column >= 0 && cols[column].index >= 0 ? (int)cols[column].index + 1 : 0;
      rc = reject(&is, ls_csv_line(&csv), at, reason, raw, raw_len);
      if (rc)
        goto stopped;
      continue;
    }
    if (r) {
      ls_ops_record_clear(&rec);
      rc = r;
      goto nomem;
    }
    rec.line = ls_csv_line(&csv);
    rc = rec_vec_push(&recs, &rec);
    if (rc) {
      ls_ops_record_clear(&rec);
      goto nomem;
    }
  }

  if (stats->rows_read == 0) {
    rc = ls_error_set(err, LS_ERR_INPUT, path, 0, 0, "no result records after the header; nothing imported");
    goto out;
  }
  if (stats->rows_rejected && !(opts && opts->skip_bad)) {
    char first[LS_ERROR_MESSAGE_MAX];
    snprintf(first, sizeof first, "%s", is.first.message);
    rc = ls_error_set(err, LS_ERR_INPUT, path, is.first.line, is.first.column,
                      "nothing imported: %llu bad row%s of %llu, the first: %s (--skip-bad imports the "
                      "rest and quarantines the bad rows)",
                      (unsigned long long)stats->rows_rejected, stats->rows_rejected == 1 ? "" : "s",
                      (unsigned long long)stats->rows_read, first);
    goto out;
  }
  stats->rows_stored = recs.n;
  if (stats->rows_rejected) {
    quarantine_path(st, opts, path, stats->sha256, stats->quarantine_file, sizeof stats->quarantine_file);
    rc = write_file(stats->quarantine_file, ls_buf_str(&is.quarantine), is.quarantine.len, err);
    if (rc) {
      stats->quarantine_file[0] = '\0';
      goto out;
    }
    wrote_quarantine = 1;
  }

  int64_t import_id = 0;
  rc = ls_store_begin(st, err);
  if (rc)
    goto out;
  in_tx = 1;
  rc = record_import(st, path, stats, &import_id, err);
  if (rc == LS_OK)
    rc = insert_records(st, import_id, path, recs.v, recs.n, err);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc == LS_OK)
    in_tx = 0;
  goto out;

nomem:
  if (rc == LS_ERR_NOMEM || rc == LS_ERR_LIMIT)
    rc = ls_error_set(err, rc, path, 0, 0, "%s while reading",
                      rc == LS_ERR_NOMEM ? "out of memory" : "size limit reached");
  goto out;
stopped:
  if (err && err->code == LS_OK)
    ls_error_set(err, rc, path, 0, 0, "import stopped");
out:
  if (in_tx)
    ls_store_rollback(st);
  if (rc && wrote_quarantine) {
    remove(stats->quarantine_file);
    stats->quarantine_file[0] = '\0';
  }
  if (rc)
    stats->rows_stored = 0;
  ls_csv_close(&csv);
  rec_vec_free(&recs);
  ls_buf_free(&is.quarantine);
  return rc;
}

/* ---- reading back ------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void ls_ops_operations_free(ls_ops_operation *ops, size_t n) {
  if (!ops)
    return;
  for (size_t i = 0; i < n; i++) {
    ls_free(ops[i].name);
    for (size_t k = 0; k < ops[i].nforces; k++)
      ls_free(ops[i].forces[k]);
    ls_free(ops[i].forces);
  }
  ls_free(ops);
}

ls_status ls_ops_operations_list(ls_store *st, ls_ops_operation **out, size_t *n, ls_error *err) {
  ls_stmt *q = NULL;
  ls_ops_operation *v = NULL;
  size_t cnt = 0, cap = 0;
  *out = NULL;
  *n = 0;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT operation, force, COUNT(*), MIN(date), MAX(date) FROM ops_results"
                                 " GROUP BY operation, force ORDER BY operation, force",
                                 &q, err);
  while (rc == LS_OK) {
    rc = ls_stmt_step(q, err);
    if (rc != LS_ROW)
      break;
    rc = LS_OK;
    const char *name = ls_stmt_text(q, 0);
    if (cnt == 0 || strcmp(v[cnt - 1].name, name)) {
      if (cnt == cap) {
        size_t nc = cap ? cap * 2 : 8;
        ls_ops_operation *nv = ls_reallocarray(v, nc, sizeof *nv);
        if (!nv) {
          rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
          break;
        }
        v = nv;
        cap = nc;
      }
      memset(&v[cnt], 0, sizeof v[cnt]);
      v[cnt].name = ls_strdup(name);
      cnt++;
      if (!v[cnt - 1].name) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
        break;
      }
    }
    ls_ops_operation *o = &v[cnt - 1];
    char **nf = ls_reallocarray(o->forces, o->nforces + 1, sizeof *nf);
    if (!nf) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      break;
    }
    o->forces = nf;
    nf[o->nforces] = ls_strdup(ls_stmt_text(q, 1));
    if (!nf[o->nforces]) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      break;
    }
    o->nforces++;
    o->records += ls_stmt_int64(q, 2);
    const char *lo = ls_stmt_text(q, 3), *hi = ls_stmt_text(q, 4);
    if (!o->first_date[0] || strcmp(lo, o->first_date) < 0)
      snprintf(o->first_date, sizeof o->first_date, "%s", lo);
    if (strcmp(hi, o->last_date) > 0)
      snprintf(o->last_date, sizeof o->last_date, "%s", hi);
  }
  ls_stmt_finalize(q);
  if (rc != LS_DONE && rc != LS_OK) {
    ls_ops_operations_free(v, cnt);
    return rc;
  }
  for (size_t i = 0; i < cnt; i++)
    ls_qsort(v[i].forces, v[i].nforces, sizeof *v[i].forces, cmp_str);
  *out = v;
  *n = cnt;
  return LS_OK;
}

ls_status ls__ops_load(ls_store *st, const char *operation, ls_ops_record **out, size_t *n, ls_error *err) {
  ls_stmt *q = NULL;
  rec_vec rv = {0};
  ls_ops_record r;
  memset(&r, 0, sizeof r);
  *out = NULL;
  *n = 0;
  ls_status rc = ls_stmt_prepare(st,
                                 "SELECT operation, force, date, kind, category, item, count, value_pence,"
                                 " weight_mg, wraps, age_band, sex, area, out_of_area, note, line"
                                 " FROM ops_results WHERE operation = ? ORDER BY force, date, id",
                                 &q, err);
  if (rc == LS_OK)
    ls_stmt_bind_text(q, 1, operation, strlen(operation));
  while (rc == LS_OK) {
    rc = ls_stmt_step(q, err);
    if (rc != LS_ROW)
      break;
    rc = LS_OK;
    memset(&r, 0, sizeof r);
    r.operation = ls_strdup(ls_stmt_text(q, 0));
    r.force = ls_strdup(ls_stmt_text(q, 1));
    snprintf(r.date, sizeof r.date, "%s", ls_stmt_text(q, 2));
    const char *kind = ls_stmt_text(q, 3);
    int k = lookup(kind, strlen(kind), kind_names, LS_OPS_KIND_COUNT);
    r.category = ls_strdup(ls_stmt_text(q, 4));
    r.item = ls_strdup(ls_stmt_text(q, 5));
    r.count = ls_stmt_int64(q, 6);
    r.value_pence = ls_stmt_is_null(q, 7) ? -1 : ls_stmt_int64(q, 7);
    r.weight_mg = ls_stmt_is_null(q, 8) ? -1 : ls_stmt_int64(q, 8);
    r.wraps = ls_stmt_is_null(q, 9) ? -1 : ls_stmt_int64(q, 9);
    const char *age = ls_stmt_text(q, 10), *sex = ls_stmt_text(q, 11);
    r.age = !strcmp(age, "under_18") ? LS_OPS_AGE_UNDER_18 : !strcmp(age, "adult") ? LS_OPS_AGE_ADULT : LS_OPS_AGE_UNKNOWN;
    r.sex = !strcmp(sex, "male") ? LS_OPS_SEX_MALE : !strcmp(sex, "female") ? LS_OPS_SEX_FEMALE : LS_OPS_SEX_UNKNOWN;
    r.area = ls_strdup(ls_stmt_text(q, 12));
    r.out_of_area = ls_stmt_int64(q, 13) != 0;
    r.note = ls_strdup(ls_stmt_text(q, 14));
    r.line = (long)ls_stmt_int64(q, 15);
    if (!r.operation || !r.force || !r.category || !r.item || !r.area || !r.note) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      break;
    }
    if (k < 0) {
      rc = LS_FAIL(err, LS_ERR_DB, "stored result record has unknown kind '%s'", kind);
      break;
    }
    r.kind = (ls_ops_kind)k;
    rc = rec_vec_push(&rv, &r);
    if (rc)
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  }
  ls_stmt_finalize(q);
  ls_ops_record_clear(&r);
  if (rc != LS_DONE && rc != LS_OK) {
    rec_vec_free(&rv);
    return rc;
  }
  *out = rv.v;
  *n = rv.n;
  return LS_OK;
}
