// Shared helpers for the unit tests: temp directories that are always removed, hand-built
// normalized observations for the ledger, and a Glue source config with its defaults.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GlueSourceConfig } from '../../adapters/glue/config.js';
import type { Observation } from '../../src/model/observation.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';

/** A fresh temp directory; call the returned cleanup in afterEach. */
export function tempDir(prefix = 'pm-unit-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ObsSpec {
  source?: string;
  catalog?: string;
  namespace?: string[];
  name?: string;
  targetNamespace?: string[];
  order: number;
  time?: number;
  uuid?: string;
  confirmed?: boolean;
}

export function present(location: string, spec: ObsSpec): NormalizedObservation {
  const namespace = spec.namespace ?? ['db'];
  const name = spec.name ?? 't';
  const observation: Observation = {
    table: { namespace, name },
    state: 'present',
    metadataLocation: location,
    ...(spec.uuid === undefined ? {} : { tableUuid: spec.uuid }),
    order: spec.order,
    sourceTimeMs: spec.time ?? spec.order,
  };
  return {
    source: spec.source ?? 'src',
    target: { catalog: spec.catalog ?? 'lake', namespace: spec.targetNamespace ?? namespace, name },
    observation,
  };
}

export function absent(spec: ObsSpec): NormalizedObservation {
  const namespace = spec.namespace ?? ['db'];
  const name = spec.name ?? 't';
  return {
    source: spec.source ?? 'src',
    target: { catalog: spec.catalog ?? 'lake', namespace: spec.targetNamespace ?? namespace, name },
    observation: {
      table: { namespace, name },
      state: 'absent',
      ...(spec.confirmed === undefined ? {} : { confirmed: spec.confirmed }),
      order: spec.order,
      sourceTimeMs: spec.time ?? spec.order,
    },
  };
}

/** A Glue source's config as the schema leaves it (defaults filled in), for tests that build the adapter without loading YAML. */
export function glueSourceConfig(extra: Partial<GlueSourceConfig> = {}): GlueSourceConfig {
  return {
    type: 'glue',
    name: 'glue',
    region: 'us-east-1',
    target: { catalog: 'c', namespacePrefix: [] },
    include: [],
    exclude: [],
    reconcileIntervalSeconds: 3600,
    maxDropFraction: 0.25,
    scanIntervalSeconds: 600,
    requestsPerSecond: 10,
    discoverCatalogs: false,
    catalogNamespaces: {},
    sessionName: 'polaris-mirror',
    ...extra,
  };
}
