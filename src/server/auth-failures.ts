import { RequestRateLimiter } from './request-rate-limiter.js';

/**
 * Failed authentications (a missing or wrong bearer token, a bad or stale body signature) are limited
 * on their own, for the whole server. They never touch a source's `rateLimit`, which only counts
 * requests that authenticated: a flood of anonymous requests cannot make the real sender see 429.
 * Beyond this rate they are answered 429 instead of 401, which also slows down anyone guessing tokens.
 * A request with the right credentials is never refused by this limit, whatever else is going on.
 */
export const AUTH_FAILURES_PER_SECOND = 10;
export const AUTH_FAILURE_BURST = 50;

export class AuthFailureLimiter {
  private readonly limiter: RequestRateLimiter;

  constructor(now?: () => number) {
    this.limiter = new RequestRateLimiter(AUTH_FAILURES_PER_SECOND, AUTH_FAILURE_BURST, now);
  }

  /** Counts one failed authentication: undefined to answer 401, or seconds to wait (answer 429). */
  failed(): number | undefined {
    return this.limiter.take();
  }
}
