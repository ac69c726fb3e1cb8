/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wording of published results, shared by every report format: money,
 * weights, plurals, the headline and the press-office list of results.
 *
 * Style (docs/operations.md): figures in digits with thousands separators
 * ("1 arrest", "1,360 arrests"), as the national coordination centre's
 * releases print them; money to the pound when whole ("£50,272"), else to
 * the penny ("£30,240.89"); weights in g below 1kg, in kg from there. */
#include <stdio.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "ops_internal.h"

void ls__ops_format_int(int64_t n, char *out, size_t size) {
  char digits[32];
  int neg = n < 0;
  uint64_t u = neg ? (uint64_t)(-(n + 1)) + 1 : (uint64_t)n;
  int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
  char tmp[48];
  size_t j = 0;
  if (neg)
    tmp[j++] = '-';
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0)
      tmp[j++] = ',';
    tmp[j++] = digits[i];
  }
  tmp[j] = '\0';
  snprintf(out, size, "%s", tmp);
}

void ls_ops_format_money(int64_t pence, char *out, size_t n) {
  char whole[48];
  int neg = pence < 0;
  uint64_t u = neg ? (uint64_t)(-(pence + 1)) + 1 : (uint64_t)pence;
  ls__ops_format_int((int64_t)(u / 100), whole, sizeof whole);
  if (u % 100)
    snprintf(out, n, "%s£%s.%02u", neg ? "-" : "", whole, (unsigned)(u % 100));
  else
    snprintf(out, n, "%s£%s", neg ? "-" : "", whole);
}

/* "12.5" from 12500 thousandths: decimals trimmed of trailing zeros */
static void thousandths(int64_t v, const char *unit, char *out, size_t n) {
  char whole[48];
  ls__ops_format_int(v / 1000, whole, sizeof whole);
  int frac = (int)(v % 1000);
  if (frac == 0) {
    snprintf(out, n, "%s%s", whole, unit);
    return;
  }
  char f[4];
  snprintf(f, sizeof f, "%03d", frac);
  for (int i = 2; i > 0 && f[i] == '0'; i--)
    f[i] = '\0';
  snprintf(out, n, "%s.%s%s", whole, f, unit);
}

void ls_ops_format_weight(int64_t mg, char *out, size_t n) {
  if (mg < 0)
    mg = 0;
  if (mg < 1000000)
    thousandths(mg, "g", out, n);
  else
    thousandths((mg + 500) / 1000, "kg", out, n); /* to the nearest gram */
}

void ls__ops_format_share(int64_t part, int64_t whole, char *out, size_t size) {
  if (whole <= 0) {
    snprintf(out, size, "-");
    return;
  }
  int64_t permille = (part * 1000 + whole / 2) / whole;
  snprintf(out, size, "%lld.%lld%%", (long long)(permille / 10), (long long)(permille % 10));
}

static int ends_with(const char *s, size_t len, const char *suffix) {
  size_t k = strlen(suffix);
  return len >= k && !memcmp(s + len - k, suffix, k);
}

ls_status ls__ops_plural(ls_buf *b, const char *singular) {
  size_t len = strlen(singular);
  /* nouns that do not change, or are usually already plural */
  static const char *const same[] = {"cannabis", "sheep", "aircraft", "cash", "clothing", "jewellery",
                                     "ammunition", "equipment", "scales", "people", "police"};
  for (size_t i = 0; i < sizeof same / sizeof *same; i++)
    if (ends_with(singular, len, same[i]))
      return ls_buf_puts(b, singular);
  if (ends_with(singular, len, "person"))
    return ls_buf_printf(b, "%.*sople", (int)(len - 4), singular);
  if (ends_with(singular, len, "knife") || ends_with(singular, len, "wife") || ends_with(singular, len, "life"))
    return ls_buf_printf(b, "%.*sves", (int)(len - 2), singular);
  if (ends_with(singular, len, "s") || ends_with(singular, len, "x") || ends_with(singular, len, "z") ||
      ends_with(singular, len, "ch") || ends_with(singular, len, "sh"))
    return ls_buf_printf(b, "%ses", singular);
  if (len >= 2 && singular[len - 1] == 'y' && !strchr("aeiou", singular[len - 2]))
    return ls_buf_printf(b, "%.*sies", (int)(len - 1), singular);
  return ls_buf_printf(b, "%ss", singular);
}

ls_status ls__ops_counted(ls_buf *b, int64_t n, const char *singular) {
  char num[48];
  ls__ops_format_int(n, num, sizeof num);
  ls_status rc = ls_buf_printf(b, "%s ", num);
  if (rc)
    return rc;
  return n == 1 ? ls_buf_puts(b, singular) : ls__ops_plural(b, singular);
}

const char *ls__ops_drug_display(const char *drug) {
  static const char *const map[][2] = {{"crack", "crack cocaine"}, {"mdma", "MDMA"}, {"lsd", "LSD"}};
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (!strcmp(drug, map[i][0]))
      return map[i][1];
  return drug;
}

void ls__ops_format_period(const char *first, const char *last, char *out, size_t size) {
  static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
  int y1 = 0, m1 = 0, d1 = 0, y2 = 0, m2 = 0, d2 = 0;
  if (sscanf(first, "%4d-%2d-%2d", &y1, &m1, &d1) != 3 || sscanf(last, "%4d-%2d-%2d", &y2, &m2, &d2) != 3 ||
      m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12) {
    snprintf(out, size, "%s to %s", first, last);
    return;
  }
  if (!strcmp(first, last))
    snprintf(out, size, "%d %s %d", d1, months[m1 - 1], y1);
  else if (y1 == y2 && m1 == m2)
    snprintf(out, size, "%d to %d %s %d", d1, d2, months[m2 - 1], y2);
  else if (y1 == y2)
    snprintf(out, size, "%d %s to %d %s %d", d1, months[m1 - 1], d2, months[m2 - 1], y2);
  else
    snprintf(out, size, "%d %s %d to %d %s %d", d1, months[m1 - 1], y1, d2, months[m2 - 1], y2);
}

const char *ls__ops_scope_name(const ls_ops_report *r) {
  if (r->force)
    return r->force;
  if (r->national)
    return "National";
  if (r->nforces == 1)
    return r->forces[0];
  return "All forces and units";
}

/* ---- headline and bullets ---------------------------------------------- */

static ls_status people_safeguarded(ls_buf *b, int64_t n) {
  char num[48];
  ls__ops_format_int(n, num, sizeof num);
  return ls_buf_printf(b, "%s %s safeguarded", num, n == 1 ? "person" : "people");
}

ls_status ls__ops_headline(ls_buf *b, const ls__ops_totals *t) {
  /* the figures a release leads with, in this order, at most three */
  char parts[3][96];
  int np = 0;
  ls_buf tmp;
  ls_status rc = LS_OK;
  ls_buf_init(&tmp, 1024);
  for (int k = 0; k < 5 && np < 3 && rc == LS_OK; k++) {
    ls_buf_reset(&tmp);
    switch (k) {
    case 0:
      if (t->arrests)
        rc = ls__ops_counted(&tmp, t->arrests, "arrest");
      break;
    case 1:
      if (t->safeguarded)
        rc = people_safeguarded(&tmp, t->safeguarded);
      break;
    case 2:
      if (t->lines_closed)
        rc = ls__ops_counted(&tmp, t->lines_closed, "deal line");
      if (rc == LS_OK && t->lines_closed)
        rc = ls_buf_puts(&tmp, " closed");
      break;
    case 3:
      if (t->cash_pence) {
        char m[64];
        ls_ops_format_money(t->cash_pence, m, sizeof m);
        rc = ls_buf_printf(&tmp, "%s in cash seized", m);
      }
      break;
    default:
      if (t->warrants)
        rc = ls__ops_counted(&tmp, t->warrants, "warrant");
      if (rc == LS_OK && t->warrants)
        rc = ls_buf_puts(&tmp, " executed");
      break;
    }
    if (rc == LS_OK && tmp.len)
      snprintf(parts[np++], sizeof parts[0], "%s", ls_buf_str(&tmp));
  }
  ls_buf_free(&tmp);
  if (rc)
    return rc;
  if (np == 0)
    return ls_buf_puts(b, "no arrests, safeguarding, closures, cash or warrants recorded");
  for (int i = 0; i < np && rc == LS_OK; i++)
    rc = ls_buf_printf(b, "%s%s", i == 0 ? "" : i == np - 1 ? " and " : ", ", parts[i]);
  return rc;
}

typedef struct bullets {
  char **v;
  size_t n, cap;
  ls_buf cur;
} bullets;

static ls_status bullet_end(bullets *bl) {
  if (bl->n == bl->cap) {
    size_t cap = bl->cap ? bl->cap * 2 : 16;
    char **v = ls_reallocarray(bl->v, cap, sizeof *v);
    if (!v)
      return LS_ERR_NOMEM;
    bl->v = v;
    bl->cap = cap;
  }
  char *s = ls_strdup(ls_buf_str(&bl->cur));
  if (!s)
    return LS_ERR_NOMEM;
  bl->v[bl->n++] = s;
  ls_buf_reset(&bl->cur);
  return LS_OK;
}

/* "a, b and c" for the parts of a breakdown */
static ls_status join_part(ls_buf *b, int i, int n) {
  if (i == 0)
    return LS_OK;
  return ls_buf_puts(b, i == n - 1 ? " and " : ", ");
}

static ls_status drug_bullet(ls_buf *b, const ls__ops_named *d) {
  const char *name = ls__ops_drug_display(d->name);
  char w[64], m[64];
  ls_status rc = LS_OK;
  int quantified = d->has_weight || d->has_wraps || d->has_value;
  if (!quantified) {
    rc = ls__ops_counted(b, d->unquantified, "seizure");
    return rc ? rc : ls_buf_printf(b, " of %s, yet to be quantified", name);
  }
  if (d->has_weight) {
    ls_ops_format_weight(d->weight_mg, w, sizeof w);
    rc = ls_buf_puts(b, w);
  }
  if (rc == LS_OK && d->has_wraps) {
    if (d->has_weight)
      rc = ls_buf_puts(b, " and ");
    if (rc == LS_OK)
      rc = ls__ops_counted(b, d->wraps, "wrap");
  }
  if (rc == LS_OK)
    rc = (d->has_weight || d->has_wraps) ? ls_buf_printf(b, " of %s", name) : ls_buf_puts(b, name);
  if (rc == LS_OK && d->has_value) {
    ls_ops_format_money(d->value_pence, m, sizeof m);
    rc = ls_buf_printf(b, ", worth an estimated %s", m);
    /* say when the value covers only some of the quantified seizures */
    int64_t quantified = d->count - d->unquantified;
    if (rc == LS_OK && d->valued < quantified) {
      char nv[48], nq[48];
      ls__ops_format_int(d->valued, nv, sizeof nv);
      ls__ops_format_int(quantified, nq, sizeof nq);
      rc = ls_buf_printf(b, " (%s of %s seizures valued)", nv, nq);
    }
  }
  if (rc == LS_OK && d->unquantified) {
    rc = ls_buf_puts(b, ", plus ");
    if (rc == LS_OK)
      rc = ls__ops_counted(b, d->unquantified, "further seizure");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " yet to be quantified");
  }
  return rc;
}

static ls_status other_bullet(ls_buf *b, const ls__ops_named *o) {
  char m[64];
  ls_status rc = ls__ops_counted(b, o->count, o->name);
  if (rc)
    return rc;
  if (!o->has_value)
    return ls_buf_puts(b, ", yet to be valued");
  ls_ops_format_money(o->value_pence, m, sizeof m);
  if (o->valued == o->count)
    return ls_buf_printf(b, ", valued at %s", m);
  char nv[48], nu[48];
  ls__ops_format_int(o->valued, nv, sizeof nv);
  ls__ops_format_int(o->count - o->valued, nu, sizeof nu);
  return ls_buf_printf(b, ": %s valued at %s, %s yet to be valued", nv, m, nu);
}

/* ", including 7 aged under 18", ", all aged under 18", ", aged under 18" */
static ls_status some_or_all(ls_buf *b, int64_t part, int64_t whole, const char *what) {
  char num[48];
  if (part == whole)
    return ls_buf_printf(b, whole == 1 ? ", %s" : ", all %s", what);
  ls__ops_format_int(part, num, sizeof num);
  return ls_buf_printf(b, ", including %s %s", num, what);
}

void ls__ops_bullets_free(char **lines, size_t n) {
  for (size_t i = 0; lines && i < n; i++)
    ls_free(lines[i]);
  ls_free(lines);
}

/* One bullet per result, in the order a press office lists them: people
 * first (arrests, safeguarding), then the lines, enforcement, what was
 * seized (cash, drugs, weapons, phones, vehicles, other), engagement. */
ls_status ls__ops_bullets(const ls__ops_totals *t, char ***lines, size_t *n) {
  bullets bl = {0};
  ls_buf *b = &bl.cur;
  ls_status rc = LS_OK;
  char num[48], m[64];
  ls_buf_init(b, 64 * 1024);
  *lines = NULL;
  *n = 0;

#define END()                                                                                                    \
  do {                                                                                                           \
    if (rc == LS_OK)                                                                                             \
      rc = bullet_end(&bl);                                                                                      \
    if (rc)                                                                                                      \
      goto out;                                                                                                  \
  } while (0)

  if (t->arrests) {
    rc = ls__ops_counted(b, t->arrests, "arrest");
    if (rc == LS_OK && t->arrests_under_18)
      rc = some_or_all(b, t->arrests_under_18, t->arrests, "aged under 18");
    END();
  }
  if (t->safeguarded) {
    rc = people_safeguarded(b, t->safeguarded);
    struct {
      int64_t n;
      const char *noun;
    } parts[3] = {{t->sg_adult_male, "adult male"}, {t->sg_adult_female, "adult female"}, {t->sg_juvenile, "juvenile"}};
    int np = 0, i = 0;
    int64_t sum = 0;
    for (int k = 0; k < 3; k++) {
      np += parts[k].n > 0;
      sum += parts[k].n;
    }
    if (rc == LS_OK && np)
      rc = ls_buf_puts(b, sum == t->safeguarded ? ": " : ", including ");
    for (int k = 0; k < 3 && rc == LS_OK; k++) {
      if (!parts[k].n)
        continue;
      rc = join_part(b, i++, np);
      if (rc == LS_OK)
        rc = ls__ops_counted(b, parts[k].n, parts[k].noun);
    }
    END();
  }
  if (t->lines_closed) {
    rc = ls__ops_counted(b, t->lines_closed, "deal line");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " closed");
    if (rc == LS_OK && (t->lines_type_1 || t->lines_type_2)) {
      char a[48], c[48];
      ls__ops_format_int(t->lines_type_1, a, sizeof a);
      ls__ops_format_int(t->lines_type_2, c, sizeof c);
      if (t->lines_type_1 && t->lines_type_2)
        rc = ls_buf_printf(b, " (%s Type 1, %s Type 2)", a, c);
      else
        rc = ls_buf_printf(b, " (%s Type %d)", t->lines_type_1 ? a : c, t->lines_type_1 ? 1 : 2);
    }
    END();
  }
  if (t->warrants) {
    rc = ls__ops_counted(b, t->warrants, "warrant");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " executed");
    END();
  }
  if (t->stop_searches) {
    ls__ops_format_int(t->stop_searches, num, sizeof num);
    rc = ls_buf_printf(b, "%s %s stop-searched", num, t->stop_searches == 1 ? "person" : "people");
    if (rc == LS_OK && t->ss_out_of_area)
      rc = some_or_all(b, t->ss_out_of_area, t->stop_searches, "from outside the force area");
    END();
  }
  if (t->cash_seizures) {
    if (t->cash_pence || t->cash_uncounted < t->cash_seizures) {
      ls_ops_format_money(t->cash_pence, m, sizeof m);
      rc = ls_buf_printf(b, "%s in cash seized", m);
      if (rc == LS_OK && t->cash_uncounted) {
        rc = ls_buf_puts(b, ", plus ");
        if (rc == LS_OK)
          rc = ls__ops_counted(b, t->cash_uncounted, "cash seizure");
        if (rc == LS_OK)
          rc = ls_buf_puts(b, " yet to be counted");
      }
    } else {
      rc = ls__ops_counted(b, t->cash_uncounted, "cash seizure");
      if (rc == LS_OK)
        rc = ls_buf_puts(b, ", yet to be counted");
    }
    END();
  }
  for (size_t i = 0; i < t->drugs.n; i++) {
    rc = drug_bullet(b, &t->drugs.v[i]);
    END();
  }
  if (t->weapons) {
    if (t->weapon_types.n == 1) {
      rc = ls__ops_counted(b, t->weapons, t->weapon_types.v[0].name);
      if (rc == LS_OK)
        rc = ls_buf_puts(b, " seized");
    } else {
      rc = ls__ops_counted(b, t->weapons, "weapon");
      if (rc == LS_OK)
        rc = ls_buf_puts(b, " seized: ");
      for (size_t i = 0; i < t->weapon_types.n && rc == LS_OK; i++) {
        rc = join_part(b, (int)i, (int)t->weapon_types.n);
        if (rc == LS_OK)
          rc = ls__ops_counted(b, t->weapon_types.v[i].count, t->weapon_types.v[i].name);
      }
    }
    END();
  }
  if (t->phones) {
    rc = ls__ops_counted(b, t->phones, "phone");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " seized");
    END();
  }
  if (t->vehicles) {
    rc = ls__ops_counted(b, t->vehicles, "vehicle");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " seized");
    END();
  }
  for (size_t i = 0; i < t->others.n; i++) {
    rc = other_bullet(b, &t->others.v[i]);
    END();
  }
  static const char *const visit_nouns[LS__OPS_VISITS][2] = {
      {"cuckooed address", " visited"}, {"school", " visited"}, {"landlord", " visited"}, {"vehicle check", ""}};
  for (int k = 0; k < LS__OPS_VISITS; k++) {
    if (!t->visits[k])
      continue;
    rc = ls__ops_counted(b, t->visits[k], visit_nouns[k][0]);
    if (rc == LS_OK)
      rc = ls_buf_puts(b, visit_nouns[k][1]);
    END();
  }
  if (t->messages_sent) {
    rc = ls__ops_counted(b, t->messages_sent, "diversion message");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " sent to deal-line customers");
    END();
  }
  if (t->networks_disrupted) {
    rc = ls__ops_counted(b, t->networks_disrupted, "county lines network");
    if (rc == LS_OK)
      rc = ls_buf_puts(b, " disrupted");
    END();
  }
#undef END
out:
  ls_buf_free(b);
  if (rc) {
    ls__ops_bullets_free(bl.v, bl.n);
    return rc;
  }
  *lines = bl.v;
  *n = bl.n;
  return LS_OK;
}

/* ---- charts ------------------------------------------------------------- */

void ls__ops_charts_free(ls__ops_chart charts[LS__OPS_CHARTS]) {
  for (int i = 0; i < LS__OPS_CHARTS; i++) {
    ls_free(charts[i].bars);
    charts[i].bars = NULL;
    charts[i].n = 0;
  }
}

static void bar_set(ls__ops_bar *bar, const char *label, int series, int64_t v) {
  if (label)
    snprintf(bar->label, sizeof bar->label, "%s", label);
  bar->value[series] = (double)v;
  ls__ops_format_int(v, bar->value_text[series], sizeof bar->value_text[series]);
}

ls_status ls__ops_charts(const ls_ops_report *r, ls__ops_chart charts[LS__OPS_CHARTS]) {
  const ls__ops_totals *t = &r->total;
  memset(charts, 0, sizeof(ls__ops_chart) * LS__OPS_CHARTS);
  static const char *const seize_labels[LS__OPS_SEIZE_CATEGORIES] = {"Cash", "Drugs", "Weapons",
                                                                     "Phones", "Vehicles", "Other items"};
  ls__ops_chart *c = &charts[LS__OPS_CHART_SEIZURES];
  c->title = "Seizures by type (items)";
  c->series[0] = "items";
  c->nseries = 1;
  c->bars = ls_calloc(LS__OPS_SEIZE_CATEGORIES, sizeof *c->bars);
  if (!c->bars)
    goto nomem;
  for (int k = 0; k < LS__OPS_SEIZE_CATEGORIES; k++)
    if (t->seizures[k])
      bar_set(&c->bars[c->n++], seize_labels[k], 0, t->seizures[k]);

  c = &charts[LS__OPS_CHART_ARRESTS_AGE];
  c->title = "Arrests by age band";
  c->series[0] = "arrests";
  c->nseries = 1;
  c->bars = ls_calloc(3, sizeof *c->bars);
  if (!c->bars)
    goto nomem;
  if (t->arrests) {
    bar_set(&c->bars[c->n++], "Under 18", 0, t->arrests_under_18);
    bar_set(&c->bars[c->n++], "Adult", 0, t->arrests_adult);
    int64_t rest = t->arrests - t->arrests_under_18 - t->arrests_adult;
    if (rest)
      bar_set(&c->bars[c->n++], "Age not recorded", 0, rest);
  }

  c = &charts[LS__OPS_CHART_FORCES];
  c->title = "Arrests and people safeguarded by force";
  c->series[0] = "arrests";
  c->series[1] = "safeguarded";
  c->nseries = 2;
  c->bars = ls_calloc(r->nforces ? r->nforces : 1, sizeof *c->bars);
  if (!c->bars)
    goto nomem;
  for (size_t f = 0; f < r->nforces; f++) {
    int64_t a = 0, s = 0;
    if (r->by_force) {
      a = r->by_force[f].arrests;
      s = r->by_force[f].safeguarded;
    } else {
      for (size_t i = 0; i < r->nrecs; i++)
        if (!strcmp(r->recs[i].force, r->forces[f])) {
          a += r->recs[i].kind == LS_OPS_ARREST ? r->recs[i].count : 0;
          s += r->recs[i].kind == LS_OPS_SAFEGUARD ? r->recs[i].count : 0;
        }
    }
    bar_set(&c->bars[c->n], r->forces[f], 0, a);
    bar_set(&c->bars[c->n], NULL, 1, s);
    c->n++;
  }
  return LS_OK;
nomem:
  ls__ops_charts_free(charts);
  return LS_ERR_NOMEM;
}
