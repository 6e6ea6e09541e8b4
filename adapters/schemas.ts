import { filesSourceSchema } from './files/config.js';
import { webhookSourceSchema } from './webhook/config.js';

/**
 * The config schema of every source kind, keyed by `type`. A new kind (glue, hive, rest) adds its
 * schema here and its factory in adapters/registry.ts.
 */
export const sourceSchemas = {
  webhook: webhookSourceSchema,
  files: filesSourceSchema,
} as const;

export type SourceType = keyof typeof sourceSchemas;

/** Kinds with their own issue, named in the error for an unknown type so users know they are coming. */
export const PLANNED_SOURCE_TYPES = ['glue', 'hive', 'rest'] as const;
