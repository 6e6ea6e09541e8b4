// Benchmark: a retry of every failed table (`sync`'s start, `retry --all-failed`, the console's and the
// control API's retry) over a ledger whose source has that many failed rows, as a first sync against a
// Polaris that refused every table leaves it. A child process opens the ledger and redrives the source
// (Ledger.redrive); printed: its time and CPU, its peak RSS (GNU time), and the longest its event loop
// was held meanwhile (a daemon's events wait that long).
//   npm run bench -- redrive [rows ...]            (SQLite; default: 100000 1000000)
//   npm run bench -- redrive-postgres [rows ...]   (a PostgreSQL cluster of its own; default: 100000)
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Ledger } from '../../src/ledger/ledger.js';
import { PostgresLedger } from '../../src/ledger/postgres/pg-ledger.js';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { removeBenchDir, seedObservations, timeNode } from './bench-kit.js';

export interface RedriveRun {
  rows: number;
  redriven: number;
  seconds: number;
  cpuSeconds: number;
  rssMb: number | undefined;
  /** The longest gap between two ticks of a 10 ms timer during the redrive, less the 10 ms. */
  longestHoldMs: number;
  loadAverage: number;
}

/** Where the ledger is: a SQLite file in the bench's directory, or a schema of a PostgreSQL cluster. */
export type RedrivePlace = { backend: 'sqlite' } | { backend: 'postgres'; url: string };

/** The child's arguments name the ledger: `sqlite <path>` or `postgres <url> <schema>`. */
type LedgerArgs = readonly [string, string] | readonly [string, string, string];

export async function benchRedrive(rows: number, place: RedrivePlace = { backend: 'sqlite' }): Promise<RedriveRun> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-redrive-'));
  const ledgerArgs: LedgerArgs = place.backend === 'sqlite' ? ['sqlite', join(dir, 'state.db')] : ['postgres', place.url, `bench_redrive_${rows}`];
  try {
    await seedFailed(ledgerArgs, rows);
    const run = await timeNode(fileURLToPath(import.meta.url), ['--child', ...ledgerArgs]);
    if (run.code !== 0) throw new Error(`the redrive exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
    const child = JSON.parse(run.stdout) as Omit<RedriveRun, 'rows' | 'rssMb' | 'loadAverage'>;
    if (child.redriven !== rows) throw new Error(`the redrive made ${child.redriven} of ${rows} failed tables due`);
    return { rows, ...child, rssMb: run.maxRssMb, loadAverage: loadavg()[0]! };
  } finally {
    removeBenchDir(dir);
  }
}

/** `rows` tables of the source "lake", every one failed with Polaris's refusal as its error and hint. */
async function seedFailed(ledgerArgs: LedgerArgs, rows: number): Promise<void> {
  const ledger = openLedger(ledgerArgs);
  try {
    await seedObservations(ledger, rows, (i): NormalizedObservation => {
      const table = { namespace: [`ns${String(i % 200).padStart(3, '0')}`], name: `t${i}` };
      const metadataLocation = `s3://lake/${table.namespace[0]}/${table.name}/metadata/00001-${i}.metadata.json`;
      return { source: 'lake', target: { catalog: 'lake_mirror', ...table }, observation: { table, state: 'present', metadataLocation, order: 1, sourceTimeMs: 1 } };
    });
  } finally {
    await ledger.close();
  }
  // What the dispatcher's outcomes would have written, at once: the seeding is not what is measured.
  const failAll = `UPDATE tables SET status = 'failed', attempts = 8, updated_at = 1000 + id % 5000,
       last_error = 'Polaris answered 403 Forbidden: the principal may not create tables in catalog lake_mirror',
       last_hint = 'grant CATALOG_MANAGE_CONTENT on lake_mirror to a principal role of the connector'`;
  const [backend, where, schema] = ledgerArgs;
  if (backend === 'sqlite') {
    const db = new Database(where);
    try {
      db.prepare(failAll).run();
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: where });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    await client.query(failAll);
    await client.query('VACUUM ANALYZE tables');
  } finally {
    await client.end();
  }
}

function openLedger([backend, where, schema]: LedgerArgs): Ledger {
  return backend === 'sqlite' ? SqliteLedger.open(where) : new PostgresLedger({ url: where, schema: schema! });
}

/** The child: one redrive of the source, measured from inside. */
async function child(ledgerArgs: LedgerArgs): Promise<void> {
  const ledger = openLedger(ledgerArgs);
  let last = performance.now();
  let longestHoldMs = 0;
  const ticks = setInterval(() => {
    const now = performance.now();
    longestHoldMs = Math.max(longestHoldMs, now - last - 10);
    last = now;
  }, 10);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const ids = await ledger.redrive({ source: 'lake' });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(ticks);
  longestHoldMs = Math.max(longestHoldMs, performance.now() - last - 10);
  await ledger.close();
  process.stdout.write(JSON.stringify({ redriven: ids.length, seconds, cpuSeconds: (used.user + used.system) / 1e6, longestHoldMs }));
}

export function formatRedrive(runs: readonly RedriveRun[]): string {
  const lines = runs.map(
    (r) =>
      `  ${r.rows} failed rows: ${r.seconds.toFixed(1)} s, CPU ${r.cpuSeconds.toFixed(1)} s, peak RSS ${r.rssMb?.toFixed(0) ?? 'n/a'} MB, the loop held at most ${r.longestHoldMs.toFixed(0)} ms (load average ${r.loadAverage.toFixed(1)})`,
  );
  const [small, large] = [runs[0], runs.at(-1)];
  if (runs.length > 1 && small?.rssMb && large?.rssMb) lines.push(`  peak RSS ${large.rows} / ${small.rows} rows: ${(large.rssMb / small.rssMb).toFixed(2)}×   (target ≤ 1.5×)`);
  return lines.join('\n');
}

if (process.argv[2] === '--child') await child(process.argv.slice(3) as unknown as LedgerArgs);
