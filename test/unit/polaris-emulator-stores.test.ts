// The Polaris emulator keeps its tables and their notification history as strings (table-store.ts,
// history-store.ts): what goes in must come back out unchanged, and arrival order must hold whichever
// notification is answered first.
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../emulators/polaris/history-store.js';
import { TableStore } from '../emulators/polaris/table-store.js';
import type { HistoryEntry } from '../emulators/polaris/types.js';

const entry = (type: string, at: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  type,
  timestamp: at * 10,
  metadataLocation: `s3://lake/wh/db/t/metadata/${at}.metadata.json`,
  status: 0,
  at,
  ...extra,
});

describe('the emulator history store', () => {
  it('keeps arrival order when a later notification is answered first, and shows the pending one meanwhile', () => {
    const history = new HistoryStore();
    const first = entry('CREATE', 1, { requestId: 'r-1' });
    const second = entry('UPDATE', 2);
    history.arrive('k', first);
    history.arrive('k', second);
    history.answer('k', second, 409);
    expect(history.of('k')).toEqual([
      { ...first, status: 0 },
      { ...second, status: 409 },
    ]);
    history.answer('k', first, 204);
    history.arrive('k', entry('DROP', 3));
    expect(history.of('k').map((e) => [e.type, e.status])).toEqual([
      ['CREATE', 204],
      ['UPDATE', 409],
      ['DROP', 0],
    ]);
    // Answered entries come back as they went in: the request id when there was one, none otherwise.
    expect(history.of('k')[0]).toEqual({ ...first, status: 204, requestId: 'r-1' });
    expect(Object.keys(history.of('k')[1]!)).not.toContain('requestId');
  });

  it('keeps each table apart, and hands out copies', () => {
    const history = new HistoryStore();
    const a = entry('CREATE', 1);
    history.arrive('a', a);
    history.answer('a', a, 204);
    expect(history.of('b')).toEqual([]);
    history.of('a')[0]!.status = 500;
    expect(history.of('a')[0]!.status).toBe(204);
  });
});

describe('the emulator table store', () => {
  it('gives back what was put (a missing timestamp too), replaces, lists a namespace sorted and removes', () => {
    const tables = new TableStore();
    tables.put({ namespace: ['db', 'x'], name: 'b', metadataLocation: 's3://lake/wh/b/m1.json', timestamp: 1_700_000_000_123 });
    tables.put({ namespace: ['db', 'x'], name: 'a', metadataLocation: 's3://lake/wh/a/m\u0000odd.json', timestamp: undefined });
    tables.put({ namespace: ['db'], name: 'c', metadataLocation: 's3://lake/wh/c/m.json', timestamp: -1 });
    expect(tables.get(['db', 'x'], 'a')).toEqual({ namespace: ['db', 'x'], name: 'a', metadataLocation: 's3://lake/wh/a/m\u0000odd.json', timestamp: undefined });
    expect(tables.get(['db'], 'c')?.timestamp).toBe(-1);
    expect(tables.namesIn(['db', 'x'])).toEqual(['a', 'b']);
    expect(tables.anyIn(['db'])).toBe(true);
    expect(tables.size).toBe(3);

    tables.put({ namespace: ['db', 'x'], name: 'b', metadataLocation: 's3://lake/wh/b/m2.json', timestamp: 1_700_000_000_124 });
    expect(tables.get(['db', 'x'], 'b')?.metadataLocation).toBe('s3://lake/wh/b/m2.json');
    expect(tables.size).toBe(3);

    tables.remove(['db'], 'c');
    expect(tables.has(['db'], 'c')).toBe(false);
    expect(tables.anyIn(['db'])).toBe(false);
    expect([...tables.records()].map((t) => `${t.namespace.join('.')}.${t.name}`).sort()).toEqual(['db.x.a', 'db.x.b']);
  });
});
