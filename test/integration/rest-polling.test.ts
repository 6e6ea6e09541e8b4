// Polling an Iceberg REST catalog into Polaris: deep namespaces and paging on the first poll, the 304
// path on a poll with no change (no table loaded, no notification), ETags kept in the ledger, a single
// changed table costing one load and one UPDATE, and `sync` working (and storing ETags) without the watch.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syncWith } from '../support/engine.js';
import { STORAGES, type HarnessStorage } from '../support/harness.js';
import { accepted, notificationCount, pollAndSettle, restAdapter, SOURCE, startRestScenario, storedEtags, type RestScenario } from './rest-support.js';

let s: RestScenario;
let storage: HarnessStorage = 'file';
beforeEach(async () => {
  s = await startRestScenario({ rest: { maxPageSize: 3 }, storage });
});
afterEach(async () => {
  await s.close();
});

const SPOTS: string[][] = [['finance'], ['finance', 'ledger'], ['finance', 'ledger', 'eu', 'daily'], ['ops', 'raw']];

async function populate(perNamespace = 4): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  for (const ns of SPOTS) {
    for (let i = 0; i < perNamespace; i++) expected.set([...ns, `t${i}`].join('.'), (await s.rest.createTable(ns, `t${i}`)).metadataLocation);
  }
  return expected;
}

describe.each(STORAGES)('polling a REST catalog, tables on %s storage', (kind) => {
  beforeAll(() => {
    storage = kind;
  });
  afterAll(() => {
    storage = 'file';
  });

  it('mirrors nested namespaces read page by page; a poll with no change loads nothing and sends nothing', async () => {
    const expected = await populate();
    const mirror = s.open();
    try {
      expect(await pollAndSettle(mirror)).toBe(true);
      expect(s.h.polarisState()).toEqual(expected);
      expect(s.h.emulator.namespaces('lake_mirror')).toContainEqual(['finance', 'ledger', 'eu', 'daily']);
      // Pages of at most 3: the 4 tables of each namespace took two table pages.
      expect(s.rest.requests().filter((r) => r.operation === 'listTables' && r.query.pageToken !== '').length).toBe(SPOTS.length);

      // ETags are committed in the ledger with the observations they stand for.
      const etags = await storedEtags(mirror, expected.keys());
      expect(etags.size).toBe(expected.size);
      expect(etags.get('ops.raw.t0')!.metadataLocation).toBe(expected.get('ops.raw.t0'));

      s.rest.resetStats();
      const before = notificationCount(s.h);
      expect(await pollAndSettle(mirror)).toBe(true);
      expect(s.rest.stats().byOperation.loadTable).toEqual({ '304': expected.size });
      expect(notificationCount(s.h)).toBe(before);
      expect(s.h.polarisState()).toEqual(expected);
      // Each 304 still counts as seen: the ledger re-observes every table, unchanged, none missing.
      expect((await mirror.ledger.sourceState(SOURCE))!.passSummary).toMatchObject({
        complete: true,
        listed: expected.size,
        dropCandidates: 0,
        observed: { accepted: 0, unchanged: expected.size },
      });
    } finally {
      await mirror.close();
    }
  });

  it('a changed table costs one full load and one UPDATE; a new one a CREATE', async () => {
    await populate(2);
    const mirror = s.open();
    try {
      await pollAndSettle(mirror);
      const updated = await s.rest.updateTable(['finance', 'ledger'], 't1');
      const created = await s.rest.createTable(['ops', 'raw'], 'fresh');
      s.rest.resetStats();
      await pollAndSettle(mirror);
      expect(s.rest.stats().byOperation.loadTable).toEqual({ '200': 2, '304': SPOTS.length * 2 - 1 });
      expect(s.h.polarisState().get('finance.ledger.t1')).toBe(updated.metadataLocation);
      expect(s.h.polarisState().get('ops.raw.fresh')).toBe(created.metadataLocation);
      expect(accepted(s.h, ['finance', 'ledger'], 't1')).toEqual(['CREATE', 'UPDATE']);
      expect(accepted(s.h, ['ops', 'raw'], 'fresh')).toEqual(['CREATE']);
    } finally {
      await mirror.close();
    }
  });

  it('ETags survive a restart: a new process polls with 304s from the first poll', async () => {
    const expected = await populate(2);
    const first = s.open();
    try {
      await pollAndSettle(first);
    } finally {
      await first.close();
    }
    s.rest.resetStats();
    const second = s.open();
    try {
      await pollAndSettle(second);
      expect(s.rest.stats().byOperation.loadTable).toEqual({ '304': expected.size });
    } finally {
      await second.close();
    }
  });

  it('sync (a pass without the watch) mirrors and stores ETags too: the next poll, in a new process, loads nothing', async () => {
    const expected = await populate(1);
    const { summary } = await syncWith(s.h);
    expect(summary).toMatchObject({ converged: true, created: expected.size });
    expect(s.h.polarisState()).toEqual(expected);
    const mirror = s.open();
    try {
      expect((await storedEtags(mirror, expected.keys())).size).toBe(expected.size);
      s.rest.resetStats();
      await pollAndSettle(mirror);
      expect(s.rest.stats().byOperation.loadTable).toEqual({ '304': expected.size });
    } finally {
      await mirror.close();
    }
  });

  it('the source time is last-updated-ms and the UUID table-uuid; timestamps still rise when it steps back', async () => {
    await s.rest.createTable(['ns'], 't', { lastUpdatedMs: 1_700_000_000_000 });
    const mirror = s.open();
    try {
      await pollAndSettle(mirror);
      const row = (await mirror.ledger.rowsOfSource(SOURCE))[0]!;
      expect(row.desired).toMatchObject({ tableUuid: s.rest.table(['ns'], 't')!.uuid, timestamp: 1_700_000_000_000 });
      // Iceberg allows last-updated-ms to step back a little; Polaris must still get a rising timestamp.
      await s.rest.updateTable(['ns'], 't', { lastUpdatedMs: 1_699_999_990_000 });
      await pollAndSettle(mirror);
      const history = s.h.emulator.history('lake_mirror', ['ns'], 't').filter((e) => e.type !== 'VALIDATE');
      expect(history.map((e) => [e.type, e.status])).toEqual([['CREATE', 204], ['UPDATE', 204]]);
      expect(history[1]!.timestamp).toBe(1_700_000_000_001);
    } finally {
      await mirror.close();
    }
  });

  it('watch() polls every pollIntervalSeconds, sooner after a failed poll, and reports the source lag', async () => {
    await s.configure({ pollIntervalSeconds: 0.1 });
    await populate(1);
    const mirror = s.open();
    const stop = new AbortController();
    const runtime = mirror.sources.get(SOURCE)!;
    const dispatching = mirror.createDispatcher({ sources: [SOURCE] }).run(stop.signal);
    const watching = runtime.adapter.watch!(runtime.sink, stop.signal);
    try {
      const waitFor = async (condition: () => boolean) => {
        const deadline = Date.now() + 30_000; // generous: the machine may be busy
        while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(condition()).toBe(true);
      };
      await waitFor(() => s.h.polarisState().size === SPOTS.length);
      const configs = () => s.rest.stats().byOperation.config?.['200'] ?? 0;
      await waitFor(() => configs() >= 3);
      const lag = (await mirror.deps.metrics.sourceLag.get()).values.find((v) => v.labels.source === SOURCE);
      expect(lag?.value).toBeGreaterThanOrEqual(0);
      expect(lag?.value).toBeLessThan(30);
      // A failing catalog: polls are retried (at least a second apart), nothing breaks. Two failed polls
      // of two attempts each; the second poll's first attempt comes a second or more after the first's last.
      s.rest.addFault({ operation: 'config', status: 503 });
      const failed = () => s.rest.requests().filter((r) => r.operation === 'config' && r.status === 503);
      await waitFor(() => failed().length >= 4);
      const [, firstPollLast, secondPollFirst] = failed();
      expect(secondPollFirst!.at - firstPollLast!.at).toBeGreaterThanOrEqual(950);
      s.rest.clearFaults();
    } finally {
      stop.abort();
      await watching;
      await dispatching;
      await mirror.close();
    }
  });

  it('a server without paging or ETags still mirrors (every poll loads every table)', async () => {
    await s.close();
    s = await startRestScenario({ rest: { paging: false, etags: false, endpoints: 'omitted' }, storage });
    const expected = await populate(1);
    const mirror = s.open();
    try {
      await pollAndSettle(mirror);
      s.rest.resetStats();
      await pollAndSettle(mirror);
      expect(s.h.polarisState()).toEqual(expected);
      expect(s.rest.stats().byOperation.loadTable).toEqual({ '200': expected.size });
      expect((await storedEtags(mirror, expected.keys())).size).toBe(0);
      expect(restAdapter(mirror).type).toBe('rest');
    } finally {
      await mirror.close();
    }
  });
});
