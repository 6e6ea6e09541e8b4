/**
 * A stored time (ms since the epoch) as ISO-8601 text, or a plain description when it is outside what a
 * Date can hold (±8.64e15 ms) or not a number. A ledger may hold such a value (written by an older
 * version, or edited by hand): showing it must never crash `status`.
 */
export function timeText(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `not a valid time: ${ms} ms since 1970-01-01` : date.toISOString();
}
