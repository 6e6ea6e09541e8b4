// Shared pieces of the benchmarks: an out-of-process Polaris emulator (on the other core), a fast
// warehouse generator, and a runner for the real CLI that reports wall time and peak RSS.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dirUri, relocate } from '../emulators/polaris/fixture-warehouse.js';
import type { CatalogSpec, EmulatorStats, FaultOptions, HistoryEntry, PrincipalSpec } from '../emulators/polaris/types.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { packageRoot } from '../../src/util/package-info.js';

export const CLIENT_ID = 'bench-client';
export const CLIENT_SECRET = 'bench-secret-0f3a';

/**
 * Removes a benchmark's directory one entry at a time. fs.promises.rm starts an unlink for every entry
 * of a directory at once: 100,000 metadata files held ~70 MB of pending requests in this process, which
 * hosts the connector, and ran it out of heap under --max-old-space-size=128 after its last phase.
 */
export const removeBenchDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** Commits `count` observations, made by `observationAt(i)`, through the Ledger API 5,000 at a time (a benchmark's seeded rows). */
export async function seedObservations(ledger: Ledger, count: number, observationAt: (i: number) => NormalizedObservation): Promise<void> {
  const batch = 5_000;
  for (let start = 0; start < count; start += batch) {
    const observations: NormalizedObservation[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) observations.push(observationAt(i));
    await ledger.commit({ observations });
  }
}

export interface RemoteEmulator {
  readonly url: string;
  /** The control endpoints (/_emulator): another emulator process writes metadata files there. */
  readonly controlUrl: string;
  /** The emulator's process id: a benchmark reads its CPU time (process-cpu.ts). */
  readonly pid: number | undefined;
  stats(): Promise<EmulatorStats>;
  /** The notification history of each table, as answered in the emulator's process (`at` is its clock). */
  history(catalog: string, tables: Array<{ namespace: string[]; name: string }>): Promise<HistoryEntry[][]>;
  stop(): Promise<void>;
}

/** Starts the emulator's CLI in its own process, so it does not compete with the connector for a core. */
export async function startRemoteEmulator(options: { catalogs: CatalogSpec[]; faults?: FaultOptions; nodeArgs?: readonly string[]; listPagination?: boolean }): Promise<RemoteEmulator> {
  const principals: PrincipalSpec[] = [
    { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { bench: Object.fromEntries(options.catalogs.map((c) => [c.name, ['CATALOG_MANAGE_CONTENT']])) } },
  ];
  // BENCH_POLARIS_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof-polaris" profiles the emulator (written when it stops).
  // They come after the benchmark's own (options.nodeArgs), so they win where both set a flag.
  const nodeArgs = [...(options.nodeArgs ?? []), ...(process.env.BENCH_POLARIS_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'dist', 'test', 'emulators', 'polaris', 'cli.js'), JSON.stringify({ catalogs: options.catalogs, principals, faults: options.faults, listPagination: options.listPagination })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A benchmark that dies of an uncaught error must not leave its emulator running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  const url = (JSON.parse(line) as { url: string }).url;
  const control = url.replace(/\/api\/catalog$/, '/_emulator');
  return {
    url,
    controlUrl: control,
    pid: child.pid,
    stats: async () => (await (await fetch(`${control}/stats`)).json()) as EmulatorStats,
    history: async (catalog, tables) =>
      (await (await fetch(`${control}/history`, { method: 'POST', body: JSON.stringify({ catalog, tables }) })).json()) as HistoryEntry[][],
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Writes `count` tables (Hadoop layout: <root>/ns<i % namespaces>/t<i>/metadata/v<version>.metadata.json)
 * from one fixture, each with its own UUID. Returns the metadata locations.
 */
export async function generateWarehouse(root: string, count: number, namespaces: number, version = 1): Promise<string[]> {
  const template = JSON.parse(await readFile(join(packageRoot(), 'fixtures', 'iceberg-metadata', 'TableMetadataV2ValidMinimal.json'), 'utf8')) as Record<string, unknown>;
  const locations: string[] = new Array(count);
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, k) => {
        const i = start + k;
        const dir = join(root, `ns${i % namespaces}`, `t${i}`);
        const metadata = relocate(template, dirUri(dir));
        metadata['table-uuid'] = randomUUID();
        metadata['last-updated-ms'] = Date.now();
        await mkdir(join(dir, 'metadata'), { recursive: true });
        const file = join(dir, 'metadata', `v${version}.metadata.json`);
        await writeFile(file, JSON.stringify(metadata));
        locations[i] = `${dirUri(dir)}/metadata/v${version}.metadata.json`;
      }),
    );
  }
  return locations;
}

export interface TimedRun {
  readonly code: number | null;
  readonly seconds: number;
  readonly maxRssMb: number | undefined;
  /** CPU seconds (user + system) of the CLI process: on a shared machine wall time inflates with other load, this much less. */
  readonly cpuSeconds: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI under GNU time (when installed) for its peak RSS. */
export function timeCli(args: string[], env: NodeJS.ProcessEnv = {}, options: { stdoutKept?: number } = {}): Promise<TimedRun> {
  return timeNode(join(packageRoot(), 'bin', 'polaris-mirror.js'), args, env, options);
}

/** Runs a Node script of the connector's (the CLI, or a benchmark's child) under GNU time for its peak RSS. */
export function timeNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}, options: { stdoutKept?: number } = {}): Promise<TimedRun> {
  // BENCH_CONNECTOR_NODE_ARGS profiles the connector alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.BENCH_CONNECTOR_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const cli = [process.execPath, ...nodeArgs, script, ...args];
  const gnuTime = existsSync('/usr/bin/time');
  const command = gnuTime ? ['/usr/bin/time', '-f', 'MAXRSS_KB=%M CPU_S=%U+%S', ...cli] : cli;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // A command printing a million rows: only its end (the summary) is kept, when asked.
    const kept = options.stdoutKept ?? Infinity;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.length > kept) stdout = stdout.slice(-kept);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const rss = /MAXRSS_KB=(\d+)/.exec(stderr);
      const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      resolve({
        code,
        seconds: (performance.now() - started) / 1000,
        maxRssMb: rss ? Number(rss[1]) / 1024 : undefined,
        cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined,
        stdout,
        stderr: stderr.replace(/MAXRSS_KB=\d+( CPU_S=[\d.]+\+[\d.]+)?\n?/, ''),
      });
    });
  });
}

export function configYaml(options: { uri: string; statePath: string; concurrency: number; sources: string[]; server?: string }): string {
  return [
    'polaris:',
    `  uri: ${options.uri}`,
    `  concurrency: ${options.concurrency}`,
    '  auth:',
    `    clientId: ${CLIENT_ID}`,
    `    clientSecret: ${CLIENT_SECRET}`,
    'state:',
    `  path: ${options.statePath}`,
    ...(options.server ? ['server:', options.server] : []),
    'sources:',
    ...options.sources,
    '',
  ].join('\n');
}

export function sum(stats: EmulatorStats, pattern: RegExp): number {
  return Object.entries(stats.notifications)
    .filter(([key]) => pattern.test(key))
    .reduce((n, [, count]) => n + count, 0);
}
