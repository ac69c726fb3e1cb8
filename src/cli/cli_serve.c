/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `linesight serve`: runs the HTTP API and the console until SIGINT or
 * SIGTERM. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "linesight/ls_server.h"

static const char serve_usage[] =
    "usage: linesight serve [--db D] [--port 8080] [--bind 127.0.0.1] [--web DIR] [--threads N]\n"
    "  --port 0 picks a free port; the address served is printed on stdout.\n"
    "  --threads: I/O threads (default one per core, at most 4).\n"
    "  --web: the web folder (default: $LINESIGHT_WEB, ./web, or web/ beside the build);\n"
    "  the console is its console/dist, built by `make` (npm ci, vite build).\n";

/* 1 when dir/rel exists and is readable */
static int has_file(const char *dir, const char *rel) {
  char p[PATH_MAX];
  if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, rel) >= sizeof p)
    return 0;
  return access(p, R_OK) == 0;
}

/* A web folder holds the console (its Vite sources, or only the build in
 * an installed copy). */
static int has_index(const char *dir) {
  return has_file(dir, "console/index.html") || has_file(dir, "console/dist/index.html");
}

/* The web folder: --web, $LINESIGHT_WEB, ./web, then <binary>/../web
 * (a build folder sits in the source tree). NULL when none is found. */
static const char *find_web_root(const char *given, char *buf, size_t cap) {
  if (given)
    return given;
  const char *env = getenv("LINESIGHT_WEB");
  if (env && *env)
    return env;
  if (has_index("web"))
    return "web";
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      if ((size_t)snprintf(buf, cap, "%s/../web", exe) < cap && has_index(buf))
        return buf;
      if ((size_t)snprintf(buf, cap, "%s/../share/linesight/web", exe) < cap && has_index(buf))
        return buf;
    }
  }
  return NULL;
}

static int parse_port(const char *s, unsigned *out) {
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0 || v > 65535)
    return -1;
  *out = (unsigned)v;
  return 0;
}

int cli_serve(int argc, char **argv) {
  ls_server_config cfg = {0};
  cfg.port = 8080;
  const char *web = NULL;
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"port", required_argument, NULL, 'p'},
                                       {"bind", required_argument, NULL, 'b'},
                                       {"web", required_argument, NULL, 'w'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'd')
      cfg.db = optarg;
    else if (c == 'p') {
      if (parse_port(optarg, &cfg.port))
        return cli_usage_error("serve", "--port must be 0 to 65535, not '%s'", optarg);
    } else if (c == 'b')
      cfg.bind = optarg;
    else if (c == 'w')
      web = optarg;
    else if (c == 't') {
      char *end = NULL;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || v < 1 || v > 4)
        return cli_usage_error("serve", "--threads must be 1 to 4, not '%s'", optarg);
      cfg.threads = (unsigned)v;
    }
    else if (c == 'h') {
      fputs(serve_usage, stdout);
      return 0;
    } else {
      fputs(serve_usage, stderr);
      return 2;
    }
  }
  if (optind < argc)
    return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
  char webbuf[PATH_MAX];
  cfg.web_root = find_web_root(web, webbuf, sizeof webbuf);
  if (!cfg.web_root)
    fprintf(stderr, "linesight serve: no web folder found; serving the API only\n");
  else if (!has_file(cfg.web_root, "console/dist/index.html"))
    fprintf(stderr,
            "linesight serve: the console is not built (%s/console/dist is missing): run `make`,"
            " or `npm ci && npm run build` in %s/console; serving the API and the public page\n",
            cfg.web_root, cfg.web_root);

  /* block the signals before the server's threads start, so that they
   * inherit the mask and only sigwait below receives them */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  ls_error err;
  ls_error_clear(&err);
  ls_server *srv = NULL;
  ls_status rc = ls_server_start(&cfg, &srv, &err);
  if (rc)
    return cli_report_error(&err);
  const char *bind = cfg.bind ? cfg.bind : "127.0.0.1";
  int v6 = strchr(bind, ':') != NULL;
  printf("linesight: serving http://%s%s%s:%u/ (store %s)\n", v6 ? "[" : "", bind, v6 ? "]" : "",
         ls_server_port(srv), cfg.db ? cfg.db : "linesight.db");
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  ls_server_stop(srv);
  printf("linesight: stopped\n");
  return 0;
}
