import { createSourceAdapter } from '../../../adapters/registry.js';
import type { SourceConfig } from '../../config/schema.js';
import { brake, pendingDropRows, rowKey, wantedRows } from '../../engine/drop-brake.js';
import { UsageError } from '../../engine/mirror.js';
import { compareTarget, targetsOf } from '../../engine/target-refill.js';
import type { Ledger } from '../../ledger/ledger.js';
import { openLedgerForReading } from '../../ledger/open-ledger.js';
import { pagedRows } from '../../ledger/row-reads.js';
import type { MirrorRow } from '../../ledger/rows.js';
import type { ListedItem } from '../../model/observation.js';
import type { AdapterContext } from '../../model/source-adapter.js';
import { dottedName, polarisDisplayName, type PolarisTable } from '../../model/table.js';
import { Normalizer } from '../../normalizer/normalize.js';
import { PolarisInstances } from '../../polaris/polaris-instances.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { messageOf, MirrorError } from '../../util/errors.js';
import { scrubProcessSecrets } from '../../telemetry/redactor.js';
import { ListedTables } from './plan-listed-tables.js';
import { PlanOutput } from './plan-output.js';

export type PlanAction = 'create' | 'update' | 'drop' | 'drop-refused' | 'unchanged' | 'skip' | 'pending';

export interface PlanEntry {
  source: string;
  /** The Polaris instance of the target ("default": the polaris block); null for a skipped table. */
  polaris: string | null;
  table: string;
  polarisTable: string | null;
  target: PolarisTable | null;
  action: PlanAction;
  detail: string | null;
  metadataLocation: string | null;
  /** For creates: the VALIDATE answer for the table's location ("ok" or Polaris's message). */
  validate: { ok: boolean; message: string; hint?: string } | null;
}

/** What `sync` would find on a target: tables it lost (to send again) and orphans (reported only). */
export interface PlanTarget {
  polaris: string;
  catalog: string;
  /** False when the target could not be listed in full (then nothing would be refilled). */
  complete: boolean;
  reason: string | null;
  /** The first 1000 of refillCount. */
  refill: string[];
  refillCount: number;
  orphanCount: number;
  /** The first 1000. */
  orphans: string[];
}

export interface PlanReport {
  entries: PlanEntry[];
  counts: Record<PlanAction, number>;
  errors: Array<{ source: string; message: string }>;
  /** Added with several targets: each target's listing against the ledger. */
  targets: PlanTarget[];
  /**
   * Only when plan failed after `--json` output began (the ledger, a target or the output itself
   * failing midway): what failed, the same message stderr gives. The entries, counts, errors and targets
   * then cover only what was decided before the failure.
   */
  error?: PlanFailure;
}

export interface PlanFailure {
  message: string;
  hint: string | null;
}

/** Listed tables planned at once: their rows are read in one query. */
const PLAN_BATCH = 500;
/** Ledger rows read at once when looking for drops (or pending ingest). */
const ROWS_PAGE = 1000;

/**
 * `plan`: what `sync` would do, with VALIDATE answers for creates. Changes nothing (VALIDATE is a dry
 * run). Memory does not grow with the source: the listing is planned in batches against their own rows
 * (rowsOfTables), the listed tables are kept on disk (ListedTables) and drops are found by paging the
 * source's rows; entries go out as they are decided (see PlanOutput).
 */
export async function planCommand(options: { config: string; json?: boolean; source?: string[]; allowMassDrop?: boolean }): Promise<number> {
  const context = commandContext(options.config);
  const { config } = context.loaded;
  const selected = selectConfigs(config.sources, options.source);
  const ledger = await openLedgerForReading(config.state);
  const polaris = new PolarisInstances(config, context);
  const output = new PlanOutput(options.json ?? false, context.printPaced, polaris);
  const errors: PlanReport['errors'] = [];
  const targets: PlanTarget[] = [];
  try {
    for (const source of selected) await planSource(source, ledger, options.allowMassDrop ?? false, { output, errors }, context);
    for (const target of targetsOf(selected)) {
      const found = await compareTarget({ config, polaris, ledger }, target);
      targets.push({
        ...target,
        complete: found.complete,
        reason: found.reason ?? null,
        refill: found.lost,
        refillCount: found.lostCount,
        orphanCount: found.orphanCount,
        orphans: found.orphans,
      });
    }
    await output.finish(errors, targets);
    return errors.length > 0 || output.validateFailed ? EXIT.FAILED : EXIT.OK;
  } catch (error) {
    try {
      await output.abandon(failureOf(error), errors, targets);
    } catch {
      // The output itself failing (stdout gone): the error below is what matters.
    }
    // Rethrown: stderr and the exit code stay those of any command that fails this way.
    throw error;
  } finally {
    await ledger?.close();
    await polaris.close();
  }
}

/** What failed, as stderr reports it (main's reportError): its message and hint, scrubbed the same way. */
function failureOf(error: unknown): PlanFailure {
  const hint = error instanceof MirrorError ? error.hint : undefined;
  return { message: scrubProcessSecrets(messageOf(error)), hint: hint === undefined ? null : scrubProcessSecrets(hint) };
}

function selectConfigs(sources: readonly SourceConfig[], names: string[] | undefined): SourceConfig[] {
  if (!names || names.length === 0) return [...sources];
  return names.map((name) => {
    const found = sources.find((s) => s.name === name);
    if (!found) throw new UsageError(`unknown source "${name}"; configured: ${sources.map((s) => s.name).join(', ')}`);
    return found;
  });
}

interface PlanSink {
  readonly output: PlanOutput;
  readonly errors: PlanReport['errors'];
}

async function planSource(config: SourceConfig, ledger: Ledger | undefined, allowMassDrop: boolean, sink: PlanSink, context: AdapterContext): Promise<void> {
  // With a ledger, the source's loads are conditional on what it stored (REST ETags); plan writes none.
  const storedVersions: AdapterContext['storedVersions'] = (tables) => ledger!.sourceVersions(config.name, tables).catch((error: unknown) => Promise.reject(new LedgerFailed(error)));
  const adapter = createSourceAdapter(config, ledger ? { ...context, storedVersions } : context);
  const normalizer = new Normalizer(config);
  const entry = (partial: Omit<PlanEntry, 'source' | 'validate' | 'polarisTable' | 'polaris'> & { polaris?: string }): void => {
    const polarisTable = partial.target ? polarisDisplayName(partial.target) : null;
    sink.output.add({ source: config.name, validate: null, polarisTable, ...partial, polaris: partial.polaris ?? null });
  };
  const listed = new ListedTables();
  try {
    if (!adapter.list) {
      // A source that cannot be listed (HTTP ingest): what is waiting in the ledger is the plan.
      if (!ledger) return;
      for await (const rows of pagedRows(ledger, { source: config.name, namespace: [], limit: ROWS_PAGE })) {
        for (const row of rows.filter((r) => r.status !== 'in_sync')) {
          entry({ table: dottedName(row.table), polaris: row.polaris, target: row.target, action: 'pending', detail: row.lastError, metadataLocation: row.desired.metadataLocation });
        }
        await sink.output.flush();
      }
      return;
    }
    const planBatch = async (items: readonly ListedItem[]): Promise<void> => {
      await planListed(items, { config, ledger, normalizer, listed, entry });
      await sink.output.flush();
    };
    let batch: ListedItem[] = [];
    try {
      for await (const item of listingOf(adapter.list(new AbortController().signal))) {
        batch.push(item);
        if (batch.length >= PLAN_BATCH) await planBatch(batch.splice(0));
      }
    } finally {
      // What was listed before a failure is planned all the same (and reported with the failure).
      await planBatch(batch);
      batch = [];
    }
    if (ledger) await planDrops({ config, ledger, normalizer, listed, entry }, allowMassDrop, sink.output);
  } catch (error) {
    // The source failing is this source's error, and plan goes on with the others. Anything else (the
    // ledger, the output) fails the plan itself: every later step would need it too.
    if (!(error instanceof ListingFailed)) throw error;
    sink.errors.push({ source: config.name, message: `the listing failed: ${messageOf(error.cause)}` });
  } finally {
    listed.close();
    await adapter.close?.();
  }
}

/** A failure of the source's listing itself, told apart from one of the ledger or the output. */
class ListingFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(messageOf(cause));
  }
}

/** The ledger failing while the listing asked it for stored versions: the ledger's failure, not the source's. */
class LedgerFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(messageOf(cause));
  }
}

/** The source's listing, its own failures marked as ListingFailed; the ledger's come out as they were. */
async function* listingOf(items: AsyncIterable<ListedItem>): AsyncGenerator<ListedItem> {
  try {
    yield* items;
  } catch (error) {
    const ledgerFailure = causes(error).find((e) => e instanceof LedgerFailed);
    throw ledgerFailure ? ledgerFailure.cause : new ListingFailed(error);
  }
}

/** An error and the errors it names as its cause (an adapter may wrap what it met), a few levels deep. */
function causes(error: unknown): unknown[] {
  const found = [error];
  for (let e = error; found.length < 8 && e instanceof Error && e.cause !== undefined; e = e.cause) found.push(e.cause);
  return found;
}

interface SourcePlan {
  readonly config: SourceConfig;
  readonly ledger: Ledger | undefined;
  readonly normalizer: Normalizer;
  readonly listed: ListedTables;
  readonly entry: (partial: Omit<PlanEntry, 'source' | 'validate' | 'polarisTable' | 'polaris'> & { polaris?: string }) => void;
}

/** A batch of the listing: each listed table is planned on every target, against that target's row. */
async function planListed(items: readonly ListedItem[], plan: SourcePlan): Promise<void> {
  const { normalizer, entry } = plan;
  const tables = items.map((item) => (item.kind === 'skipped' ? item.skipped.table : item.observation.table));
  plan.listed.add(tables);
  const outOfScope = items.map((item) => (item.kind === 'skipped' ? undefined : normalizer.check(item.observation.table)));
  const planned = items.flatMap((item, i) => (item.kind === 'skipped' || outOfScope[i] ? [] : [item.observation.table]));
  const rows = plan.ledger && planned.length > 0 ? await plan.ledger.rowsOfTables(plan.config.name, planned) : [];
  const targetKey = (polaris: string, catalog: string, table: { namespace: readonly string[]; name: string }) => `${polaris}\u0000${catalog}\u0000${rowKey(table)}`;
  const byKey = new Map(rows.map((row) => [targetKey(row.polaris, row.target.catalog, row.table), row]));
  items.forEach((item, i) => {
    const table = tables[i]!;
    if (item.kind === 'skipped') {
      entry({ table: dottedName(table), target: null, action: 'skip', detail: `${item.skipped.reason}${item.skipped.detail ? `: ${item.skipped.detail}` : ''}`, metadataLocation: null });
      return;
    }
    const skip = outOfScope[i];
    if (skip) {
      entry({ table: dottedName(table), target: null, action: 'skip', detail: `${skip.reason}: ${skip.detail ?? ''}`, metadataLocation: null });
      return;
    }
    const location = item.observation.metadataLocation;
    for (const { polaris, table: target } of normalizer.targetedTables(table)) {
      const row = byKey.get(targetKey(polaris, target.catalog, table));
      const action = actionFor(row, location);
      entry({
        table: dottedName(table),
        polaris,
        target,
        action,
        detail: row?.ownerConflict ? row.lastError : action === 'update' ? `from ${row!.applied.metadataLocation}` : null,
        metadataLocation: location,
      });
    }
  });
}

/**
 * Drops follow the same checks per target; a DROP decided earlier is listed as such, not counted again.
 * The source's rows are paged twice per target: once to list the DROPs decided earlier and count the
 * brake's figures (wanted rows, and those the listing did not return), once more for the candidates,
 * now that the brake has decided (the same decision as decideDrops on the whole set).
 */
async function planDrops(plan: SourcePlan & { ledger: Ledger }, allowMassDrop: boolean, output: PlanOutput): Promise<void> {
  const { config, ledger, listed, entry } = plan;
  for (const t of plan.normalizer.targets) {
    const ofTarget = async function* (): AsyncGenerator<{ rows: MirrorRow[]; listedKeys: Set<string> }> {
      for await (const page of pagedRows(ledger, { source: config.name, namespace: [], limit: ROWS_PAGE })) {
        const rows = page.filter((r) => r.polaris === t.polaris && r.target.catalog === t.catalog);
        yield { rows, listedKeys: listed.listed(rows.map((r) => r.table)) };
      }
    };
    let mirrored = 0;
    let unseen = 0;
    for await (const { rows, listedKeys } of ofTarget()) {
      for (const row of pendingDropRows(rows).filter((r) => !listedKeys.has(rowKey(r.table)))) {
        entry({ table: dottedName(row.table), polaris: row.polaris, target: row.target, action: 'drop', detail: 'a DROP decided earlier, not applied yet', metadataLocation: row.applied.metadataLocation });
      }
      const wanted = wantedRows(rows);
      mirrored += wanted.length;
      unseen += wanted.filter((r) => !listedKeys.has(rowKey(r.table))).length;
      await output.flush();
    }
    if (unseen === 0) continue;
    const drops = brake(unseen, mirrored, config.maxDropFraction, allowMassDrop);
    for await (const { rows, listedKeys } of ofTarget()) {
      for (const row of wantedRows(rows).filter((r) => !listedKeys.has(rowKey(r.table)))) {
        entry({
          table: dottedName(row.table),
          polaris: row.polaris,
          target: row.target,
          action: drops.refused ? 'drop-refused' : 'drop',
          detail: drops.refused ? (drops.reason ?? null) : 'absence is confirmed with the source right before the DROP',
          metadataLocation: row.applied.metadataLocation,
        });
      }
      await output.flush();
    }
  }
}

function actionFor(row: MirrorRow | undefined, location: string): PlanAction {
  if (!row || row.applied.state !== 'present') return 'create';
  return row.applied.metadataLocation === location ? 'unchanged' : 'update';
}

