/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of ingested data: datasets (provenance) and what the readers load. */
#include "store_internal.h"

const ls__migration ls__schema_ingest[] = {
    {1, "datasets and provenance",
     "CREATE TABLE datasets ("
     " id INTEGER PRIMARY KEY,"
     " file_name TEXT NOT NULL,"
     " sha256 TEXT NOT NULL UNIQUE,"
     " kind TEXT NOT NULL,"
     " format TEXT NOT NULL,"
     " rows_read BIGINT NOT NULL,"
     " rows_stored BIGINT NOT NULL,"
     " rows_duplicate BIGINT NOT NULL,"
     " rows_rejected BIGINT NOT NULL,"
     " quarantine_file TEXT,"
     " ingested_at TEXT NOT NULL);"},
};
const size_t ls__schema_ingest_count = sizeof ls__schema_ingest / sizeof ls__schema_ingest[0];
