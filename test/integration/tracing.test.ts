// OpenTelemetry traces through the real wiring: the official SDK and its OTLP/HTTP exporter send to a
// small in-test collector that decodes the export. One span per table operation, its Polaris requests
// as children carrying the same X-Request-ID Polaris saw; and nothing at all when tracing is off.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';
import { openMirror, syncWith } from '../support/engine.js';

interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, string | number>;
  status: { code?: number };
  serviceName: string;
}

/** An OTLP/HTTP traces receiver (JSON encoding, as the exporter sends it): collects every span. */
async function startCollector(): Promise<{ url: string; spans: DecodedSpan[]; requests: () => number; headers: Array<Record<string, unknown>>; close: () => Promise<void> }> {
  const spans: DecodedSpan[] = [];
  const headers: Array<Record<string, unknown>> = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      headers.push(req.headers);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> };
          scopeSpans: Array<{ spans: Array<Record<string, any>> }>;
        }>;
      };
      for (const rs of body.resourceSpans) {
        const resource = attributes(rs.resource.attributes);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, attributes: attributes(s.attributes ?? []), status: s.status ?? {}, serviceName: String(resource['service.name']) });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    headers,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function attributes(list: Array<{ key: string; value: Record<string, unknown> }>): Record<string, string | number> {
  return Object.fromEntries(list.map(({ key, value }) => [key, (value.stringValue ?? Number(value.intValue ?? value.doubleValue)) as string | number]));
}

describe('OpenTelemetry traces', () => {
  let h: Harness;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeEach(async () => {
    h = await startHarness();
    collector = await startCollector();
  });
  afterEach(async () => {
    await collector.close();
    await h.close();
  });

  it('one span per table operation, its notification calls as children with the request id Polaris saw', async () => {
    await h.writeTable(['sales'], 'orders');
    // Another namespace: tables of one directory and namespace share one VALIDATE (validation-scope.ts).
    await h.writeTable(['stock'], 'items');
    await h.writeConfig((c) => {
      c.tracing = { endpoint: collector.url, serviceName: 'mirror-under-test', headers: { authorization: 'Bearer collector-secret-123456' } };
    });
    const { summary } = await syncWith(h); // closing the mirror flushes the spans
    expect(summary.converged).toBe(true);

    const operations = collector.spans.filter((s) => s.name === 'mirror table');
    expect(operations.map((s) => s.attributes['polaris_mirror.table']).sort()).toEqual(['sales.orders', 'stock.items']);
    const orders = operations.find((s) => s.attributes['polaris_mirror.table'] === 'sales.orders')!;
    expect(orders).toMatchObject({
      serviceName: 'mirror-under-test',
      attributes: { 'polaris_mirror.source': 'lake', 'polaris_mirror.polaris_table': `${CATALOG}.sales.orders`, 'polaris_mirror.action': 'create', 'polaris_mirror.outcome': 'applied' },
    });
    expect(orders.parentSpanId).toBeUndefined();

    const children = collector.spans.filter((s) => s.parentSpanId === orders.spanId);
    expect(children.every((c) => c.traceId === orders.traceId)).toBe(true);
    const notifications = children.filter((c) => c.name.startsWith('polaris notification'));
    expect(notifications.map((c) => c.name)).toEqual(['polaris notification VALIDATE', 'polaris notification CREATE']);
    expect(notifications.map((c) => c.attributes['http.response.status_code'])).toEqual([204, 204]);

    // The same id as the operation's, and as Polaris received.
    const requestId = orders.attributes['polaris_mirror.request_id'];
    expect(children.every((c) => c.attributes['polaris_mirror.request_id'] === requestId)).toBe(true);
    expect(h.emulator.history(CATALOG, ['sales'], 'orders').map((e) => e.requestId)).toEqual([requestId, requestId]);
    expect(collector.headers[0]!.authorization).toBe('Bearer collector-secret-123456');
  });

  it('a failed operation: its span and the refused call carry an error status', async () => {
    await h.writeTable(['sales'], 'orders');
    h.emulator.failNext(1, { status: 403, body: { error: { message: 'Principal is not authorized', type: 'ForbiddenException', code: 403 } }, kinds: ['notification'] });
    await h.writeConfig((c) => (c.tracing = { endpoint: collector.url }));
    await syncWith(h);
    const operation = collector.spans.find((s) => s.name === 'mirror table')!;
    expect(operation.attributes['polaris_mirror.outcome']).toBe('failed');
    expect(operation.status.code).toBe(2); // ERROR
    const refused = collector.spans.find((s) => s.parentSpanId === operation.spanId && s.attributes['http.response.status_code'] === 403);
    expect(refused?.status.code).toBe(2);
    expect(operation.serviceName).toBe('polaris-mirror');
  });

  it('off by default: without a tracing block no tracer exists, and nothing is exported', async () => {
    await h.writeTable(['sales'], 'orders');
    const mirror = openMirror(h);
    try {
      expect(mirror.tracing).toBeUndefined();
    } finally {
      await mirror.close();
    }
    await h.writeConfig((c) => (c.tracing = { endpoint: collector.url }));
    const traced = openMirror(h);
    expect(traced.tracing).toBeDefined();
    await traced.close();
    await h.writeConfig();
    const { summary } = await syncWith(h);
    expect(summary.converged).toBe(true);
    expect(collector.requests()).toBe(0);
  });
});
