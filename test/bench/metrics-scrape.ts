// Benchmark: what the daemon's reads for an operator cost with a large SQLite ledger: one /metrics
// scrape (the gauges of tables by source and status and the backlog, read at every scrape:
// src/server/mirror-server.ts, Ledger.counts) and the console's and status's lists of failed and
// retrying tables (Ledger.failedRows, Ledger.retryingRows); then scrapes every half second for half a
// minute through the daemon's SharedCounts, which reuses a costly walk's counts for a while.
// better-sqlite3 is synchronous, so the longest single statement is how long a read holds the event
// loop, and events wait that long.
//   npm run bench -- metrics-scrape [rows]      (default: 1000000)
// Two states of the same rows: every table pending but 10 failed and 10 waiting to retry (a first sync
// of the whole catalog, when the backlog is largest), and every table in sync (the steady state).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SharedCounts } from '../../src/ledger/shared-counts.js';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { removeBenchDir, seedObservations } from './bench-kit.js';

const NAMESPACES = 200;
const SCRAPES = 3;
/** A scrape every half second, as the Glue benchmark polls while it waits for a pass, for half a minute. */
const SCRAPE_EVERY_MS = 500;
const FREQUENT_SECONDS = 30;

export interface ScrapeFigures {
  /** Wall time of one scrape's ledger reads, each of SCRAPES runs. */
  readonly ms: number[];
  readonly cpuMs: number[];
  /** The longest the event loop was held during each (a 1 ms timer's worst lateness). */
  readonly longestHoldMs: number[];
  readonly backlog: number;
}

export interface ListFigures {
  /** Wall time of each read of the source's failed tables, and of its retrying ones. */
  readonly failedMs: number[];
  readonly retryingMs: number[];
  readonly failed: number;
  readonly retrying: number;
}

/** Scrapes every SCRAPE_EVERY_MS through the daemon's SharedCounts (a costly walk's counts reused a while). */
export interface FrequentScrapeFigures {
  readonly seconds: number;
  readonly scrapes: number;
  /** How many of them walked the ledger. */
  readonly walks: number;
  /** The process's CPU over the whole time, as a share of one core. */
  readonly cpuShare: number;
}

export interface MetricsScrapeResult {
  readonly rows: number;
  readonly allPending: ScrapeFigures;
  readonly allInSync: ScrapeFigures;
  /** With every table in sync. */
  readonly frequent: FrequentScrapeFigures;
  /** With every table pending but the few failed and retrying. */
  readonly lists: ListFigures;
}

const FEW = 10;

export async function benchMetricsScrape(rows = 1_000_000): Promise<MetricsScrapeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-scrape-'));
  const ledger = SqliteLedger.open(join(dir, 'state.db'));
  try {
    await seedObservations(ledger, rows, pendingTable);
    // A few tables failed and a few waiting to retry, spread over the ledger (ids are 1..rows).
    const every = Math.floor(rows / FEW);
    ledger.store.db.prepare(`UPDATE tables SET status = 'failed', last_error = 'refused', next_attempt_at = ? WHERE id % ? = 7`).run(Date.now() + 3_600_000, every);
    ledger.store.db.prepare(`UPDATE tables SET last_error = 'busy', next_attempt_at = ? WHERE id % ? = 9`).run(Date.now() + 60_000, every);
    const lists = await listReads(ledger);
    const allPending = await scrapes(ledger);
    // Every row applied, as after a first sync: written directly, the fastest way to a million outcomes.
    ledger.store.db.prepare(`UPDATE tables SET status = 'in_sync'`).run();
    const allInSync = await scrapes(ledger);
    const frequent = await frequentScrapes(ledger);
    return { rows, allPending, allInSync, lists, frequent };
  } finally {
    await ledger.close();
    removeBenchDir(dir);
  }
}

function pendingTable(i: number): NormalizedObservation {
  const table = { namespace: [`ns${i % NAMESPACES}`], name: `t${i}` };
  const metadataLocation = `s3://lake/ns${i % NAMESPACES}/t${i}/metadata/00001-a.metadata.json`;
  return { source: 'lake', target: { catalog: 'lake_mirror', ...table }, observation: { table, state: 'present', metadataLocation, order: 1, sourceTimeMs: 1 } };
}

/** The ledger reads of a scrape (readGauges), timed. */
async function scrapes(ledger: SqliteLedger): Promise<ScrapeFigures> {
  const figures = { ms: [] as number[], cpuMs: [] as number[], longestHoldMs: [] as number[], backlog: 0 };
  for (let i = 0; i < SCRAPES; i++) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const counts = await ledger.counts(Date.now());
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    // Let the delay timer fire once more: a hold at the very end is only seen by its next tick.
    await new Promise((resolve) => setTimeout(resolve, 20));
    delay.disable();
    figures.ms.push(ms);
    figures.cpuMs.push((used.user + used.system) / 1000);
    figures.longestHoldMs.push(delay.max / 1e6);
    figures.backlog = counts.reduce((sum, c) => sum + c.due, 0);
  }
  return figures;
}

/** Scrapes (readGauges' counts) every SCRAPE_EVERY_MS for FREQUENT_SECONDS, as the daemon reads them. */
async function frequentScrapes(ledger: SqliteLedger): Promise<FrequentScrapeFigures> {
  let walks = 0;
  const shared = new SharedCounts((now) => {
    walks++;
    return ledger.counts(now);
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  let scrapes = 0;
  while (performance.now() - started < FREQUENT_SECONDS * 1000) {
    await shared.read();
    scrapes++;
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_EVERY_MS));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, scrapes, walks, cpuShare: (used.user + used.system) / 1e6 / seconds };
}

/** The console's (and status's) lists of the source's failed and retrying tables, timed. */
async function listReads(ledger: SqliteLedger): Promise<ListFigures> {
  const figures = { failedMs: [] as number[], retryingMs: [] as number[], failed: 0, retrying: 0 };
  for (let i = 0; i < SCRAPES; i++) {
    let started = performance.now();
    figures.failed = (await ledger.failedRows('lake')).length;
    figures.failedMs.push(performance.now() - started);
    started = performance.now();
    figures.retrying = (await ledger.retryingRows('lake')).length;
    figures.retryingMs.push(performance.now() - started);
  }
  return figures;
}
