import type Database from 'better-sqlite3';

/**
 * Reads a statement's rows as plain records, faster than better-sqlite3's own objects: it sets each
 * column of each row through V8's C++ API (about 18 µs for a 37-column `tables` row, the dispatcher's
 * largest cost per table), while a raw row (an array) and a JS object literal of a fixed shape cost a
 * third of that. The literal is built once per statement from its column names, which come from the
 * ledger's own schema, never from input.
 */
export function rawRecords<T>(statement: Database.Statement): (...params: unknown[]) => T[] {
  statement.raw(true);
  const columns = statement.columns().map((column) => column.name);
  if (columns.some((name) => !/^[a-z_][a-z0-9_]*$/i.test(name))) throw new Error(`unexpected column names: ${columns.join(', ')}`);
  const toRecord = new Function('v', `return { ${columns.map((name, i) => `${name}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => T;
  return (...params) => (statement.all(...params) as unknown[][]).map(toRecord);
}
