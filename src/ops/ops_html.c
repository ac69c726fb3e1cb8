/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTML report: one self-contained page (inline CSS, inline SVG charts,
 * no scripts, fonts or images fetched from anywhere) so it can be attached
 * to a briefing and opened offline on a locked-down machine. */
#include <stdio.h>
#include <string.h>

#include "ops_internal.h"

static ls_status esc(ls_buf *b, const char *s) {
  ls_status rc = LS_OK;
  for (; *s && rc == LS_OK; s++) {
    switch (*s) {
    case '&':
      rc = ls_buf_puts(b, "&amp;");
      break;
    case '<':
      rc = ls_buf_puts(b, "&lt;");
      break;
    case '>':
      rc = ls_buf_puts(b, "&gt;");
      break;
    case '"':
      rc = ls_buf_puts(b, "&quot;");
      break;
    case '\'':
      rc = ls_buf_puts(b, "&#39;");
      break;
    default:
      rc = ls_buf_append(b, s, 1);
    }
  }
  return rc;
}

static const char *const series_colour[2] = {"#1f4e79", "#c55a11"};

/* A horizontal bar chart: one row per bar, up to two series per row. */
static ls_status svg_chart(ls_buf *b, const ls__ops_chart *c) {
  const int width = 640, label_w = 190, row_h = c->nseries == 2 ? 34 : 24, top = 34;
  const int plot_w = width - label_w - 70;
  double max = 0;
  for (size_t i = 0; i < c->n; i++)
    for (size_t s = 0; s < c->nseries; s++)
      if (c->bars[i].value[s] > max)
        max = c->bars[i].value[s];
  int height = top + (int)(c->n ? c->n : 1) * row_h + 10;
  ls_status rc = ls_buf_puts(b, "<figure>\n");
  if (rc == LS_OK)
    rc = ls_buf_printf(b,
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                       "role=\"img\" aria-label=\"",
                       width, height, width, height);
  if (rc == LS_OK)
    rc = esc(b, c->title);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "\">\n<text x=\"0\" y=\"16\" class=\"ct\">");
  if (rc == LS_OK)
    rc = esc(b, c->title);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "</text>\n");
  for (size_t s = 0; c->nseries == 2 && s < 2 && rc == LS_OK; s++) {
    rc = ls_buf_printf(b, "<rect x=\"%d\" y=\"22\" width=\"10\" height=\"8\" fill=\"%s\"/>", label_w + (int)s * 110,
                       series_colour[s]);
    if (rc == LS_OK)
      rc = ls_buf_printf(b, "<text x=\"%d\" y=\"30\" class=\"lg\">%s</text>\n", label_w + 14 + (int)s * 110,
                         c->series[s]);
  }
  if (rc == LS_OK && c->n == 0)
    rc = ls_buf_printf(b, "<text x=\"0\" y=\"%d\" class=\"lb\">none recorded</text>\n", top + 16);
  for (size_t i = 0; i < c->n && rc == LS_OK; i++) {
    int y = top + (int)i * row_h;
    rc = ls_buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lb\" text-anchor=\"end\">", label_w - 8,
                       y + row_h / 2 + 4);
    if (rc == LS_OK)
      rc = esc(b, c->bars[i].label);
    if (rc == LS_OK)
      rc = ls_buf_puts(b, "</text>");
    int bh = c->nseries == 2 ? 13 : 16;
    for (size_t s = 0; s < c->nseries && rc == LS_OK; s++) {
      int w = max > 0 ? (int)(c->bars[i].value[s] / max * plot_w + 0.5) : 0;
      int by = y + 3 + (int)s * (bh + 2);
      rc = ls_buf_printf(b,
                         "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                         "<text x=\"%d\" y=\"%d\" class=\"vl\">%s</text>",
                         label_w, by, w, bh, series_colour[s], label_w + w + 5, by + bh - 3,
                         c->bars[i].value_text[s]);
    }
    if (rc == LS_OK)
      rc = ls_buf_puts(b, "\n");
  }
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "</svg>\n</figure>\n");
  return rc;
}

static ls_status row(ls_buf *b, const char *name, const char *value) {
  ls_status rc = ls_buf_puts(b, "<tr><th scope=\"row\">");
  if (rc == LS_OK)
    rc = esc(b, name);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "</th><td>");
  if (rc == LS_OK)
    rc = esc(b, value);
  return rc ? rc : ls_buf_puts(b, "</td></tr>\n");
}

static ls_status row_int(ls_buf *b, const char *name, int64_t v) {
  char num[48];
  ls__ops_format_int(v, num, sizeof num);
  return row(b, name, num);
}

static ls_status totals_table(ls_buf *b, const ls__ops_totals *t) {
  char m[64];
  ls_status rc = ls_buf_puts(b, "<h2>Totals</h2>\n<table class=\"totals\">\n");
  if (rc == LS_OK)
    rc = row_int(b, "Arrests", t->arrests);
  if (rc == LS_OK)
    rc = row_int(b, "Arrests: under 18", t->arrests_under_18);
  if (rc == LS_OK)
    rc = row_int(b, "People safeguarded", t->safeguarded);
  if (rc == LS_OK)
    rc = row_int(b, "Safeguarded: adult males", t->sg_adult_male);
  if (rc == LS_OK)
    rc = row_int(b, "Safeguarded: adult females", t->sg_adult_female);
  if (rc == LS_OK)
    rc = row_int(b, "Safeguarded: juveniles", t->sg_juvenile);
  if (rc == LS_OK)
    rc = row_int(b, "Deal lines closed", t->lines_closed);
  if (rc == LS_OK)
    rc = row_int(b, "Warrants executed", t->warrants);
  if (rc == LS_OK)
    rc = row_int(b, "People stop-searched", t->stop_searches);
  if (rc == LS_OK)
    rc = row_int(b, "Stop-searched: from outside the area", t->ss_out_of_area);
  char cash[192];
  ls_ops_format_money(t->cash_pence, m, sizeof m);
  if (t->cash_uncounted) {
    char n[48];
    ls__ops_format_int(t->cash_uncounted, n, sizeof n);
    snprintf(cash, sizeof cash, "%s (plus %s seizure%s yet to be counted)", m, n, t->cash_uncounted == 1 ? "" : "s");
  } else {
    snprintf(cash, sizeof cash, "%s", m);
  }
  if (rc == LS_OK)
    rc = row(b, "Cash seized", cash);
  if (rc == LS_OK)
    rc = row_int(b, "Weapons seized", t->weapons);
  if (rc == LS_OK)
    rc = row_int(b, "Phones seized", t->phones);
  if (rc == LS_OK)
    rc = row_int(b, "Vehicles seized", t->vehicles);
  if (rc == LS_OK)
    rc = row_int(b, "Cuckooed addresses visited", t->visits[LS__OPS_VISIT_CUCKOO]);
  if (rc == LS_OK)
    rc = row_int(b, "Schools visited", t->visits[LS__OPS_VISIT_SCHOOL]);
  if (rc == LS_OK)
    rc = row_int(b, "Landlords visited", t->visits[LS__OPS_VISIT_LANDLORD]);
  if (rc == LS_OK)
    rc = row_int(b, "Vehicle checks", t->visits[LS__OPS_VISIT_VEHICLE]);
  if (rc == LS_OK)
    rc = row_int(b, "Diversion messages sent", t->messages_sent);
  if (rc == LS_OK)
    rc = row_int(b, "Networks disrupted", t->networks_disrupted);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "</table>\n");
  return rc;
}

static ls_status drugs_table(ls_buf *b, const ls__ops_totals *t) {
  if (!t->drugs.n)
    return LS_OK;
  ls_status rc = ls_buf_puts(b, "<h2>Drugs seized</h2>\n<table>\n<tr><th>Drug</th><th>Seizures</th><th>Weight</th>"
                                "<th>Wraps</th><th>Estimated value</th><th>Not yet quantified</th></tr>\n");
  for (size_t i = 0; i < t->drugs.n && rc == LS_OK; i++) {
    const ls__ops_named *d = &t->drugs.v[i];
    char w[64] = "not weighed", n[48], wr[48] = "not counted", v[64] = "not yet valued", u[48];
    if (d->has_weight)
      ls_ops_format_weight(d->weight_mg, w, sizeof w);
    if (d->has_wraps)
      ls__ops_format_int(d->wraps, wr, sizeof wr);
    if (d->has_value)
      ls_ops_format_money(d->value_pence, v, sizeof v);
    ls__ops_format_int(d->count, n, sizeof n);
    ls__ops_format_int(d->unquantified, u, sizeof u);
    rc = ls_buf_puts(b, "<tr><td>");
    if (rc == LS_OK)
      rc = esc(b, ls__ops_drug_display(d->name));
    if (rc == LS_OK)
      rc = ls_buf_printf(b, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", n, w, wr, v, u);
  }
  return rc == LS_OK ? ls_buf_puts(b, "</table>\n") : rc;
}

static ls_status force_table(ls_buf *b, const ls_ops_report *r) {
  if (!r->national || !r->by_force)
    return LS_OK;
  const ls__ops_totals *t = &r->total;
  ls_status rc = ls_buf_puts(b, "<h2>By force and unit</h2>\n<table>\n<tr><th>Force or unit</th><th>Arrests</th>"
                                "<th>Share</th><th>Safeguarded</th><th>Share</th><th>Lines closed</th><th>Share</th>"
                                "<th>Cash seized</th><th>Share</th></tr>\n");
  for (size_t i = 0; i < r->nforces && rc == LS_OK; i++) {
    const ls__ops_totals *f = &r->by_force[i];
    char a[48], sa[16], s[48], ss[16], l[48], sl[16], c[64], sc[16];
    ls__ops_format_int(f->arrests, a, sizeof a);
    ls__ops_format_share(f->arrests, t->arrests, sa, sizeof sa);
    ls__ops_format_int(f->safeguarded, s, sizeof s);
    ls__ops_format_share(f->safeguarded, t->safeguarded, ss, sizeof ss);
    ls__ops_format_int(f->lines_closed, l, sizeof l);
    ls__ops_format_share(f->lines_closed, t->lines_closed, sl, sizeof sl);
    ls_ops_format_money(f->cash_pence, c, sizeof c);
    ls__ops_format_share(f->cash_pence, t->cash_pence, sc, sizeof sc);
    rc = ls_buf_puts(b, "<tr><td>");
    if (rc == LS_OK)
      rc = esc(b, f->force);
    if (rc == LS_OK)
      rc = ls_buf_printf(b,
                         "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                         "<td>%s</td></tr>\n",
                         a, sa, s, ss, l, sl, c, sc);
  }
  return rc == LS_OK ? ls_buf_puts(b, "</table>\n") : rc;
}

ls_status ls__ops_render_html(const ls_ops_report *r, ls_buf *b, ls_error *err) {
  ls_buf tmp;
  char **lines = NULL;
  size_t n = 0;
  ls__ops_chart charts[LS__OPS_CHARTS];
  memset(charts, 0, sizeof charts);
  ls_buf_init(&tmp, 64 * 1024);
  ls_status rc = ls__ops_title(&tmp, r);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  if (rc == LS_OK)
    rc = esc(b, ls_buf_str(&tmp));
  if (rc == LS_OK)
    rc = ls_buf_puts(b,
                     "</title>\n<style>\n"
                     "body{font-family:Helvetica,Arial,sans-serif;max-width:760px;margin:2em auto;color:#222;"
                     "padding:0 1em}\n"
                     "h1{font-size:1.4em;color:#1f4e79;margin-bottom:.2em}\n"
                     "p.headline{font-size:1.15em;font-weight:bold}\n"
                     "ul.results li{margin:.25em 0}\n"
                     "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
                     "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}\n"
                     "td{text-align:right}\ntd:first-child{text-align:left}\n"
                     "table.totals td{text-align:right}\n"
                     "figure{margin:1em 0}\n"
                     "svg .ct{font:bold 14px Helvetica,Arial,sans-serif;fill:#222}\n"
                     "svg .lb,svg .vl,svg .lg{font:12px Helvetica,Arial,sans-serif;fill:#222}\n"
                     "footer{font-size:.8em;color:#666;margin-top:2em}\n"
                     "</style>\n</head>\n<body>\n<h1>");
  if (rc == LS_OK)
    rc = esc(b, ls_buf_str(&tmp));
  ls_buf_reset(&tmp);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "</h1>\n<p class=\"headline\">");
  if (rc == LS_OK)
    rc = ls__ops_headline(&tmp, &r->total);
  if (rc == LS_OK)
    rc = esc(b, ls_buf_str(&tmp));
  if (rc == LS_OK)
    rc = ls_buf_puts(b, ".</p>\n<ul class=\"results\">\n");
  if (rc == LS_OK)
    rc = ls__ops_bullets(&r->total, &lines, &n);
  for (size_t i = 0; i < n && rc == LS_OK; i++) {
    rc = ls_buf_puts(b, "<li>");
    if (rc == LS_OK)
      rc = esc(b, lines[i]);
    if (rc == LS_OK)
      rc = ls_buf_puts(b, "</li>\n");
  }
  if (rc == LS_OK)
    rc = ls_buf_puts(b, "</ul>\n<h2>Charts</h2>\n");
  if (rc == LS_OK)
    rc = ls__ops_charts(r, charts);
  for (int i = 0; i < LS__OPS_CHARTS && rc == LS_OK; i++)
    rc = svg_chart(b, &charts[i]);
  if (rc == LS_OK)
    rc = totals_table(b, &r->total);
  if (rc == LS_OK)
    rc = drugs_table(b, &r->total);
  if (rc == LS_OK)
    rc = force_table(b, r);
  if (rc == LS_OK) {
    char recs[48];
    ls__ops_format_int(r->total.records, recs, sizeof recs);
    rc = ls_buf_printf(b, "<footer>Compiled by linesight from %s result record%s recorded by ", recs,
                       r->total.records == 1 ? "" : "s");
  }
  for (size_t i = 0; i < r->nforces && rc == LS_OK; i++) {
    rc = ls_buf_puts(b, i == 0 ? "" : i == r->nforces - 1 ? " and " : ", ");
    if (rc == LS_OK)
      rc = esc(b, r->forces[i]);
  }
  if (rc == LS_OK)
    rc = ls_buf_puts(b, ".</footer>\n</body>\n</html>\n");
  ls__ops_bullets_free(lines, n);
  ls__ops_charts_free(charts);
  ls_buf_free(&tmp);
  if (rc)
    return LS_FAIL(err, rc, "cannot render the HTML report: %s", ls_status_name(rc));
  return LS_OK;
}
