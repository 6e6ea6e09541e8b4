// The multi-target config contract: polarisInstances and sources[].targets, next to the
// polaris block and sources[].target that keep working unchanged.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { polarisInstancesOf } from '../../src/config/schema.js';
import { tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('pm-targets-'));
});
afterEach(() => cleanup());

const HEAD = `
polaris:
  uri: http://127.0.0.1:8181/api/catalog
  auth: { clientId: id, clientSecret: main-secret-value }
`;
const DR = `
polarisInstances:
  dr:
    uri: https://polaris-dr.example.com/api/catalog
    realm: DR_REALM
    concurrency: 3
    tls: { caFile: dr-ca.pem }
    auth: { clientId: dr-id, clientSecret: dr-secret-value }
`;

function load(text: string) {
  const file = join(dir, 'mirror.yaml');
  writeFileSync(file, text);
  return loadConfig(file, {});
}

function issuesOf(text: string): readonly ConfigIssue[] {
  try {
    load(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('polarisInstances and targets', () => {
  it('resolves targets per instance, with every polaris key per instance and paths relative to the file', () => {
    const { config, secrets } = load(`${HEAD}${DR}
sources:
  - name: wh
    type: files
    root: ./warehouse
    targets:
      - { catalog: lake_mirror }
      - { polaris: dr, catalog: lake_mirror, namespacePrefix: [copy] }
`);
    expect(config.sources[0]!.targets).toEqual([
      { polaris: 'default', catalog: 'lake_mirror', namespacePrefix: [] },
      { polaris: 'dr', catalog: 'lake_mirror', namespacePrefix: ['copy'] },
    ]);
    const instances = polarisInstancesOf(config);
    expect([...instances.keys()]).toEqual(['default', 'dr']);
    expect(instances.get('dr')).toMatchObject({ realm: 'DR_REALM', concurrency: 3, requestsPerSecond: 0, retry: { maxAttempts: 8 }, tls: { caFile: join(dir, 'dr-ca.pem') } });
    // The second instance's secret is known to the redactor like the first one's.
    expect(secrets).toEqual(expect.arrayContaining(['main-secret-value', 'dr-secret-value']));
  });

  it('keeps a single target working: it is the one target on the default instance', () => {
    const { config } = load(`${HEAD}
sources:
  - { name: wh, type: files, root: ./w, target: { catalog: lake, namespacePrefix: [x] } }
`);
    expect(config.sources[0]!.target).toEqual({ catalog: 'lake', namespacePrefix: ['x'] });
    expect(config.sources[0]!.targets).toEqual([{ polaris: 'default', catalog: 'lake', namespacePrefix: ['x'] }]);
  });

  it('refuses target with targets, neither, an unknown instance, a catalog listed twice and an instance named default', () => {
    expect(issuesOf(`${HEAD}
sources:
  - { name: a, type: files, root: ./w, target: { catalog: lake }, targets: [{ catalog: lake }] }
  - { name: b, type: files, root: ./w2 }
  - { name: c, type: files, root: ./w3, targets: [{ polaris: dr, catalog: lake }] }
  - { name: d, type: files, root: ./w4, targets: [{ catalog: other }, { polaris: default, catalog: other }] }
`)).toEqual([
      { path: 'sources[0].targets', message: 'target and targets are exclusive', hint: expect.stringContaining('keep one') },
      { path: 'sources[1].target', message: 'required: where this source is mirrored', hint: expect.stringContaining('targets:') },
      { path: 'sources[2].targets[0].polaris', message: 'unknown Polaris instance "dr"; configured: default', hint: expect.stringContaining('polarisInstances') },
      { path: 'sources[3].targets[1]', message: 'catalog "other" of Polaris "default" is listed twice', hint: expect.any(String) },
    ]);
    expect(issuesOf(`${HEAD}
polarisInstances:
  default: { uri: http://127.0.0.1:1/api/catalog, auth: { token: abc } }
sources:
  - { name: a, type: files, root: ./w, target: { catalog: lake } }
`).map((i) => i.path)).toEqual(['polarisInstances']);
  });

  it('checks overlap per instance and catalog: the same catalog on two instances is no clash', () => {
    expect(() => load(`${HEAD}${DR}
sources:
  - { name: a, type: files, root: ./w, targets: [{ catalog: lake }] }
  - { name: b, type: files, root: ./w2, targets: [{ polaris: dr, catalog: lake }] }
`)).not.toThrow();
    const issues = issuesOf(`${HEAD}${DR}
sources:
  - { name: a, type: files, root: ./w, targets: [{ catalog: lake }, { polaris: dr, catalog: lake }] }
  - { name: b, type: files, root: ./w2, targets: [{ polaris: dr, catalog: lake }] }
`);
    expect(issues).toEqual([
      expect.objectContaining({ path: 'sources[1].targets[0]', message: expect.stringContaining('would both write catalog "lake" of Polaris "dr"') }),
    ]);
  });
});
