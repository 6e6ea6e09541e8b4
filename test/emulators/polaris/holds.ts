// Requests held before they are answered until the test lets them go. A test can then act at a known
// point of a client's work (stop its database, read its output so far) by waiting for a condition,
// never by sleeping and hoping the client got there.
import type { RequestHold, RequestKind } from './types.js';

export class Holds {
  private readonly holds = new Map<RequestKind, { arrivedNow: () => void; released: Promise<void>; release: () => void }>();

  hold(kind: RequestKind): RequestHold {
    this.holds.get(kind)?.release();
    let arrivedNow!: () => void;
    let releaseNow!: () => void;
    const arrived = new Promise<void>((resolve) => (arrivedNow = resolve));
    const released = new Promise<void>((resolve) => (releaseNow = resolve));
    const entry = {
      arrivedNow,
      released,
      release: () => {
        if (this.holds.get(kind) === entry) this.holds.delete(kind);
        releaseNow();
      },
    };
    this.holds.set(kind, entry);
    return { arrived, release: entry.release };
  }

  /** Undefined unless requests of this kind are held; then a promise that resolves once they are released. */
  pass(kind: RequestKind | 'other'): Promise<void> | undefined {
    const entry = kind === 'other' ? undefined : this.holds.get(kind);
    if (!entry) return undefined;
    entry.arrivedNow();
    return entry.released;
  }

  /** Lets everything through (the emulator closing). */
  releaseAll(): void {
    for (const entry of [...this.holds.values()]) entry.release();
  }
}
