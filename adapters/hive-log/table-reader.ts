import type { AbsentObservation, PresentObservation } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import { MirrorError } from '../../src/util/errors.js';
import { classifyTable, type TableKind } from './iceberg-table.js';
import type { TableLookup } from './log-reader.js';

export type TableRead = TableKind | { readonly kind: 'absent' };

/**
 * One source table, read fresh. Absent only on a definite not-found answer (a permission error or an
 * outage throws): a Hive table has exactly one namespace level, its database.
 */
export async function readTableKind(lookup: TableLookup, table: SourceTable, signal?: AbortSignal): Promise<TableRead> {
  if (table.namespace.length !== 1) return { kind: 'absent' };
  const found = await lookup.table(table.namespace[0]!, table.name, signal);
  return found ? classifyTable(found) : { kind: 'absent' };
}

/**
 * A fresh observation of one table (SourceAdapter.read: before a DROP, after a stale 409). `orderNow`
 * gives its order, taken before the read (with a log: after every event up to the current event id,
 * see EventClock). A table that exists but is not (or no longer) a mirrorable Iceberg table is not
 * "absent": that throws, so it is never dropped.
 */
export async function observeTable(lookup: TableLookup, orderNow: () => Promise<number>, table: SourceTable, signal?: AbortSignal): Promise<PresentObservation | AbsentObservation> {
  const order = await orderNow();
  const read = await readTableKind(lookup, table, signal);
  const now = Date.now();
  if (read.kind === 'absent') return { table, state: 'absent', confirmed: true, order, sourceTimeMs: now };
  if (read.kind === 'iceberg') {
    return { table, state: 'present', metadataLocation: read.metadataLocation, tableUuid: read.tableUuid, order, sourceTimeMs: read.lastDdlTimeMs ?? now };
  }
  const why = read.kind === 'skip' ? read.detail : 'it has no metadata_location parameter';
  throw new MirrorError(`${table.namespace.join('.')}.${table.name} exists in the metastore but cannot be mirrored: ${why}`, {
    retryable: false,
    hint: 'the table is not dropped while it exists in the metastore; exclude it, or drop it in Polaris by hand',
  });
}
