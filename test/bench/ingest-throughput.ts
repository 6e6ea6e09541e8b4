// Benchmark: HTTP ingest → ledger → Polaris emulator (2 ms added latency), against the raw ceiling: a bare
// keep-alive loop posting the same notifications as the connector to a fresh emulator at the same
// concurrency — a CREATE per table, and a VALIDATE per directory of tables (the tables of a namespace
// share one directory here, so 20 in all) that the directory's first CREATEs wait for, as the
// connector's do (src/engine/validation-scope.ts). Targets: ≥ 2,000 notifications/s and ≥ 0.9 of the ceiling.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { packageRoot } from '../../src/util/package-info.js';
import { configYaml, generateWarehouse, startRemoteEmulator, sum, removeBenchDir } from './bench-kit.js';
import { BENCH_CATALOG, NAMESPACES, benchToken, poolPoster, runBareLoop } from './bare-notification-loop.js';
import { freePort } from '../support/free-port.js';
import { processCpuSeconds } from './process-cpu.js';

export interface IngestResult {
  tables: number;
  concurrency: number;
  latencyMs: number;
  ingestSeconds: number;
  connectorSeconds: number;
  connectorNotifications: number;
  connectorRate: number;
  ceilingSeconds: number;
  ceilingNotifications: number;
  ceilingRate: number;
  ratio: number;
  /**
   * Each side's pace over the middle half of its CREATEs (from the moment a quarter were answered to
   * the moment three quarters were): the first quarter holds both emulators' warm-up and the
   * connector's ingest, so this separates the sending's steady pace from how it starts.
   */
  connectorMiddleRate: number | undefined;
  ceilingMiddleRate: number | undefined;
  /**
   * CPU seconds over each measurement (undefined where /proc cannot tell): the connector's process (from
   * the first ingest request to the last 204) and the bare loop's (the benchmark's own process), and the
   * emulator's in each. On a shared machine these move far less with other load than wall time does.
   */
  connectorCpuSeconds: number | undefined;
  connectorEmulatorCpuSeconds: number | undefined;
  ceilingCpuSeconds: number;
  ceilingEmulatorCpuSeconds: number | undefined;
}

const TOKEN = 'bench-ingest-token';
const EVENTS_PER_REQUEST = 500;

export async function benchIngest(tables = 20_000, concurrency = 16, latencyMs = 2): Promise<IngestResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-ingest-'));
  const warehouse = join(dir, 'warehouse');
  const locations = await generateWarehouse(warehouse, tables, NAMESPACES);
  const catalogs = [{ name: BENCH_CATALOG, allowedLocations: [dirUri(warehouse)] }];
  try {
    const connector = await measureConnector(dir, locations, catalogs, concurrency, latencyMs);
    const ceiling = await measureCeiling(warehouse, locations, catalogs, concurrency, latencyMs);
    return {
      tables,
      concurrency,
      latencyMs,
      ...connector,
      connectorRate: connector.connectorNotifications / connector.connectorSeconds,
      ...ceiling,
      ceilingRate: ceiling.ceilingNotifications / ceiling.ceilingSeconds,
      ratio: connector.connectorNotifications / connector.connectorSeconds / (ceiling.ceilingNotifications / ceiling.ceilingSeconds),
      connectorMiddleRate: connector.middle.rate(),
      ceilingMiddleRate: ceiling.middle.rate(),
    };
  } finally {
    removeBenchDir(dir);
  }
}

async function measureConnector(dir: string, locations: string[], catalogs: Array<{ name: string; allowedLocations: string[] }>, concurrency: number, latencyMs: number) {
  const emulator = await startRemoteEmulator({ catalogs, faults: { latencyMs } });
  const port = await freePort();
  const configFile = join(dir, 'config.yaml');
  await writeFile(
    configFile,
    configYaml({
      uri: emulator.url,
      statePath: join(dir, 'state.db'),
      concurrency,
      server: `  host: 127.0.0.1\n  port: ${port}\n  maxBodyBytes: 16777216`,
      sources: ['  - name: hooks', '    type: webhook', `    token: ${TOKEN}`, `    target: { catalog: ${BENCH_CATALOG} }`],
    }),
  );
  // BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the connector.
  const nodeArgs = process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const daemon = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'bin', 'polaris-mirror.js'), 'run', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200, 20_000);
    const started = performance.now();
    const cpuAtStart = processCpuSeconds(daemon.pid);
    const emulatorCpuAtStart = processCpuSeconds(emulator.pid);
    const now = Date.now();
    const batches: string[] = [];
    for (let i = 0; i < locations.length; i += EVENTS_PER_REQUEST) {
      const events = locations.slice(i, i + EVENTS_PER_REQUEST).map((metadataLocation, k) => ({
        namespace: [`ns${(i + k) % NAMESPACES}`],
        table: `t${i + k}`,
        operation: 'create',
        metadataLocation,
        sourceTimestampMs: now,
      }));
      batches.push(JSON.stringify({ events }));
    }
    await Promise.all(
      [0, 1, 2, 3].map(async (worker) => {
        for (let b = worker; b < batches.length; b += 4) {
          const response = await fetch(`${base}/v1/sources/hooks/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: batches[b],
          });
          if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
        }
      }),
    );
    const ingestSeconds = (performance.now() - started) / 1000;
    const middle = new MiddleHalf(locations.length);
    await waitFor(
      async () => {
        const created = sum(await emulator.stats(), /^CREATE:204$/);
        middle.see(created);
        return created >= locations.length;
      },
      300_000,
      20,
    );
    const connectorSeconds = (performance.now() - started) / 1000;
    const connectorCpuSeconds = cpuDelta(cpuAtStart, processCpuSeconds(daemon.pid));
    const connectorEmulatorCpuSeconds = cpuDelta(emulatorCpuAtStart, processCpuSeconds(emulator.pid));
    const stats = await emulator.stats();
    return { ingestSeconds, connectorSeconds, connectorNotifications: sum(stats, /^(CREATE|UPDATE|VALIDATE):/), connectorCpuSeconds, connectorEmulatorCpuSeconds, middle };
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    await emulator.stop();
  }
}

/** The connector's notifications posted by a bare loop (bare-notification-loop.ts) at the same concurrency. */
async function measureCeiling(warehouse: string, locations: string[], catalogs: Array<{ name: string; allowedLocations: string[] }>, concurrency: number, latencyMs: number) {
  const emulator = await startRemoteEmulator({ catalogs, faults: { latencyMs } });
  const origin = new URL(emulator.url).origin;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  try {
    const post = poolPoster(pool, await benchToken(origin));
    const middle = new MiddleHalf(locations.length);
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const emulatorCpuAtStart = processCpuSeconds(emulator.pid);
    await runBareLoop({ post, warehouse, locations, concurrency, onCreated: (created) => middle.see(created) });
    const ceilingSeconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuAtStart);
    const ceilingCpuSeconds = (used.user + used.system) / 1e6;
    const ceilingEmulatorCpuSeconds = cpuDelta(emulatorCpuAtStart, processCpuSeconds(emulator.pid));
    return { ceilingSeconds, ceilingNotifications: sum(await emulator.stats(), /^(CREATE|UPDATE|VALIDATE):/), ceilingCpuSeconds, ceilingEmulatorCpuSeconds, middle };
  } finally {
    await pool.close();
    await emulator.stop();
  }
}

/** Where a count of answered CREATEs first reached a quarter and three quarters of the tables, and when. */
class MiddleHalf {
  private quarter: { count: number; at: number } | undefined;
  private threeQuarters: { count: number; at: number } | undefined;

  constructor(private readonly total: number) {}

  see(count: number, at = performance.now()): void {
    if (this.quarter === undefined && count >= this.total / 4) this.quarter = { count, at };
    if (this.threeQuarters === undefined && count >= (this.total * 3) / 4) this.threeQuarters = { count, at };
  }

  /** CREATEs per second between the two moments (the counts, not the marks: a poll may land past a mark). */
  rate(): number | undefined {
    const { quarter, threeQuarters } = this;
    if (!quarter || !threeQuarters || threeQuarters.at <= quarter.at) return undefined;
    return (threeQuarters.count - quarter.count) / ((threeQuarters.at - quarter.at) / 1000);
  }
}

function cpuDelta(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : after - before;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

