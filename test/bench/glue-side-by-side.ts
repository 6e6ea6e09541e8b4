// `npm run bench -- glue-scale [small] [large]`: the Glue benchmark at two catalog sizes (100,000 and
// 1,000,000 tables by default, 5,000 tables per database as in a real account's spread), printed side
// by side with the ratio of the large to the small run — the memory target is peak RSS ≤ 1.5× at 10×
// the tables. Each figure carries the 1-minute load average when it was taken: on a shared machine the
// times are inflated by whatever else runs, the memory and the counts are not.
import { benchGlueScan, type GlueBenchResult } from './glue-scan.js';
import { fmt, formatSideBySide as formatRows, ratio, type SideBySideRow } from './side-by-side.js';

const TABLES_PER_DATABASE = 5_000;

export async function benchGlueSideBySide(small = 100_000, large = 1_000_000): Promise<GlueBenchResult[]> {
  const results: GlueBenchResult[] = [];
  for (const tables of [small, large]) results.push(await benchGlueScan(tables, Math.max(1, Math.round(tables / TABLES_PER_DATABASE))));
  return results;
}

export function formatSideBySide([a, b]: GlueBenchResult[]): string {
  if (!a || !b) throw new Error('two runs are needed side by side');
  const calls = (c: Record<string, number>) => Object.values(c).reduce((n, v) => n + v, 0);
  const rows: SideBySideRow[] = [
    ['first sync, seconds', fmt(a.first.seconds), fmt(b.first.seconds), ratio(a.first.seconds, b.first.seconds)],
    ['first sync, peak RSS MB', fmt(a.first.rssMb, 0), fmt(b.first.rssMb, 0), `${ratio(a.first.rssMb, b.first.rssMb)} (target ≤ 1.5×)`],
    ['first sync, Glue calls', String(calls(a.first.glueCalls)), String(calls(b.first.glueCalls)), ratio(calls(a.first.glueCalls), calls(b.first.glueCalls))],
    ['first sync, notifications', String(a.first.notifications), String(b.first.notifications), ratio(a.first.notifications, b.first.notifications)],
    ['first sync, load average', fmt(a.first.loadAverage, 2), fmt(b.first.loadAverage, 2), ''],
    ['no-change sync, seconds', fmt(a.second.seconds), fmt(b.second.seconds), ratio(a.second.seconds, b.second.seconds)],
    ['no-change sync, peak RSS MB', fmt(a.second.rssMb, 0), fmt(b.second.rssMb, 0), `${ratio(a.second.rssMb, b.second.rssMb)} (target ≤ 1.5×)`],
    ['no-change sync, notifications', String(a.second.notifications), String(b.second.notifications), 'target 0'],
    ['no-change sync, load average', fmt(a.second.loadAverage, 2), fmt(b.second.loadAverage, 2), ''],
    ['event latency p50 / p99 ms', `${a.events.p50Ms} / ${a.events.p99Ms}`, `${b.events.p50Ms} / ${b.events.p99Ms}`, 'target p99 ≤ 200'],
    ['same, once the pass ended p50 / p99 ms', a.events.afterPass ? `${a.events.afterPass.p50Ms} / ${a.events.afterPass.p99Ms}` : 'n/a', b.events.afterPass ? `${b.events.afterPass.p50Ms} / ${b.events.afterPass.p99Ms}` : 'n/a', 'what the pass adds'],
    ['events not applied within 180 s', String(a.events.missing), String(b.events.missing), ''],
    ['events during the start-up pass', a.events.duringStartupPass ? 'all' : 'not all', b.events.duringStartupPass ? 'all' : 'not all', ''],
    ['event phase, load average', fmt(a.events.loadAverage, 2), fmt(b.events.loadAverage, 2), ''],
  ];
  return formatRows(['', `${a.tables} tables (${a.databases} dbs)`, `${b.tables} tables (${b.databases} dbs)`, 'large / small'], rows);
}
