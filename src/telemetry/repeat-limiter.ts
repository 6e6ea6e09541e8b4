/**
 * Rate-limits repeated identical warnings and errors: the first occurrence of a message is logged, the
 * same message again within the window is only counted, and the next one after the window is logged
 * with how many were held back. An outage that fails every request then costs one line a minute, not
 * thousands, and the count still tells how bad it was.
 */
export class RepeatLimiter {
  private readonly seen = new Map<string, { since: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined: hold this one back. A number: log it, noting that many identical ones were held back. */
  admit(key: string): number | undefined {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.since < this.windowMs) {
      entry.suppressed++;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.seen.set(key, { since: now, suppressed: 0 });
    if (this.seen.size > 10_000) this.forgetOldest(now);
    return suppressed;
  }

  private forgetOldest(now: number): void {
    for (const [key, entry] of this.seen) if (now - entry.since >= this.windowMs) this.seen.delete(key);
  }
}
