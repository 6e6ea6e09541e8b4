// ETag bookkeeping: what a listing's ETags turn into as ledger state, and which ETags a listing may send.
import { describe, expect, it } from 'vitest';
import { decodeEntry, durableEtags, encodeEntry, EtagCache, EtagCollector, etagKey, type EtagEntry } from '../../adapters/rest/etag-cache.js';

const t = (name: string, namespace = ['ns']) => ({ namespace, name });
const entry = (etag: string, n = 1): EtagEntry => ({ etag, metadataLocation: `s3://b/${etag}/v${n}.metadata.json`, tableUuid: `uuid-${etag}`, sourceTimeMs: 1000 + n });

describe('EtagCollector.changes', () => {
  it('writes new and changed ETags, deletes those of tables not yielded, keeps those of failed loads', () => {
    const durable = new Map([
      [etagKey(t('same')), encodeEntry(entry('s'))],
      [etagKey(t('changed')), encodeEntry(entry('c', 1))],
      [etagKey(t('gone')), encodeEntry(entry('g'))],
      [etagKey(t('no-etag-now')), encodeEntry(entry('n'))],
      [etagKey(t('failed')), encodeEntry(entry('f'))],
    ]);
    const collector = new EtagCollector();
    collector.record(t('same'), entry('s'));
    collector.record(t('changed'), entry('c2', 2));
    collector.record(t('new'), entry('x'));
    collector.record(t('no-etag-now'), undefined);
    collector.keep(t('failed'));
    expect(collector.changes(durable)).toEqual({
      [etagKey(t('changed'))]: encodeEntry(entry('c2', 2)),
      [etagKey(t('new'))]: encodeEntry(entry('x')),
      [etagKey(t('gone'))]: null,
      [etagKey(t('no-etag-now'))]: null,
    });
  });

  it('changes nothing when the listing saw what is committed', () => {
    const collector = new EtagCollector();
    collector.record(t('a'), entry('a'));
    expect(collector.changes(new Map([[etagKey(t('a')), encodeEntry(entry('a'))]]))).toEqual({});
  });
});

describe('keys and entries', () => {
  it('keys cannot collide between namespace levels and names', () => {
    expect(etagKey(t('c', ['a', 'b']))).not.toBe(etagKey(t('b.c', ['a'])));
    expect(etagKey(t('c', ['a.b']))).not.toBe(etagKey(t('c', ['a', 'b'])));
  });

  it('entries survive encoding; anything else decodes to nothing', () => {
    expect(decodeEntry(encodeEntry(entry('q')))).toEqual(entry('q'));
    expect(decodeEntry('not json')).toBeUndefined();
    expect(decodeEntry('["etag", 3]')).toBeUndefined();
  });

  it('only the adapter state entries that are ETags count as durable ETags', () => {
    const state = new Map([
      [etagKey(t('a')), encodeEntry(entry('a'))],
      ['cursor:events', '42'],
    ]);
    expect([...durableEtags(state).keys()]).toEqual([etagKey(t('a'))]);
  });
});

describe('EtagCache', () => {
  it('seeding never replaces what this process learned since (it is newer); learning nothing forgets', () => {
    const cache = new EtagCache();
    cache.learn(t('a'), entry('a2', 2));
    cache.seed(new Map([
      [etagKey(t('a')), encodeEntry(entry('a1'))],
      [etagKey(t('b')), encodeEntry(entry('b1'))],
      [etagKey(t('bad')), 'garbage'],
    ]));
    expect(cache.get(t('a'))).toEqual(entry('a2', 2));
    expect(cache.get(t('b'))).toEqual(entry('b1'));
    expect(cache.get(t('bad'))).toBeUndefined();
    cache.learn(t('b'), undefined);
    expect(cache.get(t('b'))).toBeUndefined();
    cache.retain(new Set([etagKey(t('z'))]));
    expect(cache.size).toBe(0);
  });
});
