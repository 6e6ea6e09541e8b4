import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';

/** 64 MiB: Iceberg metadata with a long snapshot history reaches tens of MB; far beyond is not metadata. */
export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024 * 1024;

/** `type: files` — a directory tree of Iceberg tables in Hadoop-catalog layout. */
export const filesSourceSchema = z.strictObject({
  type: z.literal('files'),
  ...commonSourceFields,
  /** The warehouse root; relative paths are resolved against the config file's directory. */
  root: z.string().min(1, 'the warehouse root directory is required'),
  /**
   * The URI under which Polaris reads `root` — a bucket mounted at root (Mountpoint for Amazon S3,
   * gcsfuse, BlobFuse) or a synced copy: metadata locations are sent as `<rootUri>/<path below root>`.
   * Default: root's own file:// URI.
   */
  rootUri: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]+/, 'rootUri must be a URI with a bucket or host, such as s3://lake/warehouse (where Polaris reads root)')
    .transform((uri) => uri.replace(/\/+$/, ''))
    .optional(),
  /** How often `run` lists the tree to notice changes (a listing is the watch for files). */
  pollIntervalSeconds: z.number().positive().default(30),
  /**
   * Metadata files above this size — on disk, or once inflated when gzip-compressed — are skipped
   * (metadata-too-large): a small gzip file can inflate to gigabytes.
   */
  maxMetadataBytes: z.number().int().min(1024).default(DEFAULT_MAX_METADATA_BYTES),
});

export type FilesSourceConfig = z.output<typeof filesSourceSchema>;
