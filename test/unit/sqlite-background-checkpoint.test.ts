// The SQLite ledger's checkpoints run on a worker thread: what the writer commits reaches the ledger
// file itself (not only its write-ahead log) while the log is far below the writer's own automatic
// checkpoint, and closing the ledger still removes the log, as SQLite does when the last connection closes.
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { waitFor } from '../support/ingest-client.js';
import { present } from './support.js';

let dir: string;
let ledgers: SqliteLedger[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mirror-checkpoint-'));
  ledgers = [];
});

afterEach(async () => {
  for (const ledger of ledgers) await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(name: string): { ledger: SqliteLedger; path: string } {
  const path = join(dir, name);
  const ledger = SqliteLedger.open(path);
  ledgers.push(ledger);
  return { ledger, path };
}

async function commitTables(ledger: SqliteLedger, count: number): Promise<void> {
  const observations = Array.from({ length: count }, (_, i) => present(`s3://lake/db/t${i}/metadata/1.json`, { order: 1, name: `t${i}` }));
  await ledger.commit({ observations });
}

/** The tables a copy of the ledger file alone (without its log) holds: what has been checkpointed. */
function rowsInFileAlone(path: string, copyName: string): number {
  const copy = join(dir, copyName);
  for (const suffix of ['-wal', '-shm']) rmSync(copy + suffix, { force: true });
  copyFileSync(path, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM tables').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the SQLite ledger\'s background checkpoints', () => {
  it('copy each ledger\'s commits into its file, far below the writer\'s own checkpoint threshold', async () => {
    const first = open('first.db');
    const second = open('second.db');
    await commitTables(first.ledger, 300);
    await commitTables(second.ledger, 120);
    // A few hundred rows are a few dozen pages of log: the writer's automatic checkpoint (10,000
    // pages) would not copy them yet, so only the worker can put them in the files.
    const walPages = (first.ledger.store.db.pragma('wal_autocheckpoint', { simple: true }) as number);
    expect(walPages).toBe(10_000);
    // (A copy taken while a checkpoint writes the file may not open: waitFor tries again.)
    await waitFor('the first ledger\'s rows in its file', () => rowsInFileAlone(first.path, 'first-copy.db') === 300, 30_000);
    await waitFor('the second ledger\'s rows in its file', () => rowsInFileAlone(second.path, 'second-copy.db') === 120, 30_000);
  });

  it('one file opened twice in a process: closing one leaves the other\'s checkpoints running', async () => {
    const first = open('shared.db');
    const second = SqliteLedger.open(first.path);
    ledgers.push(second);
    await first.ledger.close();
    ledgers = ledgers.filter((ledger) => ledger !== first.ledger);
    await commitTables(second, 80);
    await waitFor('the rows in the file', () => rowsInFileAlone(first.path, 'shared-copy.db') === 80, 30_000);
  });

  it('close leaves no second connection behind: the log is removed as when the writer was alone', async () => {
    const { ledger, path } = open('state.db');
    await commitTables(ledger, 50);
    // The worker's connection is open once it has copied something.
    await waitFor('a checkpoint', () => rowsInFileAlone(path, 'copy.db') === 50, 30_000);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await ledger.close();
    ledgers = [];
    expect(existsSync(`${path}-wal`)).toBe(false);
    // And the ledger opens again, with its tables.
    const reopened = open('state.db');
    expect(await reopened.ledger.counts()).toEqual([expect.objectContaining({ source: 'src' })]);
  });
});
