// The live test's scenario, against any Polaris speaking the real APIs: a real Polaris server
// (`npm run test:live`) or the emulator with its management API (a rehearsal inside `npm test`, so
// the scenario itself is known to work). It sets Polaris up through the management API exactly as the
// README tells an operator to, runs the real CLI, checks every table through loadTable, changes and
// drops some (the dropped table's files deleted with it), checks again, and cleans up. The warehouse is
// on FILE storage or in an S3-compatible bucket (live-storage.ts).
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { runCli, type CliResult } from './harness.js';
import { fileStorage, type LiveStorage } from './live-storage.js';

export interface LiveTarget {
  /** Polaris's root URL, e.g. http://localhost:8181 (catalog API under /api/catalog, management under /api/management/v1). */
  readonly uri: string;
  readonly adminClientId: string;
  readonly adminClientSecret: string;
  readonly realm?: string;
  /** A directory for the run's files; with FILE storage Polaris must see it at the same path. */
  readonly sharedDir: string;
  /** Where Polaris reads the tables: FILE (default) or an S3-compatible bucket. */
  readonly storage?: LiveStorage;
}

export interface LiveReport {
  /** The catalog the scenario created (and deleted again). */
  readonly catalog: string;
  readonly firstSync: CliResult;
  readonly afterFirst: Map<string, string | undefined>;
  readonly secondSync: CliResult;
  readonly afterSecond: Map<string, string | undefined>;
  readonly expectedFirst: Map<string, string>;
  readonly expectedSecond: Map<string, string | undefined>;
  readonly cleanupProblems: string[];
}

export async function runLiveScenario(target: LiveTarget): Promise<LiveReport> {
  const run = randomUUID().slice(0, 8);
  const catalog = `pm_live_${run}`;
  const principal = `pm_live_${run}`;
  const principalRole = `pm_live_role_${run}`;
  const catalogRole = `pm_live_writer_${run}`;
  const dir = join(target.sharedDir, `polaris-mirror-live-${run}`);
  const warehouse = join(dir, 'warehouse');
  const base = target.uri.replace(/\/+$/, '');
  const headers = (token: string) => ({
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    ...(target.realm ? { 'polaris-realm': target.realm } : {}),
  });
  const admin = await token(base, target.adminClientId, target.adminClientSecret, target.realm);
  const call = async (method: string, path: string, body?: unknown, bearer = admin): Promise<Response> => {
    const response = await fetch(`${base}${path}`, { method, headers: headers(bearer), body: body === undefined ? undefined : JSON.stringify(body) });
    return response;
  };
  const must = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await call(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const cleanupProblems: string[] = [];
  const storage = target.storage ?? fileStorage;
  const warehouseUri = storage.warehouseUri(warehouse, run);
  const published = new Set<string>();

  await mkdir(warehouse, { recursive: true });
  try {
    // The set-up the README describes: an EXTERNAL catalog whose default-base-location is its allowed
    // location, a principal, roles, a grant.
    await must('POST', '/api/management/v1/catalogs', {
      catalog: {
        name: catalog,
        type: 'EXTERNAL',
        properties: { 'default-base-location': `${warehouseUri}/` },
        storageConfigInfo: storage.storageConfigInfo(warehouseUri),
      },
    });
    const created = (await must('POST', '/api/management/v1/principals', { principal: { name: principal } })) as {
      credentials: { clientId: string; clientSecret: string };
    };
    await must('POST', '/api/management/v1/principal-roles', { principalRole: { name: principalRole } });
    await must('PUT', `/api/management/v1/principals/${principal}/principal-roles`, { principalRole: { name: principalRole } });
    await must('POST', `/api/management/v1/catalogs/${catalog}/catalog-roles`, { catalogRole: { name: catalogRole } });
    await must('PUT', `/api/management/v1/catalogs/${catalog}/catalog-roles/${catalogRole}/grants`, {
      grant: { type: 'catalog', privilege: 'CATALOG_MANAGE_CONTENT' },
    });
    await must('PUT', `/api/management/v1/principal-roles/${principalRole}/catalog-roles/${catalog}`, { catalogRole: { name: catalogRole } });

    const tables: Array<[string[], string]> = [
      [['sales'], 'orders'],
      [['sales'], 'customers'],
      [['finance', 'eu'], 'ledger'],
      [['ops'], 'jobs'],
    ];
    const locations = new Map<string, string>();
    let version = 1;
    const write = async (namespace: string[], name: string, uuid: string) => {
      const dirOf = join(warehouse, ...namespace, name);
      const table = await writeFixtureTable(dirOf, {
        fixture: 'TableMetadataV2ValidMinimal.json',
        version: version++,
        ...(storage.kind === 'FILE' ? {} : { tableLocation: `${warehouseUri}/${[...namespace, name].join('/')}` }),
        edit: (m) => {
          m['table-uuid'] = uuid;
          m['last-updated-ms'] = Date.now();
        },
      });
      const file = table.metadataLocation.slice(table.metadataLocation.lastIndexOf('/') + 1);
      await storage.publish(join(dirOf, 'metadata', decodeURIComponent(file)), table.metadataLocation);
      published.add(table.metadataLocation);
      locations.set([...namespace, name].join('.'), table.metadataLocation);
    };
    /** Drops a table with its files, as DROP TABLE … PURGE does: Polaris can no longer read its metadata. */
    const purge = async (namespace: string[], name: string) => {
      const tableUri = `${warehouseUri}/${[...namespace, name].join('/')}/`;
      for (const uri of [...published].filter((u) => u.startsWith(tableUri))) {
        await storage.unpublish(uri);
        published.delete(uri);
      }
      await rm(join(warehouse, ...namespace, name), { recursive: true });
    };
    const uuids = new Map(tables.map(([ns, name]) => [[...ns, name].join('.'), randomUUID()]));
    for (const [namespace, name] of tables) await write(namespace, name, uuids.get([...namespace, name].join('.'))!);

    const configFile = join(dir, 'polaris-mirror.yaml');
    await writeFile(
      configFile,
      YAML.stringify({
        polaris: {
          uri: `${base}/api/catalog`,
          ...(target.realm ? { realm: target.realm } : {}),
          auth: { clientId: created.credentials.clientId, clientSecret: '${LIVE_CLIENT_SECRET}' },
        },
        state: { path: join(dir, 'state.db') },
        sources: [
          { name: 'live', type: 'files', root: warehouse, ...(storage.kind === 'FILE' ? {} : { rootUri: warehouseUri }), target: { catalog }, maxDropFraction: 0.5 },
        ],
      }),
    );
    const env = { LIVE_CLIENT_SECRET: created.credentials.clientSecret };
    const mirrorToken = await token(base, created.credentials.clientId, created.credentials.clientSecret, target.realm);
    const loadAll = async (names: Iterable<string>) => {
      const seen = new Map<string, string | undefined>();
      for (const name of names) seen.set(name, await loadedLocation(base, catalog, name, headers(mirrorToken)));
      return seen;
    };

    const firstSync = await runCli(['sync', '--config', configFile, '--no-progress'], env, 120_000);
    const expectedFirst = new Map(locations);
    const afterFirst = await loadAll(expectedFirst.keys());

    // A commit to one table, a table dropped with its files (a purged drop), a new one.
    await write(['sales'], 'orders', uuids.get('sales.orders')!);
    await purge(['ops'], 'jobs');
    locations.delete('ops.jobs');
    await write(['sales'], 'returns', randomUUID());
    const secondSync = await runCli(['sync', '--config', configFile, '--no-progress'], env, 120_000);
    const expectedSecond = new Map<string, string | undefined>([...locations, ['ops.jobs', undefined]]);
    const afterSecond = await loadAll(expectedSecond.keys());

    // Clean-up: drop what was mirrored (the connector does it), then the empty namespaces and the rest.
    for (const entry of await readdir(warehouse)) await rm(join(warehouse, entry), { recursive: true, force: true });
    const drop = await runCli(['sync', '--config', configFile, '--no-progress', '--allow-mass-drop'], env, 120_000);
    if (drop.code !== 0) cleanupProblems.push(`the dropping sync exited ${drop.code}: ${drop.stdout}`);
    for (const namespace of ['sales', 'finance\u001feu', 'finance', 'ops']) {
      const response = await call('DELETE', `/api/catalog/v1/${catalog}/namespaces/${encodeURIComponent(namespace)}`);
      if (!response.ok && response.status !== 404) cleanupProblems.push(`DELETE namespace ${namespace}: ${response.status}`);
    }
    return { catalog, firstSync, afterFirst, secondSync, afterSecond, expectedFirst, expectedSecond, cleanupProblems };
  } finally {
    for (const [path, label] of [
      [`/api/management/v1/catalogs/${catalog}/catalog-roles/${catalogRole}`, 'catalog role'],
      [`/api/management/v1/catalogs/${catalog}`, 'catalog'],
      [`/api/management/v1/principal-roles/${principalRole}`, 'principal role'],
      [`/api/management/v1/principals/${principal}`, 'principal'],
    ] as const) {
      const response = await call('DELETE', path).catch((error: unknown) => ({ ok: false, status: String(error) }) as const);
      if (!response.ok && response.status !== 404) cleanupProblems.push(`DELETE ${label}: ${response.status}`);
    }
    for (const uri of published) {
      await storage.unpublish(uri).catch((error: unknown) => cleanupProblems.push(`delete ${uri}: ${String(error)}`));
    }
    storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function token(base: string, clientId: string, clientSecret: string, realm?: string): Promise<string> {
  const response = await fetch(`${base}/api/catalog/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(realm ? { 'polaris-realm': realm } : {}) },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'PRINCIPAL_ROLE:ALL' }),
  });
  if (!response.ok) throw new Error(`the token endpoint answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** loadTable's metadata-location, or undefined when Polaris has no such table. */
async function loadedLocation(base: string, catalog: string, dotted: string, headers: Record<string, string>): Promise<string | undefined> {
  const parts = dotted.split('.');
  const name = parts.pop()!;
  const response = await fetch(
    `${base}/api/catalog/v1/${encodeURIComponent(catalog)}/namespaces/${encodeURIComponent(parts.join('\u001f'))}/tables/${encodeURIComponent(name)}`,
    { headers },
  );
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`loadTable ${dotted} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { 'metadata-location': string })['metadata-location'];
}
