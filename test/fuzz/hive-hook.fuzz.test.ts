// Fuzzing the Hive hook endpoint over HTTP (hook-only, so drops are trusted): event objects and arrays
// with any field values, gzip messages that are garbage, valid, or bombs. Never a 5xx, answers bounded
// and inert, the server keeps answering /healthz, and nothing unrepresentable reaches the ledger.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMirror, type ServedMirror } from '../support/engine.js';
import { CATALOG } from '../support/harness.js';
import { fuzzRuns, NASTY_STRINGS } from './fuzz-runs.js';

const TOKEN = 'hook-fuzz-token-1234';
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(...NASTY_STRINGS));
const INERT_VIOLATION = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const gz = (json: string) => gzipSync(Buffer.from(json)).toString('base64');
const tableJson = (db: string, name: string, location: string) =>
  JSON.stringify({ dbName: db, tableName: name, tableType: 'EXTERNAL_TABLE', parameters: { table_type: 'ICEBERG', metadata_location: location } });
const message = fc.oneof(
  text,
  text.map(gz),
  fc.tuple(text, text, text).map(([db, name, location]) => JSON.stringify({ db, table: name, tableObjJson: tableJson(db, name, location) })),
  fc.tuple(text, text, text).map(([db, name, location]) => gz(JSON.stringify({ db, table: name, tableObjJson: tableJson(db, name, location) }))),
  // A small gzip bomb: a megabyte of whitespace in about a kilobyte.
  fc.constant(gz(`{"tableObjJson":"x"${' '.repeat(1024 * 1024)}}`)),
);
const event = fc.record(
  {
    eventId: fc.oneof(fc.nat(), fc.constantFrom('9007199254740993', '18446744073709551616', '-1', 'x'), fc.constant(null)),
    eventTime: fc.oneof(fc.nat({ max: 4_000_000_000 }), fc.double(), fc.constant(null)),
    eventType: fc.oneof(fc.constantFrom('CREATE_TABLE', 'ALTER_TABLE', 'DROP_TABLE', 'DROP_DATABASE', 'ADD_PARTITION'), text),
    dbName: fc.oneof(text, fc.constant(null)),
    tableName: fc.oneof(text, fc.constant(null)),
    message,
    messageFormat: fc.oneof(fc.constantFrom('json-0.2', 'json-2.0', 'gzip(json-2.0)'), text, fc.constant(null)),
    catName: fc.oneof(text, fc.constant(null)),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(event, fc.array(event, { maxLength: 25 }), fc.anything());

describe('the Hive hook endpoint (fuzz, over HTTP)', () => {
  let served: ServedMirror;
  beforeAll(async () => {
    served = await serveMirror((c) => {
      c.server = { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 * 1024 };
      c.sources = [{ name: 'hms', type: 'hive', ingestToken: TOKEN, target: { catalog: CATALOG } }];
    });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('answers 202, 400 or 413 (never 5xx), bounded and inert; /healthz answers; only representable tables are stored', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const response = await fetch(`${served.base}/v1/sources/hms/hive-events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(value) ?? 'null',
        });
        expect([202, 400, 413]).toContain(response.status);
        const answer = await response.text();
        expect(answer.length).toBeLessThan(64 * 1024);
        expect(answer).not.toMatch(INERT_VIOLATION);
        expect((await fetch(`${served.base}/healthz`)).status).toBe(200);
      }),
      { numRuns: fuzzRuns(120) },
    );
    for (const row of (await served.mirror.ledger.rowsOfSource('hms'))) {
      for (const name of [row.table.name, ...row.table.namespace]) {
        expect(name).not.toBe('');
        expect(name).not.toContain('\u001f');
        expect(['.', '..']).not.toContain(name);
      }
    }
  }, 300_000);
});
