// `npm run chaos`: the full chaos run (5,000 tables, 20,000 changes, 10 SIGKILLs), then one table of figures.
import { runChaos } from './chaos-run.js';

const report = await runChaos({
  tables: Number(process.env.CHAOS_TABLES ?? 5_000),
  changes: Number(process.env.CHAOS_CHANGES ?? 20_000),
  kills: Number(process.env.CHAOS_KILLS ?? 10),
  changeSeconds: Number(process.env.CHAOS_SECONDS ?? 150),
  latencyMs: Number(process.env.CHAOS_LATENCY_MS ?? 5),
  convergeTimeoutSeconds: 300,
  log: (line) => console.error(`chaos: ${line}`),
});

const rows: Array<[string, string]> = [
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
  ['wall time', `${report.seconds.toFixed(1)} s`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('\nchaos run');
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
for (const line of [...report.divergent, ...report.wrongDrops].slice(0, 20)) console.log(`  ! ${line}`);
for (const f of report.failed.slice(0, 20)) console.log(`  failed ${f.table}: ${f.message} (hint: ${f.hint})`);
const ok = report.converged && report.divergent.length === 0 && report.wrongDrops.length === 0 && report.failed.every((f) => f.message) && report.exitCode === 0;
console.log(ok ? '\nresult: PASS' : '\nresult: FAIL');
process.exitCode = ok ? 0 : 1;
