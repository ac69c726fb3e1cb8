// SPDX-License-Identifier: GPL-3.0-or-later
// DuckDB's CSV load, the fast baseline of bench/run:
//   node duckdb_load.mjs EVENTS.csv OUT.duckdb THREADS
// Prints the seconds the CREATE TABLE AS ... read_csv took (the load alone,
// without node's start-up) as `duckdb_seconds N`.
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, db, threads] = process.argv.slice(2);
const instance = await DuckDBInstance.create(db, { threads: String(threads || 2) });
const conn = await instance.connect();
const t0 = process.hrtime.bigint();
await conn.run(`CREATE TABLE events AS SELECT * FROM read_csv('${csv.replaceAll("'", "''")}')`);
await conn.run('CHECKPOINT');
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const rows = await conn.runAndReadAll('SELECT COUNT(*) FROM events');
console.log(`duckdb_seconds ${secs.toFixed(3)}`);
console.log(`duckdb_rows ${rows.getRows()[0][0]}`);
conn.closeSync?.();
