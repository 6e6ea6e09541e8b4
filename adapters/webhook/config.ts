import { z } from 'zod';
import { commonSourceFields, ingestRateLimitSchema, ingestSignatureSchema } from '../../src/config/source-schema.js';

/** `type: webhook` — the HTTP ingest endpoint for hooks and custom CDC pipelines. */
export const webhookSourceSchema = z.strictObject({
  type: z.literal('webhook'),
  ...commonSourceFields,
  /** Bearer token the ingest endpoint requires. */
  token: z.string().min(1, 'the ingest endpoint needs a bearer token'),
  /** Optional HMAC-SHA256 body signature, checked in addition to the token. */
  signature: ingestSignatureSchema.optional(),
  /** Optional per-source request rate limit; requests beyond it get 429 with Retry-After. */
  rateLimit: ingestRateLimitSchema.optional(),
});

export type WebhookSourceConfig = z.output<typeof webhookSourceSchema>;
