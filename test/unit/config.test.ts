// The configuration file: a contract with deployments outside this repo. Every case writes a real
// file to a temp directory and goes through loadConfig, as the CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/config/config-error.js';
import { closest } from '../../src/config/hints.js';
import { interpolateEnv } from '../../src/config/interpolate.js';
import { loadConfig } from '../../src/config/load.js';
import { collectSecrets } from '../../src/config/secrets.js';
import { tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('pm-config-'));
});
afterEach(() => cleanup());

function write(text: string, name = 'mirror.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The issues of the ConfigError that loading `text` throws (fails the test when it loads). */
function issuesOf(text: string, env: NodeJS.ProcessEnv = {}, name = 'mirror.yaml'): readonly ConfigIssue[] {
  const file = write(text, name);
  try {
    loadConfig(file, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(file);
    return (error as ConfigError).issues;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

const FULL_EXAMPLE = `
polaris:
  uri: http://127.0.0.1:8181/api/catalog
  realm: my-realm
  auth:
    clientId: \${POLARIS_CLIENT_ID}
    clientSecret: \${POLARIS_CLIENT_SECRET}
    tokenUri: https://idp.example.com/oauth/token
  concurrency: 4
  requestsPerSecond: 50
server:
  host: 0.0.0.0
  port: 9999
sources:
  - name: hooks
    type: webhook
    token: \${INGEST_TOKEN}
    target:
      catalog: lake
      namespacePrefix: [ingest]
  - name: warehouse
    type: files
    root: ./warehouse
    target:
      catalog: lake
    include: ["sales.*"]
    exclude: ["sales.tmp_*"]
`;

const ENV = { POLARIS_CLIENT_ID: 'mirror-client', POLARIS_CLIENT_SECRET: 's3cr3t-value', INGEST_TOKEN: 'ingest-token-1' };

/** A minimal valid document with `auth` and `sources` replaceable. */
function minimal(parts: { auth?: string; sources?: string; extraTop?: string; polarisExtra?: string } = {}): string {
  return `
polaris:
  uri: http://polaris:8181/api/catalog
  auth:
${parts.auth ?? '    token: static-token-123'}
${parts.polarisExtra ?? ''}
${parts.extraTop ?? ''}
sources:
${parts.sources ?? '  - { name: wh, type: files, root: /data/wh, target: { catalog: lake } }'}
`;
}

describe('the full example config', () => {
  it('parses with the documented defaults filled in', () => {
    const file = write(FULL_EXAMPLE);
    const { config, file: absolute, secrets } = loadConfig(file, ENV);
    expect(absolute).toBe(file);
    expect(config.polaris).toEqual({
      uri: 'http://127.0.0.1:8181/api/catalog',
      realm: 'my-realm',
      auth: {
        clientId: 'mirror-client',
        clientSecret: 's3cr3t-value',
        scope: 'PRINCIPAL_ROLE:ALL',
        tokenUri: 'https://idp.example.com/oauth/token',
        clientAuth: 'post',
      },
      concurrency: 4,
      requestsPerSecond: 50,
      requestTimeoutMs: 30_000,
      retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 },
      probeIntervalSeconds: 15,
    });
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9999, maxBodyBytes: 1024 * 1024, maxEventsPerRequest: 1000 });
    expect(config.state.path).toBe(join(dir, '.polaris-mirror', 'state.db'));
    expect(config.log).toEqual({});
    expect(config.sources).toEqual([
      {
        name: 'hooks',
        type: 'webhook',
        token: 'ingest-token-1',
        target: { catalog: 'lake', namespacePrefix: ['ingest'] },
        targets: [{ polaris: 'default', catalog: 'lake', namespacePrefix: ['ingest'] }],
        include: [],
        exclude: [],
        reconcileIntervalSeconds: 3600,
        maxDropFraction: 0.25,
      },
      {
        name: 'warehouse',
        type: 'files',
        root: join(dir, 'warehouse'),
        target: { catalog: 'lake', namespacePrefix: [] },
        targets: [{ polaris: 'default', catalog: 'lake', namespacePrefix: [] }],
        include: ['sales.*'],
        exclude: ['sales.tmp_*'],
        reconcileIntervalSeconds: 3600,
        maxDropFraction: 0.25,
        pollIntervalSeconds: 30,
        maxMetadataBytes: 64 * 1024 * 1024,
      },
    ]);
    expect([...secrets].sort()).toEqual(['ingest-token-1', 's3cr3t-value']);
  });

  it('resolves a relative state.path against the config file directory, not the working directory', () => {
    const file = write(minimal({ extraTop: 'state:\n  path: ./data/ledger.db' }));
    expect(loadConfig(file, {}).config.state.path).toBe(join(dir, 'data', 'ledger.db'));
  });

  it('state.url: a PostgreSQL ledger, its password from the environment kept out of every message', () => {
    const file = write(minimal({ extraTop: 'state:\n  url: postgresql://mirror:${PG_PASSWORD}@pg:5432/mirror\n  schema: polaris_mirror\n  tls: { caFile: ./pg-ca.pem }' }));
    const loaded = loadConfig(file, { PG_PASSWORD: 'pg-pass-7781', TEST_CLIENT_SECRET: 'x-secret' });
    expect(loaded.config.state).toMatchObject({ url: 'postgresql://mirror:pg-pass-7781@pg:5432/mirror', schema: 'polaris_mirror', tls: { caFile: join(dir, 'pg-ca.pem') } });
    expect(loaded.config.state.path).toBeUndefined();
    expect([...loaded.secrets]).toContain('pg-pass-7781');
  });

  it('state.path and state.url are exclusive; schema and tls need url; url must be postgresql://', () => {
    const both = issuesOf(minimal({ extraTop: 'state:\n  path: ./s.db\n  url: postgresql://pg/mirror' }));
    expect(both.map((i) => i.message)).toEqual(['state.path (SQLite) and state.url (PostgreSQL) are exclusive: keep the one ledger you mean']);
    const schemaAlone = issuesOf(minimal({ extraTop: 'state:\n  schema: pm' }));
    expect(schemaAlone.map((i) => i.message)).toEqual(['state.schema and state.tls apply to a PostgreSQL ledger: set state.url too, or remove them']);
    const mysql = issuesOf(minimal({ extraTop: 'state:\n  url: mysql://db/mirror' }));
    expect(mysql.map((i) => i.path)).toEqual(['state.url']);
    const badSchema = issuesOf(minimal({ extraTop: 'state:\n  url: postgresql://pg/mirror\n  schema: "a; DROP TABLE x"' }));
    expect(badSchema.map((i) => i.path)).toEqual(['state.schema']);
  });

  it('keeps an absolute state.path as it is', () => {
    const file = write(minimal({ extraTop: 'state:\n  path: /var/lib/pm/state.db' }));
    expect(loadConfig(file, {}).config.state.path).toBe('/var/lib/pm/state.db');
  });

  it('defaults the server host and port when the section is given empty', () => {
    const file = write(minimal({ extraTop: 'server: {}' }));
    expect(loadConfig(file, {}).config.server).toEqual({ host: '127.0.0.1', port: 9470, maxBodyBytes: 1048576, maxEventsPerRequest: 1000 });
  });

  it('leaves server undefined when the section is absent', () => {
    expect(loadConfig(write(minimal()), {}).config.server).toBeUndefined();
  });

  it('accepts a static token instead of client credentials', () => {
    const { config } = loadConfig(write(minimal()), {});
    expect(config.polaris.auth).toEqual({ token: 'static-token-123', scope: 'PRINCIPAL_ROLE:ALL', clientAuth: 'post' });
  });

  it('reads a JSON config file', () => {
    const json = JSON.stringify({
      polaris: { uri: 'https://polaris.example.com/api/catalog', auth: { clientId: 'id', clientSecret: '${SECRET}', scope: 'PRINCIPAL_ROLE:mirror' } },
      state: { path: 'state/x.db' },
      sources: [{ name: 'wh', type: 'files', root: 'lake', target: { catalog: 'c', namespacePrefix: ['a', 'b'] } }],
    });
    const { config, secrets } = loadConfig(write(json, 'mirror.json'), { SECRET: 'json-secret' });
    expect(config.polaris.auth.clientSecret).toBe('json-secret');
    expect(config.polaris.auth.scope).toBe('PRINCIPAL_ROLE:mirror');
    expect(config.state.path).toBe(join(dir, 'state', 'x.db'));
    expect(config.sources[0]).toMatchObject({ root: join(dir, 'lake'), target: { catalog: 'c', namespacePrefix: ['a', 'b'] } });
    expect(secrets).toEqual(['json-secret']);
  });
});

describe('${VAR} interpolation', () => {
  it('replaces ${VAR} inside longer strings', () => {
    const file = write(minimal({ auth: '    token: "Tok-${A}-${B}"' }));
    expect(loadConfig(file, { A: 'x', B: 'y' }).config.polaris.auth.token).toBe('Tok-x-y');
  });

  it('uses the default of ${VAR:-default} when unset, the variable when set', () => {
    const text = minimal({ sources: '  - { name: wh, type: files, root: "${ROOT:-/srv/wh}", target: { catalog: "${CAT:-lake}" } }' });
    expect(loadConfig(write(text), {}).config.sources[0]).toMatchObject({ root: '/srv/wh', target: { catalog: 'lake' } });
    expect(loadConfig(write(text), { ROOT: '/mnt/other', CAT: 'prod' }).config.sources[0]).toMatchObject({
      root: '/mnt/other',
      target: { catalog: 'prod' },
    });
  });

  it('keeps a literal ${ for $${', () => {
    const file = write(minimal({ auth: '    token: "a$${NOT_A_VAR}b"' }));
    expect(loadConfig(file, { NOT_A_VAR: 'oops' }).config.polaris.auth.token).toBe('a${NOT_A_VAR}b');
  });

  it('replaces after parsing, so a value with ":" "#" and quotes cannot break the YAML', () => {
    const file = write(minimal({ auth: '    token: ${TOKEN}' }));
    expect(loadConfig(file, { TOKEN: 'a: b # "c"' }).config.polaris.auth.token).toBe('a: b # "c"');
  });

  it('reports a missing variable with the path and the variable name', () => {
    const issues = issuesOf(minimal({ auth: '    clientId: id\n    clientSecret: ${POLARIS_SECRET}' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('polaris.auth.clientSecret');
    expect(issues[0]!.message).toBe('environment variable POLARIS_SECRET is not set');
    expect(issues[0]!.hint).toContain('${POLARIS_SECRET:-default}');
  });

  it('reports every missing variable, with array indexes in the path', () => {
    const issues = issuesOf(
      minimal({ auth: '    token: ${T1}', sources: '  - { name: wh, type: files, root: "${ROOT}", target: { catalog: lake } }' }),
    );
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['polaris.auth.token', 'environment variable T1 is not set'],
      ['sources[0].root', 'environment variable ROOT is not set'],
    ]);
  });

  it('interpolateEnv leaves non-strings alone', () => {
    const issues: ConfigIssue[] = [];
    expect(interpolateEnv({ a: 1, b: [true, null, '${X}'] }, { X: 'v' }, issues)).toEqual({ a: 1, b: [true, null, 'v'] });
    expect(issues).toEqual([]);
  });
});

describe('unknown keys', () => {
  it('at the top level, with a hint for a typo', () => {
    const issues = issuesOf(minimal({ extraTop: 'sever:\n  port: 1' }));
    expect(issues).toEqual([{ path: 'sever', message: 'unknown key', hint: 'did you mean "server"?' }]);
  });

  it('in polaris.auth: clientSecet → clientSecret', () => {
    const issues = issuesOf(minimal({ auth: '    clientId: id\n    clientSecet: x' }));
    const typo = issues.find((i) => i.path === 'polaris.auth.clientSecet');
    expect(typo).toEqual({ path: 'polaris.auth.clientSecet', message: 'unknown key', hint: 'did you mean "clientSecret"?' });
  });

  it('in polaris: concurency → concurrency', () => {
    const issues = issuesOf(minimal({ polarisExtra: '  concurency: 3' }));
    expect(issues).toEqual([{ path: 'polaris.concurency', message: 'unknown key', hint: 'did you mean "concurrency"?' }]);
  });

  it('in polaris.retry', () => {
    const issues = issuesOf(minimal({ polarisExtra: '  retry:\n    max_attempts: 3' }));
    expect(issues).toEqual([{ path: 'polaris.retry.max_attempts', message: 'unknown key', hint: 'did you mean "maxAttempts"?' }]);
  });

  it('in state and server', () => {
    const issues = issuesOf(minimal({ extraTop: 'state:\n  pth: x\nserver:\n  hots: 0.0.0.0' }));
    expect(issues).toEqual([
      { path: 'state.pth', message: 'unknown key', hint: 'did you mean "path"?' },
      { path: 'server.hots', message: 'unknown key', hint: 'did you mean "host"?' },
    ]);
  });

  it('in a source target: namespace_prefix → namespacePrefix', () => {
    const issues = issuesOf(minimal({ sources: '  - { name: wh, type: files, root: /wh, target: { catalog: lake, namespace_prefix: [a] } }' }));
    expect(issues).toEqual([{ path: 'sources[0].target.namespace_prefix', message: 'unknown key', hint: 'did you mean "namespacePrefix"?' }]);
  });

  it('in a source, against the keys of its own type', () => {
    const issues = issuesOf(minimal({ sources: '  - { name: wh, type: files, root: /wh, target: { catalog: lake }, pollIntervalSecond: 5 }' }));
    expect(issues).toEqual([{ path: 'sources[0].pollIntervalSecond', message: 'unknown key', hint: 'did you mean "pollIntervalSeconds"?' }]);
  });

  it('files rootUri: a URI with a bucket, trailing slash dropped; a path is refused with what to write', () => {
    const ok = loadConfig(write(minimal({ sources: '  - { name: wh, type: files, root: /wh, rootUri: "s3://lake/warehouse/", target: { catalog: lake } }' })), {});
    expect(ok.config.sources[0]).toMatchObject({ rootUri: 's3://lake/warehouse' });
    const issues = issuesOf(minimal({ sources: '  - { name: wh, type: files, root: /wh, rootUri: /mnt/lake, target: { catalog: lake } }' }));
    expect(issues).toEqual([{ path: 'sources[0].rootUri', message: 'rootUri must be a URI with a bucket or host, such as s3://lake/warehouse (where Polaris reads root)' }]);
  });

  it('lists the allowed keys when nothing is close', () => {
    const issues = issuesOf(minimal({ extraTop: 'state:\n  somethingelse: 1' }));
    expect(issues).toEqual([{ path: 'state.somethingelse', message: 'unknown key', hint: 'keys allowed here: path, url, schema, tls' }]);
  });

  it('closest() ignores case, "_" and "-", and gives up beyond distance 2', () => {
    expect(closest('namespace-prefix', ['namespacePrefix', 'catalog'])).toBe('namespacePrefix');
    expect(closest('CLIENTID', ['clientId', 'clientSecret'])).toBe('clientId');
    expect(closest('xyz', ['clientId', 'clientSecret'])).toBeUndefined();
  });
});

describe('source types', () => {
  it('an unknown type names the available ones', () => {
    const issues = issuesOf(minimal({ sources: '  - { name: x, type: kafka, target: { catalog: lake } }' }));
    expect(issues).toEqual([{ path: 'sources[0].type', message: 'unknown source type "kafka"', hint: 'use one of: webhook, files, glue, hive, hiveserver2, rest' }]);
  });

  it('a known type validates its own keys (glue needs a region)', () => {
    const issues = issuesOf(minimal({ sources: '  - { name: x, type: glue, target: { catalog: lake } }' }));
    expect(issues.map((i) => i.path)).toEqual(['sources[0].region']);
  });

  it('a source without a type says so', () => {
    const issues = issuesOf(minimal({ sources: '  - { name: x, target: { catalog: lake } }' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'sources[0].type', message: 'a source needs a type' });
  });

  it('allowedLocations: every source kind takes it; each entry must be a URI, and the list not empty', () => {
    for (const type of ['files, root: /data/wh', 'webhook, token: t0ken-123', 'rest, uri: "https://cat.example.com/api"', 'glue, region: us-east-1', 'hive, uris: ["thrift://hms:9083"]']) {
      const file = write(minimal({ sources: `  - { name: x, type: ${type}, target: { catalog: lake }, allowedLocations: ["s3://lake/wh", "file:///data/wh"] }`, extraTop: 'server: { port: 9470 }' }));
      expect(loadConfig(file, {}).config.sources[0]!.allowedLocations, type).toEqual(['s3://lake/wh', 'file:///data/wh']);
    }
    expect(issuesOf(minimal({ sources: '  - { name: x, type: files, root: /d, target: { catalog: lake }, allowedLocations: ["lake/wh"] }' }))).toEqual([
      { path: 'sources[0].allowedLocations[0]', message: 'must be a URI with a scheme, such as s3://bucket/warehouse or file:///data/warehouse' },
    ]);
    expect(issuesOf(minimal({ sources: '  - { name: x, type: files, root: /d, target: { catalog: lake }, allowedLocations: [] }' }))).toEqual([
      { path: 'sources[0].allowedLocations', message: 'list at least one location, or leave allowedLocations out' },
    ]);
  });

  it('an empty source list is refused', () => {
    const issues = issuesOf(minimal({ sources: '  []' }).replace('sources:\n  []', 'sources: []'));
    expect(issues).toEqual([{ path: 'sources', message: 'at least one source is needed' }]);
  });
});

describe('credentials', () => {
  it('token together with clientId is an error', () => {
    const issues = issuesOf(minimal({ auth: '    token: abcd\n    clientId: id\n    clientSecret: secret' }));
    expect(issues).toEqual([{ path: 'polaris.auth', message: 'give either token or clientId + clientSecret, not both' }]);
  });

  it('no credentials at all is an error', () => {
    const issues = issuesOf(minimal({ auth: '    scope: PRINCIPAL_ROLE:ALL' }));
    expect(issues).toEqual([{ path: 'polaris.auth', message: 'credentials are missing: set clientId + clientSecret, or token' }]);
  });

  it('clientId without clientSecret names the missing key', () => {
    const issues = issuesOf(minimal({ auth: '    clientId: id' }));
    expect(issues).toEqual([{ path: 'polaris.auth.clientSecret', message: 'clientSecret is required with client credentials' }]);
  });

  it('a missing auth section is reported as required', () => {
    const text = `polaris:\n  uri: http://p/api/catalog\nsources:\n  - { name: wh, type: files, root: /wh, target: { catalog: lake } }\n`;
    expect(issuesOf(text)).toEqual([{ path: 'polaris.auth', message: 'is required (object)' }]);
  });
});

describe('cross-checks', () => {
  it('duplicate source names', () => {
    const issues = issuesOf(
      minimal({
        sources: [
          '  - { name: wh, type: files, root: /a, target: { catalog: one } }',
          '  - { name: wh, type: files, root: /b, target: { catalog: two } }',
        ].join('\n'),
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'sources[1].name', message: 'duplicate source name "wh" (also sources[0])' });
  });

  it('a webhook source needs a server section', () => {
    const issues = issuesOf(minimal({ sources: '  - { name: hooks, type: webhook, token: tok-1234, target: { catalog: lake } }' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('server');
    expect(issues[0]!.message).toContain('"hooks" receives events over HTTP (a webhook)');
    expect(issues[0]!.hint).toContain('server:');
  });

  it('two unfiltered sources on the same catalog and namespace prefix collide', () => {
    const issues = issuesOf(
      minimal({
        sources: [
          '  - { name: a, type: files, root: /a, target: { catalog: lake, namespacePrefix: [m] } }',
          '  - { name: b, type: files, root: /b, target: { catalog: lake, namespacePrefix: [m] } }',
        ].join('\n'),
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('sources[1].target');
    expect(issues[0]!.message).toBe('sources "a" and "b" would both write catalog "lake" under the same namespace prefix');
  });

  it('two sources sharing an include glob collide too', () => {
    const issues = issuesOf(
      minimal({
        sources: [
          '  - { name: a, type: files, root: /a, target: { catalog: lake }, include: ["sales.*"] }',
          '  - { name: b, type: files, root: /b, target: { catalog: lake }, include: ["hr.*", "sales.*"] }',
        ].join('\n'),
      }),
    );
    expect(issues.map((i) => i.message)).toEqual(['sources "a" and "b" would both write catalog "lake" under the same namespace prefix (both include "sales.*")']);
  });

  it('an unfiltered source and one whose include is excluded by it are fine', () => {
    const text = minimal({
      sources: [
        '  - { name: a, type: files, root: /a, target: { catalog: lake }, exclude: ["sales.*"] }',
        '  - { name: b, type: files, root: /b, target: { catalog: lake }, include: ["sales.*"] }',
      ].join('\n'),
    });
    expect(loadConfig(write(text), {}).config.sources.map((s) => s.name)).toEqual(['a', 'b']);
  });

  // Regression (fixed; this was the bug): an unfiltered source (everything) and a filtered one on the same catalog and prefix overlap on
  // every table the filtered one includes, visibly in the config; cross-checks.ts only compares include
  // lists, so this is left to the run-time "owned by source X" failure.
  it('an unfiltered source and a filtered one on the same catalog and prefix collide', () => {
    const issues = issuesOf(
      minimal({
        sources: [
          '  - { name: a, type: files, root: /a, target: { catalog: lake } }',
          '  - { name: b, type: files, root: /b, target: { catalog: lake }, include: ["sales.*"] }',
        ].join('\n'),
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(['sources[1].target']);
  });

  it('different prefixes, catalogs or disjoint include filters are fine', () => {
    const text = minimal({
      sources: [
        '  - { name: a, type: files, root: /a, target: { catalog: lake, namespacePrefix: [x] } }',
        '  - { name: b, type: files, root: /b, target: { catalog: lake, namespacePrefix: [y] } }',
        '  - { name: c, type: files, root: /c, target: { catalog: other, namespacePrefix: [x] } }',
        '  - { name: d, type: files, root: /d, target: { catalog: z }, include: ["sales.*"] }',
        '  - { name: e, type: files, root: /e, target: { catalog: z }, include: ["hr.*"] }',
      ].join('\n'),
    });
    expect(loadConfig(write(text), {}).config.sources.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('syntax and reporting', () => {
  it('invalid YAML gives the line and column', () => {
    const issues = issuesOf('polaris:\n  uri: http://x\n  auth: [unclosed\nsources: []\n');
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]!.path).toMatch(/^line \d+, column \d+$/);
    expect(issues[0]!.hint).toBe('the file must be valid YAML or JSON');
  });

  it('the line number points at the broken line', () => {
    const issues = issuesOf('polaris:\n  uri: http://x\n  uri: http://y\nsources: []\n');
    expect(issues[0]!.path).toBe('line 3, column 3');
    expect(issues[0]!.message).toMatch(/unique/i);
  });

  it('a file that is not a mapping is refused', () => {
    expect(issuesOf('- just\n- a list\n')).toEqual([{ path: '', message: 'the file must contain a mapping with polaris, sources, …' }]);
  });

  it('a missing file names the problem', () => {
    try {
      loadConfig(join(dir, 'nope.yaml'), {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        { path: '', message: 'cannot read the config file (ENOENT)', hint: 'check the path given to --config' },
      ]);
    }
  });

  it('collects every schema error at once', () => {
    const text = `
polaris:
  uri: ftp://nope
  auth:
    clientSecet: x
  concurrency: 0
sever: {}
sources:
  - { name: "Bad Name", type: files, root: /wh, target: { catalog: lake }, maxDropFraction: 2 }
`;
    const issues = issuesOf(text);
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(
      [
        'polaris.uri',
        'polaris.auth', // no usable credentials left once the misspelt key is ignored
        'polaris.auth.clientSecet',
        'polaris.concurrency',
        'sever',
        'sources[0].name',
        'sources[0].maxDropFraction',
      ].sort(),
    );
    expect(issues.find((i) => i.path === 'polaris.auth')!.message).toBe('credentials are missing: set clientId + clientSecret, or token');
    expect(issues.find((i) => i.path === 'polaris.uri')!.message).toBe('must be an http(s) URL such as http://127.0.0.1:8181/api/catalog');
    expect(issues.find((i) => i.path === 'sources[0].name')!.message).toBe('a source name uses only lower-case letters, digits, "_" and "-"');
  });

  it('a wrong type names what was given', () => {
    const issues = issuesOf(minimal({ polarisExtra: '  concurrency: "lots"' }));
    expect(issues).toEqual([{ path: 'polaris.concurrency', message: 'must be a number, not string "lots"' }]);
  });

  it('a bad enum lists the accepted values', () => {
    const issues = issuesOf(minimal({ auth: '    token: abcd\n    clientAuth: header' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('polaris.auth.clientAuth');
    expect(issues[0]!.hint).toBe('accepted values: "post", "basic"');
  });

  it('the ConfigError message lists every issue with its hint', () => {
    const file = write(minimal({ extraTop: 'sever: {}' }));
    expect(() => loadConfig(file, {})).toThrow(`invalid configuration in ${file}:\n  - sever: unknown key\n      hint: did you mean "server"?`);
  });

  // Regression (fixed; this was the bug): a missing environment variable stops loading before the schema runs, so a typo elsewhere in the
  // same file is only reported on the next attempt — contrary to load.ts's "every problem at once".
  it('reports a missing variable and an unknown key in one go', () => {
    const issues = issuesOf(minimal({ auth: '    token: ${MISSING_TOKEN}', extraTop: 'sever: {}' }));
    expect(issues.map((i) => i.path).sort()).toEqual(['polaris.auth.token', 'sever']);
  });
});

describe('collectSecrets', () => {
  it('finds clientSecret and token values but not tokenUri or ids', () => {
    const secrets = collectSecrets({
      polaris: { auth: { clientId: 'client-id', clientSecret: 'the-secret', tokenUri: 'https://idp/token' } },
      sources: [{ name: 'w', token: 'webhook-token' }, { name: 'x', password: 'pw-1234', apiKey: 'key-5678', caFile: '/etc/secret' }],
    });
    expect(secrets).toEqual(['the-secret', 'webhook-token', 'pw-1234', 'key-5678']);
  });

  it('ignores values shorter than four characters', () => {
    expect(collectSecrets({ token: 'abc', clientSecret: 'abcd' })).toEqual(['abcd']);
  });

  it('numbers under secret keys (unquoted YAML), credential headers and signing secrets count too', () => {
    expect(
      collectSecrets({
        auth: { clientSecret: 987654321987 },
        headers: { 'X-Api-Key': 'k-123456', Cookie: 'c=123456', 'X-Request-Id': 'not-secret' },
        signature: { secret: 'signing-secret-0123456789', toleranceSeconds: 3000 },
      }),
    ).toEqual(['987654321987', 'k-123456', 'c=123456', 'signing-secret-0123456789']);
  });
});

describe('YAML aliases', () => {
  it('an unresolved alias or an alias bomb is a config error, not a crash (found by fuzzing)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-alias-'));
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, '*!');
      expect(() => loadConfig(file, {})).toThrow(/the YAML cannot be read: Unresolved alias/);
      const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
      writeFileSync(file, bomb);
      expect(() => loadConfig(file, {})).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
