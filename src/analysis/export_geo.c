/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GeoJSON (RFC 7946; QGIS) and KML 2.2 (Google Earth) of the export model:
 *   cells       Points: every cell where a line's own numbers (deal,
 *               holder, runner) were seen, with sightings and roles;
 *   movements   LineStrings: each own number's trips, cells in time order
 *               (export_model.c: cut at 6-hour silences);
 *   addresses   Points: the lines' cuckooed addresses.
 * One feature list feeds both formats, so they always hold the same
 * features. GeoJSON keeps them in one collection told apart by the
 * property "kind"; KML puts each kind in its Folder (a layer in GIS), with
 * time spans for Google Earth's time slider. A cell or address without
 * coordinates cannot be drawn: it is counted in stats->unplaced. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ls_buf.h"
#include "export_internal.h"
#include "linesight/ls_time.h"

#define MAX_PROPS 16
#define TEXT_LIMIT (1u << 20)

typedef struct prop {
  const char *name;
  const char *text; /* NULL: absent */
  int numeric;      /* written as a JSON number */
  char buf[48];
} prop;

typedef enum geo_kind { GEO_CELL = 0, GEO_MOVEMENT, GEO_ADDRESS } geo_kind;
static const char *const geo_kind_names[] = {"cell", "movement", "cuckoo_address"};
static const char *const folder_names[] = {"Cells", "Movements", "Cuckooed addresses"};

typedef struct feature {
  geo_kind kind;
  const char *name;
  int64_t begin, end;
  const char *style;
  double lat, lon;           /* points */
  const ls__ex_trip *trip;   /* movements */
  prop p[MAX_PROPS];
  int n;
  ls_buf text; /* joined explanations */
} feature;

static prop *add(feature *f, const char *name) {
  prop *p = &f->p[f->n++];
  p->name = name;
  p->text = NULL;
  p->numeric = 0;
  return p;
}

static void add_str(feature *f, const char *name, const char *v) {
  if (v)
    add(f, name)->text = v;
}

static void add_num(feature *f, const char *name, double v) {
  if (!isfinite(v))
    return;
  prop *p = add(f, name);
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(p->buf, sizeof p->buf, "%.*g", prec, v);
    if (strtod(p->buf, NULL) == v)
      break;
  }
  p->text = p->buf;
  p->numeric = 1;
}

static void add_int(feature *f, const char *name, int64_t v) {
  prop *p = add(f, name);
  snprintf(p->buf, sizeof p->buf, "%lld", (long long)v);
  p->text = p->buf;
  p->numeric = 1;
}

static void add_time(feature *f, const char *name, int64_t t) {
  if (t == LS__EX_NO_TIME)
    return;
  prop *p = add(f, name);
  ls_time_format_utc(t, p->buf);
  p->text = p->buf;
}

static void roles_text(uint32_t mask, char *out, size_t size) {
  static const char *const names[] = {"deal", "holder", "runner"};
  size_t used = 0;
  out[0] = '\0';
  for (int i = 0; i < 3; i++)
    if (mask & (1u << i)) {
      int n = snprintf(out + used, size - used, "%s%s", used ? ";" : "", names[i]);
      if (n > 0 && (size_t)n < size - used)
        used += (size_t)n;
    }
}

static void flags_text(uint32_t flags, char *out, size_t size) {
  static const char *const names[] = {"missing_episodes", "looked_after",    "excluded_from_school",
                                      "vulnerable_adult", "drug_dependency", "mental_health"};
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (flags & (1u << i)) {
      int n = snprintf(out + used, size - used, "%s%s", used ? ";" : "", names[i]);
      if (n > 0 && (size_t)n < size - used)
        used += (size_t)n;
    }
}

/* ---- the two encodings of a feature ----------------------------------------- */

static void geojson_feature(ls__ex_out *o, const ls__ex_model *m, const feature *f, int first) {
  ls__export_out_puts(o, first ? "\n" : ",\n");
  ls__export_out_puts(o, "{\"type\":\"Feature\",\"geometry\":");
  if (f->trip) {
    ls__export_out_puts(o, "{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t i = 0; i < f->trip->n; i++) {
      const ls_cell *c = m->cells[m->points[f->trip->first + i].cell].ref;
      ls__export_out_puts(o, i ? ",[" : "[");
      ls__export_out_num(o, c->lon);
      ls__export_out_puts(o, ",");
      ls__export_out_num(o, c->lat);
      ls__export_out_puts(o, "]");
    }
    ls__export_out_puts(o, "]}");
  } else {
    ls__export_out_puts(o, "{\"type\":\"Point\",\"coordinates\":[");
    ls__export_out_num(o, f->lon);
    ls__export_out_puts(o, ",");
    ls__export_out_num(o, f->lat);
    ls__export_out_puts(o, "]}");
  }
  ls__export_out_puts(o, ",\"properties\":{\"kind\":");
  ls__export_out_json(o, geo_kind_names[f->kind]);
  ls__export_out_puts(o, ",\"name\":");
  ls__export_out_json(o, f->name);
  for (int i = 0; i < f->n; i++) {
    ls__export_out_puts(o, ",");
    ls__export_out_json(o, f->p[i].name);
    ls__export_out_puts(o, ":");
    if (f->p[i].numeric)
      ls__export_out_puts(o, f->p[i].text);
    else
      ls__export_out_json(o, f->p[i].text);
  }
  ls__export_out_puts(o, "}}");
}

static void kml_time(ls__ex_out *o, const char *tag, int64_t t) {
  if (t == LS__EX_NO_TIME)
    return;
  char buf[LS_ISO_MAX];
  ls_time_format_utc(t, buf);
  ls__export_out_printf(o, "<%s>%s</%s>", tag, buf, tag);
}

static void kml_feature(ls__ex_out *o, const ls__ex_model *m, const feature *f) {
  ls__export_out_puts(o, "      <Placemark>\n        <name>");
  ls__export_out_xml(o, f->name);
  ls__export_out_puts(o, "</name>\n");
  if (f->begin != LS__EX_NO_TIME || f->end != LS__EX_NO_TIME) {
    ls__export_out_puts(o, "        <TimeSpan>");
    kml_time(o, "begin", f->begin);
    kml_time(o, "end", f->end);
    ls__export_out_puts(o, "</TimeSpan>\n");
  }
  ls__export_out_printf(o, "        <styleUrl>#%s</styleUrl>\n        <ExtendedData>\n", f->style);
  ls__export_out_printf(o, "          <Data name=\"kind\"><value>%s</value></Data>\n", geo_kind_names[f->kind]);
  for (int i = 0; i < f->n; i++) {
    ls__export_out_puts(o, "          <Data name=\"");
    ls__export_out_xml(o, f->p[i].name);
    ls__export_out_puts(o, "\"><value>");
    ls__export_out_xml(o, f->p[i].text);
    ls__export_out_puts(o, "</value></Data>\n");
  }
  ls__export_out_puts(o, "        </ExtendedData>\n");
  if (f->trip) {
    ls__export_out_puts(o, "        <LineString><tessellate>1</tessellate><coordinates>");
    for (size_t i = 0; i < f->trip->n; i++) {
      const ls_cell *c = m->cells[m->points[f->trip->first + i].cell].ref;
      if (i)
        ls__export_out_puts(o, " ");
      ls__export_out_num(o, c->lon);
      ls__export_out_puts(o, ",");
      ls__export_out_num(o, c->lat);
    }
    ls__export_out_puts(o, "</coordinates></LineString>\n");
  } else {
    ls__export_out_puts(o, "        <Point><coordinates>");
    ls__export_out_num(o, f->lon);
    ls__export_out_puts(o, ",");
    ls__export_out_num(o, f->lat);
    ls__export_out_puts(o, "</coordinates></Point>\n");
  }
  ls__export_out_puts(o, "      </Placemark>\n");
}

/* ---- the features ------------------------------------------------------------ */

typedef struct emit_state {
  int kml;
  size_t count;
} emit_state;

static void emit(ls__ex_out *o, const ls__ex_model *m, const feature *f, emit_state *st) {
  if (st->kml)
    kml_feature(o, m, f);
  else
    geojson_feature(o, m, f, st->count == 0);
  st->count++;
}

static void open_folder(ls__ex_out *o, emit_state *st, geo_kind k) {
  if (st->kml)
    ls__export_out_printf(o, "    <Folder>\n      <name>%s</name>\n", folder_names[k]);
}

static void close_folder(ls__ex_out *o, emit_state *st) {
  if (st->kml)
    ls__export_out_puts(o, "    </Folder>\n");
}

static void write_features(ls__ex_out *o, const ls__ex_model *m, emit_state *st, ls_export_stats *stats) {
  static const char *const role_styles[] = {"deal", "holder", "runner", "customer", "other"};
  feature f;
  ls_buf_init(&f.text, TEXT_LIMIT);
  char roles[32], flags[160];
  open_folder(o, st, GEO_CELL);
  for (size_t i = 0; i < m->n_cells; i++) {
    const ls__ex_cell *c = &m->cells[i];
    const char *cid = ls_dict_str(&m->ev->cells, c->cell);
    if (!c->ref || !ls__export_placed(c->ref->lat, c->ref->lon)) {
      stats->unplaced++;
      continue;
    }
    f.kind = GEO_CELL;
    f.n = 0;
    f.trip = NULL;
    f.name = c->ref->name ? c->ref->name : cid;
    f.begin = c->first;
    f.end = c->last;
    f.style = "cell";
    f.lat = c->ref->lat;
    f.lon = c->ref->lon;
    roles_text(c->roles, roles, sizeof roles);
    add_str(&f, "cell", cid);
    add_str(&f, "cell_name", c->ref->name);
    add_str(&f, "area", c->ref->area);
    add_num(&f, "azimuth", c->ref->azimuth);
    add_int(&f, "events", c->events);
    add_str(&f, "roles", roles);
    add_time(&f, "first_seen", c->first);
    add_time(&f, "last_seen", c->last);
    emit(o, m, &f, st);
    stats->cells++;
  }
  close_folder(o, st);
  open_folder(o, st, GEO_MOVEMENT);
  for (size_t i = 0; i < m->n_trips; i++) {
    const ls__ex_trip *t = &m->trips[i];
    const ls__ex_node *nd = &m->nodes[t->node];
    const ls__ex_point *p0 = &m->points[t->first], *p1 = &m->points[t->first + t->n - 1];
    f.kind = GEO_MOVEMENT;
    f.n = 0;
    f.trip = t;
    f.name = nd->label;
    f.begin = p0->t;
    f.end = p1->t;
    f.style = role_styles[nd->role_rank < 4 ? nd->role_rank : 4];
    ls_buf_reset(&f.text);
    for (size_t k = 0; k < t->n; k++) {
      const char *cid = ls_dict_str(&m->ev->cells, m->cells[m->points[t->first + k].cell].cell);
      ls_status rc = k ? ls_buf_puts(&f.text, ";") : LS_OK;
      if (!rc)
        rc = ls_buf_puts(&f.text, cid);
      if (rc) {
        ls__export_out_check(o, rc);
        break;
      }
    }
    add_str(&f, "number", nd->label);
    add_str(&f, "role", nd->role);
    add_str(&f, "lines", nd->lines);
    add_time(&f, "start", p0->t);
    add_time(&f, "end", p1->t);
    add_int(&f, "places", (int64_t)t->n);
    add_str(&f, "from_cell", ls_dict_str(&m->ev->cells, m->cells[p0->cell].cell));
    add_str(&f, "to_cell", ls_dict_str(&m->ev->cells, m->cells[p1->cell].cell));
    add_str(&f, "cells", ls_buf_str(&f.text));
    emit(o, m, &f, st);
    stats->movements++;
  }
  close_folder(o, st);
  open_folder(o, st, GEO_ADDRESS);
  for (size_t i = 0; i < m->n_nodes; i++) {
    const ls__ex_node *nd = &m->nodes[i];
    if (nd->kind != LS__EX_ADDRESS)
      continue;
    if (!nd->address || !ls__export_placed(nd->address->lat, nd->address->lon)) {
      stats->unplaced++;
      continue;
    }
    f.kind = GEO_ADDRESS;
    f.n = 0;
    f.trip = NULL;
    f.name = nd->label;
    f.begin = f.end = LS__EX_NO_TIME;
    f.style = "address";
    f.lat = nd->address->lat;
    f.lon = nd->address->lon;
    ls__export_out_join(o, &f.text, json_object_get(nd->json, "explain"), "; ");
    flags_text(nd->address->flags, flags, sizeof flags);
    add_str(&f, "address", nd->label);
    add_str(&f, "lines", nd->lines);
    add_num(&f, "score", nd->score);
    add_str(&f, "cell", nd->address->cell_id);
    add_str(&f, "occupant", nd->address->occupant);
    add_str(&f, "flags", flags);
    add_str(&f, "explain", ls_buf_str(&f.text));
    emit(o, m, &f, st);
    stats->addresses++;
  }
  close_folder(o, st);
  ls_buf_free(&f.text);
  stats->features = stats->cells + stats->movements + stats->addresses;
}

ls_status ls__export_geojson(const ls__ex_model *m, const char *path, ls_export_stats *stats,
                             ls_error *err) {
  ls__ex_out o;
  ls_status rc = ls__export_out_open(&o, path, err);
  if (rc)
    return rc;
  emit_state st = {0, 0};
  ls__export_out_puts(&o, "{\"type\":\"FeatureCollection\",\"name\":\"linesight\",\"generated\":");
  ls__export_out_json(&o, m->generated);
  ls__export_out_puts(&o, ",\"features\":[");
  write_features(&o, m, &st, stats);
  ls__export_out_puts(&o, "\n]}\n");
  return ls__export_out_close(&o, path, err);
}

ls_status ls__export_kml(const ls__ex_model *m, const char *path, ls_export_stats *stats, ls_error *err) {
  ls__ex_out o;
  ls_status rc = ls__export_out_open(&o, path, err);
  if (rc)
    return rc;
  emit_state st = {1, 0};
  /* KML colours are aabbggrr: the GEXF colours of docs/exports.md */
  ls__export_out_puts(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n  <Document>\n"
                          "    <name>linesight</name>\n"
                          "    <Style id=\"cell\"><IconStyle><color>ffb47700</color></IconStyle></Style>\n"
                          "    <Style id=\"address\"><IconStyle><color>ff4b568c</color></IconStyle></Style>\n"
                          "    <Style id=\"deal\"><LineStyle><color>ff2827d6</color><width>3</width></LineStyle></Style>\n"
                          "    <Style id=\"holder\"><LineStyle><color>ffbd6794</color><width>3</width></LineStyle></Style>\n"
                          "    <Style id=\"runner\"><LineStyle><color>ff0e7fff</color><width>3</width></LineStyle></Style>\n"
                          "    <Style id=\"customer\"><LineStyle><color>ffa0a0a0</color><width>2</width></LineStyle></Style>\n"
                          "    <Style id=\"other\"><LineStyle><color>ff787878</color><width>2</width></LineStyle></Style>\n");
  write_features(&o, m, &st, stats);
  ls__export_out_puts(&o, "  </Document>\n</kml>\n");
  return ls__export_out_close(&o, path, err);
}
