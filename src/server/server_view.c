/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The latest analysis, as the API serves it: the saved result JSON
 * (DESIGN.md s.6) parsed once per run and shared read-only by every
 * request, plus the events and reference data behind it, loaded on the
 * first request that needs them (a line's network, timeline and map).
 *
 * A view is reference-counted: a new run replaces the current view, and
 * the old one is freed when its last request ends. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linesight/ls_analysis.h"
#include "linesight/ls_store_events.h"
#include "linesight/ls_time.h"
#include "server_internal.h"

/* How often a request may look for a newer saved run: once a second keeps
 * the check off the hot path of a busy list page. */
#define REFRESH_S 1

static void view_free(ls__view *v) {
  json_decref(v->result);
  json_decref(v->line_index);
  json_decref(v->number_info);
  json_decref(v->cell_index);
  json_decref(v->timelines);
  for (size_t i = 0; i < v->nlines; i++) {
    free(v->summary ? v->summary[i] : NULL);
    free(v->detail ? v->detail[i] : NULL);
    free(v->detail_records ? v->detail_records[i] : NULL);
  }
  free(v->summary);
  free(v->detail);
  free(v->detail_records);
  if (v->data_loaded) {
    ls_events_free(&v->ev);
    ls_refdata_free(&v->rd);
  }
  pthread_mutex_destroy(&v->mu);
  free(v);
}

void ls__view_put(ls_server *srv, ls__view *v) {
  if (!v)
    return;
  pthread_mutex_lock(&srv->analysis.mu);
  int last = --v->refs == 0;
  pthread_mutex_unlock(&srv->analysis.mu);
  if (last)
    view_free(v);
}

/* Parses a saved result into a new view with one reference. */
static ls_status view_build(const char *text, int64_t id, const char *created, ls__view **out,
                            ls_error *err) {
  json_error_t jerr;
  ls__view *v = calloc(1, sizeof *v);
  if (!v)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  pthread_mutex_init(&v->mu, NULL);
  v->refs = 1;
  v->run_id = id;
  snprintf(v->created, sizeof v->created, "%s", created);
  v->result = json_loads(text, 0, &jerr);
  v->line_index = json_object();
  v->number_info = json_object();
  if (!v->result || !json_is_object(v->result) || !v->line_index || !v->number_info) {
    view_free(v);
    return LS_FAIL(err, LS_ERR_INPUT, "the saved analysis is not valid JSON");
  }
  size_t i;
  json_t *line, *num;
  v->nlines = json_array_size(json_object_get(v->result, "lines"));
  v->summary = calloc(v->nlines + 1, sizeof *v->summary);
  v->detail = calloc(v->nlines + 1, sizeof *v->detail);
  v->detail_records = calloc(v->nlines + 1, sizeof *v->detail_records);
  if (!v->summary || !v->detail || !v->detail_records) {
    view_free(v);
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
  }
  json_array_foreach(json_object_get(v->result, "lines"), i, line) {
    const char *lid = json_string_value(json_object_get(line, "id"));
    if (lid)
      json_object_set_new(v->line_index, lid, json_integer((json_int_t)i));
    /* the list shows every line without its evidence (that is for the
     * line's page) */
    json_t *copy = json_copy(line);
    if (copy)
      json_object_del(copy, "explain");
    v->summary[i] = copy ? json_dumps(copy, JSON_COMPACT) : NULL;
    json_decref(copy);
    if (!v->summary[i]) {
      view_free(v);
      return LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
    }
  }
  json_array_foreach(json_object_get(v->result, "numbers"), i, num) {
    const char *n = json_string_value(json_object_get(num, "number"));
    /* a number may have roles in several lines: keep the first (the
     * result lists lines by rank, so the highest-ranked) */
    if (n && !json_object_get(v->number_info, n))
      json_object_set(v->number_info, n, num);
  }
  *out = v;
  return LS_OK;
}

ls_status ls__view_get(ls__request *rq, ls__view **out, ls_error *err) {
  ls__analysis_cache *c = &rq->srv->analysis;
  int64_t now = ls_time_now();
  *out = NULL;
  pthread_mutex_lock(&c->mu);
  int check = !c->view || now - c->checked_at >= REFRESH_S;
  int64_t have = c->view ? c->view->run_id : 0;
  pthread_mutex_unlock(&c->mu);
  if (check) {
    int64_t latest = 0;
    /* the newest run's id, without loading its JSON (ls_analysis.h has no
     * call for this yet; analysis_runs is its table) */
    ls_status rc = ls_store_query_int64(rq->st, "SELECT COALESCE(MAX(id), 0) FROM analysis_runs",
                                        &latest, err);
    if (rc)
      return rc;
    if (latest && latest != have && rq->io_thread) {
      /* parsing a saved run takes milliseconds to seconds: not on an I/O
       * thread, whose other connections would wait */
      rq->defer = 1;
      return LS_FAIL(err, LS_ERR_INTERNAL, "a new analysis view is to be built");
    }
    if (latest && latest != have) {
      char *text = NULL;
      char created[32] = "";
      int64_t id = 0;
      rc = ls_analysis_load_latest(rq->st, &text, &id, created, err);
      ls__view *v = NULL;
      if (rc == LS_OK)
        rc = view_build(text, id, created, &v, err);
      ls_analysis_text_free(text);
      if (rc)
        return rc;
      pthread_mutex_lock(&c->mu);
      ls__view *old = NULL;
      if (!c->view || c->view->run_id < v->run_id) {
        old = c->view;
        c->view = v;
        v = NULL;
      }
      pthread_mutex_unlock(&c->mu);
      ls__view_put(rq->srv, old);
      ls__view_put(rq->srv, v);
    }
    pthread_mutex_lock(&c->mu);
    c->checked_at = now;
    pthread_mutex_unlock(&c->mu);
  }
  pthread_mutex_lock(&c->mu);
  if (c->view) {
    c->view->refs++;
    *out = c->view;
  }
  pthread_mutex_unlock(&c->mu);
  if (!*out)
    return LS_FAIL(err, LS_ERR_NOTFOUND, "no analysis has been saved in this store yet");
  return LS_OK;
}

void ls__view_cache_free(ls__analysis_cache *c) {
  if (c->view && --c->view->refs == 0)
    view_free(c->view);
  c->view = NULL;
}

ls_status ls__view_load_data(ls__request *rq, ls__view *v, ls_error *err) {
  pthread_mutex_lock(&v->mu);
  ls_status rc = LS_OK;
  if (!v->data_loaded) {
    ls_events_init(&v->ev);
    ls_refdata_init(&v->rd);
    rc = ls_store_events_load(rq->st, INT64_MIN, INT64_MAX, &v->ev, err);
    if (rc == LS_OK)
      rc = ls_store_refdata_load(rq->st, &v->rd, err);
    v->cell_index = json_object();
    if (rc == LS_OK && !v->cell_index)
      rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == LS_OK && i < v->rd.n_cells; i++)
      json_object_set_new(v->cell_index, v->rd.cells[i].cell_id, json_integer((json_int_t)i));
    if (rc) {
      ls_events_free(&v->ev);
      ls_refdata_free(&v->rd);
      json_decref(v->cell_index);
      v->cell_index = NULL;
    } else {
      v->data_loaded = 1;
    }
  }
  pthread_mutex_unlock(&v->mu);
  return rc;
}

json_t *ls__view_line(const ls__view *v, const char *id) {
  json_t *idx = json_object_get(v->line_index, id);
  if (!idx)
    return NULL;
  return json_array_get(json_object_get(v->result, "lines"), (size_t)json_integer_value(idx));
}

/* ---- which force owns what ------------------------------------------------ */

static int add_area(const char *area, const char *force, void *ctx) {
  json_object_set_new(ctx, area, json_string(force));
  return 0;
}

json_t *ls__server_areas(ls__request *rq) {
  json_t *m = json_object();
  ls_error err;
  ls_error_clear(&err);
  if (m && ls_auth_area_list(rq->st, add_area, m, &err)) {
    json_decref(m);
    return NULL;
  }
  return m;
}

static int area_visible(const ls_auth_user *u, json_t *areas, const char *area) {
  if (!area)
    return 0;
  char key[LS_AUTH_NAME_MAX + 1];
  size_t n = strlen(area);
  if (n > LS_AUTH_NAME_MAX)
    return 0;
  for (size_t i = 0; i <= n; i++)
    key[i] = (char)((area[i] >= 'A' && area[i] <= 'Z') ? area[i] - 'A' + 'a' : area[i]);
  const char *force = json_string_value(json_object_get(areas, key));
  return force && ls_auth_force_may_see(u, force);
}

int ls__server_line_visible(const ls__request *rq, json_t *areas, json_t *line) {
  const ls_auth_user *u = &rq->session->user;
  if (ls_auth_is_national(u))
    return 1;
  /* a result that names the owning force(s) outright is taken at its word */
  const char *force = json_string_value(json_object_get(line, "force"));
  if (force && ls_auth_force_may_see(u, force))
    return 1;
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(line, "forces"), i, f) {
    if (json_is_string(f) && ls_auth_force_may_see(u, json_string_value(f)))
      return 1;
  }
  if (area_visible(u, areas, json_string_value(json_object_get(line, "origin"))))
    return 1;
  json_array_foreach(json_object_get(line, "destinations"), i, f) {
    if (area_visible(u, areas, json_string_value(f)))
      return 1;
  }
  return 0;
}
