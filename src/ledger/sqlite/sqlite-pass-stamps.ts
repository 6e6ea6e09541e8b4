import type Database from 'better-sqlite3';
import { joinNamespace, splitNamespace, type SourceTable } from '../../model/table.js';
import type { UnseenCounts, UnseenTable } from '../pass-stamps.js';

// What a pass is measured against: the tables the source still wants (see wantedRows in drop-brake.ts).
// A DROP already decided (desired absent, still in Polaris) is neither counted nor decided again.
const WANTED = `owner_conflict IS NULL AND desired_state = 'present'`;
const UNSEEN = '(seen_pass IS NULL OR seen_pass < @stamp)';

/** The SQLite side of PassStamps (see pass-stamps.ts); the caller runs markSeen in a transaction. */
export class SqlitePassStamps {
  private readonly mark: Database.Statement;
  private readonly counts: Database.Statement;
  private readonly page: Database.Statement;

  constructor(db: Database.Database) {
    // One statement per batch (a pass batch is hundreds of tables): each listed table is a seek of the
    // (source, src_namespace, src_name, …) key, covering every target's row. Only rows stamped lower
    // are written: a second listing of the same table costs a read, not a write.
    this.mark = db.prepare(`UPDATE tables SET seen_pass = @stamp WHERE id IN (
        SELECT t.id FROM json_each(@keys) AS j CROSS JOIN tables AS t
        WHERE t.source = @source AND t.src_namespace = j.value ->> 0 AND t.src_name = j.value ->> 1)
      AND ${UNSEEN}`);
    // Both walk a span of rowids (`+source` keeps SQLite off the (source, …) index), so the caller
    // can read 1,000,000 rows a span at a time and give the event loop back in between.
    this.counts = db.prepare(`SELECT COUNT(*) AS mirrored, COALESCE(SUM(${UNSEEN}), 0) AS unseen
      FROM tables WHERE +source = @source AND ${WANTED} AND id > @after AND id <= @until`);
    this.page = db.prepare(`SELECT id, src_namespace, src_name FROM tables
      WHERE +source = @source AND ${WANTED} AND ${UNSEEN} AND id > @after AND id <= @until ORDER BY id LIMIT @limit`);
  }

  markSeen(source: string, tables: readonly SourceTable[], stamp: number): void {
    if (tables.length === 0) return;
    const keys = JSON.stringify(tables.map((table) => [joinNamespace(table.namespace), table.name]));
    this.mark.run({ stamp, source, keys });
  }

  /** The counts over rows with afterId < id <= untilId. */
  unseenCounts(source: string, stamp: number, afterId: number, untilId: number): UnseenCounts {
    const row = this.counts.get({ source, stamp, after: afterId, until: untilId }) as { mirrored: number; unseen: number };
    return { mirrored: row.mirrored, unseen: row.unseen };
  }

  /** Up to limit unseen rows with afterId < id <= untilId, by id. */
  unseenTables(source: string, stamp: number, afterId: number, untilId: number, limit: number): UnseenTable[] {
    const rows = this.page.all({ source, stamp, after: afterId, until: untilId, limit }) as Array<{ id: number; src_namespace: string; src_name: string }>;
    return rows.map((r) => ({ id: r.id, table: { namespace: splitNamespace(r.src_namespace), name: r.src_name } }));
  }
}
