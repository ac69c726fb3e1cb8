/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SQLite -> PostgreSQL translation of the portable SQL subset that
 * docs/store-sql.md defines. A small tokenizer (strings, quoted identifiers
 * and comments are never rewritten) followed by word-level rewrites; it is
 * not a parser, so the subset is kept to what word rewrites translate
 * exactly, and constructs that would need a parser are refused with a
 * message naming them rather than translated wrongly. */
#include "store_sql.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/ls_buf.h"
#include "../core/ls_mem.h"

typedef enum tok_type { T_SPACE, T_WORD, T_STR, T_QID, T_PARAM, T_SEMI, T_LP, T_RP, T_OP, T_OTHER } tok_type;

typedef struct tok {
  tok_type type;
  const char *p;
  size_t n;
} tok;

/* SQL is program text, never input data; 1 MiB bounds a runaway string. */
#define SQL_LIMIT (1024u * 1024u)

static ls_status lex(const char *sql, tok **out, size_t *count, ls_error *err) {
  size_t cap = 64, n = 0;
  tok *t = ls_malloc(cap * sizeof *t);
  if (!t)
    return LS_FAIL(err, LS_ERR_NOMEM, "out of memory translating SQL");
  const char *p = sql;
  ls_status rc = LS_OK;
  while (*p) {
    tok k = {T_OTHER, p, 1};
    if (isspace((unsigned char)*p)) {
      k.type = T_SPACE;
      while (isspace((unsigned char)p[k.n]))
        k.n++;
    } else if (p[0] == '-' && p[1] == '-') {
      k.type = T_SPACE;
      while (p[k.n] && p[k.n] != '\n')
        k.n++;
    } else if (p[0] == '/' && p[1] == '*') {
      const char *end = strstr(p + 2, "*/");
      if (!end) {
        rc = LS_FAIL(err, LS_ERR_USAGE, "unterminated comment in SQL");
        goto out;
      }
      k.type = T_SPACE;
      k.n = (size_t)(end + 2 - p);
    } else if (*p == '\'' || *p == '"') {
      char q = *p;
      k.type = q == '\'' ? T_STR : T_QID;
      for (;;) {
        if (!p[k.n]) {
          rc = LS_FAIL(err, LS_ERR_USAGE, "unterminated quote in SQL");
          goto out;
        }
        if (p[k.n] == q) {
          if (p[k.n + 1] == q) {
            k.n += 2;
            continue;
          }
          k.n++;
          break;
        }
        k.n++;
      }
    } else if (*p == '`' || *p == '[') {
      rc = LS_FAIL(err, LS_ERR_USAGE, "non-portable SQL: quote identifiers with \"...\", not %c", *p);
      goto out;
    } else if (*p == '?') {
      if (isdigit((unsigned char)p[1])) {
        rc = LS_FAIL(err, LS_ERR_USAGE, "non-portable SQL: numbered parameters (?N); use plain ?");
        goto out;
      }
      k.type = T_PARAM;
    } else if (*p == ';') {
      k.type = T_SEMI;
    } else if (*p == '(') {
      k.type = T_LP;
    } else if (*p == ')') {
      k.type = T_RP;
    } else if (isalpha((unsigned char)*p) || *p == '_') {
      k.type = T_WORD;
      while (isalnum((unsigned char)p[k.n]) || p[k.n] == '_' || p[k.n] == '$')
        k.n++;
    } else if (isdigit((unsigned char)*p)) {
      while (isalnum((unsigned char)p[k.n]) || p[k.n] == '.')
        k.n++;
    } else if (strchr("<>=!|", *p)) {
      k.type = T_OP;
      while (p[k.n] && strchr("<>=!|", p[k.n]))
        k.n++;
    }
    if (n == cap) {
      tok *bigger = ls_reallocarray(t, cap * 2, sizeof *t);
      if (!bigger) {
        rc = LS_FAIL(err, LS_ERR_NOMEM, "out of memory translating SQL");
        goto out;
      }
      t = bigger;
      cap *= 2;
    }
    t[n++] = k;
    p += k.n;
  }
out:
  if (rc) {
    ls_free(t);
    return rc;
  }
  *out = t;
  *count = n;
  return LS_OK;
}

static int is_word(const tok *k, const char *w) {
  return k->type == T_WORD && strlen(w) == k->n && strncasecmp(k->p, w, k->n) == 0;
}

/* SQLite functions and names PostgreSQL lacks or spells differently, with
 * the portable replacement the error message suggests. Functions only match
 * when followed by '(' so that a column may still be called e.g. "changes". */
static const struct {
  const char *word;
  int call;
  const char *instead;
} non_portable[] = {
    {"last_insert_rowid", 1, "INSERT ... RETURNING id"},
    {"changes", 1, "RETURNING, or count the rows in C"},
    {"total_changes", 1, "RETURNING, or count the rows in C"},
    {"group_concat", 1, "aggregate in C"},
    {"strftime", 1, "times as BIGINT epoch seconds, formatted in C"},
    {"datetime", 1, "times as BIGINT epoch seconds, formatted in C"},
    {"julianday", 1, "times as BIGINT epoch seconds"},
    {"unixepoch", 1, "times as BIGINT epoch seconds"},
    {"instr", 1, "compare in C, or LIKE"},
    {"printf", 1, "format in C"},
    {"iif", 1, "CASE WHEN ... THEN ... ELSE ... END"},
    {"typeof", 1, "declared column types"},
    {"randomblob", 1, "random values from libsodium, bound as parameters"},
    {"sqlite_master", 0, "the migrations' own record (schema_version)"},
    {"sqlite_schema", 0, "the migrations' own record (schema_version)"},
    {"sqlite_sequence", 0, "INTEGER PRIMARY KEY without AUTOINCREMENT"},
    {"glob", 0, "LIKE"},
    {"nocase", 0, "lower(x) = lower(?)"},
    {"rowid", 0, "an INTEGER PRIMARY KEY column"},
    {"strict", 0, "declared types (STRICT tables are SQLite only)"},
};

typedef struct translator {
  const tok *t;
  size_t n;
  unsigned flags;
  ls_buf out;
  int nparams;
  int statements;
  int is_query;
  char create_if_absent[64];
  ls_error *err;
} translator;

static ls_status emit(translator *tr, const char *s, size_t len) {
  ls_status rc = ls_buf_append(&tr->out, s, len);
  if (rc)
    return LS_FAIL(tr->err, rc, "SQL too long or out of memory while translating");
  return LS_OK;
}
static ls_status emits(translator *tr, const char *s) { return emit(tr, s, strlen(s)); }

/* The next significant (non-space) token at or after i within [.., end), or end. */
static size_t next_sig(const translator *tr, size_t i, size_t end) {
  while (i < end && tr->t[i].type == T_SPACE)
    i++;
  return i;
}

static int word_at(const translator *tr, size_t i, size_t end, const char *w) {
  return i < end && is_word(&tr->t[i], w);
}

/* One statement: tokens [start, end), end excludes the ';'. */
static ls_status statement(translator *tr, size_t start, size_t end, int has_semi) {
  size_t first = next_sig(tr, start, end);
  if (first == end)
    return LS_OK;
  const tok *t = tr->t;
  if (is_word(&t[first], "PRAGMA")) {
    /* SQLite tuning; PostgreSQL has no equivalent to run */
    if (tr->flags & LS__SQL_PREPARE)
      return LS_FAIL(tr->err, LS_ERR_USAGE, "non-portable SQL: PRAGMA in a prepared statement");
    return LS_OK;
  }
  tr->statements++;
  if (is_word(&t[first], "REPLACE"))
    return LS_FAIL(tr->err, LS_ERR_USAGE, "non-portable SQL: REPLACE; use INSERT ... ON CONFLICT(key) DO UPDATE");

  if (is_word(&t[first], "BEGIN")) {
    size_t mode = next_sig(tr, first + 1, end);
    if (word_at(tr, mode, end, "IMMEDIATE") || word_at(tr, mode, end, "EXCLUSIVE")) {
      /* SQLite takes its one write lock at BEGIN; the equivalent is one
       * database-wide lock, held to the end of the transaction, so that two
       * processes migrating the same database run one after the other. */
      ls_status rc = emits(tr, "BEGIN; SELECT pg_advisory_xact_lock(" LS__STORE_PG_LOCK_KEY ")");
      if (rc == LS_OK && has_semi)
        rc = emits(tr, ";");
      return rc;
    }
    if (word_at(tr, mode, end, "DEFERRED")) {
      ls_status rc = emits(tr, "BEGIN");
      if (rc == LS_OK && has_semi)
        rc = emits(tr, ";");
      return rc;
    }
  }

  int or_ignore = 0;
  size_t skip_until = first; /* tokens before this index are already handled */
  if (is_word(&t[first], "INSERT")) {
    size_t o = next_sig(tr, first + 1, end);
    if (word_at(tr, o, end, "OR")) {
      size_t what = next_sig(tr, o + 1, end);
      if (!word_at(tr, what, end, "IGNORE"))
        return LS_FAIL(tr->err, LS_ERR_USAGE,
                       "non-portable SQL: INSERT OR %.*s; use INSERT ... ON CONFLICT",
                       what < end ? (int)t[what].n : 0, what < end ? t[what].p : "");
      or_ignore = 1;
      skip_until = what + 1;
    }
  }

  if (is_word(&t[first], "CREATE")) {
    size_t w[5];
    w[0] = next_sig(tr, first + 1, end);
    for (int j = 1; j < 5; j++)
      w[j] = next_sig(tr, w[j - 1] + 1, end);
    if (word_at(tr, w[0], end, "TABLE") && word_at(tr, w[1], end, "IF") && word_at(tr, w[2], end, "NOT") &&
        word_at(tr, w[3], end, "EXISTS") && w[4] < end && t[w[4]].type == T_WORD &&
        t[w[4]].n < sizeof tr->create_if_absent)
      snprintf(tr->create_if_absent, sizeof tr->create_if_absent, "%.*s", (int)t[w[4]].n, t[w[4]].p);
  }

  int query = is_word(&t[first], "SELECT") || is_word(&t[first], "VALUES") || is_word(&t[first], "WITH");
  if (is_word(&t[first], "WITH"))
    for (size_t i = first; i < end; i++)
      if (is_word(&t[i], "INSERT") || is_word(&t[i], "UPDATE") || is_word(&t[i], "DELETE"))
        query = 0;
  tr->is_query = query;

  size_t returning_at = (size_t)-1; /* output offset of a top-level RETURNING */
  int depth = 0;
  ls_status rc = LS_OK;
  for (size_t i = start; i < end && rc == LS_OK; i++) {
    if (i < first) {
      rc = emit(tr, t[i].p, t[i].n);
      continue;
    }
    if (i == first && or_ignore)
      rc = emits(tr, "INSERT");
    if (i < skip_until)
      continue;
    const tok *k = &t[i];
    switch (k->type) {
    case T_PARAM:
      if (!(tr->flags & LS__SQL_PREPARE))
        return LS_FAIL(tr->err, LS_ERR_USAGE, "parameters (?) need ls_stmt_prepare, not ls_store_exec");
      {
        char num[16];
        int len = snprintf(num, sizeof num, "$%d", ++tr->nparams);
        rc = emit(tr, num, (size_t)len);
      }
      break;
    case T_LP:
      depth++;
      rc = emit(tr, k->p, k->n);
      break;
    case T_RP:
      depth--;
      rc = emit(tr, k->p, k->n);
      break;
    case T_OP:
      rc = k->n == 2 && k->p[0] == '=' && k->p[1] == '=' ? emits(tr, "=") : emit(tr, k->p, k->n);
      break;
    case T_WORD: {
      size_t nx = next_sig(tr, i + 1, end);
      int call = nx < end && t[nx].type == T_LP;
      for (size_t b = 0; b < sizeof non_portable / sizeof non_portable[0]; b++)
        if (is_word(k, non_portable[b].word) && (!non_portable[b].call || call))
          return LS_FAIL(tr->err, LS_ERR_USAGE, "non-portable SQL: %s; use %s", non_portable[b].word,
                         non_portable[b].instead);
      if ((is_word(k, "INTEGER") || is_word(k, "INT")) && word_at(tr, nx, end, "PRIMARY")) {
        size_t key = next_sig(tr, nx + 1, end);
        if (word_at(tr, key, end, "KEY")) {
          /* SQLite's rowid alias: assigned when the column is left out */
          rc = emits(tr, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
          i = key;
          break;
        }
      }
      /* INTEGER is 64-bit in SQLite, 32-bit in PostgreSQL */
      if (is_word(k, "INTEGER") || is_word(k, "INT"))
        rc = emits(tr, "BIGINT");
      else if (is_word(k, "AUTOINCREMENT"))
        ;
      else if (is_word(k, "BLOB"))
        rc = emits(tr, "BYTEA");
      else if (is_word(k, "REAL")) /* 8 bytes in SQLite, 4 in PostgreSQL */
        rc = emits(tr, "DOUBLE PRECISION");
      else if (is_word(k, "IFNULL"))
        rc = emits(tr, "COALESCE");
      else if (is_word(k, "WITHOUT") && word_at(tr, nx, end, "ROWID"))
        i = nx;
      else {
        if (depth == 0 && is_word(k, "RETURNING") && returning_at == (size_t)-1)
          returning_at = tr->out.len;
        rc = emit(tr, k->p, k->n);
      }
      break;
    }
    default:
      rc = emit(tr, k->p, k->n);
      break;
    }
  }
  if (rc)
    return rc;
  if (or_ignore) {
    static const char clause[] = " ON CONFLICT DO NOTHING ";
    size_t len = sizeof clause - 1;
    if (returning_at == (size_t)-1) {
      rc = emit(tr, clause, len - 1);
    } else {
      /* the clause goes before RETURNING: grow, then shift the tail right */
      size_t tail = tr->out.len - returning_at;
      rc = emit(tr, clause, len);
      if (rc == LS_OK) {
        memmove(tr->out.data + returning_at + len, tr->out.data + returning_at, tail);
        memcpy(tr->out.data + returning_at, clause, len);
      }
    }
  }
  if (rc == LS_OK && has_semi)
    rc = emits(tr, ";");
  return rc;
}

ls_status ls__store_sql_to_pg(const char *sql, unsigned flags, char **out, ls__sql_info *info,
                              ls_error *err) {
  *out = NULL;
  memset(info, 0, sizeof *info);
  tok *t = NULL;
  size_t n = 0;
  ls_status rc = lex(sql, &t, &n, err);
  if (rc)
    return rc;
  translator tr = {.t = t, .n = n, .flags = flags, .err = err};
  ls_buf_init(&tr.out, SQL_LIMIT);
  size_t start = 0;
  for (size_t i = 0; i <= n && rc == LS_OK; i++) {
    if (i == n || t[i].type == T_SEMI) {
      rc = statement(&tr, start, i, i < n);
      start = i + 1;
    }
  }
  if (rc == LS_OK && (flags & LS__SQL_PREPARE) && tr.statements > 1)
    rc = LS_FAIL(err, LS_ERR_USAGE, "ls_stmt_prepare takes one statement, got %d", tr.statements);
  if (rc == LS_OK && !tr.out.data)
    rc = emits(&tr, ""); /* an empty result still needs its buffer */
  ls_free(t);
  if (rc) {
    ls_buf_free(&tr.out);
    return rc;
  }
  info->nparams = tr.nparams;
  info->is_query = tr.statements == 1 && tr.is_query;
  info->is_empty = tr.statements == 0;
  if (tr.statements == 1)
    memcpy(info->create_if_absent, tr.create_if_absent, sizeof info->create_if_absent);
  *out = tr.out.data;
  return LS_OK;
}

int ls__store_sql_identifier_ok(const char *name) {
  size_t n = 0;
  if (!name || !(islower((unsigned char)name[0]) || name[0] == '_'))
    return 0;
  for (; name[n]; n++)
    if (!(islower((unsigned char)name[n]) || isdigit((unsigned char)name[n]) || name[n] == '_'))
      return 0;
  return n <= 63;
}
