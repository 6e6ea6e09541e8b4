/**
 * A non-blocking token bucket per ingest endpoint: a request either takes a token now or is told how
 * long to wait (429 with Retry-After). It protects the ledger and the dispatcher from a runaway sender.
 */
export class RequestRateLimiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly perSecond: number,
    burst: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = burst ?? Math.max(1, Math.ceil(perSecond));
    this.tokens = this.burst;
    this.last = now();
  }

  /** undefined when the request may go ahead, otherwise seconds to wait before retrying. */
  take(): number | undefined {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}
