// Benchmark: HTTP ingest → ledger → Polaris emulator with the SQLite ledger (one process) and with a
// PostgreSQL ledger (one replica, three replicas; events posted round-robin across the replicas), in
// one run on one machine; then the take-over time after a SIGKILL of the replica watching a files
// source (a table written right after the kill, until it is in Polaris).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { packageRoot } from '../../src/util/package-info.js';
import { freePort } from '../support/free-port.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { configYaml, generateWarehouse, startRemoteEmulator, sum, removeBenchDir } from './bench-kit.js';

const TOKEN = 'bench-ingest-token';
const EVENTS_PER_REQUEST = 500;

export interface LedgerCase {
  readonly label: string;
  readonly eventsPerSecond: number;
  readonly notificationsPerSecond: number;
  readonly ingestSeconds: number;
  readonly totalSeconds: number;
}

export interface ReplicasResult {
  readonly tables: number;
  readonly cases: LedgerCase[];
  /** Seconds from the SIGKILL of the watching replica to the new table in Polaris. */
  readonly takeoverSeconds: number;
}

export async function benchReplicas(tables = Number(process.env.BENCH_REPLICA_TABLES ?? 5_000)): Promise<ReplicasResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-replicas-'));
  const postgres = await startPostgres();
  try {
    const cases: LedgerCase[] = [];
    cases.push(await ingestCase(dir, 'SQLite, 1 process', tables, { path: join(dir, 'state.db') }, 1));
    cases.push(await ingestCase(dir, 'PostgreSQL, 1 replica', tables, { url: postgres.url, schema: 'bench_one' }, 1));
    cases.push(await ingestCase(dir, 'PostgreSQL, 3 replicas', tables, { url: postgres.url, schema: 'bench_three' }, 3));
    const takeoverSeconds = await takeover(dir, postgres);
    return { tables, cases, takeoverSeconds };
  } finally {
    postgres.stop();
    removeBenchDir(dir);
  }
}

function stateYaml(state: { path?: string; url?: string; schema?: string }): string {
  return state.path ? `  path: ${state.path}` : `  url: ${state.url}\n  schema: ${state.schema}`;
}

async function startReplicas(dir: string, name: string, count: number, yaml: (port: number) => string): Promise<{ bases: string[]; children: ChildProcess[] }> {
  const bases: string[] = [];
  const children: ChildProcess[] = [];
  for (let r = 0; r < count; r++) {
    const port = await freePort();
    const file = join(dir, `${name}-${r}.yaml`);
    await writeFile(file, yaml(port));
    children.push(
      spawn(process.execPath, [join(packageRoot(), 'bin', 'polaris-mirror.js'), 'run', '--config', file], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, LOG_LEVEL: 'warn' },
      }),
    );
    bases.push(`http://127.0.0.1:${port}`);
  }
  for (const base of bases) await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status !== undefined, 60_000);
  return { bases, children };
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
    ),
  );
}

async function ingestCase(dir: string, label: string, tables: number, state: { path?: string; url?: string; schema?: string }, replicas: number): Promise<LedgerCase> {
  const warehouse = join(dir, `warehouse-${replicas}-${state.path ? 'sqlite' : 'pg'}`);
  const locations = await generateWarehouse(warehouse, tables, 20);
  const emulator = await startRemoteEmulator({ catalogs: [{ name: 'hooks_mirror', allowedLocations: [dirUri(warehouse)] }], faults: { latencyMs: 2 } });
  const name = label.replace(/\W+/g, '-');
  const { bases, children } = await startReplicas(dir, name, replicas, (port) =>
    configYaml({
      uri: emulator.url,
      statePath: 'unused',
      concurrency: 16,
      server: `  host: 127.0.0.1\n  port: ${port}\n  maxBodyBytes: 16777216`,
      sources: ['  - name: hooks', '    type: webhook', `    token: ${TOKEN}`, '    target: { catalog: hooks_mirror }'],
    }).replace('  path: unused', stateYaml(state)),
  );
  try {
    const now = Date.now();
    const batches: string[] = [];
    for (let i = 0; i < locations.length; i += EVENTS_PER_REQUEST) {
      const events = locations.slice(i, i + EVENTS_PER_REQUEST).map((metadataLocation, k) => ({
        namespace: [`ns${(i + k) % 20}`],
        table: `t${i + k}`,
        operation: 'create',
        metadataLocation,
        sourceTimestampMs: now,
      }));
      batches.push(JSON.stringify({ events }));
    }
    const started = performance.now();
    await Promise.all(
      [0, 1, 2, 3].map(async (worker) => {
        for (let b = worker; b < batches.length; b += 4) {
          const base = bases[b % bases.length]!;
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
    await waitFor(async () => sum(await emulator.stats(), /^CREATE:204$/) >= locations.length, 600_000, 50);
    const totalSeconds = (performance.now() - started) / 1000;
    const notifications = sum(await emulator.stats(), /^(CREATE|UPDATE|VALIDATE):/);
    return { label, ingestSeconds, totalSeconds, eventsPerSecond: tables / ingestSeconds, notificationsPerSecond: notifications / totalSeconds };
  } finally {
    await stopAll(children);
    await emulator.stop();
  }
}

/** Two replicas watching a files source (polled every second); the watcher's replica is SIGKILLed. */
async function takeover(dir: string, postgres: PostgresServer): Promise<number> {
  const warehouse = join(dir, 'warehouse-takeover');
  await generateWarehouse(warehouse, 20, 2);
  const emulator = await startRemoteEmulator({ catalogs: [{ name: 'files_mirror', allowedLocations: [dirUri(warehouse)] }] });
  const { bases, children } = await startReplicas(dir, 'takeover', 2, (port) =>
    configYaml({
      uri: emulator.url,
      statePath: 'unused',
      concurrency: 8,
      server: `  host: 127.0.0.1\n  port: ${port}`,
      sources: ['  - name: lake', '    type: files', `    root: ${warehouse}`, '    pollIntervalSeconds: 1', '    target: { catalog: files_mirror }'],
    }).replace('  path: unused', stateYaml({ url: postgres.url, schema: 'bench_takeover' })),
  );
  try {
    await waitFor(async () => sum(await emulator.stats(), /^CREATE:204$/) >= 20, 120_000, 100);
    // The replica holding the source's lease is the one whose /metrics shows listing passes.
    const holder = await waitFor(async () => {
      for (const [i, base] of bases.entries()) {
        const text = await (await fetch(`${base}/metrics`)).text();
        if (/polaris_mirror_reconciliation_passes_total\{source="lake",outcome="complete"\} [1-9]/.test(text)) return i + 1;
      }
      return 0;
    }, 60_000, 200);
    const killedAt = performance.now();
    children[holder - 1]!.kill('SIGKILL');
    await generateWarehouse(join(warehouse, 'after'), 1, 1);
    await waitFor(async () => sum(await emulator.stats(), /^CREATE:204$/) >= 21, 180_000, 100);
    return (performance.now() - killedAt) / 1000;
  } finally {
    await stopAll(children);
    await emulator.stop();
  }
}

async function waitFor<T>(check: () => Promise<T>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
