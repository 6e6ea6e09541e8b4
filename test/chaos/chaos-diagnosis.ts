// What a chaos run that ends divergent knows about each divergent table, printed with the failed
// assertion: a run that fails once in many (on another machine, in CI) must carry its own evidence,
// since its directory, ledger and emulators are gone by the time anyone reads the failure.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MirrorConfig } from '../../src/config/schema.js';
import { openLedgerForReading } from '../../src/ledger/open-ledger.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import type { HistoryEntry } from '../emulators/polaris/types.js';

/** Lines kept per table from each source of evidence (the newest). */
const KEEP = 12;

export interface DivergentTable {
  /** "ns.t" as the source names it. */
  readonly key: string;
  /** What the source did to it: "+" present, "-" absent, ms since the run began. */
  readonly timeline: ReadonlyArray<{ at: number; present: boolean }>;
  /** Each target's notification history of the table, by target label. */
  readonly histories: Readonly<Record<string, readonly HistoryEntry[]>>;
}

/**
 * One block per divergent table: the source's timeline, each target's notification history, the
 * ledger's rows (read after the daemons stopped) and the daemon log's lines that name the table.
 */
export async function diagnose(tables: readonly DivergentTable[], state: MirrorConfig['state'], daemonLog: string, startedAt: number): Promise<string> {
  if (tables.length === 0) return '';
  const rows = await ledgerRows(state, tables.map((t) => t.key));
  const logLines = await linesNaming(daemonLog, tables.map((t) => t.key));
  const since = (at: number) => `+${((at - startedAt) / 1000).toFixed(1)}s`;
  const blocks = tables.map((table) => {
    const lines = [`== ${table.key}`];
    lines.push(`source: ${table.timeline.slice(-KEEP).map((e) => `${e.present ? '+' : '-'}${since(e.at)}`).join(' ')}`);
    for (const [target, history] of Object.entries(table.histories)) {
      lines.push(`${target} history:`);
      for (const h of history.slice(-KEEP)) lines.push(`  ${since(h.at)} ${h.type} ${h.status} ts=${h.timestamp} ${h.metadataLocation.split('/').pop()}`);
    }
    lines.push('ledger rows:');
    for (const row of rows.get(table.key) ?? []) lines.push(`  ${describeRow(row, since)}`);
    lines.push('daemon log:');
    for (const line of logLines.get(table.key) ?? []) lines.push(`  ${line}`);
    return lines.join('\n');
  });
  return blocks.join('\n');
}

/**
 * The newest KEEP lines of the daemon log naming each key (as a whole name: ns1.t1 is not ns1.t10),
 * each cut to 600 characters. Read line by line: a full run's log at info level is large.
 */
async function linesNaming(file: string, keys: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>(keys.map((key) => [key, []]));
  const patterns = keys.map((key) => [key, new RegExp(`(^|[^\\w])${key.replaceAll('.', '\\.')}($|[^\\w])`)] as const);
  try {
    for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      for (const [key, pattern] of patterns) {
        if (!pattern.test(line)) continue;
        const kept = found.get(key)!;
        kept.push(line.slice(0, 600));
        if (kept.length > KEEP) kept.shift();
      }
    }
  } catch (error) {
    for (const kept of found.values()) kept.push(`(daemon log unreadable: ${(error as Error).message})`);
  }
  return found;
}

async function ledgerRows(state: MirrorConfig['state'], keys: readonly string[]): Promise<Map<string, MirrorRow[]>> {
  const found = new Map<string, MirrorRow[]>();
  const ledger = await openLedgerForReading(state).catch(() => undefined);
  if (!ledger) return found;
  try {
    for (const key of keys) found.set(key, await ledger.rowsNamed(key).catch(() => []));
  } finally {
    await ledger.close().catch(() => undefined);
  }
  return found;
}

function describeRow(row: MirrorRow, since: (at: number) => string): string {
  const file = (location: string | null) => location?.split('/').pop() ?? 'null';
  return [
    `${row.polaris}/${row.target.catalog} ${row.status}${row.failureTransient ? ' (transient)' : ''}`,
    `desired ${row.desired.state} ${file(row.desired.metadataLocation)} ts=${row.desired.timestamp}`,
    `applied ${row.applied.state} ${file(row.applied.metadataLocation)} ts=${row.applied.timestamp} at=${row.applied.at === null ? 'null' : since(row.applied.at)}`,
    `sent ${file(row.sentLocation)} last_ts=${row.lastTimestamp} attempts=${row.attempts}`,
    `next=${row.nextAttemptAt === 0 ? 0 : since(row.nextAttemptAt)} updated=${since(row.updatedAt)} error=${row.lastError ?? 'none'}`,
  ].join(' | ');
}
