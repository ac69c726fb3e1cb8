/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Core: string dictionary, bounded buffers, errors, allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/ls_buf.h"
#include "core/ls_mem.h"
#include "linesight/ls_events.h"
#include "linesight/ls_time.h"

static void dict_interns_each_string_once(void **state) {
  (void)state;
  ls_dict d;
  ls_dict_init(&d);
  char key[32];
  for (int i = 0; i < 100000; i++) {
    uint32_t id;
    int n = snprintf(key, sizeof key, "+4477009%05d", i);
    assert_int_equal(ls_dict_intern(&d, key, (size_t)n, &id), LS_OK);
    assert_int_equal(id, (uint32_t)i);
  }
  for (int i = 0; i < 100000; i += 997) {
    uint32_t id;
    int n = snprintf(key, sizeof key, "+4477009%05d", i);
    assert_int_equal(ls_dict_intern(&d, key, (size_t)n, &id), LS_OK);
    assert_int_equal(id, (uint32_t)i);
    assert_string_equal(ls_dict_str(&d, id), key);
  }
  uint32_t id = 7;
  assert_int_equal(ls_dict_find(&d, "nope", 4, &id), LS_ERR_NOTFOUND);
  assert_int_equal(id, 7);
  assert_int_equal(d.count, 100000);
  ls_dict_free(&d);
}

static void dict_keeps_embedded_lengths_apart(void **state) {
  (void)state;
  ls_dict d;
  ls_dict_init(&d);
  uint32_t a, b, c;
  assert_int_equal(ls_dict_intern(&d, "abc", 3, &a), LS_OK);
  assert_int_equal(ls_dict_intern(&d, "abcd", 3, &b), LS_OK); /* same 3 bytes */
  assert_int_equal(ls_dict_intern(&d, "ab", 2, &c), LS_OK);
  assert_int_equal(a, b);
  assert_int_not_equal(a, c);
  ls_dict_free(&d);
}

static void buf_respects_its_limit(void **state) {
  (void)state;
  ls_buf b;
  ls_buf_init(&b, 10);
  assert_int_equal(ls_buf_puts(&b, "0123456789"), LS_OK);
  assert_int_equal(ls_buf_puts(&b, "x"), LS_ERR_LIMIT);
  assert_string_equal(ls_buf_str(&b), "0123456789");
  ls_buf_reset(&b);
  assert_int_equal(ls_buf_printf(&b, "%d-%s", 42, "ab"), LS_OK);
  assert_string_equal(ls_buf_str(&b), "42-ab");
  assert_int_equal(ls_buf_printf(&b, "%s", "too long for it"), LS_ERR_LIMIT);
  ls_buf_free(&b);
}

static void error_formats_position(void **state) {
  (void)state;
  ls_error err;
  char text[1024];
  ls_error_clear(&err);
  assert_int_equal(ls_error_set(&err, LS_ERR_INPUT, "events.csv", 12, 3, "bad time '%s'", "x"), LS_ERR_INPUT);
  ls_error_format(&err, text, sizeof text);
  assert_string_equal(text, "events.csv:12:3: bad time 'x'");
  assert_int_equal(ls_status_exit_code(LS_ERR_INPUT), 2);
  assert_int_equal(ls_status_exit_code(LS_ERR_IO), 1);
  assert_int_equal(ls_status_exit_code(LS_OK), 0);
}

static void events_survive_allocation_failure(void **state) {
  (void)state;
  /* torture: fail the k-th allocation for each k; nothing may leak or crash */
  for (unsigned long k = 1; k < 40; k++) {
    ls_events ev;
    ls_events_init(&ev);
    ls__mem_fail_after(k);
    ls_status rc = LS_OK;
    for (int i = 0; i < 5000 && rc == LS_OK; i++) {
      uint32_t a = 0, b = 0;
      char num[16];
      int n = snprintf(num, sizeof num, "+44%d", i);
      rc = ls_dict_intern(&ev.numbers, num, (size_t)n, &a);
      if (rc == LS_OK)
        rc = ls_dict_intern(&ev.numbers, "+440", 4, &b);
      if (rc == LS_OK)
        rc = ls_events_push(&ev, i, LS_EV_CALL, a, b, 5, LS_NO_ID, LS_NO_ID, LS_NO_ID, LS_NO_ID);
    }
    ls__mem_fail_after(0);
    assert_true(rc == LS_OK || rc == LS_ERR_NOMEM);
    ls_events_free(&ev);
  }
}

static void calloc_touched_zeroes_and_checks_overflow(void **state) {
  (void)state;
  /* 8 MiB: large enough for the huge-page advice path */
  size_t n = (size_t)1 << 20;
  uint64_t *t = ls_calloc_touched(n, sizeof *t);
  assert_non_null(t);
  for (size_t i = 0; i < n; i += 4093)
    assert_int_equal(t[i], 0);
  assert_int_equal(t[n - 1], 0);
  ls_free(t);
  unsigned char *small = ls_calloc_touched(3, 1);
  assert_non_null(small);
  assert_int_equal(small[0] | small[1] | small[2], 0);
  ls_free(small);
  assert_null(ls_calloc_touched(SIZE_MAX / 2, 4));
}

/* ls_grow: room for one more element, doubling; out of memory leaves the
 * array and its capacity as they were. */
static void grow_doubles_and_fails_cleanly(void **state) {
  (void)state;
  uint32_t *v = NULL;
  size_t n = 0, cap = 0;
  for (uint32_t i = 0; i < 1000; i++) {
    assert_int_equal(ls_grow(&v, n, &cap, sizeof *v, 4), 0);
    assert_true(cap > n);
    v[n++] = i;
  }
  assert_int_equal(cap, 1024); /* 4, 8, ..., 1024 */
  for (uint32_t i = 0; i < 1000; i++)
    assert_int_equal(v[i], i);
  assert_int_equal(ls_grow(&v, 10, &cap, sizeof *v, 4), 0); /* room already */
  assert_int_equal(cap, 1024);
  uint32_t *before = v;
  n = cap;
  ls__mem_fail_after(1);
  assert_int_equal(ls_grow(&v, n, &cap, sizeof *v, 4), -1);
  ls__mem_fail_after(0);
  assert_ptr_equal(v, before);
  assert_int_equal(cap, 1024);
  assert_int_equal(v[999], 999);
  ls_free(v);
}

static void time_formats_utc(void **state) {
  (void)state;
  char out[LS_ISO_MAX];
  ls_time_format_utc(1728308712, out);
  assert_string_equal(out, "2024-10-07T13:45:12Z");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dict_interns_each_string_once), cmocka_unit_test(dict_keeps_embedded_lengths_apart),
      cmocka_unit_test(buf_respects_its_limit),        cmocka_unit_test(error_formats_position),
      cmocka_unit_test(events_survive_allocation_failure), cmocka_unit_test(time_formats_utc),
      cmocka_unit_test(calloc_touched_zeroes_and_checks_overflow), cmocka_unit_test(grow_doubles_and_fails_cleanly),
  };
  return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
