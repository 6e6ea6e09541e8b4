// Benchmark: a Glue Data Catalog of 100,000 Iceberg tables in 20 databases mirrored into Polaris.
// The connector is the real CLI in its own process; both emulators (Glue + SQS, and Polaris holding
// the tables' metadata files as in-memory S3 objects) run in this process, i.e. on the other core.
// Figures: `sync` wall time and peak RSS, Glue calls by operation, a second sync with no change, then
// event latency at 100 events/s (glue-event-latency.ts) against the same 100,000-table ledger.
// Targets: ≤ 120 s, ≤ 300 MB, Glue calls ≈ databases + tables/100 (+ database pages), 0 notifications
// on the no-change sync, p99 event latency ≤ 1 s.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGlueEmulator, type GlueEmulator } from '../emulators/glue/index.js';
import { GlueLake } from '../emulators/glue/lake.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import { CLIENT_ID, CLIENT_SECRET, configYaml, sum, timeCli } from './bench-kit.js';
import { measureEventLatency, type EventLatency } from './glue-event-latency.js';

const CATALOG = 'glue_mirror';
const QUEUE = 'glue-changes';
/** Credentials for the SDK's default chain; the emulator only checks that requests are signed. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', LOG_LEVEL: 'warn' };

export interface GlueScanRun {
  seconds: number;
  rssMb: number | undefined;
  notifications: number;
  glueCalls: Record<string, number>;
}

export interface GlueBenchResult {
  tables: number;
  databases: number;
  requestsPerSecond: number;
  first: GlueScanRun;
  second: GlueScanRun;
  events: EventLatency;
}

export interface GlueBenchSetup {
  readonly dir: string;
  readonly configFile: string;
  readonly glue: GlueEmulator;
  readonly polaris: PolarisEmulator;
  readonly lake: GlueLake;
  readonly queue: string;
  readonly catalog: string;
  /** The database of table t<i>. */
  databaseOf(i: number): string;
  /** Environment of every connector process (AWS credentials, log level). */
  readonly env: NodeJS.ProcessEnv;
  /** The config with an HTTP server (for /metrics) on this port: what `run` needs for the event phase. */
  writeConfig(options: { serverPort?: number; scanIntervalSeconds?: number }): Promise<void>;
}

/**
 * requestsPerSecond: the client-side limit on Glue calls. Each event costs one GetTable, so the limit
 * must be above the event rate (100/s here); the scan needs databases + tables/100 calls.
 */
export async function benchGlueScan(
  tables = 100_000,
  databases = 20,
  requestsPerSecond = 200,
  /** The event phase: events per second, for how many seconds (the shortened test variant sends fewer). */
  events: { rate: number; seconds: number } = { rate: 100, seconds: 30 },
): Promise<GlueBenchResult> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-glue-'));
  const polaris = await startPolarisEmulator();
  const glue = await startGlueEmulator();
  try {
    polaris.createCatalog({ name: CATALOG, allowedLocations: ['s3://bench/warehouse'] });
    polaris.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { bench: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
    const lake = await GlueLake.create(glue.catalog, polaris, 's3://bench/warehouse');
    // Small generated metadata (the minimal v2 fixture relocated, ~1 KB), one file per table, each
    // with its own table-uuid, exposed to Polaris as S3 objects.
    const databaseOf = (i: number) => `db${String(i % databases).padStart(2, '0')}`;
    for (let i = 0; i < tables; i++) lake.commit(databaseOf(i), `t${i}`);
    const queueUrl = glue.sqs.createQueue({ name: QUEUE, visibilityTimeoutSeconds: 30 });
    const configFile = join(dir, 'config.yaml');
    const setup: GlueBenchSetup = {
      dir,
      configFile,
      glue,
      polaris,
      lake,
      queue: QUEUE,
      catalog: CATALOG,
      databaseOf,
      env: AWS_ENV,
      writeConfig: (options) =>
        writeFile(
          configFile,
          configYaml({
            uri: polaris.url,
            statePath: join(dir, 'state.db'),
            concurrency: 16,
            server: options.serverPort === undefined ? undefined : `  host: 127.0.0.1\n  port: ${options.serverPort}`,
            sources: [
              '  - name: glue',
              '    type: glue',
              '    region: us-east-1',
              `    endpoint: ${glue.url}`,
              `    requestsPerSecond: ${requestsPerSecond}`,
              `    scanIntervalSeconds: ${options.scanIntervalSeconds ?? 900}`,
              `    events: { queueUrl: "${queueUrl}", endpoint: "${glue.url}", waitSeconds: 20 }`,
              `    target: { catalog: ${CATALOG} }`,
            ],
          }),
        ),
    };
    await setup.writeConfig({});

    const phase = (what: string) => process.stderr.write(`glue bench: ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    phase(`${tables} tables created in the emulators`);
    const first = await scan(setup);
    phase(`first sync done (${first.seconds.toFixed(1)} s)`);
    const second = await scan(setup);
    phase(`second sync done (${second.seconds.toFixed(1)} s)`);
    const latency = await measureEventLatency(setup, events.rate, events.seconds);
    phase('event latency measured');
    return { tables, databases, requestsPerSecond, first, second, events: latency };
  } finally {
    await glue.close();
    await polaris.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One `sync` of the real CLI: wall time, peak RSS, notifications sent, Glue calls by operation. */
async function scan(setup: GlueBenchSetup): Promise<GlueScanRun> {
  const notifications = /^(CREATE|UPDATE|DROP|VALIDATE):/;
  const before = sum(setup.polaris.stats(), notifications);
  setup.glue.resetCalls();
  const run = await timeCli(['sync', '--config', setup.configFile, '--no-progress'], AWS_ENV);
  if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stdout}\n${run.stderr}`);
  return { seconds: run.seconds, rssMb: run.maxRssMb, notifications: sum(setup.polaris.stats(), notifications) - before, glueCalls: setup.glue.calls() };
}
