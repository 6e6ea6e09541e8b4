import type { ConnectionSettings } from './hs2-connection.js';
import { Hs2Connection } from './hs2-connection.js';
import { Hs2Error } from './hs2-errors.js';
import { decodeRowSets, type Cell } from './row-sets.js';
import type { Hs2Operation, Hs2Session } from './tcli-types.js';

export interface Hs2ClientSettings extends ConnectionSettings {
  readonly statementTimeoutMs: number;
  /** The most rows one statement may return (SHOW TABLES of a huge database): more fails it. */
  readonly maxRows: number;
  /** Sessions (each on its own connection) used at once. */
  readonly sessions: number;
}

/** TOperationState values (TCLIService.thrift). */
const State = { INITIALIZED: 0, RUNNING: 1, FINISHED: 2, PENDING: 7 } as const;
const ROWS_PER_FETCH = 1000;
const MAX_POLL_PAUSE_MS = 500;
const CLOSE_TIMEOUT_MS = 2000;

interface Slot {
  connection: Hs2Connection | undefined;
  session: Hs2Session | undefined;
}

/**
 * HiveQL over a bounded set of HiveServer2 sessions, each on its own connection and running one
 * statement at a time (HiveServer2 serves one call per connection at a time anyway). A statement runs
 * asynchronously (ExecuteStatement with runAsync), its status is polled until it finishes, its rows
 * fetched in pages, and its operation closed. The whole statement has one deadline; a slot whose
 * connection failed opens a new one (and a new session) for its next statement.
 */
export class Hs2Client {
  private readonly free: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private readonly all: Slot[] = [];
  private closed = false;

  constructor(private readonly settings: Hs2ClientSettings) {
    for (let i = 0; i < settings.sessions; i++) {
      const slot: Slot = { connection: undefined, session: undefined };
      this.all.push(slot);
      this.free.push(slot);
    }
  }

  /** Runs one statement and returns its rows, `width` cells each. */
  async query(sql: string, width: number, signal?: AbortSignal): Promise<Cell[][]> {
    signal?.throwIfAborted();
    const slot = await this.acquire();
    const abort = () => slot.connection?.close();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      return await this.run(slot, sql, width);
    } finally {
      signal?.removeEventListener('abort', abort);
      this.release(slot);
    }
  }

  /** Closes every session (CloseSession, briefly) and its connection; statements in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.all.map(async (slot) => {
        const { connection, session } = slot;
        slot.connection = undefined;
        slot.session = undefined;
        if (connection?.usable && session) await connection.call(() => session.close(), CLOSE_TIMEOUT_MS, 'CloseSession').catch(() => undefined);
        connection?.close();
      }),
    );
  }

  private async run(slot: Slot, sql: string, width: number): Promise<Cell[][]> {
    const end = Date.now() + this.settings.statementTimeoutMs;
    const left = () => Math.max(1, end - Date.now());
    const { connection, session } = await this.ready(slot, left);
    const operation: Hs2Operation = await connection.call(() => session.executeStatement(sql, { runAsync: true }), left(), 'ExecuteStatement');
    try {
      for (let poll = 0; ; poll++) {
        const status = await connection.call(() => operation.status(false), left(), 'GetOperationStatus');
        const state = status.operationState;
        if (state === State.FINISHED) break;
        if (state !== State.RUNNING && state !== State.PENDING && state !== State.INITIALIZED) {
          throw new Hs2Error('sql', `HiveServer2 failed a statement: ${status.errorMessage ?? `operation state ${state}`}`, { retryable: true, errorCode: status.errorCode });
        }
        // HiveServer2 holds GetOperationStatus up to its long-polling timeout; a server that answers at once is asked again after a pause.
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_POLL_PAUSE_MS, 5 * 2 ** poll, left())));
      }
      operation.setMaxRows(ROWS_PER_FETCH);
      const rows: Cell[][] = [];
      do {
        await connection.call(() => operation.fetch(), left(), 'FetchResults');
        rows.push(...decodeRowSets(operation.getData(), width));
        operation.flush();
        if (rows.length > this.settings.maxRows) {
          throw new Hs2Error('sql', `a statement returned more than ${this.settings.maxRows} rows: ${sql.slice(0, 80)}`, { retryable: false, hint: 'narrow include to fewer databases' });
        }
      } while (operation.hasMoreRows());
      return rows;
    } finally {
      if (connection.usable) await connection.call(() => operation.close(), left(), 'CloseOperation').catch(() => undefined);
    }
  }

  /** The slot's open session, after opening a connection and a session when it has none (or a broken one). */
  private async ready(slot: Slot, left: () => number): Promise<{ connection: Hs2Connection; session: Hs2Session }> {
    if (slot.connection?.usable && slot.session) return { connection: slot.connection, session: slot.session };
    slot.connection?.close();
    slot.session = undefined;
    const connection = (slot.connection = await Hs2Connection.open({ ...this.settings, connectTimeoutMs: Math.min(this.settings.connectTimeoutMs, left()) }));
    if (this.closed) connection.close();
    slot.session = await connection.openSession(left());
    return { connection, session: slot.session };
  }

  private acquire(): Promise<Slot> {
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}
