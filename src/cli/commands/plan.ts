import PQueue from 'p-queue';
import { createSourceAdapter } from '../../../adapters/registry.js';
import type { SourceConfig } from '../../config/schema.js';
import { decideDrops, pendingDropRows, rowKey, wantedRows } from '../../engine/drop-brake.js';
import { UsageError } from '../../engine/mirror.js';
import { compareTarget, targetsOf } from '../../engine/target-refill.js';
import type { Ledger } from '../../ledger/ledger.js';
import { openLedgerForReading } from '../../ledger/open-ledger.js';
import type { MirrorRow } from '../../ledger/rows.js';
import type { AdapterContext } from '../../model/source-adapter.js';
import { tableLocationOf } from '../../model/locations.js';
import { dottedName, polarisDisplayName, type PolarisTable } from '../../model/table.js';
import { Normalizer } from '../../normalizer/normalize.js';
import { verdictOf } from '../../polaris/answer-verdict.js';
import { classifyError } from '../../polaris/classify.js';
import { DEFAULT_POLARIS } from '../../config/targets.js';
import { PolarisInstances } from '../../polaris/polaris-instances.js';
import { notificationBody } from '../../polaris/notification.js';
import type { PolarisClient } from '../../polaris/polaris-client.js';
import { messageOf } from '../../util/errors.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatTable } from '../table-format.js';

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
}

/** `plan`: what `sync` would do, with VALIDATE answers for creates. Changes nothing (VALIDATE is a dry run). */
export async function planCommand(options: { config: string; json?: boolean; source?: string[]; allowMassDrop?: boolean }): Promise<number> {
  const context = commandContext(options.config);
  const { config } = context.loaded;
  const selected = selectConfigs(config.sources, options.source);
  const ledger = await openLedgerForReading(config.state);
  const polaris = new PolarisInstances(config, context);
  try {
    const report: PlanReport = { entries: [], counts: emptyCounts(), errors: [], targets: [] };
    for (const source of selected) await planSource(source, ledger, options.allowMassDrop ?? false, report, context);
    for (const target of targetsOf(selected)) {
      const found = await compareTarget({ config, polaris, ledger }, target);
      report.targets.push({
        ...target,
        complete: found.complete,
        reason: found.reason ?? null,
        refill: found.lost,
        refillCount: found.lostCount,
        orphanCount: found.orphanCount,
        orphans: found.orphans,
      });
    }
    await validateCreates(report.entries, polaris);
    for (const entry of report.entries) report.counts[entry.action]++;
    context.print(options.json ? JSON.stringify(report, null, 2) : renderPlan(report));
    const validateFailed = report.entries.some((e) => e.validate && !e.validate.ok);
    return report.errors.length > 0 || validateFailed ? EXIT.FAILED : EXIT.OK;
  } finally {
    await ledger?.close();
    await polaris.close();
  }
}

function selectConfigs(sources: readonly SourceConfig[], names: string[] | undefined): SourceConfig[] {
  if (!names || names.length === 0) return [...sources];
  return names.map((name) => {
    const found = sources.find((s) => s.name === name);
    if (!found) throw new UsageError(`unknown source "${name}"; configured: ${sources.map((s) => s.name).join(', ')}`);
    return found;
  });
}

async function planSource(
  config: SourceConfig,
  ledger: Ledger | undefined,
  allowMassDrop: boolean,
  report: PlanReport,
  context: AdapterContext,
): Promise<void> {
  // With a ledger, the source's loads are conditional on what it stored (REST ETags); plan writes none.
  const adapter = createSourceAdapter(config, ledger ? { ...context, storedVersions: (tables) => ledger.sourceVersions(config.name, tables) } : context);
  const normalizer = new Normalizer(config);
  const rows = (await ledger?.rowsOfSource(config.name)) ?? [];
  const entry = (partial: Omit<PlanEntry, 'source' | 'validate' | 'polarisTable' | 'polaris'> & { polaris?: string }): void => {
    const polarisTable = partial.target ? polarisDisplayName(partial.target) : null;
    report.entries.push({ source: config.name, validate: null, polarisTable, ...partial, polaris: partial.polaris ?? null });
  };
  try {
    if (!adapter.list) {
      // A source that cannot be listed (HTTP ingest): what is waiting in the ledger is the plan.
      for (const row of rows.filter((r) => r.status !== 'in_sync')) {
        entry({ table: dottedName(row.table), polaris: row.polaris, target: row.target, action: 'pending', detail: row.lastError, metadataLocation: row.desired.metadataLocation });
      }
      return;
    }
    // Per target: each listed table is planned on every target, against that target's row.
    const targetKey = (polaris: string, catalog: string, table: { namespace: readonly string[]; name: string }) => `${polaris}\u0000${catalog}\u0000${rowKey(table)}`;
    const byKey = new Map(rows.map((row) => [targetKey(row.polaris, row.target.catalog, row.table), row]));
    const listed = new Set<string>();
    for await (const item of adapter.list(new AbortController().signal)) {
      const table = item.kind === 'skipped' ? item.skipped.table : item.observation.table;
      listed.add(rowKey(table));
      if (item.kind === 'skipped') {
        entry({ table: dottedName(table), target: null, action: 'skip', detail: `${item.skipped.reason}${item.skipped.detail ? `: ${item.skipped.detail}` : ''}`, metadataLocation: null });
        continue;
      }
      const outOfScope = normalizer.check(table);
      if (outOfScope) {
        entry({ table: dottedName(table), target: null, action: 'skip', detail: `${outOfScope.reason}: ${outOfScope.detail ?? ''}`, metadataLocation: null });
        continue;
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
    }
    // Drops follow the same checks per target; a DROP decided earlier is listed as such, not counted again.
    for (const t of normalizer.targets) {
      const ofTarget = rows.filter((r) => r.polaris === t.polaris && r.target.catalog === t.catalog);
      for (const row of pendingDropRows(ofTarget).filter((r) => !listed.has(rowKey(r.table)))) {
        entry({ table: dottedName(row.table), polaris: row.polaris, target: row.target, action: 'drop', detail: 'a DROP decided earlier, not applied yet', metadataLocation: row.applied.metadataLocation });
      }
      const drops = decideDrops(wantedRows(ofTarget), listed, config.maxDropFraction, allowMassDrop);
      for (const row of drops.candidates) {
        entry({
          table: dottedName(row.table),
          polaris: row.polaris,
          target: row.target,
          action: drops.refused ? 'drop-refused' : 'drop',
          detail: drops.refused ? (drops.reason ?? null) : 'absence is confirmed with the source right before the DROP',
          metadataLocation: row.applied.metadataLocation,
        });
      }
    }
  } catch (error) {
    report.errors.push({ source: config.name, message: `the listing failed: ${messageOf(error)}` });
  } finally {
    await adapter.close?.();
  }
}

function actionFor(row: MirrorRow | undefined, location: string): PlanAction {
  if (!row || row.applied.state !== 'present') return 'create';
  return row.applied.metadataLocation === location ? 'unchanged' : 'update';
}

/** VALIDATE each distinct table location of the planned creates (a dry run: Polaris stores nothing). */
async function validateCreates(entries: PlanEntry[], polaris: PolarisInstances): Promise<void> {
  const queue = new PQueue({ concurrency: 8 });
  const byLocation = new Map<string, Promise<PlanEntry['validate']>>();
  const creates = entries.filter((e) => e.action === 'create' && e.metadataLocation && e.target);
  const keyOf = (entry: PlanEntry) => `${entry.polaris ?? DEFAULT_POLARIS}\u0000${entry.target!.catalog}\u0000${tableLocationOf(entry.metadataLocation!)}`;
  for (const entry of creates) {
    const target = entry.target!;
    const client = polaris.get(entry.polaris ?? DEFAULT_POLARIS)?.client;
    if (!client) continue;
    if (!byLocation.has(keyOf(entry))) byLocation.set(keyOf(entry), queue.add(() => validate(client, target, entry.metadataLocation!)) as Promise<PlanEntry['validate']>);
  }
  for (const entry of creates) entry.validate = (await byLocation.get(keyOf(entry))) ?? null;
}

async function validate(client: PolarisClient, target: PolarisTable, location: string): Promise<PlanEntry['validate']> {
  try {
    const response = await client.notify(target, notificationBody('VALIDATE', { name: target.name, timestamp: Date.now(), tableUuid: null, metadataLocation: location }));
    const verdict = await verdictOf(client, response, { catalog: target.catalog, location: tableLocationOf(location) });
    if (verdict.kind === 'ok') return { ok: true, message: 'ok' };
    return { ok: false, message: verdict.message, hint: 'hint' in verdict ? verdict.hint : undefined };
  } catch (error) {
    const verdict = classifyError(error);
    return { ok: false, message: verdict.kind === 'ok' ? 'ok' : verdict.message, hint: 'hint' in verdict ? verdict.hint : undefined };
  }
}

function emptyCounts(): Record<PlanAction, number> {
  return { create: 0, update: 0, drop: 0, 'drop-refused': 0, unchanged: 0, skip: 0, pending: 0 };
}

function renderPlan(report: PlanReport): string {
  const shown = report.entries.filter((e) => e.action !== 'unchanged');
  const lines: string[] = [];
  if (shown.length > 0) {
    lines.push(
      formatTable(
        ['ACTION', 'SOURCE', 'TABLE', 'POLARIS TABLE', 'VALIDATE', 'DETAIL'],
        shown.map((e) => [
          e.action,
          e.source,
          e.table,
          e.polarisTable === null ? '-' : e.polaris && e.polaris !== DEFAULT_POLARIS ? `${e.polaris}: ${e.polarisTable}` : e.polarisTable,
          e.validate ? (e.validate.ok ? 'ok' : 'FAILED') : '-',
          e.validate && !e.validate.ok ? `${e.validate.message}${e.validate.hint ? ` (hint: ${e.validate.hint})` : ''}` : (e.detail ?? ''),
        ]),
      ),
      '',
    );
  }
  const c = report.counts;
  lines.push(
    `plan: ${c.create} to create, ${c.update} to update, ${c.drop} to drop, ${c.unchanged} unchanged, ${c.skip} skipped` +
      (c['drop-refused'] ? `, ${c['drop-refused']} drops refused by the mass-drop brake` : '') +
      (c.pending ? `, ${c.pending} pending from ingest` : ''),
  );
  for (const e of report.errors) lines.push(`${e.source}: ${e.message}`);
  for (const t of report.targets) {
    const label = `target ${t.polaris}/${t.catalog}`;
    if (!t.complete) lines.push(`${label}: not checked (${t.reason ?? 'the listing was incomplete'})`);
    if (t.refill.length > 0) lines.push(`${label}: ${t.refill.length} table(s) the ledger says were applied are missing and would be sent again: ${t.refill.slice(0, 20).join(', ')}`);
    if (t.orphanCount > 0) lines.push(`${label}: ${t.orphanCount} orphan(s) no source has (reported, never dropped): ${t.orphans.slice(0, 20).join(', ')}`);
  }
  return lines.join('\n');
}
