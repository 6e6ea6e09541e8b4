// The REST poll benchmark (test/bench/rest-poll.ts, and `rest-scale` which runs it at two sizes)
// shortened to a correctness check: the same poll `run` makes, a first poll, its sending, and a poll
// with no change, on 2,000 tables in 310 nested namespaces. No timing or memory is asserted (figures
// come from `npm run bench -- rest` and `rest-scale`); what must hold at any size: a CREATE per table
// and a VALIDATE per leaf namespace directory, then one conditional load per table answered 304 and
// no notification. Spawns the built emulators: `npm run build` first.
import { describe, expect, it } from 'vitest';
import { benchRestPoll } from '../bench/rest-poll.js';

describe('the REST poll benchmark, shortened', () => {
  it('2,000 tables: notifications per table, then a no-change poll of one 304 per table and no notification', async () => {
    const tables = 2_000;
    const leafNamespaces = 200;
    const r = await benchRestPoll(tables);
    expect(r.namespaces).toBe(310);
    expect(r.firstNotifications).toBe(tables + leafNamespaces);
    expect(r.noChangeNotifications).toBe(0);
    expect(r.noChangeLoads).toEqual({ '304': tables });
    // Besides the loads: /v1/config, a page of child namespaces under the root and each namespace, a table page per namespace.
    expect(r.noChangeRequests).toBe(tables + 1 + (r.namespaces + 1) + r.namespaces);
    expect(r.peakRssMb.firstPoll).toBeGreaterThan(0);
    expect(r.liveHeapMb.noChangePoll).toBeGreaterThan(0);
  }, 600_000);
});
