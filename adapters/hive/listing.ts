import type { ListedItem } from '../../src/model/observation.js';
import { dottedName } from '../../src/model/table.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import type { EventClock } from '../hive-log/event-clock.js';
import { listedItem } from '../hive-log/listed-item.js';
import type { HmsClient } from './metastore/hms-client.js';
import { HmsException } from './metastore/results.js';
import type { HmsTable } from '../hive-log/catalog-records.js';

/** Table objects fetched per get_table_objects_by_name_req (Hive's own batch default is 300). */
const TABLES_PER_CALL = 100;

/**
 * The full listing: get_all_databases, get_all_tables per database, then the table objects in
 * batches. A database is one namespace level, a table keeps its name. The current event id is read
 * first: every observation is ordered after the events up to it (see EventClock). Tables outside the
 * filters are reported as filtered without fetching them. Any failure throws: a partial listing must
 * never look complete.
 */
export async function* listMetastore(client: HmsClient, clock: EventClock, filter: TableFilter, signal: AbortSignal): AsyncGenerator<ListedItem> {
  const order = clock.orderOfReadAfter(await client.currentNotificationEventId(signal));
  const listedAt = Date.now();
  const databases = [...(await client.allDatabases(signal))].sort();
  for (const db of databases) {
    const wanted: string[] = [];
    for (const name of await tablesOf(client, db, signal)) {
      const table = { namespace: [db], name };
      if (filter.acceptsTable(table)) wanted.push(name);
      else yield { kind: 'skipped', skipped: { table, reason: 'filtered', detail: `"${dottedName(table)}" is not matched by the include/exclude globs` } };
    }
    for (let start = 0; start < wanted.length; start += TABLES_PER_CALL) {
      let tables: HmsTable[];
      try {
        tables = await client.tablesByName(db, wanted.slice(start, start + TABLES_PER_CALL), signal);
      } catch (error) {
        // Dropped while being listed: its tables are gone, which is what leaving them out says.
        if (error instanceof HmsException && error.notFound) break;
        throw error;
      }
      for (const table of tables) yield listedItem(table, order, listedAt);
    }
  }
}

/** A database's table names, sorted; none when it was dropped meanwhile. */
async function tablesOf(client: HmsClient, db: string, signal: AbortSignal): Promise<string[]> {
  try {
    return [...(await client.allTables(db, signal))].sort();
  } catch (error) {
    if (error instanceof HmsException && error.notFound) return [];
    throw error;
  }
}
