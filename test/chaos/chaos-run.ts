// The chaos run: the real CLI (`run`) against the Polaris emulator with faults — 10% 503, 5% 429 with
// Retry-After, 2% connection resets, 1% answers slower than the client timeout, tokens expiring every
// 20 s — while a files warehouse goes through creates, commits, drops, re-creates and renames, and the
// connector is killed with SIGKILL at random moments and restarted. At the end Polaris must equal the
// source, no DROP may have hit a table that existed, and every failed table must carry a reason.
// The source has a second target, a disaster-recovery Polaris (another emulator, another realm) that is
// stopped once mid-run and comes back empty on the same address: it must be refilled and converge too.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { mulberry32 } from '../emulators/polaris/faults.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import { runCli, spawnCli } from '../support/harness.js';
import { ChaosWarehouse, type ChangeKind } from './chaos-warehouse.js';
import { diagnose } from './chaos-diagnosis.js';
import { freePort } from '../support/free-port.js';

export interface ChaosOptions {
  readonly tables: number;
  readonly changes: number;
  readonly kills: number;
  /** How long the changes are spread over. */
  readonly changeSeconds: number;
  readonly convergeTimeoutSeconds?: number;
  readonly namespaces?: number;
  /** Added to every Polaris answer: longer flights make more changes land while a table is in flight. */
  readonly latencyMs?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
  /** Leaves the run's directory (daemon.log, the warehouse, a SQLite ledger) in place, and logs where. */
  readonly keepDir?: boolean;
  /** The daemons' log level (default warn; its lines name the tables in the diagnosis of a divergent run). */
  readonly daemonLogLevel?: 'debug' | 'info' | 'warn';
  /**
   * A shared PostgreSQL ledger instead of a SQLite file: `replicas` daemons run at once (each SIGKILL
   * hits a random one), and the database is stopped abruptly (`pg_ctl stop -m immediate`) and restarted
   * `databaseCrashes` times mid-run.
   */
  readonly postgres?: { readonly url: string; readonly schema: string; crash(): void; start(): void };
  readonly replicas?: number;
  readonly databaseCrashes?: number;
}

export interface ChaosReport {
  readonly changes: number;
  readonly byKind: Record<ChangeKind, number>;
  readonly notifications: number;
  readonly faultsInjected: number;
  readonly conflicts409: number;
  readonly killsSurvived: number;
  readonly converged: boolean;
  /** Tables where Polaris and the source disagree at the end ("ns.t: polaris X, source Y"). */
  readonly divergent: string[];
  /** For each divergent table: its source timeline, notification histories, ledger rows, daemon log lines. */
  readonly diagnosis: string;
  /** Accepted DROPs of a table the source held the whole time around them. */
  readonly wrongDrops: string[];
  readonly failed: Array<{ table: string; message: string | null; hint: string | null }>;
  /** Each source's last error at the end (a refused pass — the mass-drop brake — shows here). */
  readonly sourceErrors: Array<{ source: string; message: string; hint: string | null }>;
  readonly exitCode: number | null;
  readonly seconds: number;
  /** From the last change to both targets equal to the source (null: never within the timeout). */
  readonly convergeSeconds: number | null;
  readonly tablesAtEnd: number;
  readonly replicas: number;
  readonly databaseCrashes: number;
}

const CATALOG = 'chaos_mirror';
const CLIENT_ID = 'chaos-client';
const CLIENT_SECRET = 'chaos-secret-4f1c2d';
const DR_CATALOG = 'chaos_dr';
const DR_REALM = 'DR';

type Emulator = Awaited<ReturnType<typeof startPolarisEmulator>>;

/** The second target: light faults only; `port` to come back (empty) on the same address. */
async function startDr(warehouse: string, port?: number): Promise<Emulator> {
  const dr = await startPolarisEmulator({ realm: DR_REALM, seed: 11, faults: { rate503: 0.02 }, ...(port === undefined ? {} : { port }) });
  dr.createCatalog({ name: DR_CATALOG, allowedLocations: [dirUri(warehouse)] });
  dr.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { chaos: { [DR_CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
  return dr;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = mulberry32(options.seed ?? 20261125);
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-chaos-'));
  const warehouse = join(dir, 'warehouse');
  const emulator = await startPolarisEmulator({
    seed: options.seed ?? 7,
    tokenTtlSeconds: 20,
    faults: { rate503: 0.1, rate429: 0.05, retryAfterSeconds: 1, rateReset: 0.02, rateSlow: 0.01, slowMs: 2_500, latencyMs: options.latencyMs ?? 0 },
  });
  let dr = await startDr(warehouse);
  const drPort = Number(new URL(dr.url).port);
  let drRestart: Promise<void> | undefined;
  const daemonLog = createWriteStream(join(dir, 'daemon.log'));
  const replicas = options.postgres ? (options.replicas ?? 3) : 1;
  const daemons: Array<ChildProcess | undefined> = [];
  try {
    emulator.createCatalog({ name: CATALOG, allowedLocations: [dirUri(warehouse)] });
    emulator.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { chaos: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
    const source = new ChaosWarehouse(warehouse, options.namespaces ?? 20, random);
    for (let i = 0; i < options.tables; i++) await source.create(source.nameFor(i));
    log(`warehouse: ${source.size} tables`);

    const state = options.postgres ? { url: options.postgres.url, schema: options.postgres.schema } : { path: join(dir, 'state.db') };
    // One config per replica, the same but for server.port (as replicas are deployed).
    const configFile = join(dir, 'polaris-mirror.yaml');
    const configFiles: string[] = [];
    for (let r = 0; r < replicas; r++) {
      const file = r === 0 ? configFile : join(dir, `replica-${r}.yaml`);
      configFiles.push(file);
      await writeFile(
      file,
      YAML.stringify({
        polaris: {
          uri: emulator.url,
          auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
          concurrency: 16,
          requestTimeoutMs: 1_500,
          retry: { maxAttempts: 30, baseDelayMs: 100, maxDelayMs: 2_000 },
          probeIntervalSeconds: 5,
        },
        polarisInstances: {
          dr: {
            uri: dr.url,
            realm: DR_REALM,
            auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
            concurrency: 8,
            requestTimeoutMs: 1_500,
            retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 },
            probeIntervalSeconds: 1,
          },
        },
        state,
        server: { host: '127.0.0.1', port: await freePort() },
        log: { level: options.daemonLogLevel ?? 'warn' },
        sources: [
          {
            name: 'lake',
            type: 'files',
            root: warehouse,
            targets: [{ catalog: CATALOG }, { polaris: 'dr', catalog: DR_CATALOG }],
            pollIntervalSeconds: 1,
            // Also how often `run` checks each target's listing for lost tables (the DR comes back empty).
            reconcileIntervalSeconds: 5,
            // The workload drops or renames about a quarter of its tables every second; across a database
            // stop or a watcher-lease hand-over (up to 20 s) over half of the tables the last pass saw can be
            // gone, which is what the mass-drop brake is there to question. 0.75 lets that churn through and
            // still refuses a listing that comes back (nearly) empty.
            maxDropFraction: 0.75,
          },
        ],
      }),
      );
    }
    const start = (r: number) => {
      const child = spawnCli(['run', '--config', configFiles[r]!]);
      child.stdout!.pipe(daemonLog, { end: false });
      child.stderr!.pipe(daemonLog, { end: false });
      daemons[r] = child;
    };
    for (let r = 0; r < replicas; r++) start(r);

    // The changes, evenly paced, with SIGKILLs at random moments in between.
    const remaining = Math.max(0, options.changes - options.tables);
    const killAt = Array.from({ length: options.kills }, () => Math.floor((0.1 + 0.8 * random()) * remaining)).sort((a, b) => a - b);
    const crashAt = Array.from({ length: options.postgres ? (options.databaseCrashes ?? 1) : 0 }, () => Math.floor((0.2 + 0.6 * random()) * remaining)).sort(
      (a, b) => a - b,
    );
    // The DR instance goes away once, a third of the way in, and comes back empty 3 s later.
    const drDownAt = Math.floor(remaining / 3);
    const pace = (options.changeSeconds * 1000) / Math.max(1, remaining);
    const changeStart = Date.now();
    let kills = 0;
    let crashes = 0;
    for (let i = 0; i < remaining; i++) {
      while (killAt[0] !== undefined && killAt[0] <= i) {
        killAt.shift();
        const r = Math.floor(random() * replicas);
        const victim = daemons[r]!;
        victim.kill('SIGKILL');
        await new Promise((resolve) => (victim.exitCode !== null || victim.signalCode !== null ? resolve(undefined) : victim.once('exit', resolve)));
        kills++;
        start(r);
        log(`SIGKILL ${kills} (replica ${r}) after ${i} changes; restarted`);
      }
      while (crashAt[0] !== undefined && crashAt[0] <= i) {
        crashAt.shift();
        options.postgres!.crash();
        crashes++;
        log(`PostgreSQL stopped abruptly (${crashes}) after ${i} changes`);
        // Changes go on while it is down; it comes back a few seconds later.
        setTimeout(() => {
          options.postgres!.start();
          log('PostgreSQL restarted');
        }, 3_000);
      }
      if (i === drDownAt) {
        await dr.close();
        log(`DR Polaris stopped after ${i} changes`);
        drRestart = new Promise((resolve) => setTimeout(resolve, 3_000)).then(async () => {
          dr = await startDr(warehouse, drPort);
          log('DR Polaris back, empty');
        });
      }
      await source.change();
      const due = changeStart + (i + 1) * pace;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
    await drRestart;
    log(`changes done: ${JSON.stringify(source.changes)}; waiting for Polaris to converge`);

    const changesDone = Date.now();
    const deadline = changesDone + (options.convergeTimeoutSeconds ?? 180) * 1000;
    let converged = false;
    let convergeSeconds: number | null = null;
    while (Date.now() < deadline) {
      const wanted = source.state();
      if (sameState(polarisState(emulator), wanted) && sameState(polarisState(dr, DR_CATALOG), wanted)) {
        converged = true;
        convergeSeconds = (Date.now() - changesDone) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const exitCodes = await Promise.all(
      daemons.map((d) => {
        d!.kill('SIGTERM');
        return new Promise<number | null>((resolve) => d!.once('exit', (code) => resolve(code)));
      }),
    );
    daemons.length = 0;
    const exitCode = exitCodes.find((code) => code !== 0) ?? 0;

    const status = JSON.parse((await runCli(['status', '--config', configFile, '--json'])).stdout) as {
      sources: Array<{ name: string; lastError: string | null; lastHint: string | null; failed: Array<{ table: string; message: string | null; hint: string | null }> }>;
    };
    const stats = emulator.stats();
    const finalPolaris = polarisState(emulator);
    const finalSource = source.state();
    const finalDr = polarisState(dr, DR_CATALOG);
    const divergentKeys = [...new Set([...divergentTables(finalPolaris, finalSource), ...divergentTables(finalDr, finalSource)])];
    await new Promise<void>((resolve) => daemonLog.write('', () => resolve()));
    const diagnosis = await diagnose(
      divergentKeys.map((key) => {
        const [namespace, name] = key.split('.') as [string, string];
        return {
          key,
          timeline: source.timeline.get(key) ?? [],
          histories: { [CATALOG]: emulator.history(CATALOG, [namespace], name), [`dr/${DR_CATALOG}`]: dr.history(DR_CATALOG, [namespace], name) },
        };
      }),
      state,
      join(dir, 'daemon.log'),
      started,
    );
    return {
      changes: Object.values(source.changes).reduce((a, b) => a + b, 0),
      byKind: { ...source.changes },
      notifications: Object.entries(stats.notifications).reduce((n, [, c]) => n + c, 0),
      faultsInjected: (stats.byStatus['429'] ?? 0) + (stats.byStatus['503'] ?? 0) + (stats.byStatus['reset'] ?? 0),
      conflicts409: Object.entries(stats.notifications).filter(([k]) => k.endsWith(':409')).reduce((n, [, c]) => n + c, 0),
      killsSurvived: kills,
      converged,
      divergent: [...divergence(finalPolaris, finalSource), ...divergence(finalDr, finalSource).map((d) => `dr: ${d}`)],
      diagnosis,
      wrongDrops: [...wrongDrops(emulator, source), ...wrongDrops(dr, source, DR_CATALOG).map((d) => `dr: ${d}`)],
      failed: status.sources.flatMap((s) => s.failed),
      sourceErrors: status.sources.flatMap((s) => (s.lastError ? [{ source: s.name, message: s.lastError, hint: s.lastHint }] : [])),
      exitCode,
      seconds: (Date.now() - started) / 1000,
      convergeSeconds,
      tablesAtEnd: finalSource.size,
      replicas,
      databaseCrashes: crashes,
    };
  } finally {
    for (const d of daemons) d?.kill('SIGKILL');
    await emulator.close();
    await drRestart?.catch(() => undefined);
    await dr.close();
    daemonLog.end();
    if (options.keepDir) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

function polarisState(emulator: Emulator, catalog = CATALOG): Map<string, string> {
  return new Map(emulator.tables(catalog).map((t) => [[...t.namespace, t.name].join('.'), t.metadataLocation]));
}

function sameState(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([key, location]) => b.get(key) === location);
}

function divergentTables(polaris: Map<string, string>, source: Map<string, string>): string[] {
  return [...new Set([...polaris.keys(), ...source.keys()])].filter((k) => polaris.get(k) !== source.get(k));
}

function divergence(polaris: Map<string, string>, source: Map<string, string>): string[] {
  return divergentTables(polaris, source).map((k) => `${k}: polaris ${polaris.get(k) ?? 'absent'}, source ${source.get(k) ?? 'absent'}`);
}

/**
 * A DROP Polaris accepted is wrong if the source held the table throughout the seconds before it: the
 * connector re-reads the source right before each DROP, so a correct one follows an absence closely.
 */
function wrongDrops(emulator: Emulator, source: ChaosWarehouse, catalog = CATALOG): string[] {
  const wrong: string[] = [];
  for (const key of source.timeline.keys()) {
    const [namespace, name] = key.split('.');
    for (const entry of emulator.history(catalog, [namespace!], name!)) {
      if (entry.type !== 'DROP' || entry.status !== 204) continue;
      if (!source.absentDuring(key, entry.at - 10_000, entry.at)) wrong.push(`${key} at ${new Date(entry.at).toISOString()}`);
    }
  }
  return wrong;
}


