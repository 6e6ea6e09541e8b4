import { z } from 'zod';
import type { Observation } from '../../src/model/observation.js';
import { MAX_SOURCE_TIME_MS } from '../../src/normalizer/timestamp.js';

/** A bound on depth, so one event cannot carry thousands of levels (and as many problems). */
export const MAX_NAMESPACE_LEVELS = 64;

/**
 * The ingest body: {"events":[{namespace, table, operation, metadataLocation?, tableUuid?, sourceTimestampMs?}]}.
 * Strict: a misspelt field is an error, not a silently ignored value.
 */
export const ingestEventSchema = z
  .strictObject({
    namespace: z
      .array(z.string().min(1, 'namespace levels cannot be empty'))
      .min(1, 'at least one namespace level is needed')
      .max(MAX_NAMESPACE_LEVELS, `at most ${MAX_NAMESPACE_LEVELS} namespace levels`),
    table: z.string().min(1, 'the table name cannot be empty'),
    operation: z.enum(['create', 'update', 'drop'], { error: 'operation must be create, update or drop' }),
    metadataLocation: z.string().min(1).optional(),
    tableUuid: z.string().min(1).optional(),
    /** Orders observations of one table; defaults to the time the event is received. */
    sourceTimestampMs: z
      .number()
      .int()
      .nonnegative()
      .max(MAX_SOURCE_TIME_MS, 'sourceTimestampMs must be milliseconds since the epoch (at most 9999-12-31)')
      .optional(),
  })
  .superRefine((event, ctx) => {
    if (event.operation !== 'drop' && event.metadataLocation === undefined) {
      ctx.addIssue({ code: 'custom', path: ['metadataLocation'], message: `metadataLocation is required for ${event.operation}` });
    }
  });

export const ingestBodySchema = z.strictObject({
  events: z.array(z.unknown()).min(1, 'events must hold at least one event'),
});

export type IngestEvent = z.output<typeof ingestEventSchema>;

export function eventToObservation(event: IngestEvent, receivedAt: number): Observation {
  const time = event.sourceTimestampMs ?? receivedAt;
  const table = { namespace: event.namespace, name: event.table };
  if (event.operation === 'drop') {
    // A drop received here cannot be re-read from a source: it is trusted (confirmed), but still ordered.
    return { table, state: 'absent', confirmed: true, order: time, sourceTimeMs: time };
  }
  return { table, state: 'present', metadataLocation: event.metadataLocation!, tableUuid: event.tableUuid, order: time, sourceTimeMs: time };
}
