// The REST source's listing and re-read against the emulator: deep namespaces, paging, filters that
// save loads, complete-or-throw, per-table load failures, and which answers confirm a disappearance.
import { afterEach, describe, expect, it } from 'vitest';
import type { RestSource } from '../../adapters/rest/rest-source.js';
import { startRestCatalogEmulator, type RestCatalogEmulator, type RestEmulatorOptions } from '../emulators/rest/index.js';
import { collect, counter, observed, restSource } from './rest-support.js';

let emu: RestCatalogEmulator;
let source: RestSource | undefined;
afterEach(async () => {
  await source?.close();
  source = undefined;
  await emu?.close();
});

async function setup(options: RestEmulatorOptions = {}, extra: Record<string, unknown> = {}) {
  emu = await startRestCatalogEmulator(options);
  const built = restSource(emu.url, extra);
  source = built.source;
  return built;
}

const signal = () => new AbortController().signal;

describe('list()', () => {
  it('walks namespaces of any depth and every page, observing each table once from its metadata', async () => {
    await setup({ maxPageSize: 2 }, { concurrency: 3 });
    const expected = new Map<string, { location: string; uuid: string; updated: number }>();
    const spots: string[][] = [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd', 'e'], ['z']];
    for (const ns of spots) {
      for (let i = 0; i < 5; i++) {
        const t = await emu.createTable(ns, `t${i}`, { lastUpdatedMs: 1_700_000_000_000 + i });
        expected.set([...ns, `t${i}`].join('.'), { location: t.metadataLocation, uuid: t.uuid, updated: t.lastUpdatedMs });
      }
    }
    emu.createNamespace(['empty', 'deeper']);
    const before = Date.now();
    const items = await collect(source!.list(signal()));
    expect(items).toHaveLength(expected.size);
    expect(observed(items)).toEqual(new Map([...expected].map(([k, v]) => [k, v.location])));
    for (const item of items) {
      if (item.kind !== 'observation') throw new Error('only observations expected');
      const want = expected.get([...item.observation.table.namespace, item.observation.table.name].join('.'))!;
      expect(item.observation).toMatchObject({ state: 'present', tableUuid: want.uuid, sourceTimeMs: want.updated });
      expect(item.observation.order).toBeGreaterThanOrEqual(before);
    }
    // Every listing request asked for a page (pageToken present), never for "everything".
    const listings = emu.requests().filter((r) => r.operation === 'listTables' || r.operation === 'listNamespaces');
    expect(listings.every((r) => 'pageToken' in r.query)).toBe(true);
    expect(emu.stats().byOperation.listTables!['200']).toBe(spots.length * 3 + 1 + 2); // 3 pages per 5 tables; a.b.c.d, empty, empty.deeper: 1
  });

  it('reads a namespace\'s table pages to the end before beginning more namespaces than it has requests in flight', async () => {
    // What a listing holds per namespace while reading its pages (the names listed so far) must be held
    // for the few namespaces being read, not for every namespace of the catalog.
    const concurrency = 2;
    await setup({ maxPageSize: 2 }, { concurrency });
    const namespaces = Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    for (const ns of namespaces) for (let i = 0; i < 6; i++) await emu.createTable([ns], `t${i}`);
    const items = await collect(source!.list(signal()));
    expect(items).toHaveLength(namespaces.length * 6);
    const pages = emu.requests().filter((r) => r.operation === 'listTables');
    expect(pages).toHaveLength(namespaces.length * 3);
    // In the order answered: a namespace is open from its first table page to its third (last) one.
    const read = new Map<string, number>();
    let open = 0;
    let mostOpen = 0;
    for (const { path } of pages) {
      const count = (read.get(path) ?? 0) + 1;
      read.set(path, count);
      if (count === 1) mostOpen = Math.max(mostOpen, ++open);
      if (count === 3) open--;
    }
    expect(mostOpen).toBeLessThanOrEqual(concurrency);
  });

  it('names that are URL path steps ("." and "..") never change a request\'s route: such tables are skipped, such namespaces not entered', async () => {
    await setup();
    const kept = await emu.createTable(['sales'], 'orders');
    await emu.createTable(['sales'], '..');
    await emu.createTable(['sales'], '.');
    await emu.createTable(['..'], 'hidden');
    await emu.createTable(['.', 'below'], 'deeper');
    const items = await collect(source!.list(signal()));
    expect(observed(items)).toEqual(new Map([['sales.orders', kept.metadataLocation]]));
    const skipped = items.flatMap((i) => (i.kind === 'skipped' ? [[i.skipped.table.name, i.skipped.reason, i.skipped.detail]] : []));
    expect(skipped).toEqual(
      expect.arrayContaining([
        ['..', 'invalid-identifier', expect.stringMatching(/URL path step/)],
        ['.', 'invalid-identifier', expect.stringMatching(/URL path step/)],
      ]),
    );
    // Every request stayed on a route of the spec: none was resolved to a parent path.
    for (const r of emu.requests()) expect(r.path, r.path).toMatch(/^\/api\/catalog\/v1\/(config|main\/namespaces(\/[^/]+\/tables(\/[^/]+)?)?)$/);
    expect(emu.requests().some((r) => r.path.includes('/namespaces/..') || r.path.includes('/namespaces/./'))).toBe(false);
  });

  it('reports filtered tables as skipped without loading them', async () => {
    await setup({}, { include: ['sales.*'], exclude: ['sales.tmp_*'] });
    await emu.createTable(['sales'], 'orders');
    await emu.createTable(['sales'], 'tmp_x');
    await emu.createTable(['hr'], 'people');
    const items = await collect(source!.list(signal()));
    expect([...observed(items).keys()]).toEqual(['sales.orders']);
    expect(items.filter((i) => i.kind === 'skipped').map((i) => i.kind === 'skipped' && i.skipped.reason)).toEqual(['filtered', 'filtered']);
    expect(emu.requests().filter((r) => r.operation === 'loadTable').map((r) => r.path)).toEqual(['/api/catalog/v1/main/namespaces/sales/tables/orders']);
  });

  it('throws when a listing page fails (a half-finished listing never ends normally)', async () => {
    await setup({ maxPageSize: 1 });
    for (const name of ['a', 'b', 'c', 'd']) await emu.createTable(['ns'], name);
    emu.addFault({ operation: 'listTables', page: 3, status: 503 });
    await expect(collect(source!.list(signal()))).rejects.toMatchObject({ status: 503, retryable: true });
    emu.clearFaults();
    emu.addFault({ operation: 'listNamespaces', namespace: ['ns'], status: 500 });
    await expect(collect(source!.list(signal()))).rejects.toMatchObject({ status: 500 });
  });

  it('a namespace or table dropped during the walk is simply not listed', async () => {
    await setup();
    await emu.createTable(['ns'], 'kept');
    await emu.createTable(['ns'], 'vanishing');
    await emu.createTable(['other'], 't');
    emu.addFault({ operation: 'loadTable', table: 'vanishing', status: 404 });
    emu.addFault({ operation: 'listTables', namespace: ['other'], status: 404, type: 'NoSuchNamespaceException' });
    emu.addFault({ operation: 'listNamespaces', namespace: ['other'], status: 404, type: 'NoSuchNamespaceException' });
    expect([...observed(await collect(source!.list(signal()))).keys()]).toEqual(['ns.kept']);
    expect(emu.requests().filter((r) => r.status === 404).map((r) => r.operation).sort()).toEqual(['listNamespaces', 'listTables', 'loadTable']);
  });

  it('one table the catalog fails to load is skipped (load-failed); the others are observed', async () => {
    const { context } = await setup();
    for (const name of ['a', 'b', 'c']) await emu.createTable(['ns'], name);
    emu.addFault({ operation: 'loadTable', table: 'b', status: 500 });
    const items = await collect(source!.list(signal()));
    expect([...observed(items).keys()].sort()).toEqual(['ns.a', 'ns.c']);
    expect(items.find((i) => i.kind === 'skipped')).toMatchObject({ kind: 'skipped', skipped: { table: { namespace: ['ns'], name: 'b' }, reason: 'load-failed' } });
    expect(await counter(context.metrics, 'polaris_mirror_source_calls_total', { operation: 'load_table', outcome: 'error' })).toBe(3);
  });

  it('stops when many loads fail in a row: the catalog itself is failing', async () => {
    await setup({}, { concurrency: 1 });
    for (let i = 0; i < 12; i++) await emu.createTable(['ns'], `t${i}`);
    emu.addFault({ operation: 'loadTable', status: 503 });
    await expect(collect(source!.list(signal()))).rejects.toThrow(/failed 10 table loads in a row/);
  });

  it('an expired token that cannot be renewed fails the whole listing, not table by table', async () => {
    await setup({ auth: { tokens: ['t0ken-value'] } }, { auth: { token: 't0ken-value' } });
    await emu.createTable(['ns'], 't');
    emu.addFault({ operation: 'loadTable', status: 401 });
    await expect(collect(source!.list(signal()))).rejects.toMatchObject({ status: 401 });
  });

  it('stops its requests when the consumer stops early', async () => {
    await setup({ latencyMs: 5 }, { concurrency: 2 });
    for (let i = 0; i < 40; i++) await emu.createTable(['ns'], `t${i}`);
    for await (const item of source!.list(signal())) {
      expect(item.kind).toBe('observation');
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
    const loads = emu.stats().byOperation.loadTable!['200']!;
    expect(loads).toBeLessThan(10);
  });
});

describe('read()', () => {
  it('HEAD 404 (advertised) confirms a disappearance; a present table is loaded', async () => {
    await setup();
    const t = await emu.createTable(['ns'], 't');
    expect(await source!.read({ namespace: ['ns'], name: 'gone' })).toMatchObject({ state: 'absent', confirmed: true });
    expect(emu.requests().at(-1)).toMatchObject({ method: 'HEAD', status: 404 });
    expect(await source!.read({ namespace: ['ns'], name: 't' })).toMatchObject({ state: 'present', metadataLocation: t.metadataLocation, tableUuid: t.uuid });
    expect(emu.requests().slice(-2).map((r) => [r.method, r.status])).toEqual([['HEAD', 204], ['GET', 200]]);
  });

  it('without HEAD advertised, a GET whose 404 is NoSuchTable confirms it; any other 404 or a 403 throws', async () => {
    await setup({ endpoints: 'omitted' });
    emu.createNamespace(['ns']);
    expect(await source!.read({ namespace: ['ns'], name: 'gone' })).toMatchObject({ state: 'absent', confirmed: true });
    expect(emu.requests().some((r) => r.method === 'HEAD')).toBe(false);
    emu.addFault({ operation: 'loadTable', status: 404, type: 'NotFoundException', times: 1 });
    await expect(source!.read({ namespace: ['ns'], name: 'gone' })).rejects.toMatchObject({ status: 404 });
    emu.addFault({ operation: 'loadTable', status: 403, times: 1 });
    await expect(source!.read({ namespace: ['ns'], name: 'gone' })).rejects.toMatchObject({ status: 403, retryable: false });
  });

  it('a failing HEAD throws a retryable error instead of answering absent', async () => {
    await setup();
    emu.addFault({ operation: 'headTable', status: 503 });
    await expect(source!.read({ namespace: ['ns'], name: 't' })).rejects.toMatchObject({ status: 503, retryable: true });
  });
});

describe('check()', () => {
  it('reports the prefix and HEAD support and samples a table location for VALIDATE', async () => {
    await setup({ prefix: 'wh-1' });
    emu.createNamespace(['empty']);
    const t = await emu.createTable(['a', 'b'], 't');
    const result = await source!.check(signal());
    expect(result).toMatchObject({ ok: true, sampleLocations: [t.metadataLocation] });
    expect(result.detail).toMatch(/prefix wh-1; HEAD on tables advertised\), table a\.b\.t readable/);
  });

  it('fails with the catalog message and a hint when the credentials are refused', async () => {
    await setup({ auth: { clients: [{ clientId: 'c', clientSecret: 's' }] } }, { auth: { clientId: 'c', clientSecret: 'nope' } });
    const result = await source!.check(signal());
    expect(result).toMatchObject({ ok: false });
    expect(result.detail).toMatch(/invalid_client/);
    expect(result.hint).toMatch(/clientSecret/);
  });
});

describe('headers', () => {
  it('go with every request, the catalog token endpoint included; credentials in them are redacted', async () => {
    const { context } = await setup(
      { auth: { clients: [{ clientId: 'c', clientSecret: 'client-secret-1' }] } },
      { auth: { clientId: 'c', clientSecret: 'client-secret-1' }, headers: { 'X-Api-Key': 'gateway-key-123', 'Polaris-Realm': 'east', Accept: 'text/plain' } },
    );
    await emu.createTable(['ns'], 't');
    await collect(source!.list(signal()));
    const requests = emu.requests();
    expect(requests.map((r) => r.operation)).toContain('token');
    for (const r of requests) {
      expect(r.headers).toMatchObject({ 'x-api-key': 'gateway-key-123', 'polaris-realm': 'east' });
      if (r.operation !== 'token') expect(r.headers).toMatchObject({ accept: 'application/json', authorization: expect.stringMatching(/^Bearer /) });
    }
    expect(context.redactor.scrub('key gateway-key-123, realm east')).toBe('key [REDACTED], realm east');
  });

  it('an identity provider as tokenUri does not get the catalog headers', async () => {
    emu = await startRestCatalogEmulator({ auth: { clients: [{ clientId: 'c', clientSecret: 's3cret' }] } });
    const idp = await startRestCatalogEmulator({ auth: { clients: [{ clientId: 'c', clientSecret: 's3cret' }] } });
    try {
      // The catalog only accepts tokens it issued: this one fails with 401 after the IdP answered.
      source = restSource(emu.url, { auth: { clientId: 'c', clientSecret: 's3cret', tokenUri: `${idp.url}/v1/oauth/tokens` }, headers: { 'X-Api-Key': 'gateway-key-123' } }).source;
      await expect(collect(source.list(signal()))).rejects.toMatchObject({ status: 401 });
      const tokenRequests = idp.requests().filter((r) => r.operation === 'token');
      expect(tokenRequests.length).toBeGreaterThan(0);
      expect(tokenRequests.every((r) => r.headers['x-api-key'] === undefined)).toBe(true);
    } finally {
      await idp.close();
    }
  });
});

describe('events endpoint', () => {
  it('logs once that an events mode is possible when the server advertises POST /v1/{prefix}/events', async () => {
    emu = await startRestCatalogEmulator({ advertiseEvents: true });
    const lines: string[] = [];
    const { createLogger } = await import('../../src/telemetry/logger.js');
    const { Redactor } = await import('../../src/telemetry/redactor.js');
    const { Metrics } = await import('../../src/telemetry/metrics.js');
    const { RestSource } = await import('../../adapters/rest/rest-source.js');
    const { restConfig } = await import('./rest-support.js');
    const redactor = new Redactor();
    const logger = createLogger({ level: 'info', redactor, destination: { write: (l) => lines.push(l) }, readable: false, repeatWindowMs: 0 });
    source = new RestSource(restConfig(emu.url), { logger, metrics: new Metrics(), redactor });
    await collect(source.list(signal()));
    await collect(source.list(signal()));
    const notes = lines.filter((l) => l.includes('events mode is possible'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('POST /v1/{prefix}/events');
  });
});
