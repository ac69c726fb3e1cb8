/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who a diversion text goes to: the customers of a line (the numbers that
 * contacted its deal numbers in a window), less children and the
 * do-not-contact list. Also the do-not-contact list itself. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "linesight/ls_analysis.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_store_events.h"
#include "linesight/ls_time.h"
#include "messaging_internal.h"

/* Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 1 when someone born on dob_days is under 18 on day `on_days`: their 18th
 * birthday (month, day; a 29 February birthday falls on 1 March) is later. */
int ls__msg_is_child(int32_t dob_days, int64_t on_days) {
  int by, bm, bd, y, m, d;
  civil_from_days(dob_days, &by, &bm, &bd);
  civil_from_days(on_days, &y, &m, &d);
  int age = y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
  return age < 18;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void ls_messaging_plan_free(ls_msg_plan *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n_recipients; i++)
    ls_free(p->recipients[i]);
  ls_free(p->recipients);
  memset(p, 0, sizeof *p);
}

/* Interns every string of a JSON array into d. */
static ls_status intern_all(ls_dict *d, json_t *arr) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    uint32_t id;
    if (json_is_string(v) && ls_dict_intern(d, json_string_value(v), json_string_length(v), &id))
      return LS_ERR_NOMEM;
  }
  return LS_OK;
}

/* The line object of the latest analysis, with its window end. */
static ls_status find_line(ls_store *st, const char *line, json_t **root, json_t **obj, ls_error *err) {
  char *text = NULL;
  ls_status rc = ls_analysis_load_latest(st, &text, NULL, NULL, err);
  if (rc == LS_ERR_NOTFOUND)
    return LS_FAIL(err, LS_ERR_NOTFOUND, "no analysis in the store: run `linesight analyse` first");
  if (rc)
    return rc;
  json_error_t jerr;
  *root = json_loads(text, 0, &jerr);
  ls_analysis_text_free(text);
  if (!*root)
    return LS_FAIL(err, LS_ERR_DB, "the saved analysis is not JSON: %s", jerr.text);
  size_t i;
  json_t *l;
  json_array_foreach(json_object_get(*root, "lines"), i, l) {
    const char *id = json_string_value(json_object_get(l, "id"));
    if (id && !strcmp(id, line)) {
      *obj = l;
      return LS_OK;
    }
  }
  return LS_FAIL(err, LS_ERR_NOTFOUND, "no line '%s' in the latest analysis", line);
}

static ls_status load_dnc(ls_store *st, ls_dict *dnc, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT number FROM msg_dnc", &s, err);
  while (rc == LS_OK && (rc = ls_stmt_step(s, err)) == LS_ROW) {
    uint32_t id;
    const char *n = ls_stmt_text(s, 0);
    rc = ls_dict_intern(dnc, n, strlen(n), &id) ? LS_FAIL(err, LS_ERR_NOMEM, "out of memory") : LS_OK;
  }
  ls_stmt_finalize(s);
  return rc;
}

ls_status ls_messaging_plan(ls_store *st, const char *line, int days, ls_msg_plan *out, ls_error *err) {
  memset(out, 0, sizeof *out);
  if (days < 1 || days > LS_MSG_DAYS_MAX)
    return LS_FAIL(err, LS_ERR_USAGE, "--days must be 1 to %d, not %d", LS_MSG_DAYS_MAX, days);
  if (!line || !*line || strlen(line) > LS_MSG_LINE_MAX)
    return LS_FAIL(err, LS_ERR_USAGE, "a line id (1 to %d bytes) is needed", LS_MSG_LINE_MAX);
  json_t *root = NULL, *obj = NULL;
  ls_events ev;
  ls_refdata rd;
  ls_dict deal, own, dnc, persons;
  ls_events_init(&ev);
  ls_refdata_init(&rd);
  ls_dict_init(&deal);
  ls_dict_init(&own);
  ls_dict_init(&dnc);
  ls_dict_init(&persons);
  uint8_t *mark = NULL, *child_person = NULL;
  ls_status rc = find_line(st, line, &root, &obj, err);
  if (rc)
    goto out;
  snprintf(out->line, sizeof out->line, "%s", line);
  /* the window ends with the line's last activity: on live data that is
   * about now; on an older extract it is the extract's end */
  const char *last = json_string_value(json_object_get(obj, "last_seen"));
  int64_t to = 0;
  const char *why = NULL;
  if (!last || ls_time_parse(last, strlen(last), NULL, &to, &why))
    to = ls_time_now();
  out->window_to = to + 1;
  out->window_from = out->window_to - (int64_t)days * 86400;
  if (intern_all(&deal, json_object_get(obj, "numbers")) || intern_all(&own, json_object_get(obj, "numbers")) ||
      intern_all(&own, json_object_get(obj, "holders")) || intern_all(&own, json_object_get(obj, "runners"))) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory planning");
    goto out;
  }
  rc = ls_store_events_load(st, out->window_from, out->window_to, &ev, err);
  if (rc == LS_OK)
    rc = ls_store_refdata_load(st, &rd, err);
  if (rc == LS_OK)
    rc = load_dnc(st, &dnc, err);
  if (rc)
    goto out;
  /* deal numbers by event-table id */
  uint8_t *is_deal = ls_calloc(ev.numbers.count ? ev.numbers.count : 1, 1);
  mark = ls_calloc(ev.numbers.count ? ev.numbers.count : 1, 1);
  if (!is_deal || !mark) {
    ls_free(is_deal);
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory planning");
    goto out;
  }
  for (uint32_t i = 0; i < ev.numbers.count; i++) {
    uint32_t x;
    if (ls_dict_find(&deal, ls_dict_str(&ev.numbers, i), ev.numbers.lengths[i], &x) == LS_OK)
      is_deal[i] = 1;
  }
  for (size_t e = 0; e < ev.count; e++)
    if (is_deal[ev.callee[e]] && !is_deal[ev.caller[e]])
      mark[ev.caller[e]] = 1;
  ls_free(is_deal);
  /* persons under 18 at the end of the window */
  child_person = ls_calloc(rd.n_persons ? rd.n_persons : 1, 1);
  if (!child_person) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory planning");
    goto out;
  }
  int64_t on_days = (out->window_to - 1) / 86400;
  for (size_t i = 0; i < rd.n_persons; i++) {
    uint32_t pid;
    if (ls_dict_intern(&persons, rd.persons[i].person_id, strlen(rd.persons[i].person_id), &pid)) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory planning");
      goto out;
    }
    if (pid == i)
      child_person[i] = (uint8_t)ls__msg_is_child(rd.persons[i].dob_days, on_days);
  }
  /* mark: 1 candidate, 2 a child's number (attributed during the window) */
  for (size_t i = 0; i < rd.n_attributions; i++) {
    const ls_attribution *a = &rd.attributions[i];
    uint32_t nid, pid;
    if (a->from >= out->window_to || a->to < out->window_from)
      continue;
    if (ls_dict_find(&ev.numbers, a->number, strlen(a->number), &nid) != LS_OK || !mark[nid])
      continue;
    if (ls_dict_find(&persons, a->person_id, strlen(a->person_id), &pid) == LS_OK && child_person[pid])
      mark[nid] = 2;
  }
  size_t cap = 0;
  for (uint32_t i = 0; i < ev.numbers.count; i++) {
    if (!mark[i])
      continue;
    const char *num = ls_dict_str(&ev.numbers, i);
    uint32_t len = ev.numbers.lengths[i], x;
    if (ls_dict_find(&own, num, len, &x) == LS_OK)
      continue; /* the line's own holders and runners are not its customers */
    if (mark[i] == 2) {
      out->excluded_children++;
      continue;
    }
    if (ls_dict_find(&dnc, num, len, &x) == LS_OK) {
      out->excluded_dnc++;
      continue;
    }
    if (out->n_recipients == cap) {
      cap = cap ? cap * 2 : 64;
      char **v = ls_reallocarray(out->recipients, cap, sizeof *v);
      if (!v) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory planning");
        goto out;
      }
      out->recipients = v;
    }
    out->recipients[out->n_recipients] = ls_strndup(num, len);
    if (!out->recipients[out->n_recipients]) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory planning");
      goto out;
    }
    out->n_recipients++;
  }
  if (out->n_recipients > 1)
    ls_qsort(out->recipients, out->n_recipients, sizeof *out->recipients, cmp_str);
out:
  if (rc)
    ls_messaging_plan_free(out);
  ls_free(mark);
  ls_free(child_person);
  ls_dict_free(&deal);
  ls_dict_free(&own);
  ls_dict_free(&dnc);
  ls_dict_free(&persons);
  ls_events_free(&ev);
  ls_refdata_free(&rd);
  json_decref(root);
  return rc;
}

/* ---- do not contact ---------------------------------------------------- */

static ls_status normalise(const char *number, char e164[LS_E164_MAX], ls_error *err) {
  const char *why = NULL;
  if (!number || ls_phone_normalise(number, strlen(number), e164, &why))
    return LS_FAIL(err, LS_ERR_INPUT, "'%s' is not a phone number (%s)", number ? number : "",
                   why ? why : "empty");
  return LS_OK;
}

ls_status ls_messaging_dnc_add(ls_store *st, const char *number, const char *reason, const char *who,
                               ls_error *err) {
  char e164[LS_E164_MAX], now[LS_ISO_MAX];
  ls_status rc = normalise(number, e164, err);
  if (rc)
    return rc;
  if (reason && (strlen(reason) > 200 || !ls__msg_text_ok(reason, 0)))
    return LS_FAIL(err, LS_ERR_INPUT, "reason: at most 200 bytes of text on one line");
  ls_time_format_utc(ls_time_now(), now);
  ls_stmt *s = NULL;
  rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO msg_dnc(number, reason, added_by, added_at) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT DO NOTHING",
                         &s, err);
  if (rc == LS_OK) {
    ls__msg_bind(s, 1, e164);
    ls__msg_bind(s, 2, reason);
    ls__msg_bind(s, 3, who);
    ls__msg_bind(s, 4, now);
    rc = ls_stmt_step(s, err);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_messaging_dnc_remove(ls_store *st, const char *number, ls_error *err) {
  char e164[LS_E164_MAX];
  ls_status rc = normalise(number, e164, err);
  if (rc)
    return rc;
  ls_stmt *s = NULL;
  rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st, "DELETE FROM msg_dnc WHERE number = ? RETURNING number", &s, err);
  if (rc == LS_OK) {
    ls__msg_bind(s, 1, e164);
    rc = ls__msg_step_returning(s, "not on the do-not-contact list", err);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_messaging_dnc_list(ls_store *st,
                                int (*visit)(const char *number, const char *reason, const char *added_by,
                                             const char *added_at, void *ctx),
                                void *ctx, ls_error *err) {
  ls_stmt *s = NULL;
  ls_status rc = ls_stmt_prepare(st, "SELECT number, reason, added_by, added_at FROM msg_dnc ORDER BY number",
                                 &s, err);
  while (rc == LS_OK && (rc = ls_stmt_step(s, err)) == LS_ROW) {
    rc = LS_OK;
    if (visit(ls_stmt_text(s, 0), ls_stmt_text(s, 1), ls_stmt_text(s, 2), ls_stmt_text(s, 3), ctx))
      break;
  }
  ls_stmt_finalize(s);
  return rc == LS_ROW ? LS_OK : rc;
}
