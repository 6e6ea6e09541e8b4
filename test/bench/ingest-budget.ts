// Benchmark: how much work a connector may add to each notification and still reach a share of the raw
// ceiling, on this machine. The ingest benchmark's bare loop (bare-notification-loop.ts) is run again
// with a fixed amount of synchronous CPU work added per notification, either on the thread that sends
// (a connector doing everything on one event loop) or on the loop's thread while a worker thread sends
// (a connector that took its sends off the thread running its ledger). Each run has a fresh emulator in
// its own process, as the ingest benchmark's two sides do; the rate with no work added is the ceiling.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { generateWarehouse, removeBenchDir, startRemoteEmulator, sum } from './bench-kit.js';
import { BENCH_CATALOG, NAMESPACES, benchToken, poolPoster, runBareLoop, type NotificationPoster } from './bare-notification-loop.js';
import { processCpuSeconds } from './process-cpu.js';
import { startWorkerPoster } from './worker-poster.js';

export type SendingThread = 'same' | 'worker';

export interface BudgetRun {
  /** µs of CPU work added per notification. */
  readonly workMicros: number;
  /** Where the notifications are sent from: the thread doing the work, or a worker thread. */
  readonly sending: SendingThread;
  readonly notificationsPerSecond: number;
  /** CPU of the benchmark's process (all its threads) and of the emulator, per notification. */
  readonly loopCpuMicros: number;
  readonly emulatorCpuMicros: number | undefined;
}

export interface BudgetResult {
  readonly tables: number;
  readonly concurrency: number;
  /** The ceiling: the best rate of the runs with no work added on the sending thread. */
  readonly ceiling: number;
  readonly runs: readonly BudgetRun[];
}

/** The work added, in µs per notification: none, then about what each part of a connector costs, up to what it costs today. */
export const DEFAULT_WORK_MICROS = [0, 25, 50, 100, 200, 350];

/**
 * One warm-up run (its figures dropped: the benchmark's own process compiles its loop in it), then each
 * amount of work on each sending thread, the runs with no work on the same thread twice (first and last)
 * so the ceiling is the better of two.
 */
export async function benchIngestBudget(workMicros = DEFAULT_WORK_MICROS, tables = 20_000, concurrency = 16, latencyMs = 2): Promise<BudgetResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-budget-'));
  const warehouse = join(dir, 'warehouse');
  const locations = await generateWarehouse(warehouse, tables, NAMESPACES);
  const catalogs = [{ name: BENCH_CATALOG, allowedLocations: [dirUri(warehouse)] }];
  const run = (work: number, sending: SendingThread) => measureOnce({ warehouse, locations, catalogs, concurrency, latencyMs, work, sending });
  try {
    await run(0, 'same');
    const runs: BudgetRun[] = [];
    for (const work of workMicros) for (const sending of ['same', 'worker'] as const) runs.push(await run(work, sending));
    runs.push(await run(0, 'same'));
    const ceiling = Math.max(...runs.filter((r) => r.workMicros === 0 && r.sending === 'same').map((r) => r.notificationsPerSecond));
    return { tables, concurrency, ceiling, runs };
  } finally {
    removeBenchDir(dir);
  }
}

interface MeasureOptions {
  readonly warehouse: string;
  readonly locations: readonly string[];
  readonly catalogs: Array<{ name: string; allowedLocations: string[] }>;
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly work: number;
  readonly sending: SendingThread;
}

async function measureOnce(options: MeasureOptions): Promise<BudgetRun> {
  const { warehouse, locations, catalogs, concurrency, latencyMs, work, sending } = options;
  const emulator = await startRemoteEmulator({ catalogs, faults: { latencyMs } });
  const origin = new URL(emulator.url).origin;
  const token = await benchToken(origin);
  const sender = sending === 'same' ? poolSender(origin, token, concurrency) : startWorkerPoster({ origin, token, connections: concurrency });
  try {
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const emulatorCpuAtStart = processCpuSeconds(emulator.pid);
    await runBareLoop({ post: sender.post, warehouse, locations, concurrency, workMicros: work });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuAtStart);
    const emulatorCpuAtEnd = processCpuSeconds(emulator.pid);
    const notifications = sum(await emulator.stats(), /^(CREATE|UPDATE|VALIDATE):/);
    return {
      workMicros: work,
      sending,
      notificationsPerSecond: notifications / seconds,
      loopCpuMicros: (used.user + used.system) / notifications,
      emulatorCpuMicros: emulatorCpuAtStart === undefined || emulatorCpuAtEnd === undefined ? undefined : ((emulatorCpuAtEnd - emulatorCpuAtStart) * 1e6) / notifications,
    };
  } finally {
    await sender.close();
    await emulator.stop();
  }
}

function poolSender(origin: string, token: string, connections: number): { post: NotificationPoster; close(): Promise<void> } {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  return { post: poolPoster(pool, token), close: () => pool.close() };
}
