// Timers the emulator waits on (latency, slow answers). close() must not wait for a 30 s "slow"
// answer, so every pending sleep can be cut short at once.
export class Sleeper {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; done: () => void }>();

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.pending.add(entry);
    });
  }

  /** Ends every pending sleep now. */
  wakeAll(): void {
    for (const e of this.pending) {
      clearTimeout(e.timer);
      e.done();
    }
    this.pending.clear();
  }
}
