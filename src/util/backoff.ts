/**
 * Capped exponential backoff with full jitter (a random delay between 0 and the capped exponential),
 * so tables failing together do not retry together. A server's Retry-After is a floor, itself capped at
 * maxDelayMs: one absurd header must not park a table (and a `sync` waiting for it) for ever.
 */
export function backoffDelay(
  attempt: number,
  options: { baseDelayMs: number; maxDelayMs: number; retryAfterMs?: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 30));
  const jittered = Math.floor(random() * ceiling);
  if (options.retryAfterMs === undefined || Number.isNaN(options.retryAfterMs)) return jittered;
  return Math.max(Math.min(options.retryAfterMs, options.maxDelayMs), jittered);
}

/** A failed table (one that needs an operator) is retried too, but slowly: 30 s doubling up to an hour. */
export function failedRetryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(3_600_000, 30_000 * 2 ** Math.min(attempt, 20));
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}
