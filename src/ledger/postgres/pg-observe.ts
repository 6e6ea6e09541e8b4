import type pg from 'pg';
import { joinNamespace } from '../../model/table.js';
import { perTarget } from '../../normalizer/normalize.js';
import { combineResults } from '../fan-out.js';
import type { ObservationBatch, ObserveResult } from '../ledger.js';
import { ownerCheckNeeded, planObservation, type TargetObservation } from '../observe-plan.js';
import type { TableRecord } from '../rows.js';
import { bulkable, ConcurrentInsert, storeBulk } from './pg-observe-bulk.js';
import { insertSql, SQL } from './pg-sql.js';
import { writeToExistingRow } from './pg-observe-write.js';


/**
 * Stores a batch inside the caller's transaction. Each table's row is locked (FOR UPDATE) before its
 * next timestamp is chosen, so two replicas never assign the same timestamp to a table and none goes
 * back: the second waits for the first's commit and builds on its row.
 */
export async function storeBatch(client: pg.PoolClient, batch: ObservationBatch, now: number): Promise<ObserveResult[]> {
  // Each target has its own row: the batch is stored as rows, then answered once per observation.
  const expanded = batch.observations.map(perTarget);
  const items = expanded.flat();
  const stored = bulkable(items) ? await storeBulk(client, items, now) : await storeOneByOne(client, items, now);
  let next = 0;
  const results = expanded.map((rows) => combineResults(rows.map(() => stored[next++]!)));
  if (batch.source !== undefined && batch.cursor !== undefined) await client.query(SQL.setCursor, [batch.source, batch.cursor, now]);
  if (batch.source !== undefined && batch.state !== undefined) {
    for (const [key, value] of Object.entries(batch.state)) {
      if (value === null) await client.query(SQL.deleteAdapterState, [batch.source, key]);
      else await client.query(SQL.setAdapterState, [batch.source, key, value]);
    }
  }
  return results;
}

async function storeOneByOne(client: pg.PoolClient, items: readonly TargetObservation[], now: number): Promise<ObserveResult[]> {
  const results: ObserveResult[] = [];
  for (const item of items) {
    const { source, target, polaris, observation: obs } = item;
    const existing = (await client.query<TableRecord>(SQL.byKeyForUpdate, [source, joinNamespace(obs.table.namespace), obs.table.name, polaris, target.catalog])).rows[0];
    let owner: string | undefined;
    if (ownerCheckNeeded(existing, item)) {
      owner = (await client.query<{ source: string }>(SQL.ownerOf, [target.catalog, joinNamespace(target.namespace), target.name, source, polaris])).rows[0]?.source;
    }
    const plan = planObservation(item, existing, owner, now);
    switch (plan.kind) {
      case 'stale':
        results.push('stale');
        break;
      case 'insert': {
        const { text, params } = insertSql('tables', { ...plan.values }, 'ON CONFLICT (source, src_namespace, src_name, polaris, catalog) DO NOTHING RETURNING id');
        if ((await client.query(text, params)).rowCount === 0) throw new ConcurrentInsert('another replica stored this table first');
        results.push(plan.result);
        break;
      }
      case 'change':
      case 'touch':
        results.push(await writeToExistingRow(client, plan, owner, now));
        break;
    }
  }
  return results;
}
