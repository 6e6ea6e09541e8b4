import PQueue from 'p-queue';
import { DEFAULT_POLARIS } from '../../config/targets.js';
import { tableLocationOf } from '../../model/locations.js';
import type { PolarisTable } from '../../model/table.js';
import { verdictOf } from '../../polaris/answer-verdict.js';
import { classifyError } from '../../polaris/classify.js';
import { notificationBody } from '../../polaris/notification.js';
import type { PolarisClient } from '../../polaris/polaris-client.js';
import type { PolarisInstances } from '../../polaris/polaris-instances.js';
import type { PlanAction, PlanEntry, PlanFailure, PlanReport, PlanTarget } from './plan.js';
import { PlanTextTable } from './plan-text.js';

/** VALIDATE answers remembered per location (a dry run: forgetting one costs a repeated VALIDATE, never a wrong answer). */
const VALIDATED_KEPT = 10_000;
/** Entries of JSON output written at once. */
const JSON_CHUNK = 1000;

/**
 * Where plan's entries go as they are decided, a batch at a time: VALIDATE for its creates, then out.
 * `--json` is written as it goes, byte for byte what JSON.stringify(report, null, 2) gives (entries come
 * first in the document, counts, errors and targets after), so 1,000,000 unchanged tables are never
 * held. The text table shows every entry but the unchanged ones (which it only counts), and is
 * printed a block of rows at a time (PlanTextTable), so a plan of 1,000,000 creates is not held either.
 */
export class PlanOutput {
  readonly counts: Record<PlanAction, number> = { create: 0, update: 0, drop: 0, 'drop-refused': 0, unchanged: 0, skip: 0, pending: 0 };
  /** Whether a VALIDATE of a planned create failed (plan then exits FAILED). */
  validateFailed = false;
  private batch: PlanEntry[] = [];
  private readonly table = new PlanTextTable();
  /** JSON: whether the document's start is out, and the last entry written (its comma waits for the next). */
  private started = false;
  private held: string | undefined;
  private readonly queue = new PQueue({ concurrency: 8 });
  private readonly validated = new Map<string, Promise<PlanEntry['validate']>>();

  constructor(
    private readonly json: boolean,
    /** Resolves once the text is taken (stdout's backpressure), so a long plan is not held in memory. */
    private readonly print: (text: string) => void | Promise<void>,
    private readonly polaris: PolarisInstances,
  ) {}

  add(entry: PlanEntry): void {
    this.batch.push(entry);
  }

  /** VALIDATEs the creates added since the last flush, counts the entries and writes them out. */
  async flush(): Promise<void> {
    const entries = this.batch;
    this.batch = [];
    await this.validateCreates(entries);
    for (const entry of entries) {
      this.counts[entry.action]++;
      if (entry.validate && !entry.validate.ok) this.validateFailed = true;
    }
    if (this.json) return this.writeJson(entries);
    for (const entry of entries) {
      if (entry.action === 'unchanged') continue;
      const block = this.table.add(textRow(entry));
      if (block !== undefined) await this.print(block);
    }
  }

  /** Writes what follows the entries: the counts, the errors and the targets (the whole text report). */
  async finish(errors: PlanReport['errors'], targets: PlanTarget[]): Promise<void> {
    await this.flush();
    if (!this.json) {
      await this.print(this.table.end(summaryLines(this.counts, errors, targets)));
      return;
    }
    await this.endJson({ counts: this.counts, errors, targets });
  }

  /**
   * After plan failed: a JSON document already begun on stdout is ended so that it still parses (CI
   * jobs parse it), with `error` saying what failed. It holds the entries written so far and their
   * counts (a batch still being planned is left out of both), and the errors and targets found so far.
   * Before the document was begun nothing is printed: the failure goes to stderr alone, as for any
   * command that fails.
   */
  async abandon(failure: PlanFailure, errors: PlanReport['errors'], targets: PlanTarget[]): Promise<void> {
    if (!this.json) {
      // Rows already printed are marked as a part, for a reader of stdout alone (a file, a CI log).
      const shown = this.table.rowsPrinted;
      if (shown > 0) await this.print(`\nplan stopped after ${shown} row(s) shown, before its end: ${failure.message}`);
      return;
    }
    if (!this.started) return;
    await this.endJson({ counts: this.counts, errors, targets, error: failure });
  }

  /** Writes the document's members after its entries (closing the entries array first). */
  private async endJson(members: Omit<PlanReport, 'entries'>): Promise<void> {
    // The document without its entries, from its second line on: `  "counts": …`.
    const tail = JSON.stringify(members, null, 2).slice(2);
    if (this.held === undefined) await this.print(`{\n  "entries": [],\n${tail}`);
    else await this.print(`${this.started ? '' : '{\n  "entries": [\n'}${this.held}\n  ],\n${tail}`);
  }

  private async writeJson(entries: readonly PlanEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += JSON_CHUNK) {
      const texts = entries.slice(i, i + JSON_CHUNK).map(entryJson);
      if (this.held !== undefined) texts.unshift(this.held);
      this.held = texts.pop();
      if (texts.length === 0) continue;
      const chunk = `${this.started ? '' : '{\n  "entries": [\n'}${texts.map((t) => `${t},`).join('\n')}`;
      this.started = true;
      await this.print(chunk);
    }
  }

  /** VALIDATE each distinct table location of the creates (a dry run: Polaris stores nothing). */
  private async validateCreates(entries: readonly PlanEntry[]): Promise<void> {
    const creates = entries.filter((e) => e.action === 'create' && e.metadataLocation && e.target);
    const keyOf = (entry: PlanEntry) => `${entry.polaris ?? DEFAULT_POLARIS}\u0000${entry.target!.catalog}\u0000${tableLocationOf(entry.metadataLocation!)}`;
    for (const entry of creates) {
      const target = entry.target!;
      const client = this.polaris.get(entry.polaris ?? DEFAULT_POLARIS)?.client;
      if (!client || this.validated.has(keyOf(entry))) continue;
      if (this.validated.size >= VALIDATED_KEPT) this.validated.delete(this.validated.keys().next().value!);
      this.validated.set(keyOf(entry), this.queue.add(() => validate(client, target, entry.metadataLocation!)) as Promise<PlanEntry['validate']>);
    }
    for (const entry of creates) entry.validate = (await this.validated.get(keyOf(entry))) ?? null;
  }
}

/** One entry as it appears inside the report's entries array (two levels deep). */
function entryJson(entry: PlanEntry): string {
  return JSON.stringify(entry, null, 2)
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
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

function textRow(e: PlanEntry): string[] {
  return [
    e.action,
    e.source,
    e.table,
    e.polarisTable === null ? '-' : e.polaris && e.polaris !== DEFAULT_POLARIS ? `${e.polaris}: ${e.polarisTable}` : e.polarisTable,
    e.validate ? (e.validate.ok ? 'ok' : 'FAILED') : '-',
    e.validate && !e.validate.ok ? `${e.validate.message}${e.validate.hint ? ` (hint: ${e.validate.hint})` : ''}` : (e.detail ?? ''),
  ];
}

/** The text report's lines after its table: the counts, the errors, each target's findings. */
function summaryLines(c: Record<PlanAction, number>, errors: PlanReport['errors'], targets: readonly PlanTarget[]): string[] {
  const lines: string[] = [];
  lines.push(
    `plan: ${c.create} to create, ${c.update} to update, ${c.drop} to drop, ${c.unchanged} unchanged, ${c.skip} skipped` +
      (c['drop-refused'] ? `, ${c['drop-refused']} drops refused by the mass-drop brake` : '') +
      (c.pending ? `, ${c.pending} pending from ingest` : ''),
  );
  for (const e of errors) lines.push(`${e.source}: ${e.message}`);
  for (const t of targets) {
    const label = `target ${t.polaris}/${t.catalog}`;
    if (!t.complete) lines.push(`${label}: not checked (${t.reason ?? 'the listing was incomplete'})`);
    if (t.refill.length > 0) lines.push(`${label}: ${t.refill.length} table(s) the ledger says were applied are missing and would be sent again: ${t.refill.slice(0, 20).join(', ')}`);
    if (t.orphanCount > 0) lines.push(`${label}: ${t.orphanCount} orphan(s) no source has (reported, never dropped): ${t.orphans.slice(0, 20).join(', ')}`);
  }
  return lines;
}
