/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The export model on a hand-made world whose every node, link and trip is
 * counted by hand below; the escapes byte for byte; every allocation failure
 * of a whole export. (tests/cli/export*.sh read the files back with outside
 * readers.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/export_internal.h"
#include "core/ls_mem.h"

#define T0 1728259200 /* 2024-10-07T00:00:00Z */

static const char result_json[] =
    "{\"generated\": \"2024-10-14T00:00:00Z\", \"events\": 11,"
    " \"lines\": ["
    "  {\"id\": \"LS-0001\", \"rank\": 1, \"score\": 0.97, \"numbers\": [\"+447700900001\"],"
    "   \"holders\": [\"+447700900002\"], \"runners\": [\"+447700900003\"], \"customers\": 2,"
    "   \"origin\": \"Lon\\\"<don>&\", \"destinations\": [\"A\", \"B\"],"
    "   \"first_seen\": \"2024-10-07T00:00:00Z\", \"last_seen\": \"2024-10-07T08:01:00Z\","
    "   \"harm\": {\"score\": 0.5, \"components\": {\"revenue_gbp_per_day\": 100}},"
    "   \"explain\": [\"bulk texts\", \"2 customers\"]},"
    "  {\"id\": \"LS-0002\", \"rank\": 2, \"score\": 0.95, \"numbers\": [\"+447700900006\"],"
    "   \"holders\": [], \"runners\": [], \"customers\": 1, \"origin\": \"London\", \"destinations\": [],"
    "   \"explain\": []}],"
    " \"numbers\": ["
    "  {\"number\": \"+447700900001\", \"role\": \"deal\", \"score\": 0.97, \"line\": \"LS-0001\"},"
    "  {\"number\": \"+447700900002\", \"role\": \"holder\", \"score\": 0.9, \"line\": \"LS-0001\"},"
    "  {\"number\": \"+447700900003\", \"role\": \"runner\", \"score\": 0.8, \"line\": \"LS-0001\"},"
    "  {\"number\": \"+447700900004\", \"role\": \"customer\", \"score\": 0.7, \"line\": \"LS-0001\"},"
    "  {\"number\": \"+447700900005\", \"role\": \"customer\", \"score\": 0.7, \"line\": \"LS-0001\"},"
    "  {\"number\": \"+447700900006\", \"role\": \"deal\", \"score\": 0.95, \"line\": \"LS-0002\"},"
    "  {\"number\": \"+447700900003\", \"role\": \"customer\", \"score\": 0.5, \"line\": \"LS-0002\"}],"
    " \"cuckoo_addresses\": ["
    "  {\"address\": \"A1\", \"line\": \"LS-0001\", \"score\": 0.8, \"explain\": [\"nights\"],"
    "   \"first_night\": \"2024-10-07T23:00:00Z\", \"last_night\": \"2024-10-09T01:00:00Z\"},"
    "  {\"address\": \"A2\", \"line\": \"LS-0002\", \"score\": 0.6, \"explain\": []}],"
    " \"safeguarding\": ["
    "  {\"subject\": \"+447700900003\", \"reasons\": [\"juvenile runner\"], \"priority\": \"high\"},"
    "  {\"subject\": \"P9\", \"reasons\": [\"no line\"], \"priority\": \"low\"}]}";

enum { D1, H, R, C1, C2, D2, X, N_NUMBERS };
enum { CELL1, CELL2, CELL3, CELL_UNPLACED, N_CELLS };
enum { I1, I2, I9, N_IMEIS };

typedef struct world {
  ls_events ev;
  ls_refdata rd;
} world;

static void intern(ls_dict *d, const char *s) {
  uint32_t id;
  assert_int_equal(ls_dict_intern(d, s, strlen(s), &id), LS_OK);
}

static void push(world *w, int64_t t, ls_event_type type, uint32_t a, uint32_t b, int32_t dur, uint32_t ca,
                 uint32_t cb, uint32_t ia, uint32_t ib) {
  assert_int_equal(ls_events_push(&w->ev, t, type, a, b, dur, ca, cb, ia, ib), LS_OK);
}

static char *sdup(const char *s) { return s ? ls_strdup(s) : NULL; }

static void world_make(world *w) {
  ls_events_init(&w->ev);
  ls_refdata_init(&w->rd);
  static const char *const numbers[N_NUMBERS] = {"+447700900001", "+447700900002", "+447700900003",
                                                 "+447700900004", "+447700900005", "+447700900006",
                                                 "+447700900099"};
  for (int i = 0; i < N_NUMBERS; i++)
    intern(&w->ev.numbers, numbers[i]);
  intern(&w->ev.cells, "c1");
  intern(&w->ev.cells, "c2");
  intern(&w->ev.cells, "c3");
  intern(&w->ev.cells, "cu");
  intern(&w->ev.imeis, "350000000000001");
  intern(&w->ev.imeis, "350000000000002");
  intern(&w->ev.imeis, "350000000000009");
  const uint32_t no = LS_NO_ID;
  push(w, T0, LS_EV_SMS, D1, C1, 0, CELL1, no, I1, I9);
  push(w, T0 + 100, LS_EV_CALL, C1, D1, 60, no, CELL1, I9, I1);
  push(w, T0 + 200, LS_EV_CALL, C2, D1, 30, no, CELL2, no, I1);
  push(w, T0 + 300, LS_EV_CALL, C1, C2, 10, no, no, no, no); /* customers: no link */
  push(w, T0 + 400, LS_EV_CALL, H, D1, 20, CELL3, CELL2, I2, I1);
  push(w, T0 + 500, LS_EV_SMS, D1, C2, 0, CELL_UNPLACED, no, I1, no);
  push(w, T0 + 600, LS_EV_CALL, R, X, 5, CELL1, no, no, no); /* X is no node */
  push(w, T0 + 700, LS_EV_SMS, D2, R, 0, CELL2, CELL2, no, no);
  push(w, T0 + 8 * 3600, LS_EV_SMS, D1, C1, 0, CELL3, no, I1, no); /* after a 6 h silence */
  push(w, T0 + 8 * 3600 + 60, LS_EV_SMS, D1, C1, 0, CELL1, no, I1, no);
  static const struct {
    const char *id, *name;
    double lat, lon;
  } cells[] = {{"c1", "Cell <1> & \"one\"", 51.5, -0.1}, {"c2", "c2", 51.6, -0.2}, {"c3", NULL, 51.7, -0.3}};
  w->rd.cells = ls_calloc(3, sizeof *w->rd.cells);
  for (int i = 0; i < 3; i++)
    w->rd.cells[i] = (ls_cell){sdup(cells[i].id), cells[i].lat, cells[i].lon, NAN, sdup(cells[i].name), sdup("Area, \"x\"")};
  w->rd.n_cells = w->rd.cap_cells = 3;
  w->rd.persons = ls_calloc(1, sizeof *w->rd.persons);
  w->rd.persons[0] = (ls_person){sdup("P1"), 10000, 'F', LS_FLAG_LOOKED_AFTER};
  w->rd.n_persons = w->rd.cap_persons = 1;
  w->rd.attributions = ls_calloc(3, sizeof *w->rd.attributions);
  static const char *const who[3] = {"+447700900001", "+447700900004", "+447700900099"};
  for (int i = 0; i < 3; i++) {
    snprintf(w->rd.attributions[i].number, LS_E164_MAX, "%s", who[i]);
    w->rd.attributions[i].person_id = sdup(i == 2 ? "P2" : "P1");
    w->rd.attributions[i].from = INT64_MIN;
    w->rd.attributions[i].to = INT64_MAX;
    w->rd.attributions[i].source = sdup("subscriber, \"checked\"");
  }
  w->rd.n_attributions = w->rd.cap_attributions = 3;
  w->rd.addresses = ls_calloc(1, sizeof *w->rd.addresses);
  w->rd.addresses[0] = (ls_address){sdup("A1"), 50.9, -1.4, sdup("c1"), sdup("P1"), LS_FLAG_VULNERABLE_ADULT};
  w->rd.n_addresses = w->rd.cap_addresses = 1;
}

static void world_free(world *w) {
  ls_events_free(&w->ev);
  ls_refdata_free(&w->rd);
}

static size_t count_nodes(const ls__ex_model *m, ls__ex_kind k) {
  size_t n = 0;
  for (size_t i = 0; i < m->n_nodes; i++)
    n += m->nodes[i].kind == k;
  return n;
}

static size_t count_edges(const ls__ex_model *m, ls__ex_link k) {
  size_t n = 0;
  for (size_t i = 0; i < m->n_edges; i++)
    n += m->edges[i].kind == k;
  return n;
}

static const ls__ex_node *node(const ls__ex_model *m, const char *id) {
  uint32_t i;
  if (ls_dict_find(&m->ids, id, strlen(id), &i) != LS_OK)
    return NULL;
  return &m->nodes[i];
}

static const ls__ex_edge *edge(const ls__ex_model *m, const char *from, const char *to) {
  for (size_t i = 0; i < m->n_edges; i++)
    if (!strcmp(m->nodes[m->edges[i].from].id, from) && !strcmp(m->nodes[m->edges[i].to].id, to))
      return &m->edges[i];
  return NULL;
}

static void test_model_all_lines(void **state) {
  (void)state;
  world w;
  world_make(&w);
  ls_export_opts o;
  ls_export_opts_init(&o);
  ls__ex_model m;
  ls_error err;
  assert_int_equal(ls__export_model_build(&m, result_json, &w.ev, &w.rd, &o, &err), LS_OK);
  assert_int_equal(count_nodes(&m, LS__EX_LINE), 2);
  assert_int_equal(count_nodes(&m, LS__EX_NUMBER), 6);
  assert_int_equal(count_nodes(&m, LS__EX_HANDSET), 2); /* I1 (deal), I2 (holder); not the customer's */
  assert_int_equal(count_nodes(&m, LS__EX_PERSON), 1);  /* P2 uses a number outside the network */
  assert_int_equal(count_nodes(&m, LS__EX_ADDRESS), 2);
  assert_int_equal(count_edges(&m, LS__EX_ROLE), 7);
  assert_int_equal(count_edges(&m, LS__EX_CONTACT), 4); /* not C1-C2, not R-X */
  assert_int_equal(count_edges(&m, LS__EX_USED_IN), 2);
  assert_int_equal(count_edges(&m, LS__EX_USES), 2);
  assert_int_equal(count_edges(&m, LS__EX_CUCKOO), 2);
  /* the strongest role wins: a runner of one line and customer of another */
  const ls__ex_node *r = node(&m, "number:+447700900003");
  assert_non_null(r);
  assert_string_equal(r->role, "runner");
  assert_string_equal(r->lines, "LS-0001;LS-0002");
  assert_true(fabs(r->score - 0.8) < 1e-12);
  /* contacts point from the line's side and count both ways */
  const ls__ex_edge *c = edge(&m, "number:+447700900001", "number:+447700900004");
  assert_non_null(c);
  assert_int_equal(c->calls, 1);
  assert_int_equal(c->sms, 3);
  assert_int_equal(c->duration_s, 60);
  assert_int_equal(c->forward, 3);
  assert_int_equal(c->backward, 1);
  assert_int_equal(c->first, T0);
  assert_int_equal(c->last, T0 + 8 * 3600 + 60);
  assert_non_null(edge(&m, "number:+447700900001", "number:+447700900002")); /* deal before holder */
  assert_non_null(edge(&m, "number:+447700900006", "number:+447700900003"));
  const ls__ex_node *d1 = node(&m, "number:+447700900001");
  assert_int_equal(d1->events, 7);
  assert_int_equal(d1->first, T0);
  /* trips: D1 c1->c2, then after the silence c3->c1; R c1->c2; H and D2 one place each */
  assert_int_equal(m.n_trips, 3);
  size_t placed = 0;
  for (size_t i = 0; i < m.n_cells; i++)
    placed += m.cells[i].ref != NULL;
  assert_int_equal(m.n_cells, 4);
  assert_int_equal(placed, 3);
  assert_int_equal(json_array_size(m.safeguarding), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(m.safeguarding, 0), "line")), "LS-0001");
  assert_non_null(node(&m, "address:A1")->address);
  assert_int_equal(node(&m, "address:A1")->first, T0 + 23 * 3600);
  assert_string_equal(r->safeguarding, "high"); /* the case's subject is the runner's number */
  assert_null(d1->safeguarding);
  assert_null(node(&m, "address:A2")->address);
  ls__export_model_free(&m);
  world_free(&w);
}

static void test_model_one_line(void **state) {
  (void)state;
  world w;
  world_make(&w);
  ls_export_opts o;
  ls_export_opts_init(&o);
  o.line = "LS-0002";
  ls__ex_model m;
  ls_error err;
  assert_int_equal(ls__export_model_build(&m, result_json, &w.ev, &w.rd, &o, &err), LS_OK);
  assert_int_equal(m.n_nodes, 4); /* the line, D2, R (a customer here), A2 */
  assert_int_equal(m.n_edges, 4); /* two roles, D2-R, the cuckooed address */
  assert_string_equal(node(&m, "number:+447700900003")->role, "customer");
  assert_int_equal(m.n_trips, 0);
  assert_int_equal(json_array_size(m.safeguarding), 0); /* R's case belongs to LS-0001 */
  ls__export_model_free(&m);
  o.line = "LS-0404";
  assert_int_equal(ls__export_model_build(&m, result_json, &w.ev, &w.rd, &o, &err), LS_ERR_NOTFOUND);
  assert_non_null(strstr(err.message, "LS-0404"));
  ls__export_model_free(&m);
  o.line = NULL;
  assert_int_equal(ls__export_model_build(&m, "{\"lines\": [", &w.ev, &w.rd, &o, &err), LS_ERR_INPUT);
  ls__export_model_free(&m);
  assert_int_equal(ls__export_model_build(&m, "[1]", &w.ev, &w.rd, &o, &err), LS_ERR_INPUT);
  ls__export_model_free(&m);
  o.handling = 'X';
  assert_int_equal(ls__export_model_build(&m, result_json, &w.ev, &w.rd, &o, &err), LS_ERR_USAGE);
  ls__export_model_free(&m);
  /* without events: the result's network only */
  o.handling = 0;
  assert_int_equal(ls__export_model_build(&m, result_json, NULL, NULL, &o, &err), LS_OK);
  assert_int_equal(count_edges(&m, LS__EX_CONTACT), 0);
  assert_int_equal(count_nodes(&m, LS__EX_NUMBER), 6);
  ls__export_model_free(&m);
  world_free(&w);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void test_escapes(void **state) {
  (void)state;
  char dir[] = "/tmp/ls-export-XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/o.txt", dir);
  ls__ex_out o;
  ls_error err;
  assert_int_equal(ls__export_out_open(&o, path, &err), LS_OK);
  ls__export_out_xml(&o, "a<b>&\"c'\t\n\r\x01\xff\xc3\xa9|");
  ls__export_out_puts(&o, "#");
  ls__export_out_csv(&o, "plain");
  ls__export_out_puts(&o, "#");
  ls__export_out_csv(&o, "a,\"b\"\nc");
  ls__export_out_puts(&o, "#");
  ls__export_out_csv(&o, " lead");
  ls__export_out_puts(&o, "#");
  ls__export_out_json(&o, "q\"\\\n\x02\xe2\x82");
  ls__export_out_puts(&o, "#");
  ls__export_out_num(&o, 0.97);
  ls__export_out_puts(&o, "#");
  ls__export_out_num(&o, NAN);
  ls__export_out_puts(&o, "#");
  ls__export_out_time(&o, T0);
  assert_int_equal(ls__export_out_close(&o, path, &err), LS_OK);
  assert_string_equal(slurp(path), "a&lt;b&gt;&amp;&quot;c&apos;&#9;&#10;&#13;\xEF\xBF\xBD\xEF\xBF\xBD\xc3\xa9|"
                                   "#plain#\"a,\"\"b\"\"\nc\"#\" lead\"#\"q\\\"\\\\\\u000a\\u0002\xEF\xBF\xBD\xEF\xBF\xBD\""
                                   "#0.97##2024-10-07T00:00:00Z");
  unlink(path);
  /* a failed write leaves nothing */
  snprintf(path, sizeof path, "%s/no/such.txt", dir);
  assert_int_equal(ls__export_out_open(&o, path, &err), LS_ERR_IO);
  rmdir(dir);
}

static void test_formats(void **state) {
  (void)state;
  ls_export_format f;
  static const char *const names[] = {"i2", "graphml", "gexf", "geojson", "kml", "xlsx"};
  for (int i = 0; i < 6; i++) {
    assert_int_equal(ls_export_format_parse(names[i], &f), LS_OK);
    assert_string_equal(ls_export_format_name(f), names[i]);
  }
  assert_int_equal(ls_export_format_parse("dot", &f), LS_ERR_USAGE);
  assert_int_equal(ls_export_format_parse(NULL, &f), LS_ERR_USAGE);
}

/* Every format writes, and counts what it wrote; the map leaves out what
 * has no place. */
static void test_write_all(void **state) {
  (void)state;
  world w;
  world_make(&w);
  char dir[] = "/tmp/ls-export-XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  static const char *const ext[] = {"csv", "graphml", "gexf", "geojson", "kml", "xlsx"};
  for (int f = LS_EXPORT_I2; f <= LS_EXPORT_XLSX; f++) {
    snprintf(path, sizeof path, "%s/x.%s", dir, ext[f]);
    ls_export_stats st;
    ls_error err;
    assert_int_equal(ls_export_write(result_json, &w.ev, &w.rd, (ls_export_format)f, NULL, path, &st, &err),
                     LS_OK);
    assert_int_equal(st.lines, 2);
    assert_int_equal(st.nodes, 13);
    assert_int_equal(st.edges, 17);
    if (f == LS_EXPORT_GEOJSON || f == LS_EXPORT_KML) {
      assert_int_equal(st.cells, 3);
      assert_int_equal(st.movements, 3);
      assert_int_equal(st.addresses, 1);
      assert_int_equal(st.unplaced, 2); /* the cell "cu" and the address A2 */
    }
    for (int k = 0; k < 2; k++)
      if (st.files[k][0]) {
        assert_int_equal(access(st.files[k], F_OK), 0);
        unlink(st.files[k]);
      }
  }
  /* the i2 entities file: a header and one row a node, hostile text quoted */
  snprintf(path, sizeof path, "%s/y", dir);
  ls_export_stats st;
  assert_int_equal(ls_export_write(result_json, &w.ev, &w.rd, LS_EXPORT_I2, NULL, path, &st, NULL), LS_OK);
  assert_string_equal(st.files[0] + strlen(dir), "/y-entities.csv");
  const char *text = slurp(st.files[0]);
  assert_non_null(strstr(text, ",\"Lon\"\"<don>&\","));
  size_t rows = 0;
  for (const char *p = text; *p; p++)
    rows += *p == '\n';
  assert_int_equal(rows, 1 + 13);
  unlink(st.files[0]);
  unlink(st.files[1]);
  rmdir(dir);
  world_free(&w);
}

/* Each allocation of a whole export fails in turn: an error, never a crash
 * or a leak (the ASan build checks leaks), and no file left behind. */
static void test_allocation_failures(void **state) {
  (void)state;
  world w;
  world_make(&w);
  char dir[] = "/tmp/ls-export-XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/x.csv", dir);
  for (int f = LS_EXPORT_I2; f <= LS_EXPORT_XLSX; f++) {
    for (unsigned long n = 1;; n++) {
      ls_error err;
      ls_export_stats st;
      ls__mem_fail_after(n);
      ls_status rc = ls_export_write(result_json, &w.ev, &w.rd, (ls_export_format)f, NULL, path, &st, &err);
      ls__mem_fail_after(0);
      if (rc == LS_OK) {
        for (int k = 0; k < 2; k++)
          if (st.files[k][0])
            unlink(st.files[k]);
        break;
      }
      assert_int_equal(rc, LS_ERR_NOMEM);
      assert_int_equal(rmdir(dir), 0); /* empty: no file, no temporary, left */
      assert_int_equal(mkdir(dir, 0700), 0);
      assert_true(n < 10000);
    }
  }
  assert_int_equal(rmdir(dir), 0);
  world_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_model_all_lines), cmocka_unit_test(test_model_one_line),
      cmocka_unit_test(test_escapes),         cmocka_unit_test(test_formats),
      cmocka_unit_test(test_write_all),       cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
