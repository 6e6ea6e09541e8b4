// Event latency of the Glue source: `run` (the real CLI) follows the SQS queue while this process has
// the Glue emulator's process commit tables and send their UpdateTable events at a steady rate. Latency
// per event = arrival at Polaris of the UPDATE that carries the table's new metadata location, taken in
// the Polaris emulator's process where it answers 204, minus the moment the message became visible,
// taken in the Glue + SQS emulator's process (both Date.now() on the same machine).
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-info.js';
import type { GlueBenchSetup } from './glue-scan.js';
import { freePort } from '../support/free-port.js';

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events not applied within ARRIVAL_WAIT_MS of the last one sent (their latency counts as infinite). */
  missing: number;
  /** The machine's 1-minute load average when the last event was sent. */
  loadAverage: number;
}

export interface EventLatency extends LatencyFigures {
  rate: number;
  events: number;
  getTableCalls: number;
  /** Whether the daemon's start-up pass over the whole catalog was still running when the last event was sent. */
  duringStartupPass: boolean;
  /**
   * The same number of events on other tables once that pass is over, in the same run (same machine
   * load): what the pass adds is the difference. Undefined if the pass did not end within PASS_WAIT_MS.
   */
  afterPass?: LatencyFigures;
}

export async function measureEventLatency(setup: GlueBenchSetup, rate = 100, seconds = 30): Promise<EventLatency> {
  const port = await freePort();
  await setup.writeConfig({ serverPort: port, scanIntervalSeconds: 3600 });
  // BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the daemon (start-up pass + events).
  const nodeArgs = process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const daemon = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'bin', 'polaris-mirror.js'), 'run', '--config', setup.configFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...setup.env },
  });
  // A benchmark that dies of an uncaught error must not leave the daemon running.
  const orphan = () => daemon.kill('SIGKILL');
  process.once('exit', orphan);
  try {
    // `run` scans the whole catalog at start: the events are sent while that pass runs (as soon as the
    // daemon answers), since a daemon must stay responsive whatever a full pass is doing.
    await waitFor(async () => (await metrics(port)) !== '', 60_000);
    await setup.glue.resetCalls();
    const during = await sendAndTime(setup, rate, seconds, 0);
    const duringStartupPass = !PASS_COMPLETE.test(await metrics(port));
    const getTableCalls = (await setup.glue.calls())['GetTable:ok'] ?? 0;
    let afterPass: LatencyFigures | undefined;
    if (duringStartupPass) {
      const ended = await waitFor(async () => PASS_COMPLETE.test(await metrics(port)), PASS_WAIT_MS).then(
        () => true,
        () => false,
      );
      if (ended) afterPass = await sendAndTime(setup, rate, seconds, 1);
    }
    return { rate, events: rate * seconds, getTableCalls, duringStartupPass, ...during, afterPass };
  } finally {
    process.off('exit', orphan);
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  }
}

/** One phase: `rate × seconds` commits and their events at a steady pace, then their latencies. */
async function sendAndTime(setup: GlueBenchSetup, rate: number, seconds: number, phase: number): Promise<LatencyFigures> {
  const tables = setup.tables;
  const sending: Array<Promise<{ database: string; table: string; location: string; at: number }>> = [];
  const total = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // Steady pacing against the clock, not setTimeout drift; distinct tables so no update coalesces
    // (each phase its own: the second starts half-way round the catalog).
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const n = (i * 7919 + phase * Math.floor(tables / 2)) % tables;
    const database = setup.databaseOf(n);
    const table = `t${n}`;
    sending.push(setup.glue.commitAndSend(database, table).then((sent) => ({ database, table, ...sent })));
  }
  const sent = await Promise.all(sending);
  const loadAverage = loadavg()[0]!;

  // Every event's arrival, or — after ARRIVAL_WAIT_MS — as many as arrived: the missing ones count
  // as later than any that arrived (a figure on a loaded machine rather than none).
  let arrivals: Array<number | undefined> = [];
  const query = sent.map((e) => ({ namespace: [e.database], name: e.table }));
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  for (;;) {
    const histories = await setup.polaris.history(setup.catalog, query);
    arrivals = sent.map((e, k) => histories[k]!.find((h) => h.metadataLocation === e.location && h.status === 204)?.at);
    if (arrivals.every((at) => at !== undefined) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const latencies = sent.flatMap((e, k) => (arrivals[k] === undefined ? [] : [arrivals[k]! - e.at]));
  const missing = sent.length - latencies.length;
  // BENCH_EVENT_LOG=<file> appends each event's moments (JSON lines) to look at when the slow ones were.
  if (process.env.BENCH_EVENT_LOG) {
    const lines = sent.map((e, k) => JSON.stringify({ phase, table: `${e.database}.${e.table}`, visibleAt: e.at, arrivedAt: arrivals[k] }));
    appendFileSync(process.env.BENCH_EVENT_LOG, lines.join('\n') + '\n');
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.ceil((p / 100) * sent.length) - 1] ?? Number.POSITIVE_INFINITY;
  return { p50Ms: pct(50), p99Ms: pct(99), maxMs: missing > 0 ? Number.POSITIVE_INFINITY : latencies[latencies.length - 1]!, missing, loadAverage };
}

/** How long the benchmark waits for the start-up pass to end before the after-pass phase. */
const PASS_WAIT_MS = 1_800_000;
const ARRIVAL_WAIT_MS = 180_000;

const PASS_COMPLETE = /polaris_mirror_reconciliation_passes_total\{source="glue",outcome="complete"\} [1-9]/;

async function metrics(port: number): Promise<string> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

