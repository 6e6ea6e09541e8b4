// Fuzzing the HTTP ingest: whatever the body, the parser never throws, accepts only well-formed
// events, and every problem names a path; through the real server, nothing but 202/400 comes back and
// nothing invalid reaches the ledger.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestBody } from '../../adapters/webhook/webhook-source.js';
import { serveMirror, type ServedMirror } from '../support/engine.js';
import { CATALOG } from '../support/harness.js';
import { fuzzRuns, NASTY_STRINGS } from './fuzz-runs.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(...NASTY_STRINGS));
/** A raw control character a terminal could act on (JSON escapes C0 itself; C1 and bidi must be escaped too). */
const INERT_VIOLATION = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const eventLike = fc.record(
  {
    namespace: fc.oneof(fc.array(text, { maxLength: 4 }), text, fc.constant(null), fc.integer()),
    table: fc.oneof(text, fc.integer(), fc.constant(undefined)),
    operation: fc.oneof(fc.constantFrom('create', 'update', 'drop'), text),
    metadataLocation: fc.oneof(text, fc.constant(undefined), fc.integer()),
    tableUuid: fc.oneof(text, fc.constant(undefined)),
    sourceTimestampMs: fc.oneof(fc.integer(), fc.double(), fc.constant(undefined), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(-1)),
    extra: fc.oneof(fc.constant(undefined), fc.anything()),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(fc.anything(), fc.record({ events: fc.array(eventLike, { maxLength: 6 }) }), fc.record({ events: fc.anything() }));

describe('parseIngestBody (fuzz)', () => {
  it('never throws; accepted events are well formed; problems carry paths', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const result = await parseIngestBody(value, 1_700_000_000_000);
        for (const problem of result.problems) {
          expect(typeof problem.path).toBe('string');
          expect(problem.message.length).toBeGreaterThan(0);
        }
        if (result.problems.length > 0) return;
        for (const { observation } of result.items) {
          expect(observation.table.namespace.length).toBeGreaterThan(0);
          for (const level of observation.table.namespace) expect(level.length).toBeGreaterThan(0);
          expect(observation.table.name.length).toBeGreaterThan(0);
          expect(Number.isSafeInteger(observation.order)).toBe(true);
          if (observation.state === 'present') expect(observation.metadataLocation.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: fuzzRuns(2_000) },
    );
  });
});

describe('the ingest endpoint (fuzz, over HTTP)', () => {
  let served: ServedMirror;
  beforeAll(async () => {
    served = await serveMirror((c) => {
      c.server = { host: '127.0.0.1', port: 0, maxBodyBytes: 65_536 };
      c.sources = [{ name: 'hooks', type: 'webhook', token: 'fuzz-token-1234', target: { catalog: CATALOG } }];
    });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('answers 202 or 400 (never 5xx), and stores only representable tables', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(body.map((b) => JSON.stringify(b) ?? 'null'), fc.string()), async (raw) => {
        const response = await fetch(`${served.base}/v1/sources/hooks/events`, {
          method: 'POST',
          headers: { authorization: 'Bearer fuzz-token-1234', 'content-type': 'application/json' },
          body: raw,
        });
        expect([202, 400, 413]).toContain(response.status);
        // Answers are bounded and inert, whatever the body quoted back.
        const answer = await response.text();
        expect(answer.length).toBeLessThan(64 * 1024);
        expect(answer).not.toMatch(INERT_VIOLATION);
      }),
      { numRuns: fuzzRuns(150) },
    );
    for (const row of (await served.mirror.ledger.rowsOfSource('hooks'))) {
      expect(row.table.name).not.toBe('');
      expect(['.', '..']).not.toContain(row.table.name);
      for (const level of row.table.namespace) {
        expect(level).not.toBe('');
        expect(level).not.toContain('\u001f');
        expect(['.', '..']).not.toContain(level);
      }
    }
  }, 300_000);
});
