// Fault injection (random, seeded; deterministic failNext), latency, the per-table lock that makes
// concurrent mutations of one table visible, and close() with live keep-alive connections.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { CLIENT_ID, CLIENT_SECRET, err, type Kit, notification, notify, raw, startKit } from '../emulators/polaris/test-kit.js';
import type { PolarisEmulatorOptions } from '../emulators/polaris/index.js';
import { waitFor } from '../support/ingest-client.js';

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** Resolves once a `type` notification for db.t has arrived and is still being processed (it holds the table's lock). */
function inFlight(k: Kit, type: string): Promise<unknown> {
  return waitFor(`a ${type} of db.t in flight`, () => k.emu.history('lake', ['db'], 't').some((e) => e.type === type && e.status === 0));
}

async function start(options: PolarisEmulatorOptions = {}): Promise<Kit> {
  kit = await startKit(options);
  return kit;
}

function token(k: Kit) {
  return raw(`${k.base}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'PRINCIPAL_ROLE:ALL' }).toString(),
  });
}

describe('per-table lock (one operation in flight per table)', () => {
  it('a concurrent UPDATE of an existing table → 409 CommitConflictException, counted', async () => {
    const k = await start();
    const v1 = await writeFixtureTable(join(k.root, 'db', 't'), { version: 1 });
    const v2 = await writeFixtureTable(join(k.root, 'db', 't'), { version: 2 });
    const v3 = await writeFixtureTable(join(k.root, 'db', 't'), { version: 3 });
    expect((await notify(k, 'lake', ['db'], 't', notification('CREATE', 't', v1.metadataLocation, 1))).status).toBe(204);
    // Held long enough that the second request surely arrives while the first one holds the lock.
    k.emu.setFaults({ latencyMs: 1_500 });
    const first = notify(k, 'lake', ['db'], 't', notification('UPDATE', 't', v2.metadataLocation, 2));
    await inFlight(k, 'UPDATE');
    const second = await notify(k, 'lake', ['db'], 't', notification('UPDATE', 't', v3.metadataLocation, 3));
    expect(second.status).toBe(409);
    expect(second.json).toEqual(err(409, 'CommitConflictException', 'Failed to commit Table or View db.t because it was concurrently modified'));
    expect((await first).status).toBe(204);
    expect(k.emu.tables('lake')[0]?.metadataLocation).toBe(v2.metadataLocation);
    expect(k.emu.stats().concurrentPerTableViolations).toBe(1);
  });

  it('a concurrent CREATE of a table being created → 409 "Table already exists"', async () => {
    const k = await start({ faults: { latencyMs: 150 } });
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    const [a, b] = await Promise.all([
      notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1)),
      notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 2)),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    expect((a.status === 409 ? a : b).json).toEqual(err(409, 'AlreadyExistsException', 'Table already exists: db.t'));
    expect(k.emu.stats().concurrentPerTableViolations).toBe(1);
  });

  it('a DROP during an upsert is a violation too (answered 204: Polaris never answers a DROP 409); VALIDATE and other tables are not', async () => {
    const k = await start({ faults: { latencyMs: 150 } });
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    const u = await writeFixtureTable(join(k.root, 'db', 'u'));
    const started = Date.now();
    const results = await Promise.all([
      notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1)),
      notify(k, 'lake', ['db'], 'u', notification('CREATE', 'u', u.metadataLocation, 1)),
      notify(k, 'lake', ['db'], 't', notification('VALIDATE', 't', t.metadataLocation, 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual([204, 204, 204]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140); // latency applies
    expect(k.emu.stats().concurrentPerTableViolations).toBe(0);
    k.emu.setFaults({ latencyMs: 1_500 });
    const upd = notify(k, 'lake', ['db'], 't', notification('UPDATE', 't', t.metadataLocation, 2));
    await inFlight(k, 'UPDATE');
    const drop = await notify(k, 'lake', ['db'], 't', notification('DROP', 't', t.metadataLocation, 3));
    expect((await upd).status).toBe(204);
    expect(drop.status).toBe(204);
    expect(k.emu.stats().concurrentPerTableViolations).toBe(1);
  });

  it('sequential operations on one table never conflict', async () => {
    const k = await start({ faults: { latencyMs: 5 } });
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    for (let ts = 1; ts <= 20; ts++) {
      expect((await notify(k, 'lake', ['db'], 't', notification('UPDATE', 't', t.metadataLocation, ts))).status).toBe(204);
    }
    expect(k.emu.stats().concurrentPerTableViolations).toBe(0);
  });
});

describe('random faults', () => {
  it('rate429 → 429 with Retry-After, request not processed; token endpoint spared by default', async () => {
    const k = await start({ faults: { rate429: 1, retryAfterSeconds: 7 } });
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    const r = await notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.json).toEqual(err(429, 'TooManyRequestsException', 'Rate exceeded'));
    expect(k.emu.namespaces('lake')).toEqual([]);
    expect(k.emu.history('lake', ['db'], 't')).toEqual([]);
    expect((await token(k)).status).toBe(200);
    k.emu.setFaults({ rate429: 1, tokenEndpoint: true });
    expect((await token(k)).status).toBe(429);
    expect((await raw(`${k.base}/v1/config?warehouse=lake`, { headers: { authorization: `Bearer ${k.token}` } })).status).toBe(429);
    k.emu.setFaults({});
    expect((await notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1))).status).toBe(204);
    expect(k.emu.stats().byStatus['429']).toBe(3);
  });

  it.each([
    [500, 'rate500'],
    [503, 'rate503'],
  ] as const)('%i', async (status, key) => {
    const k = await start({ faults: { [key]: 1 } });
    const r = await notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', 1));
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(status);
  });

  it('rateReset → the connection is reset without an answer', async () => {
    const k = await start({ faults: { rateReset: 1 } });
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    await expect(notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1))).rejects.toThrow();
    expect(k.emu.tables('lake')).toEqual([]);
    expect(k.emu.stats().byStatus.reset).toBe(1);
  });

  it('rateSlow → processed, but the answer comes after slowMs (the client times out)', async () => {
    const k = await start({ faults: { rateSlow: 1, slowMs: 400 } });
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    const started = Date.now();
    await expect(
      notify(k, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1), {}).then(() => 'answered'),
    ).resolves.toBe('answered');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const timedOut = fetch(`${k.base}/v1/lake/namespaces/db/tables/t/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${k.token}` },
      body: JSON.stringify(notification('UPDATE', 't', t.metadataLocation, 2)),
      signal: AbortSignal.timeout(100),
    });
    await expect(timedOut).rejects.toThrow();
    // The effect happened although the client saw a timeout.
    expect(k.emu.tables('lake')[0]?.timestamp).toBe(2);
  });

  it('the same seed gives the same fault sequence', async () => {
    const run = async (seed: number) => {
      const k = await startKit({ seed, faults: { rate503: 0.5 } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 24; i++) statuses.push((await notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', i))).status);
        return statuses;
      } finally {
        await k.close();
      }
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(a).toContain(503);
    expect(a).toContain(204);
    expect(await run(7)).not.toEqual(a);
  });
});

describe('failNext', () => {
  it('answers the next n matching requests with the given response, unprocessed', async () => {
    const k = await start();
    const t = await writeFixtureTable(join(k.root, 'db', 't'));
    k.emu.failNext(2, { status: 503 });
    const body = notification('CREATE', 't', t.metadataLocation, 1);
    const r1 = await notify(k, 'lake', ['db'], 't', body);
    expect(r1.status).toBe(503);
    expect(r1.json).toEqual(err(503, 'ServiceUnavailableException', 'Service unavailable'));
    expect((await notify(k, 'lake', ['db'], 't', body)).status).toBe(503);
    expect(k.emu.tables('lake')).toEqual([]);
    expect((await notify(k, 'lake', ['db'], 't', body)).status).toBe(204);
    expect(k.emu.history('lake', ['db'], 't').map((h) => h.status)).toEqual([204]);
  });

  it('custom body and headers; kinds select the requests; the token endpoint only when named', async () => {
    const k = await start();
    k.emu.failNext(1, { status: 429, body: { error: { message: 'slow down', type: 'RateLimited', code: 429 } }, headers: { 'retry-after': '3' }, kinds: ['token'] });
    const auth = { headers: { authorization: `Bearer ${k.token}` } };
    expect((await raw(`${k.base}/v1/config?warehouse=lake`, auth)).status).toBe(200);
    const tok = await token(k);
    expect(tok.status).toBe(429);
    expect(tok.headers.get('retry-after')).toBe('3');
    expect(tok.json).toEqual({ error: { message: 'slow down', type: 'RateLimited', code: 429 } });
    expect((await token(k)).status).toBe(200);

    k.emu.failNext(1, { status: 500, kinds: ['loadTable'] });
    expect((await notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', 1))).status).toBe(204);
    expect((await raw(`${k.base}/v1/lake/namespaces/db/tables/t`, auth)).status).toBe(500);
    expect((await raw(`${k.base}/v1/lake/namespaces/db/tables/t`, auth)).status).toBe(404);
  });

  it('reset: true drops the connection', async () => {
    const k = await start();
    k.emu.failNext(1, { status: 0, reset: true });
    await expect(notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', 1))).rejects.toThrow();
    expect((await notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', 1))).status).toBe(204);
  });
});

describe('server lifecycle', () => {
  it('close() ends idle keep-alive connections and pending slow answers promptly', async () => {
    const k = await start();
    const port = Number(new URL(k.base).port);
    // An idle keep-alive connection held by a keep-alive agent.
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/catalog/v1/config?warehouse=lake', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(Object.keys(agent.freeSockets)).toHaveLength(1);
    k.emu.setFaults({ rateSlow: 1, slowMs: 60_000 });
    const pending = notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', 1)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await k.close();
    kit = undefined;
    // Not held up by the answer delayed a minute (a generous margin for a busy machine).
    expect(Date.now() - started).toBeLessThan(20_000);
    await pending;
    await new Promise((r) => setTimeout(r, 20));
    expect(Object.keys(agent.freeSockets)).toHaveLength(0); // the server closed it
    agent.destroy();
  });

  it('out-of-band stats endpoint', async () => {
    const k = await start();
    await notify(k, 'lake', ['db'], 't', notification('DROP', 't', 'file:///x', 1));
    const r = await raw(`${k.base.replace('/api/catalog', '')}/_emulator/stats`);
    expect(r.json).toEqual(k.emu.stats());
    expect(r.json.notifications).toEqual({ 'DROP:204': 1 });
  });
});
