/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight audit verify|show`: checks the hash chain of the audit trail
 * (exit 0 intact, 1 broken) and lists entries by actor, action, record or
 * time. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "linesight/ls_audit.h"

static const char audit_usage[] =
    "usage: linesight audit verify [--db D]\n"
    "       linesight audit show [--db D] [--actor U] [--action A] [--record R]\n"
    "                            [--since T] [--until T] [--limit N] [--json]\n"
    "  verify exits 0 when the chain is intact and 1 when an entry was edited or deleted;\n"
    "  it prints the head hash: keep a copy elsewhere to detect a rewritten chain.\n";

static int show_entry(const ls_audit_entry *e, void *ctx) {
  json_t *list = ctx;
  if (list) {
    json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
                                          (json_int_t)e->seq, "at", e->at, "actor", e->actor,
                                          "force", e->force, "action", e->action, "target",
                                          e->target, "records", e->records, "detail", e->detail,
                                          "hash", e->hash));
    return 0;
  }
  printf("%6lld %s %-16s %-12s %-13s %s", (long long)e->seq, e->at, e->actor,
         e->force[0] ? e->force : "-", e->action, e->target);
  if (e->records[0])
    printf(" [%s]", e->records);
  if (e->detail[0])
    printf(" %s", e->detail);
  putchar('\n');
  return 0;
}

int cli_audit(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(audit_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *sub = argv[1];
  int is_verify = !strcmp(sub, "verify"), is_show = !strcmp(sub, "show");
  if (!is_verify && !is_show)
    return cli_usage_error("audit", "unknown subcommand '%s' (verify, show)", sub);
  const char *db = NULL;
  ls_audit_filter f = {0};
  int as_json = 0;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"actor", required_argument, NULL, 'a'},
                                       {"action", required_argument, NULL, 'A'},
                                       {"record", required_argument, NULL, 'r'},
                                       {"since", required_argument, NULL, 's'},
                                       {"until", required_argument, NULL, 'u'},
                                       {"limit", required_argument, NULL, 'l'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'd': db = optarg; break;
    case 'a': f.actor = optarg; break;
    case 'A': f.action = optarg; break;
    case 'r': f.record = optarg; break;
    case 's': f.since = optarg; break;
    case 'u': f.until = optarg; break;
    case 'j': as_json = 1; break;
    case 'l':
      f.limit = strtoll(optarg, &end, 10);
      if (end == optarg || *end || f.limit < 1)
        return cli_usage_error("audit", "--limit must be a positive number, not '%s'", optarg);
      break;
    case 'h': fputs(audit_usage, stdout); return 0;
    default: fputs(audit_usage, stderr); return 2;
    }
  }
  if (optind + 1 < argc)
    return cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
  if (is_verify && (f.actor || f.action || f.record || f.since || f.until || f.limit || as_json))
    return cli_usage_error("audit", "verify takes only --db");
  ls_error err;
  ls_error_clear(&err);
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  if (rc)
    return cli_report_error(&err);
  int code = 0;
  if (is_verify) {
    ls_audit_report r;
    rc = ls_audit_verify(st, &r, &err);
    if (rc == LS_OK && r.intact) {
      printf("audit: %lld entries, chain intact\nhead: %s\n", (long long)r.entries, r.head);
    } else if (rc == LS_OK) {
      fprintf(stderr, "linesight: audit chain broken: %s (%lld entries read)\n", r.reason,
              (long long)r.entries);
      code = 1;
    }
  } else {
    json_t *list = as_json ? json_array() : NULL;
    rc = ls_audit_query(st, &f, show_entry, list, &err);
    if (rc == LS_OK && list) {
      char *text = json_dumps(list, JSON_INDENT(2));
      if (text)
        puts(text);
      free(text);
    }
    json_decref(list);
  }
  ls_store_close(st);
  if (rc)
    return cli_report_error(&err);
  return code;
}
