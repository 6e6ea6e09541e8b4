import { describe, expect, it } from 'vitest';
import { ACTIVITY_MINUTES, ActivityRing } from '../../src/telemetry/activity-ring.js';

const MINUTE = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE);

describe('ActivityRing', () => {
  it('counts per source and minute, oldest first, zeros where nothing happened', () => {
    const ring = new ActivityRing();
    ring.record('lake', { notifications: 2, failures: 0 }, T0);
    ring.record('lake', { notifications: 1, failures: 1 }, T0 + 30_000);
    ring.record('lake', { notifications: 5, failures: 0 }, T0 + 2 * MINUTE);
    ring.record('glue', { notifications: 7, failures: 3 }, T0);
    const hour = ring.lastHour('lake', T0 + 2 * MINUTE);
    expect(hour).toHaveLength(ACTIVITY_MINUTES);
    expect(hour.at(-1)).toEqual({ minute: T0 + 2 * MINUTE, notifications: 5, failures: 0 });
    expect(hour.at(-2)).toEqual({ minute: T0 + MINUTE, notifications: 0, failures: 0 });
    expect(hour.at(-3)).toEqual({ minute: T0, notifications: 3, failures: 1 });
    expect(ring.lastHour('glue', T0).at(-1)).toMatchObject({ notifications: 7, failures: 3 });
    expect(ring.lastHour('unknown', T0).every((m) => m.notifications === 0 && m.failures === 0)).toBe(true);
  });

  it('forgets minutes older than an hour, in the same fixed slots', () => {
    const ring = new ActivityRing();
    ring.record('lake', { notifications: 4, failures: 2 }, T0);
    const later = T0 + ACTIVITY_MINUTES * MINUTE;
    expect(ring.lastHour('lake', later).reduce((n, m) => n + m.notifications, 0)).toBe(0);
    ring.record('lake', { notifications: 1, failures: 0 }, later);
    expect(ring.lastHour('lake', later).at(-1)).toMatchObject({ notifications: 1, failures: 0 });
    expect(ring.lastHour('lake', later).reduce((n, m) => n + m.failures, 0)).toBe(0);
  });
});
