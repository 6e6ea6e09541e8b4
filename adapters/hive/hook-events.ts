import { z } from 'zod';
import { MAX_SOURCE_TIME_MS } from '../../src/normalizer/timestamp.js';
import { parseEventId } from '../hive-log/event-id.js';

/**
 * The hook body: one event as the metastore's DbNotificationListener records it (the fields of
 * NOTIFICATION_LOG / NotificationEvent), or an array of them (a listener flushing its spool). Extra
 * fields are ignored, so a listener can forward the whole NotificationEvent unchanged.
 */
const eventIdSchema = z.union([
  // JSON numbers above 2^53 have already lost digits when they reach here: those must come as strings.
  z.number().refine((n) => Number.isSafeInteger(n) && n >= 0, { error: 'eventId must be a non-negative integer; above 2^53 send it as a string of digits' }),
  z.string().refine((text) => parseEventId(text) !== undefined, { error: 'eventId must be a non-negative 64-bit integer' }),
]);

export const hookEventSchema = z.object({
  eventId: eventIdSchema.nullish(),
  /** Seconds since the epoch, as the metastore records it. */
  eventTime: z
    .number()
    .int()
    .nonnegative()
    .max(Math.floor(MAX_SOURCE_TIME_MS / 1000), 'eventTime is in seconds since the epoch')
    .nullish(),
  eventType: z.string().min(1, 'eventType is required'),
  dbName: z.string().nullish(),
  tableName: z.string().nullish(),
  message: z.string({ error: 'message is required (the notification message, as recorded)' }),
  messageFormat: z.string().nullish(),
  catName: z.string().nullish(),
});

export type HookEvent = z.output<typeof hookEventSchema>;

export function hookEventId(event: HookEvent): bigint | undefined {
  if (event.eventId === undefined || event.eventId === null) return undefined;
  return typeof event.eventId === 'number' ? BigInt(event.eventId) : parseEventId(event.eventId);
}
