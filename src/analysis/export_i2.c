/* SPDX-License-Identifier: GPL-3.0-or-later */
/* i2 Analyst's Notebook: an entities CSV and a links CSV for a tabular
 * import (docs/exports.md gives the import specification: which column is
 * the entity type, identity, label, the link ends, type, strength and
 * dates). Every row carries its 3x5x2 grading (DOMAIN.md "Standards"):
 *   facts from communications data (numbers, handsets, contacts, handset
 *     use): source 1 (reliable: the operator's records), intelligence A;
 *   findings of linesight's analysis (lines, roles, cuckooed addresses):
 *     source 2 (untested: an automated analysis, evaluated only on simulated
 *     worlds, docs/analysis.md), intelligence B when its score is at least
 *     0.9 (several indicators agree: odds of 9 to 1), C below;
 *   reference data (persons, attributions): source 2, intelligence C: what
 *     another system recorded, known indirectly.
 * The handling code is the caller's (P or C). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/ls_buf.h"
#include "export_internal.h"
#include "linesight/ls_time.h"

#define CORROBORATED 0.9 /* a finding's score for intelligence B; see above */
#define TEXT_LIMIT (1u << 20)

static const char *const entity_types[LS__EX_KINDS] = {"Deal Line", "Telephone", "Handset", "Person",
                                                       "Address"};
static const char *const link_types[LS__EX_LINKS] = {"Role", "Contact", "Handset Use", "Attribution",
                                                     "Cuckooed Address"};

typedef struct grade {
  char source, intel;
  const char *strength; /* one of i2's default link strengths */
} grade;

static grade finding(double score) {
  return score >= CORROBORATED ? (grade){'2', 'B', "Unconfirmed"} : (grade){'2', 'C', "Tentative"};
}

/* ISO time, then its date and time apart: i2's import takes either form. */
static void put_time_cols(ls__ex_out *o, int64_t t) {
  char iso[LS_ISO_MAX] = "";
  if (t != LS__EX_NO_TIME)
    ls_time_format_utc(t, iso);
  if (iso[0])
    ls__export_out_printf(o, ",%s,%.10s,%.8s", iso, iso, iso + 11);
  else
    ls__export_out_puts(o, ",,,");
}

static void put_field(ls__ex_out *o, const char *s) {
  ls__export_out_puts(o, ",");
  ls__export_out_csv(o, s);
}

static void put_num(ls__ex_out *o, double v) {
  ls__export_out_puts(o, ",");
  ls__export_out_num(o, v);
}

static void put_int(ls__ex_out *o, int64_t v, int present) {
  if (present)
    ls__export_out_printf(o, ",%lld", (long long)v);
  else
    ls__export_out_puts(o, ",");
}

static const char *sex_name(char s) { return s == 'M' ? "male" : s == 'F' ? "female" : "unknown"; }

static void flags_text(ls__ex_out *o, uint32_t flags, ls_buf *b) {
  static const char *const names[] = {"missing_episodes", "looked_after",    "excluded_from_school",
                                      "vulnerable_adult", "drug_dependency", "mental_health"};
  ls_buf_reset(b);
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !o->nomem; i++)
    if (flags & (1u << i))
      ls__export_out_check(o, ls_buf_printf(b, "%s%s", b->len ? ";" : "", names[i]));
}

static const char entity_header[] =
    "entity_id,entity_type,label,role,lines,score,first_seen,first_date,first_time,last_seen,last_date,"
    "last_time,events,description,source_evaluation,intelligence_assessment,handling_code,lat,lon,sex,"
    "dob,flags,safeguarding,origin,destinations,harm_score,customers\r\n";

static void write_entity(ls__ex_out *o, const ls__ex_model *m, const ls__ex_node *nd, ls_buf *desc,
                         ls_buf *tmp) {
  grade g = {'1', 'A', NULL};
  ls_buf_reset(desc);
  ls_buf_reset(tmp);
  switch (nd->kind) {
  case LS__EX_LINE:
    ls__export_out_join(o, desc, json_object_get(nd->json, "explain"), "; ");
    g = finding(nd->score);
    break;
  case LS__EX_NUMBER:
    if (nd->role) {
      ls__export_out_check(o, ls_buf_printf(desc, "%s number of %s", nd->role, nd->lines ? nd->lines : ""));
      g = finding(nd->score);
    }
    break;
  case LS__EX_HANDSET:
    ls__export_out_check(o, ls_buf_puts(desc, "handset (IMEI) that carried a line's own number"));
    break;
  case LS__EX_PERSON:
    g = (grade){'2', 'C', NULL};
    ls__export_out_check(o, ls_buf_puts(desc, "attributed user of a number in the line's network"));
    if (nd->person)
      flags_text(o, nd->person->flags, tmp);
    break;
  case LS__EX_ADDRESS:
    ls__export_out_join(o, desc, json_object_get(nd->json, "explain"), "; ");
    g = finding(nd->score);
    if (nd->address)
      flags_text(o, nd->address->flags, tmp);
    break;
  default:
    break;
  }
  ls__export_out_csv(o, nd->id);
  put_field(o, entity_types[nd->kind]);
  put_field(o, nd->label);
  put_field(o, nd->role);
  put_field(o, nd->lines);
  put_num(o, nd->score);
  put_time_cols(o, nd->first);
  put_time_cols(o, nd->last);
  put_int(o, nd->events, nd->kind == LS__EX_NUMBER || nd->kind == LS__EX_HANDSET);
  put_field(o, ls_buf_str(desc));
  ls__export_out_printf(o, ",%c,%c,%c", g.source, g.intel, m->handling);
  put_num(o, nd->address ? nd->address->lat : NAN);
  put_num(o, nd->address ? nd->address->lon : NAN);
  if (nd->person) {
    char dob[LS_ISO_MAX];
    ls_time_format_utc((int64_t)nd->person->dob_days * 86400, dob);
    ls__export_out_printf(o, ",%s,%.10s", sex_name(nd->person->sex), dob);
  } else {
    ls__export_out_puts(o, ",,");
  }
  put_field(o, ls_buf_str(tmp));
  put_field(o, nd->safeguarding);
  if (nd->kind == LS__EX_LINE) {
    json_t *harm = json_object_get(nd->json, "harm"), *cust = json_object_get(nd->json, "customers");
    put_field(o, json_string_value(json_object_get(nd->json, "origin")));
    ls__export_out_join(o, tmp, json_object_get(nd->json, "destinations"), ";");
    put_field(o, ls_buf_str(tmp));
    json_t *hs = json_object_get(harm, "score");
    put_num(o, json_is_number(hs) ? json_number_value(hs) : NAN);
    put_int(o, json_integer_value(cust), json_is_integer(cust));
  } else {
    ls__export_out_puts(o, ",,,,");
  }
  ls__export_out_puts(o, "\r\n");
}

static const char link_header[] =
    "link_id,link_type,from_id,from_type,from_label,to_id,to_type,to_label,arrow,label,strength,role,"
    "score,calls,sms,duration_s,from_to,to_from,events,first_seen,first_date,first_time,last_seen,"
    "last_date,last_time,description,source_evaluation,intelligence_assessment,handling_code\r\n";

static void write_link(ls__ex_out *o, const ls__ex_model *m, size_t i, ls_buf *label, ls_buf *desc) {
  const ls__ex_edge *ed = &m->edges[i];
  const ls__ex_node *a = &m->nodes[ed->from], *b = &m->nodes[ed->to];
  grade g = {'1', 'A', "Confirmed"};
  const char *arrow = "forward";
  int counts = 0;
  ls_buf_reset(label);
  ls_buf_reset(desc);
  switch (ed->kind) {
  case LS__EX_ROLE:
    g = finding(ed->score);
    ls__export_out_check(o, ls_buf_puts(label, ed->role ? ed->role : ""));
    ls__export_out_check(o, ls_buf_printf(desc, "%s number of line %s", ed->role ? ed->role : "", b->label));
    break;
  case LS__EX_CONTACT:
    counts = 1;
    arrow = ed->forward && ed->backward ? "both" : ed->forward ? "forward" : "backward";
    ls__export_out_check(o, ls_buf_printf(label, "%lld calls, %lld texts", (long long)ed->calls, (long long)ed->sms));
    ls__export_out_check(o, ls_buf_printf(desc, "%lld from %s, %lld from %s; %lld s of calls",
                                          (long long)ed->forward, a->label, (long long)ed->backward,
                                          b->label, (long long)ed->duration_s));
    break;
  case LS__EX_USED_IN:
    ls__export_out_check(o, ls_buf_printf(label, "%lld events", (long long)ed->forward));
    ls__export_out_check(o, ls_buf_puts(desc, "the handset carried the number's SIM"));
    break;
  case LS__EX_USES:
    g = (grade){'2', 'C', "Unconfirmed"};
    ls__export_out_check(o, ls_buf_puts(label, "uses"));
    ls__export_out_check(o, ls_buf_printf(desc, "attribution%s%s",
                                          ed->attribution && ed->attribution->source ? " from " : "",
                                          ed->attribution && ed->attribution->source
                                              ? ed->attribution->source
                                              : ""));
    break;
  case LS__EX_CUCKOO:
    g = finding(ed->score);
    ls__export_out_check(o, ls_buf_puts(label, "cuckooed"));
    ls__export_out_join(o, desc, json_object_get(a->json, "explain"), "; ");
    break;
  default:
    break;
  }
  ls__export_out_printf(o, "L%zu", i + 1);
  put_field(o, link_types[ed->kind]);
  put_field(o, a->id);
  put_field(o, entity_types[a->kind]);
  put_field(o, a->label);
  put_field(o, b->id);
  put_field(o, entity_types[b->kind]);
  put_field(o, b->label);
  put_field(o, arrow);
  put_field(o, ls_buf_str(label));
  put_field(o, g.strength);
  put_field(o, ed->kind == LS__EX_ROLE ? ed->role : NULL);
  put_num(o, ed->score);
  put_int(o, ed->calls, counts);
  put_int(o, ed->sms, counts);
  put_int(o, ed->duration_s, counts);
  put_int(o, ed->forward, counts);
  put_int(o, ed->backward, counts);
  put_int(o, ed->calls + ed->sms + (ed->kind == LS__EX_USED_IN ? ed->forward : 0),
          counts || ed->kind == LS__EX_USED_IN);
  put_time_cols(o, ed->first);
  put_time_cols(o, ed->last);
  put_field(o, ls_buf_str(desc));
  ls__export_out_printf(o, ",%c,%c,%c\r\n", g.source, g.intel, m->handling);
}

ls_status ls__export_i2(const ls__ex_model *m, const char *path, ls_export_stats *stats, ls_error *err) {
  size_t len = strlen(path);
  if (len > 4 && !strcmp(path + len - 4, ".csv"))
    len -= 4;
  char *ent = stats->files[0], *lnk = stats->files[1];
  size_t cap = sizeof stats->files[0];
  if ((size_t)snprintf(ent, cap, "%.*s-entities.csv", (int)len, path) >= cap ||
      (size_t)snprintf(lnk, cap, "%.*s-links.csv", (int)len, path) >= cap)
    return LS_FAIL(err, LS_ERR_USAGE, "%s: output path too long", path);
  ls_buf a, b;
  ls_buf_init(&a, TEXT_LIMIT);
  ls_buf_init(&b, TEXT_LIMIT);
  ls__ex_out o;
  ls_status rc = ls__export_out_open(&o, ent, err);
  if (rc)
    goto out;
  /* a UTF-8 byte order mark: i2 and Excel then read names as UTF-8 */
  ls__export_out_puts(&o, "\xEF\xBB\xBF");
  ls__export_out_puts(&o, entity_header);
  for (size_t i = 0; i < m->n_nodes; i++)
    write_entity(&o, m, &m->nodes[i], &a, &b);
  rc = ls__export_out_close(&o, ent, err);
  if (rc)
    goto out;
  rc = ls__export_out_open(&o, lnk, err);
  if (rc)
    goto out;
  ls__export_out_puts(&o, "\xEF\xBB\xBF");
  ls__export_out_puts(&o, link_header);
  for (size_t i = 0; i < m->n_edges; i++)
    write_link(&o, m, i, &a, &b);
  rc = ls__export_out_close(&o, lnk, err);
  if (rc)
    remove(ent);
out:
  ls_buf_free(&a);
  ls_buf_free(&b);
  if (rc)
    stats->files[0][0] = stats->files[1][0] = '\0';
  return rc;
}
