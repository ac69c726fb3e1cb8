/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PDF report (cairo): A4 pages with the title, headline, the results
 * list, three bar charts (seizures by type, arrests by age band, arrests and
 * safeguarded by force) and, for --national, the table of forces' shares. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <string.h>

#include "ops_internal.h"

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 50.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define FONT "DejaVu Sans"

typedef struct page {
  cairo_t *cr;
  double y;
  int pages;
} page;

static void font(page *p, double size, int bold) {
  cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(p->cr, size);
}

static void footer(page *p) {
  char n[32];
  snprintf(n, sizeof n, "%d", p->pages);
  cairo_save(p->cr);
  font(p, 8, 0);
  cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
  cairo_move_to(p->cr, MARGIN, PAGE_H - 25);
  cairo_show_text(p->cr, "linesight week-of-action results");
  cairo_text_extents_t e;
  cairo_text_extents(p->cr, n, &e);
  cairo_move_to(p->cr, PAGE_W - MARGIN - e.x_advance, PAGE_H - 25);
  cairo_show_text(p->cr, n);
  cairo_restore(p->cr);
}

/* Starts a new page when fewer than `need` points are left. */
static void room(page *p, double need) {
  if (p->y + need <= PAGE_H - MARGIN - 20)
    return;
  footer(p);
  cairo_show_page(p->cr);
  p->pages++;
  p->y = MARGIN;
}

/* Writes text wrapped to width w at x, advancing y by `lead` per line. */
static void wrapped(page *p, const char *text, double x, double w, double lead) {
  char line[1024];
  size_t len = 0;
  const char *s = text;
  while (*s) {
    const char *sp = strchr(s, ' ');
    size_t wl = sp ? (size_t)(sp - s) : strlen(s);
    char trial[1024];
    snprintf(trial, sizeof trial, "%.*s%s%.*s", (int)len, line, len ? " " : "", (int)wl, s);
    cairo_text_extents_t e;
    cairo_text_extents(p->cr, trial, &e);
    if (len && e.x_advance > w) {
      room(p, lead);
      cairo_move_to(p->cr, x, p->y);
      line[len] = '\0';
      cairo_show_text(p->cr, line);
      p->y += lead;
      len = (size_t)snprintf(line, sizeof line, "%.*s", (int)wl, s);
    } else {
      len = (size_t)snprintf(line, sizeof line, "%s", trial);
    }
    if (len >= sizeof line)
      len = sizeof line - 1;
    s += wl;
    while (*s == ' ')
      s++;
  }
  if (len) {
    room(p, lead);
    cairo_move_to(p->cr, x, p->y);
    line[len] = '\0';
    cairo_show_text(p->cr, line);
    p->y += lead;
  }
}

static const double colours[2][3] = {{0.12, 0.31, 0.47}, {0.77, 0.35, 0.07}};

static void chart(page *p, const ls__ops_chart *c) {
  const double label_w = 150, row_h = c->nseries == 2 ? 26 : 18, plot_w = TEXT_W - label_w - 50;
  double h = 30 + (double)(c->n ? c->n : 1) * row_h + 14;
  room(p, h);
  cairo_t *cr = p->cr;
  font(p, 11, 1);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_move_to(cr, MARGIN, p->y);
  cairo_show_text(cr, c->title);
  p->y += 8;
  font(p, 8.5, 0);
  if (c->nseries == 2)
    for (int s = 0; s < 2; s++) {
      cairo_set_source_rgb(cr, colours[s][0], colours[s][1], colours[s][2]);
      cairo_rectangle(cr, MARGIN + label_w + s * 90, p->y + 2, 8, 7);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      cairo_move_to(cr, MARGIN + label_w + 12 + s * 90, p->y + 9);
      cairo_show_text(cr, c->series[s]);
    }
  p->y += 14;
  double max = 0;
  for (size_t i = 0; i < c->n; i++)
    for (size_t s = 0; s < c->nseries; s++)
      if (c->bars[i].value[s] > max)
        max = c->bars[i].value[s];
  if (c->n == 0) {
    cairo_move_to(cr, MARGIN, p->y + 12);
    cairo_show_text(cr, "none recorded");
    p->y += row_h;
  }
  for (size_t i = 0; i < c->n; i++) {
    cairo_text_extents_t e;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_text_extents(cr, c->bars[i].label, &e);
    cairo_move_to(cr, MARGIN + label_w - 6 - e.x_advance, p->y + row_h / 2 + 3);
    cairo_show_text(cr, c->bars[i].label);
    double bh = c->nseries == 2 ? 10 : 13;
    for (size_t s = 0; s < c->nseries; s++) {
      double w = max > 0 ? c->bars[i].value[s] / max * plot_w : 0;
      double by = p->y + 2 + (double)s * (bh + 2);
      cairo_set_source_rgb(cr, colours[s][0], colours[s][1], colours[s][2]);
      cairo_rectangle(cr, MARGIN + label_w, by, w, bh);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      cairo_move_to(cr, MARGIN + label_w + w + 4, by + bh - 2.5);
      cairo_show_text(cr, c->bars[i].value_text[s]);
    }
    p->y += row_h;
  }
  /* the axis line */
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 0.6);
  cairo_move_to(cr, MARGIN + label_w, p->y - (double)(c->n ? c->n : 1) * row_h);
  cairo_line_to(cr, MARGIN + label_w, p->y);
  cairo_stroke(cr);
  p->y += 18;
}

static void force_table(page *p, const ls_ops_report *r) {
  static const char *const heads[] = {"Force or unit", "Arrests", "Share", "Safeguarded", "Share", "Cash seized", "Share"};
  static const double cols[] = {0, 150, 205, 255, 330, 385, 460};
  const ls__ops_totals *t = &r->total;
  room(p, 60);
  font(p, 11, 1);
  cairo_set_source_rgb(p->cr, 0.1, 0.1, 0.1);
  cairo_move_to(p->cr, MARGIN, p->y);
  cairo_show_text(p->cr, "By force and unit");
  p->y += 18;
  font(p, 9, 1);
  for (int k = 0; k < 7; k++) {
    cairo_move_to(p->cr, MARGIN + cols[k], p->y);
    cairo_show_text(p->cr, heads[k]);
  }
  p->y += 14;
  font(p, 9, 0);
  for (size_t i = 0; i < r->nforces; i++) {
    const ls__ops_totals *f = &r->by_force[i];
    char cells[7][64];
    snprintf(cells[0], sizeof cells[0], "%s", f->force);
    ls__ops_format_int(f->arrests, cells[1], sizeof cells[1]);
    ls__ops_format_share(f->arrests, t->arrests, cells[2], sizeof cells[2]);
    ls__ops_format_int(f->safeguarded, cells[3], sizeof cells[3]);
    ls__ops_format_share(f->safeguarded, t->safeguarded, cells[4], sizeof cells[4]);
    ls_ops_format_money(f->cash_pence, cells[5], sizeof cells[5]);
    ls__ops_format_share(f->cash_pence, t->cash_pence, cells[6], sizeof cells[6]);
    room(p, 14);
    for (int k = 0; k < 7; k++) {
      /* figures right-aligned under the end of their heading */
      double x = MARGIN + cols[k];
      if (k > 0) {
        cairo_text_extents_t h, e;
        font(p, 9, 1);
        cairo_text_extents(p->cr, heads[k], &h);
        font(p, 9, 0);
        cairo_text_extents(p->cr, cells[k], &e);
        x += h.x_advance - e.x_advance;
      }
      cairo_move_to(p->cr, x, p->y);
      cairo_show_text(p->cr, cells[k]);
    }
    p->y += 14;
  }
  p->y += 10;
}

ls_status ls__ops_save_pdf(const ls_ops_report *r, const char *path, ls_error *err) {
  ls_buf tmp;
  char **lines = NULL;
  size_t n = 0;
  ls__ops_chart charts[LS__OPS_CHARTS];
  memset(charts, 0, sizeof charts);
  ls_buf_init(&tmp, 64 * 1024);
  cairo_surface_t *surface = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write the PDF report");
  }
  cairo_t *cr = cairo_create(surface);
  page p = {cr, MARGIN + 10, 1};

  ls_status rc = ls__ops_title(&tmp, r);
  if (rc == LS_OK) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, ls_buf_str(&tmp));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "linesight");
    font(&p, 16, 1);
    cairo_set_source_rgb(cr, 0.12, 0.31, 0.47);
    wrapped(&p, ls_buf_str(&tmp), MARGIN, TEXT_W, 21);
    p.y += 6;
    ls_buf_reset(&tmp);
    rc = ls__ops_headline(&tmp, &r->total);
  }
  if (rc == LS_OK)
    rc = ls_buf_puts(&tmp, ".");
  if (rc == LS_OK) {
    font(&p, 11.5, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    wrapped(&p, ls_buf_str(&tmp), MARGIN, TEXT_W, 16);
    p.y += 8;
    rc = ls__ops_bullets(&r->total, &lines, &n);
  }
  if (rc == LS_OK) {
    font(&p, 10, 0);
    for (size_t i = 0; i < n; i++) {
      room(&p, 14);
      cairo_move_to(cr, MARGIN + 4, p.y);
      cairo_show_text(cr, "\xe2\x80\xa2"); /* a bullet */
      wrapped(&p, lines[i], MARGIN + 16, TEXT_W - 16, 14);
      p.y += 1;
    }
    p.y += 16;
    rc = ls__ops_charts(r, charts);
  }
  if (rc == LS_OK) {
    for (int i = 0; i < LS__OPS_CHARTS; i++)
      chart(&p, &charts[i]);
    if (r->national && r->by_force)
      force_table(&p, r);
    footer(&p);
    cairo_show_page(cr);
  }
  cairo_status_t cs = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  if (cs == CAIRO_STATUS_SUCCESS)
    cs = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  ls__ops_bullets_free(lines, n);
  ls__ops_charts_free(charts);
  ls_buf_free(&tmp);
  if (rc) {
    remove(path);
    return LS_FAIL(err, rc, "cannot render the PDF report: %s", ls_status_name(rc));
  }
  if (cs != CAIRO_STATUS_SUCCESS) {
    remove(path);
    return ls_error_set(err, cs == CAIRO_STATUS_NO_MEMORY ? LS_ERR_NOMEM : LS_ERR_IO, path, 0, 0,
                        "cannot write the PDF report: %s", cairo_status_to_string(cs));
  }
  return LS_OK;
}
