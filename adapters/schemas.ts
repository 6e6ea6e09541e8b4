import { filesSourceSchema } from './files/config.js';
import { glueSourceSchema } from './glue/config.js';
import { hiveSourceSchema } from './hive/config.js';
import { hiveServer2SourceSchema } from './hiveserver2/config.js';
import { restSourceSchema } from './rest/config.js';
import { webhookSourceSchema } from './webhook/config.js';

/**
 * The config schema of every source kind, keyed by `type`. A new kind adds its schema here and its
 * factory in adapters/registry.ts.
 */
export const sourceSchemas = {
  webhook: webhookSourceSchema,
  files: filesSourceSchema,
  glue: glueSourceSchema,
  hive: hiveSourceSchema,
  hiveserver2: hiveServer2SourceSchema,
  rest: restSourceSchema,
} as const;

export type SourceType = keyof typeof sourceSchemas;
