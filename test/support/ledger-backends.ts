// The two ledgers behind one interface, for tests that run against both: a SQLite file in a temporary
// directory, or a schema of its own in the test run's PostgreSQL (test/support/global-setup.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger, LedgerBackend } from '../../src/ledger/ledger.js';
import { PostgresLedger } from '../../src/ledger/postgres/pg-ledger.js';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { dropSchema, freshSchema, sharedPostgresUrl } from './postgres-server.js';

export const BACKENDS: readonly LedgerBackend[] = ['sqlite', 'postgres'];

/** Where a test's ledger lives: open as many Ledgers on it as replicas are needed. */
export interface LedgerPlace {
  readonly backend: LedgerBackend;
  /** The `state:` section of a config file for this place. */
  readonly state: Record<string, unknown>;
  open(): Ledger;
  dispose(): Promise<void>;
}

export function ledgerPlace(backend: LedgerBackend): LedgerPlace {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mirror-ledger-'));
    const path = join(dir, 'state.db');
    return {
      backend,
      state: { path },
      open: () => SqliteLedger.open(path),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = sharedPostgresUrl();
  const schema = freshSchema();
  return {
    backend,
    state: { url, schema },
    open: () => new PostgresLedger({ url, schema }),
    dispose: () => dropSchema(schema),
  };
}
