// Shared pieces of the REST source's unit tests: a config through the real schema (so defaults apply),
// an adapter context with a silent logger, and a raw-fetch helper for the emulator's wire answers.
import { restSourceSchema, type RestSourceConfig } from '../../adapters/rest/config.js';
import { RestSource } from '../../adapters/rest/rest-source.js';
import type { ListedItem } from '../../src/model/observation.js';
import type { AdapterContext } from '../../src/model/source-adapter.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';

export function restConfig(uri: string, extra: Record<string, unknown> = {}): RestSourceConfig {
  return restSourceSchema.parse({
    type: 'rest',
    name: 'cat',
    uri,
    target: { catalog: 'mirror' },
    // Tests should not wait for real backoff.
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

export function adapterContext(): AdapterContext & { metrics: Metrics; redactor: Redactor } {
  return { logger: silentLogger(), metrics: new Metrics(), redactor: new Redactor() };
}

export function restSource(uri: string, extra: Record<string, unknown> = {}): { source: RestSource; context: ReturnType<typeof adapterContext> } {
  const context = adapterContext();
  return { source: new RestSource(restConfig(uri, extra), context), context };
}

export async function collect(items: AsyncIterable<ListedItem>): Promise<ListedItem[]> {
  const out: ListedItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** "ns.sub.table" → metadata location, for the observations of a listing. */
export function observed(items: readonly ListedItem[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    if (item.kind === 'observation') out.set([...item.observation.table.namespace, item.observation.table.name].join('.'), item.observation.metadataLocation);
  }
  return out;
}

/** A counter's value for these labels in a Metrics registry (0 when never incremented). */
export async function counter(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((n, v) => n + v.value, 0);
}
