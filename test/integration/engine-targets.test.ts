// Several Polaris targets per source, through the real engine and HTTP clients against two
// Polaris emulators: a source converges on both; a target that is down never stops the other and
// converges by itself once it is back; per-target status and retry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildStatus } from '../../src/cli/commands/status.js';
import { runProbes } from '../../src/engine/probe-polaris.js';
import { readiness } from '../../src/server/health.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import { openMirror, syncWith } from '../support/engine.js';
import { CATALOG, runCli, startHarness, type Harness } from '../support/harness.js';

const DR_CATALOG = 'lake_dr';
const DR_CLIENT = 'dr-client';
const DR_SECRET = 'dr-secret-9f8e7d6c5b';
const DR_REALM = 'DR_REALM';

let h: Harness;
let dr: PolarisEmulator;

/** The DR instance: another Polaris, another realm, its own principal; `port` to come back on the same address. */
async function startDr(port?: number): Promise<PolarisEmulator> {
  const emulator = await startPolarisEmulator({ realm: DR_REALM, ...(port === undefined ? {} : { port }) });
  emulator.createCatalog({ name: DR_CATALOG, allowedLocations: [h.warehouseUri] });
  emulator.createPrincipal({ clientId: DR_CLIENT, clientSecret: DR_SECRET, roles: { mirror: { [DR_CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
  return emulator;
}

const drState = (emulator: PolarisEmulator) => new Map(emulator.tables(DR_CATALOG).map((t) => [[...t.namespace, t.name].join('.'), t.metadataLocation]));
const drPort = () => Number(new URL(dr.url).port);

/** The harness's source written to both targets (writeConfig starts from the harness's default each time). */
async function configureTargets(more: (c: Record<string, any>) => void = () => undefined): Promise<void> {
  await h.writeConfig((c) => {
    c.polarisInstances = {
      dr: { uri: dr.url, realm: DR_REALM, auth: { clientId: DR_CLIENT, clientSecret: DR_SECRET }, concurrency: 4, retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 } },
    };
    delete c.sources[0].target;
    c.sources[0].targets = [{ catalog: CATALOG }, { polaris: 'dr', catalog: DR_CATALOG }];
    more(c);
  });
}

beforeEach(async () => {
  h = await startHarness();
  dr = await startDr();
  await configureTargets();
});
afterEach(async () => {
  await dr.close();
  await h.close();
});

describe('a source with two Polaris targets', () => {
  it('converges on both, each with its own token, realm and timestamps; status breaks the tables down per target', async () => {
    const v1 = await h.writeTable(['sales'], 'orders', { lastUpdatedMs: 1_000 });
    const v2 = await h.writeTable(['sales'], 'items', { lastUpdatedMs: 2_000 });
    const { summary, rows } = await syncWith(h);
    expect(summary).toMatchObject({ converged: true, created: 4 });
    expect(h.polarisState()).toEqual(new Map([['sales.orders', v1], ['sales.items', v2]]));
    expect(drState(dr)).toEqual(new Map([['sales.orders', v1], ['sales.items', v2]]));
    expect(rows.map((r) => `${r.polaris}/${r.target.catalog}:${r.status}`).sort()).toEqual([
      `default/${CATALOG}:in_sync`,
      `default/${CATALOG}:in_sync`,
      `dr/${DR_CATALOG}:in_sync`,
      `dr/${DR_CATALOG}:in_sync`,
    ]);

    const v3 = await h.writeTable(['sales'], 'orders', { lastUpdatedMs: 500 });
    expect((await syncWith(h)).summary).toMatchObject({ converged: true, updated: 2 });
    expect(drState(dr).get('sales.orders')).toBe(v3);
    // The timestamp rule holds on each target: the source clock went back, Polaris saw rising ones.
    const drTimestamps = dr.history(DR_CATALOG, ['sales'], 'orders').filter((e) => e.type !== 'VALIDATE').map((e) => e.timestamp);
    expect(drTimestamps).toEqual([1_000, 1_001]);

    const mirror = openMirror(h);
    try {
      const status = await buildStatus(mirror.ledger, mirror.config.sources);
      expect(status.sources[0]!.targets).toEqual([
        { polaris: 'default', catalog: CATALOG, tables: { total: 2, inSync: 2, pending: 0, failed: 0 }, check: expect.objectContaining({ complete: true, refilled: [] }) },
        { polaris: 'dr', catalog: DR_CATALOG, tables: { total: 2, inSync: 2, pending: 0, failed: 0 }, check: expect.objectContaining({ complete: true, refilled: [] }) },
      ]);
    } finally {
      await mirror.close();
    }
  });

  it('a target that is down never stops the other; the next sync attempts its failed tables and converges', async () => {
    const port = drPort();
    await dr.close();
    const v1 = await h.writeTable(['sales'], 'orders');
    const down = await syncWith(h);
    expect(h.polarisState().get('sales.orders')).toBe(v1);
    expect(down.summary.converged).toBe(false);
    const drRow = down.rows.find((r) => r.polaris === 'dr')!;
    expect(drRow).toMatchObject({ status: 'failed', failureTransient: true });
    expect(down.rows.find((r) => r.polaris === 'default')).toMatchObject({ status: 'in_sync' });

    const mirror = openMirror(h);
    try {
      const status = await buildStatus(mirror.ledger, mirror.config.sources);
      expect(status.sources[0]!.failed).toEqual([expect.objectContaining({ table: 'sales.orders', target: `dr/${DR_CATALOG}` })]);
    } finally {
      await mirror.close();
    }

    dr = await startDr(port);
    // The failed table's delay is long (the failed-table backoff): a one-shot sync attempts it anyway.
    const back = await syncWith(h);
    expect(back.summary).toMatchObject({ converged: true, created: 1 });
    expect(drState(dr).get('sales.orders')).toBe(v1);
  });

  it('a Polaris instance removed from the config: sync still finishes, its tables failed with a hint that says so', async () => {
    await dr.close();
    await h.writeTable(['sales'], 'orders');
    const down = await syncWith(h);
    expect(down.rows.find((r) => r.polaris === 'dr')).toMatchObject({ status: 'failed' });

    // The DR instance is renamed: two instances are still configured (two lanes), neither of them "dr".
    dr = await startDr();
    await configureTargets((c) => {
      c.polarisInstances = { dr2: c.polarisInstances.dr };
      c.sources[0].targets = [{ catalog: CATALOG }, { polaris: 'dr2', catalog: DR_CATALOG }];
    });
    const renamed = await syncWith(h);
    expect(renamed.rows.find((r) => r.polaris === 'dr2')).toMatchObject({ status: 'in_sync' });
    expect(renamed.rows.find((r) => r.polaris === 'dr')).toMatchObject({
      status: 'failed',
      lastError: 'Polaris instance "dr" is not configured any more',
      lastHint: expect.stringContaining('polarisInstances'),
    });
    expect(drState(dr).has('sales.orders')).toBe(true);
  });

  it('the daemon retries a target\'s failed tables as soon as its probe sees it answer again', async () => {
    const port = drPort();
    await dr.close();
    await configureTargets((c) => {
      c.polarisInstances.dr.probeIntervalSeconds = 1;
      c.polaris.probeIntervalSeconds = 1;
    });
    const v1 = await h.writeTable(['sales'], 'orders');
    const down = await syncWith(h);
    expect(down.rows.find((r) => r.polaris === 'dr')).toMatchObject({ status: 'failed' });

    const mirror = openMirror(h);
    const stop = new AbortController();
    const dispatcher = mirror.createDispatcher();
    const running = Promise.allSettled([dispatcher.run(stop.signal), ...runProbes(mirror, stop.signal)]);
    try {
      // The probe finds the instance down, then it comes back (empty, on the same address).
      await expect.poll(() => mirror.targetHealth.isTroubled('dr'), { timeout: 10_000 }).toBe(true);
      // The default instance's first probe (a token, then a request) may answer after dr's refusal on a
      // busy machine; until it does, /readyz rightly says "not contacted yet" for it.
      await expect.poll(async () => (await readiness(mirror)).checks.polaris?.ok, { timeout: 10_000 }).toBe(true);
      // /readyz has a check per instance: the down one makes the daemon not ready, and says which.
      const unready = await readiness(mirror);
      expect(unready.ready).toBe(false);
      expect(unready.checks['polaris:dr']).toMatchObject({ ok: false, detail: expect.stringMatching(/^unreachable/) });
      expect(unready.checks.polaris).toMatchObject({ ok: true });
      dr = await startDr(port);
      // Well before the failed-table delay (30 s and more after two attempts) would let it be tried again.
      await expect.poll(() => drState(dr).get('sales.orders'), { timeout: 12_000 }).toBe(v1);
      const back = await readiness(mirror);
      expect(back.checks['polaris:dr']).toMatchObject({ ok: true });
      expect(back.checks['token:dr']).toMatchObject({ ok: true });
    } finally {
      stop.abort();
      await dispatcher.stop();
      await running;
      await mirror.close();
    }
  });

  it('a target restarted empty is refilled by the next sync, timestamps still rising; tables only it holds are orphans', async () => {
    await configureTargets((c) => (c.sources[0].exclude = ['other.*']));
    const v1 = await h.writeTable(['sales'], 'orders', { lastUpdatedMs: 1_000 });
    expect((await syncWith(h)).summary).toMatchObject({ converged: true, created: 2 });
    const port = drPort();
    await dr.close();
    dr = await startDr(port);
    // Something else wrote a table into the mirrored catalog: reported, never dropped.
    const stray = await h.writeTable(['other'], 'stray');
    expect(await createThroughApi(dr, ['other'], 'stray', stray)).toBe(204);

    // plan says what the sync will find, and changes nothing.
    const plan = await runCli(['plan', '--config', h.configFile, '--json']);
    expect(JSON.parse(plan.stdout).targets).toEqual([
      { polaris: 'default', catalog: CATALOG, complete: true, reason: null, refill: [], refillCount: 0, orphanCount: 0, orphans: [] },
      { polaris: 'dr', catalog: DR_CATALOG, complete: true, reason: null, refill: [`${DR_CATALOG}.sales.orders`], refillCount: 1, orphanCount: 1, orphans: [`${DR_CATALOG}.other.stray`] },
    ]);
    const planText = await runCli(['plan', '--config', h.configFile]);
    expect(planText.stdout).toContain(`target dr/${DR_CATALOG}: 1 orphan(s) no source has (reported, never dropped): ${DR_CATALOG}.other.stray`);
    expect(drState(dr).has('sales.orders')).toBe(false);

    const { summary } = await syncWith(h);
    expect(summary).toMatchObject({ converged: true, created: 1 });
    expect(summary.targets).toEqual([
      expect.objectContaining({ polaris: 'default', catalog: CATALOG, complete: true, refilled: [], orphanCount: 0 }),
      expect.objectContaining({ polaris: 'dr', catalog: DR_CATALOG, complete: true, refilled: [`${DR_CATALOG}.sales.orders`], orphans: [`${DR_CATALOG}.other.stray`] }),
    ]);
    expect(drState(dr)).toEqual(new Map([['sales.orders', v1], ['other.stray', stray]]));
    // Sent again above every timestamp this target was given for the table.
    expect(dr.history(DR_CATALOG, ['sales'], 'orders').filter((e) => e.type === 'CREATE').map((e) => e.timestamp)).toEqual([1_001]);
    // Nothing lost on the default target: nothing sent there again.
    expect(h.emulator.history(CATALOG, ['sales'], 'orders').filter((e) => e.type !== 'VALIDATE')).toHaveLength(1);
    const mirror = openMirror(h);
    try {
      const status = await buildStatus(mirror.ledger, mirror.config.sources);
      expect(status.sources[0]!.targets[1]!.check).toMatchObject({ refilled: [`${DR_CATALOG}.sales.orders`], orphanCount: 1, orphans: [`${DR_CATALOG}.other.stray`] });
    } finally {
      await mirror.close();
    }
  });
});

describe('a target check on a target that fails now and then', () => {
  it('asks a listing page again after a 503, a reset or a 429 (the instance retry policy), and still refills what the target lost', async () => {
    await configureTargets((c) => (c.polarisInstances.dr.retry = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 }));
    const v1 = await h.writeTable(['sales'], 'orders');
    expect((await syncWith(h)).summary).toMatchObject({ converged: true, created: 2 });
    const port = drPort();
    await dr.close();
    dr = await startDr(port);
    // The first listing page fails three times in a row: once, one 503 ended the whole check.
    dr.failNext(1, { status: 503, kinds: ['list'] });
    dr.failNext(1, { status: 0, reset: true, kinds: ['list'] });
    dr.failNext(1, { status: 429, headers: { 'retry-after': '0' }, kinds: ['list'] });
    const { summary } = await syncWith(h);
    expect(summary).toMatchObject({ converged: true, created: 1 });
    expect(summary.targets).toContainEqual(expect.objectContaining({ polaris: 'dr', catalog: DR_CATALOG, complete: true, refilled: [`${DR_CATALOG}.sales.orders`] }));
    expect(dr.stats().byStatus).toMatchObject({ '503': 1, '429': 1, reset: 1 });
    expect(drState(dr).get('sales.orders')).toBe(v1);
  });

  it('gives up on the check (acting on nothing) once a page has failed retry.maxAttempts times, and says why', async () => {
    const port = drPort();
    await h.writeTable(['sales'], 'orders');
    expect((await syncWith(h)).summary).toMatchObject({ converged: true, created: 2 });
    await dr.close();
    dr = await startDr(port);
    dr.failNext(2, { status: 503, kinds: ['list'] }); // the DR instance retries twice (maxAttempts 2)
    const { summary } = await syncWith(h);
    expect(summary.targets).toContainEqual(expect.objectContaining({ polaris: 'dr', complete: false, reason: 'listing /namespaces answered HTTP 503', refilled: [] }));
    expect(drState(dr).has('sales.orders')).toBe(false);
  });
});

describe('check and plan per target (the built CLI)', () => {
  it('check tests each instance\'s token and catalog; plan lists each table on each target; retry --target keeps to one', async () => {
    await h.writeTable(['sales'], 'orders');
    const check = await runCli(['check', '--config', h.configFile, '--json']);
    const lines = (JSON.parse(check.stdout) as { checks: Array<{ ok: boolean; what: string }> }).checks;
    expect(lines.filter((l) => l.what.includes('token') || l.what.startsWith('catalog') && !l.what.includes('namespace'))).toEqual([
      expect.objectContaining({ ok: true, what: 'polaris token' }),
      expect.objectContaining({ ok: true, what: 'polaris dr token' }),
      expect.objectContaining({ ok: true, what: `catalog ${CATALOG}` }),
      expect.objectContaining({ ok: true, what: `catalog dr/${DR_CATALOG}` }),
    ]);
    expect(check.code).toBe(0);

    const plan = await runCli(['plan', '--config', h.configFile, '--json']);
    const entries = (JSON.parse(plan.stdout) as { entries: Array<{ polaris: string; polarisTable: string; action: string; validate: { ok: boolean } }> }).entries;
    expect(entries.map((e) => [e.polaris, e.polarisTable, e.action, e.validate?.ok])).toEqual([
      ['default', `${CATALOG}.sales.orders`, 'create', true],
      ['dr', `${DR_CATALOG}.sales.orders`, 'create', true],
    ]);

    const unknown = await runCli(['retry', '--config', h.configFile, '--target', 'nowhere/x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`configured targets: default/${CATALOG}, dr/${DR_CATALOG}`);
  });
});

/** Another writer's CREATE into the DR catalog (bypassing the connector). */
async function createThroughApi(emulator: PolarisEmulator, namespace: string[], name: string, location: string): Promise<number> {
  const path = `${emulator.url}/v1/${DR_CATALOG}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables/${encodeURIComponent(name)}/notifications`;
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.issueToken(DR_CLIENT)}`, 'content-type': 'application/json', 'polaris-realm': DR_REALM },
    body: JSON.stringify({ 'notification-type': 'CREATE', payload: { 'table-name': name, timestamp: 1, 'table-uuid': 'x', 'metadata-location': location } }),
  });
  return response.status;
}
