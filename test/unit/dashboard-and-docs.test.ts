// The Grafana dashboard and the README must name only metrics that exist, and the README must list
// every metric the connector defines — so a renamed metric breaks a test, not an operator's graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/telemetry/metrics.js';
import { packageRoot } from '../../src/util/package-info.js';

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
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/polaris_mirror_[a-z0-9_]+/g) ?? []));
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });

  it('graphs every metric the connector defines (process metrics aside)', async () => {
    const defined = [...(await definedMetrics())].filter((n) => !/^polaris_mirror_(process|nodejs)_/.test(n));
    const text = JSON.stringify(dashboard);
    expect(defined.filter((name) => !text.includes(name))).toEqual([]);
  });
});

describe('README', () => {
  it('lists every metric the connector defines', async () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const defined = [...(await definedMetrics())].filter((n) => !/^polaris_mirror_(process|nodejs)_/.test(n));
    expect(defined.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
