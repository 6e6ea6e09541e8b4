// Polaris 1.7 on object storage (S3, GCS, ADLS), answer for answer: the rows of polaris.md's section
// "Exact answers that matter on object storage and in 1.7", through raw HTTP against the emulator.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFixture, relocate, writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { err, type Kit, notification, notify, raw, startKit, tablePath } from '../emulators/polaris/test-kit.js';
import type { StorageFault } from '../emulators/polaris/types.js';

let kit: Kit;
let bucketDir: string;
beforeEach(async () => {
  kit = await startKit();
  bucketDir = await mkdtemp(join(tmpdir(), 'polaris-emu-bucket-'));
});
afterEach(async () => {
  await kit.close();
  await rm(bucketDir, { recursive: true, force: true });
});

/** Metadata at `<tableLocation>/metadata/00001-a.metadata.json`, as an in-memory object. */
async function putTable(tableLocation: string, edit?: (m: Record<string, unknown>) => void): Promise<string> {
  const metadata = relocate(JSON.parse(await readFixture('TableMetadataV2Valid.json')), tableLocation);
  edit?.(metadata);
  const location = `${tableLocation}/metadata/00001-a.metadata.json`;
  kit.emu.putObject(location, JSON.stringify(metadata));
  return location;
}

const load = (catalog: string, namespace: string[], name: string) =>
  raw(tablePath(kit.base, catalog, namespace, name), { headers: { authorization: `Bearer ${kit.token}` } });
const send = (catalog: string, type: string, namespace: string[], name: string, location: string, timestamp = 1) =>
  notify(kit, catalog, namespace, name, notification(type, name, location, timestamp));

describe('S3, GCS and ADLS storage', () => {
  it.each([
    ['S3', 's3://lake/wh', 's3://lake/wh/db/t'],
    ['GCS', 'gs://lake/wh', 'gs://lake/wh/db/t'],
    ['ADLS', 'abfss://lake@acct.dfs.core.windows.net/wh', 'abfss://lake@acct.dfs.core.windows.net/wh/db/t'],
  ])('%s: CREATE reads the object, loadTable serves it', async (kind, allowed, tableLocation) => {
    kit.emu.createCatalog({ name: `c_${kind}`, allowedLocations: [allowed] });
    kit.emu.createPrincipal({ clientId: kind, clientSecret: 's', roles: { r: { [`c_${kind}`]: ['CATALOG_MANAGE_CONTENT'] } } });
    const k = { base: kit.base, token: kit.emu.issueToken(kind) };
    const location = await putTable(tableLocation);
    expect((await notify(k, `c_${kind}`, ['db'], 't', notification('CREATE', 't', location, 1))).status).toBe(204);
    const loaded = await raw(tablePath(kit.base, `c_${kind}`, ['db'], 't'), { headers: { authorization: `Bearer ${k.token}` } });
    expect(loaded.json['metadata-location']).toBe(location);
  });

  it('a directory mounted at a bucket prefix serves its files as objects', async () => {
    kit.emu.mountBucket('s3://lake/wh', bucketDir);
    const t = await writeFixtureTable(join(bucketDir, 'db', 't'), { tableLocation: 's3://lake/wh/db/t' });
    expect(t.metadataLocation).toMatch(/^s3:\/\/lake\/wh\/db\/t\/metadata\/00001-[0-9a-f-]+\.metadata\.json$/);
    expect((await send('s3lake', 'CREATE', ['db'], 't', t.metadataLocation)).status).toBe(204);
    expect((await load('s3lake', ['db'], 't')).json.metadata.location).toBe('s3://lake/wh/db/t');
  });

  it('s3a:// and s3:// are the same place: allowed locations and objects', async () => {
    const location = await putTable('s3://lake/wh/db/t');
    // The catalog allows s3://lake/wh; a notification naming s3a:// passes the check and finds the object.
    const s3a = location.replace(/^s3:/, 's3a:');
    expect((await send('s3lake', 'VALIDATE', ['db'], 't', s3a)).status).toBe(204);
    expect((await send('s3lake', 'CREATE', ['db'], 't', s3a)).status).toBe(204);
  });
});

describe('a metadata object Polaris cannot read', () => {
  it('missing on S3 → 400 NotFoundException "Location does not exist" (on CREATE and on loadTable)', async () => {
    const location = await putTable('s3://lake/wh/db/t');
    expect((await send('s3lake', 'CREATE', ['db'], 't', location)).status).toBe(204);
    kit.emu.deleteObject(location);
    expect((await load('s3lake', ['db'], 't')).json).toEqual(err(400, 'NotFoundException', `Location does not exist: ${location}`));
    expect((await send('s3lake', 'UPDATE', ['db'], 't', location, 2)).json).toEqual(err(400, 'NotFoundException', `Location does not exist: ${location}`));
  });

  it('missing on FILE storage → 404 NotFoundException "Failed to open input stream for file: <path>" on loadTable', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    expect((await send('lake', 'CREATE', ['db'], 't', t.metadataLocation)).status).toBe(204);
    await rm(join(kit.root, 'db', 't'), { recursive: true });
    const r = await load('lake', ['db'], 't');
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ type: 'NotFoundException', message: expect.stringMatching(/^Failed to open input stream for file: file:\//) });
  });

  it.each<[StorageFault, number, string, RegExp]>([
    ['access-denied', 403, 'S3Exception', /^Access Denied \(Service: S3, Status Code: 403/],
    ['server-error', 502, 'S3Exception', /Status Code: 500/],
    ['redirect', 422, 'S3Exception', /must be addressed using the specified endpoint.*Status Code: 301/],
    ['timeout', 408, 'S3Exception', /Status Code: 408/],
    ['throttled', 429, 'S3Exception', /reduce your request rate/],
  ])('S3 %s while reading → %i %s', async (fault, status, type, message) => {
    const location = await putTable('s3://lake/wh/db/t');
    kit.emu.storageFault('s3://lake/wh/db', fault);
    const r = await send('s3lake', 'CREATE', ['db'], 't', location);
    expect(r.status).toBe(status);
    expect(r.json.error).toMatchObject({ type, code: status, message: expect.stringMatching(message) });
    expect(kit.emu.tables('s3lake')).toEqual([]);
    kit.emu.storageFault('s3://lake/wh/db', undefined);
    expect((await send('s3lake', 'CREATE', ['db'], 't', location)).status).toBe(204);
  });

  it('access denied on GCS and ADLS carries their SDK exception types', async () => {
    kit.emu.createCatalog({ name: 'g', allowedLocations: ['gs://g/wh'] });
    kit.emu.createCatalog({ name: 'a', allowedLocations: ['abfss://c@acct.dfs.core.windows.net/wh'] });
    kit.emu.createPrincipal({ clientId: 'ga', clientSecret: 's', roles: { r: { g: ['CATALOG_MANAGE_CONTENT'], a: ['CATALOG_MANAGE_CONTENT'] } } });
    const k = { base: kit.base, token: kit.emu.issueToken('ga') };
    for (const [catalog, base, type] of [
      ['g', 'gs://g/wh', 'StorageException'],
      ['a', 'abfss://c@acct.dfs.core.windows.net/wh', 'DataLakeStorageException'],
    ] as const) {
      const location = await putTable(`${base}/db/t`);
      kit.emu.storageFault(base, 'access-denied');
      const r = await notify(k, catalog, ['db'], 't', notification('CREATE', 't', location, 1));
      expect(r.status).toBe(403);
      expect(r.json.error.type).toBe(type);
    }
  });

  it("the catalog's storage role cannot be assumed → 500 StsException on VALIDATE, CREATE and loadTable", async () => {
    const location = await putTable('s3://lake/wh/db/t');
    expect((await send('s3lake', 'CREATE', ['db'], 't', location)).status).toBe(204);
    kit.emu.denyStorageRole('s3lake');
    for (const r of [await send('s3lake', 'VALIDATE', ['db'], 'u', location), await send('s3lake', 'UPDATE', ['db'], 't', location, 2), await load('s3lake', ['db'], 't')]) {
      expect(r.status).toBe(500);
      expect(r.json.error).toMatchObject({ type: 'StsException', message: expect.stringMatching(/is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::/) });
    }
  });

  it('an object that is not JSON → 503 RuntimeIOException "Failed to read file"', async () => {
    kit.emu.putObject('s3://lake/wh/db/t/metadata/00001-a.metadata.json', 'PAR1 not json');
    const r = await send('s3lake', 'CREATE', ['db'], 't', 's3://lake/wh/db/t/metadata/00001-a.metadata.json');
    expect(r.json).toEqual(err(503, 'RuntimeIOException', 'Failed to read file: s3://lake/wh/db/t/metadata/00001-a.metadata.json'));
  });
});

describe("Polaris 1.7's namespace location rule", () => {
  const trap = () => kit.emu.createCatalog({ name: 'trap', allowedLocations: ['s3://lake'], defaultBaseLocation: 's3://lake/warehouse' });
  const grant = () => {
    kit.emu.createPrincipal({ clientId: 'tp', clientSecret: 's', roles: { r: { trap: ['CATALOG_MANAGE_CONTENT'] } } });
    return { base: kit.base, token: kit.emu.issueToken('tp') };
  };

  it('default-base-location not one of the allowed locations: a new top-level namespace is refused (400), nothing created', async () => {
    trap();
    const k = grant();
    const location = await putTable('s3://lake/warehouse/sales/orders');
    const r = await notify(k, 'trap', ['sales', 'eu'], 'orders', notification('CREATE', 'orders', location, 1));
    expect(r.json).toEqual(
      err(
        400,
        'IllegalArgumentException',
        'Namespace sales has a custom location, which is not enabled. Expected a location in: [s3://lake/sales/]. Got location: s3://lake/warehouse/sales/]',
      ),
    );
    expect(kit.emu.namespaces('trap')).toEqual([]);
    // VALIDATE creates no namespace, so it cannot see the trap.
    expect((await notify(k, 'trap', ['sales'], 'orders', notification('VALIDATE', 'orders', location, 1))).status).toBe(204);
  });

  it('polaris.config.namespace-custom-location.enabled lifts it; so does a default-base-location equal to an allowed location', async () => {
    trap();
    const k = grant();
    const location = await putTable('s3://lake/warehouse/sales/orders');
    kit.emu.updateCatalog('trap', { properties: { 'polaris.config.namespace-custom-location.enabled': 'true' } });
    expect((await notify(k, 'trap', ['sales'], 'orders', notification('CREATE', 'orders', location, 1))).status).toBe(204);
    kit.emu.updateCatalog('trap', { defaultBaseLocation: 's3://lake/', properties: { 'polaris.config.namespace-custom-location.enabled': 'false' } });
    const other = await putTable('s3://lake/warehouse/ops/jobs');
    expect((await notify(k, 'trap', ['ops'], 'jobs', notification('CREATE', 'jobs', other, 1))).status).toBe(204);
    expect(kit.emu.namespaces('trap')).toEqual([['ops'], ['sales']]);
  });

  it('the management API creates such a catalog (the base lies within an allowed location) and /v1/config shows its properties', async () => {
    const root = await startKit({ rootCredentials: { clientId: 'root', clientSecret: 'pw' } });
    try {
      const created = await raw(`${root.emu.managementUrl}/catalogs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${root.emu.issueToken('root')}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          catalog: {
            name: 'm',
            type: 'EXTERNAL',
            properties: { 'default-base-location': 's3://bucket/warehouse' },
            storageConfigInfo: { storageType: 'S3', roleArn: 'arn:aws:iam::1:role/p', allowedLocations: ['s3://bucket/'] },
          },
        }),
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ name: 'm', properties: { 'default-base-location': 's3://bucket/warehouse' } });
      const config = await raw(`${root.base}/v1/config?warehouse=m`, { headers: { authorization: `Bearer ${root.emu.issueToken('root')}` } });
      expect(config.json.defaults).toEqual({ 'default-base-location': 's3://bucket/warehouse' });
    } finally {
      await root.close();
    }
  });
});

describe('catalog property polaris.config.allow.external.metadata.file.location', () => {
  it('lets a metadata file live outside its table location', async () => {
    const location = await putTable('s3://lake/wh/db/t', (m) => (m['location'] = 's3://lake/wh/db/t_data'));
    const refused = await send('s3lake', 'CREATE', ['db'], 't', location);
    expect(refused.json).toEqual(err(400, 'BadRequestException', `Metadata location ${location} is not allowed outside of table location s3://lake/wh/db/t_data`));
    kit.emu.updateCatalog('s3lake', { properties: { 'polaris.config.allow.external.metadata.file.location': 'true' } });
    expect((await send('s3lake', 'CREATE', ['db'], 't', location)).status).toBe(204);
  });
});

describe('a name held by another kind of entity', () => {
  it('a view → 409 "View already exists"; a generic table → 409 "Generic table already exists"', async () => {
    const location = await putTable('s3://lake/wh/db/t');
    kit.emu.createView('s3lake', ['db'], 'v');
    kit.emu.createGenericTable('s3lake', ['db'], 'g');
    expect((await send('s3lake', 'CREATE', ['db'], 'v', location)).json).toEqual(err(409, 'AlreadyExistsException', 'View already exists: db.v'));
    expect((await send('s3lake', 'CREATE', ['db'], 'g', location)).json).toEqual(err(409, 'AlreadyExistsException', 'Generic table already exists: db.g'));
  });
});
