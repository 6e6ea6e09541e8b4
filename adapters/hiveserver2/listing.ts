import type { ListedItem } from '../../src/model/observation.js';
import { dottedName } from '../../src/model/table.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import type { HmsTable } from '../hive-log/catalog-records.js';
import { listedItem } from '../hive-log/listed-item.js';
import type { Hs2Catalog } from './hs2-catalog.js';

/**
 * The full listing over SQL: SHOW DATABASES, SHOW TABLES IN each, then SHOW TBLPROPERTIES for every
 * table in scope, `parallel` at a time (the client's sessions), in name order. `orderNow` is taken
 * first (with a change log: after every event up to the current id, see EventClock). Tables outside
 * the filters are reported without reading them. Any failure throws: a partial listing must never
 * look complete. A table or database dropped while being listed is left out, as it is gone.
 */
export async function* listHiveServer2(catalog: Hs2Catalog, orderNow: () => Promise<number>, filter: TableFilter, parallel: number, signal: AbortSignal): AsyncGenerator<ListedItem> {
  const order = await orderNow();
  const listedAt = Date.now();
  const databases = [...(await catalog.databases(signal))].sort();
  for (const db of databases) {
    const wanted: string[] = [];
    for (const name of [...(await catalog.tables(db, signal))].sort()) {
      const table = { namespace: [db], name };
      if (filter.acceptsTable(table)) wanted.push(name);
      else yield { kind: 'skipped', skipped: { table, reason: 'filtered', detail: `"${dottedName(table)}" is not matched by the include/exclude globs` } };
    }
    // A window of reads in flight keeps every session busy while memory stays bounded.
    const window = parallel * 4;
    for (let start = 0; start < wanted.length; start += window) {
      const reads = wanted.slice(start, start + window).map((name) => catalog.table(db, name, signal));
      // Settle every read before throwing, so no rejection is left unhandled.
      const settled = await Promise.allSettled(reads);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      for (const result of settled as Array<PromiseFulfilledResult<HmsTable | undefined>>) {
        if (result.value) yield listedItem(result.value, order, listedAt);
      }
    }
  }
}
