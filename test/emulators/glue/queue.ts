// One standard SQS queue: messages become invisible for the visibility timeout when received, come back
// if not deleted in time, carry a new receipt handle on every receive (only the latest one deletes),
// move to the dead-letter queue once received more than maxReceiveCount times, and long polls wait
// until a message is visible or the wait time ends.
import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from './aws-errors.js';
import type { MessageView, QueueSpec } from './types.js';

interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  visibleAt: number;
  /** The receipt handle of the latest receive; older ones no longer delete the message. */
  handle: string | undefined;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
}

export class Queue {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly waiters = new Set<() => void>();
  private sequence = 0;

  constructor(
    readonly spec: QueueSpec,
    /** Looks up the dead-letter queue by name when a message exceeds maxReceiveCount. */
    private readonly queueByName: (name: string) => Queue | undefined,
  ) {}

  get visibilityTimeoutSeconds(): number {
    return this.spec.visibilityTimeoutSeconds ?? 30;
  }

  send(body: string, now = Date.now()): string {
    const id = `${(++this.sequence).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
    this.messages.set(id, {
      id,
      body,
      md5: createHash('md5').update(body, 'utf8').digest('hex'),
      sentAt: now,
      receiveCount: 0,
      firstReceiveAt: undefined,
      visibleAt: now,
      handle: undefined,
    });
    this.wake();
    return id;
  }

  /** ReceiveMessage: up to `max` visible messages, waiting up to `waitSeconds` for one to show up. */
  async receive(max: number, visibilitySeconds: number, waitSeconds: number, cancelled: () => boolean): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const taken = this.take(max, visibilitySeconds);
      if (taken.length > 0 || Date.now() >= deadline || cancelled()) return taken;
      await this.nextChange(deadline);
    }
  }

  delete(handle: string): void {
    const id = idOfHandle(handle);
    const message = this.messages.get(id);
    // SQS answers success for an outdated handle (or a message already deleted) but deletes nothing.
    if (message && message.handle === handle) this.messages.delete(id);
  }

  changeVisibility(handle: string, seconds: number, now = Date.now()): void {
    const id = idOfHandle(handle);
    const message = this.messages.get(id);
    if (!message || message.handle !== handle || message.visibleAt <= now) {
      // SQS's own wording, which quotes the handle: callers must not log error messages verbatim.
      throw new AwsError(
        'MessageNotInflight',
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
        400,
        'AWS.SimpleQueueService.MessageNotInflight',
      );
    }
    message.visibleAt = now + seconds * 1000;
    this.wake();
  }

  attributes(now = Date.now()): Record<string, string> {
    let visible = 0;
    for (const m of this.messages.values()) if (m.visibleAt <= now) visible++;
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(this.messages.size - visible),
      VisibilityTimeout: String(this.visibilityTimeoutSeconds),
      ...(this.spec.redrive
        ? { RedrivePolicy: JSON.stringify({ maxReceiveCount: this.spec.redrive.maxReceiveCount, deadLetterTargetArn: this.spec.redrive.deadLetterQueue }) }
        : {}),
    };
  }

  view(now = Date.now()): MessageView[] {
    return [...this.messages.values()].map((m) => ({ messageId: m.id, body: m.body, receiveCount: m.receiveCount, visible: m.visibleAt <= now, sentAt: m.sentAt }));
  }

  /** PurgeQueue: every message is gone, in flight or not (their receipt handles no longer work). */
  purge(): void {
    this.messages.clear();
  }

  /** Wakes every long poll to check its queue and its client again. */
  wakeAll(): void {
    this.wake();
  }

  private take(max: number, visibilitySeconds: number, now = Date.now()): ReceivedMessage[] {
    const out: ReceivedMessage[] = [];
    for (const m of [...this.messages.values()]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      const redrive = this.spec.redrive;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        const dlq = this.queueByName(redrive.deadLetterQueue);
        if (dlq) {
          this.messages.delete(m.id);
          dlq.send(m.body, m.sentAt);
          continue;
        }
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      m.handle = `${Buffer.from(m.id).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
      out.push({
        MessageId: m.id,
        ReceiptHandle: m.handle,
        MD5OfBody: m.md5,
        Body: m.body,
        Attributes: {
          SentTimestamp: String(m.sentAt),
          ApproximateReceiveCount: String(m.receiveCount),
          ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
        },
      });
    }
    return out;
  }

  /** Resolves on a send or visibility change, when an in-flight message times out, or at the deadline. */
  private nextChange(deadline: number): Promise<void> {
    const now = Date.now();
    let at = deadline;
    for (const m of this.messages.values()) if (m.visibleAt > now && m.visibleAt < at) at = m.visibleAt;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, at - now));
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function idOfHandle(handle: string): string {
  const [encoded, nonce] = handle.split('.');
  const id = encoded ? Buffer.from(encoded, 'base64url').toString('utf8') : '';
  if (!nonce || !/^[0-9a-f]{8}-[0-9a-f]{24}$/.test(id)) {
    throw new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 400, 'ReceiptHandleIsInvalid');
  }
  return id;
}
