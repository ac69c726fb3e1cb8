/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Schema of ingested data: datasets (provenance), the dictionaries of numbers,
 * cells and handsets seen in events, the events themselves as compressed
 * column chunks, and the reference tables (cells, persons, attributions,
 * addresses). docs/store.md describes the layout and why it is so.
 *
 * Why events are chunks and not one row per event: a 10M-event ingest must
 * beat `sqlite3 .import` several times over (issue 2), and a B-tree insert
 * per event with a UNIQUE index costs more than the whole budget. One row per
 * 65,536 events, columns varint-encoded in a BLOB, writes ~15 bytes an event
 * and loads back into ls_events without per-row SQL. Dictionary ids are
 * dense from 0 and equal to the ls_dict ids of a loaded ls_events, so a
 * chunk holds plain integers. */
#include "store_internal.h"

const ls__migration ls__schema_ingest[] = {
    {1, "datasets, dictionaries, event chunks, reference tables",
     "CREATE TABLE datasets ("
     " id INTEGER PRIMARY KEY,"
     " file_name TEXT NOT NULL,"
     " sha256 TEXT NOT NULL UNIQUE,"
     " kind TEXT NOT NULL,"
     " format TEXT NOT NULL,"
     " bytes BIGINT NOT NULL,"
     " rows_read BIGINT NOT NULL,"
     " rows_stored BIGINT NOT NULL,"
     " rows_duplicate BIGINT NOT NULL,"
     " rows_rejected BIGINT NOT NULL,"
     " quarantine_file TEXT,"
     " ingested_at TEXT NOT NULL);"
     /* dictionaries: id = ls_dict id; uniqueness is kept by the ingest, which
      * holds the write lock and the whole dictionary in memory (a UNIQUE
      * index would double the cost of a large ingest's new numbers) */
     "CREATE TABLE numbers (id INTEGER PRIMARY KEY, e164 TEXT NOT NULL);"
     "CREATE TABLE event_cells (id INTEGER PRIMARY KEY, cell_id TEXT NOT NULL);"
     "CREATE TABLE imeis (id INTEGER PRIMARY KEY, imei TEXT NOT NULL);"
     /* events: n_events events first stored by dataset_id, in event order
      * first_event.. ; t_min/t_max let a time-window load skip chunks */
     "CREATE TABLE event_chunks ("
     " id INTEGER PRIMARY KEY,"
     " dataset_id INTEGER NOT NULL REFERENCES datasets(id),"
     " first_event BIGINT NOT NULL,"
     " n_events INTEGER NOT NULL,"
     " t_min BIGINT NOT NULL,"
     " t_max BIGINT NOT NULL,"
     " codec INTEGER NOT NULL,"
     " data BLOB NOT NULL);"
     "CREATE INDEX event_chunks_dataset ON event_chunks(dataset_id);"
     "CREATE TABLE cells ("
     " cell_id TEXT PRIMARY KEY,"
     " lat DOUBLE PRECISION NOT NULL,"
     " lon DOUBLE PRECISION NOT NULL,"
     " azimuth DOUBLE PRECISION,"
     " name TEXT,"
     " area TEXT,"
     " dataset_id INTEGER NOT NULL REFERENCES datasets(id));"
     "CREATE TABLE persons ("
     " person_id TEXT PRIMARY KEY,"
     " dob_days INTEGER NOT NULL,"
     " sex TEXT NOT NULL,"
     " flags INTEGER NOT NULL,"
     " dataset_id INTEGER NOT NULL REFERENCES datasets(id));"
     "CREATE TABLE attributions ("
     " id INTEGER PRIMARY KEY,"
     " number TEXT NOT NULL,"
     " person_id TEXT NOT NULL,"
     " valid_from BIGINT,"
     " valid_to BIGINT,"
     " source TEXT,"
     " dataset_id INTEGER NOT NULL REFERENCES datasets(id));"
     "CREATE INDEX attributions_number ON attributions(number);"
     "CREATE TABLE addresses ("
     " address_id TEXT PRIMARY KEY,"
     " lat DOUBLE PRECISION NOT NULL,"
     " lon DOUBLE PRECISION NOT NULL,"
     " cell_id TEXT,"
     " occupant TEXT,"
     " flags INTEGER NOT NULL,"
     " dataset_id INTEGER NOT NULL REFERENCES datasets(id));"},
};
const size_t ls__schema_ingest_count = sizeof ls__schema_ingest / sizeof ls__schema_ingest[0];
