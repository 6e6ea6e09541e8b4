// The PostgreSQL side of PassStamps (see ../pass-stamps.ts), as statements the ledger runs.
// What a pass is measured against: the tables the source still wants (see wantedRows in drop-brake.ts).
// A DROP already decided (desired absent, still in Polaris) is neither counted nor decided again.
const WANTED = `owner_conflict IS NULL AND desired_state = 'present'`;

export const PASS_STAMP_SQL = {
  /** $1 source, $2 stamp, $3 namespaces, $4 names. Rows already stamped as high are not written. */
  markSeen: `WITH seen AS (
        SELECT t.id FROM tables t JOIN unnest($3::text[], $4::text[]) AS k(ns, name)
          ON t.src_namespace = k.ns AND t.src_name = k.name
        WHERE t.source = $1 AND (t.seen_pass IS NULL OR t.seen_pass < $2)
        -- rows locked in id order, as every other batch write does, so replicas cannot deadlock
        ORDER BY t.id FOR UPDATE OF t)
      UPDATE tables SET seen_pass = $2 WHERE id IN (SELECT id FROM seen)`,
  /** $1 source, $2 stamp. */
  unseenCounts: `SELECT COUNT(*)::bigint AS mirrored,
        COUNT(*) FILTER (WHERE seen_pass IS NULL OR seen_pass < $2)::bigint AS unseen
      FROM tables WHERE source = $1 AND ${WANTED}`,
  /** $1 source, $2 stamp, $3 after id, $4 limit. */
  unseenTables: `SELECT id, src_namespace, src_name FROM tables
      WHERE source = $1 AND ${WANTED} AND (seen_pass IS NULL OR seen_pass < $2) AND id > $3
      ORDER BY id LIMIT $4`,
};
