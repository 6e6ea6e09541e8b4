import { existsSync } from 'node:fs';
import type { MirrorConfig } from '../config/schema.js';
import type { Ledger } from './ledger.js';
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
 * SQLite file: nothing has been mirrored), and never creates or migrates anything.
 */
export function openLedgerForReading(state: StateConfig): Ledger | undefined {
  if (state.url !== undefined) return new PostgresLedger({ url: state.url, schema: state.schema, caFile: state.tls?.caFile, readonly: true });
  return existsSync(state.path!) ? SqliteLedger.open(state.path!, { readonly: true }) : undefined;
}

/** Where the ledger lives, for messages (never with a password). */
export function describeLedger(ledger: Ledger | undefined, state: StateConfig): string {
  return ledger?.location ?? state.path ?? 'the ledger';
}
