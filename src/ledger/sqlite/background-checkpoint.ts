import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the ledger's write-ahead log into its file on a worker thread, off the event loop.
 *
 * SQLite checkpoints a WAL ledger itself when a commit takes the log past wal_autocheckpoint pages: that
 * commit then writes those pages into the file and fsyncs it, and better-sqlite3 runs it on the event
 * loop's thread. Traced in `run` at 300,000 tables (perf trace of its fsyncs), each such fsync of the
 * ledger file took 50–70 ms during a full pass, on top of writing up to 40 MB of pages: every event that
 * arrived meanwhile waited for it. A second connection on a worker thread runs PASSIVE checkpoints as
 * soon as the writer has committed something, so the log rarely reaches the threshold; a PASSIVE
 * checkpoint never blocks the writer, and the writer's own automatic checkpoint stays as the backstop
 * (if this worker falls behind or stops, the ledger behaves as it did without it).
 *
 * One worker serves every ledger the process opens (a test process opens hundreds); it is started on
 * first use and does not keep the process alive.
 */

/** How often the worker looks for commits to copy. A quarter second keeps each copy small. */
const CHECK_INTERVAL_MS = 250;
/** The longest close() waits for the worker to close its connection (a checkpoint may be running). */
const CLOSE_WAIT_MS = 10_000;

// The worker's code is a string, not a module of its own: the tests run the TypeScript sources, and
// a worker thread cannot load a .ts file. It is plain CommonJS and needs only better-sqlite3, whose
// path the process passes in (so it resolves the same whatever the working directory).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// A driver that cannot load here leaves the worker answering close() (the writers checkpoint themselves).
let Database;
try { Database = require(workerData.driver); } catch {}
const ledgers = new Map();
parentPort.on('message', (message) => {
  if (message.open !== undefined) {
    if (!Database) return;
    try {
      const db = new Database(message.path, { fileMustExist: true });
      db.pragma('synchronous = FULL');
      ledgers.set(message.open, { db, version: undefined });
    } catch {
      // The writer's own automatic checkpoints go on; nothing is lost without this connection.
    }
  } else if (message.close !== undefined) {
    const ledger = ledgers.get(message.close);
    ledgers.delete(message.close);
    try { ledger?.db.close(); } catch {}
    Atomics.store(message.done, 0, 1);
    Atomics.notify(message.done, 0);
  }
});
setInterval(() => {
  for (const ledger of ledgers.values()) {
    try {
      // data_version changes when another connection (the writer) has committed since the last look.
      const version = ledger.db.pragma('data_version', { simple: true });
      if (version === ledger.version) continue;
      ledger.version = version;
      ledger.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or gone: the next look tries again, and the writer's automatic checkpoint is the backstop.
    }
  }
}, ${CHECK_INTERVAL_MS});
`;

let shared: Worker | undefined;
/** Each open ledger's key in the worker (a path alone would not do: a process may open one file twice). */
let nextId = 0;

function worker(): Worker {
  if (!shared) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver } });
    started.unref();
    // A worker that dies leaves the writers' automatic checkpoints in charge; the next ledger opened starts another.
    started.once('error', () => undefined);
    started.once('exit', () => {
      if (shared === started) shared = undefined;
    });
    shared = started;
  }
  return shared;
}

/** The checkpoints of one ledger file while its writer has it open. */
export class BackgroundCheckpoint {
  private closed = false;

  private constructor(
    private readonly id: number,
    private readonly thread: Worker,
  ) {}

  /** Undefined when no worker can be started: the writer's automatic checkpoints then do it all, as before. */
  static start(path: string): BackgroundCheckpoint | undefined {
    try {
      const thread = worker();
      const id = ++nextId;
      thread.postMessage({ open: id, path });
      return new BackgroundCheckpoint(id, thread);
    } catch {
      return undefined;
    }
  }

  /**
   * Closes the worker's connection and waits for it, so that the writer's own close is the last one and
   * SQLite removes the log as usual (a ledger moved aside or deleted right after must not keep a second
   * connection behind it).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const done = new Int32Array(new SharedArrayBuffer(4));
    this.thread.postMessage({ close: this.id, done });
    // A worker that has exited answers nothing: its connection is gone with it.
    if (shared === this.thread) Atomics.wait(done, 0, 0, CLOSE_WAIT_MS);
  }
}
