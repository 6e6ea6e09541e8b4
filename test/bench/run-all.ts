// `npm run bench`: runs every benchmark and prints the figures the README records.
import { benchFilesSync } from './files-sync.js';
import { benchIngest } from './ingest-throughput.js';

const only = process.argv[2];
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? 'n/a' : n.toFixed(digits));

if (!only || only === 'ingest') {
  const r = await benchIngest();
  console.log(`\ningest → Polaris (${r.tables} tables, concurrency ${r.concurrency}, ${r.latencyMs} ms added latency)`);
  console.log(`  events ingested (202)      ${fmt(r.ingestSeconds, 2)} s  (${fmt(r.tables / r.ingestSeconds, 0)} events/s)`);
  console.log(`  connector                  ${r.connectorNotifications} notifications in ${fmt(r.connectorSeconds, 2)} s = ${fmt(r.connectorRate, 0)}/s   (target ≥ 2000/s)`);
  console.log(`  raw ceiling (bare loop)    ${r.ceilingNotifications} notifications in ${fmt(r.ceilingSeconds, 2)} s = ${fmt(r.ceilingRate, 0)}/s`);
  console.log(`  connector / ceiling        ${fmt(r.ratio, 2)}   (target ≥ 0.5)`);
}
if (!only || only === 'files') {
  const r = await benchFilesSync();
  console.log(`\nfiles sync (${r.tables} tables)`);
  console.log(`  first sync                 ${fmt(r.firstSeconds)} s, peak RSS ${fmt(r.firstRssMb, 0)} MB, ${r.firstNotifications} notifications   (target ≤ 30 s, ≤ 250 MB)`);
  console.log(`  second sync, no change     ${fmt(r.secondSeconds)} s, peak RSS ${fmt(r.secondRssMb, 0)} MB, ${r.secondNotifications} notifications   (target 0)`);
}
