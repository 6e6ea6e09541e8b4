// The webhook source through the real CLI daemon (`run`): POST /v1/sources/{name}/events with fetch,
// Polaris state checked on the emulator, the ledger checked with `status --json` — with the tables on
// FILE storage and on S3.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import { notification, notify } from '../emulators/polaris/test-kit.js';
import { CATALOG, CLIENT_ID, CLIENT_SECRET, runCli, startHarness, STORAGES, type Harness } from '../support/harness.js';
import { freePort, postEvents, readResponse, sleep, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';
import { waitForDaemonNothingPending } from '../support/settled.js';

const INGEST_TOKEN = 'ingest-token-7f3a9c2e11';
const T0 = 1_732_500_000_000;

/**
 * A config with a webhook source `hooks` and a files source `lake` (an empty root under its own
 * namespace prefix, so the two do not overlap); returns the server port.
 */
async function writeWebhookConfig(harness: Harness, maxBodyBytes?: number): Promise<number> {
  const port = await freePort();
  const filesRoot = join(harness.dir, 'files-root');
  await mkdir(filesRoot, { recursive: true });
  await harness.writeConfig((config) => {
    config.server = { host: '127.0.0.1', port, ...(maxBodyBytes ? { maxBodyBytes } : {}) };
    config.sources = [
      { name: 'hooks', type: 'webhook', token: '${INGEST_TOKEN}', target: { catalog: CATALOG } },
      { name: 'lake', type: 'files', root: filesRoot, target: { catalog: CATALOG, namespacePrefix: ['files'] } },
    ];
  });
  return port;
}

async function statusJson(harness: Harness): Promise<any> {
  const result = await runCli(['status', '--config', harness.configFile, '--json'], { INGEST_TOKEN });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

function sourceStatus(status: any, name: string): any {
  const found = status.sources.find((s: { name: string }) => s.name === name);
  expect(found, `source ${name} in status`).toBeDefined();
  return found;
}

describe.each(STORAGES)('webhook ingest through the run daemon, tables on %s storage', (storage) => {
  let harness: Harness;
  let daemon: Daemon;
  const post = (body: { events: unknown[] } | string, options: Parameters<typeof postEvents>[3] = {}) =>
    postEvents(daemon.baseUrl, 'hooks', body, { token: INGEST_TOKEN, ...options });
  const locationOf = (table: string) => harness.polarisState().get(table);
  const waitForLocation = (table: string, expected: string | undefined) =>
    waitFor(`${table} → ${expected ?? '(absent)'} in Polaris`, () => locationOf(table) === expected);
  const historyOf = (namespace: string[], name: string) => harness.emulator.history(CATALOG, namespace, name);
  /** Before checking that an event changed nothing: the daemon has nothing left to send. */
  const nothingPending = () => waitForDaemonNothingPending(harness.configFile, 'hooks', { INGEST_TOKEN });

  beforeAll(async () => {
    harness = await startHarness({ storage });
    const port = await writeWebhookConfig(harness, 2048);
    daemon = await startDaemon(harness.configFile, port, { INGEST_TOKEN });
  });

  afterAll(async () => {
    await daemon?.kill();
    await harness?.close();
  });

  it('202 {"accepted":N} after storing, and the table appears in Polaris with the source timestamp', async () => {
    const metadataLocation = await harness.writeTable(['sales'], 'orders');
    const response = await post({
      events: [{ namespace: ['sales'], table: 'orders', operation: 'create', metadataLocation, sourceTimestampMs: T0 }],
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toMatchObject({ accepted: 1, stored: 1 });
    await waitForLocation('sales.orders', metadataLocation);
    const table = harness.emulator.tables(CATALOG).find((t) => t.name === 'orders' && t.namespace.join('.') === 'sales');
    expect(table!.timestamp).toBe(T0);
  });

  it('several events in one request: accepted counts all of them, each table lands', async () => {
    const a = await harness.writeTable(['multi'], 'a');
    const b = await harness.writeTable(['multi', 'deep'], 'b');
    const response = await post({
      events: [
        { namespace: ['multi'], table: 'a', operation: 'create', metadataLocation: a, sourceTimestampMs: T0 },
        { namespace: ['multi', 'deep'], table: 'b', operation: 'update', metadataLocation: b },
      ],
    });
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ accepted: 2, stored: 2 });
    await waitForLocation('multi.a', a);
    await waitForLocation('multi.deep.b', b);
  });

  it('create → update → late older update ignored → drop → late older create does not resurrect', async () => {
    const ns = ['life'];
    const uuid = '6f0c3f55-1d1e-4a8e-9a53-6a4c2c5e2b10';
    const v1 = await harness.writeTable(ns, 'cycle', { uuid });
    const created = await post({ events: [{ namespace: ns, table: 'cycle', operation: 'create', metadataLocation: v1, tableUuid: uuid, sourceTimestampMs: T0 }] });
    expect(created.status).toBe(202);
    await waitForLocation('life.cycle', v1);

    const v2 = await harness.writeTable(ns, 'cycle', { uuid });
    expect(v2).not.toBe(v1);
    const updated = await post({ events: [{ namespace: ns, table: 'cycle', operation: 'update', metadataLocation: v2, tableUuid: uuid, sourceTimestampMs: T0 + 2000 }] });
    expect(updated.status).toBe(202);
    expect(updated.json).toMatchObject({ accepted: 1, stored: 1 });
    await waitForLocation('life.cycle', v2);
    const timestampAfterUpdate = harness.emulator.tables(CATALOG).find((t) => t.name === 'cycle')!.timestamp;
    expect(timestampAfterUpdate).toBe(T0 + 2000);

    // A late update carrying the OLD location and an older source time: acknowledged, never applied.
    const historyBefore = historyOf(ns, 'cycle').length;
    const late = await post({ events: [{ namespace: ns, table: 'cycle', operation: 'update', metadataLocation: v1, tableUuid: uuid, sourceTimestampMs: T0 + 1000 }] });
    expect(late.status).toBe(202);
    expect(late.json).toMatchObject({ accepted: 1, stored: 0, stale: 1 });
    await nothingPending();
    expect(locationOf('life.cycle')).toBe(v2);
    expect(historyOf(ns, 'cycle').length).toBe(historyBefore);

    const dropped = await post({ events: [{ namespace: ns, table: 'cycle', operation: 'drop', sourceTimestampMs: T0 + 3000 }] });
    expect(dropped.status).toBe(202);
    expect(dropped.json).toMatchObject({ accepted: 1, stored: 1 });
    await waitForLocation('life.cycle', undefined);
    expect(historyOf(ns, 'cycle').at(-1)).toMatchObject({ type: 'DROP', status: 204 });

    // A create older than the drop (delivered late): must not bring the table back.
    const resurrect = await post({ events: [{ namespace: ns, table: 'cycle', operation: 'create', metadataLocation: v2, tableUuid: uuid, sourceTimestampMs: T0 + 2500 }] });
    expect(resurrect.status).toBe(202);
    expect(resurrect.json).toMatchObject({ accepted: 1, stored: 0, stale: 1 });
    await nothingPending();
    expect(locationOf('life.cycle')).toBeUndefined();
    expect(historyOf(ns, 'cycle').at(-1)).toMatchObject({ type: 'DROP' });
  });

  it('a rename (create new name, drop old), a purged drop, then a re-create under the old name', async () => {
    const uuid = '5d9b2c1e-0a3f-4e7b-9c64-2f1e8d7a6b30';
    const v1 = await harness.writeTable(['ren'], 'old', { uuid });
    expect((await post({ events: [{ namespace: ['ren'], table: 'old', operation: 'create', metadataLocation: v1, tableUuid: uuid, sourceTimestampMs: T0 }] })).status).toBe(202);
    await waitForLocation('ren.old', v1);

    // Rename: the engine reports the new name and the old one's drop together (same Iceberg table).
    const renamed = await harness.writeTable(['ren'], 'new', { uuid });
    const rename = await post({
      events: [
        { namespace: ['ren'], table: 'old', operation: 'drop', tableUuid: uuid, sourceTimestampMs: T0 + 1000 },
        { namespace: ['ren'], table: 'new', operation: 'create', metadataLocation: renamed, tableUuid: uuid, sourceTimestampMs: T0 + 1000 },
      ],
    });
    expect(rename.status).toBe(202);
    await waitForLocation('ren.new', renamed);
    await waitForLocation('ren.old', undefined);
    const created = historyOf(['ren'], 'new').find((e) => e.type === 'CREATE' && e.status === 204)!;
    const dropped = historyOf(['ren'], 'old').find((e) => e.type === 'DROP' && e.status === 204)!;
    expect(created.at).toBeLessThanOrEqual(dropped.at);

    // DROP TABLE … PURGE of the new name: its files are gone before the event arrives.
    await harness.dropTable(['ren'], 'new');
    expect((await post({ events: [{ namespace: ['ren'], table: 'new', operation: 'drop', sourceTimestampMs: T0 + 2000 }] })).status).toBe(202);
    await waitForLocation('ren.new', undefined);
    expect(historyOf(['ren'], 'new').at(-1)).toMatchObject({ type: 'DROP', status: 204 });

    // Re-created under the old name: a new Iceberg table, with a timestamp above the dropped one's.
    const again = await harness.writeTable(['ren'], 'old', { uuid: '5d9b2c1e-0a3f-4e7b-9c64-2f1e8d7a6b31' });
    expect((await post({ events: [{ namespace: ['ren'], table: 'old', operation: 'create', metadataLocation: again, sourceTimestampMs: T0 + 3000 }] })).status).toBe(202);
    await waitForLocation('ren.old', again);
    const accepted = historyOf(['ren'], 'old').filter((e) => e.status === 204 && e.type !== 'VALIDATE');
    expect(accepted.map((e) => e.type)).toEqual(['CREATE', 'DROP', 'CREATE']);
    expect(accepted[2]!.timestamp).toBeGreaterThan(accepted[1]!.timestamp);
  });

  it('a drop for a table first seen as dropped is a tombstone: a later, older create stays out', async () => {
    const loc = await harness.writeTable(['tomb'], 'stone');
    const drop = await post({ events: [{ namespace: ['tomb'], table: 'stone', operation: 'drop', sourceTimestampMs: T0 + 5000 }] });
    expect(drop.status).toBe(202);
    const create = await post({ events: [{ namespace: ['tomb'], table: 'stone', operation: 'create', metadataLocation: loc, sourceTimestampMs: T0 + 4000 }] });
    expect(create.status).toBe(202);
    expect(create.json).toMatchObject({ stale: 1 });
    await nothingPending();
    expect(locationOf('tomb.stone')).toBeUndefined();
  });

  it('a resent event is acknowledged as unchanged and sends nothing more to Polaris', async () => {
    const loc = await harness.writeTable(['dup'], 't');
    const event = { namespace: ['dup'], table: 't', operation: 'create', metadataLocation: loc, sourceTimestampMs: T0 };
    expect((await post({ events: [event] })).status).toBe(202);
    await waitForLocation('dup.t', loc);
    const history = historyOf(['dup'], 't').length;
    const again = await post({ events: [event] });
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ accepted: 1, stored: 0, unchanged: 1 });
    await nothingPending();
    expect(historyOf(['dup'], 't').length).toBe(history);
  });

  it('two events for one table in one request: the newer source time wins whatever the order', async () => {
    const older = await harness.writeTable(['order'], 'same');
    const newer = await harness.writeTable(['order'], 'same');
    const response = await post({
      events: [
        { namespace: ['order'], table: 'same', operation: 'update', metadataLocation: newer, sourceTimestampMs: T0 + 20 },
        { namespace: ['order'], table: 'same', operation: 'update', metadataLocation: older, sourceTimestampMs: T0 + 10 },
      ],
    });
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ accepted: 2, stored: 1, stale: 1 });
    await waitForLocation('order.same', newer);
    await nothingPending();
    expect(locationOf('order.same')).toBe(newer);
  });

  it('concurrent requests for one table in shuffled order: Polaris ends at the newest, timestamps only rise', async () => {
    const versions: string[] = [];
    for (let i = 0; i < 12; i++) versions.push(await harness.writeTable(['race'], 'hot'));
    const order = versions.map((_, i) => i).sort((a, b) => ((a * 7 + 3) % 12) - ((b * 7 + 3) % 12));
    const responses = await Promise.all(
      order.map((i) =>
        post({ events: [{ namespace: ['race'], table: 'hot', operation: 'update', metadataLocation: versions[i], sourceTimestampMs: T0 + 100 * (i + 1) }] }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(order.map(() => 202));
    await waitForLocation('race.hot', versions.at(-1));
    await nothingPending();
    expect(locationOf('race.hot')).toBe(versions.at(-1));
    const accepted = historyOf(['race'], 'hot').filter((h) => h.status === 204 && h.type !== 'VALIDATE');
    const stamps = accepted.map((h) => h.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(accepted.at(-1)).toMatchObject({ metadataLocation: versions.at(-1), timestamp: T0 + 1200 });
  });

  it('a table Polaris refuses (metadata outside the allowed locations) shows as failed with a hint', async () => {
    const response = await post({
      events: [{ namespace: ['far'], table: 'away', operation: 'create', metadataLocation: 'file:///not/allowed/far/away/metadata/00001-x.metadata.json' }],
    });
    expect(response.status).toBe(202);
    const failed = await waitFor('far.away failed in status', async () => {
      const hooks = sourceStatus(await statusJson(harness), 'hooks');
      return hooks.failed.find((f: { table: string }) => f.table === 'far.away');
    }, 60_000, 200);
    expect(failed).toMatchObject({ status: 'failed', message: expect.stringMatching(/403/), hint: expect.stringMatching(/allowedLocations/) });
    expect(locationOf('far.away')).toBeUndefined();
  });

  it('a drop is not sent when another writer replaced the table in Polaris meanwhile: failed, with a hint', async () => {
    const ours = '0b6f5a4e-7d51-4c0e-8f5c-3d2a8e9b1c01';
    const theirs = '0b6f5a4e-7d51-4c0e-8f5c-3d2a8e9b1c02';
    const mine = await harness.writeTable(['foreign'], 't', { uuid: ours });
    expect((await post({ events: [{ namespace: ['foreign'], table: 't', operation: 'create', metadataLocation: mine, tableUuid: ours, sourceTimestampMs: T0 }] })).status).toBe(202);
    await waitForLocation('foreign.t', mine);

    // Another writer re-creates the table under the same name (another Iceberg table, another UUID).
    const other = await harness.writeTable(['foreign'], 't', { uuid: theirs });
    const kit = { base: harness.emulator.url, token: harness.emulator.issueToken(CLIENT_ID) };
    const replaced = await notify(kit, CATALOG, ['foreign'], 't', notification('UPDATE', 't', other, T0 + 10_000));
    expect(replaced.status).toBe(204);

    expect((await post({ events: [{ namespace: ['foreign'], table: 't', operation: 'drop', sourceTimestampMs: T0 + 20_000 }] })).status).toBe(202);
    const failed = await waitFor('foreign.t failed in status', async () => {
      const hooks = sourceStatus(await statusJson(harness), 'hooks');
      return hooks.failed.find((f: { table: string }) => f.table === 'foreign.t');
    }, 60_000, 200);
    expect(failed.message).toMatch(/not dropped/);
    expect(failed.hint).toContain('retry --table foreign.t');
    expect(locationOf('foreign.t')).toBe(other);
    expect(historyOf(['foreign'], 't').some((h) => h.type === 'DROP')).toBe(false);
  });

  describe('refused requests', () => {
    const validEvent = () => ({ namespace: ['sales'], table: 'refused', operation: 'create', metadataLocation: 'file:///nowhere/metadata/00001-x.metadata.json' });

    it('401 without a token, with WWW-Authenticate', async () => {
      const response = await post({ events: [validEvent()] }, { token: null });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.json.error).toEqual(expect.any(String));
      expect(response.text).not.toContain(INGEST_TOKEN);
    });

    it('401 with a wrong token, and neither token is echoed', async () => {
      const wrong = 'wrong-token-d41d8cd98f';
      const response = await post({ events: [validEvent()] }, { token: wrong });
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(wrong);
      expect(response.text).not.toContain(INGEST_TOKEN);
      // A prefix of the right token is still wrong.
      expect((await post({ events: [validEvent()] }, { token: INGEST_TOKEN.slice(0, -1) })).status).toBe(401);
      // A "Basic" scheme carrying the right token is not a bearer token.
      expect((await post({ events: [validEvent()] }, { token: null, headers: { authorization: `Basic ${INGEST_TOKEN}` } })).status).toBe(401);
    });

    it('404 for an unknown source and for a source that is not a webhook', async () => {
      const unknown = await postEvents(daemon.baseUrl, 'nope', { events: [validEvent()] }, { token: INGEST_TOKEN });
      expect(unknown.status).toBe(404);
      expect(unknown.json.error).toContain('nope');
      const files = await postEvents(daemon.baseUrl, 'lake', { events: [validEvent()] }, { token: INGEST_TOKEN });
      expect(files.status).toBe(404);
    });

    it('415 for a body that is not JSON', async () => {
      const response = await post(JSON.stringify({ events: [validEvent()] }), { contentType: 'text/plain' });
      expect(response.status).toBe(415);
      expect(response.json.error).toContain('application/json');
      // application/json with a charset parameter is fine (reaches validation: 400 for a bad event, not 415).
      const charset = await post({ events: [{ bogus: true }] }, { contentType: 'application/json; charset=utf-8' });
      expect(charset.status).toBe(400);
    });

    it('413 above server.maxBodyBytes, and the daemon keeps working after', async () => {
      const big = { events: Array.from({ length: 40 }, (_, i) => ({ ...validEvent(), table: `big_${i}` })) };
      expect(JSON.stringify(big).length).toBeGreaterThan(2048);
      const response = await post(big);
      expect(response.status).toBe(413);
      expect(response.json.error).toContain('2048');

      // The next, normal-sized request on a new connection is served as usual.
      const loc = await harness.writeTable(['after413'], 't');
      const ok = await post({ events: [{ namespace: ['after413'], table: 't', operation: 'create', metadataLocation: loc }] });
      expect(ok.status).toBe(202);
      await waitForLocation('after413.t', loc);
      const health = await fetch(`${daemon.baseUrl}/healthz`);
      expect(health.status).toBe(200);
    });

    it('413 for an oversized chunked body without Content-Length', async () => {
      const chunk = JSON.stringify({ events: [validEvent()] }).padEnd(1500, ' ');
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(chunk));
          controller.enqueue(new TextEncoder().encode(' '.repeat(1500)));
          controller.close();
        },
      });
      const response = await readResponse(
        await fetch(`${daemon.baseUrl}/v1/sources/hooks/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
          body: stream,
          duplex: 'half',
        } as RequestInit),
      );
      expect(response.status).toBe(413);
      expect((await fetch(`${daemon.baseUrl}/healthz`)).status).toBe(200);
    });

    it('400 for malformed JSON', async () => {
      const response = await post('{"events": [');
      expect(response.status).toBe(400);
      expect(response.json.error).toMatch(/JSON/);
    });

    it('400 for an empty event list and for a body without events', async () => {
      const empty = await post({ events: [] });
      expect(empty.status).toBe(400);
      expect(empty.json.details).toEqual([expect.objectContaining({ path: 'events' })]);
      const noEvents = await post('{"event": []}');
      expect(noEvents.status).toBe(400);
      const notObject = await post('[1,2]');
      expect(notObject.status).toBe(400);
    });

    it('400 naming every bad event by path, and nothing from the valid events of that request is stored', async () => {
      const good = await harness.writeTable(['atomic'], 'good');
      const response = await post({
        events: [
          { namespace: ['atomic'], table: 'good', operation: 'create', metadataLocation: good, sourceTimestampMs: T0 },
          { namespace: ['atomic'], table: 'no_location', operation: 'update' },
          { namespace: ['atomic'], table: 'bad_op', operation: 'rename', metadataLocation: good },
          { namespace: ['atomic'], table: 'extra', operation: 'create', metadataLocation: good, colour: 'red' },
          { namespace: [''], table: 'empty_level', operation: 'create', metadataLocation: good },
          { namespace: ['a\u001fb'], table: 'unit_sep', operation: 'create', metadataLocation: good },
          { namespace: ['atomic'], table: 'good_drop', operation: 'drop' },
          { namespace: ['atomic'], table: 'negative_time', operation: 'drop', sourceTimestampMs: -5 },
          { namespace: [], table: 'no_namespace', operation: 'drop' },
        ],
      });
      expect(response.status).toBe(400);
      expect(response.json.error).toMatch(/nothing was stored/);
      const details: Array<{ path: string; message: string }> = response.json.details;
      const paths = details.map((d) => d.path);
      expect(paths).toContain('events[1].metadataLocation');
      expect(paths).toContain('events[2].operation');
      expect(paths.some((p) => p.startsWith('events[3]'))).toBe(true);
      expect(details.find((d) => d.path.startsWith('events[3]'))!.message).toContain('colour');
      expect(paths.some((p) => p.startsWith('events[4].namespace'))).toBe(true);
      expect(paths.some((p) => p.startsWith('events[5]'))).toBe(true);
      expect(details.find((d) => d.path.startsWith('events[5]'))!.message).toMatch(/U\+001F/);
      expect(paths).toContain('events[7].sourceTimestampMs');
      expect(paths).toContain('events[8].namespace');
      // The valid events (0 and 6) are not named.
      expect(paths.some((p) => p.startsWith('events[0]') || p.startsWith('events[6]'))).toBe(false);

      // A later valid request lands; the valid event of the refused request never does.
      const marker = await harness.writeTable(['atomic'], 'marker');
      const ok = await post({ events: [{ namespace: ['atomic'], table: 'marker', operation: 'create', metadataLocation: marker }] });
      expect(ok.status).toBe(202);
      await waitForLocation('atomic.marker', marker);
      expect(locationOf('atomic.good')).toBeUndefined();
      const status = sourceStatus(await statusJson(harness), 'hooks');
      const names = [...status.failed, ...status.retrying].map((p: { table: string }) => p.table);
      expect(names).not.toContain('atomic.good');
      expect(names).not.toContain('atomic.good_drop');
    });

    it('405 for GET on the ingest path', async () => {
      const response = await fetch(`${daemon.baseUrl}/v1/sources/hooks/events`, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      await response.body?.cancel();
    });
  });

  describe('health and metrics', () => {
    it('/healthz answers 200 JSON', async () => {
      const response = await readResponse(await fetch(`${daemon.baseUrl}/healthz`));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.json).toMatchObject({ status: 'ok', pid: daemon.child.pid });
    });

    it('/readyz answers JSON with its checks', async () => {
      const response = await readResponse(await fetch(`${daemon.baseUrl}/readyz`));
      expect(response.status).toBe(200);
      expect(response.json.status).toBe('ready');
      expect(response.json.checks.ledger).toMatchObject({ ok: true });
      expect(response.json.checks.polaris).toMatchObject({ ok: true });
      expect(response.json.checks['source:lake']).toMatchObject({ ok: true });
    });

    it('/metrics counts notifications and ingest requests by status', async () => {
      const response = await fetch(`${daemon.baseUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toMatch(/^polaris_mirror_notifications_total\{[^}]*type="CREATE"[^}]*outcome="ok"[^}]*\} [1-9]\d*$/m);
      expect(text).toMatch(/^polaris_mirror_notifications_total\{[^}]*type="DROP"[^}]*outcome="ok"[^}]*\} [1-9]\d*$/m);
      expect(text).toMatch(/^polaris_mirror_ingest_requests_total\{[^}]*source="hooks"[^}]*status="202"[^}]*\} [1-9]\d*$/m);
      expect(text).toMatch(/^polaris_mirror_ingest_requests_total\{[^}]*source="hooks"[^}]*status="401"[^}]*\} [1-9]\d*$/m);
      expect(text).toMatch(/^polaris_mirror_ingest_requests_total\{[^}]*status="400"[^}]*\} [1-9]\d*$/m);
      expect(text).toMatch(/^polaris_mirror_ingest_requests_total\{[^}]*status="413"[^}]*\} [1-9]\d*$/m);
      expect(text).not.toContain(INGEST_TOKEN);
    });

    it('unknown routes answer 404 and other methods 405', async () => {
      const missing = await fetch(`${daemon.baseUrl}/nothing-here`);
      expect(missing.status).toBe(404);
      await missing.body?.cancel();
      const post = await fetch(`${daemon.baseUrl}/healthz`, { method: 'POST' });
      expect(post.status).toBe(405);
      await post.body?.cancel();
    });
  });
});

describe('run daemon shutdown', () => {
  let harness: Harness;
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await daemon?.kill();
    await harness?.close();
  });

  it('SIGTERM: exits 0 within a few seconds, and status --json then shows every table in sync', async () => {
    const port = await writeWebhookConfig(harness);
    daemon = await startDaemon(harness.configFile, port, { INGEST_TOKEN });
    const locations = await Promise.all(['one', 'two', 'three'].map((name) => harness.writeTable(['shut'], name)));
    const response = await postEvents(
      daemon.baseUrl,
      'hooks',
      { events: locations.map((metadataLocation, i) => ({ namespace: ['shut'], table: ['one', 'two', 'three'][i], operation: 'create', metadataLocation })) },
      { token: INGEST_TOKEN },
    );
    expect(response.status).toBe(202);
    await waitFor('three tables in Polaris', () => harness.polarisState().size === 3);

    daemon.child.kill('SIGTERM');
    // Promptly, not after any long wait (nothing is in flight); generous for a busy machine.
    const exit = await Promise.race([daemon.exited, sleep(30_000).then(() => ({ code: -1, signal: null }))]);
    expect(exit, daemon.output().stderr).toEqual({ code: 0, signal: null });

    const hooks = sourceStatus(await statusJson(harness), 'hooks');
    expect(hooks.tables).toEqual({ total: 3, inSync: 3, pending: 0, failed: 0 });
    expect(hooks.failed).toEqual([]);
    expect([...harness.polarisState().entries()].sort()).toEqual(
      [
        ['shut.one', locations[0]],
        ['shut.three', locations[2]],
        ['shut.two', locations[1]],
      ],
    );
    // The port is free again: the server closed.
    const reuse = await fetch(`${daemon.baseUrl}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(reuse).toBe('refused');
  });
});

describe('run daemon shutdown with operations in flight', () => {
  let harness: Harness;
  let daemon: Daemon | undefined;

  beforeAll(async () => {
    // Every catalog request takes 300 ms, so a SIGTERM lands while notifications are in flight.
    harness = await startHarness({ emulator: { faults: { latencyMs: 300 } } });
  });
  afterAll(async () => {
    await daemon?.kill();
    await harness?.close();
  });

  it('SIGTERM mid-flight: exit 0, what Polaris accepted is recorded, and a restart finishes the rest', async () => {
    const port = await writeWebhookConfig(harness);
    daemon = await startDaemon(harness.configFile, port, { INGEST_TOKEN });
    const names = ['f1', 'f2', 'f3', 'f4'];
    const locations = new Map<string, string>();
    for (const name of names) locations.set(`flight.${name}`, await harness.writeTable(['flight'], name));
    const response = await postEvents(
      daemon.baseUrl,
      'hooks',
      { events: names.map((name) => ({ namespace: ['flight'], table: name, operation: 'create', metadataLocation: locations.get(`flight.${name}`) })) },
      { token: INGEST_TOKEN },
    );
    expect(response.status).toBe(202);
    // SIGTERM once Polaris has a notification in flight (each takes 300 ms there).
    await waitFor('a notification in flight', () => (harness.emulator.stats().byKind.notification ?? 0) > 0);
    daemon.child.kill('SIGTERM');
    const exit = await Promise.race([daemon.exited, sleep(30_000).then(() => ({ code: -1, signal: null }))]);
    expect(exit, daemon.output().stderr).toEqual({ code: 0, signal: null });

    // Every table Polaris holds now is one the ledger knows as applied (nothing applied but unrecorded).
    const inPolaris = [...harness.polarisState().keys()].filter((k) => k.startsWith('flight.'));
    const hooks = sourceStatus(await statusJson(harness), 'hooks');
    expect(hooks.tables.total).toBe(4);
    expect(hooks.tables.failed).toBe(0);
    expect(hooks.tables.inSync).toBe(inPolaris.length);
    expect(hooks.tables.inSync + hooks.tables.pending).toBe(4);

    daemon = await startDaemon(harness.configFile, port, { INGEST_TOKEN });
    await waitFor('all four tables in Polaris', () => names.every((n) => harness.polarisState().get(`flight.${n}`) === locations.get(`flight.${n}`)));
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    expect(sourceStatus(await statusJson(harness), 'hooks').tables).toEqual({ total: 4, inSync: 4, pending: 0, failed: 0 });
  });
});

describe('ingest while Polaris is unreachable', () => {
  let harness: Harness;
  let daemon: Daemon;
  let polarisPort: number;
  let lateEmulator: Awaited<ReturnType<typeof startPolarisEmulator>> | undefined;

  beforeAll(async () => {
    harness = await startHarness();
    polarisPort = await freePort();
    const port = await freePort();
    await harness.writeConfig((config) => {
      config.server = { host: '127.0.0.1', port };
      config.polaris.uri = `http://127.0.0.1:${polarisPort}/api/catalog`;
      // Keep retrying fast: the test must not depend on how many attempts fit before Polaris comes up.
      config.polaris.retry = { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 10_000 };
      config.sources = [{ name: 'hooks', type: 'webhook', token: '${INGEST_TOKEN}', target: { catalog: CATALOG } }];
    });
    daemon = await startDaemon(harness.configFile, port, { INGEST_TOKEN });
  });
  afterAll(async () => {
    await daemon?.kill();
    await lateEmulator?.close();
    await harness?.close();
  });

  it('/readyz is 503 with the Polaris check failing', async () => {
    const ready = await readResponse(await fetch(`${daemon.baseUrl}/readyz`));
    expect(ready.status).toBe(503);
    expect(ready.json.status).toBe('not ready');
    expect(ready.json.checks.polaris.ok).toBe(false);
    expect(ready.json.checks.ledger).toEqual({ ok: true, detail: 'open' });
  });

  // Regression (fixed; this was the bug): when the token endpoint cannot be reached (Polaris down), /readyz keeps saying "not contacted
  // yet" instead of "unreachable: …": the connection error is thrown by tokens.token() before the try
  // block that records contact.lastNetworkError (src/polaris/polaris-client.ts:83, outside the try at
  // :88-102), and the token provider's own requests never update PolarisClient.contact. Suggested fix:
  // move the token fetch inside the try (or record NetworkErrors from the token provider in contact).
  it('/readyz says Polaris is unreachable once a contact failed; the connection error only to an ingest token holder', async () => {
    const ready = await waitFor('/readyz to report Polaris unreachable', async () => {
      const r = await readResponse(await fetch(`${daemon.baseUrl}/readyz`));
      return /unreachable/.test(r.json.checks.polaris.detail) ? r : undefined;
    });
    expect(ready.status).toBe(503);
    expect(ready.json.checks.polaris.detail).toMatch(/^unreachable: the last contact failed \d+ s ago$/);
    const detailed = await readResponse(await fetch(`${daemon.baseUrl}/readyz`, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } }));
    expect(detailed.json.checks.polaris.detail).toMatch(/unreachable: .*ECONNREFUSED/);
  });

  it('events are still accepted durably, and land once Polaris is up', async () => {
    const location = await harness.writeTable(['down'], 'orders');
    const response = await postEvents(
      daemon.baseUrl,
      'hooks',
      { events: [{ namespace: ['down'], table: 'orders', operation: 'create', metadataLocation: location }] },
      { token: INGEST_TOKEN },
    );
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ accepted: 1, stored: 1 });

    const status = sourceStatus(await statusJson(harness), 'hooks');
    expect(status.tables.total).toBe(1);
    expect(status.tables.inSync).toBe(0);

    // Polaris comes up on the configured port, with the same catalog and principal.
    lateEmulator = await startPolarisEmulator({ port: polarisPort });
    lateEmulator.createCatalog({ name: CATALOG, allowedLocations: [dirUri(harness.warehouse)] });
    lateEmulator.createPrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: { mirror: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
    await waitFor('the table in the late Polaris', () => lateEmulator!.tables(CATALOG).some((t) => t.metadataLocation === location));
    const ready = await waitFor('/readyz 200', async () => (await fetch(`${daemon.baseUrl}/readyz`)).status === 200, 60_000, 250);
    expect(ready).toBe(true);
  });
});
