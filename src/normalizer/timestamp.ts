/**
 * The timestamp rule. Polaris rejects a CREATE/UPDATE whose timestamp is not strictly above the one it
 * stored for the table, and sources' clocks step back, collide at second granularity and skew. So each
 * table's next timestamp is the source time, but always at least one above the last one assigned.
 */
export function nextTimestamp(sourceTimeMs: number, lastAssigned: number | undefined): number {
  const floor = lastAssigned === undefined ? 0 : lastAssigned + 1;
  return Math.max(Math.trunc(sourceTimeMs), floor);
}

/**
 * After Polaris answered "a newer timestamp has been processed" for a state it does not hold, the
 * stored value is unknown (it is not readable through any API): jump to the wall clock.
 */
export function timestampAfterStale(nowMs: number, lastAssigned: number): number {
  return Math.max(nowMs, lastAssigned + 1);
}
