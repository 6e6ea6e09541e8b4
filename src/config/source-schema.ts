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

/** The instance `polaris` stands for; `polarisInstances` names others (src/config/targets.ts). */
export const DEFAULT_POLARIS = 'default';

export const POLARIS_INSTANCE_PATTERN = /^[a-z0-9_-]{1,64}$/;

export const polarisInstanceName = z
  .string()
  .regex(POLARIS_INSTANCE_PATTERN, 'a Polaris instance name uses only lower-case letters, digits, "_" and "-" (at most 64)');

/** One entry of `sources[].targets`. */
export const targetRefSchema = targetSchema.extend({
  /** The Polaris instance: "default" (the `polaris` block) or a key of `polarisInstances`. */
  polaris: polarisInstanceName.default(DEFAULT_POLARIS),
});

export const commonSourceFields = {
  name: z
    .string()
    .regex(SOURCE_NAME_PATTERN, 'a source name uses only lower-case letters, digits, "_" and "-"'),
  /** Where the source is mirrored, on the default Polaris instance; or list `targets` instead. */
  target: targetSchema.optional(),
  /** One or more targets, each on a named Polaris instance (exclusive with `target`). */
  targets: z.array(targetRefSchema).min(1, 'list at least one target, or use target').max(32, 'at most 32 targets per source').optional(),
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

/** A target as the engine uses it: which instance, which catalog, which namespace prefix. */
export interface ResolvedTarget extends SourceTarget {
  readonly polaris: string;
}

/** The fields the engine reads from any source's config, whatever its kind. */
export interface CommonSourceConfig {
  readonly name: string;
  readonly type: string;
  /** The one target on the default instance; or `targets` (see resolveTargets in targets.ts). */
  readonly target?: SourceTarget;
  /** Every target of the source, each on a named Polaris instance. */
  readonly targets?: readonly ResolvedTarget[];
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
