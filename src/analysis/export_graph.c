/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GraphML and GEXF 1.2 (Gephi) of the export model: one node per line,
 * number, handset, person and address with its kind, role, score, lines
 * and first and last seen; one directed edge per link (docs/exports.md).
 *
 * GEXF: mode "dynamic" with timeformat "date": every node and edge with a
 * first and last seen carries one spell from the first day to the last, so
 * Gephi's timeline shows the network grow and shrink. Days rather than
 * dateTime because days are what a timeline of weeks needs and because
 * readers differ on dateTime (networkx 2.8 cannot read it); the exact times
 * are kept as the first_seen and last_seen attributes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"
#include "linesight/ls_time.h"

typedef enum atype { T_STRING, T_DOUBLE, T_LONG } atype;

typedef struct attr {
  const char *name;
  atype type;
} attr;

enum {
  NA_KIND, NA_LABEL, NA_ROLE, NA_LINES, NA_SCORE, NA_FIRST, NA_LAST, NA_EVENTS, NA_ORIGIN, NA_DEST,
  NA_HARM, NA_CUSTOMERS, NA_SEX, NA_FLAGS, NA_LAT, NA_LON, NA_SAFEGUARDING, NA_COUNT
};
static const attr node_attrs[NA_COUNT] = {
    {"kind", T_STRING},      {"label", T_STRING},     {"role", T_STRING},       {"lines", T_STRING},
    {"score", T_DOUBLE},     {"first_seen", T_STRING}, {"last_seen", T_STRING},  {"events", T_LONG},
    {"origin", T_STRING},    {"destinations", T_STRING}, {"harm_score", T_DOUBLE}, {"customers", T_LONG},
    {"sex", T_STRING},       {"flags", T_STRING},     {"lat", T_DOUBLE},        {"lon", T_DOUBLE},
    {"safeguarding", T_STRING}};

enum {
  EA_KIND, EA_ROLE, EA_SCORE, EA_CALLS, EA_SMS, EA_DURATION, EA_FROM_TO, EA_TO_FROM, EA_EVENTS,
  EA_FIRST, EA_LAST, EA_WEIGHT, EA_SOURCE, EA_COUNT
};
static const attr edge_attrs[EA_COUNT] = {
    {"kind", T_STRING},   {"role", T_STRING},      {"score", T_DOUBLE},   {"calls", T_LONG},
    {"sms", T_LONG},      {"duration_s", T_LONG},  {"from_to", T_LONG},   {"to_from", T_LONG},
    {"events", T_LONG},   {"first_seen", T_STRING}, {"last_seen", T_STRING}, {"weight", T_DOUBLE},
    {"attribution_source", T_STRING}};

/* One attribute value, as text; NULL when the element has none. */
typedef struct value {
  char buf[64];
  const char *text;
} value;

static const char *flag_names[] = {"missing_episodes", "looked_after",    "excluded_from_school",
                                   "vulnerable_adult", "drug_dependency", "mental_health"};

static void set_num(value *v, double d) {
  if (!isfinite(d))
    return;
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(v->buf, sizeof v->buf, "%.*g", prec, d);
    if (strtod(v->buf, NULL) == d)
      break;
  }
  v->text = v->buf;
}

static void set_int(value *v, int64_t n) {
  snprintf(v->buf, sizeof v->buf, "%lld", (long long)n);
  v->text = v->buf;
}

static void set_time(value *v, int64_t t) {
  if (t == LS__EX_NO_TIME)
    return;
  ls_time_format_utc(t, v->buf);
  v->text = v->buf;
}

/* Values that do not fit a 64-byte buffer (joined lists) live here. */
typedef struct scratch {
  char dest[1024];
  char flags[160];
} scratch;

static void join_strings(char *out, size_t size, json_t *arr) {
  size_t used = 0, i;
  json_t *v;
  out[0] = '\0';
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    int n = s ? snprintf(out + used, size - used, "%s%s", used ? ";" : "", s) : 0;
    if (n < 0 || (size_t)n >= size - used) {
      out[used] = '\0'; /* a list longer than a kilobyte is cut whole-item */
      break;
    }
    used += (size_t)n;
  }
}

static void flags_join(char *out, size_t size, uint32_t flags) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
    if (flags & (1u << i)) {
      int n = snprintf(out + used, size - used, "%s%s", used ? ";" : "", flag_names[i]);
      if (n < 0 || (size_t)n >= size - used)
        break;
      used += (size_t)n;
    }
}

static void node_values(const ls__ex_node *nd, value v[NA_COUNT], scratch *s) {
  memset(v, 0, sizeof(value) * NA_COUNT);
  v[NA_KIND].text = ls__export_kind_name(nd->kind);
  v[NA_LABEL].text = nd->label;
  v[NA_ROLE].text = nd->role;
  v[NA_LINES].text = nd->lines;
  v[NA_SAFEGUARDING].text = nd->safeguarding;
  set_num(&v[NA_SCORE], nd->score);
  set_time(&v[NA_FIRST], nd->first);
  set_time(&v[NA_LAST], nd->last);
  if (nd->kind == LS__EX_NUMBER || nd->kind == LS__EX_HANDSET)
    set_int(&v[NA_EVENTS], nd->events);
  if (nd->kind == LS__EX_LINE) {
    v[NA_ORIGIN].text = json_string_value(json_object_get(nd->json, "origin"));
    join_strings(s->dest, sizeof s->dest, json_object_get(nd->json, "destinations"));
    v[NA_DEST].text = s->dest;
    json_t *h = json_object_get(json_object_get(nd->json, "harm"), "score");
    if (json_is_number(h))
      set_num(&v[NA_HARM], json_number_value(h));
    json_t *c = json_object_get(nd->json, "customers");
    if (json_is_integer(c))
      set_int(&v[NA_CUSTOMERS], json_integer_value(c));
  }
  if (nd->person) {
    v[NA_SEX].text = nd->person->sex == 'M' ? "male" : nd->person->sex == 'F' ? "female" : "unknown";
    flags_join(s->flags, sizeof s->flags, nd->person->flags);
    v[NA_FLAGS].text = s->flags;
  }
  if (nd->address) {
    flags_join(s->flags, sizeof s->flags, nd->address->flags);
    v[NA_FLAGS].text = s->flags;
    set_num(&v[NA_LAT], nd->address->lat);
    set_num(&v[NA_LON], nd->address->lon);
  }
}

static double edge_weight(const ls__ex_edge *ed) {
  if (ed->kind == LS__EX_CONTACT)
    return (double)(ed->calls + ed->sms);
  if (ed->kind == LS__EX_USED_IN)
    return (double)ed->forward;
  return 1.0;
}

static void edge_values(const ls__ex_edge *ed, value v[EA_COUNT]) {
  memset(v, 0, sizeof(value) * EA_COUNT);
  v[EA_KIND].text = ls__export_link_name(ed->kind);
  v[EA_ROLE].text = ed->kind == LS__EX_ROLE ? ed->role : NULL;
  set_num(&v[EA_SCORE], ed->score);
  if (ed->kind == LS__EX_CONTACT) {
    set_int(&v[EA_CALLS], ed->calls);
    set_int(&v[EA_SMS], ed->sms);
    set_int(&v[EA_DURATION], ed->duration_s);
    set_int(&v[EA_FROM_TO], ed->forward);
    set_int(&v[EA_TO_FROM], ed->backward);
    set_int(&v[EA_EVENTS], ed->calls + ed->sms);
  } else if (ed->kind == LS__EX_USED_IN) {
    set_int(&v[EA_EVENTS], ed->forward);
  }
  set_time(&v[EA_FIRST], ed->first);
  set_time(&v[EA_LAST], ed->last);
  set_num(&v[EA_WEIGHT], edge_weight(ed));
  if (ed->attribution)
    v[EA_SOURCE].text = ed->attribution->source;
}

/* ---- GraphML ------------------------------------------------------------ */

static const char *graphml_type(atype t) { return t == T_DOUBLE ? "double" : t == T_LONG ? "long" : "string"; }

ls_status ls__export_graphml(const ls__ex_model *m, const char *path, ls_error *err) {
  ls__ex_out o;
  ls_status rc = ls__export_out_open(&o, path, err);
  if (rc)
    return rc;
  ls__export_out_puts(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
                          "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                          "  xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
                          "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
  for (int i = 0; i < NA_COUNT; i++)
    ls__export_out_printf(&o, "  <key id=\"n%d\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", i,
                          node_attrs[i].name, graphml_type(node_attrs[i].type));
  for (int i = 0; i < EA_COUNT; i++)
    ls__export_out_printf(&o, "  <key id=\"e%d\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", i,
                          edge_attrs[i].name, graphml_type(edge_attrs[i].type));
  ls__export_out_puts(&o, "  <graph id=\"linesight\" edgedefault=\"directed\">\n");
  scratch s;
  value v[(int)NA_COUNT > (int)EA_COUNT ? (int)NA_COUNT : (int)EA_COUNT];
  for (size_t i = 0; i < m->n_nodes && !o.failed; i++) {
    node_values(&m->nodes[i], v, &s);
    ls__export_out_puts(&o, "    <node id=\"");
    ls__export_out_xml(&o, m->nodes[i].id);
    ls__export_out_puts(&o, "\">\n");
    for (int k = 0; k < NA_COUNT; k++) {
      if (!v[k].text)
        continue;
      ls__export_out_printf(&o, "      <data key=\"n%d\">", k);
      ls__export_out_xml(&o, v[k].text);
      ls__export_out_puts(&o, "</data>\n");
    }
    ls__export_out_puts(&o, "    </node>\n");
  }
  for (size_t i = 0; i < m->n_edges && !o.failed; i++) {
    const ls__ex_edge *ed = &m->edges[i];
    edge_values(ed, v);
    ls__export_out_printf(&o, "    <edge id=\"e%zu\" source=\"", i + 1);
    ls__export_out_xml(&o, m->nodes[ed->from].id);
    ls__export_out_puts(&o, "\" target=\"");
    ls__export_out_xml(&o, m->nodes[ed->to].id);
    ls__export_out_puts(&o, "\">\n");
    for (int k = 0; k < EA_COUNT; k++) {
      if (!v[k].text)
        continue;
      ls__export_out_printf(&o, "      <data key=\"e%d\">", k);
      ls__export_out_xml(&o, v[k].text);
      ls__export_out_puts(&o, "</data>\n");
    }
    ls__export_out_puts(&o, "    </edge>\n");
  }
  ls__export_out_puts(&o, "  </graph>\n</graphml>\n");
  return ls__export_out_close(&o, path, err);
}

/* ---- GEXF ---------------------------------------------------------------- */

static const char *gexf_type(atype t) { return t == T_DOUBLE ? "double" : t == T_LONG ? "long" : "string"; }

/* Colours by kind and role, so that a chart opened in Gephi reads at once:
 * deal numbers red, holders purple, runners orange, customers grey. */
static void gexf_colour(ls__ex_out *o, const ls__ex_node *nd) {
  static const struct {
    int r, g, b;
  } role_rgb[] = {{214, 39, 40}, {148, 103, 189}, {255, 127, 14}, {160, 160, 160}, {120, 120, 120}},
    kind_rgb[LS__EX_KINDS] = {{0, 0, 0}, {0, 0, 0}, {31, 119, 180}, {44, 160, 44}, {140, 86, 75}};
  int r, g, b;
  if (nd->kind == LS__EX_NUMBER) {
    int k = nd->role_rank < 5 ? nd->role_rank : 4;
    r = role_rgb[k].r, g = role_rgb[k].g, b = role_rgb[k].b;
  } else {
    r = kind_rgb[nd->kind].r, g = kind_rgb[nd->kind].g, b = kind_rgb[nd->kind].b;
  }
  ls__export_out_printf(o, "        <viz:color r=\"%d\" g=\"%d\" b=\"%d\"/>\n", r, g, b);
}

static void gexf_spell(ls__ex_out *o, int64_t first, int64_t last, const char *indent) {
  if (first == LS__EX_NO_TIME || last == LS__EX_NO_TIME)
    return;
  char a[LS_ISO_MAX], b[LS_ISO_MAX];
  ls_time_format_utc(first, a);
  ls_time_format_utc(last, b);
  ls__export_out_printf(o, "%s<spells><spell start=\"%.10s\" end=\"%.10s\"/></spells>\n", indent, a, b);
}

static void gexf_attvalues(ls__ex_out *o, const value *v, int n, const char *indent) {
  int any = 0;
  for (int k = 0; k < n; k++) {
    if (!v[k].text)
      continue;
    if (!any)
      ls__export_out_printf(o, "%s<attvalues>\n", indent);
    any = 1;
    ls__export_out_printf(o, "%s  <attvalue for=\"%d\" value=\"", indent, k);
    ls__export_out_xml(o, v[k].text);
    ls__export_out_puts(o, "\"/>\n");
  }
  if (any)
    ls__export_out_printf(o, "%s</attvalues>\n", indent);
}

ls_status ls__export_gexf(const ls__ex_model *m, const char *path, ls_error *err) {
  ls__ex_out o;
  ls_status rc = ls__export_out_open(&o, path, err);
  if (rc)
    return rc;
  char today[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), today);
  ls__export_out_printf(&o,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<gexf xmlns=\"http://www.gexf.net/1.2draft\" "
                        "xmlns:viz=\"http://www.gexf.net/1.2draft/viz\" version=\"1.2\">\n"
                        "  <meta lastmodifieddate=\"%.10s\">\n"
                        "    <creator>linesight</creator>\n"
                        "    <description>county lines network from the analysis of ",
                        today);
  ls__export_out_xml(&o, m->generated ? m->generated : "(unknown)");
  ls__export_out_puts(&o, "</description>\n  </meta>\n"
                          "  <graph defaultedgetype=\"directed\" mode=\"dynamic\" timeformat=\"date\">\n"
                          "    <attributes class=\"node\" mode=\"static\">\n");
  /* label is the node's own attribute in GEXF: not repeated as a column */
  for (int i = 0; i < NA_COUNT; i++)
    if (i != NA_LABEL)
      ls__export_out_printf(&o, "      <attribute id=\"%d\" title=\"%s\" type=\"%s\"/>\n", i,
                            node_attrs[i].name, gexf_type(node_attrs[i].type));
  ls__export_out_puts(&o, "    </attributes>\n    <attributes class=\"edge\" mode=\"static\">\n");
  /* weight is the edge's own attribute in GEXF */
  for (int i = 0; i < EA_COUNT; i++)
    if (i != EA_WEIGHT)
      ls__export_out_printf(&o, "      <attribute id=\"%d\" title=\"%s\" type=\"%s\"/>\n", i,
                            edge_attrs[i].name, gexf_type(edge_attrs[i].type));
  ls__export_out_puts(&o, "    </attributes>\n    <nodes>\n");
  scratch s;
  value v[(int)NA_COUNT > (int)EA_COUNT ? (int)NA_COUNT : (int)EA_COUNT];
  for (size_t i = 0; i < m->n_nodes && !o.failed; i++) {
    const ls__ex_node *nd = &m->nodes[i];
    node_values(nd, v, &s);
    v[NA_LABEL].text = NULL;
    ls__export_out_puts(&o, "      <node id=\"");
    ls__export_out_xml(&o, nd->id);
    ls__export_out_puts(&o, "\" label=\"");
    ls__export_out_xml(&o, nd->label);
    ls__export_out_puts(&o, "\">\n");
    gexf_attvalues(&o, v, NA_COUNT, "        ");
    gexf_spell(&o, nd->first, nd->last, "        ");
    gexf_colour(&o, nd);
    ls__export_out_puts(&o, "      </node>\n");
  }
  ls__export_out_puts(&o, "    </nodes>\n    <edges>\n");
  for (size_t i = 0; i < m->n_edges && !o.failed; i++) {
    const ls__ex_edge *ed = &m->edges[i];
    edge_values(ed, v);
    ls__export_out_printf(&o, "      <edge id=\"%zu\" source=\"", i + 1);
    ls__export_out_xml(&o, m->nodes[ed->from].id);
    ls__export_out_puts(&o, "\" target=\"");
    ls__export_out_xml(&o, m->nodes[ed->to].id);
    ls__export_out_printf(&o, "\" weight=\"%s\" label=\"", v[EA_WEIGHT].text);
    ls__export_out_xml(&o, ls__export_link_name(ed->kind));
    ls__export_out_puts(&o, "\">\n");
    v[EA_WEIGHT].text = NULL;
    gexf_attvalues(&o, v, EA_COUNT, "        ");
    gexf_spell(&o, ed->first, ed->last, "        ");
    ls__export_out_puts(&o, "      </edge>\n");
  }
  ls__export_out_puts(&o, "    </edges>\n  </graph>\n</gexf>\n");
  return ls__export_out_close(&o, path, err);
}
