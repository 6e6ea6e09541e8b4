import { DB_NOW } from './pg-sql.js';

/**
 * Named leases on the database's clock. Taking succeeds when the lease is free, expired, or already
 * ours (a renewal); `acquired_at` stays while the same replica keeps renewing.
 */
export const LEASE_SQL = {
  take: `INSERT INTO leases (name, holder, acquired_at, heartbeat_at, expires_at)
      VALUES ($1, $2, ${DB_NOW}, ${DB_NOW}, ${DB_NOW} + $3)
      ON CONFLICT (name) DO UPDATE SET
        holder = EXCLUDED.holder,
        acquired_at = CASE WHEN leases.holder = EXCLUDED.holder THEN leases.acquired_at ELSE EXCLUDED.acquired_at END,
        heartbeat_at = EXCLUDED.heartbeat_at,
        expires_at = EXCLUDED.expires_at
      WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= EXCLUDED.heartbeat_at
      RETURNING holder`,
  drop: 'DELETE FROM leases WHERE name = $1 AND holder = $2',
  list: `SELECT name, holder, acquired_at, heartbeat_at, expires_at, expires_at > ${DB_NOW} AS live FROM leases ORDER BY name`,
} as const;

export interface LeaseRecord {
  name: string;
  holder: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
  live: boolean;
}
