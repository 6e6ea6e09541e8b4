// Identifiers end to end: namespaces and tables with spaces, unicode, %, /, ., #, ? reach Polaris with
// exactly their names (levels joined with U+001F and percent-encoded on the way); names Polaris cannot
// represent (U+001F inside a level, empty levels) are rejected with a reason, counted, never sent.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMirror, syncWith } from '../support/engine.js';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';
import { MirrorServer } from '../../src/server/mirror-server.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { silentLogger } from '../../src/telemetry/logger.js';

const ODD: Array<[string[], string]> = [
  [['sales data', 'eu west'], 'order lines'],
  [['ünïcödé', '数据'], 'tábla 😀'],
  [['100%', '%2F'], 'rate%20'],
  [['a/b', 'c'], 'x/y'],
  [['dot.ted', '.hidden'], 'v1.2'],
  [['hash#tag'], 'what?'],
  [['q?uery&x=1'], '#frag'],
];

describe('odd identifiers through the HTTP ingest', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port: 0 };
      c.sources = [{ name: 'hooks', type: 'webhook', token: 'ids-token-1234', target: { catalog: CATALOG, namespacePrefix: ['pre fix'] } }];
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('every name arrives in Polaris exactly; unrepresentable ones are refused with a reason and never sent', async () => {
    const mirror = openMirror(h);
    const metrics = new Metrics();
    const server = new MirrorServer(mirror.config.server!, mirror, metrics, silentLogger());
    const { port } = await server.listen();
    try {
      const events = [];
      for (const [namespace, name] of ODD) {
        // The metadata file lives anywhere under the warehouse; only the names matter here.
        const location = await h.writeTable(['files', `t${events.length}`], 'x');
        events.push({ namespace, table: name, operation: 'create', metadataLocation: location });
      }
      const post = (body: unknown) =>
        fetch(`http://127.0.0.1:${port}/v1/sources/hooks/events`, {
          method: 'POST',
          headers: { authorization: 'Bearer ids-token-1234', 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post({ events })).status).toBe(202);
      await mirror.createDispatcher().runUntilSettled();
      const tables = h.emulator.tables(CATALOG).map((t) => JSON.stringify([...t.namespace, t.name]));
      for (const [namespace, name] of ODD) expect(tables).toContain(JSON.stringify(['pre fix', ...namespace, name]));
      expect(tables).toHaveLength(ODD.length);

      const bad = await post({
        events: [
          { namespace: ['a\u001fb'], table: 't', operation: 'drop' },
          { namespace: ['ok'], table: 'bad\u001fname', operation: 'drop' },
          { namespace: ['ok', ''], table: 't', operation: 'drop' },
          // URL path steps: sent as is, ".." would have reached the namespace's own route.
          { namespace: ['ok'], table: '..', operation: 'drop' },
          { namespace: ['.'], table: 't', operation: 'drop' },
        ],
      });
      expect(bad.status).toBe(400);
      const details = ((await bad.json()) as { details: Array<{ path: string; message: string }> }).details;
      expect(details.map((d) => d.path)).toEqual(['events[0]', 'events[1]', 'events[2].namespace[1]', 'events[3]', 'events[4]']);
      expect(details[0]!.message).toMatch(/contains U\+001F, which Polaris uses between namespace levels/);
      expect(details[3]!.message).toMatch(/the table name "\.\." is a URL path step/);
      expect(details[4]!.message).toMatch(/namespace level "\." is a URL path step/);
      expect(h.emulator.tables(CATALOG)).toHaveLength(ODD.length);
    } finally {
      await server.close();
      await mirror.close();
    }
  });
});

describe('odd identifiers through the files source', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('directory names with spaces, unicode, %, #, ? are mirrored as they are; a level with U+001F is skipped and counted', async () => {
    const names: Array<[string[], string]> = [
      [['sales data'], 'order lines'],
      [['ünïcödé'], 'tábla 😀'],
      [['100%'], 'rate%20'],
      [['hash#tag'], 'what?'],
      [['dot.ted'], 'v1.2'],
    ];
    for (const [namespace, name] of names) await h.writeTable(namespace, name);
    // A level Polaris cannot represent: listed, skipped with the reason, never sent.
    await h.writeTable(['bad\u001flevel'], 'table');
    // Junk that is not a table at all is simply not listed.
    await mkdir(join(h.warehouse, 'notes'), { recursive: true });
    await writeFile(join(h.warehouse, 'notes', 'README'), 'not a table');
    const { summary } = await syncWith(h);
    expect(summary.skipped).toEqual({ 'invalid-identifier': 1 });
    expect(summary.converged).toBe(true);
    const tables = h.emulator.tables(CATALOG).map((t) => JSON.stringify([...t.namespace, t.name])).sort();
    expect(tables).toEqual(names.map(([ns, n]) => JSON.stringify([...ns, n])).sort());
  });
});
