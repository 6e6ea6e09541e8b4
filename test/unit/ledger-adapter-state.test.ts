// The ledger services source adapters use through their sink: adapter state committed with
// observations, the tables a source holds (e.g. every table of a dropped database), and schema upgrades.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore as Ledger } from '../../src/ledger/sqlite/sqlite-store.js';
import { MIGRATIONS } from '../../src/ledger/sqlite/migrations.js';
import { absent, present, tempDir } from './support.js';

let dir: { dir: string; cleanup: () => void };
let ledger: Ledger;
beforeEach(() => {
  dir = tempDir();
  ledger = Ledger.open(`${dir.dir}/state.db`);
});
afterEach(() => {
  ledger.close();
  dir.cleanup();
});

describe('adapter state', () => {
  it('sets, overwrites and deletes keys per source, and survives a reopen', () => {
    ledger.setAdapterState('rest', { 'etag:a.t1': '"v1"', 'etag:a.t2': '"v2"' });
    ledger.setAdapterState('other', { 'etag:a.t1': '"x"' });
    ledger.setAdapterState('rest', { 'etag:a.t1': '"v3"', 'etag:a.t2': null });
    ledger.close();
    ledger = Ledger.open(`${dir.dir}/state.db`);
    expect([...ledger.adapterState('rest')]).toEqual([['etag:a.t1', '"v3"']]);
    expect([...ledger.adapterState('other')]).toEqual([['etag:a.t1', '"x"']]);
    expect(ledger.adapterState('nobody').size).toBe(0);
  });
});

describe('liveTables', () => {
  it('lists the tables a source holds or wants, optionally under a namespace prefix', () => {
    ledger.observe([
      present('file:///w/a/t1/metadata/v1.metadata.json', { namespace: ['sales'], name: 't1', order: 1 }),
      present('file:///w/a/t2/metadata/v1.metadata.json', { namespace: ['sales', 'eu'], name: 't2', order: 1 }),
      present('file:///w/a/t3/metadata/v1.metadata.json', { namespace: ['ops'], name: 't3', order: 1 }),
      absent({ namespace: ['sales'], name: 'gone', order: 1 }),
    ]);
    const names = (prefix?: string[]) => ledger.liveTables('src', prefix).map((t) => [...t.namespace, t.name].join('.')).sort();
    expect(names()).toEqual(['ops.t3', 'sales.eu.t2', 'sales.t1']);
    expect(names(['sales'])).toEqual(['sales.eu.t2', 'sales.t1']);
    expect(names(['sales', 'eu'])).toEqual(['sales.eu.t2']);
    expect(names(['nope'])).toEqual([]);
    expect(ledger.liveTables('other')).toEqual([]);
  });
});

describe('schema upgrades', () => {
  it('a ledger written by the first schema is upgraded in place, keeping its rows', () => {
    ledger.close();
    // A ledger exactly as the first schema left it, with one table row.
    const path = `${dir.dir}/v1.db`;
    const db = new Database(path);
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    db.exec(MIGRATIONS[0] as string);
    db.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '1')");
    db.prepare(
      `INSERT INTO tables (source, src_namespace, src_name, catalog, namespace, name, desired_state, desired_location, desired_order,
         desired_source_time, desired_timestamp, last_timestamp, status, updated_at)
       VALUES ('src', 'db', 't', 'lake', 'db', 't', 'present', 'file:///w/t/metadata/v1.metadata.json', 1, 1, 1, 1, 'pending', 1)`,
    ).run();
    db.close();
    ledger = Ledger.open(path);
    const rows = ledger.rowsOfSource('src');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ desired: { metadataLocation: 'file:///w/t/metadata/v1.metadata.json' }, sentLocation: null });
    ledger.setAdapterState('src', { k: 'v' });
    expect(ledger.adapterState('src').get('k')).toBe('v');
    ledger.markSending(rows[0]!.id, 'file:///w/t/metadata/v1.metadata.json');
    expect(ledger.get(rows[0]!.id)!.sentLocation).toBe('file:///w/t/metadata/v1.metadata.json');
  });

  it('refuses a ledger from a newer polaris-mirror, saying what to do', () => {
    ledger.close();
    const db = new Database(`${dir.dir}/state.db`);
    db.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    db.close();
    expect(() => Ledger.open(`${dir.dir}/state.db`)).toThrow(/newer polaris-mirror \(schema 99.*upgrade polaris-mirror or point state.path elsewhere/);
    ledger = Ledger.open(`${dir.dir}/other.db`);
  });
});
