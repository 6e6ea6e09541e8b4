// Ingest hardening: the optional HMAC-SHA256 body signature with a timestamp and a replay window, the
// per-source rate limit answering 429, TLS for the server, and the Polaris client trusting a private CA.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/server/signature.js';
import { packageRoot } from '../../src/util/package-info.js';
import { CATALOG, runCli, spawnCli, startHarness, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

const TOKEN = 'ingest-token-for-hardening';
const SIGNING_SECRET = 'signing-secret-0123456789';
const tls = (name: string) => join(packageRoot(), 'fixtures', 'tls', name);

let h: Harness;
let daemon: Daemon | undefined;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await daemon?.kill();
  daemon = undefined;
});
afterAll(async () => {
  await h.close();
});

async function webhookDaemon(extra: Record<string, unknown>, server: Record<string, unknown> = {}): Promise<{ port: number }> {
  const port = await freePort();
  await h.writeConfig((c) => {
    c.server = { host: '127.0.0.1', port, ...server };
    c.sources = [{ name: 'hooks', type: 'webhook', token: TOKEN, target: { catalog: CATALOG }, ...extra }];
  });
  return { port };
}

async function post(port: number, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/v1/sources/hooks/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, json: (await response.json().catch(() => undefined)) as any };
}

describe('HMAC-SHA256 body signature', () => {
  it('accepts a correctly signed body; refuses a missing, wrong, tampered or stale signature (nothing stored)', async () => {
    const { port } = await webhookDaemon({ signature: { secret: SIGNING_SECRET, toleranceSeconds: 60 } });
    daemon = await startDaemon(h.configFile, port);
    const location = await h.writeTable(['signed'], 'orders');
    const body = JSON.stringify({ events: [{ namespace: ['signed'], table: 'orders', operation: 'create', metadataLocation: location }] });
    const now = Math.floor(Date.now() / 1000);
    const signed = (ts: number, payload = body, secret = SIGNING_SECRET) => ({
      'x-polaris-mirror-timestamp': String(ts),
      'x-polaris-mirror-signature': signBody(secret, ts, payload),
    });

    const missing = await post(port, body);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatch(/x-polaris-mirror-signature and x-polaris-mirror-timestamp headers are required/);
    expect((await post(port, body, signed(now, body, 'another-secret-0123456789'))).status).toBe(401);
    const tampered = await post(port, body.replace('orders', 'orderz'), signed(now));
    expect(tampered.status).toBe(401);
    expect(tampered.json.error).toBe('the body signature does not match');
    const stale = await post(port, body, signed(now - 600));
    expect(stale.status).toBe(401);
    expect(stale.json.error).toMatch(/refused as a possible replay/);
    expect(h.polarisState().has('signed.orders')).toBe(false);

    const ok = await post(port, body, signed(now));
    expect(ok.status).toBe(202);
    await waitFor('the signed table in Polaris', () => h.polarisState().get('signed.orders') === location);
    // The secret never appears in the daemon's output.
    expect(daemon.output().stderr).not.toContain(SIGNING_SECRET);
  });

  it('a signing secret shorter than 16 characters is a config error', async () => {
    await webhookDaemon({ signature: { secret: 'short' } });
    const result = await runCli(['check', '--config', h.configFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sources\[0\]\.signature\.secret: use a signing secret of at least 16 characters/);
    expect(result.stderr).not.toContain('short\n');
  });
});

describe('per-source rate limit', () => {
  it('answers 429 with Retry-After beyond the burst, and accepts again after the wait', async () => {
    // One request every 10 s beyond a burst of 3: the five requests below take far less, even on a
    // busy machine, so the last two find the bucket empty.
    const { port } = await webhookDaemon({ rateLimit: { requestsPerSecond: 0.1, burst: 3 } });
    daemon = await startDaemon(h.configFile, port);
    const body = JSON.stringify({ events: [{ namespace: ['rl'], table: 't', operation: 'drop' }] });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await post(port, body);
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(10);
    // After the wait it says, a request is taken again.
    await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
    await waitFor('a request accepted again', async () => (await post(port, body)).status === 202, 60_000, 1000);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(Number(/polaris_mirror_ingest_requests_total\{source="hooks",status="429"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });
});

describe('TLS', () => {
  it('serves HTTPS with the configured certificate; plain HTTP gets no answer', async () => {
    const { port } = await webhookDaemon({}, { tls: { certFile: tls('server.crt'), keyFile: tls('server.key') } });
    const child = spawnCli(['run', '--config', h.configFile]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const dispatcher = new Agent({ connect: { ca: readFileSync(tls('ca.crt')) } });
    try {
      await waitFor('the HTTPS /healthz', async () => (await undiciFetch(`https://127.0.0.1:${port}/healthz`, { dispatcher })).status === 200);
      const location = await h.writeTable(['tls'], 'orders');
      const response = await undiciFetch(`https://127.0.0.1:${port}/v1/sources/hooks/events`, {
        dispatcher,
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ namespace: ['tls'], table: 'orders', operation: 'create', metadataLocation: location }] }),
      });
      expect(response.status).toBe(202);
      // Without the CA the certificate is not trusted.
      await expect(fetch(`https://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      // Plain HTTP to the TLS port does not get an HTTP answer.
      const plain = await new Promise<string>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz' }, (res) => resolve(`status ${res.statusCode}`));
        req.on('error', (error) => resolve(`error ${error.message}`));
        req.end();
      });
      expect(plain).not.toBe('status 200');
      expect(stderr).toMatch(/listening on https:\/\/127\.0\.0\.1/);
    } finally {
      child.kill('SIGKILL');
      await dispatcher.close();
    }
  });
});

describe('Polaris behind TLS with a private CA (polaris.tls.caFile)', () => {
  let proxy: HttpsServer;
  let proxyPort: number;
  let own: Harness;
  beforeAll(async () => {
    own = await startHarness(); // its own ledger and warehouse: the tables above belong to a webhook source
    // A TLS-terminating proxy in front of the emulator, with the test CA's certificate.
    const target = new URL(own.emulator.url);
    proxy = createHttpsServer({ cert: readFileSync(tls('server.crt')), key: readFileSync(tls('server.key')) }, (req, res) => {
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as { port: number }).port;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await own.close();
  });

  it('syncs through HTTPS when the CA is configured, and fails with a certificate error when it is not', async () => {
    await own.writeTable(['viatls'], 'orders');
    const uri = `https://localhost:${proxyPort}/api/catalog`;
    await own.writeConfig((c) => {
      c.polaris.uri = uri;
      c.polaris.retry = { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 20 };
    });
    const untrusted = await runCli(['check', '--config', own.configFile]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(/FAIL {2}polaris token: .*(certificate|self.signed|issuer)/i);

    await own.writeConfig((c) => {
      c.polaris.uri = uri;
      c.polaris.tls = { caFile: tls('ca.crt') };
    });
    const synced = await runCli(['sync', '--config', own.configFile, '--no-progress']);
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    expect(own.polarisState().has('viatls.orders')).toBe(true);
  });
});
