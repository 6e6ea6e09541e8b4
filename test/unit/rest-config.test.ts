// `type: rest` in the configuration file, through loadConfig as the CLI reads it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('pm-rest-config-'));
});
afterEach(() => cleanup());

function load(source: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, 'mirror.yaml');
  writeFileSync(file, `polaris:\n  uri: http://127.0.0.1:8181/api/catalog\n  auth: { token: polaris-token }\nsources:\n${source}`);
  return loadConfig(file, env);
}

function issues(source: string): Array<{ path: string; message: string }> {
  try {
    load(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => ({ path: i.path, message: i.message }));
  }
  throw new Error('expected a ConfigError');
}

describe('rest source config', () => {
  it('the issue example loads, with defaults filled in and secrets collected', () => {
    const loaded = load(
      [
        '  - name: lakehouse',
        '    type: rest',
        '    uri: https://catalog.example.com/api/catalog',
        '    warehouse: analytics',
        '    auth:',
        '      token: ${REST_TOKEN}',
        '    headers: { X-Api-Key: gateway-key-123 }',
        '    include: ["finance.*"]',
        '    tls: { caFile: ./ca.pem }',
        '    target: { catalog: rest_mirror, namespacePrefix: [ext] }',
        '',
      ].join('\n'),
      { REST_TOKEN: 'rest-token-abc' },
    );
    const source = loaded.config.sources[0]!;
    expect(source).toMatchObject({
      type: 'rest',
      uri: 'https://catalog.example.com/api/catalog',
      warehouse: 'analytics',
      auth: { token: 'rest-token-abc', scope: 'catalog', clientAuth: 'post' },
      headers: { 'X-Api-Key': 'gateway-key-123' },
      pollIntervalSeconds: 60,
      concurrency: 8,
      requestTimeoutMs: 30000,
      retry: { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 5000 },
      reconcileIntervalSeconds: 3600,
      maxDropFraction: 0.25,
      tls: { caFile: join(dir, 'ca.pem') },
    });
    expect(loaded.secrets).toContain('rest-token-abc');
  });

  it('client credentials need both halves; a token excludes them; unknown keys are rejected', () => {
    const base = ['  - name: r', '    type: rest', '    uri: https://c.example.com', '    target: { catalog: m }'];
    expect(issues([...base, '    auth: { clientId: only-id }', ''].join('\n'))).toEqual([
      { path: 'sources[0].auth.clientSecret', message: 'clientSecret is required with client credentials' },
    ]);
    expect(issues([...base, '    auth: { token: t, clientId: a, clientSecret: b }', ''].join('\n'))[0]!.message).toMatch(/either token or clientId/);
    expect(issues([...base, '    pollInterval: 5', ''].join('\n'))[0]).toMatchObject({ path: 'sources[0].pollInterval', message: 'unknown key' });
    expect(issues(['  - name: r', '    type: rest', '    uri: ftp://c.example.com', '    target: { catalog: m }', ''].join('\n'))[0]!.path).toBe('sources[0].uri');
  });

  it('auth may be left out for a catalog without authentication', () => {
    const loaded = load(['  - name: open', '    type: rest', '    uri: http://127.0.0.1:19120/iceberg', '    target: { catalog: m }', ''].join('\n'));
    expect(loaded.config.sources[0]).not.toHaveProperty('auth');
  });
});
