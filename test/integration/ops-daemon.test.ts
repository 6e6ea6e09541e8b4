// Operating the daemon: /metrics after a sync carries the series and values an operator graphs,
// /readyz follows Polaris going away and coming back, no secret shows in either, and `sync` prints
// progress lines when stderr is not a terminal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import { CATALOG, CLIENT_ID, CLIENT_SECRET, runCli, startHarness, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

/** Prometheus text → "name{labels}" → value. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

describe('the daemon seen from outside', () => {
  let h: Harness;
  let daemon: Daemon;
  let polarisPort: number;

  beforeAll(async () => {
    h = await startHarness();
    polarisPort = Number(new URL(h.emulator.url).port);
    for (const name of ['a', 'b', 'c']) await h.writeTable(['sales'], name);
    const port = await freePort();
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port };
      c.polaris.probeIntervalSeconds = 1;
      c.polaris.retry = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 };
    });
    daemon = await startDaemon(h.configFile, port);
    await waitFor('three tables in Polaris', () => h.polarisState().size === 3);
  });
  afterAll(async () => {
    await daemon?.kill();
    await h?.close();
  });

  it('/metrics: notifications, responses, tables by status, backlog, passes, lag, token refreshes, process metrics', async () => {
    const body = await waitFor('the pass to be recorded', async () => {
      const text = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
      return /polaris_mirror_tables\{source="lake",status="in_sync"\} 3/.test(text) ? text : undefined;
    });
    const m = parseMetrics(body);
    // The three tables share a directory and a namespace: one VALIDATE stands for them all.
    expect(m.get(`polaris_mirror_notifications_total{type="VALIDATE",outcome="ok",target="default/${CATALOG}"}`)).toBe(1);
    expect(m.get(`polaris_mirror_notifications_total{type="CREATE",outcome="ok",target="default/${CATALOG}"}`)).toBe(3);
    expect(m.get('polaris_mirror_tables{source="lake",status="pending"}')).toBe(0);
    expect(m.get('polaris_mirror_tables{source="lake",status="failed"}')).toBe(0);
    expect(m.get('polaris_mirror_ledger_backlog')).toBe(0);
    expect(m.get('polaris_mirror_polaris_responses_total{status_class="2xx"}')).toBeGreaterThanOrEqual(5); // 1 VALIDATE + 3 CREATE + the token
    expect(m.get('polaris_mirror_token_refreshes_total{outcome="ok"}')).toBe(1);
    expect(m.get('polaris_mirror_reconciliation_passes_total{source="lake",outcome="complete"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('polaris_mirror_observations_total{source="lake",result="accepted"}')).toBe(3);
    expect(m.get('polaris_mirror_source_lag_seconds{source="lake"}')).toBeGreaterThanOrEqual(0);
    expect(m.get('polaris_mirror_last_complete_pass_age_seconds{source="lake"}')).toBeLessThan(60);
    // Node.js process metrics under their standard names (prom-client's default collector).
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(m.get('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(body).not.toContain(CLIENT_SECRET);
  });

  it('/readyz turns unready when Polaris is unreachable, and ready again when it is back', async () => {
    const ready = await fetch(`${daemon.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const readyBody = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(Object.keys(readyBody.checks).sort()).toEqual(['ledger', 'polaris', 'source:lake', 'token']);

    await h.emulator.close();
    const down = await waitFor('/readyz to say 503', async () => {
      const r = await fetch(`${daemon.baseUrl}/readyz`);
      return r.status === 503 ? ((await r.json()) as { checks: Record<string, { ok: boolean; detail: string }> }) : undefined;
    });
    expect(down.checks.polaris).toMatchObject({ ok: false });
    expect(down.checks.polaris!.detail).toMatch(/unreachable/);
    expect(JSON.stringify(down)).not.toContain(CLIENT_SECRET);

    // Polaris comes back on the same address (a restart: it knows nothing of the old token).
    const again: PolarisEmulator = await startPolarisEmulator({ port: polarisPort });
    try {
      again.createCatalog({ name: CATALOG, allowedLocations: [dirUri(h.warehouse)] });
      again.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { r: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
      await waitFor('/readyz to say 200 again', async () => (await fetch(`${daemon.baseUrl}/readyz`)).status === 200);
    } finally {
      await again.close();
    }
  });
});

describe('sync progress when stderr is not a terminal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ emulator: { faults: { latencyMs: 40 } } });
    for (let i = 0; i < 40; i++) await h.writeTable(['ns'], `t${i}`);
    await h.writeConfig((c) => (c.polaris.concurrency = 2));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('prints a progress line every --progress-interval seconds, then the summary on stdout', async () => {
    const result = await runCli(['sync', '--config', h.configFile, '--progress-interval', '0.2']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('progress: '));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^progress: listed \d+ · sent \d+ · failed 0 · pending \d+ · \d+\/s/);
    expect(result.stderr).not.toContain('\r');
    expect(result.stdout).toMatch(/created {4}40/);
  });

  it('a bad --progress-interval is a usage error (exit 2)', async () => {
    const result = await runCli(['sync', '--config', h.configFile, '--progress-interval', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--progress-interval must be a positive number/);
  });
});
