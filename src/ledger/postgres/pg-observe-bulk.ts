import type pg from 'pg';
import { joinNamespace } from '../../model/table.js';
import type { ObserveResult } from '../ledger.js';
import { ownerCheckNeeded, planObservation, type InsertValues, type TargetObservation } from '../observe-plan.js';
import type { TableRecord } from '../rows.js';
import { SQL } from './pg-sql.js';
import { writeToExistingRow } from './pg-observe-write.js';

/** Another replica inserted one of these tables first: the transaction runs again (and sees its row). */
export class ConcurrentInsert extends Error {
  readonly code = '23505';
}

/** A row's key: the source table on one target (instance and catalog). */
const keyOf = (source: string, namespace: string, name: string, polaris: string, catalog: string) =>
  `${source}\u0000${namespace}\u0000${name}\u0000${polaris}\u0000${catalog}`;
const itemKey = (item: TargetObservation) =>
  keyOf(item.source, joinNamespace(item.observation.table.namespace), item.observation.table.name, item.polaris, item.target.catalog);
/** A Polaris table on one instance, for the owner lookup. */
const ownerKey = (polaris: string, catalog: string, namespace: string, name: string) => `${polaris}\u0000${catalog}\u0000${namespace}\u0000${name}`;

/**
 * Whether a batch can be stored with a few set-wise statements: one source, each table once (a table
 * seen twice builds on its own first change, which the one-by-one path handles).
 */
export function bulkable(items: readonly TargetObservation[]): boolean {
  if (items.length < 2) return false;
  const keys = new Set(items.map(itemKey));
  return keys.size === items.length && new Set(items.map((i) => i.source)).size === 1;
}

/**
 * Stores a batch in a handful of round trips instead of three per table: every existing row locked at
 * once (in id order, so replicas lock in the same order), the owners looked up at once, the new rows
 * in one INSERT; changed rows are updated one by one. Same plans as one by one (observe-plan.ts).
 */
export async function storeBulk(client: pg.PoolClient, items: readonly TargetObservation[], now: number): Promise<ObserveResult[]> {
  const source = items[0]!.source;
  const namespaces = items.map((i) => joinNamespace(i.observation.table.namespace));
  const names = items.map((i) => i.observation.table.name);
  const existing = new Map(
    (
      await client.query<TableRecord>(
        `SELECT * FROM tables WHERE source = $1
          AND (src_namespace, src_name, polaris, catalog) IN (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])) ORDER BY id FOR UPDATE`,
        [source, namespaces, names, items.map((i) => i.polaris), items.map((i) => i.target.catalog)],
      )
    ).rows.map((r) => [keyOf(r.source, r.src_namespace, r.src_name, r.polaris ?? 'default', r.catalog), r]),
  );
  const needOwner = items.filter((item) => ownerCheckNeeded(existing.get(itemKey(item)), item));
  const owners = new Map<string, string>();
  if (needOwner.length > 0) {
    const targets = needOwner.map((i) => i.target);
    const rows = await client.query<{ polaris: string; catalog: string; namespace: string; name: string; source: string }>(
      `SELECT polaris, catalog, namespace, name, source FROM tables
        WHERE (polaris, catalog, namespace, name) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])) AND source <> $5
          AND owner_conflict IS NULL AND (desired_state = 'present' OR applied_state = 'present')`,
      [needOwner.map((i) => i.polaris), targets.map((t) => t.catalog), targets.map((t) => joinNamespace(t.namespace)), targets.map((t) => t.name), source],
    );
    for (const r of rows.rows) owners.set(ownerKey(r.polaris, r.catalog, r.namespace, r.name), r.source);
  }

  const results: ObserveResult[] = [];
  const inserts: InsertValues[] = [];
  for (const item of items) {
    const row = existing.get(itemKey(item));
    // The owners were looked up for every table at once; a plan is told of one only when it asks.
    const owner = ownerCheckNeeded(row, item) ? owners.get(ownerKey(item.polaris, item.target.catalog, joinNamespace(item.target.namespace), item.target.name)) : undefined;
    const plan = planObservation(item, row, owner, now);
    switch (plan.kind) {
      case 'stale':
        results.push('stale');
        break;
      case 'insert':
        inserts.push(plan.values);
        results.push(plan.result);
        break;
      case 'change':
      case 'touch':
        results.push(await writeToExistingRow(client, plan, owner, now));
        break;
    }
  }
  if (inserts.length > 0) await insertAll(client, inserts);
  return results;
}

/** One INSERT of every new row (columns as arrays); fewer rows back than sent means another replica won a race. */
async function insertAll(client: pg.PoolClient, rows: readonly InsertValues[]): Promise<void> {
  const columns = Object.keys(rows[0]!) as Array<keyof InsertValues>;
  const types: Record<string, string> = {
    desired_order: 'bigint[]',
    desired_source_time: 'bigint[]',
    desired_timestamp: 'bigint[]',
    desired_confirmed: 'int[]',
    last_timestamp: 'bigint[]',
    updated_at: 'bigint[]',
  };
  const params = columns.map((c) => rows.map((r) => r[c]));
  const text = `INSERT INTO tables (${columns.join(', ')})
    SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${types[c] ?? 'text[]'}`).join(', ')})
    ON CONFLICT (source, src_namespace, src_name, polaris, catalog) DO NOTHING`;
  const result = await client.query(text, params);
  if (result.rowCount !== rows.length) throw new ConcurrentInsert('another replica stored one of these tables first');
}
