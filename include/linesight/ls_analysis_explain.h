/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evidence behind a finished analysis: `linesight explain SUBJECT` and the
 * safeguarding referrals export (docs/analysis.md, "Explain" and
 * "Referrals"). Both read only what ls_analysis_run kept: the findings, the
 * trips and overnight stays of runners and line phones with their times and
 * cells, and the reference records they rest on, each with its source file. */
#ifndef LINESIGHT_LS_ANALYSIS_EXPLAIN_H
#define LINESIGHT_LS_ANALYSIS_EXPLAIN_H

#include "ls_analysis.h"
#include "ls_error.h"

/* The evidence about one subject as text: a number (any spelling that
 * normalises to E.164), a person id, an address id or a line id
 * (`LS-0001`). Allocated with ls_malloc: free with ls_analysis_text_free.
 * Errors: LS_ERR_NOTFOUND (the subject is not in the analysis: nothing
 * about it was found), LS_ERR_NOMEM. O(evidence of the subject + log of
 * the tables). */
ls_status ls_analysis_explain(const ls_analysis *a, const char *subject, char **text, ls_error *err);

/* Writes the safeguarding referrals to directory dir (created if absent):
 * referrals.csv (one row a person or number to refer), evidence.csv (one
 * row a fact, with its source) and referral-<n>.html (one printable page
 * a referral, n its row number in referrals.csv). *written (may be NULL)
 * receives the number of referrals. Errors: LS_ERR_IO (naming the file),
 * LS_ERR_NOMEM. O(referrals + their evidence). */
ls_status ls_analysis_write_referrals(const ls_analysis *a, const char *dir, size_t *written, ls_error *err);

/* Number of safeguarding entries and of cuckooed addresses found. O(1). */
size_t ls_analysis_safeguarding_count(const ls_analysis *a);
size_t ls_analysis_cuckoo_count(const ls_analysis *a);

#endif
