import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';

/** `type: files` — a directory tree of Iceberg tables in Hadoop-catalog layout. */
export const filesSourceSchema = z.strictObject({
  type: z.literal('files'),
  ...commonSourceFields,
  /** The warehouse root; relative paths are resolved against the config file's directory. */
  root: z.string().min(1, 'the warehouse root directory is required'),
  /** How often `run` lists the tree to notice changes (a listing is the watch for files). */
  pollIntervalSeconds: z.number().positive().default(30),
});

export type FilesSourceConfig = z.output<typeof filesSourceSchema>;
