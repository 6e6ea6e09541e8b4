import { MirrorError } from '../../util/errors.js';

/**
 * SQLSTATE classes and network errors that mean "the database cannot be reached or cannot store right
 * now" (a restart, a failover, a full disk, too many connections), as opposed to a bug or a constraint.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P|58)|^25006$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const NETWORK_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection timeout|Client has encountered a connection error/i;

/** Conflicts between concurrent transactions (replicas): the transaction is simply run again. */
const RETRYABLE_SQLSTATE = new Set(['40001', '40P01', '23505']);

export function isPgUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || NETWORK_CODES.has(code))) return true;
  return error instanceof Error && NETWORK_MESSAGE.test(error.message);
}

export function isPgConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATE.has(code);
}

/**
 * The PostgreSQL ledger cannot be reached or cannot store. Its code (PG_UNAVAILABLE) is a storage
 * failure for the write health (/readyz), the ingest (503) and the dispatcher (pause, then retry).
 */
export class LedgerUnavailableError extends MirrorError {
  readonly code = 'PG_UNAVAILABLE';
  constructor(location: string, cause: unknown) {
    super(`the PostgreSQL ledger at ${location} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      retryable: true,
      hint: 'the connector retries by itself; check that the database is up and reachable from this replica',
    });
    this.name = 'LedgerUnavailableError';
  }
}

/** A read-only command found no polaris-mirror tables in the database (or schema): nothing was mirrored there yet. */
export class LedgerNotCreatedError extends MirrorError {
  constructor(location: string) {
    super(`the PostgreSQL ledger at ${location} has not been created yet: nothing has been mirrored there`, {
      retryable: false,
      hint: '`polaris-mirror sync` or `run` creates it; check state.url and state.schema if it should exist',
    });
    this.name = 'LedgerNotCreatedError';
  }
}
