/**
 * The `order` of this source's observations (see Observation.order).
 *
 * Events are ordered by event id, but orders cannot simply *be* event ids: the engine puts its own
 * absences (owned tables a complete listing did not return) at order = the pass's start time in ms,
 * so orders must live on that time-like axis, or such an absence would outrank every later event of
 * the table (a re-created table would never come back). So each event gets the moment the connector
 * first knew it existed, as a tick that only rises:
 *
 * - an *anchor* (eventId, tick) records "every event up to eventId existed at tick"; anchors rise in
 *   both fields. An event's order is the tick of the first anchor at or above its id, so orders rise
 *   with event ids, and one fetched batch shares one tick (applied in id order within a commit).
 * - a read of the metastore made after learning that the log stood at event C (a listing, a re-read
 *   before a DROP) gets a fresh tick after anchoring C: newer than every event up to C, which it
 *   reflects, and older than every later event, whatever order they are applied in.
 * - ticks are max(wall clock, last + 1), so they stay comparable with the engine's pass times.
 *
 * The last tick and the anchors above the cursor are committed with the cursor (state()), so orders
 * keep rising across restarts even if the wall clock steps back.
 */
/**
 * How far past the highest event id the log has shown a hook event's id may be and still be placed
 * among the log's events. A hook can run ahead of the connector's last poll, but not by this much; an
 * id near 2^63 (a broken listener, a forged request) would otherwise become an anchor above every
 * real event, and every later event would share its one old tick — the event order frozen for good.
 */
export const MAX_EVENT_ID_LEAD = 100_000n;

export class EventClock {
  private last = 0;
  /** Ascending in eventId and tick; only anchors above the committed cursor are kept. */
  private anchors: Array<{ readonly eventId: bigint; readonly tick: number }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** A tick after every tick handed out before. */
  tick(): number {
    this.last = Math.max(Math.trunc(this.now()), this.last + 1);
    return this.last;
  }

  /** Every event up to eventId exists now: those not anchored yet get this moment. */
  cover(eventId: bigint): void {
    const top = this.anchors.at(-1);
    if (top === undefined || top.eventId < eventId) this.anchors.push({ eventId, tick: this.tick() });
  }

  /** The order of an event: the moment the connector first knew it existed. */
  orderOfEvent(eventId: bigint): number {
    this.cover(eventId);
    let low = 0;
    let high = this.anchors.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.anchors[middle]!.eventId >= eventId) high = middle;
      else low = middle + 1;
    }
    return this.anchors[low]!.tick;
  }

  /** The order of a read made after the log was seen at `currentEventId`. */
  orderOfReadAfter(currentEventId: bigint): number {
    this.cover(currentEventId);
    return this.tick();
  }

  /**
   * Forgets anchors above `eventId` — ids the log has not reached and cannot plausibly reach soon.
   * Called with the log's head plus MAX_EVENT_ID_LEAD whenever the log is read, so an anchor from a
   * bogus id (or one restored from an earlier version's state) cannot hold the order back.
   */
  forgetAbove(eventId: bigint): void {
    if ((this.anchors.at(-1)?.eventId ?? 0n) <= eventId) return;
    this.anchors = this.anchors.filter((a) => a.eventId <= eventId);
  }

  /** Drops anchors at or below the cursor (those events are never ordered again) and returns the state to commit. */
  stateAt(cursor: bigint): Record<string, string> {
    this.anchors = this.anchors.filter((a) => a.eventId > cursor);
    return {
      [CLOCK_KEY]: String(this.last),
      [ANCHORS_KEY]: JSON.stringify(this.anchors.map((a) => [a.eventId.toString(), a.tick])),
    };
  }

  /** Restores what stateAt() committed; unreadable entries are ignored (orders then restart from now). */
  restore(state: ReadonlyMap<string, string>): void {
    const last = Number(state.get(CLOCK_KEY));
    if (Number.isSafeInteger(last)) this.last = Math.max(this.last, last);
    try {
      const saved = JSON.parse(state.get(ANCHORS_KEY) ?? '[]') as unknown;
      if (!Array.isArray(saved)) return;
      const restored = saved
        .filter((a): a is [string, number] => Array.isArray(a) && typeof a[0] === 'string' && /^\d+$/.test(a[0]) && Number.isSafeInteger(a[1]))
        .map(([id, tick]) => ({ eventId: BigInt(id), tick }));
      const merged = [...restored, ...this.anchors].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
      // Keep the invariant (both fields rising) whatever the saved state holds.
      this.anchors = [];
      for (const anchor of merged) {
        const top = this.anchors.at(-1);
        if (!top || (anchor.eventId > top.eventId && anchor.tick > top.tick)) this.anchors.push(anchor);
      }
      // New ticks must come after every restored one, whatever the saved last tick said.
      this.last = Math.max(this.last, this.anchors.at(-1)?.tick ?? 0);
    } catch {
      // A damaged entry only costs ordering precision for events already in flight.
    }
  }
}

const CLOCK_KEY = 'clock.lastTick';
const ANCHORS_KEY = 'clock.anchors';
