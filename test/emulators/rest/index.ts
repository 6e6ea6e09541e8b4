// Iceberg REST catalog emulator: a real HTTP server on loopback following the Iceberg REST spec
// (fixtures/polaris-spec/iceberg-rest-catalog-open-api.yaml, 1.11) for what a catalog reader uses:
// /v1/config (prefix, endpoints), OAuth2 tokens with expiry (401/419), nested namespaces (`parent`),
// paged listings, loadTable with snapshots modes and ETag / If-None-Match → 304, HEAD table, errors in
// the spec's shape, and fault injection. Tests and benchmarks drive it through the handle below.
import type { AddressInfo } from 'node:net';
import { RestAuth } from './auth.js';
import { CatalogState, toInfo } from './catalog.js';
import { Faults } from './faults.js';
import type { RouteSettings } from './routes.js';
import { createRestServer } from './server.js';
import type { RequestRecord, RestCatalogEmulator, RestEmulatorOptions, RestEmulatorStats } from './types.js';

export type * from './types.js';

export async function startRestCatalogEmulator(options: RestEmulatorOptions = {}): Promise<RestCatalogEmulator> {
  const host = options.host ?? '127.0.0.1';
  const basePath = options.basePath ?? '/api/catalog';
  const catalog = new CatalogState(options.tableRoot ?? 's3://rest-emulator/warehouse', options.fixture ?? 'TableMetadataV2Valid.json', options.writeMetadata);
  const auth = new RestAuth(options.auth);
  const faults = new Faults();
  let stats: RestEmulatorStats = { requests: 0, byOperation: {}, tokensIssued: 0 };
  const log: RequestRecord[] = [];
  const resetStats = (): void => {
    stats = { requests: 0, byOperation: {}, tokensIssued: 0 };
    log.length = 0;
  };
  const settings: RouteSettings = {
    prefix: options.prefix === undefined ? 'main' : options.prefix,
    warehouse: options.warehouse,
    paging: options.paging ?? true,
    maxPageSize: options.maxPageSize ?? 100,
    etags: options.etags ?? true,
    endpoints: options.endpoints ?? 'served',
    advertiseEvents: options.advertiseEvents ?? false,
  };
  const server = createRestServer({
    basePath,
    settings,
    catalog,
    auth,
    faults,
    latencyMs: options.latencyMs ?? 0,
    get stats() {
      return stats;
    },
    log,
    logSize: options.requestLogSize ?? 10_000,
    resetStats,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
    createNamespace: (levels) => catalog.createNamespace(levels),
    dropNamespace: (levels) => catalog.dropNamespace(levels),
    createTable: async (namespace, name, opts) => toInfo(await catalog.create(namespace, name, opts)),
    updateTable: async (namespace, name, opts) => toInfo(await catalog.commit(namespace, name, opts)),
    registerTable: (namespace, name, location, text) => toInfo(catalog.register(namespace, name, location, text)),
    renameTable: (from, to) => catalog.rename(from, to),
    dropTable: (namespace, name) => catalog.drop(namespace, name),
    table: (namespace, name) => {
      const record = catalog.get(namespace, name);
      return record && toInfo(record);
    },
    tables: () => catalog.all().map(toInfo),
    expireTokens: () => auth.expireAll(),
    tokenScopes: () => [...auth.scopes],
    issuedTokens: () => [...auth.tokens],
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    misbehave: (mode) => {
      settings.misbehavior = mode;
    },
    stats: () => ({ ...stats, byOperation: structuredClone(stats.byOperation), tokensIssued: auth.issuedCount }),
    resetStats,
    requests: () => [...log],
  };
}
