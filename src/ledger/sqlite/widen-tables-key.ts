import type Database from 'better-sqlite3';

const OLD_KEY = /UNIQUE\s*\(\s*source\s*,\s*src_namespace\s*,\s*src_name\s*\)/;
const NEW_KEY = 'UNIQUE (source, src_namespace, src_name, polaris, catalog)';

/**
 * One row per (source table, target) from now on: the `tables` key gains the Polaris instance and
 * catalog. SQLite cannot alter a UNIQUE constraint, so the table is rebuilt the way SQLite documents
 * (create the new shape, copy, drop, rename, recreate the indexes). The new shape is derived from the
 * stored definition, so columns other migrations added before this one are carried over as they are.
 */
export function widenTablesKey(db: Database.Database): void {
  const definition = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tables'").pluck().get() as string;
  if (!OLD_KEY.test(definition)) throw new Error('the ledger\'s tables definition has no (source, src_namespace, src_name) key to widen');
  const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tables' AND sql IS NOT NULL").pluck().all() as string[];
  const columns = (db.prepare('PRAGMA table_info(tables)').all() as Array<{ name: string }>).map((c) => `"${c.name}"`).join(', ');
  db.exec(definition.replace(OLD_KEY, NEW_KEY).replace(/^CREATE TABLE\s+"?tables"?/, 'CREATE TABLE tables_widened'));
  db.exec(`INSERT INTO tables_widened (${columns}) SELECT ${columns} FROM tables`);
  db.exec('DROP TABLE tables');
  db.exec('ALTER TABLE tables_widened RENAME TO tables');
  for (const index of indexes) db.exec(index);
}
