/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Line continuity: a branded line outlives its numbers (DOMAIN.md: handsets
 * and SIMs swapped often, the customers told the new number), so successive
 * deal numbers are linked into one line by the cues analysts use:
 *   - a shared handset (the same IMEI seen with both numbers);
 *   - the customer list carried over: most contacts of the smaller number
 *     are contacts of the other;
 *   - handoff timing: the new number starts as, or soon after, the old one
 *     goes quiet, and the overlap needed is lower then.
 * Customers often buy from more than one line, so a few shared customers
 * never link two numbers: the overlap must be a large share of the smaller
 * customer list; two numbers in use side by side for days are never linked
 * by customers; and a number has at most one successor and one
 * predecessor, the best candidate (in succession first, then by overlap),
 * so two lines of one town that share most customers and swap numbers
 * around the same days stay apart. Lines are the connected components
 * (igraph) of the graph of links. Before that, numbers the score missed
 * are recovered by the same cue (ls__continuity_recover): one that takes
 * over a deal number's customer list in succession is the line's next
 * phone. */
#include <igraph/igraph.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "linesight/ls_qsort.h"
#include "../core/ls_mem.h"
#include "analysis_internal.h"

/* Customer-list overlap, as a share of the smaller list, that makes two
 * numbers candidates for one line whatever their timing. Measured on the
 * training worlds (seeds 101-104, standard and hard; docs/analysis.md):
 * numbers of one line overlap by 0.96-1.0 (the new number is announced to
 * the whole list), numbers of different lines in one town by up to 0.70,
 * and up to 0.97 where most customers buy from two lines
 * (multi_line_share 0.7): overlap alone cannot tell, timing and the
 * one-successor rule below do. */
#define LINK_OVERLAP 0.8
/* Lower overlap accepted when the new number follows the old one in time
 * (SUCCESSION_GAP_S). */
#define LINK_OVERLAP_HANDOFF 0.7
/* A succession: the new phone's first own event (a call or text it made)
 * at most this long after the old phone's last one. DOMAIN.md: a cut
 * number is live again on another phone within an hour to a few hours;
 * lines go quiet at night, so a swap made in the morning follows the old
 * phone's last use the evening before: gaps of 0-11.5 hours on the training
 * worlds. */
#define SUCCESSION_GAP_S (24 * 3600)
/* Overlapping numbers: the new phone may start this long before the old
 * one stops (both in use while customers move over). Two numbers both in
 * use for longer are two lines running side by side, however many
 * customers they share. */
#define CONCURRENT_MAX_S (3 * 86400)
/* At least this many shared contacts, so that two tiny lists cannot link by
 * chance. */
#define LINK_MIN_SHARED 5

static pthread_once_t igraph_once = PTHREAD_ONCE_INIT;

static void igraph_setup(void) {
  /* igraph's default handler aborts and its warnings print: the library
   * must do neither, so both are silenced once and codes are checked. */
  igraph_set_error_handler(igraph_error_handler_ignore);
  igraph_set_warning_handler(igraph_warning_handler_ignore);
}

ls_status ls__graph_components(size_t n_vertices, const uint32_t *edges, size_t n_edges,
                               uint32_t *membership, size_t *n_components, ls_error *err) {
  pthread_once(&igraph_once, igraph_setup);
  igraph_vector_int_t ev, memb;
  igraph_t g;
  igraph_integer_t no = 0;
  ls_status rc = LS_OK;
  if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * n_edges)))
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory building a graph");
  for (size_t i = 0; i < 2 * n_edges; i++)
    VECTOR(ev)[i] = edges[i];
  if (igraph_vector_int_init(&memb, 0)) {
    igraph_vector_int_destroy(&ev);
    return LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory building a graph");
  }
  if (igraph_create(&g, &ev, (igraph_integer_t)n_vertices, IGRAPH_UNDIRECTED)) {
    rc = LS_FAIL(err, LS_ERR_INTERNAL, "analysis: igraph could not build the graph");
    goto out_vec;
  }
  if (igraph_connected_components(&g, &memb, NULL, &no, IGRAPH_WEAK)) {
    rc = LS_FAIL(err, LS_ERR_INTERNAL, "analysis: igraph components failed");
  } else {
    for (size_t i = 0; i < n_vertices; i++)
      membership[i] = (uint32_t)VECTOR(memb)[i];
    *n_components = (size_t)no;
  }
  igraph_destroy(&g);
out_vec:
  igraph_vector_int_destroy(&memb);
  igraph_vector_int_destroy(&ev);
  return rc;
}

typedef struct edge_list {
  uint32_t *v;
  size_t n, cap;
} edge_list;

static ls_status edge_add(edge_list *e, uint32_t x, uint32_t y) {
  if (ls_grow(&e->v, e->n, &e->cap, 2 * sizeof *e->v, 256)) /* two ids an edge */
    return LS_ERR_NOMEM;
  e->v[2 * e->n] = x;
  e->v[2 * e->n + 1] = y;
  e->n++;
  return LS_OK;
}

/* Links by shared handsets: one pass over the events for (imei, deal) keys,
 * a sort, and a link between the deal numbers seen with each handset.
 * O(E + K log K) for K deal-number event ends with a handset. */
static ls_status link_handsets(ls_analysis *a, const uint32_t *dmap, edge_list *edges) {
  const ls_events *ev = a->ev;
  size_t n = 0;
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    n += (dmap[ev->caller[i]] != LS__NONE && ev->caller_imei[i] != LS_NO_ID) +
         (dmap[ev->callee[i]] != LS__NONE && ev->callee_imei[i] != LS_NO_ID);
  }
  if (n == 0)
    return LS_OK;
  uint64_t *keys = ls_malloc(n * sizeof *keys), *tmp = ls_malloc(n * sizeof *tmp);
  if (!keys || !tmp) {
    ls_free(keys);
    ls_free(tmp);
    return LS_ERR_NOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < ev->count; i++) {
    if (ev->start[i] < a->opts.from || ev->start[i] >= a->opts.to)
      continue;
    if (dmap[ev->caller[i]] != LS__NONE && ev->caller_imei[i] != LS_NO_ID)
      keys[k++] = ((uint64_t)ev->caller_imei[i] << 32) | dmap[ev->caller[i]];
    if (dmap[ev->callee[i]] != LS__NONE && ev->callee_imei[i] != LS_NO_ID)
      keys[k++] = ((uint64_t)ev->callee_imei[i] << 32) | dmap[ev->callee[i]];
  }
  ls__radix_sort_u64(keys, tmp, n, 64);
  ls_free(tmp);
  ls_status rc = LS_OK;
  for (size_t i = 0; i < n && rc == LS_OK;) {
    uint32_t imei = (uint32_t)(keys[i] >> 32), first = (uint32_t)keys[i];
    size_t j = i;
    for (; j < n && (uint32_t)(keys[j] >> 32) == imei; j++)
      if ((uint32_t)keys[j] != first && (j == i || keys[j] != keys[j - 1]))
        rc = edge_add(edges, first, (uint32_t)keys[j]);
    i = j;
  }
  ls_free(keys);
  return rc;
}

/* Contacts of a number other than deal numbers: a deal number's customer
 * list. O(deg num). */
static uint32_t list_size(const ls_analysis *a, const uint32_t *dmap, uint32_t num) {
  uint32_t n = 0;
  for (uint32_t k = a->adj_off[num]; k < a->adj_off[num + 1]; k++) {
    const ls__pair *p = &a->pairs[a->adj[k]];
    uint32_t other = p->a == num ? p->b : p->a;
    n += dmap[other] == LS__NONE;
  }
  return n;
}

/* A candidate link by customers: pred's phone came into use first. */
typedef struct succ_cand {
  uint32_t pred, succ;
  int timed;    /* succ followed pred (SUCCESSION_GAP_S) */
  double frac;  /* shared customers over the smaller list */
  int64_t gap;  /* |succ's first own event - pred's last own event| */
} succ_cand;

typedef struct cand_list {
  succ_cand *v;
  size_t n, cap;
} cand_list;

/* Timed candidates first, then by overlap, then by the closer handoff;
 * ids last, so the order never depends on the input's. */
static int by_succ_rank(const void *x, const void *y) {
  const succ_cand *a = x, *b = y;
  if (a->timed != b->timed)
    return b->timed - a->timed;
  if (a->frac != b->frac)
    return (a->frac < b->frac) - (a->frac > b->frac);
  if (a->gap != b->gap)
    return (a->gap > b->gap) - (a->gap < b->gap);
  if (a->pred != b->pred)
    return (a->pred > b->pred) - (a->pred < b->pred);
  return (a->succ > b->succ) - (a->succ < b->succ);
}

/* Deal numbers d1 and d2 share `frac` of the smaller customer list: a
 * candidate when their timing allows one line (SUCCESSION_GAP_S,
 * CONCURRENT_MAX_S). O(1) amortised. */
static ls_status candidate_add(const ls_analysis *a, uint32_t d1, uint32_t d2, double frac, cand_list *c) {
  uint32_t pred = a->deal_out_first[d1] <= a->deal_out_first[d2] ? d1 : d2, succ = pred == d1 ? d2 : d1;
  int64_t gap = a->deal_out_first[succ] - a->deal_out_last[pred];
  if (gap < -CONCURRENT_MAX_S)
    return LS_OK; /* in use side by side: two lines */
  int timed = gap <= SUCCESSION_GAP_S;
  if (!timed && frac < LINK_OVERLAP)
    return LS_OK;
  if (ls_grow(&c->v, c->n, &c->cap, sizeof *c->v, 64))
    return LS_ERR_NOMEM;
  c->v[c->n++] = (succ_cand){pred, succ, timed, frac, gap < 0 ? -gap : gap};
  return LS_OK;
}

/* Links each number to at most one successor and one predecessor: the
 * candidates in rank order, each taken unless either end is already
 * spoken for. A line's true next number is announced to the whole list
 * (overlap ~1.0) and follows within hours, so it outranks a neighbouring
 * line's number that happens to start near the same time. O(C log C). */
static ls_status match_successors(const ls_analysis *a, cand_list *c, edge_list *edges) {
  if (c->n == 0)
    return LS_OK;
  ls_qsort(c->v, c->n, sizeof *c->v, by_succ_rank);
  uint8_t *has_succ = ls_calloc(a->n_deal + 1, 1), *has_pred = ls_calloc(a->n_deal + 1, 1);
  ls_status rc = has_succ && has_pred ? LS_OK : LS_ERR_NOMEM;
  for (size_t i = 0; i < c->n && rc == LS_OK; i++) {
    const succ_cand *x = &c->v[i];
    if (has_succ[x->pred] || has_pred[x->succ])
      continue;
    has_succ[x->pred] = has_pred[x->succ] = 1;
    rc = edge_add(edges, x->pred, x->succ);
  }
  ls_free(has_succ);
  ls_free(has_pred);
  return rc;
}

/* Candidate links by carried-over customer lists: an inverted index
 * contact -> deal numbers (sorted keys), pair counts of shared contacts
 * (sorted keys), and the overlap and timing tests (candidate_add).
 * O(L + S log S) for L list entries and S shared (contact, deal, deal)
 * triples. */
static ls_status link_customers(ls_analysis *a, const uint32_t *dmap, cand_list *cands) {
  ls_status rc = LS_OK;
  uint32_t *size = ls_calloc(a->n_deal + 1, sizeof *size);
  size_t n = 0;
  if (!size)
    return LS_ERR_NOMEM;
  for (size_t d = 0; d < a->n_deal; d++) {
    size[d] = list_size(a, dmap, a->deal[d]);
    n += size[d];
  }
  uint64_t *keys = ls_malloc((n + 1) * sizeof *keys), *tmp = ls_malloc((n + 1) * sizeof *tmp);
  uint64_t *shared = NULL;
  if (!keys || !tmp) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t k = 0;
  for (size_t d = 0; d < a->n_deal; d++) {
    uint32_t num = a->deal[d];
    for (uint32_t j = a->adj_off[num]; j < a->adj_off[num + 1]; j++) {
      const ls__pair *p = &a->pairs[a->adj[j]];
      uint32_t other = p->a == num ? p->b : p->a;
      if (dmap[other] == LS__NONE)
        keys[k++] = ((uint64_t)other << 32) | d;
    }
  }
  ls__radix_sort_u64(keys, tmp, n, 64);
  /* count the (deal, deal) triples first, then fill */
  size_t ns = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && (keys[j] >> 32) == (keys[i] >> 32))
      j++;
    ns += (j - i) * (j - i - 1) / 2;
    i = j;
  }
  shared = ls_malloc((ns + 1) * sizeof *shared);
  ls_free(tmp);
  tmp = ls_malloc((ns + 1) * sizeof *tmp);
  if (!shared || !tmp) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  size_t s = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && (keys[j] >> 32) == (keys[i] >> 32))
      j++;
    for (size_t x = i; x < j; x++)
      for (size_t y = x + 1; y < j; y++)
        shared[s++] = ((keys[x] & 0xffffffffu) << 32) | (keys[y] & 0xffffffffu);
    i = j;
  }
  ls__radix_sort_u64(shared, tmp, ns, 64);
  for (size_t i = 0; i < ns && rc == LS_OK;) {
    size_t j = i;
    while (j < ns && shared[j] == shared[i])
      j++;
    uint32_t d1 = (uint32_t)(shared[i] >> 32), d2 = (uint32_t)shared[i];
    double ov = (double)(j - i);
    uint32_t smaller = size[d1] < size[d2] ? size[d1] : size[d2];
    double frac = smaller ? ov / smaller : 0;
    if (j - i >= LINK_MIN_SHARED && frac >= LINK_OVERLAP_HANDOFF)
      rc = candidate_add(a, d1, d2, frac, cands);
    i = j;
  }
out:
  ls_free(size);
  ls_free(keys);
  ls_free(tmp);
  ls_free(shared);
  return rc;
}

/* ---- numbers the score missed, recovered by succession ------------------ */

/* A scored number below the threshold joins the deal numbers when it takes
 * over (or hands on) a deal number's customer list: at least this share of
 * the smaller list, in succession (SUCCESSION_GAP_S, CONCURRENT_MAX_S).
 * DOMAIN.md: "customer lists carried over to the new number" is one of the
 * cues analysts use to tie numbers together. Numbers of one line share
 * 0.96-1.0 on the training worlds; a number of a neighbouring line, at
 * most 0.97 where most customers buy from two lines - but that one is in
 * use side by side with the lines' numbers, which the timing rules out. */
#define PROMOTE_OVERLAP 0.9
/* Rounds of recovery: a chain of missed numbers is recovered one number a
 * round, from the detected end (a line rotating every few days can lose
 * two or three numbers in a row to the score). */
#define PROMOTE_ROUNDS 16

typedef struct promotion {
  uint32_t number, from; /* the recovered number and the deal number it follows or precedes */
  uint32_t shared, list;
  double frac;
  int64_t gap;           /* seconds between the two numbers' use */
  int after;             /* number came after `from` (else before) */
} promotion;

static int by_promotion(const void *x, const void *y) {
  const promotion *a = x, *b = y;
  if (a->number != b->number)
    return (a->number > b->number) - (a->number < b->number);
  if (a->frac != b->frac)
    return (a->frac < b->frac) - (a->frac > b->frac);
  return (a->from > b->from) - (a->from < b->from);
}

/* The evidence of a recovered number, first in its explanation (the
 * score's own evidence follows, ls__dealline_score). */
static ls_status promote(ls_analysis *a, const promotion *p) {
  uint32_t c = a->feat[p->number].cand;
  double hours = (double)(p->gap < 0 ? -p->gap : p->gap) / 3600.0;
  const char *when = p->gap < 0 ? "before" : "after";
  if (p->after)
    return ls__strlist_push(&a->cand_explain[c], &a->cand_n_explain[c],
                            "+ took over the customer list of deal number %s (%u of its %u contacts, %.0f%%), "
                            "starting %.1f hours %s that number's last event",
                            ls_dict_str(&a->numbers, p->from), p->shared, p->list, 100.0 * p->frac, hours, when);
  return ls__strlist_push(&a->cand_explain[c], &a->cand_n_explain[c],
                          "+ handed its customer list on to deal number %s (%u of its %u contacts, %.0f%%), "
                          "which started %.1f hours %s this number's last event",
                          ls_dict_str(&a->numbers, p->from), p->shared, p->list, 100.0 * p->frac, hours, when);
}

/* Whether x's use follows or precedes d's in succession: the gap from
 * one's last event to the other's first (*gap; negative: overlapping) is
 * within SUCCESSION_GAP_S and CONCURRENT_MAX_S. O(1). */
static int in_succession(const ls_analysis *a, uint32_t x, uint32_t d, int *after, int64_t *gap) {
  const ls__feat *fx = &a->feat[x], *fd = &a->feat[d];
  *after = fx->first_s >= fd->first_s;
  *gap = *after ? ls__feat_first(a, fx) - ls__feat_last(a, fd) : ls__feat_first(a, fd) - ls__feat_last(a, fx);
  return *gap >= -CONCURRENT_MAX_S && *gap <= SUCCESSION_GAP_S;
}

/* Scored numbers below the threshold, ordered by first and by last event,
 * so that the numbers in succession with a deal number are two ranges. */
typedef struct by_time {
  uint32_t *by_first, *by_last;
  size_t n;
} by_time;

static int cmp_first(const void *x, const void *y, void *ctx) {
  const ls__feat *f = ctx, *a = &f[*(const uint32_t *)x], *b = &f[*(const uint32_t *)y];
  if (a->first_s != b->first_s)
    return (a->first_s > b->first_s) - (a->first_s < b->first_s);
  return (*(const uint32_t *)x > *(const uint32_t *)y) - (*(const uint32_t *)x < *(const uint32_t *)y);
}

static int cmp_last(const void *x, const void *y, void *ctx) {
  const ls__feat *f = ctx, *a = &f[*(const uint32_t *)x], *b = &f[*(const uint32_t *)y];
  if (a->last_s != b->last_s)
    return (a->last_s > b->last_s) - (a->last_s < b->last_s);
  return (*(const uint32_t *)x > *(const uint32_t *)y) - (*(const uint32_t *)x < *(const uint32_t *)y);
}

/* First index of sorted ids whose time (first_s or last_s) is >= t. */
static size_t lower_bound(const ls_analysis *a, const uint32_t *ids, size_t n, int last, int64_t t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const ls__feat *f = &a->feat[ids[mid]];
    int64_t v = last ? ls__feat_last(a, f) : ls__feat_first(a, f);
    if (v < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Contacts of x marked (a deal number's customers). O(deg x). */
static uint32_t marked_contacts(const ls_analysis *a, const uint8_t *mark, uint32_t x) {
  uint32_t n = 0;
  for (uint32_t k = a->adj_off[x]; k < a->adj_off[x + 1]; k++) {
    const ls__pair *p = &a->pairs[a->adj[k]];
    n += mark[p->a == x ? p->b : p->a];
  }
  return n;
}

/* Tests x against seed d, whose customers (list of them) are marked. */
static int promotable(const ls_analysis *a, const uint32_t *dmap, const uint8_t *mark, uint32_t x, uint32_t d,
                      uint32_t list, promotion *out) {
  int after;
  int64_t gap;
  if (dmap[x] != LS__NONE || !in_succession(a, x, d, &after, &gap))
    return 0;
  uint32_t shared = marked_contacts(a, mark, x);
  if (shared < LINK_MIN_SHARED)
    return 0;
  uint32_t lx = list_size(a, dmap, x), smaller = lx < list ? lx : list;
  double frac = smaller ? (double)shared / smaller : 0;
  if (frac < PROMOTE_OVERLAP)
    return 0;
  *out = (promotion){x, d, shared, lx, frac, gap, after};
  return 1;
}

static ls_status found_push(promotion **v, size_t *n, size_t *cap, const promotion *p) {
  if (ls_grow(v, *n, cap, sizeof **v, 64))
    return LS_ERR_NOMEM;
  (*v)[(*n)++] = *p;
  return LS_OK;
}

/* The numbers in succession with seed d that carry its customer list: the
 * candidates starting around d's end or ending around its start (two
 * ranges of the time orders), each checked against d's marked customers.
 * O(deg d + the ranges' degrees). */
static ls_status seed_scan(const ls_analysis *a, const uint32_t *dmap, uint8_t *mark, const by_time *bt,
                           uint32_t d, promotion **found, size_t *nf, size_t *cap) {
  uint32_t list = 0;
  for (uint32_t k = a->adj_off[d]; k < a->adj_off[d + 1]; k++) {
    const ls__pair *p = &a->pairs[a->adj[k]];
    uint32_t c = p->a == d ? p->b : p->a;
    if (dmap[c] == LS__NONE) {
      mark[c] = 1;
      list++;
    }
  }
  const ls__feat *fd = &a->feat[d];
  int64_t first = ls__feat_first(a, fd), last = ls__feat_last(a, fd);
  ls_status rc = LS_OK;
  promotion p;
  /* after d: starting from CONCURRENT_MAX_S before its end to SUCCESSION_GAP_S after */
  for (size_t i = lower_bound(a, bt->by_first, bt->n, 0, last - CONCURRENT_MAX_S); i < bt->n && rc == LS_OK; i++) {
    uint32_t x = bt->by_first[i];
    if (ls__feat_first(a, &a->feat[x]) > last + SUCCESSION_GAP_S)
      break;
    if (promotable(a, dmap, mark, x, d, list, &p))
      rc = found_push(found, nf, cap, &p);
  }
  /* before d: ending from SUCCESSION_GAP_S before its start to CONCURRENT_MAX_S after */
  for (size_t i = lower_bound(a, bt->by_last, bt->n, 1, first - SUCCESSION_GAP_S); i < bt->n && rc == LS_OK; i++) {
    uint32_t x = bt->by_last[i];
    if (ls__feat_last(a, &a->feat[x]) > first + CONCURRENT_MAX_S)
      break;
    if (a->feat[x].first_s < fd->first_s && promotable(a, dmap, mark, x, d, list, &p))
      rc = found_push(found, nf, cap, &p);
  }
  for (uint32_t k = a->adj_off[d]; k < a->adj_off[d + 1]; k++) {
    const ls__pair *q = &a->pairs[a->adj[k]];
    mark[q->a == d ? q->b : q->a] = 0;
  }
  return rc;
}

/* Recovers deal numbers the score missed (PROMOTE_OVERLAP), adding them to
 * a->deal with a sentence of evidence for their explanation. Runs after
 * scoring and before the deal numbers' extras and explanations. O(C log C
 * + R * (seeds' degrees + their succession ranges' degrees)) for C scored
 * numbers and R rounds. */
ls_status ls__continuity_recover(ls_analysis *a, ls_error *err) {
  ls_status rc = LS_OK;
  uint32_t *dmap = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *dmap);
  uint32_t *seeds = ls_malloc((a->n_cands + 1) * sizeof *seeds), *next = ls_malloc((a->n_cands + 1) * sizeof *next);
  uint8_t *mark = ls_calloc((size_t)a->n_numbers + 1, 1);
  by_time bt = {ls_malloc((a->n_cands + 1) * sizeof *bt.by_first), ls_malloc((a->n_cands + 1) * sizeof *bt.by_last), 0};
  promotion *found = NULL;
  size_t nf = 0, cap = 0;
  if (!dmap || !seeds || !next || !mark || !bt.by_first || !bt.by_last) {
    rc = LS_ERR_NOMEM;
    goto out;
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    dmap[i] = LS__NONE;
  for (size_t d = 0; d < a->n_deal; d++)
    dmap[a->deal[d]] = (uint32_t)d;
  for (size_t c = 0; c < a->n_cands; c++)
    if (dmap[a->cands[c]] == LS__NONE)
      bt.by_first[bt.n++] = a->cands[c];
  memcpy(bt.by_last, bt.by_first, bt.n * sizeof *bt.by_last);
  ls_qsort_r(bt.by_first, bt.n, sizeof *bt.by_first, cmp_first, a->feat);
  ls_qsort_r(bt.by_last, bt.n, sizeof *bt.by_last, cmp_last, a->feat);
  size_t n_seeds = a->n_deal;
  memcpy(seeds, a->deal, a->n_deal * sizeof *seeds);
  for (int round = 0; round < PROMOTE_ROUNDS && n_seeds && rc == LS_OK; round++) {
    nf = 0;
    for (size_t i = 0; i < n_seeds && rc == LS_OK; i++)
      rc = seed_scan(a, dmap, mark, &bt, seeds[i], &found, &nf, &cap);
    if (rc)
      break;
    /* each number once, with its best evidence; then they all join */
    if (nf > 1)
      ls_qsort(found, nf, sizeof *found, by_promotion);
    size_t n_next = 0;
    for (size_t i = 0; i < nf && rc == LS_OK; i++) {
      const promotion *p = &found[i];
      if (i > 0 && found[i - 1].number == p->number)
        continue;
      rc = promote(a, p);
      dmap[p->number] = (uint32_t)a->n_deal;
      a->deal[a->n_deal++] = p->number;
      next[n_next++] = p->number;
    }
    memcpy(seeds, next, n_next * sizeof *seeds);
    n_seeds = n_next;
  }
  if (rc == LS_OK)
    ls__u32_sort(a->deal, a->n_deal);
out:
  ls_free(dmap);
  ls_free(seeds);
  ls_free(next);
  ls_free(mark);
  ls_free(bt.by_first);
  ls_free(bt.by_last);
  ls_free(found);
  if (rc)
    return LS_FAIL(err, rc, "analysis: out of memory recovering deal numbers");
  return LS_OK;
}

static int by_first_seen(const void *x, const void *y, void *ctx) {
  const ls__feat *feat = ctx;
  const ls__feat *a = &feat[*(const uint32_t *)x], *b = &feat[*(const uint32_t *)y];
  if (a->first_s != b->first_s)
    return (a->first_s > b->first_s) - (a->first_s < b->first_s);
  return (*(const uint32_t *)x > *(const uint32_t *)y) - (*(const uint32_t *)x < *(const uint32_t *)y);
}

/* Groups deal numbers into lines. O(E + L + S log S + D) (see above). */
ls_status ls__continuity_link(ls_analysis *a, ls_error *err) {
  ls_status rc = LS_OK;
  edge_list edges = {0};
  uint32_t *dmap = ls_malloc(((size_t)a->n_numbers + 1) * sizeof *dmap);
  uint32_t *memb = ls_malloc((a->n_deal + 1) * sizeof *memb);
  a->deal_line = ls_malloc((a->n_deal + 1) * sizeof *a->deal_line);
  if (!dmap || !memb || !a->deal_line) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory linking numbers");
    goto out;
  }
  for (uint32_t i = 0; i < a->n_numbers; i++)
    dmap[i] = LS__NONE;
  for (size_t d = 0; d < a->n_deal; d++)
    dmap[a->deal[d]] = (uint32_t)d;
  cand_list cands = {0};
  rc = link_handsets(a, dmap, &edges);
  if (rc == LS_OK)
    rc = link_customers(a, dmap, &cands);
  if (rc == LS_OK)
    rc = match_successors(a, &cands, &edges);
  ls_free(cands.v);
  if (rc) {
    rc = LS_FAIL(err, rc, "analysis: out of memory linking numbers");
    goto out;
  }
  size_t n_lines = 0;
  rc = ls__graph_components(a->n_deal, edges.v, edges.n, memb, &n_lines, err);
  if (rc)
    goto out;
  a->lines = ls_calloc(n_lines + 1, sizeof *a->lines);
  if (!a->lines) {
    rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for lines");
    goto out;
  }
  a->n_lines = n_lines;
  for (size_t d = 0; d < a->n_deal; d++)
    a->lines[memb[d]].n_numbers++;
  for (size_t l = 0; l < n_lines; l++) {
    a->lines[l].numbers = ls_malloc(a->lines[l].n_numbers * sizeof(uint32_t));
    if (!a->lines[l].numbers) {
      rc = LS_FAIL(err, LS_ERR_NOMEM, "analysis: out of memory for lines");
      goto out;
    }
    a->lines[l].n_numbers = 0;
    a->lines[l].first = INT64_MAX;
    a->lines[l].last = INT64_MIN;
    a->lines[l].origin = LS__NONE;
  }
  for (size_t d = 0; d < a->n_deal; d++) {
    ls__line *L = &a->lines[memb[d]];
    const ls__feat *f = &a->feat[a->deal[d]];
    L->numbers[L->n_numbers++] = a->deal[d];
    a->deal_line[d] = memb[d];
    double sc = a->score[f->cand];
    if (sc > L->score)
      L->score = sc;
    if (ls__feat_first(a, f) < L->first)
      L->first = ls__feat_first(a, f);
    if (ls__feat_last(a, f) > L->last)
      L->last = ls__feat_last(a, f);
  }
  for (size_t l = 0; l < n_lines; l++)
    ls_qsort_r(a->lines[l].numbers, a->lines[l].n_numbers, sizeof(uint32_t), by_first_seen, a->feat);
out:
  ls_free(dmap);
  ls_free(memb);
  ls_free(edges.v);
  return rc;
}
