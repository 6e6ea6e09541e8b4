import Database from 'better-sqlite3';
import { rowKey } from '../../engine/drop-brake.js';
import type { SourceTable } from '../../model/table.js';

/**
 * The tables a plan's listing returned, kept in a private temporary SQLite database on disk (deleted
 * when closed) instead of a Set in memory: a listing of 1,000,000 tables costs pages of a file, not
 * hundreds of MB of strings. It is plan's own, not the ledger's: plan writes nothing to the ledger (a
 * read-only SQLite open or a PostgreSQL replica user could not), and it works the same for both ledgers.
 */
export class ListedTables {
  private readonly db = new Database('');
  private readonly insert: Database.Statement;
  private readonly listedOf: Database.Statement;
  private readonly addAll: (keys: readonly string[]) => void;

  constructor() {
    this.db.exec('CREATE TABLE listed (key TEXT PRIMARY KEY) WITHOUT ROWID');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO listed (key) VALUES (?)');
    this.listedOf = this.db.prepare('SELECT j.value AS key FROM json_each(?) AS j CROSS JOIN listed AS l ON l.key = j.value').pluck();
    this.addAll = this.db.transaction((keys: readonly string[]) => {
      for (const key of keys) this.insert.run(key);
    });
  }

  add(tables: readonly SourceTable[]): void {
    this.addAll(tables.map(rowKey));
  }

  /** The keys (rowKey) of those of these tables that were listed. */
  listed(tables: readonly SourceTable[]): Set<string> {
    if (tables.length === 0) return new Set();
    return new Set(this.listedOf.all(JSON.stringify(tables.map(rowKey))) as string[]);
  }

  close(): void {
    this.db.close();
  }
}
