// One large ingest body must not hold the event loop: the parsers yield between slices of work (so
// /healthz and the dispatcher keep running), and the gzip messages of one Hive hook request may only
// inflate so far in all. Counted in event-loop turns, not milliseconds, so a busy machine cannot make
// these pass or fail.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HiveHookEndpoint, HOOK_INFLATE_BYTES_PER_REQUEST } from '../../adapters/hive/hook-endpoint.js';
import { parseIngestBody } from '../../adapters/webhook/webhook-source.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { WorkSlicer } from '../../src/util/work-slicer.js';

/** Runs work while a setImmediate chain counts the event-loop turns that happen meanwhile. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await work();
  running = false;
  return { result, turns };
}

const hook = () => new HiveHookEndpoint({ source: 'hms', token: 't0ken-1234', catalogName: undefined, metrics: new Metrics(), log: undefined, sink: () => undefined });
const gzipMessage = (json: string) => gzipSync(Buffer.from(json)).toString('base64');

describe('WorkSlicer', () => {
  it('yields once per budget of work, never in between', async () => {
    const slicer = new WorkSlicer(10);
    const { turns } = await turnsDuring(async () => {
      for (let i = 0; i < 95; i++) await slicer.spend();
    });
    expect(slicer.yields).toBe(9);
    expect(turns).toBeGreaterThanOrEqual(9);
  });

  it('a synchronous loop gives the event loop no turn at all (what the slicing prevents)', async () => {
    const { turns } = await turnsDuring(async () => {
      for (let i = 0; i < 1000; i++) JSON.parse('{"a":1}');
    });
    expect(turns).toBe(0);
  });
});

describe('ingest parsers yield between slices', () => {
  it('the webhook parser: a turn at least every 100 events', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ namespace: ['db'], table: `t${i}`, operation: 'drop', sourceTimestampMs: i }));
    const { result, turns } = await turnsDuring(() => parseIngestBody({ events }, 1));
    expect(result.items).toHaveLength(1000);
    expect(turns).toBeGreaterThanOrEqual(9);
  });

  it('the Hive hook parser: a turn after every event (each may inflate and parse megabytes)', async () => {
    const message = gzipMessage(JSON.stringify({ server: '', servicePrincipal: '', db: 'sales', table: 'x', tableType: 'MANAGED_TABLE', timestamp: 1 }));
    const body = Array.from({ length: 200 }, (_, i) => ({ eventId: i + 1, eventTime: 1, eventType: 'ADD_PARTITION', dbName: 'sales', tableName: 'x', message, messageFormat: 'gzip(json-2.0)' }));
    const { result, turns } = await turnsDuring(() => hook().parse(body, 1));
    expect(result.accepted).toBe(200);
    expect(turns).toBeGreaterThanOrEqual(199);
  });
});

describe('the Hive hook bounds what one request may inflate', () => {
  it('many small gzip bombs: 413-worthy (tooLarge) once their messages pass the budget, nothing parsed after', async () => {
    // 1 MiB of JSON whitespace compresses to about a kilobyte; sixteen of them pass 16 MiB.
    const bomb = gzipMessage(`{"tableObjJson":"x"${' '.repeat(1024 * 1024)}}`);
    expect(bomb.length).toBeLessThan(4096);
    const event = { eventId: 1, eventTime: 1, eventType: 'CREATE_TABLE', dbName: 'sales', tableName: 'x', message: bomb, messageFormat: 'gzip(json-2.0)' };
    const body = Array.from({ length: 40 }, (_, i) => ({ ...event, eventId: i + 1 }));
    const result = await hook().parse(body, 1);
    expect(result.tooLarge).toMatch(new RegExp(`inflate to more than ${HOOK_INFLATE_BYTES_PER_REQUEST} bytes in all \\(at \\[1[5-7]\\]\\.message\\); send fewer events per request`));
    expect(result.items).toEqual([]);
  });

  it('one message inflating past the budget alone is refused the same way, without inflating it all', async () => {
    const big = gzipMessage(`{"x":"${'a'.repeat(HOOK_INFLATE_BYTES_PER_REQUEST + 1)}"}`);
    const result = await hook().parse({ eventId: 1, eventType: 'CREATE_TABLE', dbName: 'sales', tableName: 'x', message: big, messageFormat: 'gzip(json-2.0)' }, 1);
    expect(result.tooLarge).toMatch(/inflate to more than/);
  });

  it('messages within the budget are read as before', async () => {
    const ok = gzipMessage('{"not":"a table message"}');
    const result = await hook().parse(Array.from({ length: 100 }, (_, i) => ({ eventId: i + 1, eventType: 'CREATE_TABLE', dbName: 'sales', tableName: 'x', message: ok, messageFormat: 'gzip(json-2.0)' })), 1);
    expect(result.tooLarge).toBeUndefined();
    expect(result.accepted).toBe(100);
  });
});
