// Every HTTP client of the connector (Polaris, the token endpoints, the Iceberg REST source) reads a
// bounded body within a deadline on the whole exchange. Regressions: a 450 MiB loadTable took 1.5 GB of
// memory, and a body trickled one byte every 2 s never timed out (undici's timeouts only bound gaps).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RestSource } from '../../adapters/rest/rest-source.js';
import type { PolarisConfig } from '../../src/config/schema.js';
import { connectPolaris } from '../../src/polaris/create-client.js';
import { createAgent, httpRequest, NetworkError, RESPONSE_LIMITS, ResponseTooLargeError } from '../../src/polaris/http.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { adapterContext, collect, restConfig } from './rest-support.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: Handler): Promise<string> {
  const server: Server = createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Headers at once, then one byte every everyMs, never ending (until the client goes away). */
function trickle(everyMs: number): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{');
    const timer = setInterval(() => response.write(' '), everyMs);
    response.on('close', () => clearInterval(timer));
  };
}

/** An endless body in 64 KiB chunks, written as fast as the client reads; reports whether the client hung up. */
function flood(state: { hungUp: boolean; sent: number }): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!response.destroyed && response.write(chunk)) state.sent += chunk.length;
    };
    response.on('drain', pump);
    response.on('close', () => (state.hungUp = true));
    pump();
  };
}

function agent() {
  const a = createAgent({ connections: 4 });
  cleanups.push(() => a.close());
  return a;
}

describe('httpRequest', () => {
  it('a trickled body times out: the deadline covers the whole exchange, not each gap', async () => {
    const url = await serve(trickle(50));
    const error = await httpRequest(agent(), `${url}/slow`, { method: 'GET', headers: {}, timeoutMs: 600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect((error as Error).message).toBe('GET /slow failed: no complete answer within 600 ms (TIMEOUT)');
  });

  it('an endless body is refused once it passes the limit, and the connection is dropped', async () => {
    const state = { hungUp: false, sent: 0 };
    const url = await serve(flood(state));
    const error = await httpRequest(agent(), `${url}/big`, { method: 'GET', headers: {}, timeoutMs: 30_000, maxBodyBytes: 2 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ retryable: false, limit: 2 * 1024 * 1024 });
    expect((error as Error).message).toBe('GET /big: the answer is larger than 2097152 bytes, the limit for this call');
    await expect.poll(() => state.hungUp).toBe(true);
  });

  it('a declared Content-Length above the limit is refused before the body is read', async () => {
    // Only the headers are sent: waiting for the body would time out, so the refusal comes from the header.
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(RESPONSE_LIMITS.small + 1) });
      response.flushHeaders();
    });
    await expect(httpRequest(agent(), `${url}/x`, { method: 'GET', headers: {}, timeoutMs: 30_000 })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('bodies up to the limit are read whole; the caller can still abort', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ pad: 'x'.repeat(100_000) }));
    });
    const answer = await httpRequest(agent(), `${url}/ok`, { method: 'GET', headers: {}, timeoutMs: 30_000, maxBodyBytes: 200_000 });
    expect((answer.body as { pad: string }).pad).toHaveLength(100_000);
    const slow = await serve(trickle(50));
    const controller = new AbortController();
    const pending = httpRequest(agent(), `${slow}/slow`, { method: 'GET', headers: {}, timeoutMs: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await pending.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect((error as Error).name).toBe('AbortError');
  });
});

function polarisConfig(uri: string, auth: PolarisConfig['auth'], requestTimeoutMs = 120_000): PolarisConfig {
  return {
    uri,
    auth,
    concurrency: 2,
    requestsPerSecond: 0,
    requestTimeoutMs,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    probeIntervalSeconds: 15,
  };
}

describe('the Polaris client', () => {
  it('loadTable reads at most RESPONSE_LIMITS.table; a notification answer at most RESPONSE_LIMITS.small', async () => {
    const state = { hungUp: false, sent: 0 };
    const endless = flood(state);
    const url = await serve((request, response) => {
      if (request.url!.startsWith('/v1/config')) response.writeHead(200, { 'content-type': 'application/json' }).end('{"overrides":{}}');
      else endless(request, response);
    });
    const { client, agent: pool } = connectPolaris(polarisConfig(url, { token: 't0ken', scope: 'PRINCIPAL_ROLE:ALL', clientAuth: 'post' }), { metrics: new Metrics(), redactor: new Redactor() });
    cleanups.push(() => pool.close());
    const target = { catalog: 'c', namespace: ['ns'], name: 't' };
    const load = await client.loadTable(target).catch((e: unknown) => e);
    expect(load).toBeInstanceOf(ResponseTooLargeError);
    expect((load as ResponseTooLargeError).limit).toBe(RESPONSE_LIMITS.table);
    const notify = await client.notify(target, { 'notification-type': 'VALIDATE', payload: {} } as never).catch((e: unknown) => e);
    expect((notify as ResponseTooLargeError).limit).toBe(RESPONSE_LIMITS.small);
  }, 120_000);

  it('a token endpoint trickling its answer times out instead of holding every request', async () => {
    const url = await serve(trickle(50));
    const config = polarisConfig(url, { clientId: 'id', clientSecret: 'secret-value-1', scope: 'PRINCIPAL_ROLE:ALL', clientAuth: 'post' }, 800);
    const { client, agent: pool } = connectPolaris(config, { metrics: new Metrics(), redactor: new Redactor() });
    cleanups.push(() => pool.close());
    const error = await client.catalogConfig('c').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetworkError', code: 'TIMEOUT' });
    expect((error as Error).message).toContain('/v1/oauth/tokens failed: no complete answer within 800 ms');
  });
});

describe('the Iceberg REST source', () => {
  /** A tiny catalog: one namespace, a normal table and one whose load never ends. */
  function catalog(state: { hungUp: boolean; sent: number }): Handler {
    const endless = flood(state);
    return (request, response) => {
      const path = new URL(request.url!, 'http://x').pathname;
      const json = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (path === '/v1/config') return json({ defaults: {}, overrides: {} });
      if (path === '/v1/namespaces') return json({ namespaces: new URL(request.url!, 'http://x').searchParams.has('parent') ? [] : [['ns']] });
      if (path === '/v1/namespaces/ns/tables') return json({ identifiers: [{ namespace: ['ns'], name: 'big' }, { namespace: ['ns'], name: 'ok' }] });
      if (path === '/v1/namespaces/ns/tables/big') return endless(request, response);
      if (path === '/v1/namespaces/ns/tables/ok') {
        return json({ 'metadata-location': 's3://lake/ns/ok/metadata/v1.metadata.json', metadata: { 'format-version': 2, 'table-uuid': 'u-ok', 'last-updated-ms': 1 } });
      }
      response.writeHead(404).end();
    };
  }

  it('a table whose load is larger than the limit is skipped as load-failed; the others are mirrored', async () => {
    const state = { hungUp: false, sent: 0 };
    const url = await serve(catalog(state));
    const source = new RestSource(restConfig(url), adapterContext());
    cleanups.push(() => source.close());
    const items = await collect(source.list(new AbortController().signal));
    expect(items.map((i) => (i.kind === 'observation' ? ['observed', i.observation.table.name] : [i.skipped.reason, i.skipped.table.name])).sort()).toEqual([
      ['load-failed', 'big'],
      ['observed', 'ok'],
    ]);
    const skipped = items.find((i) => i.kind === 'skipped')!;
    expect(skipped.kind === 'skipped' && skipped.skipped.detail).toMatch(/larger than 67108864 bytes/);
    await expect.poll(() => state.hungUp).toBe(true);
  }, 120_000);

  it("the source's token endpoint and catalog answers are bounded in time too", async () => {
    const url = await serve(trickle(50));
    const source = new RestSource(restConfig(url, { requestTimeoutMs: 500, auth: { clientId: 'id', clientSecret: 'secret-value-2' } }), adapterContext());
    cleanups.push(() => source.close());
    await expect(collect(source.list(new AbortController().signal))).rejects.toThrow(/token endpoint .* did not answer: .*no complete answer within 500 ms/);
    const plain = new RestSource(restConfig(url, { requestTimeoutMs: 500 }), adapterContext());
    cleanups.push(() => plain.close());
    await expect(collect(plain.list(new AbortController().signal))).rejects.toThrow(/did not answer GET \/v1\/config: no complete answer within requestTimeoutMs/);
  });
});
