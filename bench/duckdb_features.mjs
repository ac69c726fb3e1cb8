// SPDX-License-Identifier: GPL-3.0-or-later
// DuckDB's per-number feature table straight from an events CSV, the
// baseline of bench/bench_analysis.sh (issue 4):
//   node duckdb_features.mjs EVENTS.csv THREADS
// events, distinct contacts, sms out, calls in, total duration and night
// share (18:00-06:00 UTC) per number. Prints `duckdb_seconds N` (the query
// alone, without node's start-up) and `duckdb_numbers N`.
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, threads] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads || 2) });
const conn = await instance.connect();
const src = csv.replaceAll("'", "''");
const t0 = process.hrtime.bigint();
await conn.run(`CREATE TABLE features AS
  WITH e AS (SELECT * FROM read_csv('${src}')),
  ends AS (
    SELECT caller AS number, callee AS other, type, duration_s, start, 1 AS out FROM e
    UNION ALL
    SELECT callee AS number, caller AS other, type, duration_s, start, 0 AS out FROM e)
  SELECT number,
         COUNT(*) AS events,
         COUNT(DISTINCT other) AS contacts,
         SUM(CASE WHEN type = 'sms' AND out = 1 THEN 1 ELSE 0 END) AS sms_out,
         SUM(CASE WHEN type = 'call' AND out = 0 THEN 1 ELSE 0 END) AS calls_in,
         SUM(COALESCE(duration_s, 0)) AS duration,
         AVG(CASE WHEN hour(start) >= 18 OR hour(start) < 6 THEN 1.0 ELSE 0.0 END) AS night_share
  FROM ends GROUP BY number`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const rows = await conn.runAndReadAll('SELECT COUNT(*) FROM features');
console.log(`duckdb_seconds ${secs.toFixed(3)}`);
console.log(`duckdb_numbers ${rows.getRows()[0][0]}`);
