import type { DueQuery } from '../ledger.js';

/**
 * The due-rows query for the filters a DueQuery sets, and its parameters. Only the filters set are in
 * the SQL: a filter made optional in SQL (`@x IS NULL OR …`) still builds its json_each list on every
 * run, which tripled the cost of the dispatcher's most frequent query. The unary + keeps SQLite on the
 * tables_due index (ordered by next attempt), whatever the other filters.
 */
export function dueRowsSql(query: DueQuery): { sql: string; params: unknown[] } {
  const where = [`status <> 'in_sync' AND owner_conflict IS NULL AND next_attempt_at <= ?`];
  const params: unknown[] = [query.now];
  if (query.sources) {
    where.push('+source IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.sources));
  }
  if (query.polaris !== undefined && query.configured) {
    where.push('(+polaris = ? OR +polaris NOT IN (SELECT value FROM json_each(?)))');
    params.push(query.polaris, JSON.stringify(query.configured));
  } else if (query.polaris !== undefined) {
    where.push('+polaris = ?');
    params.push(query.polaris);
  }
  if (query.excluding && query.excluding.length > 0) {
    where.push('+id NOT IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.excluding));
  }
  params.push(query.limit);
  return { sql: `SELECT * FROM tables WHERE ${where.join(' AND ')} ORDER BY next_attempt_at, id LIMIT ?`, params };
}
