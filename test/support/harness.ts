// Test and benchmark harness: a Polaris emulator with catalogs and a connector principal, a temporary
// warehouse, a config file for the connector, and helpers to write tables and run the CLI for real.
//
// Storage: 'file' (default) — Polaris reads the warehouse as file:// (FILE storage); 's3' — the
// emulator serves the warehouse directory as the bucket prefix s3://lake/warehouse, the catalog allows
// that prefix, and tables are written (and the files source reports them, via rootUri) as s3:// — the
// storage production Polaris runs on, with its own answers (e.g. 400 for a purged metadata file).
import type { LedgerBackend } from '../../src/ledger/ledger.js';
import { dropSchema, freshSchema } from './postgres-server.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { dirUri, writeFixtureTable, type FixtureName } from '../emulators/polaris/fixture-warehouse.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator, PolarisEmulatorOptions } from '../emulators/polaris/types.js';
import { packageRoot } from '../../src/util/package-info.js';

export const CLIENT_ID = 'mirror-client';
export const CLIENT_SECRET = 'mirror-secret-3b6f1e0a9c';
export const CATALOG = 'lake_mirror';
/** Where Polaris reads the warehouse in 's3' storage mode. */
export const S3_WAREHOUSE = 's3://lake/warehouse';

export type HarnessStorage = 'file' | 's3';
/** Both storage kinds, for describe.each over tests that must hold on either. */
export const STORAGES: readonly HarnessStorage[] = ['file', 's3'];

/**
 * Storage × ledger cases for the engine tests: both storages on the SQLite ledger, and the PostgreSQL
 * ledger once (on FILE storage) — every behaviour holds on both ledgers without tripling the run time.
 */
export const ENGINE_CASES: ReadonlyArray<{ storage: HarnessStorage; ledger: LedgerBackend }> = [
  { storage: 'file', ledger: 'sqlite' },
  { storage: 's3', ledger: 'sqlite' },
  { storage: 'file', ledger: 'postgres' },
];

export interface Harness {
  readonly emulator: PolarisEmulator;
  readonly dir: string;
  readonly warehouse: string;
  readonly configFile: string;
  /** The SQLite ledger file (when the ledger is SQLite). */
  readonly statePath: string;
  readonly ledger: LedgerBackend;
  readonly storage: HarnessStorage;
  /** How Polaris addresses the warehouse directory: its file:// URI, or S3_WAREHOUSE. */
  readonly warehouseUri: string;
  /** How Polaris addresses a table directory of the warehouse. */
  tableLocation(namespace: string[], name: string): string;
  /** The local file behind a location in the warehouse (file:// or under S3_WAREHOUSE). */
  pathOf(location: string): string;
  /** Writes a file at a location in the warehouse (as an engine writing to that storage would). */
  writeObject(location: string, content: string): Promise<void>;
  /** Writes (or rewrites) a table; returns its metadata location. Each table name keeps one UUID. */
  writeTable(namespace: string[], name: string, options?: { fixture?: FixtureName; uuid?: string; lastUpdatedMs?: number }): Promise<string>;
  dropTable(namespace: string[], name: string): Promise<void>;
  /** Rewrites the config file with these changes merged into the default one. */
  writeConfig(overrides?: (config: Record<string, any>) => void): Promise<void>;
  /** Polaris's tables as "ns.table" → metadata location. */
  polarisState(): Map<string, string>;
  close(): Promise<void>;
}

export async function startHarness(options: { emulator?: PolarisEmulatorOptions; storage?: HarnessStorage; ledger?: LedgerBackend } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-test-'));
  const warehouse = join(dir, 'warehouse');
  const storage = options.storage ?? 'file';
  const emulator = await startPolarisEmulator(options.emulator);
  const warehouseUri = storage === 's3' ? S3_WAREHOUSE : dirUri(warehouse);
  if (storage === 's3') emulator.mountBucket(S3_WAREHOUSE, warehouse);
  emulator.createCatalog({ name: CATALOG, allowedLocations: [warehouseUri] });
  emulator.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { mirror: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
  const configFile = join(dir, 'polaris-mirror.yaml');
  const statePath = join(dir, 'state', 'state.db');
  const ledger = options.ledger ?? 'sqlite';
  // The PostgreSQL ledger: a schema of its own in the test run's database, its URL (with the password)
  // from the environment as an operator would write it.
  const schema = ledger === 'postgres' ? freshSchema('h') : undefined;
  const state = schema ? { url: '${POLARIS_MIRROR_TEST_PG_URL}', schema } : { path: statePath };
  const uuids = new Map<string, string>();
  let version = 1;

  const tableLocation = (namespace: string[], name: string) =>
    storage === 's3' ? `${S3_WAREHOUSE}/${[...namespace, name].join('/')}` : dirUri(join(warehouse, ...namespace, name));
  const pathOf = (location: string) => {
    if (location.startsWith(`${S3_WAREHOUSE}/`)) return join(warehouse, ...location.slice(S3_WAREHOUSE.length + 1).split('/'));
    if (location.startsWith('file:')) return fileURLToPath(location);
    throw new Error(`${location} is not in the warehouse (${warehouseUri})`);
  };

  const harness: Harness = {
    emulator,
    dir,
    warehouse,
    configFile,
    statePath,
    ledger,
    storage,
    warehouseUri,
    tableLocation,
    pathOf,
    async writeObject(location, content) {
      const path = pathOf(location);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    },
    async writeTable(namespace, name, opts = {}) {
      const key = [...namespace, name].join('.');
      const uuid = opts.uuid ?? uuids.get(key) ?? randomUUID();
      uuids.set(key, uuid);
      const table = await writeFixtureTable(join(warehouse, ...namespace, name), {
        fixture: opts.fixture ?? 'TableMetadataV2ValidMinimal.json',
        version: version++,
        ...(storage === 's3' ? { tableLocation: tableLocation(namespace, name) } : {}),
        edit: (m) => {
          m['table-uuid'] = uuid;
          m['last-updated-ms'] = opts.lastUpdatedMs ?? Date.now();
        },
      });
      return table.metadataLocation;
    },
    async dropTable(namespace, name) {
      uuids.delete([...namespace, name].join('.'));
      await rm(join(warehouse, ...namespace, name), { recursive: true, force: true });
    },
    async writeConfig(overrides) {
      const config: Record<string, any> = {
        polaris: { uri: emulator.url, auth: { clientId: CLIENT_ID, clientSecret: '${TEST_CLIENT_SECRET}' }, concurrency: 8, retry: { baseDelayMs: 20, maxDelayMs: 500 } },
        state,
        sources: [{ name: 'lake', type: 'files', root: warehouse, ...(storage === 's3' ? { rootUri: S3_WAREHOUSE } : {}), target: { catalog: CATALOG } }],
      };
      overrides?.(config);
      await writeFile(configFile, YAML.stringify(config));
    },
    polarisState() {
      return new Map(emulator.tables(CATALOG).map((t) => [[...t.namespace, t.name].join('.'), t.metadataLocation]));
    },
    async close() {
      await emulator.close();
      if (schema) await dropSchema(schema);
      await rm(dir, { recursive: true, force: true });
    },
  };
  process.env.TEST_CLIENT_SECRET = CLIENT_SECRET;
  await harness.writeConfig();
  return harness;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI (dist/), as users run it. `npm test` builds first. */
export function cliPath(): string {
  return join(packageRoot(), 'bin', 'polaris-mirror.js');
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [cliPath(), ...args], {
    env: { ...process.env, TEST_CLIENT_SECRET: CLIENT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 150_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`polaris-mirror ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
