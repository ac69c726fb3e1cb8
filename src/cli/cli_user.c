/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight user add|passwd|disable|list|area`: the console's users, and
 * which force polices which area. Passwords come from standard input (one
 * line), never from the command line where `ps` would show them. Every
 * change goes into the audit trail as "cli:<login>". */
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "linesight/ls_audit.h"
#include "linesight/ls_auth.h"

static const char user_usage[] =
    "usage: linesight user add --name U --role R --force F [--db D]   (password from stdin)\n"
    "       linesight user passwd --name U [--db D]                   (password from stdin)\n"
    "       linesight user disable --name U [--db D]\n"
    "       linesight user list [--db D] [--json]\n"
    "       linesight user area --force F [--db D] AREA...             (F polices these areas)\n"
    "roles: admin, analyst, officer, safeguarding, press, supervisor; force 'national' sees every force\n";

/* Who ran the command, for the audit trail. */
static void cli_actor(char out[96]) {
  struct passwd pw, *res = NULL;
  char buf[1024];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res)
    snprintf(out, 96, "cli:%s", res->pw_name);
  else
    snprintf(out, 96, "cli:uid%u", (unsigned)geteuid());
}

/* Reads one line of password from stdin, without echo on a terminal.
 * Returns 0, or -1 when nothing could be read. */
static int read_password(char *out, size_t cap) {
  struct termios old, quiet;
  int tty = isatty(STDIN_FILENO);
  if (tty) {
    fputs("password: ", stderr);
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  char *got = fgets(out, (int)cap, stdin);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
  }
  if (!got)
    return -1;
  out[strcspn(out, "\r\n")] = '\0';
  return 0;
}

static void audit_change(ls_store *st, const char *name, const char *detail) {
  char actor[96];
  cli_actor(actor);
  ls_error err;
  ls_error_clear(&err);
  if (ls_audit_append(st, actor, "", "change", "linesight user", name, detail, &err))
    cli_report_error(&err);
}

static int print_user(const ls_auth_user *u, void *ctx) {
  json_t *list = ctx;
  const char *role = ls_auth_role_name(u->role) ? ls_auth_role_name(u->role) : "?";
  if (list)
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b}", "name", u->name, "role", role,
                                          "force", u->force, "disabled", u->disabled));
  else
    printf("%-24s %-13s %-20s%s\n", u->name, role, u->force, u->disabled ? " (disabled)" : "");
  return 0;
}

int cli_user(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(user_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *sub = argv[1];
  const char *db = NULL, *name = NULL, *role_s = NULL, *force = NULL;
  int as_json = 0;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"name", required_argument, NULL, 'n'},
                                       {"role", required_argument, NULL, 'r'},
                                       {"force", required_argument, NULL, 'f'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd': db = optarg; break;
    case 'n': name = optarg; break;
    case 'r': role_s = optarg; break;
    case 'f': force = optarg; break;
    case 'j': as_json = 1; break;
    case 'h': fputs(user_usage, stdout); return 0;
    default: fputs(user_usage, stderr); return 2;
    }
  }
  int first_arg = optind + 1; /* index into argv of the first operand */
  int is_add = !strcmp(sub, "add"), is_passwd = !strcmp(sub, "passwd"),
      is_disable = !strcmp(sub, "disable"), is_list = !strcmp(sub, "list"),
      is_area = !strcmp(sub, "area");
  if (!is_add && !is_passwd && !is_disable && !is_list && !is_area)
    return cli_usage_error("user", "unknown subcommand '%s' (add, passwd, disable, list, area)", sub);
  if ((is_add || is_passwd || is_disable) && !name)
    return cli_usage_error("user", "%s needs --name", sub);
  if (is_add && (!role_s || !force))
    return cli_usage_error("user", "add needs --role and --force");
  if (is_area && (!force || first_arg >= argc))
    return cli_usage_error("user", "area needs --force and at least one AREA");
  if (!is_area && first_arg < argc)
    return cli_usage_error("user", "unexpected argument '%s'", argv[first_arg]);

  ls_error err;
  ls_error_clear(&err);
  ls_role role = LS_ROLE_ANALYST;
  if (is_add && ls_auth_role_parse(role_s, &role, &err))
    return cli_report_error(&err);
  char password[LS_AUTH_PASSWORD_MAX + 2];
  if ((is_add || is_passwd) && read_password(password, sizeof password))
    return cli_usage_error("user", "no password on standard input");
  ls_status rc = ls_auth_init(&err);
  ls_store *st = NULL;
  if (rc == LS_OK)
    rc = ls_store_open(db, &st, &err);
  char detail[256];
  if (rc == LS_OK && is_add) {
    rc = ls_auth_user_add(st, name, role, force, password, &err);
    snprintf(detail, sizeof detail, "user added: role %s, force %s", role_s, force);
    if (rc == LS_OK) {
      audit_change(st, name, detail);
      printf("user %s added (%s, %s)\n", name, role_s, force);
    }
  } else if (rc == LS_OK && is_passwd) {
    rc = ls_auth_user_set_password(st, name, password, &err);
    if (rc == LS_OK) {
      audit_change(st, name, "password changed; sessions ended");
      printf("password of %s changed\n", name);
    }
  } else if (rc == LS_OK && is_disable) {
    rc = ls_auth_user_disable(st, name, &err);
    if (rc == LS_OK) {
      audit_change(st, name, "user disabled; sessions ended");
      printf("user %s disabled\n", name);
    }
  } else if (rc == LS_OK && is_list) {
    json_t *list = as_json ? json_array() : NULL;
    rc = ls_auth_user_list(st, print_user, list, &err);
    if (rc == LS_OK && list) {
      char *text = json_dumps(list, JSON_INDENT(2));
      if (text)
        puts(text);
      free(text);
    }
    json_decref(list);
  } else if (rc == LS_OK && is_area) {
    for (int i = first_arg; rc == LS_OK && i < argc; i++) {
      rc = ls_auth_area_set(st, argv[i], force, &err);
      if (rc == LS_OK) {
        snprintf(detail, sizeof detail, "area %s policed by %s", argv[i], force);
        audit_change(st, argv[i], detail);
        printf("area %s: %s\n", argv[i], force);
      }
    }
  }
  memset(password, 0, sizeof password);
  ls_store_close(st);
  return rc ? cli_report_error(&err) : 0;
}
