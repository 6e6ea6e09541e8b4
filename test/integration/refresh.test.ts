// Scoped refresh: `refresh` by itself and through a running daemon, and the control API behind it
// (POST /v1/refresh, GET /v1/refresh/{id}): the scope is re-read from the source now and converged,
// nothing outside the scope is touched, bad scopes and bodies get clear errors.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startHarness, CATALOG, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

const CONSOLE_TOKEN = 'console-token-7d1f9a2b4c6e';

describe('refresh by itself (no daemon)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.writeTable(['sales'], 'orders');
    await h.writeTable(['sales'], 'items');
    await h.writeTable(['ops'], 'jobs');
    expect((await runCli(['sync', '--config', h.configFile])).code).toBe(0);
  });
  afterEach(async () => {
    await h.close();
  });

  it('a namespace: re-reads and converges it, and leaves the rest of the source alone', async () => {
    const orders = await h.writeTable(['sales'], 'orders');
    const jobsBefore = h.polarisState().get('ops.jobs');
    await h.writeTable(['ops'], 'jobs');
    const result = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--namespace', 'sales']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok +sales\.orders$/m);
    expect(result.stdout).toMatch(/^ok +sales\.items$/m);
    expect(result.stdout).not.toContain('ops.jobs');
    expect(result.stdout).toContain('result: 2 in sync, 0 pending, 0 failed');
    expect(h.polarisState().get('sales.orders')).toBe(orders);
    expect(h.polarisState().get('ops.jobs')).toBe(jobsBefore);
  });

  it('a table: a single read; a table gone from the source is dropped from Polaris', async () => {
    await h.dropTable(['sales'], 'items');
    const result = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--namespace', 'sales', '--table', 'items', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { state: string; results: Array<{ table: string; desired: string; status: string }> };
    expect(report.state).toBe('done');
    expect(report.results).toEqual([expect.objectContaining({ table: 'sales.items', desired: 'absent', status: 'in_sync' })]);
    expect(h.polarisState().has('sales.items')).toBe(false);
    expect(h.emulator.history(CATALOG, ['sales'], 'items').at(-1)).toMatchObject({ type: 'DROP', status: 204 });
    expect(h.polarisState().has('sales.orders')).toBe(true);
  });

  it('bad scopes exit 2 with what is wrong and how to say it', async () => {
    const unknown = await runCli(['refresh', '--config', h.configFile, '--source', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown source "nope"; configured: lake');
    const tableAlone = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--table', 'orders']);
    expect(tableAlone.code).toBe(2);
    expect(tableAlone.stderr).toMatch(/say which namespace table "orders" is in: --namespace/);
    const emptyLevel = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--namespace', 'sales..eu']);
    expect(emptyLevel.code).toBe(2);
    expect(emptyLevel.stderr).toMatch(/namespace level or table name is empty/);
  });

  it('a failed table of the scope is tried again, and the exit code says it still fails', async () => {
    h.emulator.failNext(1, { status: 403, body: { error: { message: 'Principal is not authorized', type: 'ForbiddenException', code: 403 } }, kinds: ['notification'] });
    await h.writeTable(['sales'], 'orders');
    const failing = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--namespace', 'sales', '--table', 'orders']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^failed +sales\.orders — /m);
    expect(failing.stdout).toMatch(/request id: [0-9a-f-]{36}/);
    // Polaris accepts it now: the refresh re-drives the failed table at once.
    const again = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--namespace', 'sales', '--table', 'orders']);
    expect(again.code, again.stdout).toBe(0);
  });
});

describe('refresh through a running daemon', () => {
  let h: Harness;
  let daemon: Daemon;
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${CONSOLE_TOKEN}` }) =>
    fetch(`${daemon.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const get = (path: string) => fetch(`${daemon.baseUrl}${path}`, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } });

  beforeAll(async () => {
    h = await startHarness();
    await h.writeTable(['sales'], 'orders');
    await h.writeTable(['ops'], 'jobs');
    const port = await freePort();
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port, console: { token: '${TEST_CONSOLE_TOKEN}' } };
      // The daemon would notice changes only in an hour: what lands sooner is the refresh's doing.
      c.sources[0].pollIntervalSeconds = 3600;
      c.sources[0].reconcileIntervalSeconds = 3600;
    });
    daemon = await startDaemon(h.configFile, port, { TEST_CONSOLE_TOKEN: CONSOLE_TOKEN });
    await waitFor('the first pass to land', () => h.polarisState().size === 2);
  });
  afterAll(async () => {
    await daemon?.kill();
    await h?.close();
  });

  it('POST /v1/refresh answers an id; GET /v1/refresh/{id} reports progress and per-table results', async () => {
    const orders = await h.writeTable(['sales'], 'orders');
    const jobsBefore = h.polarisState().get('ops.jobs');
    await h.writeTable(['ops'], 'jobs');
    const started = await post('/v1/refresh', { source: 'lake', namespace: 'sales' });
    expect(started.status).toBe(202);
    const { id, status } = (await started.json()) as { id: string; status: string };
    expect(status).toBe(`/v1/refresh/${id}`);
    const report = await waitFor('the refresh to finish', async () => {
      const body = (await (await get(status)).json()) as { state: string };
      return body.state === 'done' || body.state === 'failed' ? (body as Record<string, any>) : undefined;
    });
    expect(report).toMatchObject({
      id,
      state: 'done',
      scope: { source: 'lake', namespace: ['sales'], table: null },
      read: { tables: 1, changed: 1 },
      tables: { total: 1, inSync: 1, pending: 0, failed: 0 },
      results: [{ table: 'sales.orders', status: 'in_sync', metadataLocation: orders }],
    });
    expect(h.polarisState().get('sales.orders')).toBe(orders);
    expect(h.polarisState().get('ops.jobs')).toBe(jobsBefore);
  });

  it('`refresh` asks the daemon when one holds the ledger', async () => {
    const jobs = await h.writeTable(['ops'], 'jobs');
    const result = await runCli(['refresh', '--config', h.configFile, '--source', 'lake', '--namespace', 'ops'], { TEST_CONSOLE_TOKEN: CONSOLE_TOKEN });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/through the running daemon at http:\/\/127\.0\.0\.1:\d+ \(refresh [0-9a-f-]{36}\)/);
    expect(result.stdout).toMatch(/^ok +ops\.jobs$/m);
    expect(h.polarisState().get('ops.jobs')).toBe(jobs);
  });

  it('POST /v1/retry makes the failed tables of a source (or one table) due now', async () => {
    h.emulator.failNext(1, { status: 403, body: { error: { message: 'Principal is not authorized', type: 'ForbiddenException', code: 403 } }, kinds: ['notification'] });
    await h.writeTable(['sales'], 'orders');
    const refreshed = (await (await post('/v1/refresh', { source: 'lake', namespace: ['sales'], table: 'orders' })).json()) as { id: string };
    await waitFor('the refresh to report the failure', async () => ((await (await get(`/v1/refresh/${refreshed.id}`)).json()) as { tables: { failed: number } }).tables.failed === 1);
    const retried = await post('/v1/retry', { source: 'lake', table: 'sales.orders' });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ retried: 1 });
    await waitFor('the retried table in Polaris', () => h.emulator.history(CATALOG, ['sales'], 'orders').at(-1)?.status === 204);
    expect(await (await post('/v1/retry', { source: 'lake' })).json()).toEqual({ retried: 0 });
    expect((await post('/v1/retry', { source: 'nope' })).status).toBe(400);
  });

  it('refuses without the token, and bad bodies, scopes and ids with what is wrong', async () => {
    expect((await post('/v1/refresh', { source: 'lake' }, {})).status).toBe(401);
    expect((await post('/v1/refresh', { source: 'lake' }, { authorization: 'Bearer wrong-token-0000000' })).status).toBe(401);
    expect((await fetch(`${daemon.baseUrl}/v1/refresh/00000000-0000-0000-0000-000000000000`)).status).toBe(401);

    const unknown = await post('/v1/refresh', { source: 'nope' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('unknown source "nope"');
    const extra = await post('/v1/refresh', { source: 'lake', tables: ['x'] });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: string }).error).toMatch(/the body must be \{"source": "lake"/);
    expect((await post('/v1/refresh', 'not json')).status).toBe(400);
    expect((await post('/v1/refresh', { source: 'lake', namespace: 'x'.repeat(20_000) })).status).toBe(413);
    expect((await get('/v1/refresh/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await fetch(`${daemon.baseUrl}/v1/refresh`, { method: 'GET' })).status).toBe(405);
    expect(daemon.output().stderr).not.toContain(CONSOLE_TOKEN);
  });
});
