// Benchmark: polling an Iceberg REST catalog of 20,000 tables across nested namespaces (three levels:
// 10 × 10 × 2 leaf namespaces of 100 tables) into Polaris. A first poll (every table loaded), sending
// what it found, then a poll with no change (every load conditional). Targets: the no-change poll
// ≤ 20 s, 0 notifications, ≈ 1 request per table (a 304).
//
// The REST and Polaris emulators run in their own processes; the connector runs here, driving the same
// poll its `run` watch does every pollIntervalSeconds (RestSource.pollOnce), with default concurrency.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RestSource } from '../../adapters/rest/rest-source.js';
import { loadConfig } from '../../src/config/load.js';
import { Mirror } from '../../src/engine/mirror.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { packageRoot } from '../../src/util/package-info.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import type { RestEmulatorStats } from '../emulators/rest/types.js';
import { configYaml, startRemoteEmulator, sum, removeBenchDir } from './bench-kit.js';
import { describePeak, PeakMemory, type PeakMemoryFigures } from './peak-memory.js';

export interface RestPollResult {
  tables: number;
  namespaces: number;
  firstPollSeconds: number;
  firstPollRequests: number;
  firstSendSeconds: number;
  firstNotifications: number;
  noChangePollSeconds: number;
  noChangeRequests: number;
  noChangeLoads: Record<string, number>;
  noChangeNotifications: number;
  requestsPerTable: number;
  /** Peak RSS of this process during the first poll, the sending, and the no-change poll (MB). */
  peakRssMb: { firstPoll: number; send: number; noChangePoll: number };
  /**
   * Heap still in use after a full garbage collection at the end of each phase (MB): what the
   * connector holds, as opposed to the garbage V8 has not collected yet that peak RSS also counts.
   */
  liveHeapMb: { firstPoll: number; send: number; noChangePoll: number };
  /** CPU seconds (user + system) of this process — the connector — in each phase: less inflated by other load than wall time. */
  cpuSeconds: { firstPoll: number; send: number; noChangePoll: number };
  /** The 1-minute load average at the end of each phase. */
  loadAverage: { firstPoll: number; send: number; noChangePoll: number };
}

/** A full garbage collection, then the heap in use (MB). */
const liveHeap = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return (): number => {
    gc();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
})();

const FANOUT = [10, 10, 2];

const phaseLine = (seconds: number, cpu: number, peak: PeakMemoryFigures, heapMb: number): string =>
  `${seconds.toFixed(1)} s, connector CPU ${cpu.toFixed(1)} s, ${describePeak(peak)}, live heap after GC ${heapMb.toFixed(0)} MB`;

/** CPU seconds this process has used so far. */
const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * A line on stderr as each phase ends, with its figures: a run of 1,000,000 tables takes long on a
 * shared machine, and this says where it is — and what the phases it finished measured, should it not end.
 */
const progress = (tables: number, what: string): void => void process.stderr.write(`rest poll, ${tables} tables: ${what} at ${new Date().toISOString()} (load average ${loadavg()[0]!.toFixed(2)})\n`);

export async function benchRestPoll(tables = 20_000): Promise<RestPollResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-rest-'));
  const warehouse = join(dir, 'warehouse');
  const rest = await startRemoteRestEmulator({ metadataDir: warehouse, fixture: 'TableMetadataV2ValidMinimal.json', populate: { tables, fanout: FANOUT } });
  const polaris = await startRemoteEmulator({ catalogs: [{ name: 'lake_mirror', allowedLocations: [dirUri(warehouse)] }] });
  const peakMemory = new PeakMemory();
  let mirror: Mirror | undefined;
  try {
    const configFile = join(dir, 'config.yaml');
    await writeFile(
      configFile,
      configYaml({
        uri: polaris.url,
        statePath: join(dir, 'state.db'),
        concurrency: 16,
        sources: ['  - name: lakehouse', '    type: rest', `    uri: ${rest.url}`, '    target: { catalog: lake_mirror }'],
      }),
    );
    const loaded = loadConfig(configFile);
    mirror = new Mirror({ loaded, logger: silentLogger(), metrics: new Metrics(), redactor: new Redactor(loaded.secrets) });
    const runtime = mirror.sources.get('lakehouse')!;
    const adapter = runtime.adapter as RestSource;
    const notifications = /^(CREATE|UPDATE|DROP|VALIDATE):/;

    // Run as `node --max-old-space-size=128 dist/test/bench/run-all.js rest-scale` to bound the
    // connector's heap: peak RSS then follows what it holds rather than when V8 chooses to collect.
    progress(tables, `emulators ready; the connector's heap limit is ${(getHeapStatistics().heap_size_limit / 1024 / 1024).toFixed(0)} MB`);
    peakMemory.take();
    let cpu = cpuSeconds();
    /** CPU seconds since the last call. */
    const phaseCpu = (): number => -cpu + (cpu = cpuSeconds());
    let started = performance.now();
    if (!(await adapter.pollOnce(runtime.sink))) throw new Error('the first poll was not complete');
    const firstPollSeconds = (performance.now() - started) / 1000;
    const firstPollCpu = phaseCpu();
    const firstPollPeak = peakMemory.take();
    const firstPollRss = firstPollPeak.rssMb;
    const firstPollLoad = loadavg()[0]!;
    const firstPollHeap = liveHeap();
    progress(tables, `first poll done: ${phaseLine(firstPollSeconds, firstPollCpu, firstPollPeak, firstPollHeap)}`);
    const firstStats = await rest.stats();
    phaseCpu();
    started = performance.now();
    await mirror.createDispatcher().runUntilSettled();
    const firstSendSeconds = (performance.now() - started) / 1000;
    const sendCpu = phaseCpu();
    const sendPeak = peakMemory.take();
    const sendRss = sendPeak.rssMb;
    const sendLoad = loadavg()[0]!;
    const sendHeap = liveHeap();
    progress(tables, `sending done: ${phaseLine(firstSendSeconds, sendCpu, sendPeak, sendHeap)}`);
    const afterFirst = await polaris.stats();

    await rest.resetStats();
    phaseCpu();
    started = performance.now();
    if (!(await adapter.pollOnce(runtime.sink))) throw new Error('the no-change poll was not complete');
    const noChangePollSeconds = (performance.now() - started) / 1000;
    const noChangeCpu = phaseCpu();
    const noChangePeak = peakMemory.take();
    const noChangeRss = noChangePeak.rssMb;
    const noChangeLoad = loadavg()[0]!;
    const noChangeHeap = liveHeap();
    progress(tables, `no-change poll done: ${phaseLine(noChangePollSeconds, noChangeCpu, noChangePeak, noChangeHeap)}`);
    const noChange = await rest.stats();
    await mirror.createDispatcher().runUntilSettled();
    const afterSecond = await polaris.stats();

    return {
      tables,
      namespaces: FANOUT.map((_, depth) => FANOUT.slice(0, depth + 1).reduce((a, b) => a * b, 1)).reduce((a, b) => a + b, 0),
      firstPollSeconds,
      firstPollRequests: firstStats.requests,
      firstSendSeconds,
      firstNotifications: sum(afterFirst, notifications),
      noChangePollSeconds,
      noChangeRequests: noChange.requests,
      noChangeLoads: noChange.byOperation.loadTable ?? {},
      noChangeNotifications: sum(afterSecond, notifications) - sum(afterFirst, notifications),
      requestsPerTable: noChange.requests / tables,
      peakRssMb: { firstPoll: firstPollRss, send: sendRss, noChangePoll: noChangeRss },
      liveHeapMb: { firstPoll: firstPollHeap, send: sendHeap, noChangePoll: noChangeHeap },
      cpuSeconds: { firstPoll: firstPollCpu, send: sendCpu, noChangePoll: noChangeCpu },
      loadAverage: { firstPoll: firstPollLoad, send: sendLoad, noChangePoll: noChangeLoad },
    };
  } finally {
    peakMemory.stop();
    await mirror?.close();
    await rest.stop();
    await polaris.stop();
    removeBenchDir(dir);
  }
}

interface RemoteRest {
  readonly url: string;
  stats(): Promise<RestEmulatorStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The REST emulator's CLI in its own process, populated before it prints its URL. It holds every
 * table's metadata text: 1,000,000 tables take about 2 GB, so its heap may grow past V8's default limit.
 */
async function startRemoteRestEmulator(config: Record<string, unknown>): Promise<RemoteRest> {
  const cli = join(packageRoot(), 'dist', 'test', 'emulators', 'rest', 'cli.js');
  const child = spawn(process.execPath, ['--max-old-space-size=8192', cli, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  // A benchmark that dies of an uncaught error must not leave its emulator running.
  process.once('exit', () => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the REST emulator exited with ${code}`)));
  });
  const url = (JSON.parse(line) as { url: string }).url;
  const control = `${new URL(url).origin}/_emulator`;
  return {
    url,
    stats: async () => (await (await fetch(`${control}/stats`)).json()) as RestEmulatorStats,
    resetStats: async () => void (await fetch(`${control}/reset-stats`, { method: 'POST' })),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
