/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Phone number normalisation to E.164 (DESIGN.md s.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "linesight/ls_ingest.h"

static void expect_ok(const char *in, const char *want) {
  char out[LS_E164_MAX];
  const char *reason = NULL;
  ls_status rc = ls_phone_normalise(in, strlen(in), out, &reason);
  if (rc != LS_OK)
    fail_msg("'%s' rejected: %s", in, reason ? reason : "(no reason)");
  if (strcmp(out, want) != 0)
    fail_msg("'%s' -> '%s', want '%s'", in, out, want);
}

static void expect_reject(const char *in, const char *reason_part) {
  char out[LS_E164_MAX];
  const char *reason = NULL;
  ls_status rc = ls_phone_normalise(in, strlen(in), out, &reason);
  if (rc != LS_ERR_INPUT)
    fail_msg("'%s' accepted as '%s'", in, rc == LS_OK ? out : "?");
  assert_non_null(reason);
  if (!strstr(reason, reason_part))
    fail_msg("'%s': reason '%s' lacks '%s'", in, reason, reason_part);
}

static void uk_forms_all_normalise_alike(void **state) {
  (void)state;
  static const char *const forms[] = {
      "07700 900123",     "+44 7700 900123",  "447700900123",    "+44 (0)7700 900123",
      "0044 7700 900123", "00447700900123",   "+447700900123",   "07700900123",
      "077-0090-0123",    " 07700 900123 ",   "(07700) 900 123", "+44 07700 900123",
      "7700900123",       "0044 (0)7700 900123", "+44.7700.900.123", "\t07700900123"};
  for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
    expect_ok(forms[i], "+447700900123");
}

static void landlines_and_foreign_numbers(void **state) {
  (void)state;
  expect_ok("020 7946 0000", "+442079460000");
  expect_ok("0161 496 0000", "+441614960000");
  expect_ok("+33 6 12 34 56 78", "+33612345678");
  expect_ok("0033612345678", "+33612345678");
  expect_ok("33612345678", "+33612345678");
  expect_ok("+1 (212) 555-0123", "+12125550123");
  expect_ok("+683 4002", "+6834002");          /* Niue: 7 digits in all */
  expect_ok("+123456789012345", "+123456789012345"); /* 15 digits */
}

static void rejects_say_why(void **state) {
  (void)state;
  expect_reject("", "empty");
  expect_reject("   ", "empty");
  expect_reject("abc", "not a phone number");
  expect_reject("0770O 900123", "not a phone number"); /* letter O */
  expect_reject("07700 900123 ext 4", "not a phone number");
  expect_reject("*123#", "not a phone number");
  expect_reject("+44 +7700", "'+'");
  expect_reject("0770 0", "too few digits");
  expect_reject("12345", "too few digits");
  expect_reject("+1234567890123456", "too many digits");
  expect_reject("07700 900123 4567 8901 2345", "too many digits");
  expect_reject("077009001234", "UK");         /* 11-digit UK national number */
  expect_reject("+44 0 0 7700 900123", "UK");
  expect_reject("+0123456789", "country code");
  expect_reject("()", "not a phone number");
  char longin[200];
  memset(longin, '1', sizeof longin - 1);
  longin[sizeof longin - 1] = '\0';
  expect_reject(longin, "too many digits");
}

static void fast_path_does_not_skip_checks(void **state) {
  (void)state;
  /* Already-E.164 shapes still get the UK length rule and the stray 0 fix. */
  expect_ok("+4407700900123", "+447700900123");
  expect_reject("+4477009001", "too few"); /* +44 with an 8-digit NSN */
  expect_ok("+44161496000", "+44161496000"); /* 9-digit UK NSN exists */
  expect_reject("+0447700900123", "country code");
}

static void reason_may_be_null(void **state) {
  (void)state;
  char out[LS_E164_MAX];
  assert_int_equal(ls_phone_normalise("x", 1, out, NULL), LS_ERR_INPUT);
  /* not NUL-terminated input: only len bytes are read */
  assert_int_equal(ls_phone_normalise("07700900123999", 11, out, NULL), LS_OK);
  assert_string_equal(out, "+447700900123");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(uk_forms_all_normalise_alike),
      cmocka_unit_test(landlines_and_foreign_numbers),
      cmocka_unit_test(rejects_say_why),
      cmocka_unit_test(fast_path_does_not_skip_checks),
      cmocka_unit_test(reason_may_be_null),
  };
  return cmocka_run_group_tests_name("phone", tests, NULL, NULL);
}
