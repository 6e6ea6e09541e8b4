// The REST source end to end: an Iceberg REST emulator as the source catalog and the usual harness
// (Polaris emulator, config file, ledger) as the target. The REST emulator writes each metadata file
// under the harness's warehouse directory, so Polaris reads real files as it would from shared storage
// — as file:// or, on 's3' storage, as s3:// objects of the warehouse bucket.
import { rm } from 'node:fs/promises';
import { decodeEntry, type EtagEntry } from '../../adapters/rest/etag-entry.js';
import type { RestSource } from '../../adapters/rest/rest-source.js';
import type { Mirror } from '../../src/engine/mirror.js';
import { startRestCatalogEmulator, type RestCatalogEmulator, type RestEmulatorOptions } from '../emulators/rest/index.js';
import { openMirror } from '../support/engine.js';
import { startHarness, type Harness, type HarnessStorage } from '../support/harness.js';

export const SOURCE = 'cat';

export interface RestScenario {
  readonly h: Harness;
  readonly rest: RestCatalogEmulator;
  /** Rewrites the config with the rest source (these keys merged over the defaults). */
  configure(source?: Record<string, unknown>): Promise<void>;
  /** Opens a Mirror on the config (close it!). */
  open(): Mirror;
  /** Drops a table in the catalog and deletes its files (DROP TABLE … PURGE). */
  purge(namespace: string[], name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startRestScenario(
  options: { rest?: RestEmulatorOptions; source?: Record<string, unknown>; storage?: HarnessStorage } = {},
): Promise<RestScenario> {
  const h = await startHarness({ storage: options.storage });
  const rest = await startRestCatalogEmulator({ tableRoot: `${h.warehouseUri}/rest`, writeMetadata: (uri, text) => h.writeObject(uri, text), ...options.rest });
  const scenario: RestScenario = {
    h,
    rest,
    async configure(source = {}) {
      await h.writeConfig((config) => {
        config.sources = [
          {
            name: SOURCE,
            type: 'rest',
            uri: rest.url,
            target: { catalog: 'lake_mirror' },
            retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
            ...source,
          },
        ];
      });
    },
    open: () => openMirror(h),
    async purge(namespace, name) {
      const { metadataLocation } = rest.table(namespace, name)!;
      rest.dropTable(namespace, name);
      await rm(h.pathOf(metadataLocation.slice(0, metadataLocation.lastIndexOf('/metadata/'))), { recursive: true, force: true });
    },
    async close() {
      await rest.close();
      await h.close();
    },
  };
  await scenario.configure(options.source);
  return scenario;
}

export function restAdapter(mirror: Mirror): RestSource {
  return mirror.sources.get(SOURCE)!.adapter as RestSource;
}

/** One poll as `run` does it (listing, observations, drops, ETags), then send until settled. */
export async function pollAndSettle(mirror: Mirror): Promise<boolean> {
  const complete = await restAdapter(mirror).pollOnce(mirror.sources.get(SOURCE)!.sink);
  await mirror.createDispatcher({ sources: [SOURCE] }).runUntilSettled();
  return complete;
}

/** Every notification Polaris received so far (VALIDATE included), whatever its answer. */
export function notificationCount(h: Harness): number {
  return Object.values(h.emulator.stats().notifications).reduce((n, c) => n + c, 0);
}

/** The notification types Polaris accepted for one table, in order (VALIDATE left out). */
export function accepted(h: Harness, namespace: string[], name: string): string[] {
  return h.emulator.history('lake_mirror', namespace, name).filter((e) => e.status === 204 && e.type !== 'VALIDATE').map((e) => e.type);
}

/** The ETag entries the ledger stores with these tables' observations, by dotted name (levels hold no dots here). */
export async function storedEtags(mirror: Mirror, dotted: Iterable<string>): Promise<Map<string, EtagEntry>> {
  const names = [...dotted];
  const tables = names.map((n) => {
    const parts = n.split('.');
    return { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! };
  });
  const versions = await mirror.ledger.sourceVersions(SOURCE, tables);
  const out = new Map<string, EtagEntry>();
  versions.forEach((version, i) => {
    const entry = decodeEntry(version);
    if (entry) out.set(names[i]!, entry);
  });
  return out;
}
