import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Observation } from '../../src/model/observation.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import type { Logger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { BatchCommit } from './batch-commit.js';
import { callSignal } from './call-signal.js';
import type { CatalogRef } from './catalog-ids.js';
import { CatalogSet } from './catalog-set.js';
import { parseGlueMessage, type GlueChange } from './glue-events.js';
import { sourceError } from './glue-errors.js';
import { TableReads } from './table-reads.js';

export interface SqsWatcherDeps {
  readonly source: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly waitSeconds: number;
  /** The source's catalogs: each event is read in the one it names; events of other catalogs are skipped. */
  readonly catalogs: CatalogSet;
  /** The source's include/exclude: events on tables it leaves out cost no GetTable. */
  readonly filter: TableFilter;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Messages worked on at once: a slow one (thousands of tables) does not stop the next from being received. */
const MESSAGES_IN_FLIGHT = 20;

/** SQS's default visibility timeout, assumed when the queue's own cannot be read. */
const DEFAULT_VISIBILITY_SECONDS = 30;

/** How a message in the works is kept invisible: its visibility is set again this often, to this long. */
interface Heartbeat {
  readonly everyMs: number;
  readonly extendSeconds: number;
}

/** A message that could not be handled comes back after this delay, doubling per receive (5 s … 15 min). */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(900, 5 * 2 ** Math.min(10, Math.max(0, receiveCount - 1)));
}

/** A message being worked on. SQS may deliver it again meanwhile: only the latest receipt handle deletes it. */
interface InFlight {
  message: Message;
  done?: Promise<void>;
}

/**
 * Change capture: long-polls the queue, reads every table an event names (GetTable), commits the
 * observations to the ledger and only then deletes the message. A crash anywhere before the delete
 * leaves the message in the queue: it comes back and is read again, which is harmless because an
 * observation is a state, not a change. Messages that cannot be parsed are logged, counted and left
 * alone, so the queue's redrive policy moves them to its dead-letter queue.
 *
 * Each message goes its own way — read, commit, delete — up to MESSAGES_IN_FLIGHT at once, and their
 * reads share the Glue concurrency in turn (TableReads): one message naming thousands of tables used
 * to hold back every other message of its batch for minutes. While a message is worked on, its
 * visibility is extended, so a long one is not delivered again (nor moved to the dead-letter queue).
 */
export class SqsWatcher {
  constructor(private readonly deps: SqsWatcherDeps) {}

  async run(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    const reads = new TableReads(signal);
    const heartbeat = await this.heartbeat(signal);
    const inFlight = new Map<string, InFlight>();
    let fatal: { error: unknown } | undefined;
    // A failed commit ends the long poll at once: no message is received again before the watch restarts.
    const stopReceiving = new AbortController();
    const receiving = AbortSignal.any([signal, stopReceiving.signal]);
    while (!receiving.aborted) {
      if (inFlight.size >= MESSAGES_IN_FLIGHT) {
        await Promise.race([...inFlight.values()].map((entry) => entry.done));
        continue;
      }
      const messages = await this.receive(receiving, Math.min(10, MESSAGES_IN_FLIGHT - inFlight.size));
      if (messages === undefined) break;
      this.recordLag(messages);
      if (fatal) break; // left alone: they come back after their visibility timeout
      const fresh: Message[] = [];
      for (const message of messages) {
        const running = inFlight.get(message.MessageId ?? '');
        // Delivered again while worked on: its new handle is the one that deletes it.
        if (running) running.message = message;
        else fresh.push(message);
      }
      const batch = new BatchCommit(sink, fresh.length);
      for (const message of fresh) {
        const id = message.MessageId ?? '';
        const entry: InFlight = { message };
        // From its arrival to its commit, a message goes before a pass over the whole catalog.
        const committed = sink.eventStarted?.() ?? (() => undefined);
        entry.done = this.handle(entry, { reads, batch, heartbeat, committed }, signal)
          .catch((error: unknown) => {
            fatal ??= { error };
            stopReceiving.abort();
          })
          .finally(() => {
            committed();
            inFlight.delete(id);
          });
        inFlight.set(id, entry);
      }
    }
    await Promise.allSettled([...inFlight.values()].map((entry) => entry.done));
    // A commit that failed: the watch stops (and restarts); every message not deleted comes back.
    if (fatal && !signal.aborted) throw fatal.error;
  }

  /** Undefined when the poll was cut short by shutdown. */
  private async receive(signal: AbortSignal, max: number): Promise<Message[] | undefined> {
    try {
      const output = await this.deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.deps.queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: this.deps.waitSeconds,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
        { abortSignal: callSignal(signal) },
      );
      return output.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return undefined;
      throw sourceError(error, `SQS ReceiveMessage from ${this.deps.queueUrl}`, 'sqs');
    }
  }

  /** One message: its reads, the commit of what they saw, then delete (or retry later if a read failed). */
  private async handle(
    entry: InFlight,
    { reads, batch, heartbeat, committed }: { reads: TableReads; batch: BatchCommit; heartbeat: Heartbeat; committed: () => void },
    signal: AbortSignal,
  ): Promise<void> {
    const parsed = parseGlueMessage(entry.message.Body);
    if (!parsed.ok) {
      this.deps.metrics.sourceEvents.inc({ source: this.deps.source, outcome: 'unparseable' });
      this.deps.logger.warn(
        { source: this.deps.source, messageId: entry.message.MessageId, receiveCount: receiveCount(entry.message) },
        `left an SQS message in the queue for its redrive policy: ${parsed.reason}`,
      );
      await batch.commit([]);
      return;
    }
    const timer = this.keepInvisible(entry, heartbeat, signal);
    try {
      // Never throws for a failed read (that is `failure`), so the batch always hears from this message.
      const { observations, failure, work, notMirrored } = await this.read(entry.message.MessageId ?? '', parsed.catalog, parsed.change, reads, batch.sink, signal);
      // Every read that succeeded is the truth, even when another table of the same message failed.
      // Durable before the message is deleted: if this throws, the watch stops and the message returns.
      await batch.commit(observations);
      committed();
      if (!failure) {
        // Counted once committed: the delete only tidies the queue (a lost one means a harmless redelivery).
        // An event of a catalog the source does not mirror (the queue is fed by the account's whole bus).
        this.deps.metrics.sourceEvents.inc({ source: this.deps.source, outcome: notMirrored ? 'catalog_not_mirrored' : work ? 'applied' : 'ignored' });
        await this.delete(entry.message, signal);
        this.deps.logger.debug({ source: this.deps.source, messageId: entry.message.MessageId, change: parsed.change }, 'Glue event applied');
      } else {
        this.deps.metrics.sourceEvents.inc({ source: this.deps.source, outcome: 'failed' });
        await this.retryLater(entry.message, failure, signal);
      }
    } finally {
      clearInterval(timer);
    }
  }

  /** The reads a change needs and what they saw; `work` is false when there was nothing to read. */
  private async read(
    messageId: string,
    seen: CatalogRef,
    change: GlueChange,
    reads: TableReads,
    sink: ObservationSink,
    signal: AbortSignal,
  ): Promise<{ observations: Observation[]; failure: MirrorError | undefined; work: boolean; notMirrored?: boolean }> {
    if (change.kind === 'ignored') return { observations: [], failure: undefined, work: false };
    let where;
    try {
      const catalog = await this.deps.catalogs.route(seen, signal);
      if (!catalog) return { observations: [], failure: undefined, work: false, notMirrored: true };
      where = { catalog, database: change.database };
    } catch (error) {
      return { observations: [], failure: asMirrorError(error), work: true };
    }
    if (change.kind === 'database-deleted') {
      try {
        const namespace = CatalogSet.tableName(where.catalog, change.database, '').namespace;
        // Only this catalog's database: a catalog whose databases are at the top shares the first level with others.
        const known = (await sink.knownTables(namespace)).filter((t) => t.namespace.length === namespace.length);
        if (known.length === 0) return { observations: [], failure: undefined, work: false };
        return { observations: await reads.deletedDatabase(messageId, where, known), failure: undefined, work: true };
      } catch (error) {
        return { observations: [], failure: asMirrorError(error), work: true };
      }
    }
    const tables = change.tables.map((name) => CatalogSet.tableName(where.catalog, change.database, name)).filter((t) => this.deps.filter.acceptsTable(t));
    const results = await Promise.allSettled(tables.map((table) => reads.table(messageId, where, table)));
    const observations: Observation[] = [];
    let failure: MirrorError | undefined;
    for (const result of results) {
      if (result.status === 'rejected') failure ??= asMirrorError(result.reason);
      else if (result.value) observations.push(result.value);
    }
    return { observations, failure, work: tables.length > 0 };
  }

  /**
   * The queue's visibility timeout decides the heartbeat: a message in the works has its visibility set
   * to that again every third of it, so it is neither delivered again nor, after maxReceiveCount
   * deliveries, moved to the dead-letter queue while it is still being read.
   */
  private async heartbeat(signal: AbortSignal): Promise<Heartbeat> {
    let seconds = DEFAULT_VISIBILITY_SECONDS;
    try {
      const { Attributes = {} } = await this.deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.deps.queueUrl, AttributeNames: ['VisibilityTimeout'] }), {
        abortSignal: callSignal(signal),
      });
      const value = Number(Attributes.VisibilityTimeout);
      if (Number.isFinite(value) && value > 0) seconds = value;
    } catch (error) {
      if (!signal.aborted) {
        this.deps.logger.warn(
          { source: this.deps.source, hint: 'allow sqs:GetQueueAttributes on the queue' },
          `could not read the visibility timeout of ${this.deps.queueUrl} (${messageOf(error)}); assuming ${DEFAULT_VISIBILITY_SECONDS} s`,
        );
      }
    }
    return { everyMs: Math.max(250, (seconds * 1000) / 3), extendSeconds: seconds };
  }

  /** Sets the message's visibility again every so often while it is worked on; returns the timer to clear. */
  private keepInvisible(entry: InFlight, heartbeat: Heartbeat, signal: AbortSignal): NodeJS.Timeout {
    const timer = setInterval(() => {
      void this.deps.sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.deps.queueUrl, ReceiptHandle: entry.message.ReceiptHandle, VisibilityTimeout: heartbeat.extendSeconds }), {
          abortSignal: callSignal(signal),
        })
        .catch((error: unknown) => {
          // Harmless: the message may come back before it is done, and is then not worked on twice.
          if (!signal.aborted) this.deps.logger.debug({ source: this.deps.source, messageId: entry.message.MessageId }, `could not extend an SQS message's visibility: ${withoutHandle(error, entry.message)}`);
        });
    }, heartbeat.everyMs);
    timer.unref();
    return timer;
  }

  /** A delete cut short by shutdown is harmless too: the message comes back and is read again. */
  private async delete(message: Message, signal: AbortSignal): Promise<void> {
    try {
      await this.deps.sqs.send(new DeleteMessageCommand({ QueueUrl: this.deps.queueUrl, ReceiptHandle: message.ReceiptHandle }), { abortSignal: callSignal(signal) });
    } catch (error) {
      if (signal.aborted) return;
      // The change is recorded: the message comes back after its visibility timeout and is re-read harmlessly.
      this.deps.logger.warn({ source: this.deps.source, messageId: message.MessageId }, `could not delete an SQS message (it will be delivered again): ${withoutHandle(error, message)}`);
    }
  }

  private async retryLater(message: Message, error: MirrorError, signal: AbortSignal): Promise<void> {
    const count = receiveCount(message);
    const delay = retryDelaySeconds(count);
    this.deps.logger.warn(
      { source: this.deps.source, messageId: message.MessageId, receiveCount: count, retryInSeconds: delay, hint: error.hint },
      `a Glue event could not be applied; it stays in the queue: ${error.message}`,
    );
    try {
      await this.deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.deps.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: delay }), { abortSignal: callSignal(signal) });
    } catch (changeError) {
      if (signal.aborted) return;
      this.deps.logger.warn(
        { source: this.deps.source, messageId: message.MessageId },
        `could not delay an SQS message; it returns after the queue's visibility timeout: ${withoutHandle(changeError, message)}`,
      );
    }
  }

  /** Lag: how old the oldest message of the batch is (0 when the queue is empty). */
  private recordLag(messages: readonly Message[]): void {
    const sent = messages.map((m) => Number(m.Attributes?.SentTimestamp)).filter((t) => Number.isFinite(t));
    const oldest = sent.length > 0 ? Math.min(...sent) : Date.now();
    this.deps.metrics.sourceLag.set({ source: this.deps.source }, Math.max(0, Date.now() - oldest) / 1000);
  }
}

function asMirrorError(error: unknown): MirrorError {
  return error instanceof MirrorError ? error : new MirrorError(messageOf(error), { retryable: true, cause: error });
}

/**
 * An SQS error's message without the receipt handle: SQS quotes it ("Value <handle> for parameter
 * ReceiptHandle is invalid"), and a handle lets whoever reads the log delete or hide the message.
 */
function withoutHandle(error: unknown, message: Message): string {
  const text = messageOf(error);
  return message.ReceiptHandle ? text.split(message.ReceiptHandle).join('[REDACTED]') : text;
}

function receiveCount(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
}
