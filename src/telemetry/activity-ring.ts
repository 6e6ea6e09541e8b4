/** Minutes kept: the console's chart shows the last hour. */
export const ACTIVITY_MINUTES = 60;

export interface MinuteCounts {
  /** Start of the minute (ms since the epoch). */
  readonly minute: number;
  readonly notifications: number;
  readonly failures: number;
}

interface Slot {
  minute: number;
  notifications: number;
  failures: number;
}

/**
 * Per-source notification and failure counts for each of the last 60 minutes, for the console's chart:
 * the daemon's own counters, in memory, a fixed 60 slots per source whatever the traffic. Counts of a
 * minute older than an hour are overwritten when its slot comes round again.
 */
export class ActivityRing {
  private readonly sources = new Map<string, Slot[]>();

  record(source: string, counts: { notifications: number; failures: number }, now = Date.now()): void {
    if (counts.notifications === 0 && counts.failures === 0) return;
    const minute = Math.floor(now / 60_000);
    let slots = this.sources.get(source);
    if (!slots) this.sources.set(source, (slots = Array.from({ length: ACTIVITY_MINUTES }, () => ({ minute: -1, notifications: 0, failures: 0 }))));
    const slot = slots[minute % ACTIVITY_MINUTES]!;
    if (slot.minute !== minute) Object.assign(slot, { minute, notifications: 0, failures: 0 });
    slot.notifications += counts.notifications;
    slot.failures += counts.failures;
  }

  /** The last hour of a source, oldest minute first, zeros where nothing happened. */
  lastHour(source: string, now = Date.now()): MinuteCounts[] {
    const current = Math.floor(now / 60_000);
    const slots = this.sources.get(source);
    return Array.from({ length: ACTIVITY_MINUTES }, (_, i) => {
      const minute = current - (ACTIVITY_MINUTES - 1) + i;
      const slot = slots?.[minute % ACTIVITY_MINUTES];
      const live = slot !== undefined && slot.minute === minute;
      return { minute: minute * 60_000, notifications: live ? slot.notifications : 0, failures: live ? slot.failures : 0 };
    });
  }
}
