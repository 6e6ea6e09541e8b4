import { gunzipSync } from 'node:zlib';

/**
 * The notification message as JSON, whatever its `messageFormat`:
 * - `json-0.2` (Hive 2/3) and `json-2.0`: the JSON text itself;
 * - `gzip(json-2.0)` (Hive 4's default): Base64 of the gzip of that JSON.
 * Throws UnparseableMessage with the reason (bad Base64, bad gzip, bad JSON, unknown format): the
 * caller logs it with the event id and moves on, so one poison message never stalls the log.
 */
export class UnparseableMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnparseableMessage';
  }
}

/** A gzip bomb must not exhaust memory: real messages are kilobytes, a big table's a few megabytes. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * How many bytes a group of messages may inflate to in all (the messages of one hook request): a body
 * of many small gzip bombs must not cost seconds of CPU even when each stays under the per-message cap.
 */
export class InflateBudget {
  constructor(public remaining: number) {}
}

/** The group's InflateBudget ran out: the request is too much work, not a poison message. */
export class InflateBudgetExceeded extends Error {
  constructor(readonly limit: number) {
    super(`the messages inflate to more than ${limit} bytes in all`);
    this.name = 'InflateBudgetExceeded';
  }
}

export function decodeMessage(message: string, messageFormat: string | undefined, budget?: InflateBudget): unknown {
  const format = messageFormat?.trim() ?? '';
  if (format.startsWith('gzip(')) return parseJson(gunzipBase64(message, budget));
  if (format.startsWith('json')) return parseJson(message);
  if (format === '') {
    // No format recorded (hand-made hooks): plain JSON starts with "{", anything else is tried as gzip.
    return parseJson(message.trimStart().startsWith('{') ? message : gunzipBase64(message, budget));
  }
  throw new UnparseableMessage(`unknown messageFormat "${format}" (expected json-0.2, json-2.0 or gzip(json-2.0))`);
}

function gunzipBase64(message: string, budget: InflateBudget | undefined): string {
  const compact = message.replace(/\s+/g, '');
  // Buffer.from(…, 'base64') silently drops characters it does not know: check first.
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new UnparseableMessage('the message is not valid Base64');
  const bytes = Buffer.from(compact, 'base64');
  const cap = Math.min(MAX_INFLATED_BYTES, budget?.remaining ?? Infinity);
  let inflated: Buffer;
  try {
    if (cap < 1) throw new RangeError('no inflate budget left');
    inflated = gunzipSync(bytes, { maxOutputLength: cap });
  } catch (error) {
    if (budget && cap < MAX_INFLATED_BYTES && error instanceof RangeError) throw new InflateBudgetExceeded(budget.remaining);
    throw new UnparseableMessage(`the message is not valid gzip data (${(error as Error).message})`);
  }
  if (budget) budget.remaining -= inflated.length;
  return inflated.toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnparseableMessage(`the message is not valid JSON (${(error as Error).message})`);
  }
}
