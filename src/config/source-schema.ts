import { z } from 'zod';
import { parseLocation } from '../normalizer/allowed-locations.js';
import { isDotSegment } from '../normalizer/identifier.js';

/**
 * Keys every source kind shares. Each kind's schema (adapters/<kind>/config.ts) spreads these into its
 * own strict object, so unknown keys are still rejected per kind.
 */
export const SOURCE_NAME_PATTERN = /^[a-z0-9_-]+$/;

/** "." and ".." are URL path steps: as a catalog or a level they would send notifications to another route. */
export const targetSchema = z.strictObject({
  /** The Polaris catalog name (the URL prefix). */
  catalog: z
    .string()
    .min(1, 'the Polaris catalog name is required')
    .refine((name) => !isDotSegment(name), { error: 'the catalog cannot be "." or "..": it is a URL path step' }),
  /** Levels put before the source's own namespace levels. */
  namespacePrefix: z
    .array(
      z
        .string()
        .min(1, 'namespace levels cannot be empty')
        .refine((name) => !isDotSegment(name), { error: 'a namespace level cannot be "." or "..": it is a URL path step' }),
    )
    .default([]),
});

export const commonSourceFields = {
  name: z
    .string()
    .regex(SOURCE_NAME_PATTERN, 'a source name uses only lower-case letters, digits, "_" and "-"'),
  target: targetSchema,
  /** Globs on "namespace.table"; empty means everything. */
  include: z.array(z.string().min(1)).default([]),
  exclude: z.array(z.string().min(1)).default([]),
  /** How often `run` reconciles this source with a full listing. */
  reconcileIntervalSeconds: z.number().int().positive().default(3600),
  /** A reconciliation refuses to drop more than this fraction of the source's mirrored tables. */
  maxDropFraction: z.number().min(0).max(1).default(0.25),
  /**
   * Prefixes (on path segments) the source's metadata locations must lie under; others are refused
   * (location-not-allowed). Unset: any location is passed on to Polaris, which checks its own.
   */
  allowedLocations: z
    .array(z.string().refine((text) => parseLocation(text) !== undefined, { error: 'must be a URI with a scheme, such as s3://bucket/warehouse or file:///data/warehouse' }))
    .min(1, 'list at least one location, or leave allowedLocations out')
    .optional(),
};

export type SourceTarget = z.output<typeof targetSchema>;

/** The fields the engine reads from any source's config, whatever its kind. */
export interface CommonSourceConfig {
  readonly name: string;
  readonly type: string;
  readonly target: SourceTarget;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly reconcileIntervalSeconds: number;
  readonly maxDropFraction: number;
  readonly allowedLocations?: readonly string[];
}

/**
 * Keys of an ingest endpoint's optional hardening (webhook sources, Hive hooks): an HMAC-SHA256
 * signature of "<timestamp>.<body>" with the shared secret, sent as `X-Polaris-Mirror-Signature:
 * sha256=<hex>` next to `X-Polaris-Mirror-Timestamp: <unix seconds>`; requests older or newer than
 * toleranceSeconds are refused, so a captured request cannot be replayed later.
 */
export const ingestSignatureSchema = z.strictObject({
  secret: z.string().min(16, 'use a signing secret of at least 16 characters'),
  toleranceSeconds: z.number().int().min(1).max(3600).default(300),
});

export const ingestRateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive(),
  /** Requests allowed at once above the rate (the bucket size); default: one second's worth. */
  burst: z.number().int().positive().optional(),
});
