import type { ObserveResult } from './ledger.js';

/**
 * One observation stored on several targets' rows answers once: accepted when any target took it,
 * else rejected (owned by another source there), else unchanged, else stale. With one target this is
 * that target's answer.
 */
export function combineResults(results: readonly ObserveResult[]): ObserveResult {
  for (const result of ['accepted', 'rejected', 'unchanged'] as const) if (results.includes(result)) return result;
  return 'stale';
}

/** Stores items that expand to several rows each, and gives one result per item. */
export function perItem<T, E>(items: readonly T[], expand: (item: T) => readonly E[], store: (expanded: E) => ObserveResult): ObserveResult[] {
  return items.map((item) => combineResults(expand(item).map(store)));
}
