/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plain-text report, in the style of a published week-of-action result:
 *
 *   Hampshire, 2024-10 intensification (7 to 13 October 2024): 43 arrests, ...
 *
 *   - 43 arrests, including 7 aged under 18
 *   - ...
 *
 * and, for --national, each force's share of the main figures. */
#include <stdio.h>
#include <string.h>

#include "ops_internal.h"

ls_status ls__ops_title(ls_buf *b, const ls_ops_report *r) {
  char period[128];
  ls__ops_format_period(r->total.first_date, r->total.last_date, period, sizeof period);
  return ls_buf_printf(b, "%s, %s (%s)", ls__ops_scope_name(r), r->operation, period);
}

/* "Hampshire: 43 arrests (29.5%), 12 people safeguarded (31.6%), ..." */
static ls_status share_line(ls_buf *b, const ls__ops_totals *f, const ls__ops_totals *all) {
  char share[32], num[64];
  int parts = 0;
  ls_status rc = ls_buf_printf(b, "%s: ", f->force);
  struct {
    int64_t part, whole;
    const char *noun, *suffix;
  } m[] = {
      {f->arrests, all->arrests, "arrest", ""},
      {f->safeguarded, all->safeguarded, NULL, " safeguarded"},
      {f->lines_closed, all->lines_closed, "deal line", " closed"},
      {f->warrants, all->warrants, "warrant", " executed"},
      {f->cash_pence, all->cash_pence, NULL, " in cash"},
  };
  for (size_t k = 0; k < sizeof m / sizeof *m && rc == LS_OK; k++) {
    if (!m[k].whole)
      continue; /* a measure nobody recorded is not worth a share */
    if (parts++)
      rc = ls_buf_puts(b, ", ");
    if (rc)
      break;
    if (k == 1) {
      ls__ops_format_int(m[k].part, num, sizeof num);
      rc = ls_buf_printf(b, "%s %s", num, m[k].part == 1 ? "person" : "people");
    } else if (k == 4 && m[k].part == 0) {
      rc = ls_buf_puts(b, "no cash"); /* none seized: "£0" would read as a valuation */
    } else if (k == 4) {
      ls_ops_format_money(m[k].part, num, sizeof num);
      rc = ls_buf_puts(b, num);
    } else {
      rc = ls__ops_counted(b, m[k].part, m[k].noun);
    }
    ls__ops_format_share(m[k].part, m[k].whole, share, sizeof share);
    if (rc == LS_OK)
      rc = ls_buf_printf(b, "%s (%s)", m[k].suffix, share);
  }
  if (rc == LS_OK && parts == 0)
    rc = ls__ops_counted(b, f->records, "other record");
  return rc;
}

ls_status ls__ops_render_text(const ls_ops_report *r, ls_buf *b) {
  char **lines = NULL;
  size_t n = 0;
  ls_status rc = ls__ops_title(b, r);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, ": ");
  if (rc == LS_OK)
    rc = ls__ops_headline(b, &r->total);
  if (rc == LS_OK)
    rc = ls_buf_puts(b, ".\n");
  if (rc == LS_OK)
    rc = ls__ops_bullets(&r->total, &lines, &n);
  if (rc == LS_OK && n)
    rc = ls_buf_puts(b, "\n");
  for (size_t i = 0; i < n && rc == LS_OK; i++)
    rc = ls_buf_printf(b, "- %s\n", lines[i]);
  ls__ops_bullets_free(lines, n);
  if (rc == LS_OK && r->national && r->by_force) {
    char forces[48];
    ls__ops_format_int((int64_t)r->nforces, forces, sizeof forces);
    rc = ls_buf_printf(b, "\nShare by force and unit (%s %s):\n", forces,
                       r->nforces == 1 ? "force or unit" : "forces and units");
    for (size_t i = 0; i < r->nforces && rc == LS_OK; i++) {
      rc = ls_buf_puts(b, "- ");
      if (rc == LS_OK)
        rc = share_line(b, &r->by_force[i], &r->total);
      if (rc == LS_OK)
        rc = ls_buf_puts(b, "\n");
    }
  }
  return rc;
}
