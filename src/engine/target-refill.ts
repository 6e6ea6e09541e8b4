import { targetLabel } from '../config/targets.js';
import type { TargetRow } from '../ledger/rows.js';
import { joinNamespace, polarisDisplayName, type PolarisTable } from '../model/table.js';
import { listTargetTables } from '../polaris/target-listing.js';
import type { Mirror } from './mirror.js';

/** Orphans named in one report at most (the count is always given). */
const ORPHANS_LISTED = 1000;

/** What one look at a target found (sync's summary, the log, `status --json` sources[].targets[].check). */
export interface TargetCheck {
  readonly polaris: string;
  readonly catalog: string;
  readonly at: number;
  /** False when the listing could not be completed: nothing was refilled then. */
  readonly complete: boolean;
  readonly reason?: string;
  /** Tables the ledger says were applied but the target lacked: sent again. */
  readonly refilled: string[];
  /** Tables the target holds under a mirrored prefix that no source has (reported, never dropped). */
  readonly orphanCount: number;
  readonly orphans: string[];
}

/** Where the last check of a target is kept (adapter state under a name no source can have: names are [a-z0-9_-]). */
export function targetCheckKey(target: { polaris: string; catalog: string }): string {
  return `@target:${targetLabel(target)}`;
}

const key = (t: PolarisTable) => `${joinNamespace(t.namespace)}\u0000${t.name}`;

/** What a target's listing says against the ledger, before anything is done about it. */
export interface TargetComparison {
  readonly complete: boolean;
  readonly reason?: string;
  /** Rows the ledger says were applied there that the target lacks. */
  readonly lost: TargetRow[];
  /** Tables the target holds under a mirrored prefix that no source has, sorted. */
  readonly orphans: string[];
}

/**
 * Compares a target's cheap listing with the ledger (read-only: `plan` uses it as it is). Every source
 * writing to the target counts for orphans; prefixes bound what is listed.
 */
export async function compareTarget(
  context: { config: Mirror['config']; polaris: Pick<Mirror['polaris'], 'get'>; ledger: Pick<Mirror['ledger'], 'targetRows'> | undefined },
  target: { polaris: string; catalog: string },
  signal?: AbortSignal,
): Promise<TargetComparison> {
  const instance = context.polaris.get(target.polaris);
  if (!instance) return { complete: false, reason: `Polaris instance "${target.polaris}" is not configured`, lost: [], orphans: [] };
  const writers = context.config.sources.filter((s) => s.targets.some((t) => t.polaris === target.polaris && t.catalog === target.catalog));
  const prefixes = writers.flatMap((s) => s.targets.filter((t) => t.polaris === target.polaris && t.catalog === target.catalog).map((t) => t.namespacePrefix));
  // An empty prefix covers the whole catalog; otherwise each distinct prefix is listed.
  const roots = prefixes.some((p) => p.length === 0) ? [[]] : [...new Map(prefixes.map((p) => [joinNamespace(p), p])).values()];
  // The ledger first, the listing second: a table applied while the listing runs is not in this
  // snapshot as applied, so it cannot be mistaken for one the target lost. Only what the comparison
  // needs of each row is read: whole rows of a 100,000-table source were most of a sync's memory.
  const here: TargetRow[] = [];
  for (const source of writers) {
    for (const row of (await context.ledger?.targetRows(source.name, target.polaris, target.catalog)) ?? []) here.push(row);
  }
  const listed: PolarisTable[] = [];
  for (const root of roots) {
    const listing = await listTargetTables(instance.client, target.catalog, root, signal);
    if (!listing.complete) return { complete: false, reason: listing.reason, lost: [], orphans: [] };
    listed.push(...listing.tables);
  }
  const present = new Set(listed.map(key));
  const lost = here.filter((r) => r.held && !present.has(key(r.target)));
  const known = new Set(here.map((r) => key(r.target)));
  const orphans = listed.filter((t) => !known.has(key(t))).map(polarisDisplayName).sort();
  return { complete: true, lost, orphans };
}

/**
 * Compares a target with the ledger and acts on it: tables applied there but missing are refilled
 * (sent again, timestamps still rising), tables there that no source mirrors are reported as orphans.
 */
export async function checkTarget(mirror: Mirror, target: { polaris: string; catalog: string }, signal?: AbortSignal): Promise<TargetCheck> {
  const base = { ...target, at: Date.now(), refilled: [], orphanCount: 0, orphans: [] };
  const comparison = await compareTarget(mirror, target, signal);
  if (!comparison.complete) return { ...base, complete: false, reason: comparison.reason };
  const { lost, orphans } = comparison;
  const marked = new Set(await mirror.ledger.markRefill(lost.map((r) => r.id)));
  if (marked.size > 0) mirror.wakeDispatchers();
  const check: TargetCheck = {
    ...base,
    complete: true,
    refilled: lost.filter((r) => marked.has(r.id)).map((r) => polarisDisplayName(r.target)),
    orphanCount: orphans.length,
    orphans: orphans.slice(0, ORPHANS_LISTED),
  };
  await mirror.ledger.commit({ observations: [], source: targetCheckKey(target), state: { check: JSON.stringify(check) } });
  return check;
}

/** Every target the given sources write to, once each. */
export function targetsOf(sources: ReadonlyArray<{ targets: ReadonlyArray<{ polaris: string; catalog: string }> }>): Array<{ polaris: string; catalog: string }> {
  return [...new Map(sources.flatMap((s) => s.targets).map((t) => [targetLabel(t), { polaris: t.polaris, catalog: t.catalog }])).values()];
}
