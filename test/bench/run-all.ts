// `npm run bench`: runs every benchmark and prints the figures the README records.
import { readFileSync } from 'node:fs';
import { benchFilesSideBySide, formatFilesSideBySide } from './files-side-by-side.js';
import { benchFilesSync } from './files-sync.js';
import { benchGlueEmulatorHeap } from './glue-emulator-heap.js';
import { benchGlueScan } from './glue-scan.js';
import { benchGlueSideBySide, formatSideBySide } from './glue-side-by-side.js';
import { benchHiveEvents } from './hive-events.js';
import { benchHiveMessages } from './hive-messages.js';
import { benchHiveScale, formatHiveScale } from './hive-scale.js';
import { benchHiveServer2Reads } from './hiveserver2-reads.js';
import { benchHiveServer2Scale } from './hiveserver2-scale.js';
import { benchHostileInputs } from './hostile-inputs.js';
import { benchHttpClient } from './http-client.js';
import { benchIngest } from './ingest-throughput.js';
import { DEFAULT_WORK_MICROS, benchIngestBudget } from './ingest-budget.js';
import { benchLedgerCommit } from './ledger-commit.js';
import { benchMetricsScrape } from './metrics-scrape.js';
import { benchPolarisEmulatorHeap } from './polaris-emulator-heap.js';
import { benchPlanMemory, formatPlanMemory, type PlanMemoryRun } from './plan-memory.js';
import { benchRedrive, formatRedrive, type RedriveRun } from './redrive-memory.js';
import { benchReplicas } from './replicas.js';
import { benchTargetCheck, formatTargetCheck, type TargetCheckRun } from './target-check-memory.js';
import { benchRestPoll } from './rest-poll.js';
import { benchRestSideBySide, formatRestSideBySide } from './rest-side-by-side.js';
import { startPostgres } from '../support/postgres-server.js';

const only = process.argv[2];
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? 'n/a' : n.toFixed(digits));

if (!only || only === 'ingest') {
  const r = await benchIngest();
  console.log(`\ningest → Polaris (${r.tables} tables, concurrency ${r.concurrency}, ${r.latencyMs} ms added latency)`);
  console.log(`  events ingested (202)      ${fmt(r.ingestSeconds, 2)} s  (${fmt(r.tables / r.ingestSeconds, 0)} events/s)`);
  console.log(`  connector                  ${r.connectorNotifications} notifications in ${fmt(r.connectorSeconds, 2)} s = ${fmt(r.connectorRate, 0)}/s   (target ≥ 2000/s)`);
  console.log(`  raw ceiling (bare loop)    ${r.ceilingNotifications} notifications in ${fmt(r.ceilingSeconds, 2)} s = ${fmt(r.ceilingRate, 0)}/s`);
  console.log(`  connector / ceiling        ${fmt(r.ratio, 2)}   (target ≥ 0.9; both sides send a CREATE per table and a VALIDATE per directory)`);
  const middleRatio = r.connectorMiddleRate !== undefined && r.ceilingMiddleRate !== undefined ? r.connectorMiddleRate / r.ceilingMiddleRate : undefined;
  console.log(`  middle half of the CREATEs connector ${fmt(r.connectorMiddleRate, 0)}/s, ceiling ${fmt(r.ceilingMiddleRate, 0)}/s = ${fmt(middleRatio, 2)}   (the steady pace: the first quarter, with the warm-up and the ingest, and the last left out)`);
  const perNotification = (cpu: number | undefined, n: number) => (cpu === undefined ? 'n/a' : `${fmt((cpu * 1e6) / n, 0)} µs`);
  console.log(`  CPU per notification       connector ${perNotification(r.connectorCpuSeconds, r.connectorNotifications)} (its emulator ${perNotification(r.connectorEmulatorCpuSeconds, r.connectorNotifications)}); bare loop ${perNotification(r.ceilingCpuSeconds, r.ceilingNotifications)} (its emulator ${perNotification(r.ceilingEmulatorCpuSeconds, r.ceilingNotifications)})   (load average ${loadAverage()})`);
}
if (!only || only === 'ingest-budget') {
  // `npm run bench -- ingest-budget 0,50,100`: other amounts of work (µs per notification).
  const works = only && process.argv[3] ? process.argv[3].split(',').map(Number) : DEFAULT_WORK_MICROS;
  const r = await benchIngestBudget(works);
  console.log(`\ningest budget: the bare loop with CPU work added per notification (${r.tables} tables, concurrency ${r.concurrency}, 2 ms added latency)`);
  console.log(`  ceiling (no work, sent from the same thread, best of two)   ${fmt(r.ceiling, 0)}/s`);
  console.log('  work µs | sent from   | notifications/s | share of the ceiling | process CPU µs | emulator CPU µs');
  for (const run of r.runs) {
    const where = run.sending === 'same' ? 'same thread' : 'worker';
    console.log(`  ${String(run.workMicros).padStart(7)} | ${where.padEnd(11)} | ${fmt(run.notificationsPerSecond, 0).padStart(15)} | ${fmt(run.notificationsPerSecond / r.ceiling, 2).padStart(20)} | ${fmt(run.loopCpuMicros, 0).padStart(14)} | ${fmt(run.emulatorCpuMicros, 0).padStart(15)}`);
  }
  console.log(`  load average at the end    ${loadAverage()}`);
}
if (!only || only === 'http-client') {
  const r = await benchHttpClient(Number(process.argv[3] ?? 30_000));
  const list = (values: number[]) => values.map((v) => fmt(v)).join(', ');
  console.log(`\nHTTP client: CPU per exchange (${r.exchanges} POSTs answered 204 per round, 16 in flight, the server in the same process)`);
  console.log(`  undici's pool, bare        ${list(r.bareMicros)} µs`);
  console.log(`  httpRequest (the layer)    ${list(r.layerMicros)} µs   (load average ${loadAverage()})`);
}
if (!only || only === 'ledger') {
  const r = await benchLedgerCommit();
  console.log(`\nSQLite ledger commit path (${r.observations} location changes over 5000 tables, batches of ${r.batchSize} with a cursor)`);
  console.log(`  stored and committed       ${fmt(r.seconds, 2)} s = ${fmt(r.observations / r.seconds, 0)} observations/s; CPU ${fmt(r.cpuSeconds, 2)} s   (load average ${loadAverage()})`);
}
if (!only || only === 'replicas') {
  const r = await benchReplicas();
  console.log(`\nledgers: ingest → Polaris (${r.tables} tables, concurrency 16 per process, 2 ms added latency; same run, same machine)`);
  for (const c of r.cases) {
    console.log(`  ${c.label.padEnd(26)} ${fmt(c.eventsPerSecond, 0)} events/s ingested (202), ${fmt(c.notificationsPerSecond, 0)} notifications/s to Polaris (${fmt(c.totalSeconds, 1)} s in all)`);
  }
  console.log(`  take-over after SIGKILL    ${fmt(r.takeoverSeconds, 1)} s from the kill to a new table in Polaris (watch lease 20 s, files poll 1 s)   (target ≈ 30 s)`);
}
if (!only || only === 'files') {
  // `npm run bench -- files 100000`: another warehouse size (tables; 20 namespaces).
  const r = await benchFilesSync(Number(process.argv[3] ?? 10_000));
  console.log(`\nfiles sync (${r.tables} tables)`);
  console.log(`  first sync                 ${fmt(r.firstSeconds)} s, peak RSS ${fmt(r.firstRssMb, 0)} MB, ${r.firstNotifications} notifications   (target ${r.tables > 10_000 ? '100,000 tables ≤ 90 s, ≤ 300 MB' : '≤ 30 s, ≤ 250 MB'})`);
  console.log(`  second sync, no change     ${fmt(r.secondSeconds)} s, peak RSS ${fmt(r.secondRssMb, 0)} MB, ${r.secondNotifications} notifications   (target 0)`);
  console.log(`  load average at the end    ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
}
if (only === 'files-scale') {
  // `npm run bench -- files-scale [small] [large]`: not part of the default run (1,000,000 tables take long).
  const runs = await benchFilesSideBySide(Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 1_000_000));
  console.log(`\nfiles sync side by side (Polaris emulator in its own process)`);
  console.log(formatFilesSideBySide(runs));
}
if (!only || only === 'glue') {
  // `npm run bench -- glue 1000000 200`: another catalog size (tables, databases).
  const r = await benchGlueScan(Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 20));
  const calls = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`\nglue scan (${r.tables} tables in ${r.databases} databases, requestsPerSecond ${r.requestsPerSecond}; Glue + SQS and Polaris emulators in their own processes)`);
  console.log(`  first sync                 ${fmt(r.first.seconds)} s (connector CPU ${fmt(r.first.cpuSeconds)} s), peak RSS ${fmt(r.first.rssMb, 0)} MB, ${r.first.notifications} notifications, load average ${fmt(r.first.loadAverage, 2)}   (target at 1,000,000: ≤ 600 s, ≤ 400 MB)`);
  console.log(`  Glue calls                 ${calls(r.first.glueCalls)}   (target ≈ ${r.databases} + ${r.tables / 100} + database pages)`);
  console.log(`  second sync, no change     ${fmt(r.second.seconds)} s (connector CPU ${fmt(r.second.cpuSeconds)} s), peak RSS ${fmt(r.second.rssMb, 0)} MB, ${r.second.notifications} notifications, load average ${fmt(r.second.loadAverage, 2)}   (target 0; ≤ 120 s at 1,000,000); ${calls(r.second.glueCalls)}`);
  console.log(`  event latency              ${r.events.events} UpdateTable events at ${r.events.rate}/s: p50 ${r.events.p50Ms} ms, p99 ${r.events.p99Ms} ms, max ${r.events.maxMs} ms${r.events.missing > 0 ? ` (${r.events.missing} not applied within 180 s)` : ''}, ${r.events.getTableCalls} GetTable, load average ${fmt(r.events.loadAverage, 2)}${r.events.duringStartupPass ? ', all sent during the start-up pass' : ''}   (target p99 ≤ 200 ms)`);
  const after = r.events.afterPass;
  if (after) console.log(`  same, once the pass ended   p50 ${after.p50Ms} ms, p99 ${after.p99Ms} ms, max ${after.maxMs} ms${after.missing > 0 ? ` (${after.missing} not applied within 180 s)` : ''}, load average ${fmt(after.loadAverage, 2)}   (same run: what the pass adds)`);
}
if (only === 'glue-emulator-heap') {
  // `npm run bench -- glue-emulator-heap 1000000 200`: the Glue benchmark's emulator, not the connector.
  const r = await benchGlueEmulatorHeap(Number(process.argv[3] ?? 1_000_000), Number(process.argv[4] ?? 200));
  console.log(`\nGlue emulator's lake (${r.tables} tables, in this process)`);
  console.log(`  heap in use                ${fmt(r.heapUsedMb, 0)} MB; a forced full collection ${fmt(r.fullCollectionMs, 0)} ms   (load average ${loadAverage()})`);
}
if (only === 'polaris-emulator-heap') {
  // `npm run bench -- polaris-emulator-heap 1000000 200`: the Glue benchmark's Polaris emulator, not the connector.
  const r = await benchPolarisEmulatorHeap(Number(process.argv[3] ?? 1_000_000), Number(process.argv[4] ?? 200));
  console.log(`\nPolaris emulator's state (${r.tables} tables mirrored, in this process)`);
  console.log(`  heap in use                ${fmt(r.heapUsedMb, 0)} MB (and ${fmt(r.externalMb, 0)} MB outside the heap); a forced full collection ${fmt(r.fullCollectionMs, 0)} ms   (load average ${loadAverage()})`);
}
if (only === 'glue-scale') {
  // `npm run bench -- glue-scale [small] [large]`: not part of the default run (1,000,000 tables take long).
  const runs = await benchGlueSideBySide(Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 1_000_000));
  console.log(`\nglue scan side by side (Glue + SQS and Polaris emulators in their own processes)`);
  console.log(formatSideBySide(runs));
}
if (only === 'hive-scale') {
  // `npm run bench -- hive-scale [small] [large]`: not part of the default run (1,000,000 tables take long).
  const sizes = [Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 1_000_000)];
  const runs = [];
  for (const tables of sizes) {
    runs.push(await benchHiveScale(tables));
    // Each run as it ends: a 1,000,000-table run takes long, and a run cut short keeps what it measured.
    console.error(`hive-scale ${tables} tables: ${JSON.stringify(runs.at(-1))}`);
  }
  console.log(`\nhive metastore listing side by side (sync; the metastore emulator in the benchmark process, Polaris in its own)`);
  console.log(formatHiveScale(runs));
}
if (only === 'hiveserver2-scale') {
  // `npm run bench -- hiveserver2-scale [small] [large]`: not part of the default run (1,000,000 tables take long).
  const sizes = [Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 1_000_000)];
  const runs = [];
  for (const tables of sizes) runs.push(await benchHiveServer2Scale(tables));
  console.log(`\nhiveserver2 listing side by side (sync; the HiveServer2 and metastore emulators in the benchmark process, Polaris in its own)`);
  console.log(formatHiveScale(runs, 'HiveServer2 statements'));
}
if (only === 'metrics-scrape') {
  // `npm run bench -- metrics-scrape [rows]`: not part of the default run (seeding 1,000,000 rows takes a while).
  const r = await benchMetricsScrape(Number(process.argv[3] ?? 1_000_000));
  const range = (values: number[]) => `${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)}`;
  console.log(`\n/metrics scrape: the ledger's reads with ${r.rows} rows (SQLite, ${r.allPending.ms.length} scrapes each)`);
  for (const [label, f] of [['every table pending', r.allPending], ['every table in sync', r.allInSync]] as const) {
    console.log(`  ${label.padEnd(26)} ${range(f.ms)} ms (CPU ${range(f.cpuMs)} ms), event loop held at most ${range(f.longestHoldMs)} ms, backlog ${f.backlog}   (load average ${loadAverage()})`);
  }
  const l = r.lists;
  console.log(`  failed and retrying lists  ${l.failed} failed in ${range(l.failedMs)} ms, ${l.retrying} retrying in ${range(l.retryingMs)} ms (one statement each, the loop held throughout; every other table pending)`);
  const f = r.frequent;
  console.log(`  a scrape every 0.5 s        ${f.scrapes} scrapes in ${fmt(f.seconds)} s, ${f.walks} of them walked the ledger; the process used ${fmt(f.cpuShare * 100)}% of a core   (every table in sync; load average ${loadAverage()})`);
}
if (only === 'redrive') {
  // `npm run bench -- redrive [rows ...]`: not part of the default run (seeding 1,000,000 rows takes a while).
  const runs: RedriveRun[] = [];
  for (const rows of process.argv.length > 3 ? process.argv.slice(3).map(Number) : [100_000, 1_000_000]) runs.push(await benchRedrive(rows));
  console.log(`\nretry of every failed table (Ledger.redrive over a SQLite ledger; the redrive in a process of its own)`);
  console.log(formatRedrive(runs));
}
if (only === 'redrive-postgres') {
  // `npm run bench -- redrive-postgres [rows ...]`: the same over a PostgreSQL cluster the benchmark starts.
  const postgres = await startPostgres();
  try {
    const runs: RedriveRun[] = [];
    for (const rows of process.argv.length > 3 ? process.argv.slice(3).map(Number) : [100_000]) runs.push(await benchRedrive(rows, { backend: 'postgres', url: postgres.url }));
    console.log(`\nretry of every failed table (Ledger.redrive over a PostgreSQL ledger on loopback; the redrive in a process of its own)`);
    console.log(formatRedrive(runs));
  } finally {
    postgres.stop();
  }
}
if (only === 'target-check') {
  // `npm run bench -- target-check [tables ...]`: not part of the default run (seeding 1,000,000 rows takes a while).
  const runs: TargetCheckRun[] = [];
  for (const tables of process.argv.length > 3 ? process.argv.slice(3).map(Number) : [100_000, 1_000_000]) runs.push(await benchTargetCheck(tables));
  console.log(`\ntarget check of one large namespace (\`plan\` of a webhook source; Polaris pages its listings)`);
  console.log(formatTargetCheck(runs));
}
if (only === 'plan-memory') {
  // `npm run bench -- plan-memory [rows ...]`: not part of the default run (seeding 1,000,000 rows takes long).
  const runs: PlanMemoryRun[] = [];
  for (const rows of process.argv.length > 3 ? process.argv.slice(3).map(Number) : [100_000, 1_000_000]) runs.push(await benchPlanMemory(rows));
  console.log(`\nplan and scoped refresh with the ledger's rows (a files source of 1,000 tables; the rest tombstones)`);
  console.log(formatPlanMemory(runs));
}
if (!only || only === 'rest') {
  // `npm run bench -- rest 100000`: another catalog size.
  const r = await benchRestPoll(Number(process.argv[3] ?? 20_000));
  const loads = Object.entries(r.noChangeLoads).map(([status, n]) => `${n} × ${status}`).join(', ');
  console.log(`\nrest poll (${r.tables} tables in ${r.namespaces} nested namespaces; REST and Polaris emulators in their own processes)`);
  console.log(`  first poll                 ${fmt(r.firstPollSeconds)} s, ${r.firstPollRequests} requests; sent ${r.firstNotifications} notifications in ${fmt(r.firstSendSeconds)} s`);
  console.log(`  no-change poll             ${fmt(r.noChangePollSeconds)} s, ${r.noChangeNotifications} notifications   (target ≤ 20 s, 0)`);
  console.log(`  requests per table         ${fmt(r.requestsPerTable, 3)} (${r.noChangeRequests} requests; loads: ${loads})   (target ≈ 1, a 304)`);
  console.log(`  peak RSS (connector)       first poll ${fmt(r.peakRssMb.firstPoll, 0)} MB, sending ${fmt(r.peakRssMb.send, 0)} MB, no-change poll ${fmt(r.peakRssMb.noChangePoll, 0)} MB   (target first poll of 100,000 ≤ 300 MB)`);
  console.log(`  live heap after GC         first poll ${fmt(r.liveHeapMb.firstPoll, 0)} MB, sending ${fmt(r.liveHeapMb.send, 0)} MB, no-change poll ${fmt(r.liveHeapMb.noChangePoll, 0)} MB   (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
}
if (only === 'rest-scale') {
  // `npm run bench -- rest-scale [small] [large]`: not part of the default run (1,000,000 tables take long).
  const runs = await benchRestSideBySide(Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 1_000_000));
  console.log(`\nrest poll side by side (the connector in this process; REST and Polaris emulators in their own processes)`);
  console.log(formatRestSideBySide(runs));
}
for (const security of ['plain', 'kerberos'] as const) {
  // `hive` measures the plain socket; `hive-kerberos` the same over SASL GSSAPI with privacy (auth-conf).
  if (only && only !== (security === 'plain' ? 'hive' : 'hive-kerberos')) continue;
  const r = await benchHiveEvents({ security });
  console.log(`\nhive notification log → Polaris (${r.events} ALTER_TABLE events over ${r.tables} tables, ${r.messageFormat}, batches of ${r.batchSize}, ${r.latencyMs} ms added latency${security === 'kerberos' ? ', Kerberos auth-conf' : ''})`);
  console.log(`  events read and committed  ${fmt(r.eventSeconds, 2)} s = ${fmt(r.eventsPerSecond, 0)} events/s   (target ≥ 20000/s)`);
  console.log(`  daemon CPU meanwhile       ${fmt(r.daemonCpuSeconds, 2)} s = ${fmt(r.daemonCpuSeconds === undefined ? undefined : r.events / r.daemonCpuSeconds, 0)} events per CPU second   (load average ${loadAverage()})`);
  console.log(`  metastore emulator's CPU   ${fmt(r.metastoreCpuSeconds, 2)} s (this process, serving the log on the same two cores)`);
  console.log(`  Polaris converged          ${fmt(r.convergedSeconds, 2)} s after the append; ${r.updates} UPDATE notifications for ${r.events} commits (${r.tableBatches} table×batch pairs)`);
}
if (!only || only === 'hive-messages') {
  const r = benchHiveMessages();
  console.log(`\nhive messages interpreted in this process (${r.events} ALTER_TABLE events over ${r.tables} tables, json-0.2; best of 3 rounds)`);
  console.log(`  interpretEvent             ${fmt(r.interpretMicros, 2)} µs per event (the shared memo: ${r.memoHits} hits, ${r.memoMisses} misses)`);
  console.log(`  the after-table's TJSON    ${fmt(r.tableFullMicros, 2)} µs parsed in full, ${fmt(r.tableMemoMicros, 2)} µs through RecentTjsonTables   (load average ${loadAverage()})`);
}
if (!only || only === 'hiveserver2') {
  const r = await benchHiveServer2Reads();
  console.log(`\nhiveserver2 reads through hive-driver (HiveServer2 emulator in the bench process)`);
  for (const l of r.listing) console.log(`  listing, ${r.tables} tables, ${l.sessions} session(s)   ${fmt(l.seconds, 2)} s = ${fmt(l.tablesPerSecond, 0)} tables/s (${l.statements} statements)`);
  console.log(`  sys.notification_log       ${r.events} events in pages of ${r.batchSize}: ${fmt(r.logSeconds, 2)} s = ${fmt(r.eventsPerSecond, 0)} events/s`);
}
if (!only || only === 'hostile') {
  const r = await benchHostileInputs();
  const t = r.thrift;
  console.log(`\nhostile inputs`);
  console.log(`  Thrift reply, ${fmt(t.replyMb)} MB in ${t.chunkKb} KiB chunks   incremental scan ${fmt(t.incrementalMs, 0)} ms`);
  console.log(`  Thrift reply, ${fmt(t.rescanMb)} MB                        rescan per chunk ${fmt(t.rescanMs, 0)} ms, incremental ${fmt(t.incrementalSameMs, 0)} ms`);
  console.log(`  plan, ${r.bomb.tables} tables + a ${fmt(r.bomb.compressedKb, 0)} KB gzip bomb (${r.bomb.inflatedMb} MB inflated)   ${fmt(r.bomb.seconds)} s, peak RSS ${fmt(r.bomb.rssMb, 0)} MB   (without the bomb: ${fmt(r.bomb.plainSeconds)} s, ${fmt(r.bomb.plainRssMb, 0)} MB)`);
  console.log(`  glob "*.*_backup" on a ${fmt(r.glob.nameKb, 0)} KiB name   ${fmt(r.glob.ms, 0)} ms`);
}
