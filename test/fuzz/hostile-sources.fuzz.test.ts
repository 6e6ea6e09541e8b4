// Fuzzing what sources hand the connector that a hostile or broken peer controls: metadata files
// (gzip included), Iceberg REST listing pages, Thrift replies from a metastore, and the include /
// exclude globs operators write. Never a crash or a hang; whatever is refused says why; nothing read
// exceeds its bound.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import thrift from 'thrift';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadataText, summarizeMetadata } from '../../adapters/files/metadata-file.js';
import { UnreadableFileError } from '../../adapters/files/regular-file.js';
import { ReplyReader, ThriftProtocolError } from '../../adapters/hive/thrift/message-scanner.js';
import { listCatalog } from '../../adapters/rest/catalog-listing.js';
import type { RestCatalogClient } from '../../adapters/rest/rest-client.js';
import { listNamespacesSchema, listTablesSchema } from '../../adapters/rest/wire.js';
import { Glob } from '../../src/normalizer/glob.js';
import { fuzzRuns, NASTY_STRINGS } from './fuzz-runs.js';

const dir = mkdtempSync(join(tmpdir(), 'pm-fuzz-'));
/** These targets touch files and run listings: at npm run chaos's 10,000 cases they take minutes on a busy machine. */
const SLOW = 15 * 60_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('metadata files (fuzz)', () => {
  const LIMIT = 8192;
  const json = fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify({ 'format-version': 2, 'table-uuid': 'u', 'last-updated-ms': 1, extra: v })));
  const content = fc.oneof(
    fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
    json.map((t) => Buffer.from(t)),
    json.map((t) => gzipSync(t)),
    // Truncated or corrupted gzip.
    json.map((t) => gzipSync(t)).chain((g) => fc.integer({ min: 0, max: g.length }).map((cut) => g.subarray(0, cut))),
    fc.tuple(json, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([t, noise]) => Buffer.concat([gzipSync(t).subarray(0, 10), Buffer.from(noise), gzipSync(t).subarray(10)])),
    // Small bombs: gzip members of zeros, inflating far past the limit.
    fc.integer({ min: 1, max: 40 }).map((n) => Buffer.concat(Array.from({ length: n }, () => gzipSync(Buffer.alloc(4096))))),
  );

  it('read and summarized, or refused with a reason; never more than the limit inflated', async () => {
    let index = 0;
    await fc.assert(
      fc.asyncProperty(content, async (bytes) => {
        const file = join(dir, `m${index++}.metadata.json`);
        writeFileSync(file, bytes);
        try {
          const text = await readMetadataText(file, LIMIT);
          expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LIMIT * 3); // utf-8 replacement characters may grow it
          const summary = summarizeMetadata(text);
          expect(summary.tableUuid === undefined || typeof summary.tableUuid === 'string').toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message.length).toBeGreaterThan(0);
          if (error instanceof UnreadableFileError) expect(error.reason).toBe('too-large');
        } finally {
          rmSync(file);
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, SLOW);
});

describe('Iceberg REST listing pages (fuzz)', () => {
  const text = fc.oneof(fc.string(), fc.constantFrom(...NASTY_STRINGS));
  const page = fc.oneof(
    fc.record({ namespaces: fc.oneof(fc.array(fc.array(text, { maxLength: 3 }), { maxLength: 4 }), fc.anything()), 'next-page-token': fc.oneof(text, fc.constant(null), fc.anything()) }, { requiredKeys: [] }),
    fc.record({ identifiers: fc.oneof(fc.array(fc.record({ namespace: fc.array(text, { maxLength: 3 }), name: text }), { maxLength: 4 }), fc.anything()), 'next-page-token': fc.oneof(text, fc.constant(null)) }, { requiredKeys: [] }),
    fc.anything(),
  );

  it('a page is accepted with string names and a string-or-absent token, or refused', () => {
    fc.assert(
      fc.property(page, (body) => {
        for (const schema of [listNamespacesSchema, listTablesSchema]) {
          const parsed = schema.safeParse(body);
          if (!parsed.success) continue;
          const token = parsed.data['next-page-token'];
          expect(token === undefined || token === null || typeof token === 'string').toBe(true);
        }
      }),
      { numRuns: fuzzRuns(1_000) },
    );
  });

  it('however a server pages (repeats, cycles, depth, breadth), a listing ends: complete, or failed with a reason', async () => {
    const step = fc.record({
      children: fc.array(fc.constantFrom('a', 'b', 'a.b', 'c.d.e'), { maxLength: 3 }),
      tables: fc.array(fc.constantFrom('t1', 't2'), { maxLength: 2 }),
      next: fc.option(fc.constantFrom('', 'p1', 'p2', 'p3'), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 16 }), fc.boolean(), async (script, fresh) => {
        let calls = 0;
        // fresh: every token is new (an endless server); otherwise tokens repeat from a small set.
        const nextOf = (s: (typeof script)[number]) => (fresh && s.next ? `${s.next}-${calls}` : s.next);
        const client = {
          namespacePage: async (_s: unknown, parent: readonly string[]) => {
            const s = script[calls++ % script.length]!;
            return { items: s.children.map((c) => [...parent, ...c.split('.')]), next: nextOf(s) };
          },
          tablePage: async (_s: unknown, namespace: readonly string[]) => {
            const s = script[calls++ % script.length]!;
            return { items: s.tables.map((name) => ({ namespace: [...namespace], name })), next: nextOf(s) };
          },
          loadTable: async () => ({ kind: 'not-found' as const }),
        } as unknown as RestCatalogClient;
        const outcome = await (async () => {
          for await (const _ of listCatalog({
            client,
            session: undefined as never,
            concurrency: 3,
            outOfScope: () => undefined,
            storedVersions: undefined,
            signal: new AbortController().signal,
            onLoadFailed: () => undefined,
            limits: { maxPages: 30, maxDepth: 5, maxNamespaces: 40 },
          }))
            void _;
          return 'complete';
        })().catch((error: Error) => error.message);
        expect(outcome === 'complete' || /next-page-token|levels deep|namespaces, the most/.test(outcome), outcome).toBe(true);
        expect(calls).toBeLessThanOrEqual(2 * 41 * 31);
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, SLOW);
});

describe('Thrift replies (fuzz)', () => {
  /** A valid reply carrying `strings` in a list (field 0), as thrift's own writer encodes it. */
  function reply(strings: string[], seqid: number): Buffer {
    let bytes: Buffer | undefined;
    const p = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (b) => (bytes = b)));
    p.writeMessageBegin('get_all_tables', 2 as never, seqid);
    p.writeStructBegin('');
    p.writeFieldBegin('', 15 as never, 0);
    p.writeListBegin(11 as never, strings.length);
    for (const s of strings) p.writeString(s);
    p.writeListEnd();
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
    p.flush();
    return bytes!;
  }

  const stream = fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
    fc.array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), { minLength: 1, maxLength: 3 }).map((lists) => Buffer.concat(lists.map((l, i) => reply(l, i + 1)))),
    // A valid stream with bytes flipped.
    fc
      .tuple(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([strings, flips]) => {
        const bytes = Buffer.from(reply(strings, 1));
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        return bytes;
      }),
  );

  it('any bytes in any chunks: whole replies no larger than the limit, or a ThriftProtocolError', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat({ max: 700 }), { maxLength: 10 }), fc.boolean(), (bytes, cuts, framed) => {
        const reader = new ReplyReader(framed ? 'framed' : 'buffered', 1024);
        const points = [...new Set(cuts.filter((c) => c < bytes.length))].sort((a, b) => a - b);
        let from = 0;
        try {
          for (const point of [...points, bytes.length]) {
            reader.push(bytes.subarray(from, point), (message) => expect(message.length).toBeLessThanOrEqual(1024));
            from = point;
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ThriftProtocolError);
        }
      }),
      { numRuns: fuzzRuns(2_000) },
    );
  }, SLOW);
});

describe('glob patterns (fuzz)', () => {
  function reference(glob: string): RegExp {
    let pattern = '';
    for (const char of glob) pattern += char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    return new RegExp(`^${pattern}$`, 'su');
  }

  it('matches what the regular-expression translation matches, for any characters', () => {
    const glob = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: fc.constantFrom('*', '?', '.', 'a', '\\', '[', '😀'), maxLength: 10 }));
    const name = fc.oneof(fc.string({ maxLength: 14 }), fc.string({ unit: fc.constantFrom('.', 'a', '\n', '😀', '\ud800'), maxLength: 14 }));
    fc.assert(
      fc.property(glob, name, (g, n) => {
        expect(new Glob(g).matches(n)).toBe(reference(g).test(n));
      }),
      { numRuns: fuzzRuns(3_000) },
    );
  });

  it('long names against many-star globs finish (no backtracking)', () => {
    const glob = fc.array(fc.constantFrom('*', '?', '.', '_backup', 'a'), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));
    const name = fc.tuple(fc.constantFrom('a.', 'a', '.', 'ab'), fc.integer({ min: 1_000, max: 5_000 }), fc.constantFrom('', 'x', '_backup')).map(([unit, n, tail]) => unit.repeat(n) + tail);
    fc.assert(
      fc.property(glob, name, (g, n) => {
        expect(typeof new Glob(g).matches(n)).toBe('boolean');
      }),
      { numRuns: fuzzRuns(200) },
    );
  }, SLOW);
});
