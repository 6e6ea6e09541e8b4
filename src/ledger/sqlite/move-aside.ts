import { existsSync, renameSync } from 'node:fs';

/**
 * Moves a ledger file (with its WAL and shared-memory files) out of the way, keeping it for inspection:
 * state.db → state.db.<reason>-<timestamp>. Returns the new path, or undefined when there was no file.
 */
export function moveLedgerAside(path: string, reason: string, now = new Date()): string | undefined {
  if (!existsSync(path)) return undefined;
  const target = `${path}.${reason}-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}
