// Fuzzing what the hiveserver2 source builds from names and reads from a peer it does not control:
// any name quotes to one backquoted identifier (or is refused); any row set is read into rows of the
// asked width or refused with a reason — never a crash or a misread; any error answer is classified
// with bounded text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../../adapters/hiveserver2/hiveql.js';
import { classifyHs2Error, Hs2Error } from '../../adapters/hiveserver2/hs2-errors.js';
import { decodeRowSets } from '../../adapters/hiveserver2/row-sets.js';
import { fuzzRuns, NASTY_STRINGS } from './fuzz-runs.js';

const name = fc.oneof(fc.string({ maxLength: 64 }), fc.constantFrom(...NASTY_STRINGS), fc.stringMatching(/^[`a-z;\- ]{0,12}$/));

/** Reads one backquoted identifier back the way HiveQL's lexer does (`` is a backquote). */
function unquote(sql: string): string | undefined {
  const match = /^`((?:[^`]|``)*)`$/.exec(sql);
  return match ? match[1]!.replaceAll('``', '`') : undefined;
}

describe('hiveserver2 (fuzz)', () => {
  it('a name is one backquoted identifier that reads back as itself, or it is refused', () => {
    fc.assert(
      fc.property(name, (text) => {
        let quoted: string;
        try {
          quoted = quoteIdentifier(text);
        } catch (error) {
          expect((error as Error).message).toMatch(/is not a Hive identifier/);
          return;
        }
        expect(unquote(quoted)).toBe(text);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('a row set from a hostile peer is read to rows of the asked width, or refused with a reason', () => {
    const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64BE(v);
      return { buffer, offset: 0 };
    });
    const nulls = fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a));
    const column = fc.oneof(
      fc.record({ stringVal: fc.record({ values: fc.array(fc.string({ maxLength: 20 }), { maxLength: 12 }), nulls }) }),
      fc.record({ i64Val: fc.record({ values: fc.array(int64, { maxLength: 12 }), nulls }) }),
      fc.record({ i32Val: fc.record({ values: fc.array(fc.integer(), { maxLength: 12 }), nulls }) }),
      fc.record({ boolVal: fc.record({ values: fc.array(fc.boolean(), { maxLength: 12 }), nulls }) }),
      fc.constant({}),
    );
    const rowSet = fc.record({ columns: fc.oneof(fc.array(column, { maxLength: 4 }), fc.constant(null)) });
    fc.assert(
      fc.property(fc.array(rowSet, { maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (rowSets, width) => {
        try {
          const rows = decodeRowSets(rowSets as never, width);
          for (const row of rows) {
            expect(row).toHaveLength(width);
            for (const cell of row) expect(cell === null || typeof cell === 'string' || typeof cell === 'bigint').toBe(true);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(Hs2Error);
          expect((error as Hs2Error).message).toMatch(/^HiveServer2 sent a malformed result: /);
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('any error answer is classified, with bounded printable text', () => {
    const answer = fc.record(
      { name: fc.constantFrom('Status Error', 'Error', 'TApplicationException'), message: fc.oneof(fc.string({ maxLength: 5000 }), fc.constantFrom(...NASTY_STRINGS)), code: fc.oneof(fc.integer(), fc.string({ maxLength: 20 })), statusCode: fc.integer({ min: 100, max: 599 }) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(answer, (error) => {
        const classified = classifyHs2Error(error, { host: 'h', port: 1, auth: { type: 'plain' } });
        expect(['authentication', 'authorization', 'connection', 'sql']).toContain(classified.kind);
        expect(classified.message.length).toBeLessThan(1500);
        // eslint-disable-next-line no-control-regex
        expect(classified.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u001b]/);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
