// The normalizer: globs, identifiers Polaris can represent, the mapping to Polaris names, and the
// timestamp rule (property tests).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommonSourceConfig } from '../../src/config/source-schema.js';
import type { Observation } from '../../src/model/observation.js';
import { dottedName, joinNamespace, polarisDisplayName, splitNamespace } from '../../src/model/table.js';
import { AllowedLocations } from '../../src/normalizer/allowed-locations.js';
import { Glob, TableFilter } from '../../src/normalizer/glob.js';
import { unrepresentableReason } from '../../src/normalizer/identifier.js';
import { Normalizer } from '../../src/normalizer/normalize.js';
import { MAX_SOURCE_TIME_AHEAD_MS, MAX_SOURCE_TIME_MS, nextTimestamp, timestampAfterStale } from '../../src/normalizer/timestamp.js';

/** A glob as a tester, so the cases read like the RegExp-based ones they replaced. */
function globToRegExp(glob: string): { test(name: string): boolean } {
  const compiled = new Glob(glob);
  return { test: (name) => compiled.matches(name) };
}

/** The old, backtracking translation: a reference for what globs mean, on short inputs only. */
function referenceRegExp(glob: string): RegExp {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else pattern += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 'su');
}

describe('Glob', () => {
  it('* matches any run of characters, dots included', () => {
    const re = globToRegExp('sales.*');
    expect(re.test('sales.orders')).toBe(true);
    expect(re.test('sales.eu.orders')).toBe(true);
    expect(re.test('sales.')).toBe(true);
    expect(re.test('salesX.orders')).toBe(false);
    expect(re.test('marketing.sales.orders')).toBe(false);
  });

  it('* in the middle spans levels', () => {
    const re = globToRegExp('a*z');
    expect(re.test('a.b.c.z')).toBe(true);
    expect(re.test('az')).toBe(true);
    expect(re.test('a.b.c.zz.y')).toBe(false);
  });

  it('? matches exactly one character (one code point)', () => {
    const re = globToRegExp('db.t?');
    expect(re.test('db.t1')).toBe(true);
    expect(re.test('db.t.')).toBe(true);
    expect(re.test('db.t')).toBe(false);
    expect(re.test('db.t12')).toBe(false);
    expect(re.test('db.t😀')).toBe(true);
  });

  it('regex metacharacters are literal', () => {
    for (const literal of ['a.b', 'a+b', 'a(b)', 'a[b]', 'a{2}', 'a|b', 'a^b', 'a$b', 'a\\b']) {
      expect(globToRegExp(literal).test(literal), literal).toBe(true);
    }
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('a+b').test('aab')).toBe(false);
    expect(globToRegExp('a|b').test('a')).toBe(false);
    expect(globToRegExp('a[b]').test('ab')).toBe(false);
    expect(globToRegExp('a{2}').test('aa')).toBe(false);
  });

  it('is anchored at both ends', () => {
    expect(globToRegExp('orders').test('db.orders')).toBe(false);
    expect(globToRegExp('db').test('db.orders')).toBe(false);
  });

  it('property: a glob without * or ? matches exactly itself', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('*') && !s.includes('?')),
        fc.string({ maxLength: 5 }),
        (glob, suffix) => {
          const re = globToRegExp(glob);
          expect(re.test(glob)).toBe(true);
          if (suffix !== '') expect(re.test(glob + suffix)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: "*" matches everything, including newlines', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => globToRegExp('*').test(s)), { numRuns: 200 });
  });

  it('property: matches exactly what the regular-expression translation matches', () => {
    // Small alphabets make stars, wildcards and near-misses collide often.
    const glob = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*', '?', '😀'), maxLength: 8 });
    const name = fc.string({ unit: fc.constantFrom('a', 'b', '.', '😀', '\n'), maxLength: 12 });
    fc.assert(
      fc.property(glob, name, (g, n) => {
        expect(new Glob(g).matches(n), `${JSON.stringify(g)} on ${JSON.stringify(n)}`).toBe(referenceRegExp(g).test(n));
      }),
      { numRuns: 3_000 },
    );
  });

  // Regression (fixed; this was the bug): globs compiled to backtracking regular expressions, and one
  // long name against exclude: ["*.*_backup"] blocked the daemon for 53 s. Without backtracking these
  // names cost one pass each; with it they would not finish within the test's timeout.
  it('long adversarial names match without backtracking', () => {
    const long = 'a.'.repeat(200_000);
    expect(new Glob('*.*_backup').matches(long)).toBe(false);
    expect(new Glob('*.*_backup').matches(`${long}x_backup`)).toBe(true);
    expect(new Glob('*a*a*a*a*a*b').matches('a'.repeat(200_000))).toBe(false);
    expect(new TableFilter([], ['*.*_backup', '*?*?*?*?*!']).accepts(long)).toBe(true);
  });
});

describe('TableFilter', () => {
  it('no include means everything, minus excludes', () => {
    const f = new TableFilter([], ['tmp.*']);
    expect(f.accepts('sales.orders')).toBe(true);
    expect(f.accepts('tmp.scratch')).toBe(false);
  });

  it('includes restrict, excludes win over includes', () => {
    const f = new TableFilter(['sales.*', 'hr.people'], ['sales.tmp_*']);
    expect(f.accepts('sales.orders')).toBe(true);
    expect(f.accepts('hr.people')).toBe(true);
    expect(f.accepts('hr.salaries')).toBe(false);
    expect(f.accepts('sales.tmp_1')).toBe(false);
    expect(f.accepts('finance.ledger')).toBe(false);
  });

  it('an empty filter accepts everything', () => {
    expect(new TableFilter([], []).accepts('anything.at.all')).toBe(true);
    expect(new TableFilter([], []).acceptsTable({ namespace: ['any', 'thing'], name: 'at_all' })).toBe(true);
  });

  it('acceptsTable matches the dotted name, nested levels included', () => {
    const f = new TableFilter(['sales.*'], ['sales.eu.tmp_*']);
    expect(f.acceptsTable({ namespace: ['sales', 'eu'], name: 'orders' })).toBe(true);
    expect(f.acceptsTable({ namespace: ['sales', 'eu'], name: 'tmp_1' })).toBe(false);
    expect(f.acceptsTable({ namespace: ['hr'], name: 'people' })).toBe(false);
    expect(new TableFilter([], ['hr.*']).acceptsTable({ namespace: ['hr'], name: 'people' })).toBe(false);
  });
});

describe('unrepresentableReason', () => {
  it('accepts ordinary names, nested namespaces and unicode', () => {
    expect(unrepresentableReason({ namespace: ['a', 'b', 'c'], name: 't' })).toBeUndefined();
    expect(unrepresentableReason({ namespace: ['vendas 2024'], name: 'pedidos/é?#%' })).toBeUndefined();
  });

  it('refuses an empty table name', () => {
    expect(unrepresentableReason({ namespace: ['db'], name: '' })).toBe('the table name is empty');
  });

  it('refuses U+001F in the table name', () => {
    expect(unrepresentableReason({ namespace: ['db'], name: 'a\u001fb' })).toBe(
      'the table name contains U+001F, which Polaris uses between namespace levels',
    );
  });

  it('refuses an empty namespace level, also inside the prefix', () => {
    expect(unrepresentableReason({ namespace: ['a', '', 'c'], name: 't' })).toBe('a namespace level is empty');
    expect(unrepresentableReason({ namespace: ['a'], name: 't' }, [''])).toBe('a namespace level is empty');
  });

  it('refuses U+001F inside a level and names the level', () => {
    expect(unrepresentableReason({ namespace: ['ok', 'x\u001fy'], name: 't' })).toBe(
      'namespace level "x\\u001fy" contains U+001F, which Polaris uses between namespace levels',
    );
  });

  it('refuses a table with no namespace, unless a prefix gives it one', () => {
    expect(unrepresentableReason({ namespace: [], name: 't' })).toBe('the table has no namespace; Polaris tables live in a namespace');
    expect(unrepresentableReason({ namespace: [], name: 't' }, ['mirror'])).toBeUndefined();
  });
});

describe('table names', () => {
  it('dotted and display names', () => {
    expect(dottedName({ namespace: ['a', 'b'], name: 't' })).toBe('a.b.t');
    expect(polarisDisplayName({ catalog: 'c', namespace: ['a'], name: 't' })).toBe('c.a.t');
  });

  it('joinNamespace / splitNamespace round-trip, the empty namespace included', () => {
    expect(joinNamespace(['a', 'b'])).toBe('a\u001fb');
    expect(splitNamespace('')).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }).filter((s) => !s.includes('\u001f')), { maxLength: 5 }), (levels) => {
        expect(splitNamespace(joinNamespace(levels))).toEqual(levels);
      }),
      { numRuns: 200 },
    );
  });
});

function sourceConfig(overrides: Partial<CommonSourceConfig> = {}): CommonSourceConfig {
  return {
    name: 'wh',
    type: 'files',
    target: { catalog: 'lake', namespacePrefix: [] },
    include: [],
    exclude: [],
    reconcileIntervalSeconds: 3600,
    maxDropFraction: 0.25,
    ...overrides,
  };
}

const presentObs = (namespace: string[], name: string): Observation => ({
  table: { namespace, name },
  state: 'present',
  metadataLocation: 's3://b/x/metadata/1.metadata.json',
  order: 5,
  sourceTimeMs: 7,
});

describe('Normalizer', () => {
  it('maps to the target catalog with the namespace prefix before the source levels', () => {
    const n = new Normalizer(sourceConfig({ target: { catalog: 'mirror', namespacePrefix: ['ext', 'glue'] } }));
    const obs = presentObs(['sales', 'eu'], 'orders');
    expect(n.normalize(obs)).toEqual({
      ok: true,
      value: {
        source: 'wh',
        target: { catalog: 'mirror', namespace: ['ext', 'glue', 'sales', 'eu'], name: 'orders' },
        polaris: 'default',
        targets: [{ polaris: 'default', table: { catalog: 'mirror', namespace: ['ext', 'glue', 'sales', 'eu'], name: 'orders' } }],
        observation: obs,
      },
    });
  });

  it('maps a table to every target, each on its own instance and with its own prefix', () => {
    const n = new Normalizer(
      sourceConfig({ targets: [{ polaris: 'default', catalog: 'lake', namespacePrefix: [] }, { polaris: 'dr', catalog: 'lake_dr', namespacePrefix: ['copy'] }] }),
    );
    const obs = presentObs(['sales'], 'orders');
    const result = n.normalize(obs);
    expect(result.ok && result.value.targets).toEqual([
      { polaris: 'default', table: { catalog: 'lake', namespace: ['sales'], name: 'orders' } },
      { polaris: 'dr', table: { catalog: 'lake_dr', namespace: ['copy', 'sales'], name: 'orders' } },
    ]);
    // A prefix that makes a name unrepresentable on any target keeps the table out everywhere.
    const bad = new Normalizer(sourceConfig({ targets: [{ polaris: 'default', catalog: 'lake', namespacePrefix: [] }, { polaris: 'dr', catalog: 'x', namespacePrefix: ['..'] }] }));
    expect(bad.check({ namespace: ['sales'], name: 'orders' })?.reason).toBe('invalid-identifier');
    expect(n.sourceName).toBe('wh');
  });

  it('without a prefix the namespace is unchanged', () => {
    const n = new Normalizer(sourceConfig());
    expect(n.target({ namespace: ['db'], name: 't' })).toEqual({ catalog: 'lake', namespace: ['db'], name: 't' });
  });

  it('filters on the source dotted name (not the prefixed one)', () => {
    const n = new Normalizer(sourceConfig({ target: { catalog: 'c', namespacePrefix: ['p'] }, include: ['sales.*'] }));
    expect(n.normalize(presentObs(['sales'], 'orders')).ok).toBe(true);
    expect(n.normalize(presentObs(['hr'], 'people'))).toEqual({
      ok: false,
      skipped: { table: { namespace: ['hr'], name: 'people' }, reason: 'filtered', detail: '"hr.people" is not matched by the include/exclude globs' },
    });
  });

  it('skips identifiers Polaris cannot represent, with the reason', () => {
    const n = new Normalizer(sourceConfig());
    expect(n.normalize(presentObs([], 'orphan'))).toEqual({
      ok: false,
      skipped: {
        table: { namespace: [], name: 'orphan' },
        reason: 'invalid-identifier',
        detail: 'the table has no namespace; Polaris tables live in a namespace',
      },
    });
  });

  it('a namespace prefix makes a namespace-less table representable', () => {
    const n = new Normalizer(sourceConfig({ target: { catalog: 'c', namespacePrefix: ['root'] } }));
    const result = n.normalize(presentObs([], 't'));
    expect(result.ok && result.value.target).toEqual({ catalog: 'c', namespace: ['root'], name: 't' });
  });

  it('absent observations are mapped the same way', () => {
    const n = new Normalizer(sourceConfig({ target: { catalog: 'c', namespacePrefix: ['p'] } }));
    const obs: Observation = { table: { namespace: ['db'], name: 't' }, state: 'absent', order: 1, sourceTimeMs: 1 };
    expect(n.normalize(obs)).toEqual({
      ok: true,
      value: {
        source: 'wh',
        target: { catalog: 'c', namespace: ['p', 'db'], name: 't' },
        polaris: 'default',
        targets: [{ polaris: 'default', table: { catalog: 'c', namespace: ['p', 'db'], name: 't' } }],
        observation: obs,
      },
    });
  });
});

describe('the timestamp rule', () => {
  it('first timestamp is the source time (truncated), never below 0', () => {
    expect(nextTimestamp(1_700_000_000_123, undefined)).toBe(1_700_000_000_123);
    expect(nextTimestamp(12.9, undefined)).toBe(12);
    expect(nextTimestamp(-5, undefined)).toBe(0);
  });

  it('a source time behind or equal to the last gives last + 1', () => {
    expect(nextTimestamp(100, 100)).toBe(101);
    expect(nextTimestamp(50, 100)).toBe(101);
    expect(nextTimestamp(200, 100)).toBe(200);
  });

  it('timestampAfterStale jumps to the wall clock, or last + 1 when the clock is behind', () => {
    expect(timestampAfterStale(5_000, 100)).toBe(5_000);
    expect(timestampAfterStale(5_000, 9_000)).toBe(9_001);
    expect(timestampAfterStale(9_000, 9_000)).toBe(9_001);
  });

  // Source times: small, decreasing, repeated, and huge (up to 2^52, leaving room for +1 steps).
  const sourceTime = fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
    fc.integer({ min: 0, max: MAX_SOURCE_TIME_MS }),
    fc.constant(0),
  );

  it('property: assigned timestamps strictly increase and are each ≥ their source time', () => {
    fc.assert(
      fc.property(fc.array(sourceTime, { minLength: 1, maxLength: 100 }), (times) => {
        let last: number | undefined;
        for (const t of times) {
          const next = nextTimestamp(t, last);
          expect(Number.isSafeInteger(next)).toBe(true);
          if (last !== undefined) expect(next).toBeGreaterThan(last);
          expect(next).toBeGreaterThanOrEqual(t);
          // and never further than needed: the source time, or exactly last + 1
          expect(next === t || next === (last ?? -1) + 1).toBe(true);
          last = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('property: timestampAfterStale is above last and not behind the clock', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: 0, max: 2 ** 52 }), (now, last) => {
        const t = timestampAfterStale(now, last);
        expect(t).toBeGreaterThan(last);
        expect(t).toBeGreaterThanOrEqual(now);
      }),
      { numRuns: 200 },
    );
  });

  // Regression (fixed; this was the bug): near Number.MAX_SAFE_INTEGER "+1" is lost to floating point, so two changes in a row get the
  // same timestamp and Polaris refuses the second as stale. The webhook accepts sourceTimestampMs up to
  // MAX_SAFE_INTEGER (adapters/webhook/events.ts) and the files source takes last-updated-ms unchecked.
  it('timestamps keep rising from a source time of Number.MAX_SAFE_INTEGER', () => {
    const first = nextTimestamp(Number.MAX_SAFE_INTEGER, undefined);
    const second = nextTimestamp(0, first);
    const third = nextTimestamp(0, second);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
  });
});

describe('allowedLocations', () => {
  const allowed = (prefixes: string[] | undefined) => new AllowedLocations(prefixes);

  it('unset allows everything; set, prefixes match whole path segments', () => {
    expect(allowed(undefined).refusal('file:///etc/passwd')).toBeUndefined();
    const a = allowed(['s3://lake/warehouse', 'file:///data/wh/']);
    expect(a.refusal('s3://lake/warehouse/sales/orders/metadata/v1.metadata.json')).toBeUndefined();
    expect(a.refusal('s3://lake/warehouse')).toBeUndefined();
    expect(a.refusal('file:///data/wh/t/metadata/v1.metadata.json')).toBeUndefined();
    expect(a.refusal('file:/data/wh/t/metadata/v1.metadata.json')).toBeUndefined();
    expect(a.refusal('s3://lake/warehouse2/t/metadata/v1.metadata.json')).toMatch(/outside the source's allowedLocations \(s3:\/\/lake\/warehouse, file:\/\/\/data\/wh\/\)/);
    expect(a.refusal('s3://other/warehouse/t/v1.metadata.json')).toMatch(/outside/);
    expect(a.refusal('file:///etc/passwd')).toMatch(/outside/);
    expect(a.refusal('gs://lake/warehouse/t/v1.metadata.json')).toMatch(/outside/);
    expect(a.refusal('not a uri')).toMatch(/is not a URI/);
  });

  it('s3:// and s3a:// (and s3n://) are the same place; the scheme is case-insensitive', () => {
    const a = allowed(['s3a://lake/wh']);
    expect(a.refusal('s3://lake/wh/t/metadata/v1.metadata.json')).toBeUndefined();
    expect(a.refusal('S3N://lake/wh/t/metadata/v1.metadata.json')).toBeUndefined();
    expect(allowed(['s3://lake/wh']).refusal('s3a://lake/wh/t/v1.metadata.json')).toBeUndefined();
  });

  it('"." and ".." segments (also percent-encoded) are refused: they could climb out of a prefix', () => {
    const a = allowed(['s3://lake/wh']);
    for (const location of ['s3://lake/wh/../secret/v1.metadata.json', 's3://lake/wh/./t/v1.metadata.json', 's3://lake/wh/%2E%2E/x/v1.metadata.json', 's3://lake/wh/t/%2e/v1.metadata.json']) {
      expect(a.refusal(location), location).toMatch(/"\." or "\.\." segment/);
    }
  });

  it('property: under a prefix is allowed; a sibling sharing its characters is not', () => {
    const segment = fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', '%', 'é'), minLength: 1, maxLength: 6 }).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.array(segment, { maxLength: 3 }), segment, (prefix, rest, extra) => {
        const a = allowed([`s3://bucket/${prefix.join('/')}`]);
        expect(a.refusal(`s3a://bucket/${[...prefix, ...rest].join('/')}`)).toBeUndefined();
        const sibling = [...prefix.slice(0, -1), prefix.at(-1)! + extra, ...rest];
        expect(a.refusal(`s3://bucket/${sibling.join('/')}`)).toMatch(/outside/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Normalizer.admit', () => {
  const now = 1_750_000_000_000;
  const at = (sourceTimeMs: number, location = 's3://lake/wh/t/metadata/v1.metadata.json'): Observation => ({
    table: { namespace: ['db'], name: 't' },
    state: 'present',
    metadataLocation: location,
    order: sourceTimeMs,
    sourceTimeMs,
  });

  it(`refuses a source time more than ${MAX_SOURCE_TIME_AHEAD_MS / 3_600_000} h ahead of the clock, present or absent`, () => {
    const n = new Normalizer(sourceConfig());
    expect(n.admit(at(now + 60 * 60 * 1000), now)).toBeUndefined();
    expect(n.admit(at(now - 10 * 365 * 24 * 3_600_000), now)).toBeUndefined();
    expect(n.admit(at(now + MAX_SOURCE_TIME_AHEAD_MS + 1), now)).toMatchObject({ reason: 'future-source-time', detail: expect.stringMatching(/24 hours ahead/) });
    expect(n.admit(at(MAX_SOURCE_TIME_MS), now)).toMatchObject({ reason: 'future-source-time', detail: expect.stringContaining('9999-12-31T23:59:59.999Z') });
    const drop: Observation = { table: { namespace: ['db'], name: 't' }, state: 'absent', confirmed: true, order: MAX_SOURCE_TIME_MS, sourceTimeMs: MAX_SOURCE_TIME_MS };
    expect(n.admit(drop, now)).toMatchObject({ reason: 'future-source-time' });
    expect(n.normalize(drop)).toMatchObject({ ok: false, skipped: { reason: 'future-source-time' } });
  });

  it('refuses a location outside allowedLocations; filters and identifiers are checked first', () => {
    const n = new Normalizer(sourceConfig({ allowedLocations: ['s3://lake/wh'], exclude: ['tmp.*'] }));
    expect(n.admit(at(now), now)).toBeUndefined();
    expect(n.admit(at(now, 's3://elsewhere/t/v1.metadata.json'), now)).toMatchObject({ reason: 'location-not-allowed' });
    expect(n.admit({ ...at(now, 's3://elsewhere/x'), table: { namespace: ['tmp'], name: 'x' } }, now)).toMatchObject({ reason: 'filtered' });
  });
});
