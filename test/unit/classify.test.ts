// The response classifier, one test per row of polaris.md's behaviour table, and the small pure helpers
// around the sender: URL paths, the notification body, backoff, the drop brake, table locations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, failedRetryDelay } from '../../src/util/backoff.js';
import { decideDrops, dropCandidates, pendingDropRows, rowKey, wantedRows } from '../../src/engine/drop-brake.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import { tableLocationOf } from '../../src/model/locations.js';
import { classifyError, classifyResponse, retryAfterMs } from '../../src/polaris/classify.js';
import { NetworkError, type HttpResponse } from '../../src/polaris/http.js';
import { notificationBody, UNKNOWN_TABLE_UUID } from '../../src/polaris/notification.js';
import { joinUri, namespaceSegment, notificationPath, tablePath } from '../../src/polaris/paths.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { MirrorError } from '../../src/util/errors.js';

const ctx = { catalog: 'lake', location: 's3://bucket/warehouse/db/t' };

function polarisError(status: number, type: string, message: string, headers: HttpResponse['headers'] = {}): HttpResponse {
  return { status, headers, body: { error: { message, type, code: status } } };
}

describe('classifyResponse', () => {
  it('204 → ok', () => {
    expect(classifyResponse({ status: 204, headers: {}, body: undefined }, ctx)).toEqual({ kind: 'ok' });
    expect(classifyResponse({ status: 200, headers: {}, body: {} }, ctx)).toEqual({ kind: 'ok' });
  });

  it('409 newer timestamp → stale', () => {
    const msg = 'A notification with a newer timestamp has been processed for table db.t';
    expect(classifyResponse(polarisError(409, 'AlreadyExistsException', msg), ctx)).toEqual({
      kind: 'stale',
      message: `Polaris answered 409 AlreadyExistsException: ${msg}`,
    });
  });

  it('409 "Table already exists" → retry (conflict)', () => {
    expect(classifyResponse(polarisError(409, 'AlreadyExistsException', 'Table already exists: db.t'), ctx)).toEqual({
      kind: 'retry',
      reason: 'conflict',
      message: 'Polaris answered 409 AlreadyExistsException: Table already exists: db.t',
    });
  });

  it('409 CommitConflictException → retry (conflict)', () => {
    const v = classifyResponse(polarisError(409, 'CommitConflictException', 'Table db.t was concurrently modified'), ctx);
    expect(v).toMatchObject({ kind: 'retry', reason: 'conflict' });
  });

  it('429 with Retry-After seconds → retry (rate_limited) with retryAfterMs', () => {
    const v = classifyResponse(polarisError(429, 'TooManyRequestsException', 'Too many requests', { 'retry-after': '7' }), ctx);
    expect(v).toEqual({
      kind: 'retry',
      reason: 'rate_limited',
      message: 'Polaris answered 429 TooManyRequestsException: Too many requests',
      retryAfterMs: 7_000,
    });
  });

  it('429 with Retry-After as an HTTP date → retry with the time until then', () => {
    const at = new Date(Date.now() + 120_000);
    const v = classifyResponse(polarisError(429, 'TooManyRequestsException', 'slow down', { 'retry-after': at.toUTCString() }), ctx);
    expect(v.kind).toBe('retry');
    const ms = (v as { retryAfterMs?: number }).retryAfterMs!;
    // HTTP dates have whole seconds
    expect(ms).toBeGreaterThan(118_000);
    expect(ms).toBeLessThanOrEqual(120_000);
  });

  it('429 without Retry-After has no retryAfterMs', () => {
    const v = classifyResponse(polarisError(429, 'TooManyRequestsException', 'x'), ctx);
    expect(v).toMatchObject({ kind: 'retry', reason: 'rate_limited' });
    expect((v as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504])('%i → retry (server_error)', (status) => {
    const v = classifyResponse(polarisError(status, 'RuntimeException', 'oops'), ctx);
    expect(v).toMatchObject({ kind: 'retry', reason: 'server_error', message: `Polaris answered ${status} RuntimeException: oops` });
    expect((v as { hint?: string }).hint).toBe('Polaris is failing; the notification is sent again with backoff');
  });

  it('503 RuntimeIOException (a metadata file that is not JSON) → fail, not retried at full speed', () => {
    const v = classifyResponse(polarisError(503, 'RuntimeIOException', 'Failed to read file: s3://b/t/metadata/1.metadata.json'), ctx);
    expect(v).toMatchObject({ kind: 'fail', status: 503, hint: expect.stringContaining('it is not JSON') });
  });

  it('5xx honours Retry-After too', () => {
    const v = classifyResponse(polarisError(503, 'ServiceUnavailableException', 'x', { 'retry-after': ['3', '9'] }), ctx);
    expect(v).toMatchObject({ kind: 'retry', retryAfterMs: 3_000 });
  });

  it('400 internal catalog → fail with a hint about EXTERNAL', () => {
    const v = classifyResponse(polarisError(400, 'BadRequestException', 'Cannot update internal catalog via notifications'), ctx);
    expect(v).toEqual({
      kind: 'fail',
      status: 400,
      message: 'Polaris answered 400 BadRequestException: Cannot update internal catalog via notifications',
      hint: 'catalog "lake" is INTERNAL; notifications need an EXTERNAL catalog without a connection config: point target.catalog at one',
    });
  });

  it('400 outside of table location → hint names the catalog property that allows it', () => {
    const v = classifyResponse(
      polarisError(400, 'BadRequestException', 'Metadata location s3://x/m.json is not allowed outside of table location s3://x/t'),
      ctx,
    );
    expect(v.kind).toBe('fail');
    expect((v as { hint: string }).hint).toContain('polaris.config.allow.external.metadata.file.location=true on catalog "lake"');
  });

  it('400 without storage config → hint about a storage configuration', () => {
    const v = classifyResponse(polarisError(400, 'BadRequestException', 'No storage config found for table'), ctx);
    expect((v as { hint: string }).hint).toBe('catalog "lake" has no storage configuration: give it one whose allowedLocations cover the tables');
  });

  it('400 for a missing cloud metadata file → metadata file hint', () => {
    const v = classifyResponse(polarisError(400, 'NotFoundException', 'Location does not exist: s3://b/t/metadata/1.metadata.json'), ctx);
    expect((v as { hint: string }).hint).toContain('could not find the metadata file in object storage');
  });

  it('400 other → generic metadata hint', () => {
    const v = classifyResponse(polarisError(400, 'BadRequestException', 'Malformed request'), ctx);
    expect(v).toMatchObject({ kind: 'fail', status: 400, hint: expect.stringContaining('valid Iceberg metadata') });
  });

  it('403 Invalid locations → hint names the location and allowedLocations', () => {
    const v = classifyResponse(
      polarisError(
        403,
        'ForbiddenException',
        "Invalid locations '[s3://bucket/warehouse/db/t/metadata/1.metadata.json]' for identifier 'db.t': s3://bucket/warehouse/db/t/metadata/1.metadata.json is not in the list of allowed locations: [s3://other]",
      ),
      ctx,
    );
    expect(v).toMatchObject({ kind: 'fail', status: 403 });
    expect((v as { hint: string }).hint).toMatch(/^add "s3:\/\/bucket\/warehouse\/db\/t" \(or a parent\) to the allowedLocations of catalog "lake"/);
  });

  it('403 Invalid locations without a known location still names allowedLocations', () => {
    const v = classifyResponse(polarisError(403, 'ForbiddenException', 'Invalid locations'), { catalog: 'lake' });
    expect((v as { hint: string }).hint).toMatch(/^add the table's location to the allowedLocations of catalog "lake"/);
  });

  it('403 other → privileges hint', () => {
    const v = classifyResponse(
      polarisError(403, 'ForbiddenException', "Principal 'mirror' is not authorized for op UPDATE_TABLE_FROM_NOTIFICATION"),
      ctx,
    );
    expect(v.kind).toBe('fail');
    expect((v as { hint: string }).hint).toContain('CATALOG_MANAGE_CONTENT');
    expect((v as { hint: string }).hint).toContain('catalog "lake"');
  });

  it('404 unknown catalog → create catalog hint', () => {
    const v = classifyResponse(polarisError(404, 'NotFoundException', 'Unable to find warehouse lake'), ctx);
    expect(v).toMatchObject({ kind: 'fail', status: 404, hint: 'create catalog "lake" in Polaris (type EXTERNAL) or fix target.catalog' });
  });

  it('404 missing metadata file → metadata file hint', () => {
    const v = classifyResponse(polarisError(404, 'NotFoundException', 'Failed to open input stream for file: file:/data/db/t/metadata/1.metadata.json'), ctx);
    expect((v as { hint: string }).hint).toBe(
      "Polaris could not read the metadata file: check it exists and that the catalog's storage credentials can read it",
    );
  });

  // Regression (fixed; this was the bug): the message of a missing file contains its path, and "warehouse" / "catalog" are common
  // directory names in Iceberg paths: that must not read as a missing catalog.
  it('404 missing metadata file under a /warehouse/ or /catalog/ path → still the metadata file hint', () => {
    const v = classifyResponse(
      polarisError(404, 'NotFoundException', 'Failed to open input stream for file: file:/srv/warehouse/db/t/metadata/00001-a.metadata.json'),
      ctx,
    );
    expect((v as { hint: string }).hint).toContain('could not read the metadata file');
    const w = classifyResponse(
      polarisError(404, 'NotFoundException', 'Failed to open input stream for file: file:/srv/catalogs/lake/db/t/metadata/00001-a.metadata.json'),
      ctx,
    );
    expect((w as { hint: string }).hint).toContain('could not read the metadata file');
  });

  it('401 (after the token was refreshed) → fail with an auth hint', () => {
    const v = classifyResponse(polarisError(401, 'NotAuthorizedException', 'Not authorized'), ctx);
    expect(v).toMatchObject({
      kind: 'fail',
      status: 401,
      message: 'Polaris answered 401 NotAuthorizedException: Not authorized',
      hint: expect.stringContaining('Polaris refused a token it had just issued'),
    });
    expect(classifyResponse(polarisError(419, 'AuthenticationTimeoutException', 'x'), ctx)).toMatchObject({ kind: 'fail', status: 419 });
  });

  it('a non-JSON body is quoted (shortened), an empty one says "no message"', () => {
    expect(classifyResponse({ status: 502, headers: {}, body: '<html>bad gateway</html>' }, ctx)).toMatchObject({
      message: 'Polaris answered 502: <html>bad gateway</html>',
    });
    const long = classifyResponse({ status: 502, headers: {}, body: 'x'.repeat(2000) }, ctx) as { message: string };
    expect(long.message).toMatch(/^Polaris answered 502: x+… \[\d+ more characters\]$/);
    expect(long.message.length).toBeLessThanOrEqual('Polaris answered 502: '.length + 500);
    expect(classifyResponse({ status: 500, headers: {}, body: undefined }, ctx)).toMatchObject({ message: 'Polaris answered 500: no message' });
  });

  // A secret echoed where the body is cut used to leak its first half (cut, then scrubbed too late).
  it('a secret echoed across the cut is scrubbed before the body is shortened: no piece of it survives', () => {
    const secret = 'S3cr3t-Qz9vWk27-Xp';
    new Redactor([secret]); // registered as a config secret would be
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1200 }), fc.constantFrom('text', 'json'), (at, shape) => {
        const padded = `${'.'.repeat(at)}${secret} trailing`;
        const body = shape === 'text' ? padded : { error: { message: padded, type: 'BadRequestException', code: 400 } };
        const verdict = classifyResponse({ status: 400, headers: {}, body }, ctx) as { message: string };
        for (let i = 0; i + 4 <= secret.length; i++) expect(verdict.message).not.toContain(secret.slice(i, i + 4));
      }),
      { numRuns: 300 },
    );
  });

  it('control characters in an error body are made visible, never passed on', () => {
    const verdict = classifyResponse({ status: 400, headers: {}, body: { error: { message: 'bad\u001b]0;owned\u0007\r\nFAKE LINE\u009b2J', type: 'X\u001b[31m' } } }, ctx) as {
      message: string;
    };
    expect(verdict.message).toBe('Polaris answered 400 X\\u001b[31m: bad\\u001b]0;owned\\u0007\\u000d\\u000aFAKE LINE\\u009b2J');
  });
});

describe('retryAfterMs', () => {
  const at = (value: string | string[] | undefined): HttpResponse => ({ status: 429, headers: { 'retry-after': value }, body: undefined });

  it('seconds, HTTP dates, past dates, garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(at('0'), now)).toBe(0);
    expect(retryAfterMs(at('2.5'), now)).toBe(2_500);
    expect(retryAfterMs(at('Thu, 01 Jan 2026 00:01:30 GMT'), now)).toBe(90_000);
    expect(retryAfterMs(at('Wed, 31 Dec 2025 23:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(at('soon'), now)).toBeUndefined();
    expect(retryAfterMs(at(undefined), now)).toBeUndefined();
  });
});

describe('classifyError', () => {
  it('NetworkError → retry (network) with its hint', () => {
    const e = new NetworkError('ECONNREFUSED', 'POST /v1/x failed: connect ECONNREFUSED (ECONNREFUSED)', new Error('x'));
    expect(classifyError(e)).toEqual({
      kind: 'retry',
      reason: 'network',
      message: 'POST /v1/x failed: connect ECONNREFUSED (ECONNREFUSED)',
      hint: 'check that Polaris is up and reachable from this host',
    });
  });

  it('a non-retryable MirrorError → fail with its hint', () => {
    expect(classifyError(new MirrorError('bad client secret', { retryable: false, hint: 'fix polaris.auth' }))).toEqual({
      kind: 'fail',
      status: undefined,
      message: 'bad client secret',
      hint: 'fix polaris.auth',
    });
    expect(classifyError(new MirrorError('x', { retryable: false }))).toMatchObject({ kind: 'fail', hint: 'see the message' });
  });

  it('anything else thrown → retry (network)', () => {
    expect(classifyError(new TypeError('socket hang up'))).toEqual({ kind: 'retry', reason: 'network', message: 'socket hang up' });
    expect(classifyError('weird')).toEqual({ kind: 'retry', reason: 'network', message: 'weird' });
  });
});

describe('paths', () => {
  it('joins namespace levels with U+001F, percent-encoded', () => {
    expect(namespaceSegment(['a', 'b', 'c'])).toBe('a%1Fb%1Fc');
    expect(namespaceSegment(['single'])).toBe('single');
  });

  it('encodes / % ? # space and unicode in every segment', () => {
    expect(tablePath('my cat', ['a/b', 'c%d'], 'e?f#g h')).toBe('/v1/my%20cat/namespaces/a%2Fb%1Fc%25d/tables/e%3Ff%23g%20h');
    expect(tablePath('lake', ['vendas'], 'pedidos_ç_😀')).toBe('/v1/lake/namespaces/vendas/tables/pedidos_%C3%A7_%F0%9F%98%80');
  });

  it('notification path and base join', () => {
    expect(notificationPath('lake', ['db'], 't')).toBe('/v1/lake/namespaces/db/tables/t/notifications');
    expect(joinUri('http://p:8181/api/catalog/', '/v1/x')).toBe('http://p:8181/api/catalog/v1/x');
    expect(joinUri('http://p:8181/api/catalog//', '/v1/x')).toBe('http://p:8181/api/catalog/v1/x');
    expect(joinUri('http://p:8181/api/catalog', '/v1/x')).toBe('http://p:8181/api/catalog/v1/x');
  });

  it('property: every segment decodes back to exactly its name (nothing breaks out)', () => {
    // "." and ".." are path steps, refused by pathSegment (tested apart): any other name must round-trip.
    const segmentName = fc.string({ minLength: 1, unit: 'grapheme' }).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(
        segmentName,
        fc.array(segmentName.filter((s) => !s.includes('\u001f')), { minLength: 1, maxLength: 4 }),
        segmentName,
        (prefix, namespace, name) => {
          const parts = notificationPath(prefix, namespace, name).split('/');
          expect(parts).toHaveLength(8);
          expect(decodeURIComponent(parts[2]!)).toBe(prefix);
          expect(decodeURIComponent(parts[4]!).split('\u001f')).toEqual(namespace);
          expect(decodeURIComponent(parts[6]!)).toBe(name);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('notificationBody', () => {
  it('carries the four payload fields and never `metadata`', () => {
    const body = notificationBody('UPDATE', { name: 't', timestamp: 1_732_500_000_123, tableUuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1', metadataLocation: 's3://l/t/metadata/7.metadata.json' });
    expect(body).toEqual({
      'notification-type': 'UPDATE',
      payload: {
        'table-name': 't',
        timestamp: 1_732_500_000_123,
        'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1',
        'metadata-location': 's3://l/t/metadata/7.metadata.json',
      },
    });
    expect(JSON.stringify(body)).not.toContain('"metadata"');
  });

  it('sends the nil UUID when the uuid is unknown', () => {
    const body = notificationBody('DROP', { name: 't', timestamp: 5, tableUuid: null, metadataLocation: '' });
    expect(body.payload['table-uuid']).toBe('00000000-0000-0000-0000-000000000000');
    expect(UNKNOWN_TABLE_UUID).toBe('00000000-0000-0000-0000-000000000000');
  });
});

describe('backoffDelay', () => {
  const opts = { baseDelayMs: 500, maxDelayMs: 60_000 };

  it('full jitter: between 0 and base·2^attempt', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(0);
    expect(backoffDelay(0, opts, () => 0.999999)).toBe(499);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(2_000);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(3_999);
  });

  it('is capped at maxDelayMs, also for huge attempt counts', () => {
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(59_999);
    expect(backoffDelay(1_000, opts, () => 0.5)).toBe(30_000);
    expect(Number.isFinite(backoffDelay(1e9, opts, () => 0.5))).toBe(true);
  });

  it('Retry-After is a floor', () => {
    expect(backoffDelay(0, { ...opts, retryAfterMs: 5_000 }, () => 0.1)).toBe(5_000);
    expect(backoffDelay(8, { ...opts, retryAfterMs: 1_000 }, () => 0.5)).toBe(30_000);
    expect(backoffDelay(0, { ...opts, retryAfterMs: 0 }, () => 0.5)).toBe(250);
  });

  it('property: within [0, min(cap, base·2^n)), and ≥ Retry-After up to the cap (maxDelayMs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
        (attempt, base, max, r, retryAfter) => {
          const d = backoffDelay(attempt, { baseDelayMs: base, maxDelayMs: max, retryAfterMs: retryAfter }, () => r);
          const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
          expect(Number.isInteger(d)).toBe(true);
          if (retryAfter === undefined) {
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThan(ceiling);
          } else {
            const floor = Math.min(retryAfter, max);
            expect(d).toBeGreaterThanOrEqual(floor);
            expect(d).toBeLessThanOrEqual(Math.max(floor, ceiling));
            expect(d).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('failedRetryDelay: half jitter from 30 s doubling to an hour', () => {
    expect(failedRetryDelay(0, () => 0)).toBe(15_000);
    expect(failedRetryDelay(0, () => 0.999999)).toBe(29_999);
    expect(failedRetryDelay(1, () => 0)).toBe(30_000);
    expect(failedRetryDelay(50, () => 0)).toBe(1_800_000);
    expect(failedRetryDelay(50, () => 0.999999)).toBeLessThan(3_600_000);
  });
});

function mirrorRow(name: string, desired: 'present' | 'absent', applied: 'present' | 'absent' | null = null): MirrorRow {
  return {
    id: 1,
    source: 's',
    table: { namespace: ['db'], name },
    polaris: 'default',
    failureTransient: false,
    target: { catalog: 'c', namespace: ['db'], name },
    desired: { state: desired, metadataLocation: desired === 'present' ? 'loc' : null, tableUuid: null, order: 1, sourceTimeMs: 1, timestamp: 1, confirmed: false },
    rev: 1,
    lastPresentLocation: 'loc',
    sentLocation: null,
    applied: { state: applied, metadataLocation: null, tableUuid: null, timestamp: null, at: null },
    lastTimestamp: 1,
    status: 'in_sync',
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    lastHint: null,
    lastRequestId: null,
    ownerConflict: null,
    updatedAt: 0,
  };
}

describe('the drop brake', () => {
  const rows = ['a', 'b', 'c', 'd'].map((n) => mirrorRow(n, 'present', 'present'));
  const listed = (...names: string[]) => new Set(names.map((n) => rowKey({ namespace: ['db'], name: n })));

  it('candidates are wanted rows missing from the listing; tombstones and DROPs already decided are not counted again', () => {
    const all = [...rows, mirrorRow('gone', 'absent', 'absent'), mirrorRow('pending-drop', 'absent', 'present')];
    const { candidates, mirrored } = dropCandidates(wantedRows(all), listed('a', 'b', 'c'));
    expect(mirrored).toBe(4);
    expect(candidates.map((r) => r.table.name)).toEqual(['d']);
    expect(pendingDropRows(all).map((r) => r.table.name)).toEqual(['pending-drop']);
  });

  it('DROPs stuck behind a failure do not push later passes over the limit', () => {
    // Counting the three stuck DROPs again would make this 4 of 7 (57%) and hold the one real drop for good.
    const stuck = ['s1', 's2', 's3'].map((n) => mirrorRow(n, 'absent', 'present'));
    const d = decideDrops(wantedRows([...rows, ...stuck]), listed('a', 'b', 'c'), 0.25, false);
    expect(d).toMatchObject({ refused: false, mirrored: 4 });
    expect(d.candidates.map((r) => r.table.name)).toEqual(['d']);
  });

  it('a fraction exactly at the limit is allowed', () => {
    const d = decideDrops(rows, listed('a', 'b', 'c'), 0.25, false);
    expect(d).toMatchObject({ refused: false, mirrored: 4 });
    expect(d.candidates.map((r) => r.table.name)).toEqual(['d']);
  });

  it('above the limit the pass refuses and says why', () => {
    const d = decideDrops(rows, listed('a', 'b'), 0.25, false);
    expect(d.refused).toBe(true);
    expect(d.candidates.map((r) => r.table.name)).toEqual(['c', 'd']);
    expect(d.reason).toBe(
      'refusing to drop 2 of 4 mirrored tables (50% > maxDropFraction 25%): the listing may be incomplete or wrongly scoped',
    );
  });

  it('an empty listing of a non-empty mirror is refused; allowMassDrop lets it through', () => {
    expect(decideDrops(rows, listed(), 0.25, false).refused).toBe(true);
    expect(decideDrops(rows, listed(), 0.25, true)).toMatchObject({ refused: false, mirrored: 4 });
    expect(decideDrops(rows, listed(), 1, false).refused).toBe(false);
  });

  it('maxDropFraction 0 refuses any drop; nothing to drop is never refused', () => {
    expect(decideDrops(rows, listed('a', 'b', 'c'), 0, false).refused).toBe(true);
    expect(decideDrops(rows, listed('a', 'b', 'c', 'd'), 0, false)).toMatchObject({ refused: false, candidates: [] });
    expect(decideDrops([], listed(), 0, false)).toMatchObject({ refused: false, mirrored: 0 });
  });

  it('property: exact fractions n/m at the limit are allowed, just above refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 200 }), (m, k) => {
        const n = Math.min(k, m);
        const all = Array.from({ length: m }, (_, i) => mirrorRow(`t${i}`, 'present', 'present'));
        const keep = new Set(all.slice(n).map((r) => rowKey(r.table)));
        expect(decideDrops(all, keep, n / m, false).refused).toBe(false);
        if (n > 0) expect(decideDrops(all, keep, (n - 1) / m, false).refused).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('rowKey keeps levels apart (a.b/c ≠ a/b.c)', () => {
    expect(rowKey({ namespace: ['a.b'], name: 'c' })).not.toBe(rowKey({ namespace: ['a'], name: 'b.c' }));
  });
});

describe('tableLocationOf', () => {
  it('cuts at the last /metadata/', () => {
    expect(tableLocationOf('s3://b/wh/db/t/metadata/00001-a.metadata.json')).toBe('s3://b/wh/db/t');
    expect(tableLocationOf('s3://b/metadata/db/t/metadata/v3.metadata.json')).toBe('s3://b/metadata/db/t');
  });

  it('falls back to the directory of the file', () => {
    expect(tableLocationOf('s3://b/wh/db/t/v3.metadata.json')).toBe('s3://b/wh/db/t');
    expect(tableLocationOf('file:///tmp/x.json')).toBe('file:///tmp');
  });

  it('a location without a slash is its own location', () => {
    expect(tableLocationOf('plain')).toBe('plain');
  });
});
