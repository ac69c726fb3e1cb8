/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Totals of a week of action: sums a scope's records (one force, or every
 * force and unit with each one's own totals), exactly, in integers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "ops_internal.h"

int ls__ops_ieq(const char *a, const char *b) {
  for (;; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z')
      x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = (char)(y - 'A' + 'a');
    if (x != y)
      return 0;
    if (!x)
      return 1;
  }
}

/* Finds or adds a named entry. Lists are short (a handful of drug and weapon
 * types in a week), so a linear search beats a hash table here. O(k). */
static ls_status named_get(ls__ops_named_list *l, const char *name, ls__ops_named **out) {
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->v[i].name, name)) {
      *out = &l->v[i];
      return LS_OK;
    }
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    ls__ops_named *v = ls_reallocarray(l->v, cap, sizeof *v);
    if (!v)
      return LS_ERR_NOMEM;
    l->v = v;
    l->cap = cap;
  }
  ls__ops_named *e = &l->v[l->n];
  memset(e, 0, sizeof *e);
  e->name = ls_strdup(name);
  if (!e->name)
    return LS_ERR_NOMEM;
  l->n++;
  *out = e;
  return LS_OK;
}

static void named_free(ls__ops_named_list *l) {
  for (size_t i = 0; i < l->n; i++)
    ls_free(l->v[i].name);
  ls_free(l->v);
  memset(l, 0, sizeof *l);
}

void ls__ops_totals_free(ls__ops_totals *t) {
  if (!t)
    return;
  ls_free(t->force);
  named_free(&t->weapon_types);
  named_free(&t->drugs);
  named_free(&t->others);
  memset(t, 0, sizeof *t);
}

static int category_index(const char *cat, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (!strcmp(cat, names[i]))
      return i;
  return -1;
}

/* A record's count applies to all its people or items; value, weight and
 * wraps are the record's totals, not per item (docs/operations.md). */
ls_status ls__ops_totals_add(ls__ops_totals *t, const ls_ops_record *r) {
  ls__ops_named *e = NULL;
  ls_status rc = LS_OK;
  int64_t n = r->count;
  t->records++;
  if (!t->first_date[0] || strcmp(r->date, t->first_date) < 0)
    memcpy(t->first_date, r->date, sizeof t->first_date);
  if (strcmp(r->date, t->last_date) > 0)
    memcpy(t->last_date, r->date, sizeof t->last_date);
  switch (r->kind) {
  case LS_OPS_ARREST:
    t->arrests += n;
    t->arrests_under_18 += r->age == LS_OPS_AGE_UNDER_18 ? n : 0;
    t->arrests_adult += r->age == LS_OPS_AGE_ADULT ? n : 0;
    t->arrests_male += r->sex == LS_OPS_SEX_MALE ? n : 0;
    t->arrests_female += r->sex == LS_OPS_SEX_FEMALE ? n : 0;
    break;
  case LS_OPS_SAFEGUARD:
    t->safeguarded += n;
    if (r->age == LS_OPS_AGE_UNDER_18)
      t->sg_juvenile += n;
    else if (r->age == LS_OPS_AGE_ADULT && r->sex == LS_OPS_SEX_MALE)
      t->sg_adult_male += n;
    else if (r->age == LS_OPS_AGE_ADULT && r->sex == LS_OPS_SEX_FEMALE)
      t->sg_adult_female += n;
    break;
  case LS_OPS_WARRANT:
    t->warrants += n;
    break;
  case LS_OPS_STOP_SEARCH:
    t->stop_searches += n;
    t->ss_out_of_area += r->out_of_area ? n : 0;
    break;
  case LS_OPS_SEIZURE: {
    int cat = category_index(r->category, ls__ops_seizure_names, LS__OPS_SEIZE_CATEGORIES);
    if (cat < 0)
      return LS_ERR_INTERNAL;
    t->seizures[cat] += n;
    if (cat == LS__OPS_SEIZE_CASH) {
      t->cash_seizures += n;
      if (r->value_pence >= 0)
        t->cash_pence += r->value_pence;
      else
        t->cash_uncounted += n;
    } else if (cat == LS__OPS_SEIZE_PHONE) {
      t->phones += n;
    } else if (cat == LS__OPS_SEIZE_VEHICLE) {
      t->vehicles += n;
    } else if (cat == LS__OPS_SEIZE_WEAPON) {
      t->weapons += n;
      rc = named_get(&t->weapon_types, r->item, &e);
      if (rc == LS_OK)
        e->count += n;
    } else {
      rc = named_get(cat == LS__OPS_SEIZE_DRUG ? &t->drugs : &t->others, r->item, &e);
      if (rc)
        return rc;
      e->count += n;
      if (r->value_pence >= 0) {
        e->value_pence += r->value_pence;
        e->valued += n;
        e->has_value = 1;
      }
      if (r->weight_mg >= 0) {
        e->weight_mg += r->weight_mg;
        e->has_weight = 1;
      }
      if (r->wraps >= 0) {
        e->wraps += r->wraps;
        e->has_wraps = 1;
      }
      if (r->value_pence < 0 && r->weight_mg < 0 && r->wraps < 0)
        e->unquantified += n;
    }
    break;
  }
  case LS_OPS_VISIT: {
    int cat = category_index(r->category, ls__ops_visit_names, LS__OPS_VISITS);
    if (cat < 0)
      return LS_ERR_INTERNAL;
    t->visits[cat] += n;
    break;
  }
  case LS_OPS_LINE_CLOSED:
    t->lines_closed += n;
    t->lines_type_1 += !strcmp(r->category, "type_1") ? n : 0;
    t->lines_type_2 += !strcmp(r->category, "type_2") ? n : 0;
    break;
  case LS_OPS_MESSAGES_SENT:
    t->messages_sent += n;
    break;
  case LS_OPS_NETWORK_DISRUPTED:
    t->networks_disrupted += n;
    break;
  default:
    return LS_ERR_INTERNAL;
  }
  return rc;
}

/* Press releases lead with Class A drugs (Misuse of Drugs Act 1971,
 * Schedule 2), then Class B, then the rest alphabetically. */
static int drug_class(const char *d) {
  static const char *const class_a[] = {"crack", "heroin", "cocaine", "mdma", "ecstasy", "methadone",
                                        "lsd", "methamphetamine", "magic mushrooms", "fentanyl"};
  static const char *const class_b[] = {"cannabis", "ketamine", "amphetamine", "spice", "cannabis resin",
                                        "skunk", "codeine", "mephedrone"};
  for (size_t i = 0; i < sizeof class_a / sizeof *class_a; i++)
    if (!strcmp(d, class_a[i]))
      return 0;
  for (size_t i = 0; i < sizeof class_b / sizeof *class_b; i++)
    if (!strcmp(d, class_b[i]))
      return 1;
  return 2;
}

static int cmp_drug(const void *a, const void *b) {
  const ls__ops_named *x = a, *y = b;
  int cx = drug_class(x->name), cy = drug_class(y->name);
  if (cx != cy)
    return cx - cy;
  return strcmp(x->name, y->name);
}

/* most first, then by name: "3 machetes, 2 knives and 1 knuckleduster" */
static int cmp_count(const void *a, const void *b) {
  const ls__ops_named *x = a, *y = b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp(x->name, y->name);
}

void ls__ops_totals_sort(ls__ops_totals *t) {
  /* qsort's array must not be NULL, even for no elements */
  if (t->drugs.n)
    ls_qsort(t->drugs.v, t->drugs.n, sizeof *t->drugs.v, cmp_drug);
  if (t->weapon_types.n)
    ls_qsort(t->weapon_types.v, t->weapon_types.n, sizeof *t->weapon_types.v, cmp_count);
  if (t->others.n)
    ls_qsort(t->others.v, t->others.n, sizeof *t->others.v, cmp_count);
}

/* ---- the report ----------------------------------------------------------- */

void ls_ops_report_free(ls_ops_report *r) {
  if (!r)
    return;
  ls_free(r->operation);
  ls_free(r->force);
  for (size_t i = 0; i < r->nrecs; i++)
    ls_ops_record_clear(&r->recs[i]);
  ls_free(r->recs);
  for (size_t i = 0; i < r->nforces; i++) {
    ls_free(r->forces[i]);
    if (r->by_force)
      ls__ops_totals_free(&r->by_force[i]);
  }
  ls_free(r->forces);
  ls_free(r->by_force);
  ls__ops_totals_free(&r->total);
  ls_free(r);
}

ls_status ls_ops_report_build(ls_store *st, const ls_ops_scope *scope, ls_ops_report **out, ls_error *err) {
  ls_ops_record *all = NULL;
  size_t nall = 0;
  *out = NULL;
  if (!scope || !scope->operation || !scope->operation[0])
    return LS_FAIL(err, LS_ERR_USAGE, "an operation name is required");
  if (scope->force && scope->national)
    return LS_FAIL(err, LS_ERR_USAGE, "--force and --national cannot be combined");
  ls_status rc = ls__ops_load(st, scope->operation, &all, &nall, err);
  if (rc)
    return rc;
  ls_ops_report *r = ls_calloc(1, sizeof *r);
  if (!r) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
    goto out;
  }
  r->national = scope->national;
  r->operation = ls_strdup(scope->operation);
  if (!r->operation) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
    goto out;
  }
  if (nall == 0) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no results recorded for operation '%s' ('linesight results list' shows the operations)",
                 scope->operation);
    goto out;
  }
  /* keep the records in scope; the rest are freed */
  r->recs = all;
  for (size_t i = 0; i < nall; i++) {
    if (!scope->force || ls__ops_ieq(all[i].force, scope->force)) {
      if (r->nrecs != i)
        r->recs[r->nrecs] = all[i];
      r->nrecs++;
    } else {
      ls_ops_record_clear(&all[i]);
    }
  }
  all = NULL;
  nall = 0;
  if (r->nrecs == 0) {
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no results recorded by '%s' under operation '%s'", scope->force,
                 scope->operation);
    goto out;
  }
  if (scope->force) {
    r->force = ls_strdup(r->recs[0].force);
    if (!r->force) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      goto out;
    }
  }
  /* records arrive ordered by force: collect the distinct names */
  r->forces = ls_calloc(r->nrecs, sizeof *r->forces);
  if (!r->forces) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < r->nrecs; i++) {
    if (r->nforces && !strcmp(r->forces[r->nforces - 1], r->recs[i].force))
      continue;
    r->forces[r->nforces] = ls_strdup(r->recs[i].force);
    if (!r->forces[r->nforces]) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      goto out;
    }
    r->nforces++;
  }
  if (r->national) {
    r->by_force = ls_calloc(r->nforces, sizeof *r->by_force);
    if (!r->by_force) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
      goto out;
    }
  }
  size_t f = 0;
  for (size_t i = 0; i < r->nrecs && rc == LS_OK; i++) {
    rc = ls__ops_totals_add(&r->total, &r->recs[i]);
    if (rc == LS_OK && r->by_force) {
      while (strcmp(r->forces[f], r->recs[i].force))
        f++;
      if (!r->by_force[f].force && !(r->by_force[f].force = ls_strdup(r->forces[f])))
        rc = LS_ERR_NOMEM;
      else
        rc = ls__ops_totals_add(&r->by_force[f], &r->recs[i]);
    }
  }
  if (rc) {
    rc = LS_FAIL(err, rc, rc == LS_ERR_NOMEM ? "out of memory" : "inconsistent stored record");
    goto out;
  }
  ls__ops_totals_sort(&r->total);
  for (size_t i = 0; r->by_force && i < r->nforces; i++)
    ls__ops_totals_sort(&r->by_force[i]);
out:
  for (size_t i = 0; i < nall; i++)
    ls_ops_record_clear(&all[i]);
  ls_free(all);
  if (rc) {
    ls_ops_report_free(r);
    return rc;
  }
  *out = r;
  return LS_OK;
}

ls_status ls_ops_format_parse(const char *name, ls_ops_format *out) {
  static const char *const names[] = {"text", "json", "html", "pdf", "xlsx"};
  for (int i = 0; i < 5; i++)
    if (name && ls__ops_ieq(name, names[i])) {
      *out = (ls_ops_format)i;
      return LS_OK;
    }
  return LS_ERR_USAGE;
}

ls_status ls_ops_report_render(const ls_ops_report *r, ls_ops_format fmt, char **out, size_t *len, ls_error *err) {
  ls_buf b;
  ls_status rc;
  *out = NULL;
  if (len)
    *len = 0;
  ls_buf_init(&b, LS_LIMIT_TEXT_OUTPUT);
  switch (fmt) {
  case LS_OPS_FORMAT_TEXT:
    rc = ls__ops_render_text(r, &b);
    if (rc)
      rc = LS_FAIL(err, rc, "cannot render the report: %s", ls_status_name(rc));
    break;
  case LS_OPS_FORMAT_JSON:
    rc = ls__ops_render_json(r, &b, err);
    break;
  case LS_OPS_FORMAT_HTML:
    rc = ls__ops_render_html(r, &b, err);
    break;
  default:
    rc = LS_FAIL(err, LS_ERR_USAGE, "PDF and XLSX reports are files: give --out FILE");
    break;
  }
  if (rc == LS_OK && !b.data)
    rc = ls_buf_puts(&b, "");
  if (rc) {
    ls_buf_free(&b);
    return rc;
  }
  if (len)
    *len = b.len;
  *out = b.data;
  return LS_OK;
}

ls_status ls_ops_report_save(const ls_ops_report *r, ls_ops_format fmt, const char *path, ls_error *err) {
  if (fmt == LS_OPS_FORMAT_PDF)
    return ls__ops_save_pdf(r, path, err);
  if (fmt == LS_OPS_FORMAT_XLSX)
    return ls__ops_save_xlsx(r, path, err);
  char *text = NULL;
  size_t len = 0;
  ls_status rc = ls_ops_report_render(r, fmt, &text, &len, err);
  if (rc)
    return rc;
  FILE *f = fopen(path, "wb");
  if (!f) {
    ls_free(text);
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write the report");
  }
  int ok = fwrite(text, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  ls_free(text);
  if (!ok)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write the report");
  return LS_OK;
}
