// Polaris emulator: a real HTTP server on loopback speaking Polaris's catalog wire protocol (OAuth
// token endpoint, /v1/config, table notifications, loadTable, listings, dropNamespace), with the
// notification behaviour of /work/shared/reference/polaris.md (Polaris 1.7's exact answers, on FILE and
// object storage), OpenAPI body checks and fault injection, plus a minimal management API
// (/api/management/v1: catalogs, principals, roles, grants).
// Used by the demo command, integration/crash tests and benchmarks (see cli.ts for out-of-process use).
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Auth, ROOT_PRINCIPAL } from './auth.js';
import { Faults } from './faults.js';
import { Holds } from './holds.js';
import { MetadataFiles } from './metadata-files.js';
import { RequestRateLimiter } from './ratelimit.js';
import { OpenApiValidator } from './openapi-validator.js';
import { packageRoot } from './package-root.js';
import { createEmulatorServer } from './server.js';
import { Sleeper } from './sleeper.js';
import { EmulatorState } from './state.js';
import { Storage } from './storage.js';
import type { PolarisEmulator, PolarisEmulatorOptions } from './types.js';

export type * from './types.js';

let validator: OpenApiValidator | undefined;

/** The notification schema validator; the YAML specs are parsed once per process. */
export function notificationValidator(): OpenApiValidator {
  validator ??= new OpenApiValidator(join(packageRoot(), 'fixtures', 'polaris-spec', 'polaris-catalog-apis', 'notifications-api.yaml'));
  return validator;
}

export async function startPolarisEmulator(opts: PolarisEmulatorOptions = {}): Promise<PolarisEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const state = new EmulatorState();
  const auth = new Auth(opts.tokenTtlSeconds ?? 3600, opts.expiredTokenStatus ?? 401);
  if (opts.rootCredentials) auth.createPrincipal({ name: ROOT_PRINCIPAL, ...opts.rootCredentials }, true);
  const storage = new Storage();
  const files = new MetadataFiles(storage);
  const faults = new Faults(opts.faults, opts.seed ?? 1);
  const sleeper = new Sleeper();
  const holds = new Holds();
  const server = createEmulatorServer({
    realm: opts.realm ?? 'POLARIS',
    state,
    auth,
    files,
    storage,
    validator: opts.validateBodies === false ? null : notificationValidator(),
    faults,
    sleeper,
    holds,
    authentication: opts.authentication ?? 'internal',
    listPagination: opts.listPagination ?? false,
    rateLimiter: opts.rateLimit ? new RequestRateLimiter(opts.rateLimit) : null,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const rootUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `${rootUrl}/api/catalog`;
  let closing: Promise<void> | undefined;

  return {
    url,
    rootUrl,
    managementUrl: `${rootUrl}/api/management/v1`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        sleeper.wakeAll();
        holds.releaseAll();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
    setFaults: (f) => faults.set(f),
    failNext: (n, response) => faults.failNext(n, response),
    hold: (kind) => holds.hold(kind),
    createCatalog: (c) => {
      state.createCatalog(c);
      auth.addCatalog(c.name);
    },
    createPrincipal: (p) => auth.createPrincipal(p),
    issueToken: (clientId) => auth.issue(clientId),
    expireAllTokens: () => auth.expireAll(),
    updateCatalog: (name, update) => {
      const catalog = state.requireCatalog(name);
      if (update.defaultBaseLocation !== undefined) catalog.defaultBaseLocation = update.defaultBaseLocation;
      if (update.properties !== undefined) catalog.properties = { ...catalog.properties, ...update.properties };
    },
    createView: (catalog, namespace, name) => state.createView(catalog, namespace, name),
    createGenericTable: (catalog, namespace, name) => state.createGenericTable(catalog, namespace, name),
    putObject: (uri, content) => storage.putObject(uri, content),
    deleteObject: (uri) => storage.deleteObject(uri),
    mountBucket: (prefix, dir) => storage.mount(prefix, dir),
    storageFault: (prefix, fault) => storage.setFault(prefix, fault),
    denyStorageRole: (catalog, denied = true) => {
      state.requireCatalog(catalog).roleDenied = denied;
    },
    tables: (catalog) => state.tables(catalog),
    namespaces: (catalog) => state.namespaces(catalog),
    history: (catalog, namespace, name) => state.history(catalog, namespace, name),
    stats: () => state.stats(),
    requests: () => state.requests(),
  };
}
