// The deployment files as far as they can be checked without helm or a cluster: the Kubernetes examples
// parse and their embedded configs load as polaris-mirror configs; the chart's files parse (its
// templates once their Go-template actions are set aside); values.schema.json accepts the chart's own
// values and the examples, and refuses what it exists to refuse.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-info.js';
import { tempDir } from './support.js';
import { writeFileSync } from 'node:fs';

const root = packageRoot();
const chart = join(root, 'deploy', 'helm', 'polaris-mirror');
const read = (path: string) => readFileSync(path, 'utf8');
const docs = (text: string) => YAML.parseAllDocuments(text).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Record<string, any>;
});

/**
 * A template with its Go-template actions set aside: lines holding only an action go, an inline action
 * becomes a plain scalar. Both branches of an if stay, which the templates are written to allow.
 */
function withoutActions(template: string): string {
  return template
    .split('\n')
    .filter((line) => !/^\s*\{\{-?.*-?\}\}\s*$/.test(line))
    .map((line) => line.replace(/\{\{-?.*?-?\}\}/g, 'templated'))
    .join('\n');
}

describe('Kubernetes examples', () => {
  for (const file of ['kubernetes.yaml', 'kubernetes-replicas.yaml']) {
    it(`${file} parses, and its config loads`, () => {
      const manifests = docs(read(join(root, 'docs', file)));
      const configMap = manifests.find((m) => m.kind === 'ConfigMap')!;
      const deployment = manifests.find((m) => m.kind === 'Deployment')!;
      const { dir, cleanup } = tempDir();
      try {
        const path = join(dir, 'polaris-mirror.yaml');
        writeFileSync(path, configMap.data['polaris-mirror.yaml']);
        const env = { POLARIS_CLIENT_ID: 'id', POLARIS_CLIENT_SECRET: 'secret-1', INGEST_TOKEN: 'token-1234', PG_PASSWORD: 'pw-12345' };
        const { config } = loadConfig(path, env);
        if (file === 'kubernetes-replicas.yaml') {
          expect(deployment.spec.replicas).toBe(2);
          expect(config.state).toMatchObject({ url: 'postgresql://mirror:pw-12345@postgres.data.svc:5432/mirror', schema: 'polaris_mirror' });
        } else {
          expect(deployment.spec.replicas).toBe(1);
          expect(config.state.path).toBe('/var/lib/polaris-mirror/state.db');
        }
      } finally {
        cleanup();
      }
    });

    it(`${file} bounds the heap below the container's memory limit`, () => {
      const deployment = docs(read(join(root, 'docs', file))).find((m) => m.kind === 'Deployment')!;
      const container = deployment.spec.template.spec.containers[0];
      const options = container.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value as string;
      const heapMb = Number(/^--max-old-space-size=(\d+)$/.exec(options)?.[1]);
      // Half the limit or less: SQLite's cache, sockets and code live outside the heap.
      expect(heapMb).toBeGreaterThanOrEqual(64);
      expect(heapMb * 2).toBeLessThanOrEqual(mebibytes(container.resources.limits.memory));
    });
  }

  it('the systemd unit bounds the heap', () => {
    expect(read(join(root, 'docs', 'polaris-mirror.service'))).toMatch(/^Environment=NODE_OPTIONS=--max-old-space-size=\d+$/m);
  });
});

/** A Kubernetes quantity in Mi or Gi, in MiB. */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`not a quantity in Mi or Gi: ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

describe('the Helm chart', () => {
  const schema = JSON.parse(read(join(chart, 'values.schema.json')));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const values = YAML.parse(read(join(chart, 'values.yaml')));
  /** Helm merges an install's values over the chart's. */
  const merged = (overrides: Record<string, any>) => deepMerge(structuredClone(values), overrides);

  it('Chart.yaml and every template parse', () => {
    expect(YAML.parse(read(join(chart, 'Chart.yaml')))).toMatchObject({ apiVersion: 'v2', name: 'polaris-mirror' });
    const templates = readdirSync(join(chart, 'templates')).filter((f) => f.endsWith('.yaml'));
    expect(templates.sort()).toEqual(['configmap.yaml', 'deployment.yaml', 'pvc.yaml', 'service.yaml']);
    for (const file of templates) {
      const parsed = docs(withoutActions(read(join(chart, 'templates', file))));
      expect(parsed[0], file).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String) });
    }
  });

  it('the schema accepts the chart values and both examples', () => {
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    for (const file of ['values-sqlite.yaml', 'values-postgres.yaml']) {
      const example = merged(YAML.parse(read(join(root, 'deploy', 'helm', 'examples', file))));
      expect(validate(example), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the schema refuses several replicas on SQLite, a password written into the URL, and a state section', () => {
    expect(validate(merged({ replicaCount: 2 }))).toBe(false);
    const inline = merged({ ledger: { type: 'postgres', postgres: { url: 'postgresql://mirror:hunter22@pg:5432/m' } } });
    expect(validate(inline)).toBe(false);
    expect(validate(merged({ config: { state: { path: '/x' } } }))).toBe(false);
    expect(validate(merged({ ledger: { type: 'postgres' }, replicaCount: 3 }))).toBe(true);
  });

  it('sets the heap limit from heapLimitMb, which the schema wants as a number of MB or null', () => {
    expect(values.heapLimitMb * 2).toBeLessThanOrEqual(mebibytes(values.resources.limits.memory));
    expect(read(join(chart, 'templates', 'deployment.yaml'))).toContain('- name: NODE_OPTIONS\n              value: {{ printf "--max-old-space-size=%d" (int .Values.heapLimitMb) | quote }}');
    expect(validate(merged({ heapLimitMb: null }))).toBe(true);
    expect(validate(merged({ heapLimitMb: '256MB' }))).toBe(false);
    expect(validate(merged({ heapLimitMb: 16 }))).toBe(false);
  });
});

function deepMerge(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  for (const [key, value] of Object.entries(over)) {
    base[key] = value && typeof value === 'object' && !Array.isArray(value) && base[key] && typeof base[key] === 'object' ? deepMerge(base[key], value) : value;
  }
  return base;
}
