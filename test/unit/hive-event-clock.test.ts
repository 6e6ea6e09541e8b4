// EventClock: orders rise with event ids, share a tick per fetched batch, put a read between the
// events it reflects and the later ones, stay on the engine's wall-clock axis, and survive restarts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventClock, MAX_EVENT_ID_LEAD } from '../../adapters/hive-log/event-clock.js';

const T0 = 1_732_500_000_000;

function clockAt(start = T0) {
  let now = start;
  const clock = new EventClock(() => now);
  return { clock, set: (ms: number) => (now = ms) };
}

describe('EventClock', () => {
  it('events fetched together share one tick; later batches get later ticks', () => {
    const { clock, set } = clockAt();
    clock.cover(10n);
    expect([5n, 9n, 10n].map((id) => clock.orderOfEvent(id))).toEqual([T0, T0, T0]);
    set(T0 + 500);
    clock.cover(20n);
    expect(clock.orderOfEvent(11n)).toBe(T0 + 500);
    expect(clock.orderOfEvent(20n)).toBe(T0 + 500);
  });

  it('a read after the log stood at C is newer than events ≤ C and older than events > C, whenever they are applied', () => {
    const { clock } = clockAt();
    clock.cover(100n);
    const read = clock.orderOfReadAfter(150n);
    expect(clock.orderOfEvent(120n)).toBeLessThan(read); // fetched after the read, yet reflected by it
    expect(clock.orderOfEvent(100n)).toBeLessThan(read);
    expect(clock.orderOfEvent(151n)).toBeGreaterThan(read);
  });

  it('ticks follow the wall clock (comparable with the engine pass times) and never go back when it does', () => {
    const { clock, set } = clockAt();
    expect(clock.orderOfEvent(1n)).toBe(T0);
    set(T0 - 60_000);
    expect(clock.orderOfEvent(2n)).toBe(T0 + 1);
    set(T0 + 5_000);
    expect(clock.orderOfEvent(3n)).toBe(T0 + 5_000);
  });

  it('state survives a restart: later events keep rising even if the clock stepped back, pending anchors are kept', () => {
    const first = clockAt();
    first.clock.cover(10n);
    first.set(T0 + 100);
    const read = first.clock.orderOfReadAfter(30n); // a re-read not yet followed by the log
    const state = new Map(Object.entries(first.clock.stateAt(10n)));

    const second = clockAt(T0 - 3_600_000);
    second.clock.restore(state);
    expect(second.clock.orderOfEvent(25n)).toBeLessThan(read); // reflected by the read before the restart
    expect(second.clock.orderOfEvent(31n)).toBeGreaterThan(read);
  });

  it('an anchor far above the log (restored from an earlier version) is forgotten once the log shows its head', () => {
    const { clock, set } = clockAt();
    clock.restore(new Map([['clock.lastTick', String(T0)], ['clock.anchors', JSON.stringify([['9223372036854775806', T0]])]]));
    set(T0 + 10_000);
    // Frozen: every real event maps to the one old anchor.
    expect(clock.orderOfEvent(50n)).toBe(T0);
    clock.forgetAbove(100n + MAX_EVENT_ID_LEAD);
    set(T0 + 20_000);
    const read = clock.orderOfReadAfter(60n);
    expect(clock.orderOfEvent(61n)).toBeGreaterThan(read);
    expect(JSON.parse(clock.stateAt(0n)['clock.anchors']!).map((a: [string, number]) => a[0])).toEqual(['60', '61']);
  });

  it('damaged state is ignored rather than fatal', () => {
    const { clock } = clockAt();
    clock.restore(new Map([['clock.lastTick', 'x'], ['clock.anchors', '{not json']]));
    expect(clock.orderOfEvent(1n)).toBe(T0);
    clock.restore(new Map([['clock.anchors', JSON.stringify([['5', T0 + 10], ['bad', 1], ['3', T0 + 20]])]]));
    // Anchors must rise in both fields: of (3, +20) and (5, +10) only the first is kept, so orders still rise with ids.
    const orders = [1n, 3n, 4n, 5n, 6n].map((id) => clock.orderOfEvent(id));
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(orders.slice(0, 2)).toEqual([T0, T0 + 20]);
  });

  it('property: applied in id order or not, an event never outranks a later one; reads sit in between', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ kind: fc.constantFrom('batch', 'read'), id: fc.bigInt({ min: 1n, max: 1000n }), dt: fc.integer({ min: -50, max: 50 }) }), { minLength: 1, maxLength: 40 }), (steps) => {
        const { clock, set } = clockAt();
        let now = T0;
        let top = 0n;
        const reads: Array<{ at: bigint; order: number }> = [];
        for (const step of steps) {
          set((now += step.dt));
          top = step.id > top ? step.id : top; // the log only grows
          if (step.kind === 'batch') clock.cover(top);
          else reads.push({ at: top, order: clock.orderOfReadAfter(top) });
        }
        const ids = Array.from({ length: Number(top) }, (_, i) => BigInt(i + 1));
        const orders = ids.map((id) => clock.orderOfEvent(id));
        for (let i = 1; i < orders.length; i++) if (orders[i]! < orders[i - 1]!) return false;
        return reads.every((r) => ids.every((id, i) => (id <= r.at ? orders[i]! < r.order : orders[i]! > r.order)));
      }),
    );
  });
});
