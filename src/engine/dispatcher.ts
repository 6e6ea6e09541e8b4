import PQueue from 'p-queue';
import type { Ledger } from '../ledger/ledger.js';
import type { Outcome } from '../ledger/outcome.js';
import type { MirrorRow } from '../ledger/rows.js';
import { isStorageFailure } from '../ledger/write-health.js';
import { polarisDisplayName } from '../model/table.js';
import type { ActivityRing } from '../telemetry/activity-ring.js';
import type { Logger } from '../telemetry/logger.js';
import { messageOf } from '../util/errors.js';
import { IdScope } from './id-scope.js';
import { RunStats } from './run-stats.js';
import type { ConvergeResult, TableConverger } from './table-converger.js';
import { Wakeup } from './wakeup.js';

export interface DispatcherOptions {
  readonly ledger: Ledger;
  readonly converger: TableConverger;
  /** Operations in flight at once: in all, or per Polaris instance (each instance is a lane of its own). */
  readonly concurrency: number | ReadonlyMap<string, number>;
  readonly logger: Logger;
  /** Counts notifications and failures per source and minute, when given. */
  readonly activity?: ActivityRing;
  /** Only these sources' tables (sync --source); all when undefined. */
  readonly sources?: readonly string[];
  /** Only these table ids (retry --table); all when undefined. */
  readonly onlyIds?: ReadonlySet<number>;
  /**
   * The longest one table's operation may take (default OPERATION_DEADLINE_MS). Past it the operation is
   * abandoned and recorded as a transient failure, so one promise that never settles can hold one slot
   * for that long at most, never the whole sync.
   */
  readonly operationDeadlineMs?: number;
  /**
   * Arms an operation's deadline: `expire` is called once `ms` have passed, unless the returned function
   * disarms it first. A timer by default; a test passes its own so that a deadline expires when the test
   * says, whatever the speed of the machine.
   */
  readonly deadlineTimer?: DeadlineTimer;
}

export type DeadlineTimer = (ms: number, expire: () => void) => () => void;

const realTimer: DeadlineTimer = (ms, expire) => {
  const timer = setTimeout(expire, ms);
  return () => clearTimeout(timer);
};

/** The default operation deadline: well above an operation's few requests, each bounded by requestTimeoutMs. */
export const OPERATION_DEADLINE_MS = 300_000;

/** How soon an operation abandoned at its deadline is tried again. */
const ABANDONED_RETRY_MS = 1_000;

/** How long an idle dispatcher sleeps before looking at the ledger again without being woken. */
const IDLE_POLL_MS = 5_000;

/**
 * The longest a scope (retry, a scoped refresh) goes unread while its tables wait for their retry
 * times: another replica may converge them, or a source change make them due, meanwhile.
 */
export const SCOPE_RELOOK_MS = 60_000;

/**
 * How often the claims on tables in flight are extended: a third of a claim's life (30 s on PostgreSQL),
 * so a replica working on a table keeps it however long the operation takes, and loses it only by dying.
 */
export const CLAIM_RENEW_MS = 10_000;

/**
 * After the ledger failed to store a write (a full disk), no table is picked for this long. The table
 * whose outcome was lost is due again at once, so without a pause it would be sent to Polaris again and
 * again as fast as the loop turns; /readyz reports the ledger meanwhile.
 */
const LEDGER_FAILURE_PAUSE_MS = 1_000;

/**
 * Converges the ledger: picks tables whose desired state differs from the applied one, at most one
 * operation in flight per table and `concurrency` in all, and records each outcome durably before the
 * table can be picked again. The ledger is the queue — nothing is held only in memory — so a crash
 * loses no work, and a burst of changes to one table costs one notification (only the latest desired
 * state is ever sent).
 */
/**
 * A share of the dispatcher: one per Polaris instance when there are several (name set), so that a
 * target that hangs or refuses fills only its own queue and never delays another; one for everything
 * otherwise (name undefined, the ledger is asked without an instance filter).
 */
interface Lane {
  readonly name: string | undefined;
  readonly concurrency: number;
  readonly queue: PQueue;
  readonly inFlight: Set<number>;
  /** Tables of this lane waiting for or in a concurrency slot (in flight, not yet converged). */
  converging: number;
}

export class Dispatcher {
  readonly stats = new RunStats();
  private readonly lanes: Lane[];
  /** Every table in flight, with its lane. */
  private readonly inFlight = new Map<number, Lane>();
  private readonly wakeup = new Wakeup();
  private stopping = false;
  private untilSettled = false;
  /** No table is picked before this time: the ledger failed to write (LEDGER_FAILURE_PAUSE_MS). */
  private pausedUntil = 0;
  /** Consecutive failed reads of the ledger: the pause before the next look doubles with each. */
  private readFailures = 0;
  /** Every table being worked on, from the queue up to its committed outcome. */
  private readonly working = new Set<Promise<void>>();

  /** The tables of `onlyIds`, looked at a few at a time (retry, a scoped refresh). */
  private readonly scope: IdScope | undefined;
  /**
   * Set when the last look went once round the scope and started nothing, with nothing in flight: what
   * it left in the scope is still there (settled when nothing is), and no table of the scope is due
   * before `quietUntil` (the earliest retry time it saw, at most SCOPE_RELOOK_MS ahead), so the scope is
   * not read again before then. A retry of a million tables waiting out Polaris's 503s used to read
   * every one of them twice per idle poll. New observations (wake) end it.
   */
  private scopeRound: { readonly quietUntil: number } | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.scope = options.onlyIds ? new IdScope(options.onlyIds) : undefined;
    const limits = typeof options.concurrency === 'number' ? new Map([['', options.concurrency]]) : options.concurrency;
    const several = limits.size > 1;
    this.lanes = [...limits].map(([name, concurrency]) => ({
      name: several ? name : undefined,
      concurrency,
      queue: new PQueue({ concurrency }),
      inFlight: new Set<number>(),
      converging: 0,
    }));
  }

  /** New observations arrived: look at the ledger now rather than at the next poll. */
  wake(): void {
    this.scopeRound = undefined;
    this.wakeup.notify();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Runs until stop(), or once finishWhenSettled() was called, until every table is applied or failed. */
  async run(signal?: AbortSignal): Promise<void> {
    await this.loop(signal);
  }

  /** Runs until every table is applied or failed (sync, retry). */
  async runUntilSettled(signal?: AbortSignal): Promise<void> {
    this.untilSettled = true;
    await this.loop(signal);
  }

  /** From now on, return from run() as soon as nothing is left to do (sync, after its listings). */
  finishWhenSettled(): void {
    this.untilSettled = true;
    this.wakeup.notify();
  }

  /** Stop taking new work; resolves when the operations in flight have finished and been recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeup.notify();
    await this.idle();
  }

  private async idle(): Promise<void> {
    while (this.working.size > 0) await Promise.allSettled([...this.working]);
    await this.options.ledger.drained();
  }

  private async loop(signal?: AbortSignal): Promise<void> {
    const renewal = setInterval(() => void this.renewClaims(), CLAIM_RENEW_MS).unref();
    try {
      await this.turns(signal);
      await this.idle();
    } finally {
      clearInterval(renewal);
    }
  }

  private async renewClaims(): Promise<void> {
    if (this.inFlight.size === 0) return;
    try {
      await this.options.ledger.renewClaims([...this.inFlight.keys()]);
    } catch (error) {
      // The ledger is unreachable: the claims may lapse and another replica may start on such a table;
      // timestamps still only rise, so the worst is a duplicate notification.
      this.options.logger.warn({ err: error }, `could not extend the claims on tables in flight: ${messageOf(error)}`);
    }
  }

  private async turns(signal?: AbortSignal): Promise<void> {
    while (!this.stopping && !signal?.aborted) {
      let wait: number;
      try {
        const { added, asked } = await this.fill();
        if (added > 0 && this.inFlight.size < this.capacity()) continue;
        if (added === 0 && this.inFlight.size === 0 && this.untilSettled && (await this.settled())) break;
        // Full, or nothing due now: sleep until an operation finishes or observations arrive (both ring
        // the wakeup), or until the next scheduled retry. Busy lanes asked nothing: the next operation
        // to finish rings, so the next retry's time (a query per finished table) is not needed.
        const paused = this.pausedUntil - Date.now();
        const quietUntil = this.scopeRound && this.scopeRound.quietUntil > Date.now() ? this.scopeRound.quietUntil : undefined;
        const next = quietUntil ?? (asked ? await this.options.ledger.nextAttemptAfter(Date.now(), this.options.sources) : undefined);
        wait = paused > 0 ? paused : next === undefined ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, next - Date.now());
      } catch (error) {
        // The ledger cannot be read (a database restarting): nothing is lost, try again shortly.
        this.options.logger.warn({ err: error }, `the ledger cannot be read: ${messageOf(error)}; trying again`);
        this.readFailures = Math.min(this.readFailures + 1, 6);
        wait = LEDGER_FAILURE_PAUSE_MS * 2 ** (this.readFailures - 1);
        await this.wakeup.wait(wait, signal);
        continue;
      }
      this.readFailures = 0;
      await this.wakeup.wait(wait, signal);
    }
  }

  /** Keeps up to two tables per concurrency slot queued, so a finished request is followed at once. */
  private capacity(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.concurrency * 2, 0);
  }

  /** The lane of a row's instance (a row of an unknown instance goes to the first: it fails at once). */
  private laneOf(polaris: string): Lane {
    return this.lanes.find((lane) => lane.name === polaris) ?? this.lanes[0]!;
  }

  private async settled(): Promise<boolean> {
    const { ledger, sources } = this.options;
    if (this.scope) return this.scopeRound ? this.scope.size === 0 : this.scope.settled((id) => ledger.get(id));
    return (await ledger.unfinished(sources)).pending === 0;
  }

  /**
   * Takes due tables into the lanes with room. A lane asks only once no more than `concurrency` of its
   * tables are converging (its slots busy, none waiting), and then for a batch: one ledger query per
   * `concurrency` tables rather than one per finished table, while a slot never waits for work.
   * `asked`: whether any lane asked the ledger.
   */
  private async fill(): Promise<{ added: number; asked: boolean }> {
    if (Date.now() < this.pausedUntil) return { added: 0, asked: false };
    const { ledger, sources } = this.options;
    const room = (lane: Lane) => lane.concurrency * 2 - lane.converging;
    const hungry = (lane: Lane) => lane.converging <= lane.concurrency;
    let added = 0;
    let asked = false;
    if (this.scope) {
      if (this.capacity() - this.inFlight.size <= 0) return { added: 0, asked: false };
      if (this.scopeRound && Date.now() < this.scopeRound.quietUntil) return { added: 0, asked: false };
      // As many due tables as the lanes have room for, read from where the last turn stopped.
      const due = new Map<Lane, number[]>();
      let wanted = this.lanes.reduce((sum, lane) => sum + Math.max(0, room(lane)), 0);
      let earliest = Infinity;
      const wentRound = await this.scope.look(
        (id) => ledger.get(id),
        (row) => {
          earliest = Math.min(earliest, row.nextAttemptAt);
          const lane = this.laneOf(row.polaris);
          const ids = due.get(lane) ?? [];
          if (!isDue(row) || this.inFlight.has(row.id) || ids.length >= room(lane)) return false;
          ids.push(row.id);
          due.set(lane, ids);
          return --wanted <= 0;
        },
      );
      for (const [lane, ids] of due) {
        asked = true;
        // A table another replica is working on is left to it; it is looked at again at the next turn.
        const claimed = await ledger.claim(ids);
        added += this.start(lane, await this.readClaimed(claimed));
      }
      const quiet = wentRound && added === 0 && this.inFlight.size === 0;
      this.scopeRound = quiet ? { quietUntil: Math.min(earliest, Date.now() + SCOPE_RELOOK_MS) } : undefined;
      return { added, asked };
    }
    // The first lane also takes the tables of instances no longer configured: they fail at once with a
    // hint (laneOf), rather than stay pending for good and keep `sync` from ever finishing.
    const configured = this.lanes.map((lane) => lane.name).filter((name): name is string => name !== undefined);
    for (const [i, lane] of this.lanes.entries()) {
      if (!hungry(lane)) continue;
      asked = true;
      const others = i === 0 && lane.name !== undefined ? configured : undefined;
      // Tables in flight are left out in the query (their outcomes may not be committed yet): a batch is all new work.
      const rows = await ledger.dueRows({ now: Date.now(), limit: room(lane), sources, polaris: lane.name, configured: others, excluding: [...this.inFlight.keys()] });
      added += this.start(lane, rows);
    }
    return { added, asked };
  }

  /**
   * The claimed tables read again (retry --table): a row read before its claim may have been converged
   * by another replica in between. A table no longer due is given back.
   */
  private async readClaimed(ids: readonly number[]): Promise<MirrorRow[]> {
    const { ledger } = this.options;
    const rows: MirrorRow[] = [];
    const notDue: number[] = [];
    for (const id of ids) {
      const row = await ledger.get(id);
      if (row && isDue(row)) rows.push(row);
      else notDue.push(id);
    }
    if (notDue.length > 0) await ledger.releaseClaims(notDue);
    return rows;
  }

  private start(lane: Lane, candidates: readonly MirrorRow[]): number {
    const room = Math.max(0, lane.concurrency * 2 - lane.converging);
    let started = 0;
    for (const row of candidates) {
      // Checked as each starts: a table listed twice must still have one operation at a time.
      if (started >= room) break;
      if (this.inFlight.has(row.id)) continue;
      started += 1;
      this.inFlight.set(row.id, lane);
      lane.inFlight.add(row.id);
      lane.converging++;
      this.options.converger.prepare(row);
      const done = this.work(row, lane);
      this.working.add(done);
      void done.finally(() => this.working.delete(done));
    }
    return started;
  }

  /**
   * One table: converge inside the concurrency queue, then record the outcome outside it, so the next
   * table's request starts while the commit waits for its batch. The table stays in flight (not
   * picked again) until its outcome is committed.
   *
   * The row is converged as the due query read it, not read again: it waited at most for a slot. A
   * source change since then (or during the operation, which a re-read could not prevent either) moves
   * the row's rev on, so the outcome sends the table back to pending and the newer state goes next,
   * with its higher timestamp.
   */
  private async work(row: MirrorRow, lane: Lane): Promise<void> {
    const { ledger, logger } = this.options;
    let converging = true;
    const converged = () => {
      if (!converging) return;
      converging = false;
      lane.converging--;
      // A slot is free: the dispatcher may take the next batch while this outcome waits for its commit.
      this.wakeup.notify();
    };
    try {
      const { outcome, action, calls } = await lane.queue.add(() => this.convergeWithin(row));
      converged();
      await ledger.applyOutcome(outcome, Date.now(), { action, calls: calls ?? [] });
      this.options.converger.recorded(row, outcome);
      this.stats.record(outcome, action);
      this.options.activity?.record(row.source, {
        notifications: (calls ?? []).filter((call) => call.path.endsWith('/notifications')).length,
        failures: outcome.kind === 'failed' || outcome.kind === 'retry' ? 1 : 0,
      });
      logOutcome(logger, row, outcome, action);
    } catch (error) {
      // Only the ledger can get here (the outcome's write); the table stays as it was and is picked up
      // again (a claim on it expires by itself).
      logger.error({ err: error, tableId: row.id }, `could not record the outcome for a table: ${messageOf(error)}`);
      if (isStorageFailure(error)) this.pausedUntil = Date.now() + LEDGER_FAILURE_PAUSE_MS;
    } finally {
      converged();
      this.inFlight.delete(row.id);
      lane.inFlight.delete(row.id);
      this.wakeup.notify();
    }
  }
  /**
   * One converge, bounded: past the deadline its signal aborts (its requests end) and, should it still
   * not settle, it is left behind and the table recorded as a transient failure; its late result is
   * ignored (the table is picked again and converged from the ledger's state).
   */
  private async convergeWithin(row: MirrorRow): Promise<ConvergeResult> {
    const deadlineMs = this.options.operationDeadlineMs ?? OPERATION_DEADLINE_MS;
    const abort = new AbortController();
    let disarm: (() => void) | undefined;
    const expired = new Promise<ConvergeResult>((resolve) => {
      disarm = (this.options.deadlineTimer ?? realTimer)(deadlineMs, () => {
        abort.abort(new Error(`the operation took longer than ${deadlineMs} ms`));
        resolve(abandonedResult(row, deadlineMs));
      });
    });
    try {
      return await Promise.race([this.options.converger.converge(row, abort.signal), expired]);
    } finally {
      disarm?.();
    }
  }
}

function abandonedResult(row: MirrorRow, deadlineMs: number): ConvergeResult {
  const error = `no result within ${deadlineMs} ms: the operation was abandoned and the table will be tried again`;
  const outcome: Outcome = { kind: 'retry', id: row.id, rev: row.rev, error, hint: 'check that Polaris answers (see /readyz); report this if it recurs', delayMs: ABANDONED_RETRY_MS };
  return { outcome, action: 'none' };
}

function isDue(row: MirrorRow): boolean {
  return row.status !== 'in_sync' && row.ownerConflict === null && row.nextAttemptAt <= Date.now();
}

/** Each line carries the operation's request id: the X-Request-ID Polaris logged for its requests. */
function logOutcome(logger: Logger, row: MirrorRow, outcome: Outcome, action: string): void {
  const table = polarisDisplayName(row.target);
  const { requestId } = outcome;
  const suffix = requestId ? ` (request id ${requestId})` : '';
  switch (outcome.kind) {
    case 'applied':
      if (action !== 'none') logger.info({ table, action, timestamp: outcome.applied.timestamp, location: outcome.applied.metadataLocation, requestId }, `${action} ${table}${suffix}`);
      return;
    case 'retry':
      logger.warn({ table, error: outcome.error, retryInMs: outcome.delayMs, requestId }, `retrying ${table}: ${outcome.error}${suffix}`);
      return;
    case 'failed':
      // A table that needs an operator is not a process error: warn, and `status` keeps the details.
      logger.warn({ table, error: outcome.error, hint: outcome.hint, requestId }, `failed ${table}: ${outcome.error}${suffix}`);
      return;
    case 'deferred':
      logger.debug({ table, reason: outcome.reason, requestId }, `deferred ${table}`);
      return;
  }
}
