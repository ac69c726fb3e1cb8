/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reports from the public (the #LookCloser signs, DOMAIN.md): anyone may
 * send one without signing in; nothing that identifies the sender is kept
 * (no address, no cookie, no time of day: only the day). Analysts read
 * them; a report belongs to the force policing the area it names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_time.h"
#include "server_internal.h"

#define AREA_MAX 100
#define DESCRIPTION_MAX 4000
#define LIST_MAX 500 /* newest reports returned */

/* What the public is asked to look for (DOMAIN.md, #LookCloser). */
static const char *const categories[] = {"child_travelling_alone", "cuckooing", "drug_dealing",
                                         "exploitation", "other"};

static int valid_text(const char *s, size_t max, int allow_newlines) {
  size_t n = strlen(s);
  if (n == 0 || n > max)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
      return 0;
  }
  return 1;
}

void ls__api_public_report_add(ls__request *rq, ls__response *rs) {
  int64_t now = ls_time_now();
  int64_t wait = ls__rl_wait(&rq->srv->rl, LS__RL_PUBLIC_REPORT, rq->client, now);
  if (wait > 0) {
    rs->retry_after = wait;
    ls__server_error(rs, 429, "too many reports from here; try again later");
    return;
  }
  json_t *b = ls__server_body_object(rq, rs);
  if (!b)
    return;
  const char *category = json_string_value(json_object_get(b, "category"));
  const char *area = json_string_value(json_object_get(b, "area"));
  const char *description = json_string_value(json_object_get(b, "description"));
  int known = 0;
  for (size_t i = 0; category && i < sizeof categories / sizeof categories[0]; i++)
    known |= !strcmp(category, categories[i]);
  ls_stmt *s = NULL;
  ls_error err;
  ls_error_clear(&err);
  if (!known) {
    ls__server_error(rs, 400,
                     "category must be one of child_travelling_alone, cuckooing, drug_dealing,"
                     " exploitation, other");
    goto out;
  }
  if (!area || !valid_text(area, AREA_MAX, 0)) {
    ls__server_error(rs, 400, "area: 1 to %d characters on one line", AREA_MAX);
    goto out;
  }
  if (!description || !valid_text(description, DESCRIPTION_MAX, 1)) {
    ls__server_error(rs, 400, "description: 1 to %d characters", DESCRIPTION_MAX);
    goto out;
  }
  ls__rl_hit(&rq->srv->rl, LS__RL_PUBLIC_REPORT, rq->client, now);
  char day[LS_ISO_MAX];
  ls_time_format_utc(now, day);
  day[10] = '\0';
  ls_status rc = ls_store_begin(rq->st, &err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(rq->st,
                         "INSERT INTO public_reports(received_on, category, area, description)"
                         " VALUES (?, ?, ?, ?)",
                         &s, &err);
  if (rc == LS_OK) {
    ls_stmt_bind_text(s, 1, day, strlen(day));
    ls_stmt_bind_text(s, 2, category, strlen(category));
    ls_stmt_bind_text(s, 3, area, strlen(area));
    ls_stmt_bind_text(s, 4, description, strlen(description));
    rc = ls_stmt_step(s, &err);
    if (rc == LS_DONE)
      rc = ls_store_commit(rq->st, &err);
  }
  if (rc) {
    ls_store_rollback(rq->st);
    ls__server_fail(rs, &err);
    goto out;
  }
  ls__server_audit(rq, "change", "public report", category);
  ls__server_json(rs, 201, json_pack("{s:b}", "received", 1));
out:
  ls_stmt_finalize(s);
  json_decref(b);
}

void ls__api_public_reports_list(ls__request *rq, ls__response *rs) {
  ls_stmt *s = NULL;
  ls_error err;
  ls_error_clear(&err);
  json_t *list = json_array();
  ls_status rc = list ? LS_OK : LS_ERR_NOMEM;
  if (rc == LS_OK)
    rc = ls_stmt_prepare(rq->st,
                         "SELECT r.id, r.received_on, r.category, r.area, r.description,"
                         " COALESCE(f.force_name, '') FROM public_reports r"
                         " LEFT JOIN force_areas f ON f.area = LOWER(r.area)"
                         " ORDER BY r.id DESC",
                         &s, &err);
  int64_t n = 0;
  char ids[64];
  json_t *seen = json_array();
  while (rc == LS_OK && n < LIST_MAX && (rc = ls_stmt_step(s, &err)) == LS_ROW) {
    rc = LS_OK;
    const char *force = ls_stmt_text(s, 5);
    /* a report from an area no force has claimed is seen nationally only */
    if (!ls_auth_force_may_see(&rq->session->user, force[0] ? force : NULL))
      continue;
    json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                                          (json_int_t)ls_stmt_int64(s, 0), "received_on",
                                          ls_stmt_text(s, 1), "category", ls_stmt_text(s, 2), "area",
                                          ls_stmt_text(s, 3), "description", ls_stmt_text(s, 4),
                                          "force", force));
    snprintf(ids, sizeof ids, "public_report:%lld", (long long)ls_stmt_int64(s, 0));
    json_array_append_new(seen, json_string(ids));
    n++;
  }
  ls_stmt_finalize(s);
  if (rc != LS_OK && rc != LS_DONE) {
    json_decref(list);
    json_decref(seen);
    ls__server_fail(rs, &err);
    return;
  }
  char *records = ls__server_join(seen);
  json_decref(seen);
  ls__server_audit(rq, "read", records ? records : "public reports", "");
  free(records);
  ls__server_json(rs, 200, json_pack("{s:o}", "reports", list));
}
