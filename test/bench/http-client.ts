// Benchmark: the CPU the connector's HTTP layer (src/polaris/http.ts, httpRequest: a deadline over the
// whole exchange, a bounded body read, the caller's abort) spends per exchange, against undici's pool
// used bare, both against the same local server answering 204 as Polaris answers a notification. The
// server runs in the same process, so each figure includes its share; the difference is the layer's.
//   npm run bench -- http-client [exchanges]      (default: 30000 per round, 16 in flight, 3 rounds)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { createAgent, httpRequest } from '../../src/polaris/http.js';

const IN_FLIGHT = 16;
const ROUNDS = 3;

export interface HttpClientResult {
  readonly exchanges: number;
  /** CPU µs per exchange in each round after a warm-up round, undici's pool used bare. */
  readonly bareMicros: number[];
  /** The same through httpRequest. */
  readonly layerMicros: number[];
}

export async function benchHttpClient(exchanges = 30_000): Promise<HttpClientResult> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const path = '/api/catalog/v1/c/namespaces/ns/tables/t/notifications';
  const body = JSON.stringify({ 'notification-type': 'CREATE', payload: { 'table-name': 't', timestamp: 1, 'table-uuid': 'x', 'metadata-location': 'file:///w/ns/t/metadata/v1.metadata.json' } });
  const headers = { authorization: 'Bearer bench-token', 'content-type': 'application/json' };
  const pool = new Pool(origin, { connections: IN_FLIGHT, pipelining: 1 });
  const agent = createAgent({ connections: IN_FLIGHT });
  const bare = async () => {
    const response = await pool.request({ path, method: 'POST', headers, body });
    await response.body.dump();
  };
  const layer = async () => {
    await httpRequest(agent, `${origin}${path}`, { method: 'POST', headers, body, timeoutMs: 30_000 });
  };
  try {
    const bareMicros: number[] = [];
    const layerMicros: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const b = await cpuPerExchange(bare, exchanges);
      const l = await cpuPerExchange(layer, exchanges);
      // Round 0 warms both up (the JIT), and is left out.
      if (round === 0) continue;
      bareMicros.push(b);
      layerMicros.push(l);
    }
    return { exchanges, bareMicros, layerMicros };
  } finally {
    await pool.close();
    await agent.close();
    server.close();
  }
}

async function cpuPerExchange(exchange: () => Promise<void>, count: number): Promise<number> {
  let started = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started++ < count) await exchange();
    }),
  );
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}
