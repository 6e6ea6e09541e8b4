import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what})` });

/** `events:` — change capture from an SQS queue that an EventBridge rule feeds with Glue's events. */
export const glueEventsSchema = z.strictObject({
  /** https://sqs.<region>.amazonaws.com/<account>/<queue> */
  queueUrl: httpUrl('the queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/glue-changes'),
  /** A VPC endpoint or a local emulator; default: the SQS endpoint of the region. */
  endpoint: httpUrl('e.g. https://vpce-….sqs.us-east-1.vpce.amazonaws.com').optional(),
  /** Long-poll wait of each ReceiveMessage (SQS allows 1–20 s; 0 would poll in a busy loop). */
  waitSeconds: z.number().int().min(1).max(20).default(20),
});

/** `type: glue` — an AWS Glue Data Catalog, listed in full and optionally followed through SQS. */
export const glueSourceSchema = z.strictObject({
  type: z.literal('glue'),
  ...commonSourceFields,
  /** The catalog's region, e.g. us-east-1. Credentials come from the AWS default provider chain. */
  region: z.string().min(1, 'the AWS region of the Glue catalog is required, e.g. us-east-1'),
  /** A VPC endpoint or a local emulator; default: the Glue endpoint of the region. */
  endpoint: httpUrl('e.g. https://glue.us-east-1.amazonaws.com').optional(),
  /** Another account's catalog (cross-account access); default: the caller's account. */
  catalogId: z.string().min(1).optional(),
  events: glueEventsSchema.optional(),
  /** How often `run` lists the whole catalog; events are best effort, so this repairs what they miss. */
  scanIntervalSeconds: z.number().positive().default(900),
  /** Client-side limit on Glue calls per second (every attempt, retries included); 0 = none. */
  requestsPerSecond: z.number().min(0).default(10),
});

export type GlueSourceConfig = z.output<typeof glueSourceSchema>;
export type GlueEventsConfig = z.output<typeof glueEventsSchema>;
