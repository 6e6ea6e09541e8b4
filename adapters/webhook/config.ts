import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';

/** `type: webhook` — the HTTP ingest endpoint for hooks and custom CDC pipelines. */
export const webhookSourceSchema = z.strictObject({
  type: z.literal('webhook'),
  ...commonSourceFields,
  /** Bearer token the ingest endpoint requires. */
  token: z.string().min(1, 'the ingest endpoint needs a bearer token'),
});

export type WebhookSourceConfig = z.output<typeof webhookSourceSchema>;
