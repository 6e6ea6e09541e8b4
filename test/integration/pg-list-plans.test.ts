// The PostgreSQL ledger's failed and retrying lists (status, the console), its redrive of failed
// tables and the dispatcher's claim of due tables must be answered by their partial indexes (the SQLite
// ledger's lists are pinned in test/unit/sqlite-list-plans.test.ts). A WHERE clause that no longer
// implies its index's predicate, or an ORDER BY the index does not give, makes PostgreSQL scan or sort
// the whole table without a word: at 1,000,000 rows, seconds per read, or per dispatcher turn.
// PostgreSQL plans by statistics, so the table holds enough rows (mostly pending, a few failed or
// waiting to retry, as in a first sync of a large catalog) and is analyzed, as autovacuum would.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLedger } from '../../src/ledger/postgres/pg-ledger.js';
import { SQL } from '../../src/ledger/postgres/pg-sql.js';
import { dropSchema, freshSchema, sharedPostgresUrl } from '../support/postgres-server.js';

const ROWS = 20_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** A plan's nodes in a line, for the failure message: each node's type and index or table. */
function outline(nodes: readonly PlanNode[]): string {
  return JSON.stringify(nodes.map((n) => [n['Node Type'], n['Index Name'] ?? n['Relation Name']]));
}

describe('PostgreSQL: the failed and retrying lists and the due claim read through their indexes', () => {
  const schema = freshSchema('plans');
  let client: pg.Client;
  beforeAll(async () => {
    const ledger = new PostgresLedger({ url: sharedPostgresUrl(), schema });
    await ledger.ready();
    await ledger.close();
    client = new pg.Client({ connectionString: sharedPostgresUrl() });
    await client.connect();
    await client.query(`SET search_path = ${schema}`);
    // Every 1,000th table failed, every 1,000th (offset by 500) pending after a failed attempt.
    await client.query(
      `INSERT INTO tables (source, src_namespace, src_name, catalog, namespace, name, desired_state, desired_location,
         desired_order, desired_source_time, desired_timestamp, last_timestamp, status, last_error, next_attempt_at, updated_at)
       SELECT 'lake', 'ns' || (i % 20), 't' || i, 'lake_mirror', 'ns' || (i % 20), 't' || i, 'present',
         's3://lake/ns' || (i % 20) || '/t' || i || '/metadata/00001-a.metadata.json', 1, 1, 1, 1,
         CASE WHEN i % 1000 = 0 THEN 'failed' ELSE 'pending' END,
         CASE WHEN i % 1000 IN (0, 500) THEN 'refused' END, i, i
       FROM generate_series(1, $1::int) AS i`,
      [ROWS],
    );
    await client.query('ANALYZE tables');
  });
  afterAll(async () => {
    await client?.end();
    await dropSchema(schema);
  });

  const plan = async (sql: string, params: unknown[]): Promise<PlanNode[]> => {
    const result = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return nodesOf(result.rows[0]!['QUERY PLAN'][0]!.Plan);
  };

  it.each([
    ['failedOfSource', 'tables_failed', ['lake', 1000]],
    ['retryingOfSource', 'tables_retrying', ['lake', 1000]],
    ['failedPageForUpdate', 'tables_failed', ['lake', 5000, 7, 20_000, 1000]],
    ['failedUntil', 'tables_failed', ['lake']],
    ['failedSources', 'tables_failed', []],
  ] as const)('%s uses %s and never scans the table', async (name, index, params) => {
    const nodes = await plan(SQL[name], [...params]);
    const shown = outline(nodes);
    expect(nodes.some((n) => n['Index Name'] === index), shown).toBe(true);
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan'), shown).toEqual([]);
  });

  it("the dispatcher's claim of due tables walks tables_due in its order and stops at the batch", async () => {
    // Every seeded row is due (a first sync of a large catalog): the claim must take the first 16 in
    // next-attempt order from the index, not sort every row not in sync at each dispatcher turn.
    const params = ['replica-a', 30_000, Number.MAX_SAFE_INTEGER, null, 16, 'default', null, []];
    const nodes = await plan(SQL.claimDue, params);
    const shown = outline(nodes);
    expect(nodes.some((n) => n['Index Name'] === 'tables_due'), shown).toBe(true);
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' || n['Node Type'] === 'Sort'), shown).toEqual([]);
  });

  it('the lists return what the seeded table holds (the plans above are of working statements)', async () => {
    expect((await client.query(SQL.failedOfSource, ['lake', 1000])).rows).toHaveLength(ROWS / 1000);
    expect((await client.query(SQL.retryingOfSource, ['lake', 1000])).rows).toHaveLength(ROWS / 1000);
  });
});
