/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "linesight/ls_events.h"
#include "ls_mem.h"

void ls_events_init(ls_events *ev) {
  memset(ev, 0, sizeof *ev);
  ls_dict_init(&ev->numbers);
  ls_dict_init(&ev->cells);
  ls_dict_init(&ev->imeis);
}

void ls_events_free(ls_events *ev) {
  ls_free(ev->start);
  ls_free(ev->type);
  ls_free(ev->caller);
  ls_free(ev->callee);
  ls_free(ev->duration);
  ls_free(ev->caller_cell);
  ls_free(ev->callee_cell);
  ls_free(ev->caller_imei);
  ls_free(ev->callee_imei);
  ls_dict_free(&ev->numbers);
  ls_dict_free(&ev->cells);
  ls_dict_free(&ev->imeis);
  memset(ev, 0, sizeof *ev);
}

#define GROW(field)                                                   \
  do {                                                                \
    void *p_ = ls_reallocarray(ev->field, cap, sizeof *ev->field);    \
    if (!p_)                                                          \
      return LS_ERR_NOMEM;                                            \
    ev->field = p_;                                                   \
  } while (0)

ls_status ls_events_reserve(ls_events *ev, size_t cap) {
  if (cap <= ev->cap)
    return LS_OK;
  GROW(start);
  GROW(type);
  GROW(caller);
  GROW(callee);
  GROW(duration);
  GROW(caller_cell);
  GROW(callee_cell);
  GROW(caller_imei);
  GROW(callee_imei);
  ev->cap = cap;
  return LS_OK;
}

ls_status ls_events_push(ls_events *ev, int64_t start, ls_event_type type, uint32_t caller,
                         uint32_t callee, int32_t duration, uint32_t caller_cell,
                         uint32_t callee_cell, uint32_t caller_imei, uint32_t callee_imei) {
  if (ev->count == ev->cap) {
    ls_status rc = ls_events_reserve(ev, ev->cap ? ev->cap * 2 : 4096);
    if (rc)
      return rc;
  }
  size_t i = ev->count++;
  ev->start[i] = start;
  ev->type[i] = (uint8_t)type;
  ev->caller[i] = caller;
  ev->callee[i] = callee;
  ev->duration[i] = duration;
  ev->caller_cell[i] = caller_cell;
  ev->callee_cell[i] = callee_cell;
  ev->caller_imei[i] = caller_imei;
  ev->callee_imei[i] = callee_imei;
  return LS_OK;
}
