// ETag entries: what the REST source stores as an observation's sourceVersion, and reads back.
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, type EtagEntry } from '../../adapters/rest/etag-entry.js';

const entry = (etag: string, n = 1): EtagEntry => ({ etag, metadataLocation: `s3://b/${etag}/v${n}.metadata.json`, tableUuid: `uuid-${etag}`, sourceTimeMs: 1000 + n });

describe('ETag entries', () => {
  it('survive encoding; anything else (or nothing stored) decodes to nothing, i.e. a full load', () => {
    expect(decodeEntry(encodeEntry(entry('q')))).toEqual(entry('q'));
    expect(decodeEntry(undefined)).toBeUndefined();
    expect(decodeEntry('not json')).toBeUndefined();
    expect(decodeEntry('["etag", 3]')).toBeUndefined();
  });
});
