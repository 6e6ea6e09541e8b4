// The notification behaviour table of /work/shared/reference/polaris.md, one test per row, through
// raw HTTP against the emulator.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFixtureTable, readFixture } from '../emulators/polaris/fixture-warehouse.js';
import { err, type Kit, notification, notify, raw, startKit, tablePath } from '../emulators/polaris/test-kit.js';

let kit: Kit;
beforeEach(async () => {
  kit = await startKit();
});
afterEach(async () => {
  await kit.close();
});

const table = (name: string, opts?: Parameters<typeof writeFixtureTable>[1]) => writeFixtureTable(join(kit.root, 'db', name), opts);

describe('catalog-level rows', () => {
  it("unknown catalog → 404 NoSuchNamespaceException \"Namespace does not exist: ''\" for every type", async () => {
    const t = await table('t');
    for (const type of ['CREATE', 'UPDATE', 'DROP', 'VALIDATE']) {
      const r = await notify(kit, 'nope', ['db'], 't', notification(type, 't', t.metadataLocation, 1));
      expect(r.status).toBe(404);
      expect(r.json).toEqual(err(404, 'NoSuchNamespaceException', "Namespace does not exist: ''"));
    }
  });

  it('INTERNAL catalog → 400 "Cannot update internal catalog via notifications"', async () => {
    const t = await table('t');
    const r = await notify(kit, 'internal', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'BadRequestException', 'Cannot update internal catalog via notifications'));
    expect(kit.emu.tables('internal')).toEqual([]);
    expect(kit.emu.namespaces('internal')).toEqual([]);
  });

  it('federated EXTERNAL catalog → 204 and nothing happens (not even a file read)', async () => {
    for (const type of ['CREATE', 'UPDATE', 'DROP', 'VALIDATE']) {
      const r = await notify(kit, 'federated', ['db'], 't', notification(type, 't', 'file:///does/not/exist.json', 5));
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
    }
    expect(kit.emu.tables('federated')).toEqual([]);
    expect(kit.emu.namespaces('federated')).toEqual([]);
  });

  it('UNKNOWN → 204 no-op', async () => {
    const r = await notify(kit, 'lake', ['db'], 't', notification('UNKNOWN', 't', 'file:///nowhere/x.json', 1));
    expect(r.status).toBe(204);
    expect(kit.emu.namespaces('lake')).toEqual([]);
    expect(kit.emu.tables('lake')).toEqual([]);
  });
});

describe('request body checks', () => {
  it('malformed JSON → 400', async () => {
    const r = await notify(kit, 'lake', ['db'], 't', '{"notification-type": "CREATE",');
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe('BadRequestException');
    expect(r.json.error.code).toBe(400);
    expect(r.json.error.message).toMatch(/^Malformed request body: /);
  });

  it('unknown enum value (lower case) → 400 naming the path', async () => {
    const t = await table('t');
    const r = await notify(kit, 'lake', ['db'], 't', notification('create', 't', t.metadataLocation, 1));
    expect(r.status).toBe(400);
    expect(r.json).toEqual(
      err(400, 'BadRequestException', 'Invalid value for $.notification-type: must be one of UNKNOWN, CREATE, UPDATE, DROP, VALIDATE; got string "create"'),
    );
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it('schema violations → 400 naming the JSON path', async () => {
    const t = await table('t');
    const body = notification('CREATE', 't', t.metadataLocation, 1) as any;
    body.payload.timestamp = '17';
    let r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('Invalid value for $.payload.timestamp: expected integer (int64), got string "17"');

    body.payload.timestamp = 1.5;
    r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.json.error.message).toBe('Invalid value for $.payload.timestamp: expected integer (int64), got number 1.5');

    body.payload.timestamp = 1;
    delete body.payload['table-uuid'];
    r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('Invalid value for $.payload.table-uuid: required property is missing');

    r = await notify(kit, 'lake', ['db'], 't', { 'notification-type': 'CREATE' });
    expect(r.json.error.message).toBe('Invalid value for $.payload: required property is missing');

    r = await notify(kit, 'lake', ['db'], 't', '[1,2]');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('Invalid value for $: expected object, got array');
    expect(kit.emu.tables('lake')).toEqual([]);
    expect(kit.emu.namespaces('lake')).toEqual([]);
  });

  it('inline metadata is checked against TableMetadata; a valid one is accepted (and ignored)', async () => {
    const t = await table('t');
    const body = notification('CREATE', 't', t.metadataLocation, 1) as any;
    body.payload.metadata = { ...t.metadata, 'format-version': 9 };
    let r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('Invalid value for $.payload.metadata.format-version: must be <= 3; got 9');

    body.payload.metadata = JSON.parse(await readFixture('TableMetadataV2Valid.json'));
    body.payload.metadata.schemas[1].fields[0].type = 42;
    r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^Invalid value for \$\.payload\.metadata\.schemas\[1\]\.fields\[0\]\.type: does not match any allowed schema/);

    body.payload.metadata = JSON.parse(await readFixture('TableMetadataV2Valid.json'));
    r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.status).toBe(204);
    // The server uses the file, not the inline metadata.
    expect(kit.emu.tables('lake')).toEqual([{ namespace: ['db'], name: 't', metadataLocation: t.metadataLocation, timestamp: 1 }]);
  });

  it('a non-JSON content type → 415', async () => {
    const t = await table('t');
    const r = await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1), { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
  });
});

describe('without schema validation (validateBodies: false)', () => {
  let k2: Kit;
  beforeEach(async () => {
    k2 = await startKit({ validateBodies: false });
  });
  afterEach(async () => {
    await k2.close();
  });

  it('missing payload / timestamp / metadata-location on CREATE/UPDATE → 500, as Polaris', async () => {
    let r = await notify(k2, 'lake', ['db'], 't', { 'notification-type': 'CREATE' });
    expect(r.status).toBe(500);
    expect(r.json).toEqual(err(500, 'NullPointerException', 'payload is null'));
    r = await notify(k2, 'lake', ['db'], 't', { 'notification-type': 'UPDATE', payload: { 'metadata-location': 'file:///x/m.json' } });
    expect(r.status).toBe(500);
    expect(r.json.error.message).toBe('payload.timestamp is null');
    r = await notify(k2, 'lake', ['db'], 't', { 'notification-type': 'UPDATE', payload: { timestamp: 3 } });
    expect(r.status).toBe(500);
    expect(r.json.error.message).toBe('payload.metadata-location is null');
  });

  it('unknown enum values are still 400 (Jackson), DROP needs no payload', async () => {
    let r = await notify(k2, 'lake', ['db'], 't', { 'notification-type': 'RENAME', payload: {} });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^Cannot deserialize value of type NotificationType from "RENAME"/);
    r = await notify(k2, 'lake', ['db'], 't', { 'notification-type': 'DROP' });
    expect(r.status).toBe(204);
  });
});

describe('DROP', () => {
  it('existing table → 204, removed (namespace stays)', async () => {
    const t = await table('t');
    expect((await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 10))).status).toBe(204);
    const r = await notify(kit, 'lake', ['db'], 't', notification('DROP', 't', t.metadataLocation, 11));
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(kit.emu.tables('lake')).toEqual([]);
    expect(kit.emu.namespaces('lake')).toEqual([['db']]);
  });

  it('missing table or missing namespace → 204, nothing created', async () => {
    let r = await notify(kit, 'lake', ['nons', 'deeper'], 't', notification('DROP', 't', 'file:///x/y.json', 1));
    expect(r.status).toBe(204);
    expect(kit.emu.namespaces('lake')).toEqual([]);
    const t = await table('other');
    await notify(kit, 'lake', ['db'], 'other', notification('CREATE', 'other', t.metadataLocation, 1));
    r = await notify(kit, 'lake', ['db'], 'missing', notification('DROP', 'missing', 'file:///x/y.json', 1));
    expect(r.status).toBe(204);
    expect(kit.emu.tables('lake').map((x) => x.name)).toEqual(['other']);
  });

  it('ignores the timestamp: a late DROP deletes a newer table, and the stored timestamp goes with it', async () => {
    const t = await table('t');
    await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1000));
    const r = await notify(kit, 'lake', ['db'], 't', notification('DROP', 't', t.metadataLocation, 5));
    expect(r.status).toBe(204);
    expect(kit.emu.tables('lake')).toEqual([]);
    // Timestamp forgotten: an older CREATE now resurrects the table.
    const again = await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 6));
    expect(again.status).toBe(204);
    expect(kit.emu.tables('lake')).toEqual([{ namespace: ['db'], name: 't', metadataLocation: t.metadataLocation, timestamp: 6 }]);
  });
});

describe('VALIDATE', () => {
  it('allowed location → 204, reads no file, creates no namespace (the location may be a directory)', async () => {
    const dir = `${kit.root}/not/yet/there`;
    const r = await notify(kit, 'lake', ['db', 'sub'], 't', notification('VALIDATE', 't', `file://${dir}`, 1));
    expect(r.status).toBe(204);
    const r2 = await notify(kit, 'lake', ['db'], 't', notification('VALIDATE', 't', `file://${dir}/metadata/00001-x.metadata.json`, 1));
    expect(r2.status).toBe(204);
    expect(kit.emu.namespaces('lake')).toEqual([]);
    expect(kit.emu.tables('lake')).toEqual([]);
  });

  it('no storage config → 400', async () => {
    const r = await notify(kit, 'nostorage', ['db'], 't', notification('VALIDATE', 't', `file://${kit.root}/db/t`, 1));
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'BadRequestException', 'Failed to find StorageInfo entity for TableIdentifier db.t'));
  });

  it('location outside the allowed locations → 403 "Invalid locations"', async () => {
    const r = await notify(kit, 's3lake', ['db'], 't', notification('VALIDATE', 't', 's3://lake/elsewhere/t', 1));
    expect(r.status).toBe(403);
    expect(r.json).toEqual(
      err(
        403,
        'ForbiddenException',
        "Invalid locations '[s3://lake/elsewhere/t]' for identifier 'db.t': s3://lake/elsewhere/t is not in the list of allowed locations: [s3://lake/wh]",
      ),
    );
    // Segment boundary: s3://lake/wh does not cover s3://lake/wh2.
    expect((await notify(kit, 's3lake', ['db'], 't', notification('VALIDATE', 't', 's3://lake/wh2/t', 1))).status).toBe(403);
    expect((await notify(kit, 's3lake', ['db'], 't', notification('VALIDATE', 't', 's3://lake/wh/t', 1))).status).toBe(204);
    expect((await notify(kit, 's3lake', ['db'], 't', notification('VALIDATE', 't', 's3://lake/wh/', 1))).status).toBe(204);
  });
});

describe('CREATE / UPDATE', () => {
  it.each(['CREATE', 'UPDATE'])('%s of a missing table → 204, creates every namespace level and the table', async (type) => {
    const t = await writeFixtureTable(join(kit.root, 'a', 'b', 'c', 't'));
    const r = await notify(kit, 'lake', ['a', 'b', 'c'], 't', notification(type, 't', t.metadataLocation, 42));
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(kit.emu.namespaces('lake')).toEqual([['a'], ['a', 'b'], ['a', 'b', 'c']]);
    expect(kit.emu.tables('lake')).toEqual([{ namespace: ['a', 'b', 'c'], name: 't', metadataLocation: t.metadataLocation, timestamp: 42 }]);
  });

  it.each(['CREATE', 'UPDATE'])('%s with a newer timestamp replaces location and timestamp', async (type) => {
    const v1 = await table('t', { version: 1 });
    const v2 = await table('t', { version: 2 });
    expect((await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', v1.metadataLocation, 100))).status).toBe(204);
    const r = await notify(kit, 'lake', ['db'], 't', notification(type, 't', v2.metadataLocation, 101));
    expect(r.status).toBe(204);
    expect(kit.emu.tables('lake')).toEqual([{ namespace: ['db'], name: 't', metadataLocation: v2.metadataLocation, timestamp: 101 }]);
  });

  it('equal or older timestamp → 409 AlreadyExistsException "newer timestamp", nothing changes', async () => {
    const v1 = await table('t', { version: 1 });
    const v2 = await table('t', { version: 2 });
    await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', v1.metadataLocation, 100));
    for (const [type, ts] of [['UPDATE', 100], ['UPDATE', 99], ['CREATE', 100], ['CREATE', 1]] as const) {
      const r = await notify(kit, 'lake', ['db'], 't', notification(type, 't', v2.metadataLocation, ts));
      expect(r.status).toBe(409);
      expect(r.json).toEqual(err(409, 'AlreadyExistsException', 'A notification with a newer timestamp has been processed for table db.t'));
    }
    expect(kit.emu.tables('lake')).toEqual([{ namespace: ['db'], name: 't', metadataLocation: v1.metadataLocation, timestamp: 100 }]);
  });

  it('the stale check uses the full identifier of a multi-level namespace', async () => {
    const t = await writeFixtureTable(join(kit.root, 'p', 'c', 't'));
    await notify(kit, 'lake', ['p', 'c'], 't', notification('CREATE', 't', t.metadataLocation, 5));
    const r = await notify(kit, 'lake', ['p', 'c'], 't', notification('UPDATE', 't', t.metadataLocation, 5));
    expect(r.json.error.message).toBe('A notification with a newer timestamp has been processed for table p.c.t');
  });

  it('a view with that name → 409 "View already exists"', async () => {
    kit.emu.createView('lake', ['db'], 'v');
    const t = await table('v');
    const r = await notify(kit, 'lake', ['db'], 'v', notification('CREATE', 'v', t.metadataLocation, 1));
    expect(r.status).toBe(409);
    expect(r.json).toEqual(err(409, 'AlreadyExistsException', 'View already exists: db.v'));
    expect(kit.emu.tables('lake')).toEqual([]);
  });
});

describe('history and stats', () => {
  it('records accepted and rejected notifications per table in arrival order', async () => {
    const t = await table('t');
    await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 10));
    await notify(kit, 'lake', ['db'], 't', notification('UPDATE', 't', t.metadataLocation, 10));
    await notify(kit, 'lake', ['db'], 't', notification('DROP', 't', t.metadataLocation, 11));
    const h = kit.emu.history('lake', ['db'], 't');
    expect(h.map(({ type, timestamp, metadataLocation, status }) => ({ type, timestamp, metadataLocation, status }))).toEqual([
      { type: 'CREATE', timestamp: 10, metadataLocation: t.metadataLocation, status: 204 },
      { type: 'UPDATE', timestamp: 10, metadataLocation: t.metadataLocation, status: 409 },
      { type: 'DROP', timestamp: 11, metadataLocation: t.metadataLocation, status: 204 },
    ]);
    expect(h.every((e) => typeof e.at === 'number' && e.at > 0)).toBe(true);
    expect(kit.emu.history('lake', ['db'], 'other')).toEqual([]);
    const s = kit.emu.stats();
    expect(s.notifications).toEqual({ 'CREATE:204': 1, 'UPDATE:409': 1, 'DROP:204': 1 });
    expect(s.byKind.notification).toBe(3);
    expect(s.byStatus).toEqual({ '204': 2, '409': 1 });
    expect(s.concurrentPerTableViolations).toBe(0);
  });
});

describe('loadTable and HEAD', () => {
  it('GET returns metadata-location, the metadata file and config; HEAD → 204', async () => {
    const t = await table('t');
    await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    const url = tablePath(kit.base, 'lake', ['db'], 't');
    const auth = { authorization: `Bearer ${kit.token}` };
    const r = await raw(url, { headers: auth });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ 'metadata-location': t.metadataLocation, metadata: t.metadata, config: {} });
    const h = await raw(url, { method: 'HEAD', headers: auth });
    expect(h.status).toBe(204);
  });

  it('missing table, namespace or catalog → the same 404 NoSuchTableException', async () => {
    const t = await table('t');
    await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    const auth = { authorization: `Bearer ${kit.token}` };
    let r = await raw(tablePath(kit.base, 'lake', ['db'], 'nope'), { headers: auth });
    expect(r.status).toBe(404);
    expect(r.json).toEqual(err(404, 'NoSuchTableException', 'Table does not exist: db.nope'));
    r = await raw(tablePath(kit.base, 'lake', ['nons'], 't'), { headers: auth });
    expect(r.json).toEqual(err(404, 'NoSuchTableException', 'Table does not exist: nons.t'));
    r = await raw(tablePath(kit.base, 'nocatalog', ['db'], 't'), { headers: auth });
    expect(r.json).toEqual(err(404, 'NoSuchTableException', 'Table does not exist: db.t'));
    r = await raw(tablePath(kit.base, 'lake', ['db'], 'nope'), { method: 'HEAD', headers: auth });
    expect(r.status).toBe(404);
    r = await raw(tablePath(kit.base, 'lake', ['db'], 't'));
    expect(r.status).toBe(401);
  });

  it('a dropped table is gone from loadTable', async () => {
    const t = await table('t');
    await notify(kit, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    await notify(kit, 'lake', ['db'], 't', notification('DROP', 't', t.metadataLocation, 2));
    const r = await raw(tablePath(kit.base, 'lake', ['db'], 't'), { headers: { authorization: `Bearer ${kit.token}` } });
    expect(r.status).toBe(404);
  });
});
