// Metadata-file rows of the behaviour table: Polaris reads the metadata JSON itself on CREATE/UPDATE
// and checks the locations it references (Polaris 1.7's exact answers; object storage in
// polaris-emulator-object-storage.test.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirUri, readFixture, relocate, writeFixtureTable, type FixtureName } from '../emulators/polaris/fixture-warehouse.js';
import { isChildOf } from '../emulators/polaris/locations.js';
import { err, type Kit, notification, notify, raw, startKit, tablePath } from '../emulators/polaris/test-kit.js';

let kit: Kit;
beforeEach(async () => {
  kit = await startKit();
});
afterEach(async () => {
  await kit.close();
});

const create = (ns: string[], name: string, location: string, ts = 1, catalog = 'lake') =>
  notify(kit, catalog, ns, name, notification('CREATE', name, location, ts));

describe('valid metadata files', () => {
  it.each<FixtureName>(['TableMetadataV1Valid.json', 'TableMetadataV2Valid.json', 'TableMetadataV2ValidMinimal.json', 'TableMetadataV3ValidMinimal.json'])(
    '%s → 204',
    async (fixture) => {
      const t = await writeFixtureTable(join(kit.root, 'db', 't'), { fixture });
      const r = await create(['db'], 't', t.metadataLocation);
      expect(r.status).toBe(204);
      expect(kit.emu.tables('lake').map((x) => x.metadataLocation)).toEqual([t.metadataLocation]);
    },
  );

  it('gzip-compressed metadata is read too', async () => {
    const dir = join(kit.root, 'db', 'gz');
    const loc = dirUri(dir);
    const m = relocate(JSON.parse(await readFixture('TableMetadataV2Valid.json')), loc);
    await mkdir(join(dir, 'metadata'), { recursive: true });
    await writeFile(join(dir, 'metadata', '00001-a.gz.metadata.json'), gzipSync(JSON.stringify(m)));
    expect((await create(['db'], 'gz', `${loc}/metadata/00001-a.gz.metadata.json`)).status).toBe(204);
  });

  it('percent-encoded file URIs name the decoded local path (directory with a space)', async () => {
    const t = await writeFixtureTable(join(kit.root, 'my db', 'my table'));
    expect(t.metadataLocation).toContain('my%20db/my%20table/');
    expect((await create(['my db'], 'my table', t.metadataLocation)).status).toBe(204);
  });

  it('objects in the in-memory store serve s3:// metadata', async () => {
    const loc = 's3://lake/wh/db/t';
    const m = relocate(JSON.parse(await readFixture('TableMetadataV2Valid.json')), loc);
    kit.emu.putObject(`${loc}/metadata/00001-a.metadata.json`, JSON.stringify(m));
    const r = await create(['db'], 't', `${loc}/metadata/00001-a.metadata.json`, 1, 's3lake');
    expect(r.status).toBe(204);
    const got = await raw(tablePath(kit.base, 's3lake', ['db'], 't'), { headers: { authorization: `Bearer ${kit.token}` } });
    expect(got.json.metadata.location).toBe(loc);
  });

  it('a rewritten file (same path) is re-read: the cache keys on mtime and size', async () => {
    const dir = join(kit.root, 'db', 't');
    const t = await writeFixtureTable(dir, { fixture: 'TableMetadataV2ValidMinimal.json' });
    await create(['db'], 't', t.metadataLocation);
    const url = tablePath(kit.base, 'lake', ['db'], 't');
    const auth = { headers: { authorization: `Bearer ${kit.token}` } };
    expect((await raw(url, auth)).json.metadata['last-sequence-number']).toBe(34);
    await writeFixtureTable(dir, { fixture: 'TableMetadataV2ValidMinimal.json', edit: (m) => (m['last-sequence-number'] = 123456) });
    expect((await raw(url, auth)).json.metadata['last-sequence-number']).toBe(123456);
  });

  it('loadTable serves the file verbatim (int64 snapshot ids stay exact)', async () => {
    const dir = join(kit.root, 'db', 'big');
    const loc = dirUri(dir);
    const text = (await readFixture('TableMetadataV2Valid.json'))
      .replace('"s3://bucket/test/location"', JSON.stringify(loc))
      .replaceAll('s3://a/b/', `${loc}/metadata/`);
    await mkdir(join(dir, 'metadata'), { recursive: true });
    await writeFile(join(dir, 'metadata', 'v1.metadata.json'), text);
    await create(['db'], 'big', `${loc}/metadata/v1.metadata.json`);
    const r = await raw(tablePath(kit.base, 'lake', ['db'], 'big'), { headers: { authorization: `Bearer ${kit.token}` } });
    expect(r.text).toContain('"current-snapshot-id": 3055729675574597004');
  });
});

describe('unreadable or invalid metadata files', () => {
  it('missing file:// file → 404 with the Hadoop path; namespaces were already created (apache/polaris#5541)', async () => {
    const loc = `${dirUri(kit.root)}/x/y/t/metadata/00001-missing.metadata.json`;
    const r = await create(['x', 'y'], 't', loc);
    expect(r.status).toBe(404);
    expect(r.json).toEqual(err(404, 'NotFoundException', `Failed to open input stream for file: file:${kit.root}/x/y/t/metadata/00001-missing.metadata.json`));
    expect(kit.emu.namespaces('lake')).toEqual([['x'], ['x', 'y']]);
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it('missing s3:// object → 400 NotFoundException (cloud 404 mapped to 400)', async () => {
    const loc = 's3://lake/wh/db/t/metadata/00001-missing.metadata.json';
    const r = await create(['db'], 't', loc, 1, 's3lake');
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'NotFoundException', `Location does not exist: ${loc}`));
    expect(kit.emu.namespaces('s3lake')).toEqual([['db']]);
  });

  it('unparseable JSON → 503', async () => {
    const dir = join(kit.root, 'db', 't', 'metadata');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'v1.metadata.json'), '{"format-version": 2, "table-uu');
    const loc = `${dirUri(kit.root)}/db/t/metadata/v1.metadata.json`;
    const r = await create(['db'], 't', loc);
    expect(r.status).toBe(503);
    expect(r.json).toEqual(err(503, 'RuntimeIOException', `Failed to read file: ${loc}`));
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it.each([
    ['TableMetadataUnsupportedVersion.json', 'Cannot read unsupported version 42'],
    ['TableMetadataV2MissingSchemas.json', 'schemas must exist in format v2'],
  ] as const)('%s → 400 IllegalArgumentException with Iceberg\'s text', async (fixture, detail) => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), { fixture });
    const r = await create(['db'], 't', t.metadataLocation);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'IllegalArgumentException', detail));
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it('missing table-uuid in v2 → 400', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), { edit: (m) => delete m['table-uuid'] });
    const r = await create(['db'], 't', t.metadataLocation);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'IllegalArgumentException', 'Cannot parse missing string: table-uuid'));
  });
});

describe('locations', () => {
  it('metadata-location outside the allowed locations → 403, namespaces left behind, no file read', async () => {
    const r = await create(['n1', 'n2'], 't', 'file:///somewhere/else/metadata/v1.metadata.json');
    expect(r.status).toBe(403);
    expect(r.json.error.type).toBe('ForbiddenException');
    expect(r.json.error.message).toBe(
      `Invalid locations '[file:///somewhere/else/metadata/v1.metadata.json]' for identifier 'n1.n2.t': file:///somewhere/else/metadata/v1.metadata.json is not in the list of allowed locations: [${dirUri(kit.root)}]`,
    );
    expect(kit.emu.namespaces('lake')).toEqual([['n1'], ['n1', 'n2']]);
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it("the metadata's own location outside the allowed locations → 403", async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), { edit: (m) => (m['location'] = 'file:///outside/t') });
    const r = await create(['db'], 't', t.metadataLocation);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/^Invalid locations '\[file:\/\/\/outside\/t(, .*)?\]' for identifier 'db.t': file:\/\/\/outside\/t is not in the list/);
  });

  it('metadata file not under the table location → 400 "not allowed outside of table location"', async () => {
    const other = `${dirUri(kit.root)}/db/other`;
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), { edit: (m) => (m['location'] = other) });
    const r = await create(['db'], 't', t.metadataLocation);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'BadRequestException', `Metadata location ${t.metadataLocation} is not allowed outside of table location ${other}`));
    // Prefix, not segment: …/db/t is not under …/db/t2.
    const t2 = await writeFixtureTable(join(kit.root, 'db', 't2'), { edit: (m) => (m['location'] = `${dirUri(kit.root)}/db/t`) });
    expect((await create(['db'], 't2', t2.metadataLocation)).status).toBe(400);
  });

  it.each([
    ['a manifest list', (m: Record<string, any>) => (m['snapshots'][1]['manifest-list'] = 'file:///outside/snap-2.avro')],
    ['write.data.path', (m: Record<string, any>) => (m['properties'] = { 'write.data.path': 'file:///outside/data' })],
    ['write.metadata.path', (m: Record<string, any>) => (m['properties'] = { 'write.metadata.path': 'file:///outside/meta' })],
    ['a statistics file', (m: Record<string, any>) => (m['statistics'] = [{ 'snapshot-id': 1, 'statistics-path': 'file:///outside/s.puffin', 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] }])],
    ['a partition-statistics file', (m: Record<string, any>) => (m['partition-statistics'] = [{ 'snapshot-id': 1, 'statistics-path': 'file:///outside/p.parquet', 'file-size-in-bytes': 1 }])],
  ])('%s outside the allowed locations → one 403 over the whole set', async (_what, edit) => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), { edit });
    const r = await create(['db'], 't', t.metadataLocation);
    expect(r.status).toBe(403);
    const message = r.json.error.message as string;
    expect(message).toMatch(/^Invalid locations '\[.*file:\/\/\/outside\/.*\]' for identifier 'db.t': file:\/\/\/outside\/\S+ is not in the list of allowed locations: \[/);
    // The set is the table location and every path the metadata names (one check, one answer).
    expect(message).toContain(`'[${t.tableLocation}, `);
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it('metadata-log entries are not checked (an old file elsewhere does not block the table)', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), {
      edit: (m) => (m['metadata-log'] = [{ 'metadata-file': 'file:///outside/v0.metadata.json', 'timestamp-ms': 1 }]),
    });
    expect((await create(['db'], 't', t.metadataLocation)).status).toBe(204);
  });

  it('the same references inside the allowed locations are fine', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'), {
      edit: (m) => {
        const loc = m['location'] as string;
        m['properties'] = { 'write.data.path': `${loc}/data`, 'write.metadata.path': `${loc}/metadata` };
        m['metadata-log'] = [{ 'metadata-file': `${loc}/metadata/00000-a.metadata.json`, 'timestamp-ms': 1 }];
      },
    });
    expect((await create(['db'], 't', t.metadataLocation)).status).toBe(204);
  });

  it('prefix checks respect segment boundaries and trailing slashes', () => {
    expect(isChildOf('s3://b/p/x', 's3://b/p')).toBe(true);
    expect(isChildOf('s3://b/p', 's3://b/p/')).toBe(true);
    expect(isChildOf('s3://b/p/', 's3://b/p')).toBe(true);
    expect(isChildOf('s3://b/px', 's3://b/p')).toBe(false);
    expect(isChildOf('s3://b/p/x', 's3://b/')).toBe(true);
    expect(isChildOf('file:///tmp/wh/t/m.json', 'file:///tmp/wh')).toBe(true);
    expect(isChildOf('file:/tmp/wh/t', 'file:///tmp/wh/')).toBe(true);
    expect(isChildOf('file:///tmp/wh2', 'file:///tmp/wh')).toBe(false);
    expect(isChildOf('gs://b/p/x', 's3://b/p')).toBe(false);
  });
});

describe('a catalog without storage config', () => {
  it('CREATE cannot create the namespace (400, Polaris 1.7); into an existing namespace it reads the file without location checks', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    const r = await create(['db'], 't', t.metadataLocation, 1, 'nostorage');
    expect(r.json).toEqual(err(400, 'IllegalArgumentException', 'Cannot create namespace without a parent storage configuration'));
    expect(kit.emu.namespaces('nostorage')).toEqual([]);
    kit.emu.updateCatalog('nostorage', { properties: { 'polaris.config.namespace-custom-location.enabled': 'true' } });
    expect((await create(['db'], 't', t.metadataLocation, 1, 'nostorage')).status).toBe(204);
    expect(kit.emu.tables('nostorage')).toHaveLength(1);
  });
});
