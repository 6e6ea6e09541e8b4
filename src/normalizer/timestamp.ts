/**
 * The timestamp rule. Polaris rejects a CREATE/UPDATE whose timestamp is not strictly above the one it
 * stored for the table, and sources' clocks step back, collide at second granularity and skew. So each
 * table's next timestamp is the source time, but always at least one above the last one assigned.
 */
export function nextTimestamp(sourceTimeMs: number, lastAssigned: number | undefined): number {
  const floor = lastAssigned === undefined ? 0 : lastAssigned + 1;
  return Math.max(clampSourceTime(sourceTimeMs), floor);
}

/**
 * The latest source time taken at face value: 9999-12-31. Anything beyond is not a time but garbage (or
 * microseconds); clamping keeps "+1" exact — far above, floating point would swallow it and two changes
 * would share a timestamp. The HTTP ingest rejects such values outright.
 */
export const MAX_SOURCE_TIME_MS = 253_402_300_799_999;

/**
 * How far ahead of the connector's clock a source time may be. Clocks skew by seconds or minutes; a
 * time days ahead is a broken clock or a wrong unit, and taken as an order it would make every later
 * change of the table look older ("stale") until that day. Such observations are refused.
 */
export const MAX_SOURCE_TIME_AHEAD_MS = 24 * 60 * 60 * 1000;

/** Why a source time cannot be taken, or undefined when it can. */
export function futureSourceTimeReason(sourceTimeMs: number, nowMs: number): string | undefined {
  if (!(sourceTimeMs > nowMs + MAX_SOURCE_TIME_AHEAD_MS)) return undefined;
  const when = sourceTimeMs <= MAX_SOURCE_TIME_MS ? new Date(sourceTimeMs).toISOString() : `${sourceTimeMs} ms`;
  const hours = Math.round((sourceTimeMs - nowMs) / 3_600_000);
  return `the source time ${when} is ${hours} hours ahead of the connector's clock (more than ${MAX_SOURCE_TIME_AHEAD_MS / 3_600_000} allowed): a wrong clock or unit at the source`;
}

function clampSourceTime(sourceTimeMs: number): number {
  if (!Number.isFinite(sourceTimeMs) || sourceTimeMs < 0) return 0;
  return Math.min(Math.trunc(sourceTimeMs), MAX_SOURCE_TIME_MS);
}

/**
 * After Polaris answered "a newer timestamp has been processed" for a state it does not hold, the
 * stored value is unknown (it is not readable through any API): jump to the wall clock.
 */
export function timestampAfterStale(nowMs: number, lastAssigned: number): number {
  return Math.max(nowMs, lastAssigned + 1);
}
