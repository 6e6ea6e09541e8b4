// Harness of the Glue integration tests: a Polaris emulator with an EXTERNAL catalog over the lake
// (s3://lake/warehouse in the emulator's object store, or a directory read as file://), the Glue + SQS
// emulator with an event queue (and its dead-letter queue), a lake writing Iceberg tables to both, a
// config file for a `type: glue` source, and in-process access to the engine.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { runSync, type SyncSummary } from '../../src/cli/commands/sync.js';
import { loadConfig } from '../../src/config/load.js';
import { Mirror } from '../../src/engine/mirror.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import { silentLogger, type Logger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { startGlueEmulator, type GlueEmulator, type GlueEmulatorOptions } from '../emulators/glue/index.js';
import { GlueLake, type ObjectStore } from '../emulators/glue/lake.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import type { HarnessStorage } from '../support/harness.js';

export const CATALOG = 'glue_mirror';
export const CLIENT_ID = 'glue-mirror-client';
export const CLIENT_SECRET = 'glue-mirror-secret-7c1d';
export const QUEUE = 'glue-changes';
export const DLQ = 'glue-changes-dlq';
export const SOURCE = 'glue-main';

export interface GlueHarness {
  readonly polaris: PolarisEmulator;
  readonly glue: GlueEmulator;
  readonly lake: GlueLake;
  readonly dir: string;
  readonly configFile: string;
  readonly queueUrl: string;
  /** Rewrites the config; `source` is the glue source entry (events on by default). */
  writeConfig(edit?: (source: Record<string, any>, config: Record<string, any>) => void): Promise<void>;
  /** A Mirror over the config; pass a logger to see what it logs (default: silent). */
  openMirror(metrics?: Metrics, logger?: Logger): Mirror;
  sync(options?: { allowMassDrop?: boolean }): Promise<{ summary: SyncSummary; rows: MirrorRow[]; metrics: Metrics }>;
  /** Polaris's tables as "db.table" → metadata location. */
  polarisState(): Map<string, string>;
  close(): Promise<void>;
}

export async function startGlueHarness(
  options: { glue?: GlueEmulatorOptions; visibilityTimeoutSeconds?: number; maxReceiveCount?: number; storage?: HarnessStorage } = {},
): Promise<GlueHarness> {
  // The SDK's default credential chain reads these; the emulator checks requests are signed.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'emulator-secret-key';
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-glue-'));
  const polaris = await startPolarisEmulator();
  const onFiles = options.storage === 'file';
  const root = onFiles ? dirUri(join(dir, 'lake')) : 's3://lake/warehouse';
  polaris.createCatalog({ name: CATALOG, allowedLocations: [root] });
  polaris.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { mirror: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
  const glue = await startGlueEmulator(options.glue);
  glue.sqs.createQueue({ name: DLQ });
  const queueUrl = glue.sqs.createQueue({
    name: QUEUE,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    redrive: { maxReceiveCount: options.maxReceiveCount ?? 3, deadLetterQueue: DLQ },
  });
  const lake = await GlueLake.create(glue.catalog, onFiles ? directoryStore : polaris, root);
  const configFile = join(dir, 'polaris-mirror.yaml');
  const statePath = join(dir, 'state', 'state.db');

  const harness: GlueHarness = {
    polaris,
    glue,
    lake,
    dir,
    configFile,
    queueUrl,
    async writeConfig(edit) {
      const source: Record<string, any> = {
        name: SOURCE,
        type: 'glue',
        region: 'us-east-1',
        endpoint: glue.url,
        events: { queueUrl, endpoint: glue.url, waitSeconds: 1 },
        requestsPerSecond: 0,
        target: { catalog: CATALOG },
      };
      const config: Record<string, any> = {
        polaris: { uri: polaris.url, auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, concurrency: 8, retry: { baseDelayMs: 20, maxDelayMs: 500 } },
        state: { path: statePath },
        sources: [source],
      };
      edit?.(source, config);
      await writeFile(configFile, YAML.stringify(config));
    },
    openMirror(metrics = new Metrics(), logger = silentLogger()) {
      const loaded = loadConfig(configFile);
      return new Mirror({ loaded, logger, metrics, redactor: new Redactor(loaded.secrets) });
    },
    async sync(syncOptions = {}) {
      const metrics = new Metrics();
      const mirror = harness.openMirror(metrics);
      try {
        const summary = await runSync(mirror, { progress: false, ...syncOptions });
        return { summary, rows: (await mirror.ledger.rowsOfSource(SOURCE)), metrics };
      } finally {
        await mirror.close();
      }
    },
    polarisState() {
      return new Map(polaris.tables(CATALOG).map((t) => [[...t.namespace, t.name].join('.'), t.metadataLocation]));
    },
    async close() {
      await glue.close();
      await polaris.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await harness.writeConfig();
  return harness;
}

/** Metadata files on the local disk, addressed as file:// (a lake on a shared file system). */
const directoryStore: ObjectStore = {
  putObject(uri, content) {
    const path = fileURLToPath(uri);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  },
  deleteObject(uri) {
    rmSync(fileURLToPath(uri), { force: true });
  },
};

/** Polls until `check` holds (or fails the test after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs the source's change capture and a dispatcher in-process, as `run` does, until stopped. */
export function watchInProcess(mirror: Mirror): { stop(): Promise<void>; errors: unknown[] } {
  const source = mirror.sources.get(SOURCE)!;
  const controller = new AbortController();
  const errors: unknown[] = [];
  const dispatcher = mirror.createDispatcher();
  const dispatching = dispatcher.run(controller.signal);
  const watching = source.adapter.watch!(source.sink, controller.signal).catch((error: unknown) => errors.push(error));
  return {
    errors,
    async stop() {
      controller.abort();
      await dispatcher.stop();
      await Promise.allSettled([dispatching, watching]);
    },
  };
}

/** Sum of a counter's values whose labels match. */
export async function counter(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((n, v) => n + Number(v.value), 0);
}
