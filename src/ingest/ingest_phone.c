/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Phone numbers as written in returns and records, to E.164.
 *
 * Hand-written rather than libphonenumber (C++, not in Debian's C stack):
 * the rules needed here are few and run once per party per event (20M calls
 * for a 10M-row file), so the common already-E.164 form takes a fast path.
 *
 * Rules, in order (docs/formats.md repeats them for users):
 *  - blanks, '-', '.', '/' and brackets are separators and dropped; '+' only
 *    as the first character; "(0)" after an international prefix is the UK
 *    style trunk-prefix note and dropped;
 *  - '+' or "00" starts an international number (country code + national
 *    number);
 *  - a leading single '0' is a UK national number: 0 -> +44;
 *  - a bare 10-digit string starting with 7 is a UK mobile without its
 *    trunk 0 (operator exports strip it; as an international number it
 *    would be Russian/Kazakh +7 with 9 digits, which does not exist);
 *  - any other bare digit string is international without its '+'
 *    (`447700900123`), the form most operator returns use;
 *  - +44 followed by 0 has a stray trunk 0 (`+44 07700 900123`), dropped;
 *  - E.164 allows at most 15 digits; fewer than 7 is no subscriber number
 *    (the shortest national numbers, e.g. Niue's, are 4 digits + 3-digit
 *    country code); UK national numbers after +44 have 9 or 10 digits
 *    (Ofcom numbering plan). */
#include <string.h>

#include "core/ls_limits.h"
#include "linesight/ls_ingest.h"

#define E164_MAX_DIGITS 15
#define E164_MIN_DIGITS 7
#define UK_NSN_MIN 9
#define UK_NSN_MAX 10

static const char R_EMPTY[] = "empty";
static const char R_NOT_NUMBER[] = "not a phone number";
static const char R_PLUS[] = "not a phone number ('+' not at the start)";
static const char R_SHORT[] = "too few digits for a phone number";
static const char R_LONG[] = "too many digits for a phone number (E.164 allows 15)";
static const char R_UK_LEN[] = "not a valid UK number (wrong number of digits)";
static const char R_CC0[] = "not a phone number (country code cannot start with 0)";

static ls_status fail(const char **reason, const char *why) {
  if (reason)
    *reason = why;
  return LS_ERR_INPUT;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

ls_status ls_phone_normalise(const char *in, size_t len, char out[LS_E164_MAX],
                             const char **reason) {
  /* Fast path: already E.164 (the canonical input and every re-ingest). */
  if (len >= 1 + E164_MIN_DIGITS && len <= 1 + E164_MAX_DIGITS && in[0] == '+' && in[1] != '0') {
    size_t i = 1;
    while (i < len && is_digit(in[i]))
      i++;
    if (i == len && !(in[1] == '4' && in[2] == '4' && (in[3] == '0' || len - 3 < UK_NSN_MIN ||
                                                       len - 3 > UK_NSN_MAX))) {
      memcpy(out, in, len);
      out[len] = '\0';
      return LS_OK;
    }
  }

  /* Trim blanks. */
  while (len && (*in == ' ' || *in == '\t'))
    in++, len--;
  while (len && (in[len - 1] == ' ' || in[len - 1] == '\t'))
    len--;
  if (len == 0)
    return fail(reason, R_EMPTY);
  if (len > LS_LIMIT_NUMBER_CHARS)
    return fail(reason, R_LONG);

  char dig[LS_LIMIT_NUMBER_CHARS + 1];
  size_t n = 0;
  int plus = 0;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    if (is_digit(c)) {
      dig[n++] = c;
    } else if (c == '+') {
      if (n != 0 || plus)
        return fail(reason, R_PLUS);
      plus = 1;
    } else if (c == '(' && i + 2 < len && in[i + 1] == '0' && in[i + 2] == ')' &&
               (plus || (n >= 2 && dig[0] == '0' && dig[1] == '0')) && n > 0) {
      i += 2; /* "(0)": a trunk-prefix note after the country code */
    } else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' ||
               c == ')') {
      continue;
    } else {
      return fail(reason, R_NOT_NUMBER);
    }
  }
  if (n == 0)
    return fail(reason, R_NOT_NUMBER);

  /* Split into the digits of the international number (country code first). */
  const char *d = dig;
  size_t dn = n;
  int uk_national = 0;
  if (plus) {
    /* as written */
  } else if (dn >= 2 && d[0] == '0' && d[1] == '0') {
    d += 2;
    dn -= 2;
  } else if (d[0] == '0') {
    d += 1;
    dn -= 1;
    uk_national = 1;
  } else if (dn == 10 && d[0] == '7') {
    uk_national = 1;
  }

  char num[LS_LIMIT_NUMBER_CHARS + 3];
  size_t k = 0;
  if (uk_national) {
    num[k++] = '4';
    num[k++] = '4';
  }
  memcpy(num + k, d, dn);
  k += dn;
  if (k == 0)
    return fail(reason, R_SHORT);
  if (num[0] == '0')
    return fail(reason, R_CC0);
  if (k > E164_MAX_DIGITS)
    return fail(reason, R_LONG);
  if (k >= 3 && num[0] == '4' && num[1] == '4') {
    size_t nsn = k - 2;
    if (num[2] == '0' && !uk_national) { /* "+44 07700 ..." */
      memmove(num + 2, num + 3, k - 3);
      k--;
      nsn--;
    }
    if (nsn > 0 && num[2] == '0')
      return fail(reason, R_UK_LEN);
    if (nsn < UK_NSN_MIN || nsn > UK_NSN_MAX)
      return fail(reason, nsn < UK_NSN_MIN ? R_SHORT : R_UK_LEN);
  }
  if (k < E164_MIN_DIGITS)
    return fail(reason, R_SHORT);
  if (k > E164_MAX_DIGITS)
    return fail(reason, R_LONG);
  out[0] = '+';
  memcpy(out + 1, num, k);
  out[k + 1] = '\0';
  return LS_OK;
}
