// Where the live scenario's warehouse lives for Polaris. The connector always reads a local directory
// (a files source); Polaris reads the same tables either from that directory (FILE storage: a path both
// see) or from an S3-compatible bucket the scenario keeps a copy in (S3 storage: the files source sends
// `rootUri` locations) — the copy being uploaded with the AWS SDK, and deleted again when a table is
// dropped (a purged drop, as Athena or DROP TABLE … PURGE leave it).
import { readFile } from 'node:fs/promises';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';

export interface LiveStorage {
  readonly kind: 'FILE' | 'S3';
  /** How Polaris addresses the local directory `warehouse` of one run. */
  warehouseUri(warehouse: string, run: string): string;
  /** The catalog's storageConfigInfo allowing `location`. */
  storageConfigInfo(location: string): Record<string, unknown>;
  /** Makes the local file `path` readable by Polaris at `uri` (uploads it, for S3). */
  publish(path: string, uri: string): Promise<void>;
  /** Removes what publish made (the bucket copy, for S3). */
  unpublish(uri: string): Promise<void>;
  close(): void;
}

/** FILE storage: Polaris reads the warehouse directory itself, at the same path. */
export const fileStorage: LiveStorage = {
  kind: 'FILE',
  warehouseUri: (warehouse) => dirUri(warehouse),
  storageConfigInfo: (location) => ({ storageType: 'FILE', allowedLocations: [`${location}/`] }),
  publish: async () => undefined,
  unpublish: async () => undefined,
  close: () => undefined,
};

export interface S3StorageOptions {
  /** s3://bucket/prefix under which each run gets its own directory. */
  readonly location: string;
  /** Merged into the catalog's storageConfigInfo: roleArn, region, endpoint, pathStyleAccess, stsUnavailable, … */
  readonly storageConfig?: Record<string, unknown>;
  /** The test's own S3 endpoint (S3-compatible stores); path-style addressing when set. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Default: the AWS SDK's credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, …). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function s3Storage(options: S3StorageOptions): LiveStorage {
  const match = /^s3a?:\/\/([^/]+)(\/.*)?$/.exec(options.location.replace(/\/+$/, ''));
  if (!match) throw new Error(`the S3 location must look like s3://bucket/prefix, not "${options.location}"`);
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Plain PUTs that any S3-compatible store accepts (no flexible-checksum trailers).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const bucketAndKey = (uri: string): { Bucket: string; Key: string } => {
    const m = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw new Error(`not an s3:// object location: ${uri}`);
    return { Bucket: m[1]!, Key: m[2]! };
  };
  return {
    kind: 'S3',
    warehouseUri: (_warehouse, run) => `${options.location.replace(/\/+$/, '')}/polaris-mirror-live-${run}/warehouse`,
    storageConfigInfo: (location) => ({ storageType: 'S3', ...options.storageConfig, allowedLocations: [`${location}/`] }),
    async publish(path, uri) {
      await client.send(new PutObjectCommand({ ...bucketAndKey(uri), Body: await readFile(path), ContentType: 'application/json' }));
    },
    async unpublish(uri) {
      await client.send(new DeleteObjectCommand(bucketAndKey(uri)));
    },
    close: () => client.destroy(),
  };
}
