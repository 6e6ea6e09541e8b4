// The `type: glue` configuration contract: the example from the issue loads with its defaults, and
// mistakes are reported with their path, through loadConfig as the CLI does.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('pm-glue-config-'));
});
afterEach(() => cleanup());

const POLARIS = `
polaris:
  uri: http://127.0.0.1:8181/api/catalog
  auth: { clientId: c, clientSecret: s3cr3t-value }
`;

function load(sources: string) {
  const file = join(dir, 'mirror.yaml');
  writeFileSync(file, `${POLARIS}sources:\n${sources}`);
  return loadConfig(file, {});
}

function issues(sources: string): string[] {
  try {
    load(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}${i.hint ? ` — ${i.hint}` : ''}`);
  }
  throw new Error('expected a ConfigError');
}

describe('type: glue', () => {
  it('loads the documented example, with every key', () => {
    const { config } = load(`
  - name: glue-main
    type: glue
    region: us-east-1
    endpoint: http://127.0.0.1:4566
    catalogId: "123456789012"
    events:
      queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/glue-changes
      endpoint: http://127.0.0.1:4566
      waitSeconds: 20
    scanIntervalSeconds: 900
    requestsPerSecond: 10
    include: ["sales.*"]
    exclude: []
    target: { catalog: glue_mirror, namespacePrefix: [] }
`);
    expect(config.sources[0]).toEqual({
      name: 'glue-main',
      type: 'glue',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      catalogId: '123456789012',
      events: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/glue-changes', endpoint: 'http://127.0.0.1:4566', waitSeconds: 20 },
      scanIntervalSeconds: 900,
      requestsPerSecond: 10,
      include: ['sales.*'],
      exclude: [],
      target: { catalog: 'glue_mirror', namespacePrefix: [] },
      targets: [{ polaris: 'default', catalog: 'glue_mirror', namespacePrefix: [] }],
      reconcileIntervalSeconds: 3600,
      maxDropFraction: 0.25,
      discoverCatalogs: false,
      catalogNamespaces: {},
      sessionName: 'polaris-mirror',
    });
  });

  it('several catalogs, a mapping, a cross-account role (the documented multi-catalog example)', () => {
    const { config } = load(`
  - name: glue
    type: glue
    region: us-east-1
    catalogs: ["123456789012", "123456789012:s3tablescatalog/analytics"]
    catalogNamespaces: { "123456789012": "" }
    roleArn: arn:aws:iam::210987654321:role/polaris-mirror-reader
    externalId: polaris-7f3a
    sessionName: mirror-prod
    target: { catalog: lake_mirror }
`);
    expect(config.sources[0]).toMatchObject({
      catalogs: ['123456789012', '123456789012:s3tablescatalog/analytics'],
      catalogNamespaces: { '123456789012': '' },
      roleArn: 'arn:aws:iam::210987654321:role/polaris-mirror-reader',
      externalId: 'polaris-7f3a',
      sessionName: 'mirror-prod',
      discoverCatalogs: false,
    });
    expect(load(`
  - name: glue
    type: glue
    region: us-east-1
    discoverCatalogs: true
    target: { catalog: lake_mirror }
`).config.sources[0]).toMatchObject({ discoverCatalogs: true });
  });

  it('says what is wrong with a catalog id and how it is written', () => {
    const found = issues(`
  - name: g
    type: glue
    region: us-east-1
    catalogs: ["12345", "123456789012:", "123456789012:s3tablescatalog//x", "123456789012:s3tablescatalog/../x", "123456789012"]
    target: { catalog: c }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sources\[0\]\.catalogs\[0\]: "12345" is not a 12-digit AWS account id/),
        expect.stringMatching(/catalogs\[1\]: "123456789012:" has nothing after ":": a Glue catalog id is an account id \(123456789012\), or <account>:<catalog path>/),
        expect.stringMatching(/catalogs\[2\]: .*has an empty path step/),
        expect.stringMatching(/catalogs\[3\]: .*has an invalid path step "\.\."/),
      ]),
    );
    expect(issues(`
  - name: g
    type: glue
    region: us-east-1
    catalogId: "abc:def"
    target: { catalog: c }
`)).toEqual([expect.stringMatching(/^sources\[0\]\.catalogId: "abc:def" "abc" is not a 12-digit AWS account id/)]);
  });

  it('refuses keys that contradict each other, mappings of catalogs not mirrored, and names that would clash', () => {
    const found = issues(`
  - name: g
    type: glue
    region: us-east-1
    catalogId: "123456789012"
    catalogs: ["111111111111:s3tablescatalog/a", "222222222222:s3tablescatalog/a", "123456789012", "123456789012"]
    discoverCatalogs: true
    externalId: x-42
    target: { catalog: c }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/catalogId: catalogId names one catalog; with catalogs or discoverCatalogs leave it out/),
        expect.stringMatching(/discoverCatalogs: choose one/),
        expect.stringMatching(/externalId: only used with roleArn/),
        expect.stringMatching(/catalogs: "123456789012" is listed twice/),
      ]),
    );
    expect(issues(`
  - name: g
    type: glue
    region: us-east-1
    catalogs: ["111111111111:s3tablescatalog/a", "222222222222:s3tablescatalog/a"]
    target: { catalog: c }
`)).toEqual([expect.stringMatching(/would both be the namespace level "s3tablescatalog_a": give one another level in catalogNamespaces/)]);
    expect(issues(`
  - name: g
    type: glue
    region: us-east-1
    catalogs: ["111111111111", "222222222222"]
    catalogNamespaces: { "111111111111": "", "222222222222": "", "333333333333": "x", "444444444444": "a.b" }
    target: { catalog: c }
`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"333333333333" is not a mirrored catalog: list it in catalogs/),
        expect.stringMatching(/cannot contain "\."/),
      ]),
    );
    expect(issues(`
  - name: g
    type: glue
    region: us-east-1
    catalogs: ["111111111111", "222222222222"]
    catalogNamespaces: { "111111111111": "", "222222222222": "" }
    target: { catalog: c }
`)).toEqual([expect.stringMatching(/at most one catalog can have its databases at the top/)]);
  });

  it('defaults: scan every 900 s, 10 Glue calls/s, 20 s long polls, no events', () => {
    const { config } = load(`
  - name: g
    type: glue
    region: eu-west-1
    target: { catalog: c }
`);
    expect(config.sources[0]).toMatchObject({ scanIntervalSeconds: 900, requestsPerSecond: 10 });
    expect(config.sources[0]).not.toHaveProperty('events');
    const withEvents = load(`
  - name: g
    type: glue
    region: eu-west-1
    events: { queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q" }
    target: { catalog: c }
`);
    expect(withEvents.config.sources[0]).toMatchObject({ events: { waitSeconds: 20 } });
  });

  it('reports a missing region, a bad queue URL, a short poll of 0 s and unknown keys', () => {
    expect(
      issues(`
  - name: g
    type: glue
    events: { queueUrl: "glue-changes", waitSeconds: 0, visibility: 30 }
    scanIntervalSecs: 60
    target: { catalog: c }
`),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sources\[0\]\.region: is required/),
        expect.stringMatching(/^sources\[0\]\.events\.queueUrl: must be an http\(s\) URL/),
        expect.stringMatching(/^sources\[0\]\.events\.waitSeconds: .*>=1/),
        expect.stringMatching(/^sources\[0\]\.events\.visibility: unknown key/),
        expect.stringMatching(/^sources\[0\]\.scanIntervalSecs: unknown key — .*scanIntervalSeconds/),
      ]),
    );
  });
});
