/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Safeguarding referrals export (docs/analysis.md, "Referrals"): what a
 * safeguarding partner (children's services, an adult safeguarding team,
 * the NRM single competent authority) needs to act on a referral - who,
 * why, how urgent, and every fact with the record it came from - as CSV for
 * their case systems and one printable HTML page per person. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/ls_mem.h"
#include "analysis_findings.h"
#include "linesight/ls_analysis_explain.h"

static const char *const prio_names[] = {"high", "medium", "low"};

/* RFC 4180 field. O(length). */
static void csv_field(FILE *f, const char *s, int last) {
  if (strpbrk(s, ",\"\r\n")) {
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"')
        fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else {
    fputs(s, f);
  }
  fputc(last ? '\n' : ',', f);
}

static void html_text(FILE *f, const char *s) {
  for (; *s; s++)
    switch (*s) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*s, f);
    }
}

static void joined(const char *const *v, size_t n, const char *sep, char *out, size_t size) {
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && k < size; i++) {
    int w = snprintf(out + k, size - k, "%s%s", i ? sep : "", v[i]);
    if (w < 0)
      return;
    k += (size_t)w;
  }
}

static ls_status close_file(FILE *f, const char *path, ls_error *err) {
  int bad = ferror(f);
  if (fclose(f) || bad)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "write failed");
  return LS_OK;
}

/* One printable page. O(its facts). */
static ls_status write_page(const ls_analysis *a, const ls__safeguard *g, size_t n, const char *dir, ls_error *err) {
  char path[4096], line[16], dob[16] = "unknown", flags[200], t0[LS_ISO_MAX], t1[LS_ISO_MAX], now[LS_ISO_MAX];
  snprintf(path, sizeof path, "%s/referral-%zu.html", dir, n);
  FILE *f = fopen(path, "w");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
  ls__line_label(a, g->line, line);
  if (g->dob != INT32_MIN)
    ls__date_str(g->dob, dob);
  ls__flags_str(g->flags, flags, sizeof flags);
  ls_time_format_utc(g->first, t0);
  ls_time_format_utc(g->last, t1);
  ls_time_format_utc(ls_time_now(), now);
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Safeguarding referral ", f);
  html_text(f, g->subject);
  fputs("</title>\n<style>body{font:11pt/1.4 sans-serif;max-width:48em;margin:2em auto}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em;text-align:left;"
        "vertical-align:top}th{background:#eee}.high{color:#a00;font-weight:bold}"
        "@media print{body{margin:0}a{color:inherit}}</style></head><body>\n",
        f);
  fprintf(f, "<p>OFFICIAL-SENSITIVE. Referral %zu, generated %s by linesight from communications data and "
             "records listed below; every fact names its source.</p>\n<h1>Safeguarding referral: ",
          n, now);
  html_text(f, g->subject);
  fprintf(f, "</h1>\n<table>\n<tr><th>Priority</th><td class=\"%s\">%s%s</td></tr>\n", prio_names[g->priority],
          prio_names[g->priority], g->child ? " (child)" : "");
  fputs("<tr><th>Person</th><td>", f);
  html_text(f, g->person ? g->person : "not identified (a number attributed to nobody)");
  fprintf(f, "</td></tr>\n<tr><th>Date of birth</th><td>%s</td></tr>\n<tr><th>Age at the activity</th><td>", dob);
  if (g->age >= 0)
    fprintf(f, "%d", g->age);
  else
    fputs("unknown", f);
  fprintf(f, "</td></tr>\n<tr><th>Sex</th><td>%c</td></tr>\n<tr><th>Flags on record</th><td>", g->sex);
  html_text(f, flags);
  fprintf(f, "</td></tr>\n<tr><th>County line</th><td>%s</td></tr>\n<tr><th>Numbers</th><td>", line);
  for (size_t i = 0; i < g->n_numbers; i++) {
    html_text(f, g->numbers[i]);
    fputs(i + 1 < g->n_numbers ? ", " : "", f);
  }
  fprintf(f, "</td></tr>\n<tr><th>Period</th><td>%s to %s</td></tr>\n</table>\n<h2>Reasons</h2>\n<ul>\n", t0, t1);
  for (size_t i = 0; i < g->n_reasons; i++) {
    fputs("<li>", f);
    html_text(f, g->reasons[i]);
    fputs("</li>\n", f);
  }
  fputs("</ul>\n<h2>Evidence</h2>\n<table>\n<tr><th>#</th><th>Fact</th><th>Source</th></tr>\n", f);
  for (size_t i = 0; i < g->n_facts; i++) {
    fprintf(f, "<tr><td>%zu</td><td>", i + 1);
    html_text(f, g->facts[i].text);
    fputs("</td><td>", f);
    html_text(f, g->facts[i].source);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n<p>Times are UTC. Findings are analytical assessments to be confirmed before action; "
        "`linesight explain` prints the underlying events.</p>\n</body></html>\n",
        f);
  return close_file(f, path, err);
}

/* O(referrals + their facts). */
ls_status ls_analysis_write_referrals(const ls_analysis *a, const char *dir, size_t *written, ls_error *err) {
  const ls__findings *fx = a->fx;
  char path[4096];
  if (written)
    *written = 0;
  if (mkdir(dir, 0700) && errno != EEXIST)
    return ls_error_set(err, LS_ERR_IO, dir, 0, 0, "cannot create directory: %s", strerror(errno));
  snprintf(path, sizeof path, "%s/referrals.csv", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
  fputs("referral,priority,child,subject,person_id,date_of_birth,age_at_activity,sex,flags,line,numbers,"
        "first_seen,last_seen,reasons,evidence_facts\n",
        f);
  size_t n = fx ? fx->n_safeguards : 0;
  for (size_t i = 0; i < n; i++) {
    const ls__safeguard *g = &fx->safeguards[i];
    char buf[64], line[16], dob[16] = "", flags[200], t0[LS_ISO_MAX], t1[LS_ISO_MAX], nums[2048], reasons[4096];
    snprintf(buf, sizeof buf, "%zu", i + 1);
    csv_field(f, buf, 0);
    csv_field(f, prio_names[g->priority], 0);
    csv_field(f, g->child ? "yes" : "no", 0);
    csv_field(f, g->subject, 0);
    csv_field(f, g->person ? g->person : "", 0);
    if (g->dob != INT32_MIN)
      ls__date_str(g->dob, dob);
    csv_field(f, dob, 0);
    snprintf(buf, sizeof buf, "%d", g->age);
    csv_field(f, g->age >= 0 ? buf : "", 0);
    snprintf(buf, sizeof buf, "%c", g->sex);
    csv_field(f, buf, 0);
    ls__flags_str(g->flags, flags, sizeof flags);
    csv_field(f, flags, 0);
    ls__line_label(a, g->line, line);
    csv_field(f, line, 0);
    joined((const char *const *)g->numbers, g->n_numbers, ";", nums, sizeof nums);
    csv_field(f, nums, 0);
    ls_time_format_utc(g->first, t0);
    ls_time_format_utc(g->last, t1);
    csv_field(f, t0, 0);
    csv_field(f, t1, 0);
    joined((const char *const *)g->reasons, g->n_reasons, "; ", reasons, sizeof reasons);
    csv_field(f, reasons, 0);
    snprintf(buf, sizeof buf, "%zu", g->n_facts);
    csv_field(f, buf, 1);
  }
  ls_status rc = close_file(f, path, err);
  if (rc)
    return rc;
  snprintf(path, sizeof path, "%s/evidence.csv", dir);
  f = fopen(path, "w");
  if (!f)
    return ls_error_set(err, LS_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
  fputs("referral,subject,fact,source\n", f);
  for (size_t i = 0; i < n; i++) {
    const ls__safeguard *g = &fx->safeguards[i];
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", i + 1);
    for (size_t k = 0; k < g->n_facts; k++) {
      csv_field(f, buf, 0);
      csv_field(f, g->subject, 0);
      csv_field(f, g->facts[k].text, 0);
      csv_field(f, g->facts[k].source, 1);
    }
  }
  rc = close_file(f, path, err);
  for (size_t i = 0; i < n && rc == LS_OK; i++)
    rc = write_page(a, &fx->safeguards[i], i + 1, dir, err);
  if (rc == LS_OK && written)
    *written = n;
  return rc;
}
