// Events go before a full pass: while the Glue watch is applying an event, `run`'s pass over the whole
// catalog waits between its batches (src/engine/event-priority.ts) — the events of a 1,000,000-table
// account used to queue for seconds behind the pass's GetTables pages and ledger batches.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import { glueEvents } from '../emulators/glue/eventbridge.js';
import { QUEUE, SOURCE, startGlueHarness, waitFor, watchInProcess, type GlueHarness } from './glue-harness.js';

let h: GlueHarness;
let mirror: Mirror | undefined;
let watching: ReturnType<typeof watchInProcess> | undefined;

beforeEach(async () => {
  h = await startGlueHarness();
});
afterEach(async () => {
  await watching?.stop();
  await mirror?.close();
  watching = undefined;
  mirror = undefined;
  await h.close();
});

describe('a full pass gives way to events', () => {
  it('commits no batch while an event is in the works, and completes once it is committed', async () => {
    for (let i = 0; i < 1_200; i++) h.lake.commit('db', `t${i}`);
    mirror = h.openMirror();
    const { adapter, sink } = mirror.sources.get(SOURCE)!;
    const committed = sink.eventStarted();
    const pass = mirror.reconciler.pass({ adapter, sink, maxDropFraction: 1 });
    // The pass reaches its first batch and waits (checked in the same turn: its bound cannot elapse).
    while (sink.events.waiting === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await sink.knownTables()).toHaveLength(0);
    committed();
    const summary = await pass;
    expect(summary?.complete).toBe(true);
    expect(summary?.listed).toBe(1_200);
    expect(await sink.knownTables()).toHaveLength(1_200);
  });

  it('is slowed, never stopped, by an event that does not end', async () => {
    for (let i = 0; i < 600; i++) h.lake.commit('db', `t${i}`);
    mirror = h.openMirror();
    const { adapter, sink } = mirror.sources.get(SOURCE)!;
    sink.eventStarted(); // never committed
    const summary = await mirror.reconciler.pass({ adapter, sink, maxDropFraction: 1 });
    expect(summary?.complete).toBe(true);
    expect(await sink.knownTables()).toHaveLength(600);
  });

  it('the SQS watch marks each message from its arrival to its commit', async () => {
    h.lake.commit('db', 'a');
    await h.sync();
    mirror = h.openMirror();
    const { sink } = mirror.sources.get(SOURCE)!;
    const started = vi.spyOn(sink, 'eventStarted');
    watching = watchInProcess(mirror);
    const location = h.lake.commit('db', 'a');
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('db', 'a'));
    await waitFor(() => h.polarisState().get('db.a') === location, 60_000, 'the event to reach Polaris');
    expect(started).toHaveBeenCalledTimes(1);
    expect(sink.events.busy).toBe(false);
  });
});
