import type { ListedItem } from '../../src/model/observation.js';
import { dottedName } from '../../src/model/table.js';
import type { HmsTable } from './catalog-records.js';
import { classifyTable } from './iceberg-table.js';

/** A listed table as the engine takes it: an observation of an Iceberg table, or a skip with its reason. */
export function listedItem(hms: HmsTable, order: number, listedAt: number): ListedItem {
  const table = { namespace: [hms.dbName], name: hms.tableName };
  const kind = classifyTable(hms);
  if (kind.kind === 'skip') return { kind: 'skipped', skipped: { table, reason: kind.reason, detail: kind.detail } };
  if (kind.kind === 'iceberg-without-location') {
    return { kind: 'skipped', skipped: { table, reason: 'no-metadata-location', detail: `${dottedName(table)} is an Iceberg table without metadata_location` } };
  }
  return {
    kind: 'observation',
    observation: { table, state: 'present', metadataLocation: kind.metadataLocation, tableUuid: kind.tableUuid, order, sourceTimeMs: kind.lastDdlTimeMs ?? listedAt },
  };
}
