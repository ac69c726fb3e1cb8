/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of intelligence items (versions 500-599): reports from the public
 * and other sources, graded with the 3x5x2 model and linked to addresses,
 * persons, numbers and lines (docs/public-reports.md). */
#include "store_internal.h"

const ls__migration ls__schema_intel[] = {
    {500, "intelligence items",
     /* id is given by the program, at random: a sequential id next to the
      * exact time of an audit entry would give back the time of day that a
      * public report deliberately does not keep. received_on is a day. */
     "CREATE TABLE intel_items ("
     " id BIGINT PRIMARY KEY,"
     " source TEXT NOT NULL,"
     " received_on TEXT NOT NULL,"
     " category TEXT NOT NULL,"
     " signs TEXT NOT NULL,"
     " area TEXT NOT NULL,"
     " postcode TEXT NOT NULL,"
     " lat DOUBLE PRECISION,"
     " lon DOUBLE PRECISION,"
     " seen_when TEXT NOT NULL,"
     " description TEXT NOT NULL,"
     " status TEXT NOT NULL,"
     " source_evaluation BIGINT,"
     " assessment TEXT,"
     " handling TEXT,"
     " handling_conditions TEXT NOT NULL,"
     " graded_by TEXT,"
     " graded_at TEXT);"
     "CREATE INDEX intel_items_received ON intel_items(received_on);"
     "CREATE TABLE intel_links ("
     " item_id BIGINT NOT NULL REFERENCES intel_items(id),"
     " kind TEXT NOT NULL,"
     " ref TEXT NOT NULL,"
     " linked_by TEXT NOT NULL,"
     " linked_at TEXT NOT NULL,"
     " PRIMARY KEY (item_id, kind, ref));"
     "CREATE INDEX intel_links_ref ON intel_links(kind, ref);"
     /* the public reports taken before intelligence items existed */
     "INSERT INTO intel_items(id, source, received_on, category, signs, area, postcode,"
     " seen_when, description, status, handling_conditions)"
     " SELECT id, 'public', received_on, category, '', area, '', '', description, 'new', ''"
     " FROM public_reports;"},
};
const size_t ls__schema_intel_count = sizeof ls__schema_intel / sizeof ls__schema_intel[0];
