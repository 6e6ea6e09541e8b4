// Benchmark: Hive Metastore notification log → Polaris emulator. 5,000 Iceberg tables are bootstrapped
// (outside the measurement), then 100,000 ALTER_TABLE commits spread at random over them are appended to
// the log at once; the real `run` daemon reads them in batches of 500. Measured: events/s until the
// committed cursor reaches the last event, and the notifications Polaris received until every table is
// at its last commit (coalescing: a table committed several times while its update waits costs one).
// Target ≥ 20,000 events/s. The metastore emulator runs in this process; Polaris in its own. The
// emulator renders each message when the commit is appended (as a metastore writes NOTIFICATION_LOG),
// so serving the log costs it only the wire encoding; its CPU during the reading is printed too,
// because on two cores it competes with the daemon for the machine.
import { spawn } from 'node:child_process';
import { link, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/ledger/sqlite/sqlite-store.js';
import { packageRoot } from '../../src/util/package-info.js';
import { startHiveMetastoreEmulator } from '../emulators/hive/index.js';
import type { MessageFormat } from '../emulators/hive/types.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { configYaml, generateWarehouse, startRemoteEmulator, sum, removeBenchDir } from './bench-kit.js';
import { freePort } from '../support/free-port.js';
import { processCpuSeconds } from './process-cpu.js';
import { startKdc, type TestKdc } from '../support/kdc.js';
import { startSaslFront, type SaslFront } from '../emulators/hive/sasl/sasl-front.js';

export interface HiveEventsResult {
  events: number;
  tables: number;
  batchSize: number;
  messageFormat: MessageFormat;
  latencyMs: number;
  /** plain: a Thrift socket; kerberos: SASL GSSAPI with privacy (auth-conf) through the JDK's SASL server. */
  security: 'plain' | 'kerberos';
  /** From the append until the cursor committed the last event. */
  eventSeconds: number;
  eventsPerSecond: number;
  /** CPU seconds the daemon used from the append until the cursor committed the last event (Linux). */
  daemonCpuSeconds: number | undefined;
  /** CPU seconds this process — the metastore emulator serving the log — used meanwhile. */
  metastoreCpuSeconds: number;
  /** From the append until every table was in sync in Polaris. */
  convergedSeconds: number;
  /** UPDATE notifications accepted by Polaris for the 100,000 commits. */
  updates: number;
  /** Distinct (table, batch of 500) pairs: the most "one notification per table per batch" could cost. */
  tableBatches: number;
}

const NAMESPACES = 20;

export async function benchHiveEvents(
  options: { events?: number; tables?: number; batchSize?: number; messageFormat?: MessageFormat; latencyMs?: number; security?: 'plain' | 'kerberos' } = {},
): Promise<HiveEventsResult> {
  const { events = 100_000, tables = 5_000, batchSize = 500, messageFormat = 'json-0.2', latencyMs = 2, security = 'plain' } = options;
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-hive-'));
  const warehouse = join(dir, 'warehouse');
  try {
    // Which table each commit goes to (seeded: every run is the same workload).
    const random = mulberry32(42);
    const targets = Array.from({ length: events }, () => Math.floor(random() * tables));
    const firstLocations = await generateWarehouse(warehouse, tables, NAMESPACES);
    const commitLocations = await writeCommitVersions(firstLocations, targets);

    const hms = await startHiveMetastoreEmulator({ metastoreOptions: { version: '3', messageFormat, renderMessagesAtAppend: true } });
    const metastore = hms.metastore;
    for (let n = 0; n < NAMESPACES; n++) metastore.createDatabase(`ns${n}`);
    firstLocations.forEach((metadataLocation, i) => metastore.createIcebergTable(`ns${i % NAMESPACES}`, `t${i}`, { metadataLocation }));

    const kerberized = security === 'kerberos' ? await kerberize(hms.port) : undefined;
    const polaris = await startRemoteEmulator({ catalogs: [{ name: 'hive_mirror', allowedLocations: [dirUri(warehouse)] }], faults: { latencyMs } });
    const port = await freePort();
    const statePath = join(dir, 'state.db');
    const configFile = join(dir, 'config.yaml');
    await writeFile(
      configFile,
      configYaml({
        uri: polaris.url,
        statePath,
        concurrency: 16,
        server: `  host: 127.0.0.1\n  port: ${port}`,
        sources: [
          '  - name: hms',
          '    type: hive',
          `    uris: ["${kerberized?.front.uri ?? hms.uri}"]`,
          ...(kerberized ? [`    auth: { type: kerberos, servicePrincipal: "hive/_HOST@PM.TEST", principal: "polaris-mirror@PM.TEST", keytab: "${kerberized.keytab}", qop: auth-conf }`] : []),
          `    batchSize: ${batchSize}`,
          '    pollIntervalMs: 200',
          '    target: { catalog: hive_mirror }',
        ],
      }),
    );
    const nodeArgs = process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const daemon = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'bin', 'polaris-mirror.js'), 'run', '--config', configFile], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'warn', ...kerberized?.kdc.env },
    });
    try {
      // Bootstrap: the listing creates every table, then the log is read from the event id before it.
      const bootstrapId = metastore.currentEventId;
      await waitFor(async () => sum(await polaris.stats(), /^CREATE:204$/) >= tables && hms.stats.nextNotificationRequests.includes(bootstrapId), 300_000);
      const updatesBefore = sum(await polaris.stats(), /^UPDATE:204$/);

      // The measured part: 100,000 commits appended at once (synchronously: the emulator serves nothing meanwhile).
      targets.forEach((table, k) => metastore.commitIceberg(`ns${table % NAMESPACES}`, `t${table}`, commitLocations[k]!));
      const lastId = metastore.currentEventId;
      const started = performance.now();
      const cpuBefore = processCpuSeconds(daemon.pid);
      const ownCpuBefore = process.cpuUsage();
      await waitFor(async () => hms.stats.nextNotificationRequests.at(-1) === lastId, 300_000, 20);
      const eventSeconds = (performance.now() - started) / 1000;
      const cpuAfter = processCpuSeconds(daemon.pid);
      const ownCpu = process.cpuUsage(ownCpuBefore);
      const daemonCpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      const ledger = SqliteStore.open(statePath, { readonly: true });
      try {
        await waitFor(async () => {
          const counts = ledger.counts().find((c) => c.source === 'hms');
          return counts !== undefined && counts.pending === 0 && counts.failed === 0 && counts.inSync === tables;
        }, 300_000, 20);
      } finally {
        ledger.close();
      }
      const convergedSeconds = (performance.now() - started) / 1000;
      const updates = sum(await polaris.stats(), /^UPDATE:204$/) - updatesBefore;
      return {
        events,
        tables,
        batchSize,
        messageFormat,
        latencyMs,
        security,
        eventSeconds,
        eventsPerSecond: events / eventSeconds,
        daemonCpuSeconds,
        metastoreCpuSeconds: (ownCpu.user + ownCpu.system) / 1e6,
        convergedSeconds,
        updates,
        tableBatches: tableBatchPairs(targets, batchSize),
      };
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((resolve) => daemon.once('exit', resolve));
      await polaris.stop();
      await kerberized?.front.close();
      await kerberized?.kdc.close();
      await hms.close();
    }
  } finally {
    removeBenchDir(dir);
  }
}

/** A realm, the metastore's principal and the JDK's SASL GSSAPI server (privacy) in front of the emulator. */
async function kerberize(backendPort: number): Promise<{ kdc: TestKdc; front: SaslFront; keytab: string }> {
  const kdc = await startKdc();
  await kdc.addPrincipal('hive/127.0.0.1@PM.TEST');
  await kdc.addPrincipal('polaris-mirror@PM.TEST');
  const front = await startSaslFront({ mechanism: 'GSSAPI', backendPort, krb5Config: kdc.krb5Config, principal: 'hive/127.0.0.1@PM.TEST', keytab: await kdc.keytab('hive/127.0.0.1@PM.TEST'), qop: 'auth-conf' });
  return { kdc, front, keytab: await kdc.keytab('polaris-mirror@PM.TEST') };
}

/**
 * A metadata file per commit. Each is a hard link to the table's first file: Polaris reads real files
 * with the right `location`, without writing 100,000 copies.
 */
async function writeCommitVersions(firstLocations: readonly string[], targets: readonly number[]): Promise<string[]> {
  const versions = new Array<number>(firstLocations.length).fill(1);
  const locations = targets.map((table) => firstLocations[table]!.replace(/v1\.metadata\.json$/, `v${++versions[table]!}.metadata.json`));
  const toPath = (uri: string) => decodeURIComponent(new URL(uri).pathname);
  for (let start = 0; start < locations.length; start += 500) {
    await Promise.all(locations.slice(start, start + 500).map((location, k) => link(toPath(firstLocations[targets[start + k]!]!), toPath(location))));
  }
  return locations;
}

function tableBatchPairs(targets: readonly number[], batchSize: number): number {
  let pairs = 0;
  for (let start = 0; start < targets.length; start += batchSize) pairs += new Set(targets.slice(start, start + batchSize)).size;
  return pairs;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

