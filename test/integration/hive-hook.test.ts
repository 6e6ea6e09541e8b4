// The Hive hook endpoint over HTTP (POST /v1/sources/{name}/hive-events): bodies are the metastore's own
// NOTIFICATION_LOG rows, as a MetaStoreEventListener would forward them. Hook-only (no uris): trusted,
// ordered per table by event id. With uris: triggers of the log, drops confirmed by a re-read.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { signBody } from '../../src/server/signature.js';
import { CATALOG } from '../support/harness.js';
import { readResponse, waitFor, type JsonResponse } from '../support/ingest-client.js';
import { waitForNothingPending } from '../support/settled.js';
import { HiveMetastore } from '../emulators/hive/metastore.js';
import { hookBody, startHiveKit, type HiveKit, type RunningMirror } from '../emulators/hive/test-kit.js';

const TOKEN = 'hive-hook-token-5d1c';
let kit: HiveKit;
let running: RunningMirror | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await kit?.close();
});

async function post(body: unknown, options: { token?: string | null; contentType?: string; path?: string; source?: string } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
  const response = await fetch(`${running!.baseUrl}/v1/sources/${options.source ?? 'hms'}/${options.path ?? 'hive-events'}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readResponse(response);
}

/** The events the metastore wrote since `from`, as hook bodies. */
const recordedSince = (from: bigint) => kit.metastore.eventsAfter(from, 0).map(hookBody);

async function startHookOnly(): Promise<void> {
  kit = await startHiveKit();
  await kit.configure({ uris: [], ingestToken: TOKEN }, (c) => (c.server = { host: '127.0.0.1', port: 0, maxBodyBytes: 65_536 }));
  running = await kit.start();
}

describe('hook-only (no uris): trusted, ordered by event id', () => {
  it('creates, commits, a late older commit ignored, a drop trusted as sent', async () => {
    await startHookOnly();
    const from = kit.metastore.currentEventId;
    const v1 = await kit.createIceberg('sales', 'orders');
    const v2 = await kit.commit('sales', 'orders');
    const v3 = await kit.commit('sales', 'orders');
    const [create, commit2, commit3] = recordedSince(from).slice(-3);

    expect(await post(create)).toMatchObject({ status: 202, json: { accepted: 1, stored: 1 } });
    await kit.waitForPolaris('sales.orders', v1);
    expect(await post(commit3)).toMatchObject({ status: 202, json: { stored: 1 } });
    await kit.waitForPolaris('sales.orders', v3);
    // The older commit arrives late: acknowledged, never applied.
    expect(await post(commit2)).toMatchObject({ status: 202, json: { stored: 0, stale: 1 } });
    await waitForNothingPending(running!.mirror.ledger, 'hms');
    expect(kit.harness.polarisState().get('sales.orders')).toBe(v3);
    expect(v2).not.toBe(v3);

    const before = kit.metastore.currentEventId;
    kit.metastore.dropTable('sales', 'orders');
    expect(await post(recordedSince(before))).toMatchObject({ status: 202, json: { accepted: 1, stored: 1 } });
    await kit.waitForPolaris('sales.orders', undefined);
  });

  it('a rename and a DROP_DATABASE sent as one batch (an array, as a listener flushing its spool)', async () => {
    await startHookOnly();
    const from = kit.metastore.currentEventId;
    const loc = await kit.createIceberg('tmp', 'a');
    await kit.createIceberg('tmp', 'b');
    expect(await post(recordedSince(from))).toMatchObject({ status: 202, json: { accepted: 3, stored: 2 } }); // CREATE_DATABASE counts, stores nothing
    await waitFor('two tables', () => kit.harness.polarisState().size === 2);

    const next = kit.metastore.currentEventId;
    kit.metastore.createDatabase('kept');
    kit.metastore.renameTable('tmp', 'a', 'kept', 'a');
    kit.metastore.dropDatabase('tmp', { cascade: true, silentTables: true });
    expect((await post(recordedSince(next))).status).toBe(202);
    await waitFor('only kept.a', () => [...kit.harness.polarisState().keys()].join() === 'kept.a');
    expect(kit.harness.polarisState().get('kept.a')).toBe(loc);
  });

  it('answers like the core ingest: 400 (nothing stored), 401, 404, 413, 415', async () => {
    await startHookOnly();
    const from = kit.metastore.currentEventId;
    await kit.createIceberg('sales', 'orders');
    const [create] = recordedSince(from).slice(-1);

    const poison = await post([create, { ...create, message: 'H4sIAAAA%%%', messageFormat: 'gzip(json-2.0)' }]);
    expect(poison.status).toBe(400);
    expect(poison.json.details).toEqual([{ path: '[1].message', message: 'the message cannot be read: the message is not valid Base64' }]);
    const missing = await post({ dbName: 'sales' });
    expect(missing.status).toBe(400);
    expect(missing.json.details.map((d: { path: string }) => d.path)).toEqual(['eventType', 'message']);
    expect((await post('{not json')).status).toBe(400);
    await waitForNothingPending(running!.mirror.ledger, 'hms');
    expect(kit.harness.polarisState().size).toBe(0); // nothing stored from a 400

    expect((await post(create, { token: 'wrong-token' })).status).toBe(401);
    expect((await post(create, { token: null })).status).toBe(401);
    expect((await post(create, { path: 'events' })).status).toBe(404);
    expect((await post(create, { source: 'nope' })).status).toBe(404);
    expect((await post({ ...create, padding: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await post(create, { contentType: 'text/plain' })).status).toBe(415);
    expect((await post(create)).status).toBe(202);
  });
});

describe('hook hardening: the webhook source\'s signature and rate limit, and bounded work per request', () => {
  const SIGNING = 'hive-hook-signing-secret-01';

  it('signature: unsigned or wrongly signed requests are refused (nothing stored); a signed one is accepted', async () => {
    kit = await startHiveKit();
    await kit.configure({ uris: [], ingestToken: TOKEN, signature: { secret: SIGNING, toleranceSeconds: 60 } }, (c) => (c.server = { host: '127.0.0.1', port: 0 }));
    running = await kit.start();
    const from = kit.metastore.currentEventId;
    const location = await kit.createIceberg('sales', 'orders');
    const body = JSON.stringify(recordedSince(from).at(-1));
    const now = Math.floor(Date.now() / 1000);
    const unsigned = await post(body);
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error).toMatch(/x-polaris-mirror-signature and x-polaris-mirror-timestamp headers are required/);
    const forged = await postRaw(body, { 'x-polaris-mirror-timestamp': String(now), 'x-polaris-mirror-signature': signBody('not-the-secret-000000', now, body) });
    expect(forged.status).toBe(401);
    expect(kit.harness.polarisState().has('sales.orders')).toBe(false);
    const signed = await postRaw(body, { 'x-polaris-mirror-timestamp': String(now), 'x-polaris-mirror-signature': signBody(SIGNING, now, body) });
    expect(signed.status).toBe(202);
    await kit.waitForPolaris('sales.orders', location);
  });

  it('rateLimit: 429 with Retry-After beyond the burst, for authenticated requests only', async () => {
    kit = await startHiveKit();
    await kit.configure({ uris: [], ingestToken: TOKEN, rateLimit: { requestsPerSecond: 0.01, burst: 2 } }, (c) => (c.server = { host: '127.0.0.1', port: 0 }));
    running = await kit.start();
    const from = kit.metastore.currentEventId;
    await kit.createIceberg('sales', 'orders');
    const event = recordedSince(from).at(-1);
    for (let i = 0; i < 10; i++) expect((await post(event, { token: 'wrong-token' })).status).toBe(401);
    expect((await post(event)).status).toBe(202);
    expect((await post(event)).status).toBe(202);
    const limited = await post(event);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('a body of small gzip bombs is refused with 413 once its messages inflate past the per-request bound', async () => {
    await startHookOnly();
    const bomb = gzipSync(Buffer.from(`{"tableObjJson":"x"${' '.repeat(1024 * 1024)}}`)).toString('base64');
    const body = Array.from({ length: 20 }, (_, i) => ({ eventId: i + 1, eventTime: 1, eventType: 'CREATE_TABLE', dbName: 'sales', tableName: 'x', message: bomb, messageFormat: 'gzip(json-2.0)' }));
    const response = await post(body);
    expect(response.status).toBe(413);
    expect(response.json.error).toMatch(/inflate to more than \d+ bytes in all .*send fewer events per request/);
    expect((await fetch(`${running!.baseUrl}/healthz`)).status).toBe(200);
  });

  it('signature or rateLimit without ingestToken is a config error', async () => {
    kit = await startHiveKit();
    await kit.configure({ signature: { secret: SIGNING }, rateLimit: { requestsPerSecond: 5 } });
    expect(() => loadConfig(kit.harness.configFile)).toThrow(/sources\[0\]\.signature: signature applies to the hook endpoint, which needs ingestToken[\s\S]*sources\[0\]\.rateLimit: rateLimit applies/);
  });
});

async function postRaw(body: string, headers: Record<string, string>): Promise<JsonResponse> {
  return readResponse(
    await fetch(`${running!.baseUrl}/v1/sources/hms/hive-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
      body,
    }),
  );
}

describe('with uris: hook events are triggers', () => {
  async function startWithLog(): Promise<void> {
    kit = await startHiveKit();
    // A slow poll: only the hook makes the connector read the log quickly.
    await kit.configure({ ingestToken: TOKEN, pollIntervalMs: 60_000 }, (c) => (c.server = { host: '127.0.0.1', port: 0 }));
    running = await kit.start();
    await waitFor('the bootstrap cursor', async () => (await running!.mirror.ledger.cursor('hms')) === String(kit.metastore.currentEventId));
  }

  it('a hook event makes the connector read the log at once', async () => {
    await startWithLog();
    const from = kit.metastore.currentEventId;
    const loc = await kit.createIceberg('sales', 'orders');
    const polls = kit.hms.stats.nextNotificationRequests.length;
    expect((await post(recordedSince(from).at(-1))).status).toBe(202);
    await kit.waitForPolaris('sales.orders', loc, 30_000);
    await waitFor('the log read', () => kit.hms.stats.nextNotificationRequests.length > polls, 30_000);
    await waitFor('the cursor', async () => (await running!.mirror.ledger.cursor('hms')) === String(kit.metastore.currentEventId), 30_000);
  });

  it('a drop from the hook for a table the metastore still has is not applied (re-read first)', async () => {
    await startWithLog();
    const from = kit.metastore.currentEventId;
    const loc = await kit.createIceberg('sales', 'orders');
    await post(recordedSince(from).at(-1));
    await kit.waitForPolaris('sales.orders', loc);

    // A DROP_TABLE for sales.orders that did not happen in this metastore (a misrouted listener).
    const elsewhere = new HiveMetastore();
    elsewhere.createDatabase('sales');
    elsewhere.createIcebergTable('sales', 'orders', { metadataLocation: loc });
    elsewhere.dropTable('sales', 'orders');
    const drop = { ...hookBody(elsewhere.eventsAfter(0n, 0).at(-1)!), eventId: Number(kit.metastore.currentEventId) + 1 };
    const reads = kit.hms.stats.calls.get_table_req ?? 0;
    expect(await post(drop)).toMatchObject({ status: 202, json: { stored: 1 } });
    await waitFor('the re-read', () => (kit.hms.stats.calls.get_table_req ?? 0) > reads);
    await waitForNothingPending(running!.mirror.ledger, 'hms');
    expect(kit.harness.polarisState().get('sales.orders')).toBe(loc);
    expect(kit.harness.emulator.history(CATALOG, ['sales'], 'orders').map((e) => e.type)).not.toContain('DROP');
  });

  // Regression (fixed; this was the bug): an event id near 2^63 became an anchor of the event clock
  // above every real event, so every later event got the same old order; after the next read of the
  // metastore (a full pass), every change was "stale" for good.
  it('a hook event id near 2^63 is only a trigger: later log events keep their order after a full pass', async () => {
    await startWithLog();
    const from = kit.metastore.currentEventId;
    const v1 = await kit.createIceberg('sales', 'orders');
    const bogus = { ...recordedSince(from).at(-1)!, eventId: '9223372036854775807' };
    expect(await post(bogus)).toMatchObject({ status: 202, json: { accepted: 1, stored: 0 } });
    await kit.waitForPolaris('sales.orders', v1);
    const state = (await running!.mirror.ledger.adapterState('hms'));
    expect(state.get('clock.anchors') ?? '[]').not.toContain('9223372036854775');

    await running!.mirror.sources.get('hms')!.sink.reconcile();
    const v2 = await kit.commit('sales', 'orders');
    expect((await post(recordedSince(from).at(-1))).status).toBe(202);
    await kit.waitForPolaris('sales.orders', v2);
  }, 120_000);
});
