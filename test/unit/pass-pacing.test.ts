// While events flow, a full pass pauses after each batch for as long as it worked
// (src/engine/pass-pacing.ts); with no event in sight it never pauses. A clock and a sleep of the
// test's own say how long the pass "worked", so no figure depends on the machine's speed.
import { describe, expect, it } from 'vitest';
import { EventPriority } from '../../src/engine/event-priority.js';
import { EVENTS_FLOWING_MS, PassPacing, YIELD_TO_EVENTS_MS } from '../../src/engine/pass-pacing.js';

function harness() {
  let clock = 1_000;
  const sleeps: number[] = [];
  const now = () => clock;
  const events = new EventPriority(now);
  const pacing = new PassPacing(events, {
    now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  });
  return { events, pacing, sleeps, work: (ms: number) => (clock += ms) };
}

describe('PassPacing', () => {
  it('never pauses a pass when no event was ever in the works', async () => {
    const { pacing, sleeps, work } = harness();
    for (let batch = 0; batch < 5; batch++) {
      await pacing.beforeBatch();
      work(80);
      await pacing.afterBatch();
    }
    expect(sleeps).toEqual([]);
    expect(pacing.paused).toBe(0);
  });

  it('pauses for as long as the pass worked while an event is in the works, up to its bound', async () => {
    const { events, pacing, sleeps, work } = harness();
    const committed = events.started();
    work(60);
    await pacing.afterBatch();
    work(400); // a batch that took long: the pause stays bounded
    await pacing.afterBatch();
    expect(sleeps).toEqual([60, YIELD_TO_EVENTS_MS]);
    expect(pacing.paused).toBe(60 + YIELD_TO_EVENTS_MS);
    committed();
  });

  it('keeps pausing for a while after the last event, then stops', async () => {
    const { events, pacing, sleeps, work } = harness();
    events.started()();
    work(EVENTS_FLOWING_MS - 100);
    await pacing.afterBatch(); // the last event ended 900 ms ago: still flowing
    expect(sleeps).toEqual([YIELD_TO_EVENTS_MS]);
    work(EVENTS_FLOWING_MS);
    await pacing.afterBatch();
    expect(sleeps).toEqual([YIELD_TO_EVENTS_MS]);
  });

  it('does not count the wait for the events in the works as work', async () => {
    const { events, pacing, sleeps, work } = harness();
    const committed = events.started();
    work(20);
    const waiting = pacing.beforeBatch();
    work(200); // the time the event takes to be committed, while the pass waits
    committed();
    await waiting;
    work(30);
    await pacing.afterBatch();
    expect(sleeps).toEqual([50]);
  });
});
