// The SQS operations the connector calls (awsJson1_0, target "AmazonSQS.<Operation>"): ReceiveMessage
// (long poll), DeleteMessage, ChangeMessageVisibility and GetQueueAttributes (used by `check`), on
// queues addressed by QueueUrl. `holdDeletes` parks DeleteMessage requests unanswered, so a test can
// kill the connector between its ledger commit and the deletion.
import { AwsError } from './aws-errors.js';
import { Queue, type ReceivedMessage } from './queue.js';
import { ACCOUNT_ID, REGION, type QueueSpec } from './types.js';

type Input = Record<string, unknown>;

export class SqsService {
  private readonly queues = new Map<string, Queue>();
  private deleteGate: { promise: Promise<void>; open: () => void } | undefined;
  /** DeleteMessage requests that arrived while deletes were held (the test waits for one). */
  heldDeletes = 0;

  constructor(private readonly baseUrl: () => string) {}

  createQueue(spec: QueueSpec): string {
    if (this.queues.has(spec.name)) throw new Error(`queue ${spec.name} exists`);
    this.queues.set(spec.name, new Queue(spec, (name) => this.queues.get(name)));
    return this.urlOf(spec.name);
  }

  urlOf(name: string): string {
    return `${this.baseUrl()}/${ACCOUNT_ID}/${name}`;
  }

  queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue ${name}`);
    return queue;
  }

  /** Park DeleteMessage requests until released (`false`); a request whose client went away is dropped. */
  holdDeletes(hold: boolean): void {
    if (hold && !this.deleteGate) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.deleteGate = { promise, open };
    } else if (!hold && this.deleteGate) {
      this.deleteGate.open();
      this.deleteGate = undefined;
    }
  }

  /** Long polls re-check their queue (and whether their client is still there). */
  wakePolls(): void {
    for (const queue of this.queues.values()) queue.wakeAll();
  }

  closeAll(): void {
    this.holdDeletes(false);
    this.wakePolls();
  }

  async handle(operation: string, input: Input, clientGone: () => boolean): Promise<unknown> {
    const queue = this.byUrl(input['QueueUrl']);
    switch (operation) {
      case 'ReceiveMessage': {
        const max = intIn(input, 'MaxNumberOfMessages', 1, 10, 1);
        const wait = intIn(input, 'WaitTimeSeconds', 0, 20, 0);
        const visibility = intIn(input, 'VisibilityTimeout', 0, 43_200, queue.visibilityTimeoutSeconds);
        const messages: ReceivedMessage[] = await queue.receive(max, visibility, wait, clientGone);
        if (clientGone()) {
          // The poll was abandoned: SQS would still count the receive; we make the messages visible
          // again so an aborted poll in a test does not hide them for a whole visibility timeout.
          for (const m of messages) queue.changeVisibility(m.ReceiptHandle, 0);
          return {};
        }
        return messages.length > 0 ? { Messages: messages } : {};
      }
      case 'DeleteMessage': {
        const handle = requiredString(input, 'ReceiptHandle');
        if (this.deleteGate) {
          this.heldDeletes++;
          await this.deleteGate.promise;
          if (clientGone()) return {};
        }
        queue.delete(handle);
        return {};
      }
      case 'ChangeMessageVisibility': {
        queue.changeVisibility(requiredString(input, 'ReceiptHandle'), intIn(input, 'VisibilityTimeout', 0, 43_200, 0));
        return {};
      }
      case 'GetQueueAttributes':
        return { Attributes: { ...queue.attributes(), QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${queue.spec.name}` } };
      default:
        throw new AwsError('UnsupportedOperation', `The emulator does not implement ${operation}`, 400, 'AWS.SimpleQueueService.UnsupportedOperation');
    }
  }

  private byUrl(url: unknown): Queue {
    if (typeof url !== 'string') throw new AwsError('InvalidAddress', 'QueueUrl is required', 400, 'InvalidAddress');
    const name = url.slice(url.lastIndexOf('/') + 1);
    const queue = this.queues.get(name);
    if (!queue) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', 400, 'AWS.SimpleQueueService.NonExistentQueue');
    return queue;
  }
}

function intIn(input: Input, key: string, min: number, max: number, fallback: number): number {
  const value = input[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AwsError('InvalidParameterValue', `Value ${String(value)} for parameter ${key} is invalid. Must be between ${min} and ${max}.`, 400, 'InvalidParameterValue');
  }
  return value;
}

function requiredString(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${key}.`, 400, 'MissingParameter');
  return value;
}
