import type { Logger } from '../telemetry/logger.js';
import { MirrorError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import type { Mirror } from './mirror.js';
import type { RefreshScope } from './refresh-scope.js';
import { ScopedRefresh, type Converge, type RefreshReport } from './scoped-refresh.js';

/** Refreshes remembered for GET /v1/refresh/{id}: the newest ones, finished ones dropped first. */
export const MAX_REFRESHES_KEPT = 100;
/** Refreshes running at once; more is refused (429) rather than queued without end. */
export const MAX_REFRESHES_RUNNING = 4;
/** A refresh stops waiting for its tables after this long; the report then shows them still pending. */
const CONVERGE_WAIT_MS = 10 * 60_000;
const LOOK_EVERY_MS = 200;

/** Too many refreshes are running: try again once one has finished. */
export class TooManyRefreshes extends MirrorError {
  constructor() {
    super(`${MAX_REFRESHES_RUNNING} refreshes are running already`, { retryable: true, hint: 'wait for one to finish (GET /v1/refresh/{id}), then ask again' });
    this.name = 'TooManyRefreshes';
  }
}

/**
 * The daemon's refreshes: started by POST /v1/refresh (or the console), run in the background, their
 * reports kept (bounded) for GET /v1/refresh/{id}. The daemon's own dispatcher does the sending.
 */
export class RefreshRegistry {
  private readonly refreshes = new Map<string, ScopedRefresh>();

  constructor(
    private readonly mirror: Mirror,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** Checks the scope (UsageError when wrong) and starts the refresh; returns it at once. */
  start(scope: RefreshScope): ScopedRefresh {
    const running = [...this.refreshes.values()].filter((r) => !r.finished).length;
    if (running >= MAX_REFRESHES_RUNNING) throw new TooManyRefreshes();
    const refresh = new ScopedRefresh(this.mirror, scope);
    this.refreshes.set(refresh.id, refresh);
    this.prune();
    this.logger.info({ refresh: refresh.id, scope }, `refresh ${refresh.id} of ${refresh.describe()} started`);
    void refresh.run(this.converge, this.signal).then((report) => {
      const line = `refresh ${report.id} of ${refresh.describe()} ${report.state}: ${report.tables.inSync} in sync, ${report.tables.pending} pending, ${report.tables.failed} failed`;
      if (report.error) this.logger.warn({ refresh: report.id, hint: report.hint }, `${line}; ${report.error}`);
      else this.logger.info({ refresh: report.id, tables: report.tables, read: report.read }, line);
    });
    return refresh;
  }

  async get(id: string): Promise<RefreshReport | undefined> {
    return this.refreshes.get(id)?.report();
  }

  /** The newest first (the console's list). */
  recent(limit = 20): Promise<RefreshReport[]> {
    return Promise.all([...this.refreshes.values()].reverse().slice(0, limit).map((r) => r.report()));
  }

  /** The daemon's dispatcher sends; this waits until each table of the scope has had its answer. */
  private readonly converge: Converge = async (ids, signal) => {
    const since = Date.now();
    this.mirror.wakeDispatchers();
    while (!signal.aborted && Date.now() - since < CONVERGE_WAIT_MS) {
      const now = Date.now();
      let waiting = false;
      for (const id of ids) {
        const row = await this.mirror.ledger.get(id);
        // Pending and not yet answered since the refresh began (a table waiting out a backoff was).
        if (row !== undefined && row.status === 'pending' && !(row.updatedAt >= since && row.nextAttemptAt > now)) waiting = true;
        if (waiting) break;
      }
      if (!waiting) return;
      await sleep(LOOK_EVERY_MS, signal);
    }
  };

  private prune(): void {
    if (this.refreshes.size <= MAX_REFRESHES_KEPT) return;
    for (const [id, refresh] of this.refreshes) {
      if (this.refreshes.size <= MAX_REFRESHES_KEPT) return;
      if (refresh.finished) this.refreshes.delete(id);
    }
  }
}
