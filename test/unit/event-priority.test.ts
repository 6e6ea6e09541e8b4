// A pass gives way to the events in the works (src/engine/event-priority.ts): it waits for them to be
// committed, but never longer than its bound.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventPriority } from '../../src/engine/event-priority.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('EventPriority', () => {
  it('lets a pass through at once when no event is in the works', async () => {
    const events = new EventPriority();
    expect(events.busy).toBe(false);
    await events.idle(60_000);
    expect(events.waiting).toBe(0);
  });

  it('holds a pass until the last event in the works is committed', async () => {
    const events = new EventPriority();
    const first = events.started();
    const second = events.started();
    let through = false;
    const waiting = events.idle(60_000).then(() => (through = true));
    expect(events.waiting).toBe(1);
    first();
    first(); // ending twice counts once
    await Promise.resolve();
    expect(through).toBe(false);
    expect(events.busy).toBe(true);
    second();
    await waiting;
    expect(through).toBe(true);
    expect(events.busy).toBe(false);
    expect(events.waiting).toBe(0);
  });

  it('lets a pass go on after its bound when events never stop', async () => {
    vi.useFakeTimers();
    const events = new EventPriority();
    events.started();
    let through = false;
    const waiting = events.idle(250).then(() => (through = true));
    await vi.advanceTimersByTimeAsync(249);
    expect(through).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(through).toBe(true);
    expect(events.waiting).toBe(0);
    expect(events.busy).toBe(true);
  });
});
