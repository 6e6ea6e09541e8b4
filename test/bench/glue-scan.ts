// Benchmark: a Glue Data Catalog of 100,000 Iceberg tables in 20 databases mirrored into Polaris.
// Three processes: the connector (the real CLI), the Glue + SQS emulator holding the catalog
// (test/emulators/glue/cli.ts), and the Polaris emulator holding the tables' metadata files as S3
// objects (test/emulators/polaris/cli.ts); this process only drives them over their control endpoints,
// so each one's figures are its own. Figures: `sync` wall time and peak RSS, Glue calls by operation, a
// second sync with no change, then event latency at 100 events/s (glue-event-latency.ts) against the
// same ledger while `run`'s start-up pass lists the catalog.
// Targets (1,000,000 tables): first sync ≤ 10 min, ≤ 400 MB, Glue calls ≈ databases + tables/100
// (+ database pages); no-change sync ≤ 2 min with 0 notifications; p99 event latency ≤ 200 ms.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDatabaseOf } from '../emulators/glue/bench-lake.js';
import { configYaml, startRemoteEmulator, sum, timeCli, type RemoteEmulator, removeBenchDir } from './bench-kit.js';
import { startRemoteGlue, type RemoteGlue } from './glue-remote.js';
import { measureEventLatency, type EventLatency } from './glue-event-latency.js';

const CATALOG = 'glue_mirror';
const QUEUE = 'glue-changes';
const ROOT = 's3://bench/warehouse';
/**
 * Both emulators stand in for services that do not share the connector's cores, yet at 1,000,000
 * tables they hold their catalog in their own heap. With V8's default young generation the garbage of
 * answering the start-up pass's pages was promoted, and the full collections that followed paused the
 * emulators for hundreds of milliseconds in the middle of the event phase, which the event latencies
 * then carried (README, "The emulators' heaps"). A larger young generation lets that
 * garbage die young; and their heaps may grow past Node's default limit. The connector runs with Node's
 * defaults, as users run it.
 */
const EMULATOR_NODE_ARGS = ['--max-old-space-size=8192', '--max-semi-space-size=64'];
/** Credentials for the SDK's default chain; the emulator only checks that requests are signed. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', LOG_LEVEL: 'warn' };

export interface GlueScanRun {
  seconds: number;
  rssMb: number | undefined;
  /** CPU seconds of the connector process (user + system). */
  cpuSeconds: number | undefined;
  notifications: number;
  glueCalls: Record<string, number>;
  /** The machine's 1-minute load average when the run ended (the machine is shared: times inflate). */
  loadAverage: number;
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
  readonly glue: RemoteGlue;
  readonly polaris: RemoteEmulator;
  readonly tables: number;
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
  const polaris = await startRemoteEmulator({ catalogs: [{ name: CATALOG, allowedLocations: [ROOT] }], nodeArgs: EMULATOR_NODE_ARGS });
  let glue: RemoteGlue | undefined;
  try {
    // Small generated metadata (the minimal v2 fixture relocated, ~1 KB), one file per table, each
    // with its own table-uuid, written by the Glue emulator's process into Polaris's object store.
    glue = await startRemoteGlue({ polarisControl: polaris.controlUrl, root: ROOT, queue: QUEUE, tables, databases }, EMULATOR_NODE_ARGS);
    const { url: glueUrl, queueUrl } = glue;
    const databaseOf = (i: number) => benchDatabaseOf(i, databases);
    const configFile = join(dir, 'config.yaml');
    const setup: GlueBenchSetup = {
      dir,
      configFile,
      glue,
      polaris,
      tables,
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
              `    endpoint: ${glueUrl}`,
              `    requestsPerSecond: ${requestsPerSecond}`,
              `    scanIntervalSeconds: ${options.scanIntervalSeconds ?? 900}`,
              `    events: { queueUrl: "${queueUrl}", endpoint: "${glueUrl}", waitSeconds: 20 }`,
              `    target: { catalog: ${CATALOG} }`,
            ],
          }),
        ),
    };
    await setup.writeConfig({});

    const phase = (what: string) => process.stderr.write(`glue bench: ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    phase(`${tables} tables created in the emulators`);
    const first = await scan(setup);
    phase(`first sync done: ${JSON.stringify(first)}`);
    const second = await scan(setup);
    phase(`second sync done: ${JSON.stringify(second)}`);
    const latency = await measureEventLatency(setup, events.rate, events.seconds);
    phase(`event latency measured: ${JSON.stringify(latency)}`);
    return { tables, databases, requestsPerSecond, first, second, events: latency };
  } finally {
    await glue?.stop();
    await polaris.stop();
    removeBenchDir(dir);
  }
}

/** One `sync` of the real CLI: wall time, peak RSS, notifications sent, Glue calls by operation. */
async function scan(setup: GlueBenchSetup): Promise<GlueScanRun> {
  const notifications = /^(CREATE|UPDATE|DROP|VALIDATE):/;
  const before = sum(await setup.polaris.stats(), notifications);
  await setup.glue.resetCalls();
  const run = await timeCli(['sync', '--config', setup.configFile, '--no-progress'], AWS_ENV);
  if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stdout}\n${run.stderr}`);
  return { seconds: run.seconds, rssMb: run.maxRssMb, cpuSeconds: run.cpuSeconds, notifications: sum(await setup.polaris.stats(), notifications) - before, glueCalls: await setup.glue.calls(), loadAverage: loadavg()[0]! };
}
