import { z } from 'zod';
import { commonSourceFields, ingestRateLimitSchema, ingestSignatureSchema } from '../../src/config/source-schema.js';
import { parseHmsUri } from './metastore/hms-uri.js';

/**
 * `type: hive` — Iceberg tables of a Hive Metastore: captured from its notification log over Thrift
 * (`uris`), and/or pushed by a metastore listener to the hook endpoint (`ingestToken`).
 */
export const hiveSourceSchema = z
  .strictObject({
    type: z.literal('hive'),
    ...commonSourceFields,
    /** thrift://host:port, tried in order with fail-over. Empty: hook-only (no listing, no log). */
    uris: z
      .array(z.string().refine((uri) => parseHmsUri(uri) !== undefined, { error: 'must be thrift://host:port (e.g. thrift://hms-1:9083)' }))
      .default([]),
    /** Must match the metastore's hive.metastore.thrift.framed.transport.enabled. */
    transport: z.enum(['buffered', 'framed'], { error: 'transport must be buffered or framed' }).default('buffered'),
    /** Hive 3+ catalog to mirror; unset: the metastore's default catalog (events of every catalog are read). */
    catalogName: z.string().min(1).optional(),
    /** Pause between polls of the notification log once caught up. */
    pollIntervalMs: z.number().int().min(10).default(1000),
    /** Events per get_next_notification call (and per ledger commit). */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    connectTimeoutMs: z.number().int().min(100).default(10_000),
    /** Per Thrift call; a large get_next_notification reply must fit in it. */
    callTimeoutMs: z.number().int().min(100).default(60_000),
    /** Bearer token of POST /v1/sources/{name}/hive-events; unset: no hook endpoint. */
    ingestToken: z.string().min(1).optional(),
    /** The hook endpoint's optional HMAC-SHA256 body signature, as for a webhook source. */
    signature: ingestSignatureSchema.optional(),
    /** The hook endpoint's optional request rate limit (429 with Retry-After beyond it), as for a webhook source. */
    rateLimit: ingestRateLimitSchema.optional(),
  })
  .superRefine((source, ctx) => {
    for (const key of ['signature', 'rateLimit'] as const) {
      if (source[key] !== undefined && source.ingestToken === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to the hook endpoint, which needs ingestToken` });
      }
    }
    if (source.uris.length === 0 && source.ingestToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['uris'],
        message: 'give uris (the metastore to read), or ingestToken (hook-only: a metastore listener pushes events), or both',
      });
    }
  });

export type HiveSourceConfig = z.output<typeof hiveSourceSchema>;
