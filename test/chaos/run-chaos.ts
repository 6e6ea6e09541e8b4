// `npm run chaos`: the full chaos run (5,000 tables, 20,000 changes, 10 SIGKILLs), then one table of figures.
// CHAOS_LEDGER=postgres: the same on a PostgreSQL ledger with three replicas (CHAOS_REPLICAS), each SIGKILL
// hitting a random one, and PostgreSQL stopped abruptly and restarted mid-run (CHAOS_DB_CRASHES).
// A divergent run prints, per divergent table, what the source, both targets, the ledger and the daemon
// log say of it; CHAOS_LOG_LEVEL=info puts more daemon lines there, CHAOS_KEEP_DIR=1 keeps the run's
// directory (its daemon.log) for a look afterwards.
import { startPostgres } from '../support/postgres-server.js';
import { runChaos } from './chaos-run.js';

const postgres = process.env.CHAOS_LEDGER === 'postgres' ? await startPostgres() : undefined;
const report = await runChaos({
  postgres: postgres && { url: postgres.url, schema: 'chaos', crash: postgres.crash, start: postgres.start },
  replicas: Number(process.env.CHAOS_REPLICAS ?? 3),
  databaseCrashes: Number(process.env.CHAOS_DB_CRASHES ?? 1),
  tables: Number(process.env.CHAOS_TABLES ?? 5_000),
  changes: Number(process.env.CHAOS_CHANGES ?? 20_000),
  kills: Number(process.env.CHAOS_KILLS ?? 10),
  changeSeconds: Number(process.env.CHAOS_SECONDS ?? 150),
  latencyMs: Number(process.env.CHAOS_LATENCY_MS ?? 5),
  convergeTimeoutSeconds: Number(process.env.CHAOS_CONVERGE_SECONDS ?? 300),
  keepDir: process.env.CHAOS_KEEP_DIR === '1',
  daemonLogLevel: process.env.CHAOS_LOG_LEVEL === 'info' || process.env.CHAOS_LOG_LEVEL === 'debug' ? process.env.CHAOS_LOG_LEVEL : 'warn',
  log: (line) => console.error(`chaos: ${line}`),
});

postgres?.stop();

const rows: Array<[string, string]> = [
  ['ledger', postgres ? `PostgreSQL, ${report.replicas} replicas, ${report.databaseCrashes} abrupt database stop(s)` : 'SQLite, 1 process'],
  ['changes', `${report.changes} (${Object.entries(report.byKind).map(([k, n]) => `${k} ${n}`).join(', ')})`],
  ['tables at the end', String(report.tablesAtEnd)],
  ['notifications received by Polaris', String(report.notifications)],
  ['faults injected (429, 503, resets)', String(report.faultsInjected)],
  ['409 answers reconciled', String(report.conflicts409)],
  ['SIGKILLs survived', String(report.killsSurvived)],
  ['divergent tables (must be 0)', String(report.divergent.length)],
  ['wrong drops (must be 0)', String(report.wrongDrops.length)],
  ['failed tables, each with a reason', `${report.failed.length} (${report.failed.filter((f) => !f.message).length} without one)`],
  ['exit code after SIGTERM', String(report.exitCode)],
  ['converged after the last change', report.convergeSeconds === null ? 'never' : `${report.convergeSeconds.toFixed(1)} s`],
  ['wall time', `${report.seconds.toFixed(1)} s`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('\nchaos run');
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
for (const line of [...report.divergent, ...report.wrongDrops].slice(0, 20)) console.log(`  ! ${line}`);
for (const e of report.sourceErrors) console.log(`  source ${e.source}: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`);
for (const f of report.failed.slice(0, 20)) console.log(`  failed ${f.table}: ${f.message} (hint: ${f.hint})`);
if (report.diagnosis) console.log(`\n${report.diagnosis}`);
const ok = report.converged && report.divergent.length === 0 && report.wrongDrops.length === 0 && report.failed.every((f) => f.message) && report.exitCode === 0;
console.log(ok ? '\nresult: PASS' : '\nresult: FAIL');
process.exitCode = ok ? 0 : 1;
