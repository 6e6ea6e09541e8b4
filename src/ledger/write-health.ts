/**
 * Whether the ledger can still write, from the outcome of its latest write (a commit, or a statement
 * outside a transaction). A full disk, an I/O error or a file-size limit leaves the ledger readable —
 * `SELECT 1` still answers — while every event sent to the ingest gets 503: /readyz must say so.
 */
export type WriteState =
  | { readonly ok: true; readonly lastWriteAt: number | undefined }
  | { readonly ok: false; readonly failingSince: number; readonly lastError: string; readonly code: string; readonly lastWriteAt: number | undefined };

/**
 * SQLite result codes that mean the storage refuses writes (not a constraint, not a busy lock), the
 * PostgreSQL ledger's "cannot reach or store" (src/ledger/postgres/pg-errors.ts), and the system's own
 * errors from the SQLite ledger's log fsync (GroupCommit).
 */
const STORAGE_FAILURE = /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM|NOMEM|CORRUPT|NOTADB)|(PG_UNAVAILABLE|EIO|ENOSPC|EDQUOT|EROFS)$)/;

export function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && STORAGE_FAILURE.test(code);
}

export class WriteHealth {
  private current: WriteState = { ok: true, lastWriteAt: undefined };

  get state(): WriteState {
    return this.current;
  }

  succeeded(now = Date.now()): void {
    this.current = { ok: true, lastWriteAt: now };
  }

  /** Records a failed write when it is a storage failure; other errors (constraints, bugs) say nothing about the disk. */
  failed(error: unknown, now = Date.now()): void {
    if (!isStorageFailure(error)) return;
    const previous = this.current;
    this.current = {
      ok: false,
      failingSince: previous.ok ? now : previous.failingSince,
      lastError: error instanceof Error ? error.message : String(error),
      code: String((error as { code: string }).code),
      lastWriteAt: previous.lastWriteAt,
    };
  }
}
