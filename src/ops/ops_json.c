/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON report: DESIGN.md section 7's keys (a contract), plus exact
 * integer companions (cash_pence, value_pence, weight_mg) and, for
 * --national, each force's totals and share. A measure nobody recorded is
 * null, never 0: "not yet valued" must not read as "worth nothing". */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "ops_internal.h"

/* Pounds from pence for the *_gbp keys. Exact to the penny for any amount
 * under 2^53 pence; printed with 15 significant digits so 30240.89 stays
 * 30240.89 (17 would show the binary expansion). */
static json_t *gbp(int64_t pence) { return json_real((double)pence / 100.0); }

static int set(json_t *o, const char *key, json_t *v) { return v ? json_object_set_new(o, key, v) : -1; }

static json_t *named_counts(const ls__ops_named_list *l) {
  json_t *o = json_object();
  for (size_t i = 0; o && i < l->n; i++)
    if (set(o, l->v[i].name, json_integer(l->v[i].count))) {
      json_decref(o);
      return NULL;
    }
  return o;
}

static json_t *drugs_json(const ls__ops_named_list *l) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < l->n; i++) {
    const ls__ops_named *d = &l->v[i];
    json_t *o = json_object();
    int bad = !o || set(o, "drug", json_string(d->name)) ||
              set(o, "value_gbp", d->has_value ? gbp(d->value_pence) : json_null()) ||
              set(o, "weight_g", d->has_weight ? json_real((double)d->weight_mg / 1000.0) : json_null()) ||
              set(o, "wraps", d->has_wraps ? json_integer(d->wraps) : json_null()) ||
              set(o, "unquantified_items", json_integer(d->unquantified)) ||
              set(o, "seizures", json_integer(d->count)) ||
              set(o, "value_pence", d->has_value ? json_integer(d->value_pence) : json_null()) ||
              set(o, "weight_mg", d->has_weight ? json_integer(d->weight_mg) : json_null()) ||
              json_array_append_new(a, o);
    if (bad) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *others_json(const ls__ops_named_list *l) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < l->n; i++) {
    const ls__ops_named *x = &l->v[i];
    json_t *o = json_object();
    int bad = !o || set(o, "item", json_string(x->name)) || set(o, "count", json_integer(x->count)) ||
              set(o, "value_gbp", x->has_value ? gbp(x->value_pence) : json_null()) ||
              set(o, "value_pence", x->has_value ? json_integer(x->value_pence) : json_null()) ||
              set(o, "valued", json_integer(x->valued)) ||
              set(o, "not_yet_valued", json_integer(x->count - x->valued)) || json_array_append_new(a, o);
    if (bad) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

/* Like set, but takes *v only when it is stored (then *v becomes NULL). */
static int set_owned(json_t *o, const char *key, json_t **v) {
  json_t *value = *v;
  *v = NULL; /* json_object_set_new takes the reference, even when it fails */
  return value ? json_object_set_new(o, key, value) : -1;
}

/* The section 7 totals of t into o. Returns 0 on success. */
static int totals_json(json_t *o, const ls__ops_totals *t) {
  json_t *visits = json_object();
  for (int k = 0; visits && k < LS__OPS_VISITS; k++)
    if (set(visits, ls__ops_visit_names[k], json_integer(t->visits[k]))) {
      json_decref(visits);
      visits = NULL;
    }
  int bad = set(o, "arrests",
             json_pack("{s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)t->arrests, "under_18",
                       (json_int_t)t->arrests_under_18, "male", (json_int_t)t->arrests_male, "female",
                       (json_int_t)t->arrests_female, "adult", (json_int_t)t->arrests_adult)) ||
         set(o, "safeguarded",
             json_pack("{s:I, s:I, s:I, s:I}", "total", (json_int_t)t->safeguarded, "adult_male",
                       (json_int_t)t->sg_adult_male, "adult_female", (json_int_t)t->sg_adult_female, "juvenile",
                       (json_int_t)t->sg_juvenile)) ||
         set(o, "warrants", json_integer(t->warrants)) ||
         set(o, "stop_searches", json_pack("{s:I, s:I}", "total", (json_int_t)t->stop_searches, "out_of_area",
                                           (json_int_t)t->ss_out_of_area)) ||
         set(o, "cash_gbp", gbp(t->cash_pence)) || set(o, "cash_pence", json_integer(t->cash_pence)) ||
         set(o, "cash_seizures", json_integer(t->cash_seizures)) ||
         set(o, "cash_not_yet_counted", json_integer(t->cash_uncounted)) ||
         set(o, "phones", json_integer(t->phones)) || set(o, "vehicles", json_integer(t->vehicles)) ||
         set(o, "weapons", json_pack("{s:I, s:o*}", "total", (json_int_t)t->weapons, "by_type",
                                     named_counts(&t->weapon_types))) ||
         set(o, "drugs", drugs_json(&t->drugs)) || set(o, "other_items", others_json(&t->others)) ||
         set_owned(o, "visits", &visits) || set(o, "lines_closed", json_integer(t->lines_closed)) ||
         set(o, "lines_closed_type_1", json_integer(t->lines_type_1)) ||
         set(o, "lines_closed_type_2", json_integer(t->lines_type_2)) ||
         set(o, "messages_sent", json_integer(t->messages_sent)) ||
         set(o, "networks_disrupted", json_integer(t->networks_disrupted)) ||
         set(o, "records", json_integer(t->records)) ||
         set(o, "period", json_pack("{s:s, s:s}", "from", t->first_date, "to", t->last_date));
  json_decref(visits); /* still ours only when an earlier key failed */
  return bad;
}

static json_t *share(int64_t part, int64_t whole) {
  if (whole <= 0)
    return json_null();
  return json_real(round((double)part / (double)whole * 10000.0) / 10000.0);
}

static json_t *report_json(const ls_ops_report *r) {
  json_t *o = json_object(), *forces = json_array();
  if (!o || !forces)
    goto fail;
  for (size_t i = 0; i < r->nforces; i++)
    if (json_array_append_new(forces, json_string(r->forces[i])))
      goto fail;
  if (set(o, "operation", json_string(r->operation)) || json_object_set_new(o, "forces", forces))
    goto fail;
  forces = NULL;
  if (set(o, "scope", json_string(r->force ? r->force : r->national ? "national" : "all")) ||
      totals_json(o, &r->total))
    goto fail;
  if (r->national && r->by_force) {
    json_t *by = json_array();
    if (set(o, "by_force", by))
      goto fail;
    for (size_t i = 0; i < r->nforces; i++) {
      const ls__ops_totals *f = &r->by_force[i], *t = &r->total;
      json_t *fo = json_object();
      if (!fo || json_array_append_new(by, fo))
        goto fail;
      if (set(fo, "force", json_string(f->force)) || totals_json(fo, f) ||
          set(fo, "share",
              json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "arrests", share(f->arrests, t->arrests), "safeguarded",
                        share(f->safeguarded, t->safeguarded), "lines_closed", share(f->lines_closed, t->lines_closed),
                        "warrants", share(f->warrants, t->warrants), "cash_gbp", share(f->cash_pence, t->cash_pence),
                        "records", share(f->records, t->records))))
        goto fail;
    }
  }
  return o;
fail:
  json_decref(forces);
  json_decref(o);
  return NULL;
}

ls_status ls__ops_render_json(const ls_ops_report *r, ls_buf *b, ls_error *err) {
  json_t *o = report_json(r);
  if (!o)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory building the JSON report");
  char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
  json_decref(o);
  if (!text)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory writing the JSON report");
  ls_status rc = ls_buf_puts(b, text);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "\n");
  free(text);
  if (rc)
    return LS_FAIL(err, rc, "cannot hold the JSON report");
  return LS_OK;
}

json_t *ls__ops_totals_json(const ls__ops_totals *t) {
  json_t *o = json_object();
  if (o && totals_json(o, t)) {
    json_decref(o);
    return NULL;
  }
  return o;
}
