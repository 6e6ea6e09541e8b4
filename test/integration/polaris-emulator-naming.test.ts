// Multi-level namespaces and odd names round-tripping through the URL encoding a Polaris client must
// use: every part percent-encoded with encodeURIComponent, namespace levels joined by U+001F.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { type Kit, notification, notify, raw, startKit, tablePath } from '../emulators/polaris/test-kit.js';

let kit: Kit;
beforeEach(async () => {
  kit = await startKit();
});
afterEach(async () => {
  await kit.close();
});

const auth = () => ({ headers: { authorization: `Bearer ${kit.token}` } });

describe('names', () => {
  const cases: Array<[string, string[], string]> = [
    ['spaces', ['a b', 'c d'], 't a b'],
    ['percent signs', ['100%', '%1F'], '50%off'],
    ['slashes', ['x/y', 'z'], 'p/q'],
    ['unicode', ['ünïcødé', '表'], 'таблица😀'],
    ['dots and plus', ['a.b', 'c+d'], 'e.f+g'],
    ['one level', ['solo'], 'tbl'],
  ];

  it.each(cases)('%s round-trip through notification, state, loadTable and listings', async (_label, namespace, name) => {
    const t = await writeFixtureTable(join(kit.root, 'tables', String(cases.findIndex((c) => c[2] === name))));
    const r = await notify(kit, 'lake', namespace, name, notification('CREATE', name, t.metadataLocation, 1));
    expect(r.status).toBe(204);
    expect(kit.emu.tables('lake')).toEqual([{ namespace, name, metadataLocation: t.metadataLocation, timestamp: 1 }]);
    expect(kit.emu.namespaces('lake')).toEqual(namespace.map((_, i) => namespace.slice(0, i + 1)));

    const got = await raw(tablePath(kit.base, 'lake', namespace, name), auth());
    expect(got.status).toBe(200);
    expect(got.json['metadata-location']).toBe(t.metadataLocation);

    const tables = await raw(`${kit.base}/v1/lake/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables`, auth());
    expect(tables.json).toEqual({ identifiers: [{ namespace, name }] });

    const top = await raw(`${kit.base}/v1/lake/namespaces`, auth());
    expect(top.json).toEqual({ namespaces: [[namespace[0]]] });
    if (namespace.length > 1) {
      const children = await raw(`${kit.base}/v1/lake/namespaces?parent=${encodeURIComponent(namespace[0] as string)}`, auth());
      expect(children.json).toEqual({ namespaces: [namespace.slice(0, 2)] });
    }
    expect(kit.emu.history('lake', namespace, name).map((h) => h.status)).toEqual([204]);
  });

  it('a/b as one level differs from a, b as two levels', async () => {
    const t = await writeFixtureTable(join(kit.root, 'x'));
    await notify(kit, 'lake', ['a/b'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    await notify(kit, 'lake', ['a', 'b'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(kit.emu.namespaces('lake')).toEqual([['a'], ['a', 'b'], ['a/b']]);
    expect(kit.emu.tables('lake').map((x) => x.namespace)).toEqual([['a', 'b'], ['a/b']]);
  });

  it('a catalog name needing encoding works too', async () => {
    kit.emu.createCatalog({ name: 'my lake/1', allowedLocations: [`file://${kit.root}`] });
    kit.emu.createPrincipal({ clientId: 'p2', clientSecret: 's', roles: { r: { 'my lake/1': ['CATALOG_MANAGE_CONTENT'] } } });
    const t = await writeFixtureTable(join(kit.root, 'y'));
    const r = await notify({ base: kit.base, token: kit.emu.issueToken('p2') }, 'my lake/1', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(r.status).toBe(204);
    expect(kit.emu.tables('my lake/1')).toHaveLength(1);
  });

  it('invalid percent-encoding → 400; an empty namespace level → 400; unknown routes → 404', async () => {
    let r = await raw(`${kit.base}/v1/lake/namespaces/a%ZZ/tables/t`, auth());
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe('BadRequestException');
    r = await raw(`${kit.base}/v1/lake/namespaces/a%1F%1Fb/tables/t`, auth());
    expect(r.status).toBe(400);
    r = await raw(`${kit.base}/v1/lake/namespaces/a/views/v`, auth());
    expect(r.status).toBe(404);
    r = await raw(`${kit.base.replace('/api/catalog', '')}/api/management/v1/catalogs`, auth());
    expect(r.status).toBe(404);
  });

  it('listing a missing namespace → 404 NoSuchNamespaceException', async () => {
    const r = await raw(`${kit.base}/v1/lake/namespaces/nope/tables`, auth());
    expect(r.status).toBe(404);
    expect(r.json.error.type).toBe('NoSuchNamespaceException');
  });
});
