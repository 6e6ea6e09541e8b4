// The Iceberg REST emulator answers as the spec (fixtures/polaris-spec/iceberg-rest-catalog-open-api.yaml)
// says, checked with raw fetch: the adapter's tests are only as good as the server they talk to.
import { afterEach, describe, expect, it } from 'vitest';
import { startRestCatalogEmulator, type RestCatalogEmulator, type RestEmulatorOptions } from '../emulators/rest/index.js';

let emu: RestCatalogEmulator;
afterEach(async () => {
  await emu?.close();
});

async function start(options: RestEmulatorOptions = {}): Promise<RestCatalogEmulator> {
  emu = await startRestCatalogEmulator(options);
  return emu;
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${emu.url}${path}`, { method, headers });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

describe('paging (PageToken)', () => {
  it('no pageToken answers everything with a null next-page-token; an empty one starts paging', async () => {
    await start({ maxPageSize: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await emu.createTable(['ns'], name);
    const all = await get('/v1/main/namespaces/ns/tables');
    expect(all.body.identifiers.map((i: any) => i.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.body).toHaveProperty('next-page-token', null);

    const names: string[] = [];
    let token = '';
    let pages = 0;
    for (;;) {
      const page = await get(`/v1/main/namespaces/ns/tables?pageToken=${encodeURIComponent(token)}`);
      pages++;
      expect(page.body.identifiers.length).toBeLessThanOrEqual(2);
      names.push(...page.body.identifiers.map((i: any) => i.name));
      if (page.body['next-page-token'] === null) break;
      token = page.body['next-page-token'];
    }
    expect([names, pages]).toEqual([['a', 'b', 'c', 'd', 'e'], 3]);
  });

  it('pageSize is honoured up to the server maximum; a server without paging omits next-page-token', async () => {
    await start({ maxPageSize: 3 });
    for (const name of ['a', 'b', 'c', 'd']) await emu.createTable(['ns'], name);
    expect((await get('/v1/main/namespaces/ns/tables?pageToken=&pageSize=1')).body.identifiers).toHaveLength(1);
    expect((await get('/v1/main/namespaces/ns/tables?pageToken=&pageSize=50')).body.identifiers).toHaveLength(3);
    expect((await get('/v1/main/namespaces/ns/tables?pageToken=nonsense')).status).toBe(400);
    await emu.close();

    await start({ paging: false, maxPageSize: 1 });
    for (const name of ['a', 'b']) await emu.createTable(['ns'], name);
    const unpaged = await get('/v1/main/namespaces/ns/tables?pageToken=');
    expect(unpaged.body.identifiers).toHaveLength(2);
    expect(unpaged.body).not.toHaveProperty('next-page-token');
  });
});

describe('namespaces', () => {
  it('lists one level at a time under `parent` (levels joined by %1F); an unknown parent is 404 NoSuchNamespaceException', async () => {
    await start();
    emu.createNamespace(['accounting', 'tax', 'paid']);
    emu.createNamespace(['sales']);
    expect((await get('/v1/main/namespaces')).body.namespaces).toEqual([['accounting'], ['sales']]);
    expect((await get('/v1/main/namespaces?parent=accounting')).body.namespaces).toEqual([['accounting', 'tax']]);
    expect((await get('/v1/main/namespaces?parent=accounting%1Ftax')).body.namespaces).toEqual([['accounting', 'tax', 'paid']]);
    const missing = await get('/v1/main/namespaces?parent=nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { message: 'Namespace does not exist: nope', type: 'NoSuchNamespaceException', code: 404 } });
  });
});

describe('loadTable', () => {
  it('answers an ETag; If-None-Match with it is 304 without a body until the table changes', async () => {
    await start();
    const created = await emu.createTable(['ns'], 't');
    const first = await get('/v1/main/namespaces/ns/tables/t?snapshots=refs');
    expect(first.status).toBe(200);
    expect(first.body['metadata-location']).toBe(created.metadataLocation);
    expect(first.body.metadata['table-uuid']).toBe(created.uuid);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);

    const again = await fetch(`${emu.url}/v1/main/namespaces/ns/tables/t?snapshots=refs`, { headers: { 'if-none-match': etag } });
    expect([again.status, await again.text(), again.headers.get('etag')]).toEqual([304, '', etag]);

    const updated = await emu.updateTable(['ns'], 't');
    const changed = await get('/v1/main/namespaces/ns/tables/t?snapshots=refs', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body['metadata-location']).toBe(updated.metadataLocation);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('snapshots=refs returns only referenced snapshots, with an ETag distinct from snapshots=all', async () => {
    await start();
    await emu.createTable(['ns'], 't');
    await emu.updateTable(['ns'], 't');
    const all = await get('/v1/main/namespaces/ns/tables/t');
    const refs = await get('/v1/main/namespaces/ns/tables/t?snapshots=refs');
    expect(all.body.metadata.snapshots.length).toBe(3);
    expect(refs.body.metadata.snapshots.map((s: any) => s['snapshot-id'])).toEqual([refs.body.metadata['current-snapshot-id']]);
    expect(refs.headers.get('etag')).not.toBe(all.headers.get('etag'));
  });

  it('HEAD is 204 for a table and 404 without a body for a missing one; GET 404 is NoSuchTableException', async () => {
    await start();
    await emu.createTable(['ns'], 't');
    expect((await get('/v1/main/namespaces/ns/tables/t', {}, 'HEAD')).status).toBe(204);
    const head = await get('/v1/main/namespaces/ns/tables/gone', {}, 'HEAD');
    expect([head.status, head.body]).toEqual([404, undefined]);
    expect((await get('/v1/main/namespaces/ns/tables/gone')).body.error.type).toBe('NoSuchTableException');
  });
});

describe('/v1/config', () => {
  it('answers the prefix and endpoints (HEAD included, events when asked); an unknown warehouse is 404', async () => {
    await start({ prefix: 'catalogs/123', warehouse: 'lake', advertiseEvents: true });
    const config = await get('/v1/config?warehouse=lake');
    expect(config.body.overrides).toEqual({ prefix: 'catalogs/123' });
    expect(config.body.endpoints).toContain('HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}');
    expect(config.body.endpoints).toContain('POST /v1/{prefix}/events');
    expect((await get('/v1/config?warehouse=other')).body.error.type).toBe('NoSuchWarehouseException');
    emu.createNamespace(['ns']);
    expect((await get('/v1/catalogs/123/namespaces')).body.namespaces).toEqual([['ns']]);
    await emu.close();

    await start({ endpoints: 'omitted', prefix: null });
    expect((await get('/v1/config')).body).toEqual({ defaults: {}, overrides: {} });
  });
});

describe('auth', () => {
  it('issues client-credentials tokens; an expired one is 401 (or 419 when so configured)', async () => {
    for (const expiredStatus of [401, 419] as const) {
      await start({ auth: { clients: [{ clientId: 'c', clientSecret: 's' }], expiredStatus } });
      expect((await get('/v1/main/namespaces')).status).toBe(401);
      const bad = await fetch(`${emu.url}/v1/oauth/tokens`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'c', client_secret: 'x' }) });
      expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([401, 'invalid_client']);
      const issued = await fetch(`${emu.url}/v1/oauth/tokens`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's', scope: 'catalog' }) });
      const token = (await issued.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(token).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
      expect((await get('/v1/main/namespaces', { authorization: `Bearer ${token.access_token}` })).status).toBe(200);
      emu.expireTokens();
      const expired = await get('/v1/main/namespaces', { authorization: `Bearer ${token.access_token}` });
      expect([expired.status, expired.body.error.code]).toEqual([expiredStatus, expiredStatus]);
      expect(emu.tokenScopes()).toEqual(['catalog']);
      await emu.close();
    }
  });
});

describe('faults', () => {
  it('fails a chosen page of a listing in the spec error shape, with Retry-After', async () => {
    await start({ maxPageSize: 1 });
    for (const name of ['a', 'b', 'c', 'd']) await emu.createTable(['ns'], name);
    emu.addFault({ operation: 'listTables', page: 3, status: 503, retryAfterSeconds: 2, times: 1 });
    const p1 = await get('/v1/main/namespaces/ns/tables?pageToken=');
    const p2 = await get(`/v1/main/namespaces/ns/tables?pageToken=${p1.body['next-page-token']}`);
    const p3 = await get(`/v1/main/namespaces/ns/tables?pageToken=${p2.body['next-page-token']}`);
    expect([p3.status, p3.body, p3.headers.get('retry-after')]).toEqual([503, { error: { message: 'Slow down', type: 'SlowDownException', code: 503 } }, '2']);
    expect((await get(`/v1/main/namespaces/ns/tables?pageToken=${p2.body['next-page-token']}`)).status).toBe(200);
    expect(emu.stats().byOperation.listTables).toEqual({ '200': 3, '503': 1 });
  });
});
