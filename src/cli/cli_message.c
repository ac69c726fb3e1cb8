/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight message plan|create|approve|cancel|send|status|dnc`: diversion
 * texts to a deal line's customers (docs/messaging.md). Creating and
 * approving name a console user (--as) whose password comes from standard
 * input: the approval is the second person's, and a supervisor's. */
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "linesight/ls_audit.h"
#include "linesight/ls_auth.h"
#include "linesight/ls_messaging.h"
#include "linesight/ls_time.h"

static const char message_usage[] =
    "usage: linesight message plan --line ID [--days N] [--json] [--db D]\n"
    "       linesight message create --line ID --as USER [--days N] [--text-file F]\n"
    "                                [--operation NAME --force F] [--db D]    (password from stdin)\n"
    "       linesight message approve --campaign N --as USER [--db D]         (a supervisor; password from stdin)\n"
    "       linesight message cancel --campaign N --as USER [--db D]          (password from stdin)\n"
    "       linesight message send --campaign N --gateway FILE [--db D] [--verbose]\n"
    "       linesight message status [--campaign N] [--json] [--db D]\n"
    "       linesight message dnc add|remove NUMBER [--reason TEXT] [--db D]\n"
    "       linesight message dnc list [--json] [--db D]\n"
    "  plan: who would be texted: the numbers that contacted the line's deal numbers in the\n"
    "  last N days of its activity (default 28), less children's numbers and the\n"
    "  do-not-contact list. send resumes a stopped or crashed campaign without duplicates.\n";

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static void cli_actor(char out[96]) {
  struct passwd pw, *res = NULL;
  char buf[1024];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res)
    snprintf(out, 96, "cli:%s", res->pw_name);
  else
    snprintf(out, 96, "cli:uid%u", (unsigned)geteuid());
}

/* Checks --as USER's password (one line of stdin) and fills *u. */
static int authenticate(ls_store *st, const char *name, ls_auth_user *u) {
  char pw[LS_AUTH_PASSWORD_MAX + 2];
  if (!fgets(pw, sizeof pw, stdin))
    return cli_usage_error("message", "no password for %s on standard input", name);
  pw[strcspn(pw, "\r\n")] = '\0';
  ls_error err;
  ls_error_clear(&err);
  ls_auth_session s;
  ls_status rc = ls_auth_init(&err);
  if (rc == LS_OK)
    rc = ls_auth_login(st, name, pw, ls_time_now(), 60, &s, &err);
  memset(pw, 0, sizeof pw);
  if (rc == LS_ERR_DENIED) {
    fprintf(stderr, "linesight: user %s: wrong name or password\n", name);
    return 1;
  }
  if (rc)
    return cli_report_error(&err);
  ls_auth_logout(st, s.token, &err);
  *u = s.user;
  return 0;
}

static void audit(ls_store *st, const char *actor, const char *force, const char *records, const char *detail) {
  ls_error err;
  ls_error_clear(&err);
  if (ls_audit_append(st, actor, force, "change", "linesight message", records, detail, &err))
    cli_report_error(&err);
}

static json_t *status_json(const ls_msg_status *s) {
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I},"
                   " s:{s:I, s:I}, s:b}",
                   "id", (json_int_t)s->id, "line", s->line, "status", s->status, "created_by", s->created_by,
                   "approved_by", s->approved_by, "created_at", s->created_at, "approved_at", s->approved_at,
                   "completed_at", s->completed_at, "operation", s->operation, "force", s->force, "days",
                   (json_int_t)s->days, "recipients", (json_int_t)s->recipients, "states", "planned",
                   (json_int_t)s->planned, "sending", (json_int_t)s->sending, "sent", (json_int_t)s->sent,
                   "delivered", (json_int_t)s->delivered, "failed", (json_int_t)s->failed, "excluded",
                   "children", (json_int_t)s->excluded_children, "do_not_contact",
                   (json_int_t)s->excluded_dnc, "results_recorded", s->results_recorded);
}

static void print_status(const ls_msg_status *s) {
  printf("campaign %lld  line %s  %s  recipients %lld: planned %lld, sending %lld, sent %lld, delivered %lld, "
         "failed %lld  (excluded: %lld children, %lld do-not-contact)%s%s%s\n",
         (long long)s->id, s->line, s->status, (long long)s->recipients, (long long)s->planned,
         (long long)s->sending, (long long)s->sent, (long long)s->delivered, (long long)s->failed,
         (long long)s->excluded_children, (long long)s->excluded_dnc, s->operation[0] ? "  operation " : "",
         s->operation, s->results_recorded ? " (messages_sent recorded)" : "");
}

static int list_status(const ls_msg_status *s, void *ctx) {
  if (ctx)
    json_array_append_new(ctx, status_json(s));
  else
    print_status(s);
  return 0;
}

static int dnc_print(const char *number, const char *reason, const char *by, const char *at, void *ctx) {
  if (ctx)
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s}", "number", number, "reason", reason, "added_by",
                                         by, "added_at", at));
  else
    printf("%-16s %s  %s  %s\n", number, at, by, reason);
  return 0;
}

/* The crash tests' hook: LINESIGHT_TEST_KILL_AT=EVENT:N kills this process
 * with SIGKILL at the N-th event of that kind (sending, accepted, sent). */
typedef struct send_ctx {
  int verbose;
  const char *kill_event;
  long kill_at, seen;
} send_ctx;

static const char *const event_names[] = {"sending", "accepted", "sent", "reconciled", "retry", "failed"};

static void on_event(void *ctx, ls_msg_event ev, const char *number, const char *detail) {
  send_ctx *c = ctx;
  if (c->verbose || ev == LS_MSG_EV_RECONCILED || ev == LS_MSG_EV_FAILED)
    fprintf(stderr, "message: %s %s %s\n", event_names[ev], number, detail);
  if (c->kill_event && !strcmp(c->kill_event, event_names[ev]) && ++c->seen == c->kill_at)
    raise(SIGKILL);
}

static int parse_i64(const char *s, int64_t *out) {
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end || v <= 0)
    return -1;
  *out = (int64_t)v;
  return 0;
}

int cli_message(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(message_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *sub = argv[1];
  const char *db = NULL, *line = NULL, *as = NULL, *text_file = NULL, *operation = NULL, *force = NULL,
             *gateway = NULL, *campaign_s = NULL, *reason = NULL;
  int days = LS_MSG_DEFAULT_DAYS, as_json = 0, verbose = 0;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"line", required_argument, NULL, 'l'},
                                       {"days", required_argument, NULL, 'n'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"as", required_argument, NULL, 'a'},
                                       {"text-file", required_argument, NULL, 't'},
                                       {"operation", required_argument, NULL, 'o'},
                                       {"force", required_argument, NULL, 'f'},
                                       {"gateway", required_argument, NULL, 'g'},
                                       {"campaign", required_argument, NULL, 'c'},
                                       {"reason", required_argument, NULL, 'r'},
                                       {"verbose", no_argument, NULL, 'v'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'd': db = optarg; break;
    case 'l': line = optarg; break;
    case 'n':
      days = (int)strtol(optarg, &end, 10);
      if (end == optarg || *end || days < 1 || days > LS_MSG_DAYS_MAX)
        return cli_usage_error("message", "--days must be 1 to %d, not '%s'", LS_MSG_DAYS_MAX, optarg);
      break;
    case 'j': as_json = 1; break;
    case 'a': as = optarg; break;
    case 't': text_file = optarg; break;
    case 'o': operation = optarg; break;
    case 'f': force = optarg; break;
    case 'g': gateway = optarg; break;
    case 'c': campaign_s = optarg; break;
    case 'r': reason = optarg; break;
    case 'v': verbose = 1; break;
    case 'h': fputs(message_usage, stdout); return 0;
    default: fputs(message_usage, stderr); return 2;
    }
  }
  int first = optind + 1; /* first operand in argv */
  int64_t campaign = 0;
  if (campaign_s && parse_i64(campaign_s, &campaign))
    return cli_usage_error("message", "--campaign must be a campaign number, not '%s'", campaign_s);
  int is_plan = !strcmp(sub, "plan"), is_create = !strcmp(sub, "create"), is_approve = !strcmp(sub, "approve"),
      is_cancel = !strcmp(sub, "cancel"), is_send = !strcmp(sub, "send"), is_status = !strcmp(sub, "status"),
      is_dnc = !strcmp(sub, "dnc");
  if (!is_plan && !is_create && !is_approve && !is_cancel && !is_send && !is_status && !is_dnc)
    return cli_usage_error("message", "unknown subcommand '%s' (plan, create, approve, cancel, send, status, dnc)",
                           sub);
  if ((is_plan || is_create) && !line)
    return cli_usage_error("message", "%s needs --line ID", sub);
  if ((is_create || is_approve || is_cancel) && !as)
    return cli_usage_error("message", "%s needs --as USER (password on standard input)", sub);
  if ((is_approve || is_cancel || is_send) && !campaign)
    return cli_usage_error("message", "%s needs --campaign N", sub);
  if (is_send && !gateway)
    return cli_usage_error("message", "send needs --gateway FILE (scripts/kannel start writes one)");
  const char *dnc_op = NULL, *dnc_number = NULL;
  if (is_dnc) {
    dnc_op = first < argc ? argv[first] : NULL;
    dnc_number = first + 1 < argc ? argv[first + 1] : NULL;
    if (!dnc_op || (strcmp(dnc_op, "list") && (strcmp(dnc_op, "add") && strcmp(dnc_op, "remove"))))
      return cli_usage_error("message", "dnc needs add NUMBER, remove NUMBER or list");
    if (strcmp(dnc_op, "list") && !dnc_number)
      return cli_usage_error("message", "dnc %s needs a NUMBER", dnc_op);
  } else if (first < argc) {
    return cli_usage_error("message", "unexpected argument '%s'", argv[first]);
  }

  ls_error err;
  ls_error_clear(&err);
  char *text = NULL;
  if (text_file) {
    FILE *f = fopen(text_file, "rb");
    if (!f) {
      fprintf(stderr, "linesight: %s: cannot open\n", text_file);
      return 2;
    }
    text = calloc(1, LS_MSG_TEXT_MAX + 2);
    size_t n = text ? fread(text, 1, LS_MSG_TEXT_MAX + 1, f) : 0;
    fclose(f);
    if (!text)
      return 1;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
      text[--n] = '\0';
    if (n > LS_MSG_TEXT_MAX) {
      free(text);
      return cli_usage_error("message", "%s: the text is over %d bytes", text_file, LS_MSG_TEXT_MAX);
    }
  }
  ls_store *st = NULL;
  ls_status rc = ls_store_open(db, &st, &err);
  int code = 0;
  char actor[96];
  cli_actor(actor);
  if (rc) {
    code = cli_report_error(&err);
    goto out;
  }
  if (is_plan) {
    ls_msg_plan p;
    if ((rc = ls_messaging_plan(st, line, days, &p, &err))) {
      code = cli_report_error(&err);
      goto out;
    }
    if (as_json) {
      json_t *r = json_array();
      for (size_t i = 0; r && i < p.n_recipients; i++)
        json_array_append_new(r, json_string(p.recipients[i]));
      json_t *o = json_pack("{s:s, s:o, s:{s:I, s:I}}", "line", p.line, "recipients", r, "excluded", "children",
                            (json_int_t)p.excluded_children, "do_not_contact", (json_int_t)p.excluded_dnc);
      char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
      if (s)
        printf("%s\n", s);
      else
        code = 1;
      free(s);
      json_decref(o);
    } else {
      char from[LS_ISO_MAX], to[LS_ISO_MAX];
      ls_time_format_utc(p.window_from, from);
      ls_time_format_utc(p.window_to, to);
      printf("line %s: %zu numbers to text (contacts from %s to %s)\n", p.line, p.n_recipients, from, to);
      printf("excluded: %zu attributed to children (refer them to safeguarding), %zu on the do-not-contact list\n",
             p.excluded_children, p.excluded_dnc);
    }
    audit(st, actor, "", line, "message plan");
    ls_messaging_plan_free(&p);
  } else if (is_create || is_approve || is_cancel) {
    ls_auth_user u;
    if ((code = authenticate(st, as, &u)))
      goto out;
    char rec[48];
    if (is_create) {
      ls_msg_campaign_opts o = {.line = line, .days = days, .text = text, .operation = operation,
                                .force = force, .created_by = u.name};
      rc = ls_messaging_campaign_create(st, &o, &campaign, &err);
    } else if (is_approve) {
      rc = ls_messaging_campaign_approve(st, campaign, &u, &err);
    } else {
      rc = ls_messaging_campaign_cancel(st, campaign, &err);
    }
    if (rc) {
      code = cli_report_error(&err);
      goto out;
    }
    snprintf(rec, sizeof rec, "campaign:%lld", (long long)campaign);
    audit(st, u.name, u.force, rec, is_create ? "created" : is_approve ? "approved" : "cancelled");
    ls_msg_status s;
    if ((rc = ls_messaging_campaign_status(st, campaign, &s, &err)) == LS_OK)
      print_status(&s);
  } else if (is_send) {
    ls_msg_gateway gw;
    if ((rc = ls_messaging_gateway_load(gateway, &gw, &err))) {
      code = cli_report_error(&err);
      goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    send_ctx sc = {.verbose = verbose};
    const char *hook = getenv("LINESIGHT_TEST_KILL_AT");
    char hook_buf[64];
    if (hook && *hook) {
      snprintf(hook_buf, sizeof hook_buf, "%s", hook);
      char *colon = strchr(hook_buf, ':');
      if (colon) {
        *colon = '\0';
        sc.kill_event = hook_buf;
        sc.kill_at = strtol(colon + 1, NULL, 10);
      }
    }
    ls_msg_send_opts so = {.gateway = &gw, .on_event = on_event, .ctx = &sc, .stop = &stop_flag, .store_uri = db};
    ls_msg_send_result res;
    char rec[48];
    snprintf(rec, sizeof rec, "campaign:%lld", (long long)campaign);
    audit(st, actor, "", rec, "send started");
    rc = ls_messaging_send(st, campaign, &so, &res, &err);
    printf("campaign %lld: %lld sent now, %lld in doubt found sent, %lld in doubt sent again; %s%s\n",
           (long long)campaign, (long long)res.sent_now, (long long)res.reconciled, (long long)res.resent,
           res.complete ? "complete" : "not complete (run send again to resume)",
           res.results_recorded ? "; messages_sent recorded in the operation" : "");
    char detail[160];
    snprintf(detail, sizeof detail, "send ended: %lld sent, %.100s", (long long)res.sent_now,
             rc ? err.message : res.complete ? "complete" : "stopped");
    audit(st, actor, "", rec, detail);
    if (rc)
      code = cli_report_error(&err);
    else if (!res.complete)
      code = 1;
  } else if (is_status) {
    json_t *list = as_json ? json_array() : NULL;
    if (campaign) {
      ls_msg_status s;
      if ((rc = ls_messaging_campaign_status(st, campaign, &s, &err)) == LS_OK)
        list_status(&s, list);
    } else {
      rc = ls_messaging_campaign_list(st, list_status, list, &err);
    }
    if (rc == LS_OK && list) {
      json_t *o = campaign ? json_incref(json_array_get(list, 0)) : json_pack("{s:O}", "campaigns", list);
      char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
      if (s)
        printf("%s\n", s);
      free(s);
      json_decref(o);
    }
    json_decref(list);
    if (rc)
      code = cli_report_error(&err);
  } else if (is_dnc) {
    if (!strcmp(dnc_op, "add")) {
      rc = ls_messaging_dnc_add(st, dnc_number, reason ? reason : "", actor, &err);
      if (rc == LS_OK)
        audit(st, actor, "", dnc_number, "added to the do-not-contact list");
    } else if (!strcmp(dnc_op, "remove")) {
      rc = ls_messaging_dnc_remove(st, dnc_number, &err);
      if (rc == LS_OK)
        audit(st, actor, "", dnc_number, "removed from the do-not-contact list");
    } else {
      json_t *list = as_json ? json_array() : NULL;
      rc = ls_messaging_dnc_list(st, dnc_print, list, &err);
      if (rc == LS_OK && list) {
        char *s = json_dumps(list, JSON_COMPACT);
        if (s)
          printf("%s\n", s);
        free(s);
      }
      json_decref(list);
    }
    if (rc)
      code = cli_report_error(&err);
  }
out:
  free(text);
  ls_store_close(st);
  return code;
}
