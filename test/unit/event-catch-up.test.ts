// An event keeps a full pass waiting until its notification is sent, not only until its commit:
// SourceSink holds the event's mark until the dispatchers have caught up (CatchUp, bounded).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CatchUp } from '../../src/engine/catch-up.js';
import { SourceSink } from '../../src/engine/source-sink.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import type { Normalizer } from '../../src/normalizer/normalize.js';
import type { Metrics } from '../../src/telemetry/metrics.js';

afterEach(() => {
  vi.useRealTimers();
});

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe('CatchUp', () => {
  it('waits for a look that starts after the call, then for the work in hand to end', async () => {
    const catchUp = new CatchUp();
    catchUp.lookStarted(); // a look already running may have read the ledger before the commit
    const waiting = catchUp.wait(60_000);
    catchUp.lookDone(true);
    expect(await settled(waiting)).toBe(false);
    catchUp.lookStarted();
    catchUp.lookDone(false); // it took a table: still working on it
    expect(await settled(waiting)).toBe(false);
    catchUp.check(true); // the table's answer is recorded
    expect(await settled(waiting)).toBe(true);
  });

  it('never waits longer than its bound', async () => {
    vi.useFakeTimers();
    const catchUp = new CatchUp();
    const waiting = catchUp.wait(250);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    expect(await settled(waiting)).toBe(true);
  });
});

describe('an event\'s mark on its source', () => {
  const sink = () => new SourceSink({ sourceName: 'glue' } as unknown as Normalizer, {} as Ledger, {} as Metrics, () => undefined);

  it('lasts until the dispatchers have sent what is due, after the commit', async () => {
    const source = sink();
    let sent!: () => void;
    source.eventsSent = () => new Promise<void>((resolve) => (sent = resolve));
    const committed = source.eventStarted();
    expect(source.events.busy).toBe(true);
    committed();
    committed(); // the watch calls it again when the message is done: counted once
    await Promise.resolve();
    expect(source.events.busy).toBe(true);
    sent();
    await vi.waitFor(() => expect(source.events.busy).toBe(false));
  });

  it('ends at the commit when no dispatcher is attached', () => {
    const source = sink();
    const committed = source.eventStarted();
    committed();
    expect(source.events.busy).toBe(false);
  });
});
