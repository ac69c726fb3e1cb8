/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of analysis results: each `linesight analyse` run on a store saves
 * its result JSON (DESIGN.md s.6); the server serves the latest. */
#include "store_internal.h"

const ls__migration ls__schema_analysis[] = {
    {400, "analysis runs",
     "CREATE TABLE analysis_runs ("
     " id INTEGER PRIMARY KEY,"
     " created TEXT NOT NULL,"
     " json TEXT NOT NULL);"},
};
const size_t ls__schema_analysis_count = sizeof ls__schema_analysis / sizeof ls__schema_analysis[0];
