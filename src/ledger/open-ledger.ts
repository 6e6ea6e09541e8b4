import { existsSync } from 'node:fs';
import type { MirrorConfig } from '../config/schema.js';
import type { Ledger } from './ledger.js';
import { redactUrl } from './postgres/pg-connection.js';
import { LedgerNotCreatedError } from './postgres/pg-errors.js';
import { PostgresLedger } from './postgres/pg-ledger.js';
import { SqliteLedger } from './sqlite/sqlite-ledger.js';

export type StateConfig = MirrorConfig['state'];

/** Opens the ledger the config names, for a command that writes (run, sync, retry, reset-order). */
export function openLedger(state: StateConfig): Ledger {
  if (state.url !== undefined) return new PostgresLedger({ url: state.url, schema: state.schema, caFile: state.tls?.caFile });
  return SqliteLedger.open(state.path!);
}

/**
 * Opens the ledger for a command that only reads (status, plan): undefined when there is none yet (no
 * SQLite file, or a PostgreSQL database no `run`/`sync` has written to: nothing has been mirrored), and
 * never creates or migrates anything.
 */
export async function openLedgerForReading(state: StateConfig): Promise<Ledger | undefined> {
  if (state.url === undefined) return existsSync(state.path!) ? SqliteLedger.open(state.path!, { readonly: true }) : undefined;
  const ledger = new PostgresLedger({ url: state.url, schema: state.schema, caFile: state.tls?.caFile, readonly: true });
  try {
    await ledger.ready();
    return ledger;
  } catch (error) {
    await ledger.close().catch(() => undefined);
    if (error instanceof LedgerNotCreatedError) return undefined;
    throw error;
  }
}

/** Where the ledger lives, for messages (never with a password). */
export function describeLedger(ledger: Ledger | undefined, state: StateConfig): string {
  return ledger?.location ?? state.path ?? (state.url ? redactUrl(state.url) : 'the ledger');
}
