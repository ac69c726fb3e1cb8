/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Intelligence items in the store: validation, 3x5x2 grading, links and
 * listing (include/linesight/ls_store_intel.h, docs/public-reports.md). */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../core/ls_mem.h"
#include "linesight/ls_ingest.h"
#include "linesight/ls_store_intel.h"
#include "linesight/ls_time.h"
#include "store_internal.h"

/* What a report is about (the public page's first question). */
const char *const ls_store_intel_categories[] = {"child_travelling_alone", "cuckooing", "drug_dealing",
                                                 "exploitation", "other", NULL};
/* The #LookCloser signs (DOMAIN.md): children first, then cuckooing. */
const char *const ls_store_intel_signs[] = {
    "travelling_alone", "lost_or_unfamiliar", "cash_or_phones", "unaffordable_belongings",
    "going_missing",    "older_friends",      "unexplained_injuries", "angry_or_aggressive",
    "visitors_odd_hours", "strangers_staying", "neighbour_not_seen", "drug_paraphernalia",
    "door_damage",      NULL};
static const char *const link_kinds[] = {"address", "person", "number", "line", NULL};

static int in_list(const char *const *list, const char *s, size_t n) {
  for (size_t i = 0; list[i]; i++)
    if (strlen(list[i]) == n && !memcmp(list[i], s, n))
      return 1;
  return 0;
}

/* 1 when s is valid UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF) without control characters; newlines and tabs only when
 * multiline. Hand-written: a dozen lines, and no UTF-8 library is linked. */
static int text_ok(const char *s, int multiline) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p;
    if (c < 0x80) {
      if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
        return 0;
      p++;
      continue;
    }
    int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (!len || (len == 3 && c > 0xef))
      return 0;
    unsigned cp = c & (0x7fu >> len);
    for (int i = 1; i < len; i++) {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp < 0xa0))
      return 0;
    p += len;
  }
  return 1;
}

static ls_status check_text(const char *field, const char *s, size_t max, int required, int multiline,
                            ls_error *err) {
  size_t n = s ? strlen(s) : 0;
  if (required && n == 0)
    return LS_FAIL(err, LS_ERR_INPUT, "%s: required", field);
  if (n > max)
    return LS_FAIL(err, LS_ERR_INPUT, "%s: at most %zu bytes, got %zu", field, max, n);
  if (n && !text_ok(s, multiline))
    return LS_FAIL(err, LS_ERR_INPUT, "%s: not UTF-8 text, or a control character", field);
  return LS_OK;
}

/* UK postcode shape: outward code (2-4) + space optional + inward (digit,
 * letter, letter). Only the shape; whether it exists is not known here. */
static int postcode_ok(const char *s) {
  char t[LS_INTEL_POSTCODE_MAX + 1];
  size_t n = 0;
  for (const char *p = s; *p; p++) {
    if (*p == ' ')
      continue;
    if (n >= sizeof t - 1 || !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
      return 0;
    t[n++] = *p;
  }
  if (n < 5 || n > 7)
    return 0;
  int d = t[n - 3] >= '0' && t[n - 3] <= '9';
  int a1 = (t[n - 2] | 0x20) >= 'a' && (t[n - 2] | 0x20) <= 'z';
  int a2 = (t[n - 1] | 0x20) >= 'a' && (t[n - 1] | 0x20) <= 'z';
  int a0 = (t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z';
  return d && a1 && a2 && a0;
}

static ls_status check_signs(const char *signs, ls_error *err) {
  const char *p = signs;
  while (p && *p) {
    size_t n = strcspn(p, ",");
    if (!in_list(ls_store_intel_signs, p, n))
      return LS_FAIL(err, LS_ERR_INPUT, "signs: '%.*s' is not one of the listed signs",
                     (int)(n > 40 ? 40 : n), p);
    p += n;
    if (*p == ',')
      p++;
  }
  return LS_OK;
}

static ls_status validate(const ls_intel_item *it, ls_error *err) {
  ls_status rc;
  if (!it->source || !*it->source || strlen(it->source) > 32)
    return LS_FAIL(err, LS_ERR_INPUT, "source: required, at most 32 bytes");
  if (!it->category || !in_list(ls_store_intel_categories, it->category, strlen(it->category)))
    return LS_FAIL(err, LS_ERR_INPUT,
                   "category: one of child_travelling_alone, cuckooing, drug_dealing, exploitation, other");
  if ((rc = check_signs(it->signs, err)))
    return rc;
  if ((rc = check_text("area", it->area, LS_INTEL_AREA_MAX, 1, 0, err)) ||
      (rc = check_text("postcode", it->postcode, LS_INTEL_POSTCODE_MAX, 0, 0, err)) ||
      (rc = check_text("when", it->seen_when, LS_INTEL_WHEN_MAX, 0, 1, err)) ||
      (rc = check_text("description", it->description, LS_INTEL_DESCRIPTION_MAX, 1, 1, err)))
    return rc;
  if (it->postcode && *it->postcode && !postcode_ok(it->postcode))
    return LS_FAIL(err, LS_ERR_INPUT, "postcode: not a UK postcode (like SO14 7DU)");
  if (it->has_point && (!isfinite(it->lat) || !isfinite(it->lon) || fabs(it->lat) > 90 || fabs(it->lon) > 180))
    return LS_FAIL(err, LS_ERR_INPUT, "map point: latitude -90 to 90 and longitude -180 to 180");
  if (it->received_on && (strlen(it->received_on) != 10 || it->received_on[4] != '-'))
    return LS_FAIL(err, LS_ERR_INPUT, "received_on: YYYY-MM-DD");
  return LS_OK;
}

static void bind_str(ls_stmt *s, int i, const char *v) { ls_stmt_bind_str(s, i, v ? v : ""); }

ls_status ls_store_intel_add(ls_store *st, const ls_intel_item *it, int64_t *id, ls_error *err) {
  ls_status rc = validate(it, err);
  if (rc)
    return rc;
  if (sodium_init() < 0)
    return LS_FAIL(err, LS_ERR_INTERNAL, "libsodium failed to initialise");
  char day[LS_ISO_MAX];
  if (it->received_on) {
    snprintf(day, sizeof day, "%s", it->received_on);
  } else {
    ls_time_format_utc(ls_time_now(), day);
    day[10] = '\0';
  }
  ls_stmt *s = NULL;
  rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO intel_items(id, source, received_on, category, signs, area,"
                         " postcode, lat, lon, seen_when, description, status, handling_conditions)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', '')"
                         " ON CONFLICT DO NOTHING RETURNING id",
                         &s, err);
  /* a random id clashes with probability n/2^53; try again when it does */
  int64_t got = 0;
  for (int attempt = 0; rc == LS_OK && !got && attempt < 8; attempt++) {
    uint64_t r;
    randombytes_buf(&r, sizeof r);
    int64_t cand = (int64_t)(r & ((UINT64_C(1) << 53) - 1)); /* exact in a JSON number */
    if (!cand)
      continue;
    ls_stmt_reset(s);
    ls_stmt_bind_int64(s, 1, cand);
    bind_str(s, 2, it->source);
    bind_str(s, 3, day);
    bind_str(s, 4, it->category);
    bind_str(s, 5, it->signs);
    bind_str(s, 6, it->area);
    bind_str(s, 7, it->postcode);
    if (it->has_point) {
      ls_stmt_bind_double(s, 8, it->lat);
      ls_stmt_bind_double(s, 9, it->lon);
    } else {
      ls_stmt_bind_null(s, 8);
      ls_stmt_bind_null(s, 9);
    }
    bind_str(s, 10, it->seen_when);
    bind_str(s, 11, it->description);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      got = cand;
      rc = ls_stmt_step(s, err); /* LS_DONE (= LS_OK) ends the statement */
    }
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK && !got)
    rc = LS_FAIL(err, LS_ERR_INTERNAL, "no free intelligence item id");
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc) {
    ls_store_rollback(st);
    return rc;
  }
  if (id)
    *id = got;
  return LS_OK;
}

/* Runs an UPDATE/DELETE ... RETURNING item_id-ish statement already bound;
 * LS_ERR_NOTFOUND when it touched nothing. */
static ls_status step_returning(ls_stmt *s, const char *what, ls_error *err) {
  ls_status rc = ls_stmt_step(s, err);
  if (rc == LS_ROW) {
    while ((rc = ls_stmt_step(s, err)) == LS_ROW)
      ;
    return rc;
  }
  return rc == LS_DONE ? LS_FAIL(err, LS_ERR_NOTFOUND, "%s", what) : rc;
}

ls_status ls_store_intel_grade(ls_store *st, int64_t id, int source_evaluation, char assessment,
                               char handling, const char *conditions, const char *who, ls_error *err) {
  if (source_evaluation < 1 || source_evaluation > 3)
    return LS_FAIL(err, LS_ERR_INPUT, "source_evaluation: 1 (reliable), 2 (untested) or 3 (not reliable)");
  if (assessment < 'A' || assessment > 'E')
    return LS_FAIL(err, LS_ERR_INPUT, "intelligence_assessment: A, B, C, D or E");
  if (handling != 'P' && handling != 'C')
    return LS_FAIL(err, LS_ERR_INPUT, "handling_code: P or C");
  size_t cn = conditions ? strlen(conditions) : 0;
  if (handling == 'C' && cn == 0)
    return LS_FAIL(err, LS_ERR_INPUT, "handling_conditions: required with handling code C");
  if (handling == 'P' && cn)
    return LS_FAIL(err, LS_ERR_INPUT, "handling_conditions: only with handling code C");
  ls_status rc = check_text("handling_conditions", conditions, LS_INTEL_CONDITIONS_MAX, 0, 1, err);
  if (rc)
    return rc;
  char now[LS_ISO_MAX], a[2] = {assessment, 0}, h[2] = {handling, 0};
  ls_time_format_utc(ls_time_now(), now);
  ls_stmt *s = NULL;
  rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "UPDATE intel_items SET status = 'graded', source_evaluation = ?,"
                         " assessment = ?, handling = ?, handling_conditions = ?, graded_by = ?,"
                         " graded_at = ? WHERE id = ? RETURNING id",
                         &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, source_evaluation);
    bind_str(s, 2, a);
    bind_str(s, 3, h);
    bind_str(s, 4, conditions);
    bind_str(s, 5, who);
    bind_str(s, 6, now);
    ls_stmt_bind_int64(s, 7, id);
    rc = step_returning(s, "no such intelligence item", err);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

static ls_status normalise_link(const char *kind, const char *ref, char out[LS_INTEL_REF_MAX + 1],
                                ls_error *err) {
  if (!kind || !in_list(link_kinds, kind, strlen(kind)))
    return LS_FAIL(err, LS_ERR_INPUT, "kind: address, person, number or line");
  ls_status rc = check_text("ref", ref, LS_INTEL_REF_MAX, 1, 0, err);
  if (rc)
    return rc;
  if (!strcmp(kind, "number")) {
    char e164[LS_E164_MAX];
    const char *why = NULL;
    if (ls_phone_normalise(ref, strlen(ref), e164, &why))
      return LS_FAIL(err, LS_ERR_INPUT, "ref: not a phone number (%s)", why ? why : "?");
    snprintf(out, LS_INTEL_REF_MAX + 1, "%s", e164);
  } else {
    snprintf(out, LS_INTEL_REF_MAX + 1, "%s", ref);
  }
  return LS_OK;
}

ls_status ls_store_intel_link(ls_store *st, int64_t id, const char *kind, const char *ref,
                              const char *who, ls_error *err) {
  char norm[LS_INTEL_REF_MAX + 1];
  ls_status rc = normalise_link(kind, ref, norm, err);
  if (rc)
    return rc;
  char now[LS_ISO_MAX];
  ls_time_format_utc(ls_time_now(), now);
  ls_stmt *s = NULL;
  rc = ls_store_begin(st, err);
  /* the item must exist: INSERT ... SELECT from it inserts nothing if not */
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "INSERT INTO intel_links(item_id, kind, ref, linked_by, linked_at)"
                         " SELECT id, ?, ?, ?, ? FROM intel_items WHERE id = ?"
                         " ON CONFLICT DO NOTHING",
                         &s, err);
  if (rc == LS_OK) {
    bind_str(s, 1, kind);
    bind_str(s, 2, norm);
    bind_str(s, 3, who);
    bind_str(s, 4, now);
    ls_stmt_bind_int64(s, 5, id);
    rc = ls_stmt_step(s, err);
  }
  ls_stmt_finalize(s);
  s = NULL;
  int64_t exists = 0;
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st, "SELECT COUNT(*) FROM intel_items WHERE id = ?", &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, id);
    rc = ls_stmt_step(s, err);
    if (rc == LS_ROW) {
      exists = ls_stmt_int64(s, 0);
      rc = LS_OK;
    }
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK && !exists)
    rc = LS_FAIL(err, LS_ERR_NOTFOUND, "no such intelligence item");
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

ls_status ls_store_intel_unlink(ls_store *st, int64_t id, const char *kind, const char *ref,
                                ls_error *err) {
  char norm[LS_INTEL_REF_MAX + 1];
  ls_status rc = normalise_link(kind, ref, norm, err);
  if (rc)
    return rc;
  ls_stmt *s = NULL;
  rc = ls_store_begin(st, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "DELETE FROM intel_links WHERE item_id = ? AND kind = ? AND ref = ?"
                         " RETURNING item_id",
                         &s, err);
  if (rc == LS_OK) {
    ls_stmt_bind_int64(s, 1, id);
    bind_str(s, 2, kind);
    bind_str(s, 3, norm);
    rc = step_returning(s, "no such link", err);
  }
  ls_stmt_finalize(s);
  if (rc == LS_OK)
    rc = ls_store_commit(st, err);
  if (rc)
    ls_store_rollback(st);
  return rc;
}

#define LIST_DEFAULT 500
#define LINKS_MAX 64 /* links shown per item */

ls_status ls_store_intel_list(ls_store *st, const ls_intel_filter *f,
                              int (*visit)(const ls_intel_item *item, const ls_intel_link *links,
                                           size_t nlinks, void *ctx),
                              void *ctx, ls_error *err) {
  static const ls_intel_filter none = {0};
  if (!f)
    f = &none;
  char norm[LS_INTEL_REF_MAX + 1] = "";
  ls_status rc = LS_OK;
  if (f->link_kind && (rc = normalise_link(f->link_kind, f->link_ref, norm, err)))
    return rc;
  /* every filter is always bound; an unused one matches everything */
  ls_stmt *s = NULL, *ls = NULL;
  rc = ls_stmt_prepare(
      st,
      "SELECT i.id, i.source, i.received_on, i.category, i.signs, i.area, i.postcode, i.lat, i.lon,"
      " i.seen_when, i.description, i.status, COALESCE(i.source_evaluation, 0),"
      " COALESCE(i.assessment, ''), COALESCE(i.handling, ''), i.handling_conditions,"
      " COALESCE(i.graded_by, ''), COALESCE(i.graded_at, ''), COALESCE(fa.force_name, '')"
      " FROM intel_items i LEFT JOIN force_areas fa ON fa.area = LOWER(i.area)"
      " WHERE (? = 0 OR i.id = ?) AND (? = '' OR i.status = ?) AND (? = '' OR i.source = ?)"
      " AND (? = '' OR EXISTS (SELECT 1 FROM intel_links l WHERE l.item_id = i.id"
      "  AND l.kind = ? AND l.ref = ?))"
      " ORDER BY i.received_on DESC, i.id LIMIT ?",
      &s, err);
  if (rc == LS_OK)
    rc = ls_stmt_prepare(st,
                         "SELECT kind, ref, linked_by, linked_at FROM intel_links WHERE item_id = ?"
                         " ORDER BY kind, ref LIMIT ?",
                         &ls, err);
  if (rc == LS_OK) {
    const char *status = f->status ? f->status : "", *source = f->source ? f->source : "";
    const char *kind = f->link_kind ? f->link_kind : "";
    ls_stmt_bind_int64(s, 1, f->id);
    ls_stmt_bind_int64(s, 2, f->id);
    bind_str(s, 3, status);
    bind_str(s, 4, status);
    bind_str(s, 5, source);
    bind_str(s, 6, source);
    bind_str(s, 7, kind);
    bind_str(s, 8, kind);
    bind_str(s, 9, norm);
    ls_stmt_bind_int64(s, 10, f->limit > 0 ? f->limit : LIST_DEFAULT);
  }
  while (rc == LS_OK && (rc = ls_stmt_step(s, err)) == LS_ROW) {
    rc = LS_OK;
    ls_intel_item it;
    memset(&it, 0, sizeof it);
    it.id = ls_stmt_int64(s, 0);
    it.source = ls_stmt_text(s, 1);
    it.received_on = ls_stmt_text(s, 2);
    it.category = ls_stmt_text(s, 3);
    it.signs = ls_stmt_text(s, 4);
    it.area = ls_stmt_text(s, 5);
    it.postcode = ls_stmt_text(s, 6);
    it.has_point = !ls_stmt_is_null(s, 7);
    it.lat = it.has_point ? ls_stmt_double(s, 7) : 0;
    it.lon = it.has_point ? ls_stmt_double(s, 8) : 0;
    it.seen_when = ls_stmt_text(s, 9);
    it.description = ls_stmt_text(s, 10);
    it.status = ls_stmt_text(s, 11);
    it.source_evaluation = (int)ls_stmt_int64(s, 12);
    it.assessment = ls_stmt_text(s, 13)[0];
    it.handling = ls_stmt_text(s, 14)[0];
    it.handling_conditions = ls_stmt_text(s, 15);
    it.graded_by = ls_stmt_text(s, 16);
    it.graded_at = ls_stmt_text(s, 17);
    it.force = ls_stmt_text(s, 18);
    /* the links, copied: their texts live until the next step */
    ls_intel_link links[LINKS_MAX];
    char *texts[LINKS_MAX][4];
    size_t n = 0;
    ls_stmt_reset(ls);
    ls_stmt_bind_int64(ls, 1, it.id);
    ls_stmt_bind_int64(ls, 2, LINKS_MAX);
    while (rc == LS_OK && (rc = ls_stmt_step(ls, err)) == LS_ROW) {
      rc = LS_OK;
      for (int k = 0; k < 4; k++)
        texts[n][k] = NULL;
      for (int k = 0; k < 4 && rc == LS_OK; k++) {
        texts[n][k] = ls_strdup(ls_stmt_text(ls, k));
        if (!texts[n][k])
          rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory listing intelligence items");
      }
      links[n] = (ls_intel_link){texts[n][0] ? texts[n][0] : "", texts[n][1] ? texts[n][1] : "",
                                 texts[n][2] ? texts[n][2] : "", texts[n][3] ? texts[n][3] : ""};
      n++;
    }
    int stop = 0;
    if (rc == LS_OK)
      stop = visit(&it, links, n, ctx);
    for (size_t i = 0; i < n; i++)
      for (int k = 0; k < 4; k++)
        ls_free(texts[i][k]);
    if (stop)
      break;
  }
  ls_stmt_finalize(ls);
  ls_stmt_finalize(s);
  return rc == LS_ROW ? LS_OK : rc;
}
