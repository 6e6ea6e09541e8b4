import type pg from 'pg';
import { PG_MIGRATIONS } from './pg-migrations.js';

/** One key for every polaris-mirror: replicas starting at once take turns, and only the first migrates. */
const MIGRATION_LOCK = 0x706f6c6d; // "polm"

/**
 * Creates the schema when missing and applies the migrations the database has not seen, in one
 * transaction under an advisory lock: replicas starting together on an empty database wait for the
 * first, then find nothing left to do.
 */
export async function migrate(client: pg.PoolClient, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const row = (await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")).rows[0];
    const version = row ? Number(row.value) : 0;
    if (version > PG_MIGRATIONS.length) {
      throw new Error(
        `the ledger was written by a newer polaris-mirror (schema ${version}, this version knows ${PG_MIGRATIONS.length}); upgrade polaris-mirror or point state.url (or state.schema) elsewhere`,
      );
    }
    for (let v = version; v < PG_MIGRATIONS.length; v++) {
      await client.query(PG_MIGRATIONS[v]!);
      await client.query(
        "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [String(v + 1)],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
