import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import { dottedName } from '../../src/model/table.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import type { Logger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { callSignal } from './call-signal.js';
import { BatchReads } from './batch-reads.js';
import { parseGlueMessage, type GlueChange } from './glue-events.js';
import type { GlueCatalogReader } from './glue-reader.js';
import { sourceError } from './glue-errors.js';

export interface SqsWatcherDeps {
  readonly source: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly waitSeconds: number;
  readonly reader: GlueCatalogReader;
  /** The source's include/exclude: events on tables it leaves out cost no GetTable. */
  readonly filter: TableFilter;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** A message that could not be handled comes back after this delay, doubling per receive (5 s … 15 min). */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(900, 5 * 2 ** Math.min(10, Math.max(0, receiveCount - 1)));
}

interface Planned {
  readonly message: Message;
  readonly change: GlueChange;
  /** Settles when this message's reads are done, rejecting when one failed; none when nothing is to read. */
  readonly work: Promise<unknown> | undefined;
}

/**
 * Change capture: long-polls the queue, reads every table an event names (GetTable), commits the
 * observations to the ledger and only then deletes the messages. A crash anywhere before the delete
 * leaves the message in the queue: it comes back and is read again, which is harmless because an
 * observation is a state, not a change. Messages that cannot be parsed are logged, counted and left
 * alone, so the queue's redrive policy moves them to its dead-letter queue.
 */
export class SqsWatcher {
  constructor(private readonly deps: SqsWatcherDeps) {}

  async run(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const messages = await this.receive(signal);
      if (messages === undefined) return;
      this.recordLag(messages);
      if (messages.length > 0) await this.handleBatch(messages, sink, signal);
    }
  }

  /** Undefined when the poll was cut short by shutdown. */
  private async receive(signal: AbortSignal): Promise<Message[] | undefined> {
    try {
      const output = await this.deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.deps.queueUrl,
          MaxNumberOfMessages: 10,
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

  private async handleBatch(messages: readonly Message[], sink: ObservationSink, signal: AbortSignal): Promise<void> {
    const reads = new BatchReads(this.deps.reader, sink, signal);
    const planned: Planned[] = [];
    for (const message of messages) {
      const parsed = parseGlueMessage(message.Body);
      if (!parsed.ok) {
        this.deps.metrics.sourceEvents.inc({ source: this.deps.source, outcome: 'unparseable' });
        this.deps.logger.warn(
          { source: this.deps.source, messageId: message.MessageId, receiveCount: receiveCount(message) },
          `left an SQS message in the queue for its redrive policy: ${parsed.reason}`,
        );
        continue;
      }
      planned.push({ message, change: parsed.change, work: this.workFor(parsed.change, reads) });
    }

    const settled = await Promise.all(planned.map(async (p) => ({ planned: p, result: await settle(p.work) })));
    await reads.settled();
    // Every read that succeeded is the truth, even when another table of the same message failed.
    const observations = reads.observations();
    // Durable before any message is deleted: if this throws, the watch stops and every message returns.
    if (observations.length > 0) await sink.commit(observations);

    await Promise.all(
      settled.map(async ({ planned: p, result }) => {
        if (result.ok) {
          await this.delete(p.message, signal);
          this.deps.metrics.sourceEvents.inc({ source: this.deps.source, outcome: p.work ? 'applied' : 'ignored' });
          this.deps.logger.debug({ source: this.deps.source, messageId: p.message.MessageId, change: p.change }, 'Glue event applied');
        } else {
          this.deps.metrics.sourceEvents.inc({ source: this.deps.source, outcome: 'failed' });
          await this.retryLater(p.message, result.error, signal);
        }
      }),
    );
  }

  /** The reads a change needs; undefined when there is nothing to do. */
  private workFor(change: GlueChange, reads: BatchReads): Promise<unknown> | undefined {
    if (change.kind === 'ignored') return undefined;
    if (change.kind === 'database-deleted') return reads.deletedDatabase(change.database);
    const tables = change.tables.map((name) => ({ namespace: [change.database], name })).filter((t) => this.deps.filter.accepts(dottedName(t)));
    return tables.length === 0 ? undefined : Promise.all(tables.map((t) => reads.table(t)));
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

async function settle(work: Promise<unknown> | undefined): Promise<{ ok: true } | { ok: false; error: MirrorError }> {
  try {
    await work;
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof MirrorError ? error : new MirrorError(messageOf(error), { retryable: true, cause: error }) };
  }
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
