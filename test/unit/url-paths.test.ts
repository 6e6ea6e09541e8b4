// No name can change the route of a request: "." and ".." (URL path steps, which every URL parser
// resolves, "%2e" included) are refused as names, and every other name stays inside its own segment.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestPaths } from '../../adapters/rest/rest-paths.js';
import { targetSchema } from '../../src/config/source-schema.js';
import { Normalizer } from '../../src/normalizer/normalize.js';
import { unrepresentableReason } from '../../src/normalizer/identifier.js';
import { joinUri, notificationPath, tablePath } from '../../src/polaris/paths.js';

/** Names built from the characters that matter to URL parsers. */
const name = fc.string({ unit: fc.constantFrom('.', '%', '2', 'e', 'E', '/', '\\', '?', '#', ' ', 'a', '\u001f', ';'), minLength: 1, maxLength: 6 });

describe('Polaris notification URLs', () => {
  it('property: a representable name keeps its own segment, exactly, after URL parsing', () => {
    fc.assert(
      fc.property(name, fc.array(name, { minLength: 1, maxLength: 3 }), name, (prefix, namespace, table) => {
        fc.pre(unrepresentableReason({ namespace, name: table }) === undefined && prefix !== '.' && prefix !== '..');
        const url = new URL(joinUri('http://polaris:8181/api/catalog', notificationPath(prefix, namespace, table)));
        const segments = url.pathname.split('/');
        expect(segments.length).toBe(10);
        expect(segments.slice(0, 4)).toEqual(['', 'api', 'catalog', 'v1']);
        expect([segments[5], segments[7], segments[9]]).toEqual(['namespaces', 'tables', 'notifications']);
        expect(decodeURIComponent(segments[4]!)).toBe(prefix);
        expect(decodeURIComponent(segments[6]!).split('\u001f')).toEqual(namespace);
        expect(decodeURIComponent(segments[8]!)).toBe(table);
        expect(url.search + url.hash).toBe('');
      }),
      { numRuns: 2000 },
    );
  });

  it('"." and ".." are refused as table, namespace and prefix, whatever calls the path builder', () => {
    for (const dot of ['.', '..']) {
      expect(() => tablePath('lake', ['sales'], dot)).toThrow(/the table name "\.{1,2}" cannot be put in a URL/);
      expect(() => tablePath('lake', [dot], 't')).toThrow(/the namespace "\.{1,2}"/);
      expect(() => tablePath(dot, ['sales'], 't')).toThrow(/the catalog prefix "\.{1,2}"/);
    }
    // Inside a multi-level namespace a level is joined with U+001F, so it cannot move the route; it is
    // still refused by the normalizer (next test). "%2e%2e" is encoded and so is no path step.
    expect(tablePath('lake', ['a', '..'], 't')).toBe('/v1/lake/namespaces/a%1F../tables/t');
    expect(tablePath('lake', ['%2e%2e'], '%2E')).toBe('/v1/lake/namespaces/%252e%252e/tables/%252E');
  });
});

describe('the normalizer refuses URL path steps for every source', () => {
  const normalizer = new Normalizer({ name: 's', type: 'files', target: { catalog: 'lake', namespacePrefix: [] }, include: [], exclude: [], reconcileIntervalSeconds: 60, maxDropFraction: 1 });
  it.each([
    [['sales'], '..'],
    [['sales'], '.'],
    [['..'], 't'],
    [['a', '.', 'b'], 't'],
  ])('%j %s', (namespace, table) => {
    expect(normalizer.check({ namespace, name: table })).toMatchObject({ reason: 'invalid-identifier', detail: expect.stringMatching(/is a URL path step/) });
  });
  it('names merely containing dots are fine', () => {
    expect(normalizer.check({ namespace: ['...', 'a.b'], name: '.hidden' })).toBeUndefined();
  });
});

describe('configuration and REST prefixes', () => {
  it('a catalog or namespace prefix level of "." or ".." is a config error', () => {
    const issues = (target: unknown) => targetSchema.safeParse(target).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ catalog: '..' })).toEqual(['catalog: the catalog cannot be "." or "..": it is a URL path step']);
    expect(issues({ catalog: 'lake', namespacePrefix: ['ok', '.'] })).toEqual(['namespacePrefix.1: a namespace level cannot be "." or "..": it is a URL path step']);
    expect(issues({ catalog: 'lake', namespacePrefix: ['..a', 'b.'] })).toBeUndefined();
  });

  it('a REST catalog prefix with a "." or ".." segment (plain or percent-encoded) is refused; an ordinary one is used as given', () => {
    for (const prefix of ['..', 'catalogs/../other', './x', 'a/%2e%2E', 'a/.%2e/b']) expect(() => new RestPaths(prefix), prefix).toThrow(/would address another route/);
    expect(new RestPaths('catalogs/123').table(['db'], 't')).toBe('/v1/catalogs/123/namespaces/db/tables/t');
    expect(() => new RestPaths('main').table(['db'], '..')).toThrow(/cannot be put in a URL/);
  });
});
