// The Grafana dashboard and the README must name only metrics that exist, and the README must list
// every metric the connector defines — so a renamed metric breaks a test, not an operator's graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/telemetry/metrics.js';
import { packageRoot } from '../../src/util/package-info.js';

/** prom-client's default collector: Node.js process metrics under their standard names. */
const PROCESS_METRIC = /^(process|nodejs)_/;

async function definedMetrics(): Promise<Set<string>> {
  const metrics = new Metrics({ processMetrics: true });
  return new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
}

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(join(packageRoot(), 'docs', 'grafana-dashboard.json'), 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };

  it('every metric a panel queries exists', async () => {
    const defined = await definedMetrics();
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b(polaris_mirror|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });

  it('graphs every metric the connector defines (process metrics aside)', async () => {
    const defined = [...(await definedMetrics())].filter((n) => !PROCESS_METRIC.test(n));
    const text = JSON.stringify(dashboard);
    expect(defined.filter((name) => !text.includes(name))).toEqual([]);
  });

  it('selects the process metrics of the connector\'s own job (other Node.js processes export the same names)', () => {
    const processQueries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).filter((expr) => /\b(process|nodejs)_/.test(expr));
    expect(processQueries.length).toBeGreaterThanOrEqual(3);
    for (const expr of processQueries) expect(expr).toContain('job=~"$job"');
  });
});

describe('process metrics', () => {
  it('carry the standard names of prom-client\'s default collector, not the connector\'s prefix', async () => {
    const defined = await definedMetrics();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
      expect(defined.has(name), name).toBe(true);
    }
    expect([...defined].filter((n) => /^polaris_mirror_(process|nodejs)_/.test(n))).toEqual([]);
  });
});

describe('README', () => {
  it('lists every metric the connector defines', async () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const defined = [...(await definedMetrics())].filter((n) => !PROCESS_METRIC.test(n));
    expect(defined.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
    expect(readme).toContain('`process_*`, `nodejs_*`');
  });
});
