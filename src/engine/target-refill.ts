import { targetLabel } from '../config/targets.js';
import type { TargetPageRow } from '../ledger/target-sql.js';
import { joinNamespace, polarisDisplayName, splitNamespace } from '../model/table.js';
import { listNamespaceTables, listTargetNamespaces } from '../polaris/target-listing.js';
import type { Mirror } from './mirror.js';
import { ListedNames } from './listed-names.js';
import { compareBytewise, mergeSorted, pagedRows } from './sorted-merge.js';

/** Orphans (and refilled tables) named in one report at most (the counts are always given). */
const ORPHANS_LISTED = 1000;

/** Ledger rows read per query, and lost tables marked per write. */
const ROWS_PER_PAGE = 1000;

/** What one look at a target found (sync's summary, the log, `status --json` sources[].targets[].check). */
export interface TargetCheck {
  readonly polaris: string;
  readonly catalog: string;
  readonly at: number;
  /** False when the listing could not be completed: only the namespaces listed completely were acted on. */
  readonly complete: boolean;
  readonly reason?: string;
  /** Tables the ledger says were applied but the target lacked: sent again (the first ORPHANS_LISTED named). */
  readonly refilled: string[];
  readonly refilledCount: number;
  /** Tables the target holds under a mirrored prefix that no source has (reported, never dropped). */
  readonly orphanCount: number;
  readonly orphans: string[];
}

/** Where the last check of a target is kept (adapter state under a name no source can have: names are [a-z0-9_-]). */
export function targetCheckKey(target: { polaris: string; catalog: string }): string {
  return `@target:${targetLabel(target)}`;
}

/** What a target's listing says against the ledger (the first ORPHANS_LISTED names of each kind, and counts). */
export interface TargetComparison {
  readonly complete: boolean;
  readonly reason?: string;
  /** Tables the ledger says were applied there that the target lacks. */
  readonly lost: string[];
  readonly lostCount: number;
  /** Tables the target holds under a mirrored prefix that no source has, sorted. */
  readonly orphans: string[];
  readonly orphanCount: number;
}

type Context = {
  config: Mirror['config'];
  polaris: Pick<Mirror['polaris'], 'get'>;
  ledger: Pick<Mirror['ledger'], 'targetNamespaces' | 'targetPage'> | undefined;
};

/** Told of what the comparison finds, one namespace's batch at a time. */
interface Findings {
  /** Rows applied there that the target lacks (at most ROWS_PER_PAGE at once). */
  lost(rows: readonly TargetPageRow[], namespace: readonly string[]): Promise<void>;
  orphan(display: string): void;
}

/**
 * Compares a target with the ledger namespace by namespace: one namespace's table names from Polaris
 * (asked a page at a time, kept on disk beyond NAMES_IN_MEMORY), its ledger rows read in pages in name
 * order, merged, then forgotten. Memory stays bounded whatever the size of a namespace or the catalog;
 * the event loop is given back between namespaces and pages.
 * A namespace is acted on only once its listing is complete; a listing that fails ends the check.
 */
async function scanTarget(context: Context, target: { polaris: string; catalog: string }, findings: Findings, signal?: AbortSignal): Promise<{ complete: boolean; reason?: string }> {
  const instance = context.polaris.get(target.polaris);
  if (!instance) return { complete: false, reason: `Polaris instance "${target.polaris}" is not configured` };
  const writers = context.config.sources.filter((s) => s.targets.some((t) => t.polaris === target.polaris && t.catalog === target.catalog));
  const prefixes = writers.flatMap((s) => s.targets.filter((t) => t.polaris === target.polaris && t.catalog === target.catalog).map((t) => t.namespacePrefix));
  // An empty prefix covers the whole catalog; otherwise each distinct prefix is listed.
  const roots = prefixes.some((p) => p.length === 0) ? [[]] : [...new Map(prefixes.map((p) => [joinNamespace(p), p])).values()];
  const sources = writers.map((s) => s.name);

  // A namespace created after this instant may be missing from the namespace listing: its tables were
  // applied after it, so they are not taken for lost.
  const namespacesListedAt = Date.now();
  const listed = new Set<string>();
  for (const root of roots) {
    const namespaces = await listTargetNamespaces(instance.client, target.catalog, root, instance.config.retry, signal);
    if (!namespaces.complete) return { complete: false, reason: namespaces.reason };
    for (const ns of namespaces.namespaces) listed.add(joinNamespace(ns));
  }
  const under = (joined: string) => roots.some((root) => root.length === 0 || joined === joinNamespace(root) || joined.startsWith(`${joinNamespace(root)}\u001f`));
  const known = context.ledger ? (await context.ledger.targetNamespaces(target, sources)).filter(under) : [];
  const namespaces = [...new Set([...listed, ...known])].sort(compareBytewise);

  for (const joined of namespaces) {
    await yieldLoop();
    if (signal?.aborted) return { complete: false, reason: 'stopped' };
    // A table applied after this instant may be missing from the listing without having been lost.
    const listedAt = listed.has(joined) ? Date.now() : namespacesListedAt;
    // Its names are kept in memory while few, on disk beyond (listed-names.ts), until the merge has read them.
    const names = new ListedNames();
    try {
      const add = (page: string[]) => names.add(page);
      const tables = listed.has(joined) ? await listNamespaceTables(instance.client, target.catalog, splitNamespace(joined), instance.config.retry, add, signal) : { complete: true as const };
      if (!tables.complete) return { complete: false, reason: tables.reason };
      await compareNamespace(context.ledger, { target, sources, joined, listedAt }, names, findings);
    } finally {
      names.close();
    }
  }
  return { complete: true };
}

/** Where one namespace's comparison looks: its target, the sources writing there, and when it was listed. */
interface NamespaceScope {
  readonly target: { polaris: string; catalog: string };
  readonly sources: readonly string[];
  /** The namespace's levels joined (joinNamespace). */
  readonly joined: string;
  /** A table applied after this instant may be missing from the listing without having been lost. */
  readonly listedAt: number;
}

/** One namespace's listed names merged with its ledger rows: lost rows and orphans go to `findings`. */
async function compareNamespace(ledger: Context['ledger'], scope: NamespaceScope, names: ListedNames, findings: Findings): Promise<void> {
  const { target, sources, joined, listedAt } = scope;
  const levels = splitNamespace(joined);
  const rows = ledger
    ? pagedRows(async (after, limit) => {
        await yieldLoop();
        return ledger.targetPage({ polaris: target.polaris, catalog: target.catalog, namespace: joined, sources, after, limit });
      }, ROWS_PER_PAGE)
    : emptyRows();
  let lost: TargetPageRow[] = [];
  await mergeSorted(names.sorted(), rows, {
    missing: async (row) => {
      if (!row.held || (row.appliedAt !== null && row.appliedAt >= listedAt)) return;
      lost.push(row);
      if (lost.length >= ROWS_PER_PAGE) {
        await findings.lost(lost, levels);
        lost = [];
      }
    },
    unknown: (name) => findings.orphan(polarisDisplayName({ catalog: target.catalog, namespace: levels, name })),
  });
  if (lost.length > 0) await findings.lost(lost, levels);
}

/** Compares a target with the ledger, read-only (`plan`). */
export async function compareTarget(context: Context, target: { polaris: string; catalog: string }, signal?: AbortSignal): Promise<TargetComparison> {
  const lost: string[] = [];
  const orphans: string[] = [];
  let lostCount = 0;
  let orphanCount = 0;
  const result = await scanTarget(
    context,
    target,
    {
      async lost(rows, namespace) {
        lostCount += rows.length;
        for (const row of rows) if (lost.length < ORPHANS_LISTED) lost.push(polarisDisplayName({ catalog: target.catalog, namespace: [...namespace], name: row.name }));
      },
      orphan(display) {
        orphanCount += 1;
        if (orphans.length < ORPHANS_LISTED) orphans.push(display);
      },
    },
    signal,
  );
  if (!result.complete) return { complete: false, reason: result.reason, lost: [], lostCount: 0, orphans: [], orphanCount: 0 };
  return { complete: true, lost, lostCount, orphans, orphanCount };
}

/**
 * Compares a target with the ledger and acts on it: tables applied there but missing are refilled
 * (sent again, timestamps still rising) as each namespace is compared, tables there that no source
 * mirrors are reported as orphans.
 */
export async function checkTarget(mirror: Mirror, target: { polaris: string; catalog: string }, signal?: AbortSignal): Promise<TargetCheck> {
  const at = Date.now();
  const refilled: string[] = [];
  const orphans: string[] = [];
  let refilledCount = 0;
  let orphanCount = 0;
  const result = await scanTarget(
    mirror,
    target,
    {
      async lost(rows, namespace) {
        const marked = new Set(await mirror.ledger.markRefill(rows.map((row) => row.id)));
        if (marked.size === 0) return;
        mirror.wakeDispatchers();
        refilledCount += marked.size;
        for (const row of rows) {
          if (marked.has(row.id) && refilled.length < ORPHANS_LISTED) refilled.push(polarisDisplayName({ catalog: target.catalog, namespace: [...namespace], name: row.name }));
        }
      },
      orphan(display) {
        orphanCount += 1;
        if (orphans.length < ORPHANS_LISTED) orphans.push(display);
      },
    },
    signal,
  );
  const check: TargetCheck = result.complete
    ? { ...target, at, complete: true, refilled, refilledCount, orphanCount, orphans }
    : { ...target, at, complete: false, reason: result.reason, refilled, refilledCount, orphanCount: 0, orphans: [] };
  if (result.complete) await mirror.ledger.commit({ observations: [], source: targetCheckKey(target), state: { check: JSON.stringify(check) } });
  return check;
}

/** Lets requests in flight run between namespaces and pages: a long comparison must not starve them. */
function yieldLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function* emptyRows(): AsyncGenerator<TargetPageRow> {}

/** Every target the given sources write to, once each. */
export function targetsOf(sources: ReadonlyArray<{ targets: ReadonlyArray<{ polaris: string; catalog: string }> }>): Array<{ polaris: string; catalog: string }> {
  return [...new Map(sources.flatMap((s) => s.targets).map((t) => [targetLabel(t), { polaris: t.polaris, catalog: t.catalog }])).values()];
}
