import { sleep } from '../util/sleep.js';

/**
 * A token bucket for requests to Polaris (`polaris.requestsPerSecond`). It smooths bursts to the set
 * rate with a one-second bucket, rather than letting a whole second's quota go out at once.
 * A rate of 0 means no limit.
 */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly perSecond: number) {
    this.tokens = Math.max(1, perSecond);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.perSecond <= 0) return Promise.resolve();
    // Callers queue on a chain so they are served in arrival order.
    const turn = this.chain.then(() => this.take(signal));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(Math.max(1, this.perSecond), this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(((1 - this.tokens) / this.perSecond) * 1000, signal);
      if (signal?.aborted) throw signal.reason;
    }
  }
}
