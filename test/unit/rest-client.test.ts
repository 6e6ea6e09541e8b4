// The REST source's HTTP client against the emulator: /v1/config, paging as the spec says, conditional
// loads, token renewal on 401/419, retries of transient failures, and which 404s mean "gone".
import { afterEach, describe, expect, it } from 'vitest';
import { RestCatalogClient } from '../../adapters/rest/rest-client.js';
import { RestCatalogError } from '../../adapters/rest/rest-error.js';
import { createTokenSource } from '../../adapters/rest/token-source.js';
import { createAgent } from '../../src/polaris/http.js';
import { startRestCatalogEmulator, type RestCatalogEmulator, type RestEmulatorOptions } from '../emulators/rest/index.js';
import { adapterContext, counter, restConfig } from './rest-support.js';

let emu: RestCatalogEmulator;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await emu?.close();
});

async function setup(options: RestEmulatorOptions = {}, extra: Record<string, unknown> = {}) {
  emu = await startRestCatalogEmulator(options);
  const config = restConfig(emu.url, extra);
  const context = adapterContext();
  const agent = createAgent({ connections: 4 });
  closers.push(() => agent.close());
  const tokens = createTokenSource(config.auth, { uri: config.uri, headers: config.headers, dispatcher: agent, timeoutMs: 5000, redactor: context.redactor, metrics: context.metrics, source: 'cat' });
  const client = new RestCatalogClient({ config, dispatcher: agent, tokens, metrics: context.metrics });
  return { client, context };
}

describe('session (/v1/config)', () => {
  it('uses overrides.prefix as given, even with several segments, and sends the warehouse', async () => {
    const { client } = await setup({ prefix: 'catalogs/123', warehouse: 'lake' }, { warehouse: 'lake' });
    emu.createNamespace(['ns']);
    const session = await client.session();
    expect(session.prefix).toBe('catalogs/123');
    expect(client.supportsHead(session)).toBe(true);
    expect(await client.namespacePage(session, [], '')).toEqual({ items: [['ns']], next: undefined });
    expect(emu.requests().map((r) => [r.path, r.query])).toEqual([
      ['/api/catalog/v1/config', { warehouse: 'lake' }],
      ['/api/catalog/v1/catalogs/123/namespaces', { pageToken: '' }],
    ]);
  });

  it('without a prefix the paths are /v1/namespaces; without endpoints HEAD is not assumed', async () => {
    const { client } = await setup({ prefix: null, endpoints: 'omitted' });
    emu.createNamespace(['ns']);
    const session = await client.session();
    expect([session.prefix, client.supportsHead(session)]).toEqual([undefined, false]);
    await client.namespacePage(session, [], '');
    expect(emu.requests().at(-1)!.path).toBe('/api/catalog/v1/namespaces');
  });

  it('an unknown warehouse is a non-retryable error naming what to check', async () => {
    const { client } = await setup({ warehouse: 'lake' }, { warehouse: 'elsewhere' });
    const error = await client.session().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestCatalogError);
    expect(error).toMatchObject({ status: 404, type: 'NoSuchWarehouseException', retryable: false });
    expect((error as RestCatalogError).hint).toMatch(/warehouse/);
  });
});

describe('listings', () => {
  it('asks the first page with an empty pageToken, then follows next-page-token; `parent` is joined by U+001F', async () => {
    const { client } = await setup({ maxPageSize: 2 }, { pageSize: 2 });
    for (const child of ['a', 'b', 'c']) emu.createNamespace(['top', 'mid', child]);
    const session = await client.session();
    const first = await client.namespacePage(session, ['top', 'mid'], '');
    if (first === 'no-such-namespace') throw new Error('unexpected');
    expect(first.items).toEqual([['top', 'mid', 'a'], ['top', 'mid', 'b']]);
    const second = await client.namespacePage(session, ['top', 'mid'], first.next!);
    expect(second).toEqual({ items: [['top', 'mid', 'c']], next: undefined });
    const queries = emu.requests().filter((r) => r.operation === 'listNamespaces').map((r) => r.query);
    expect(queries[0]).toEqual({ pageToken: '', pageSize: '2', parent: 'top\u001fmid' });
    expect(queries[1]).toEqual({ pageToken: first.next, pageSize: '2', parent: 'top\u001fmid' });
  });

  it('a namespace dropped meanwhile is reported as such (not an error); a missing route is an error', async () => {
    const { client } = await setup();
    const session = await client.session();
    expect(await client.tablePage(session, ['gone'], '')).toBe('no-such-namespace');
    const wrong = { ...session, paths: new (session.paths.constructor as any)('not-the-prefix') };
    await expect(client.tablePage(wrong, ['gone'], '')).rejects.toMatchObject({ status: 404, type: 'NotFoundException' });
  });
});

describe('loadTable', () => {
  it('sends snapshots=refs and If-None-Match; a 304 is not-modified and counted as such', async () => {
    const { client, context } = await setup();
    await emu.createTable(['ns'], 't');
    const session = await client.session();
    const first = await client.loadTable(session, ['ns'], 't', undefined);
    if (first.kind !== 'loaded') throw new Error('expected a load');
    expect(first.etag).toBeDefined();
    expect(await client.loadTable(session, ['ns'], 't', first.etag)).toEqual({ kind: 'not-modified' });
    expect(emu.requests().filter((r) => r.operation === 'loadTable').map((r) => [r.query, r.ifNoneMatch, r.status])).toEqual([
      [{ snapshots: 'refs' }, undefined, 200],
      [{ snapshots: 'refs' }, first.etag, 304],
    ]);
    expect(await counter(context.metrics, 'polaris_mirror_source_calls_total', { operation: 'load_table', outcome: 'not_modified' })).toBe(1);
  });

  it('404 NoSuchTable is "not found"; a 404 of another type (a wrong route) never is', async () => {
    const { client } = await setup();
    emu.createNamespace(['ns']);
    const session = await client.session();
    expect(await client.loadTable(session, ['ns'], 'missing', undefined)).toEqual({ kind: 'not-found' });
    expect(await client.loadTable(session, ['nons'], 'missing', undefined)).toEqual({ kind: 'not-found' });
    emu.addFault({ operation: 'loadTable', status: 404, type: 'NotFoundException' });
    await expect(client.loadTable(session, ['ns'], 'missing', undefined)).rejects.toMatchObject({ status: 404, retryable: false });
  });

  it('a body that does not follow the spec is an error, not a table', async () => {
    const { client } = await setup();
    await emu.createTable(['ns'], 't');
    emu.addFault({ operation: 'loadTable', status: 200, body: { metadata: { 'format-version': 2 } } });
    await expect(client.loadTable(await client.session(), ['ns'], 't', undefined)).rejects.toThrow(/does not follow the Iceberg REST spec \(metadata.table-uuid/);
  });

  it('HEAD answers exists / gone; 403 is an error, never "gone"', async () => {
    const { client } = await setup();
    await emu.createTable(['ns'], 't');
    const session = await client.session();
    expect(await client.tableExists(session, ['ns'], 't')).toBe(true);
    expect(await client.tableExists(session, ['ns'], 'u')).toBe(false);
    emu.addFault({ operation: 'headTable', status: 403 });
    await expect(client.tableExists(session, ['ns'], 'u')).rejects.toMatchObject({ status: 403, retryable: false });
  });
});

describe('auth', () => {
  it('fetches one token for concurrent requests and renews it once after a 401 or 419', async () => {
    for (const expiredStatus of [401, 419] as const) {
      const { client, context } = await setup(
        { auth: { clients: [{ clientId: 'mirror', clientSecret: 'secret-value-1' }], expiredStatus } },
        { auth: { clientId: 'mirror', clientSecret: 'secret-value-1' } },
      );
      await emu.createTable(['ns'], 't');
      const session = await client.session();
      await Promise.all([1, 2, 3].map(() => client.loadTable(session, ['ns'], 't', undefined)));
      expect(emu.stats().tokensIssued).toBe(1);
      emu.expireTokens();
      expect((await client.loadTable(session, ['ns'], 't', undefined)).kind).toBe('loaded');
      expect(emu.stats().tokensIssued).toBe(2);
      expect(emu.stats().byOperation.loadTable).toEqual({ '200': 4, [String(expiredStatus)]: 1 });
      expect(emu.tokenScopes()).toEqual(['catalog', 'catalog']);
      // Issued tokens are secrets from now on, wherever they would appear.
      const [token] = emu.issuedTokens();
      expect(context.redactor.scrub(`token: ${token}`)).toBe('token: [REDACTED]');
      await emu.close();
      for (const close of closers.splice(0)) await close();
    }
  });

  it('a 401 that persists with a fresh token is reported after one renewal, not looped', async () => {
    const { client } = await setup({ auth: { clients: [{ clientId: 'mirror', clientSecret: 'secret-value-1' }] } }, { auth: { clientId: 'mirror', clientSecret: 'secret-value-1' } });
    emu.createNamespace(['ns']);
    const session = await client.session();
    emu.addFault({ operation: 'listTables', status: 401 });
    await expect(client.tablePage(session, ['ns'], '')).rejects.toMatchObject({ status: 401, retryable: false });
    expect(emu.stats().tokensIssued).toBe(2);
    expect(emu.stats().byOperation.listTables).toEqual({ '401': 2 });
  });

  it('a refused static token is reported with a hint, not retried in a loop', async () => {
    const { client } = await setup({ auth: { tokens: ['good-token'] } }, { auth: { token: 'stale-token' } });
    const error = await client.session().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect((error as RestCatalogError).hint).toMatch(/credentials/);
    expect(emu.stats().requests).toBe(1);
  });

  it('wrong client credentials name the key to fix', async () => {
    const { client } = await setup({ auth: { clients: [{ clientId: 'mirror', clientSecret: 'right' }] } }, { auth: { clientId: 'mirror', clientSecret: 'wrong' } });
    const error = await client.session().catch((e: unknown) => e);
    expect(error).toMatchObject({ operation: 'token', status: 401, type: 'invalid_client', retryable: false });
    expect((error as RestCatalogError).hint).toMatch(/clientSecret/);
  });
});

describe('transient failures', () => {
  it('repeats 503 / 500 / resets up to retry.maxAttempts, then throws a retryable error', async () => {
    const { client, context } = await setup();
    emu.createNamespace(['ns']);
    const session = await client.session();
    emu.addFault({ operation: 'listTables', status: 503, times: 1 });
    emu.addFault({ operation: 'listTables', reset: true, times: 1 });
    expect(await client.tablePage(session, ['ns'], '')).toEqual({ items: [], next: undefined });
    expect(await counter(context.metrics, 'polaris_mirror_source_calls_total', { operation: 'list_tables', outcome: 'error' })).toBe(2);

    emu.addFault({ operation: 'listTables', status: 500 });
    await expect(client.tablePage(session, ['ns'], '')).rejects.toMatchObject({ status: 500, type: 'InternalServerError', retryable: true });
    expect(emu.stats().byOperation.listTables!['500']).toBe(3);
  });

  it('honours Retry-After (capped by retry.maxDelayMs)', async () => {
    const { client } = await setup({}, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 300 } });
    emu.createNamespace(['ns']);
    const session = await client.session();
    emu.addFault({ operation: 'listTables', status: 429, retryAfterSeconds: 60, times: 1 });
    const started = Date.now();
    await client.tablePage(session, ['ns'], '');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
