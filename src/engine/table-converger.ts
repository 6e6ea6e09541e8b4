import type { PolarisConfig } from '../config/schema.js';
import { DEFAULT_POLARIS, targetLabel } from '../config/targets.js';
import type { PolarisInstances } from '../polaris/polaris-instances.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Outcome } from '../ledger/outcome.js';
import type { MirrorRow } from '../ledger/rows.js';
import { tableLocationOf } from '../model/locations.js';
import { recreatedInPlace } from '../model/observation.js';
import { validationScope } from './validation-scope.js';
import { ValidatedMemo } from './validated-memo.js';
import type { SourceAdapter } from '../model/source-adapter.js';
import { dottedName, polarisDisplayName } from '../model/table.js';
import { timestampAfterStale } from '../normalizer/timestamp.js';
import { verdictOf } from '../polaris/answer-verdict.js';
import { classifyError, isUnreadableMetadata, type Verdict } from '../polaris/classify.js';
import type { HttpResponse } from '../polaris/http.js';
import { notificationBody, type NotificationType } from '../polaris/notification.js';
import { startOperation, type OperationContext, type PolarisCall } from '../polaris/operation-context.js';
import { loadedTable, type PolarisClient } from '../polaris/polaris-client.js';
import type { Logger } from '../telemetry/logger.js';
import type { Tracing } from '../telemetry/tracing.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import { excerpt } from '../telemetry/safe-text.js';
import { MirrorError, messageOf } from '../util/errors.js';
import { backoffDelay, failedRetryDelay } from '../util/backoff.js';
import type { SourceSink } from './source-sink.js';
import { TARGET_TROUBLE, type TargetHealth } from './target-health.js';

/** What one attempt did, for the run summary. */
export type Action = 'create' | 'update' | 'drop' | 'recovered' | 'none';

export interface ConvergeResult {
  readonly outcome: Outcome;
  readonly action: Action;
  /** The operation's Polaris requests, in order (for the table's history and traces). */
  readonly calls?: readonly PolarisCall[];
}

export interface ConvergerDeps {
  /** The Polaris instances: a row is sent with its own instance's client and retry policy. */
  readonly polaris: Pick<PolarisInstances, 'get'>;
  readonly ledger: Ledger;
  readonly sources: ReadonlyMap<string, { readonly adapter: SourceAdapter; readonly sink: SourceSink }>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Scrubs errors before they are stored: `status` runs in another process that knows fewer secrets. */
  readonly redactor: Redactor;
  /**
   * After a rebuilt ledger: before a table's first upsert, read it back from Polaris; if Polaris already
   * holds that metadata location, record it as applied instead of sending it again.
   */
  readonly readBackBeforeFirstUpsert?: boolean;
  /** OpenTelemetry traces, when configured: a span per operation, its Polaris requests as children. */
  readonly tracing?: Tracing;
  /** Told of each instance's transient trouble, so the probe can redrive its tables when it answers. */
  readonly health?: TargetHealth;
}

type LoadResult =
  | { readonly kind: 'present'; readonly metadataLocation: string | undefined; readonly tableUuid: string | undefined }
  | { readonly kind: 'unreadable' }
  | { readonly kind: 'absent' }
  | { readonly kind: 'verdict'; readonly verdict: Verdict };

/** What every step of one operation carries: its abort signal and the operation its Polaris requests belong to. */
interface OperationScope {
  readonly signal: AbortSignal | undefined;
  readonly operation: OperationContext;
}

/** A rename's DROP waits this long between checks for its CREATE. */
const RENAME_WAIT_MS = 250;
/** How soon a DROP held back by a rename that failed to be created is looked at again (a source read each time). */
const BLOCKED_DROP_RECHECK_MS = 10_000;

/**
 * Brings one table from its applied state to its desired state: VALIDATE before the first upsert of a
 * location, CREATE/UPDATE with the assigned timestamp, 409 reconciliation by reading back, and DROP only
 * after the source confirms the absence and Polaris still holds the table this connector mirrored.
 * Returns an Outcome for the ledger; never throws for Polaris or source trouble.
 */
export class TableConverger {
  private readonly validations: ValidatedMemo;

  constructor(private readonly deps: ConvergerDeps) {
    this.validations = new ValidatedMemo(deps.ledger);
  }

  /** Sending records started by prepare, by table id, each taken by the table's next upsert. */
  private readonly earlyMarks = new Map<number, { readonly location: string; readonly written: Promise<void> }>();

  /**
   * Called once an outcome is recorded. A failure that was the target's trouble marks that trouble
   * again now: the probe may have found the target answering between the attempt and this record, and
   * redriven its failed tables before this one was among them. Without the mark the table would wait
   * out the failed-table delay (minutes) behind a target that answers.
   */
  recorded(row: MirrorRow, outcome: Outcome): void {
    if (outcome.kind === 'failed' && outcome.transient === true) this.deps.health?.troubleOn(row.polaris);
  }

  /**
   * Called as the dispatcher queues a row for a concurrency slot. A table whose next step is its CREATE
   * (its directory's VALIDATE already known to have passed) records the CREATE it is about to send now:
   * the record commits with the rest of its batch while the row waits for a slot, instead of the slot
   * waiting for a commit of its own before each CREATE. The upsert still awaits the record before it
   * sends, so a crash leaves the ledger saying the CREATE may have been sent, exactly as before.
   */
  prepare(row: MirrorRow): void {
    const location = row.desired.metadataLocation;
    if (row.desired.state !== 'present' || location === null || row.applied.state === 'present' || row.sentLocation === location) return;
    if (this.deps.readBackBeforeFirstUpsert || !this.deps.polaris.get(row.polaris)) return;
    const cacheScope = validationCacheScope(row);
    const scope = validationScope(row.target.namespace, location);
    const validated = (scope !== undefined && this.validations.knows(cacheScope, scope.key)) || this.validations.knows(cacheScope, tableLocationOf(location));
    if (!validated) return;
    const written = this.deps.ledger.markSending(row.id, location);
    // Awaited (and its failure handled) by the upsert; this only keeps a failure from going unhandled meanwhile.
    written.catch(() => undefined);
    this.earlyMarks.set(row.id, { location, written });
  }

  /**
   * One operation on the table: every Polaris request in it carries the same X-Request-ID. The operation
   * is handed down explicitly rather than through an AsyncLocalStorage, whose hooks every promise of the
   * process pays once one is in use.
   */
  async converge(row: MirrorRow, signal?: AbortSignal): Promise<ConvergeResult> {
    const { tracing } = this.deps;
    const startSpan = tracing
      ? (requestId: string) =>
          tracing.operation('mirror table', {
            'polaris_mirror.source': row.source,
            'polaris_mirror.table': dottedName(row.table),
            'polaris_mirror.polaris_table': polarisDisplayName(row.target),
            'polaris_mirror.desired_state': row.desired.state,
            'polaris_mirror.request_id': requestId,
          })
      : undefined;
    const operation = startOperation(startSpan);
    // An operation that ended before its upsert (a setback, an abort) leaves no record of its prepare behind.
    const result = await this.attempt(row, { signal, operation }).finally(() => this.earlyMarks.delete(row.id));
    const outcome = result.outcome;
    if (operation.span) {
      operation.span.set({ 'polaris_mirror.action': result.action, 'polaris_mirror.outcome': outcome.kind });
      if (outcome.kind === 'failed' || outcome.kind === 'retry') operation.span.fail(outcome.error);
      operation.span.end();
    }
    return { ...result, outcome: { ...outcome, requestId: operation.requestId }, calls: operation.calls };
  }

  private async attempt(row: MirrorRow, scope: OperationScope): Promise<ConvergeResult> {
    if (!this.deps.polaris.get(row.polaris)) {
      const outcome = this.failed(
        row,
        `Polaris instance "${row.polaris}" is not configured any more`,
        `add it back under polarisInstances, or leave it out: its tables are not sent anywhere else`,
      );
      return { outcome, action: 'none' };
    }
    try {
      return row.desired.state === 'present' ? await this.upsert(row, scope) : await this.drop(row, scope);
    } catch (error) {
      // Anything unexpected (a bug, a disk error) must not kill the dispatcher: the table retries later.
      this.deps.logger.error({ err: error, table: polarisDisplayName(row.target), requestId: scope.operation.requestId }, 'unexpected error while mirroring a table');
      return { outcome: this.setback(row, classifyError(error)), action: 'none' };
    }
  }

  // ---- CREATE / UPDATE ----------------------------------------------------------------------------

  private async upsert(row: MirrorRow, scope: OperationScope): Promise<ConvergeResult> {
    const location = row.desired.metadataLocation!;
    const earlyMark = this.earlyMarks.get(row.id);
    this.earlyMarks.delete(row.id);
    if (this.deps.readBackBeforeFirstUpsert && row.applied.state === null) {
      const loaded = await this.load(row, scope);
      if (loaded.kind === 'verdict') return { outcome: this.setback(row, loaded.verdict), action: 'none' };
      if (loaded.kind === 'present' && loaded.metadataLocation === location) {
        return { outcome: this.appliedPresent(row, null), action: 'recovered' };
      }
    }
    const validation = await this.validateOnce(row, location, scope);
    if (validation) return { outcome: validation, action: 'none' };

    const type: NotificationType = row.applied.state === 'present' ? 'UPDATE' : 'CREATE';
    const action: Action = type === 'CREATE' ? 'create' : 'update';
    if (type === 'CREATE' && row.sentLocation !== location) {
      // Recorded before sending: should the process die between Polaris applying the CREATE and the
      // outcome being recorded, a later DROP still knows the table may be there and is ours.
      await (earlyMark?.location === location ? earlyMark.written : this.deps.ledger.markSending(row.id, location));
    }
    const verdict = await this.notify(type, row, location, row.desired.timestamp, scope);
    if (verdict.kind === 'ok') return { outcome: this.appliedPresent(row, row.desired.timestamp), action };
    if (verdict.kind !== 'stale') return this.refused(row, verdict, scope);
    return this.reconcileStale(row, location, action, scope);
  }

  /**
   * A CREATE/UPDATE Polaris refused. When it could not find the metadata file, the source has usually
   * moved on since the table was read (dropped it, or committed again and expired that file): the
   * source is read again and its current state goes next. Only a file the source still names is a
   * failure (a failed table waits the failed-table delay, and a table re-created later at the same
   * location would otherwise wait it out too).
   */
  private async refused(row: MirrorRow, verdict: Exclude<Verdict, { kind: 'ok' }>, scope: OperationScope): Promise<ConvergeResult> {
    if (verdict.kind === 'fail' && verdict.metadataNotFound) {
      const reread = await this.rereadChanged(row, scope).catch(() => undefined);
      if (reread) return { outcome: reread, action: 'none' };
    }
    return { outcome: this.setback(row, verdict), action: 'none' };
  }

  /**
   * VALIDATE once per directory of tables within a Polaris namespace (validation-scope.ts), else once
   * per table location; undefined when the upsert may go ahead.
   */
  private async validateOnce(row: MirrorRow, location: string, operationScope: OperationScope): Promise<Outcome | undefined> {
    // The cache's scope: instance and catalog (a location validated on one Polaris is not on another).
    const cacheScope = validationCacheScope(row);
    // The directory first: where it is validated (nearly every table after the first of a directory),
    // that is the only question asked, and it is answered from memory.
    const scope = validationScope(row.target.namespace, location);
    if (scope && (await this.validations.isValidated(cacheScope, scope.key))) return undefined;
    const tableLocation = tableLocationOf(location);
    if (await this.validations.isValidated(cacheScope, tableLocation)) return undefined;
    if (scope) {
      const verdict = await this.validateShared(cacheScope, scope.key, () => this.notify('VALIDATE', row, scope.directory, row.desired.timestamp, operationScope));
      if (verdict.kind === 'ok') return undefined;
      // Refused for the directory may still be allowed for the table (an allowed location below the
      // directory): only then is the table's own location asked about.
      if (!(verdict.kind === 'fail' && verdict.status === 403 && /allowed locations|invalid location/i.test(verdict.message))) return this.setback(row, verdict);
    }
    const verdict = await this.notify('VALIDATE', row, location, row.desired.timestamp, operationScope);
    if (verdict.kind !== 'ok') return this.setback(row, verdict);
    return this.validated(cacheScope, tableLocation);
  }

  /** Tables of one directory converging at once wait for the same VALIDATE rather than each sending one. */
  private readonly sharedValidations = new Map<string, Promise<Verdict>>();

  private async validateShared(cacheScope: string, key: string, send: () => Promise<Verdict>): Promise<Verdict> {
    const id = `${cacheScope} ${key}`;
    let pending = this.sharedValidations.get(id);
    // The directory's VALIDATE may have passed (and stopped being shared) while this table was asking
    // the ledger whether it had: the memo knows by then, so no second VALIDATE is sent.
    if (!pending && this.validations.knows(cacheScope, key)) return { kind: 'ok' };
    if (!pending) {
      // Cached (the write awaited) before it stops being shared, so no table starts another VALIDATE in between.
      pending = send()
        .then(async (verdict) => {
          if (verdict.kind === 'ok') await this.validations.markValidated(cacheScope, key).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not record a VALIDATE result'));
          return verdict;
        })
        .finally(() => this.sharedValidations.delete(id));
      this.sharedValidations.set(id, pending);
    }
    return pending;
  }

  private validated(cacheScope: string, key: string): undefined {
    // A cache entry: losing it in a crash costs one more VALIDATE, so it need not be awaited.
    this.validations.markValidated(cacheScope, key).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not record a VALIDATE result'));
    return undefined;
  }

  /**
   * Polaris holds a newer timestamp. Same metadata location → it already has our state (a resend after
   * a crash). Otherwise re-read the source, and resend once with max(now, last + 1); refused again →
   * another writer owns this table.
   */
  private async reconcileStale(row: MirrorRow, location: string, action: Action, scope: OperationScope): Promise<ConvergeResult> {
    const { metrics, ledger } = this.deps;
    const loaded = await this.load(row, scope);
    if (loaded.kind === 'verdict') return { outcome: this.setback(row, loaded.verdict), action: 'none' };
    if (loaded.kind === 'present' && loaded.metadataLocation === location) {
      metrics.reconciliations.inc({ kind: 'same_location' });
      return { outcome: this.appliedPresent(row, row.desired.timestamp), action };
    }

    const reread = await this.rereadChanged(row, scope);
    if (reread) return { outcome: reread, action: 'none' };

    const timestamp = timestampAfterStale(Date.now(), row.lastTimestamp);
    await ledger.raiseTimestamp(row.id, timestamp); // durable before it is sent: timestamps never go back
    const verdict = await this.notify(row.applied.state === 'present' ? 'UPDATE' : 'CREATE', row, location, timestamp, scope);
    if (verdict.kind === 'ok') {
      metrics.reconciliations.inc({ kind: 'resent' });
      return { outcome: this.appliedPresent(row, timestamp), action };
    }
    if (verdict.kind === 'stale') {
      metrics.reconciliations.inc({ kind: 'another_writer' });
      const holds = loaded.kind === 'present' ? ` (it holds ${loaded.metadataLocation})` : '';
      return {
        outcome: this.failed(
          row,
          `another writer owns this table: Polaris refused timestamp ${timestamp} as older than one it processed${holds}`,
          `stop the other writer of ${polarisDisplayName(row.target)} (another connector, a catalog sync), or exclude the table here; then run: polaris-mirror retry --table ${dottedName(row.table)}`,
        ),
        action: 'none',
      };
    }
    return this.refused(row, verdict, scope);
  }

  /** Re-reads the table from its source; an Outcome when the source changed (the new state is recorded). */
  private async rereadChanged(row: MirrorRow, scope: OperationScope): Promise<Outcome | undefined> {
    const source = this.deps.sources.get(row.source);
    if (!source?.adapter.read) return undefined;
    const fresh = await source.adapter.read(row.table, scope.signal);
    const same =
      fresh.state === row.desired.state &&
      (fresh.state === 'absent' || (fresh.metadataLocation === row.desired.metadataLocation && !recreatedInPlace(row.desired.tableUuid, fresh.tableUuid)));
    if (same) return undefined;
    await source.sink.commit([fresh]);
    return { kind: 'deferred', id: row.id, delayMs: RENAME_WAIT_MS, reason: 'the source changed while it was being mirrored' };
  }

  // ---- DROP ---------------------------------------------------------------------------------------

  private async drop(row: MirrorRow, scope: OperationScope): Promise<ConvergeResult> {
    const source = this.deps.sources.get(row.source);
    if (!row.desired.confirmed && source?.adapter.read) {
      let fresh;
      try {
        fresh = await source.adapter.read(row.table, scope.signal);
      } catch (error) {
        const verdict = classifyError(error);
        const message = `could not confirm that the table is gone from source ${row.source}, so it was not dropped: ${messageOf(error)}`;
        const hint = error instanceof MirrorError ? error.hint : undefined;
        return {
          outcome:
            verdict.kind === 'retry'
              ? this.setback(row, { ...verdict, message })
              : this.failed(row, message, hint ?? 'check the source is reachable and the connector may read this table'),
          action: 'none',
        };
      }
      if (fresh.state === 'present') {
        // Re-created (or the absence was a glitch): mirror the current state instead of dropping. If the
        // read ranks below the stored absence (an adapter whose order is not a clock), wait rather than spin.
        const stored = await source.sink.commit([fresh]);
        const delayMs = stored.accepted > 0 ? 0 : RENAME_WAIT_MS * 4;
        return { outcome: { kind: 'deferred', id: row.id, delayMs, reason: 'the table is present again in the source' }, action: 'none' };
      }
    }

    const uuid = row.desired.tableUuid ?? row.applied.tableUuid;
    const renamedTo = uuid ? await this.deps.ledger.unappliedUpsertOfUuid(row.target.catalog, uuid, row.id, row.polaris) : undefined;
    if (renamedTo?.status === 'pending') {
      return {
        outcome: { kind: 'deferred', id: row.id, delayMs: RENAME_WAIT_MS, reason: 'renamed: waiting for the table to be created under its new name first' },
        action: 'none',
      };
    }
    if (renamedTo) {
      // The new name cannot be created: keep the old one in Polaris (nothing lost) and say why. The new
      // name often settles by itself (renamed again, or dropped: its file moved on before Polaris read
      // it), so the old name is looked at again soon rather than after the failed-table backoff.
      const outcome = this.failed(
        row,
        `not dropped yet: the table was renamed to ${dottedName(renamedTo.table)}, which failed to be created (${renamedTo.lastError ?? 'failed'})`,
        `fix ${dottedName(renamedTo.table)} first; the old name is dropped once the new one is in Polaris`,
        BLOCKED_DROP_RECHECK_MS,
      );
      return { outcome, action: 'none' };
    }

    const loaded = await this.load(row, scope);
    if (loaded.kind === 'verdict') return { outcome: this.setback(row, loaded.verdict), action: 'none' };
    if (loaded.kind === 'absent') return { outcome: this.appliedAbsent(row), action: 'none' };

    // Delete only what this connector mirrored: the same Iceberg table (UUID), or a metadata file it
    // sent. A table whose metadata file is gone cannot be compared; it is ours if we created it (or
    // sent its CREATE just before a crash).
    const mayBeOurs = row.applied.state === 'present' || row.sentLocation !== null;
    const ours =
      loaded.kind === 'unreadable'
        ? mayBeOurs
        : (uuid !== null && loaded.tableUuid === uuid) ||
          (loaded.metadataLocation !== undefined &&
            [row.applied.metadataLocation, row.lastPresentLocation, row.sentLocation].includes(loaded.metadataLocation));
    if (!ours) {
      if (!mayBeOurs) return { outcome: this.appliedAbsent(row), action: 'none' };
      return {
        outcome: this.failed(
          row,
          `not dropped: Polaris's table now points at ${(loaded.kind === 'present' && loaded.metadataLocation) || 'an unknown location'}, not at the state this connector mirrored; another writer changed it`,
          `if ${polarisDisplayName(row.target)} should go, drop it in Polaris by hand; then run: polaris-mirror retry --table ${dottedName(row.table)}`,
        ),
        action: 'none',
      };
    }

    const location =
      (loaded.kind === 'present' ? loaded.metadataLocation : undefined) ?? row.applied.metadataLocation ?? row.sentLocation ?? row.lastPresentLocation ?? '';
    const verdict = await this.notify('DROP', row, location, row.desired.timestamp, scope);
    if (verdict.kind === 'ok') return { outcome: this.appliedAbsent(row), action: 'drop' };
    return { outcome: this.setback(row, verdict.kind === 'stale' ? { kind: 'retry', reason: 'conflict', message: verdict.message } : verdict), action: 'none' };
  }

  // ---- Polaris calls ------------------------------------------------------------------------------

  private async notify(type: NotificationType, row: MirrorRow, location: string, timestamp: number, scope: OperationScope): Promise<Verdict> {
    const body = notificationBody(type, {
      name: row.target.name,
      timestamp,
      tableUuid: row.desired.tableUuid ?? row.applied.tableUuid,
      metadataLocation: location,
    });
    let verdict: Verdict;
    try {
      const client = this.clientOf(row);
      const response = await client.notify(row.target, body, scope.signal, scope.operation);
      verdict = await verdictOf(client, response, { catalog: row.target.catalog, location: tableLocationOf(location) }, scope.signal, scope.operation);
    } catch (error) {
      verdict = classifyError(error);
    }
    this.deps.metrics.notifications.inc({ type, outcome: verdict.kind, target: targetLabel({ polaris: row.polaris, catalog: row.target.catalog }) });
    this.deps.logger.debug({ table: polarisDisplayName(row.target), type, timestamp, verdict: verdict.kind, requestId: scope.operation.requestId }, 'notification');
    return verdict;
  }

  /**
   * Reads the table back from Polaris. 'unreadable': Polaris has the table but cannot load its metadata
   * file (typically purged along with the table at the source: 400 on object stores, 404 on FILE), so
   * its location is unknown. A missing table, namespace or catalog is 'absent'.
   */
  private async load(row: MirrorRow, scope: OperationScope): Promise<LoadResult> {
    let response: HttpResponse;
    try {
      response = await this.clientOf(row).loadTable(row.target, scope.signal, scope.operation);
    } catch (error) {
      return { kind: 'verdict', verdict: classifyError(error) };
    }
    if (response.status === 200) return { kind: 'present', ...loadedTable(response) };
    const error = (response.body as { error?: { type?: unknown } } | undefined)?.error;
    if (response.status === 404 && (error?.type === 'NoSuchTableException' || error?.type === 'NoSuchNamespaceException')) return { kind: 'absent' };
    if (isUnreadableMetadata(response)) return { kind: 'unreadable' };
    return { kind: 'verdict', verdict: await verdictOf(this.clientOf(row), response, { catalog: row.target.catalog }, scope.signal, scope.operation) };
  }

  private clientOf(row: MirrorRow): PolarisClient {
    return this.deps.polaris.get(row.polaris)!.client;
  }

  private retryOf(row: MirrorRow): PolarisConfig['retry'] {
    return this.deps.polaris.get(row.polaris)!.config.retry;
  }

  // ---- outcomes -----------------------------------------------------------------------------------

  private appliedPresent(row: MirrorRow, timestamp: number | null): Outcome {
    return {
      kind: 'applied',
      id: row.id,
      rev: row.rev,
      applied: { state: 'present', metadataLocation: row.desired.metadataLocation, tableUuid: row.desired.tableUuid, timestamp },
    };
  }

  private appliedAbsent(row: MirrorRow): Outcome {
    return {
      kind: 'applied',
      id: row.id,
      rev: row.rev,
      applied: { state: 'absent', metadataLocation: null, tableUuid: row.desired.tableUuid ?? row.applied.tableUuid, timestamp: row.desired.timestamp },
    };
  }

  /**
   * A failed table, tried again after the failed-table backoff (or sooner, with maxDelayMs). A
   * transient failure (the target's trouble) is also retried as soon as the target answers again.
   */
  private failed(row: MirrorRow, error: string, hint: string, maxDelayMs = Number.POSITIVE_INFINITY, transient = false): Outcome {
    const { redactor } = this.deps;
    const delayMs = Math.min(failedRetryDelay(row.attempts), maxDelayMs);
    // Scrubbed, control characters made visible, then bounded (src/telemetry/safe-text.ts): this is stored and shown.
    return { kind: 'failed', id: row.id, rev: row.rev, error: excerpt(redactor.scrub(error)), hint: excerpt(redactor.scrub(hint)), delayMs, transient };
  }

  private setback(row: MirrorRow, verdict: Verdict): Outcome {
    switch (verdict.kind) {
      case 'retry': {
        this.deps.metrics.retries.inc({ reason: verdict.reason, target: targetLabel({ polaris: row.polaris, catalog: row.target.catalog }) });
        if (verdict.reason === 'conflict') this.deps.metrics.reconciliations.inc({ kind: 'conflict_retry' });
        const attempts = row.attempts + 1;
        const retry = this.retryOf(row);
        const targetTrouble = TARGET_TROUBLE.has(verdict.reason);
        if (targetTrouble) this.deps.health?.troubleOn(row.polaris);
        if (attempts >= retry.maxAttempts) {
          // Still retried, but slowly and visibly: after this many in a row it needs a look.
          const hint = `${attempts} attempts failed in a row; retrying with a growing delay${targetTrouble ? ', and at once when this Polaris answers again' : ''}. ${verdict.hint ?? ''}`;
          return this.failed(row, verdict.message, hint.trim(), Number.POSITIVE_INFINITY, targetTrouble);
        }
        return {
          kind: 'retry',
          id: row.id,
          rev: row.rev,
          error: excerpt(this.deps.redactor.scrub(verdict.message)),
          hint: verdict.hint === undefined ? undefined : excerpt(this.deps.redactor.scrub(verdict.hint)),
          delayMs: backoffDelay(row.attempts, { ...retry, retryAfterMs: verdict.retryAfterMs }),
        };
      }
      case 'fail':
        return this.failed(row, verdict.message, verdict.hint);
      case 'stale':
        return this.failed(row, verdict.message, 'Polaris holds a newer timestamp for this table');
      case 'ok':
        throw new Error('an ok verdict is not a setback');
    }
  }
}

/**
 * The VALIDATE cache's scope: the catalog on the default instance (as before targets existed), and
 * instance + catalog on any other, so that a location validated on one Polaris is validated on each.
 */
function validationCacheScope(row: MirrorRow): string {
  return row.polaris === DEFAULT_POLARIS ? row.target.catalog : `${row.polaris}\u001f${row.target.catalog}`;
}
