// Polaris's own request rate limiter (a token bucket per realm, in front of every route): beyond the
// rate it answers 429 TooManyRequestsException "Rate exceeded" WITHOUT a Retry-After header, so a client
// must back off on its own.
import { PolarisError } from './errors.js';

export interface RateLimitOptions {
  requestsPerSecond: number;
  /** Bucket size; default one second's worth. */
  burst?: number;
}

export class RequestRateLimiter {
  private tokens: number;
  private last = Date.now();
  private readonly burst: number;

  constructor(private readonly options: RateLimitOptions) {
    this.burst = Math.max(1, options.burst ?? options.requestsPerSecond);
    this.tokens = this.burst;
  }

  /** Takes one request's token, or throws Polaris's 429. */
  take(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.options.requestsPerSecond);
    this.last = now;
    if (this.tokens < 1) throw new PolarisError(429, 'TooManyRequestsException', 'Rate exceeded');
    this.tokens -= 1;
  }
}
