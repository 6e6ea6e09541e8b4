import Database from 'better-sqlite3';
import { compareBytewise } from './sorted-merge.js';

/** Names held in memory before they move to disk: about 10 MB of short names. */
export const NAMES_IN_MEMORY = 100_000;

/** Names read back from disk per query, in order. */
const NAMES_PER_READ = 1000;

/**
 * One namespace's table names from a target's listing, unique and read back in bytewise order for the
 * merge with the ledger (sorted-merge.ts). A namespace can hold a million tables, and Polaris promises no
 * order, so its names must be kept somewhere until the listing ends: in memory while few, then in a
 * private temporary SQLite database on disk (deleted when closed), whose BINARY collation is the same
 * bytewise order. Memory then holds at most NAMES_IN_MEMORY names and a page of the listing, whatever
 * the namespace's size.
 */
export class ListedNames {
  private memory: Set<string> | undefined = new Set();
  private disk: { db: Database.Database; insert: (names: readonly string[]) => void; count: Database.Statement; first: Database.Statement; after: Database.Statement } | undefined;

  constructor(private readonly inMemoryAtMost = NAMES_IN_MEMORY) {}

  add(names: readonly string[]): void {
    if (this.memory) {
      for (const name of names) this.memory.add(name);
      if (this.memory.size > this.inMemoryAtMost) this.spill();
      return;
    }
    this.disk!.insert(names);
  }

  get size(): number {
    return this.memory ? this.memory.size : (this.disk!.count.pluck().get() as number);
  }

  /** Whether the names went to disk (more than `inMemoryAtMost`). */
  get onDisk(): boolean {
    return this.disk !== undefined;
  }

  /** Every name once, in bytewise order (UTF-8 bytes, as the ledger orders them). */
  *sorted(): Generator<string> {
    if (this.memory) {
      yield* [...this.memory].sort(compareBytewise);
      return;
    }
    let page: string[] = this.disk!.first.pluck().all(NAMES_PER_READ) as string[];
    while (page.length > 0) {
      yield* page;
      if (page.length < NAMES_PER_READ) return;
      page = this.disk!.after.pluck().all(page.at(-1)!, NAMES_PER_READ) as string[];
    }
  }

  close(): void {
    this.disk?.db.close();
    this.disk = undefined;
    this.memory = new Set();
  }

  private spill(): void {
    const db = new Database('');
    db.exec('CREATE TABLE names (name TEXT PRIMARY KEY) WITHOUT ROWID');
    const insertOne = db.prepare('INSERT OR IGNORE INTO names (name) VALUES (?)');
    const insert = db.transaction((names: readonly string[]) => {
      for (const name of names) insertOne.run(name);
    });
    const first = db.prepare('SELECT name FROM names ORDER BY name LIMIT ?');
    const after = db.prepare('SELECT name FROM names WHERE name > ? ORDER BY name LIMIT ?');
    this.disk = { db, insert, count: db.prepare('SELECT COUNT(*) FROM names'), first, after };
    insert([...this.memory!]);
    this.memory = undefined;
  }
}
