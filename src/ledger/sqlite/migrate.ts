import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/** Applies the migrations a ledger file has not seen yet, in one transaction. */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const version = row ? Number(row.value) : 0;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `the ledger was written by a newer polaris-mirror (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade polaris-mirror or point state.path elsewhere`,
    );
  }
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) {
      const migration = MIGRATIONS[v]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(v + 1));
    }
  })();
}
