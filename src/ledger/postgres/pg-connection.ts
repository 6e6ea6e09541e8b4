import { readFileSync } from 'node:fs';
import pg from 'pg';

export interface PgLedgerOptions {
  /** postgresql://user:password@host:port/database */
  readonly url: string;
  /** Schema of the ledger's tables (default public). */
  readonly schema?: string;
  /** CA to verify the server against, host name included (verify-full). */
  readonly caFile?: string;
  /** A command that only reads (status, plan): no migrations, nothing written. */
  readonly readonly?: boolean;
}

/** Bounds on every connection: a database that does not answer must not hang a replica. */
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 30_000;
const POOL_SIZE = 8;

/** The URL as it may be shown: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

/** BIGINT columns hold milliseconds and ids, well inside a double's exact range: read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(options: PgLedgerOptions, onIdleError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    keepAlive: true,
    application_name: 'polaris-mirror',
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    ssl: options.caFile ? { ca: readFileSync(options.caFile, 'utf8'), rejectUnauthorized: true } : undefined,
    types,
  });
  // A connection dropped by a restarting server must not end the process, idle (the pool's 'error') or
  // checked out between two queries (the client's own 'error'): the query in progress fails, the next
  // one reconnects.
  pool.on('error', onIdleError);
  pool.on('connect', (client) => client.on('error', onIdleError));
  return pool;
}
