// In-process access to the engine for integration tests: a Mirror over a harness config, with a silent
// logger, and a sync that returns its summary.
import { runSync, type SyncSummary } from '../../src/cli/commands/sync.js';
import { loadConfig } from '../../src/config/load.js';
import { Mirror } from '../../src/engine/mirror.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import type { Observation } from '../../src/model/observation.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { MirrorServer } from '../../src/server/mirror-server.js';
import { startHarness, type Harness } from './harness.js';

export function openMirror(harness: Harness): Mirror {
  const loaded = loadConfig(harness.configFile);
  return new Mirror({ loaded, logger: silentLogger(), metrics: new Metrics(), redactor: new Redactor(loaded.secrets) });
}

/** One `sync` in-process; returns its summary and the ledger rows of every source afterwards. */
export async function syncWith(harness: Harness, options: { allowMassDrop?: boolean } = {}): Promise<{ summary: SyncSummary; rows: MirrorRow[] }> {
  const mirror = openMirror(harness);
  try {
    const summary = await runSync(mirror, { progress: false, ...options });
    const rows: MirrorRow[] = [];
    for (const name of mirror.sources.keys()) rows.push(...(await mirror.ledger.rowsOfSource(name)));
    return { summary, rows };
  } finally {
    await mirror.close();
  }
}

/** Commits observations for a source (as the HTTP ingest or a watcher would) and dispatches until settled. */
export async function observeAndSettle(mirror: Mirror, source: string, observations: Observation[]): Promise<void> {
  await mirror.sources.get(source)!.sink.commit(observations);
  await mirror.createDispatcher({ sources: [source] }).runUntilSettled();
}

/** A table row by its source dotted name ("sales.orders"). */
export function findRow(rows: readonly MirrorRow[], dotted: string): MirrorRow | undefined {
  return rows.find((r) => [...r.table.namespace, r.table.name].join('.') === dotted);
}

/** The connector's HTTP server run in-process over a fresh harness (configure sets `server` and the sources). */
export interface ServedMirror {
  readonly harness: Harness;
  readonly mirror: Mirror;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  close(): Promise<void>;
}

export async function serveMirror(configure: (config: Record<string, any>, harness: Harness) => void): Promise<ServedMirror> {
  const harness = await startHarness();
  await harness.writeConfig((config) => configure(config, harness));
  const mirror = openMirror(harness);
  const server = new MirrorServer(mirror.config.server!, mirror, new Metrics(), silentLogger());
  const base = `http://127.0.0.1:${(await server.listen()).port}`;
  return {
    harness,
    mirror,
    base,
    async close() {
      await server.close();
      await mirror.close();
      await harness.close();
    },
  };
}
