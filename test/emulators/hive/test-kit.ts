// Integration-test kit for the Hive source: a Polaris emulator and warehouse (test/support/harness),
// a Thrift metastore emulator, a config with a `hive` source, and the engine run in-process (the
// source's watch plus a dispatcher, as `run` does) with its log lines and metrics at hand.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config/load.js';
import { Mirror } from '../../../src/engine/mirror.js';
import { MirrorServer } from '../../../src/server/mirror-server.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { Metrics } from '../../../src/telemetry/metrics.js';
import { Redactor } from '../../../src/telemetry/redactor.js';
import { CATALOG, startHarness, type Harness, type HarnessStorage } from '../../support/harness.js';
import { waitFor } from '../../support/ingest-client.js';
import { startHiveMetastoreEmulator, type HiveMetastoreEmulator } from './index.js';
import type { HiveMetastore } from './metastore.js';
import type { EmulatorOptions, LogEvent, MetastoreOptions } from './types.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** The engine running in-process over the kit's config. */
export interface RunningMirror {
  readonly mirror: Mirror;
  readonly metrics: Metrics;
  /** http://127.0.0.1:<port> of the HTTP server (ingest), when the config has `server`. */
  readonly baseUrl: string | undefined;
  /** Stops the watch and the dispatcher (operations in flight finish) and closes the mirror. */
  stop(): Promise<void>;
}

export interface HiveKit {
  readonly harness: Harness;
  readonly hms: HiveMetastoreEmulator;
  readonly metastore: HiveMetastore;
  /** Every log line (info and up) of mirrors started by start(). */
  readonly logs: LogLine[];
  /** Writes the config: one hive source `hms` reading `uris` (default: the emulator), plus overrides. */
  configure(source?: Record<string, unknown>, config?: (c: Record<string, any>) => void): Promise<void>;
  start(): Promise<RunningMirror>;
  /** A metadata file Polaris can read, and the Iceberg table in the metastore (CREATE_TABLE). */
  createIceberg(db: string, name: string): Promise<string>;
  /** A new metadata file and the commit in the metastore (ALTER_TABLE). */
  commit(db: string, name: string): Promise<string>;
  /** The metadata location Polaris holds for "db.table", once it is `expected` (undefined: absent). */
  waitForPolaris(table: string, expected: string | undefined, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHiveKit(options: { metastore?: MetastoreOptions; emulator?: EmulatorOptions; storage?: HarnessStorage } = {}): Promise<HiveKit> {
  const harness = await startHarness({ storage: options.storage });
  const hms = await startHiveMetastoreEmulator({ ...options.emulator, metastoreOptions: options.metastore });
  const logs: LogLine[] = [];
  const uuids = new Map<string, string>();
  const running = new Set<RunningMirror>();

  const writeMetadata = (db: string, name: string) => {
    const key = `${db}.${name}`;
    const uuid = uuids.get(key) ?? randomUUID();
    uuids.set(key, uuid);
    return harness.writeTable([db], name, { uuid }).then((location) => ({ location, uuid }));
  };

  const kit: HiveKit = {
    harness,
    hms,
    metastore: hms.metastore,
    logs,
    async configure(source = {}, config) {
      await harness.writeConfig((c) => {
        c.sources = [{ name: 'hms', type: 'hive', uris: [hms.uri], pollIntervalMs: 25, target: { catalog: CATALOG }, ...source }];
        config?.(c);
      });
    },
    async start() {
      const loaded = loadConfig(harness.configFile);
      const redactor = new Redactor(loaded.secrets);
      const logger = createLogger({ level: 'info', redactor, readable: false, repeatWindowMs: 0, destination: { write: (line) => void logs.push(JSON.parse(line) as LogLine) } });
      const metrics = new Metrics();
      const mirror = new Mirror({ loaded, logger, metrics, redactor });
      const controller = new AbortController();
      const watches = [...mirror.sources.values()].map((s) => s.adapter.watch?.(s.sink, controller.signal));
      const dispatcher = mirror.createDispatcher();
      const dispatching = dispatcher.run(controller.signal);
      const server = loaded.config.server ? new MirrorServer(loaded.config.server, mirror, metrics, logger) : undefined;
      const address = await server?.listen();
      const handle: RunningMirror = {
        mirror,
        metrics,
        baseUrl: address ? `http://127.0.0.1:${address.port}` : undefined,
        async stop() {
          if (!running.delete(handle)) return;
          controller.abort();
          await server?.close();
          await dispatcher.stop();
          await Promise.allSettled([...watches, dispatching]);
          await mirror.close();
        },
      };
      running.add(handle);
      return handle;
    },
    async createIceberg(db, name) {
      const { location, uuid } = await writeMetadata(db, name);
      if (!hms.metastore.hasDatabase(db)) hms.metastore.createDatabase(db);
      hms.metastore.createIcebergTable(db, name, { metadataLocation: location, uuid });
      return location;
    },
    async commit(db, name) {
      const { location } = await writeMetadata(db, name);
      hms.metastore.commitIceberg(db, name, location);
      return location;
    },
    async waitForPolaris(table, expected, timeoutMs = 60_000) {
      await waitFor(`${table} → ${expected ?? '(absent)'} in Polaris`, () => harness.polarisState().get(table) === expected, timeoutMs, 20);
    },
    async close() {
      for (const handle of [...running]) await handle.stop();
      await hms.close();
      await harness.close();
    },
  };
  await kit.configure();
  return kit;
}

/** A log event as a metastore listener forwards it to the hook endpoint (the NOTIFICATION_LOG row). */
export function hookBody(event: LogEvent): Record<string, unknown> {
  const { message, messageFormat } = event.render();
  return { eventId: Number(event.eventId), eventTime: event.eventTime, eventType: event.eventType, dbName: event.dbName, tableName: event.tableName, message, messageFormat, catName: event.catName };
}

/** The value of a labelled counter or gauge (0 when never set). */
export async function metricValue(metrics: Metrics, name: keyof Metrics, labels: Record<string, string>): Promise<number> {
  const metric = metrics[name] as unknown as { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string> }> }> };
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

export { CATALOG };
