/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of week-of-action results (versions 100-199): the imported files
 * (SHA-256 for refusing a file twice) and one row per result record.
 * Money is kept in integer pence and weights in integer milligrams so that
 * totals are exact; NULL means "not yet valued / weighed / counted". */
#include "store_internal.h"

const ls__migration ls__schema_ops[] = {
    {100, "week-of-action results",
     "CREATE TABLE ops_imports ("
     " id INTEGER PRIMARY KEY,"
     " file_name TEXT NOT NULL,"
     " sha256 TEXT NOT NULL UNIQUE,"
     " rows_read BIGINT NOT NULL,"
     " rows_stored BIGINT NOT NULL,"
     " rows_rejected BIGINT NOT NULL,"
     " quarantine_file TEXT,"
     " imported_at TEXT NOT NULL);"
     "CREATE TABLE ops_results ("
     " id INTEGER PRIMARY KEY,"
     " import_id BIGINT REFERENCES ops_imports(id),"
     " source TEXT NOT NULL,"
     " line BIGINT NOT NULL,"
     " operation TEXT NOT NULL,"
     " force TEXT NOT NULL,"
     " date TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " category TEXT NOT NULL,"
     " item TEXT NOT NULL,"
     " count BIGINT NOT NULL,"
     " value_pence BIGINT,"
     " weight_mg BIGINT,"
     " wraps BIGINT,"
     " age_band TEXT,"
     " sex TEXT,"
     " area TEXT NOT NULL,"
     " out_of_area INTEGER NOT NULL,"
     " note TEXT NOT NULL);"
     "CREATE INDEX ops_results_operation ON ops_results(operation, force, date);"},
};
const size_t ls__schema_ops_count = sizeof ls__schema_ops / sizeof ls__schema_ops[0];
