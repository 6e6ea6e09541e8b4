// The ingest under hostile requests, over HTTP against the real server: credentials are checked before
// a source's rate limit (anonymous floods never make the real sender see 429, and are limited on their
// own), every body is bounded in events and in the size of its error answer, and /readyz shows error
// texts only to a caller holding an ingest token. (That parsing yields to the event loop is checked
// deterministically in test/unit/ingest-slicing.test.ts.)
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import { AUTH_FAILURE_BURST } from '../../src/server/auth-failures.js';
import { signBody } from '../../src/server/signature.js';
import { serveMirror, type ServedMirror } from '../support/engine.js';
import { CATALOG } from '../support/harness.js';
import { postEvents, readResponse, type JsonResponse } from '../support/ingest-client.js';

const TOKEN = 'bounds-ingest-token-7c1e';
const LIMITED_TOKEN = 'limited-ingest-token-4a0d';
const SIGNED_TOKEN = 'signed-ingest-token-2b9f';
const SECRET = 'signing-secret-for-bounds-0123';

let served: ServedMirror;
let mirror: Mirror;
let base: string;

beforeAll(async () => {
  served = await serveMirror((c, h) => {
    c.server = { host: '127.0.0.1', port: 0, maxEventsPerRequest: 50 };
    c.sources = [
      { name: 'hooks', type: 'webhook', token: TOKEN, target: { catalog: CATALOG } },
      // A tight limit: two requests at once, then one every 100 s.
      { name: 'limited', type: 'webhook', token: LIMITED_TOKEN, rateLimit: { requestsPerSecond: 0.01, burst: 2 }, target: { catalog: CATALOG, namespacePrefix: ['limited'] } },
      { name: 'signed', type: 'webhook', token: SIGNED_TOKEN, signature: { secret: SECRET }, rateLimit: { requestsPerSecond: 1, burst: 1 }, target: { catalog: CATALOG, namespacePrefix: ['signed'] } },
      // Its root does not exist: its passes fail, with an error naming the path.
      { name: 'lake', type: 'files', root: join(h.dir, 'no-such-root'), target: { catalog: CATALOG, namespacePrefix: ['files'] } },
    ];
  });
  ({ mirror, base } = served);
});
afterAll(async () => {
  await served?.close();
});

const drop = (i = 0) => ({ namespace: ['bounds'], table: `t${i}`, operation: 'drop' });
const post = (body: unknown, token: string | null = TOKEN, source = 'hooks', headers: Record<string, string> = {}) =>
  postEvents(base, source, typeof body === 'string' ? body : (body as { events: unknown[] }), { token, headers });

describe('credentials before the rate limit', () => {
  it('wrong tokens and bad signatures never use up a source\'s rate limit', async () => {
    for (let i = 0; i < 20; i++) expect((await post({ events: [drop()] }, 'wrong-token-0000', 'limited')).status).toBe(401);
    // The real sender's budget (burst 2) is untouched.
    expect((await post({ events: [drop()] }, LIMITED_TOKEN, 'limited')).status).toBe(202);
    expect((await post({ events: [drop()] }, LIMITED_TOKEN, 'limited')).status).toBe(202);
    expect((await post({ events: [drop()] }, LIMITED_TOKEN, 'limited')).status).toBe(429);

    const body = JSON.stringify({ events: [drop()] });
    const now = Math.floor(Date.now() / 1000);
    const badSignature = { 'x-polaris-mirror-timestamp': String(now), 'x-polaris-mirror-signature': signBody('another-secret-000000', now, body) };
    for (let i = 0; i < 5; i++) expect((await post(body, SIGNED_TOKEN, 'signed', badSignature)).status).toBe(401);
    const signed = { 'x-polaris-mirror-timestamp': String(now), 'x-polaris-mirror-signature': signBody(SECRET, now, body) };
    expect((await post(body, SIGNED_TOKEN, 'signed', signed)).status).toBe(202);
  });

  it('failed authentications are limited on their own (429 with Retry-After), and the right token still passes', async () => {
    let limited: JsonResponse | undefined;
    // The failure budget refills at 10/s: a few hundred quick requests use it up on any machine.
    for (let i = 0; i < 20 * AUTH_FAILURE_BURST && !limited; i++) {
      const r = await post({ events: [drop()] }, `guess-${i}-0000`, 'signed');
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(401);
    }
    expect(limited, 'no 429 for a flood of wrong tokens').toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited!.json.error).toMatch(/too many failed authentications/);
    // Authenticated requests are never refused by it (this source's own limit allows one per second).
    const body = JSON.stringify({ events: [drop(1)] });
    const now = Math.floor(Date.now() / 1000);
    const signed = { 'x-polaris-mirror-timestamp': String(now), 'x-polaris-mirror-signature': signBody(SECRET, now, body) };
    let accepted: number | undefined;
    for (let i = 0; i < 200 && accepted !== 202; i++) {
      accepted = (await post(body, SIGNED_TOKEN, 'signed', signed)).status;
      if (accepted === 429) await new Promise((r) => setTimeout(r, 250)); // the source's own 1/s limit
    }
    expect(accepted).toBe(202);
  });
});

describe('bounded bodies and answers', () => {
  it('more events than server.maxEventsPerRequest: 413 before any is read, nothing stored', async () => {
    const response = await postEvents(base, 'hooks', { events: Array.from({ length: 51 }, () => ({})) }, { token: TOKEN });
    expect(response.status).toBe(413);
    expect(response.json.error).toBe('the body holds 51 events, more than server.maxEventsPerRequest (50); send fewer per request');
  });

  it('a body full of bad events answers the first 100 problems, bounded, and says how many there were', async () => {
    const longKey = 'k'.repeat(10_000);
    const events = Array.from({ length: 50 }, (_, i) => ({ namespace: ['', '', ''], [`${longKey}${i}`]: 1, table: '', operation: 'nope' }));
    const response = await postEvents(base, 'hooks', { events }, { token: TOKEN });
    expect(response.status).toBe(400);
    expect(response.json.details).toHaveLength(100);
    expect(response.json.error).toMatch(/^\d{3} problem\(s\) in the events; nothing was stored \(the first 100 are listed\)$/);
    expect(response.text.length).toBeLessThan(64 * 1024);
    for (const detail of response.json.details) expect(detail.message.length).toBeLessThanOrEqual(300);
  });

  it('an event with thousands of namespace levels is one problem, not thousands', async () => {
    const response = await postEvents(base, 'hooks', { events: [{ namespace: Array(200_000).fill(''), table: 't', operation: 'drop' }] }, { token: TOKEN });
    expect(response.status).toBe(400);
    expect(response.json.details).toEqual([{ path: 'events[0].namespace', message: 'at most 64 namespace levels' }]);
  });
});

describe('/readyz: a summary for anyone, error texts for a token holder', () => {
  it('the failing source\'s error text is only shown with an ingest token; a wrong token is refused', async () => {
    const lake = mirror.sources.get('lake')!;
    await mirror.reconciler.pass({ adapter: lake.adapter, sink: lake.sink, maxDropFraction: 1 }, {});
    const lastError = (await mirror.ledger.sourceState('lake'))!.lastError!;
    expect(lastError).toContain('no-such-root');

    const anonymous = await readResponse(await fetch(`${base}/readyz`));
    expect(anonymous.json.checks['source:lake']).toEqual({ ok: true, detail: 'no complete pass yet; the last one failed' });
    expect(anonymous.text).not.toContain('no-such-root');

    const withToken = await readResponse(await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(withToken.json.checks['source:lake'].detail).toBe(`no complete pass yet; the last one failed: ${lastError}`);
    expect(withToken.json.checks.ledger.ok).toBe(true);

    const wrong = await readResponse(await fetch(`${base}/readyz`, { headers: { authorization: 'Bearer not-a-token-123' } }));
    expect([401, 429]).toContain(wrong.status);
    expect(wrong.text).not.toContain('no-such-root');
  });
});
