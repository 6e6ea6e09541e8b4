// The storage Polaris reads metadata files from, with the catalog's storage credentials: the local file
// system for `file://` (FILE storage), and object stores for every other scheme (S3 `s3://`/`s3a://`,
// GCS `gs://`, ADLS `abfs(s)://`/`wasb(s)://`). An object lives in memory (putObject) or in a local
// directory mounted at a bucket prefix (mount): `s3://lake/wh` → /tmp/x makes `s3://lake/wh/db/t/m.json`
// the file /tmp/x/db/t/m.json, so a test can write a warehouse on disk that Polaris reads as S3.
//
// Read errors are answered as Polaris 1.7 maps them (IcebergExceptionMapper, FileIO):
// - object missing: 400 NotFoundException "Location does not exist: <uri>" (the cloud SDK's 404 becomes
//   Iceberg's NotFoundException, mapped to 400); on FILE storage 404 NotFoundException "Failed to open
//   input stream for file: <path>" (<path> as Hadoop prints it: file:/abs/path);
// - injected faults (storageFault) answer with the cloud SDK's exception type and message: access denied
//   → 403, a cloud 5xx → 502, a 3xx (wrong region/endpoint) → 422, 408 → 408, 429 → 429;
// - the catalog's storage role cannot be assumed (denyStorageRole): 500 StsException, before any read.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PolarisError } from './errors.js';
import { isChildOf, normalizeLocation } from './locations.js';
import type { StorageFault } from './types.js';

/**
 * An object found in storage: a stamp that changes whenever the object does, and its bytes, read only
 * when asked (a cache keyed on the stamp then costs one stat per request).
 */
export interface StoredObject {
  readonly stamp: string;
  bytes(): Promise<Buffer>;
}

interface CloudFlavour {
  readonly type: string;
  readonly service: string;
}

const FLAVOURS: Record<string, CloudFlavour> = {
  s3: { type: 'S3Exception', service: 'S3' },
  gs: { type: 'StorageException', service: 'Storage' },
  abfs: { type: 'DataLakeStorageException', service: 'ADLS' },
  abfss: { type: 'DataLakeStorageException', service: 'ADLS' },
  wasb: { type: 'BlobStorageException', service: 'Blob' },
  wasbs: { type: 'BlobStorageException', service: 'Blob' },
};

/** Polaris's answer for each fault: the status IcebergExceptionMapper gives the cloud error, and its text. */
const FAULTS: Record<StorageFault, { status: number; cloudStatus: number; text: string }> = {
  'access-denied': { status: 403, cloudStatus: 403, text: 'Access Denied' },
  'server-error': { status: 502, cloudStatus: 500, text: 'We encountered an internal error. Please try again.' },
  redirect: {
    status: 422,
    cloudStatus: 301,
    text: 'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
  },
  timeout: { status: 408, cloudStatus: 408, text: 'Your socket connection to the server was not read from or written to within the timeout period.' },
  throttled: { status: 429, cloudStatus: 429, text: 'Please reduce your request rate.' },
};

export class Storage {
  /**
   * Each object's content as put, and its version apart: no wrapper object per object, and text stays a
   * string (one object the collector does not look into, not a Buffer view) until it is read. The Glue
   * benchmark's emulator holds 1,000,000 metadata files (see table-store.ts for why that matters).
   */
  private readonly contents = new Map<string, string | Buffer>();
  private readonly versions = new Map<string, number>();
  private readonly mounts: Array<{ prefix: string; dir: string }> = [];
  private readonly faults = new Map<string, StorageFault>();
  private version = 0;

  putObject(uri: string, content: string | Buffer): void {
    const key = normalizeLocation(uri);
    // A Buffer is copied: the caller may reuse its own.
    this.contents.set(key, typeof content === 'string' ? content : Buffer.from(content));
    this.versions.set(key, ++this.version);
  }

  deleteObject(uri: string): void {
    const key = normalizeLocation(uri);
    this.contents.delete(key);
    this.versions.delete(key);
  }

  /** Serves the objects under `prefix` (a bucket, or a path in one) from the files under `dir`. */
  mount(prefix: string, dir: string): void {
    if (isFileUri(prefix)) throw new Error('mount() maps object-store prefixes; file:// locations are read from disk already');
    this.mounts.push({ prefix: normalizeLocation(prefix), dir });
  }

  /** Reads of objects under `prefix` fail with `fault` (undefined clears it). */
  setFault(prefix: string, fault: StorageFault | undefined): void {
    if (fault === undefined) this.faults.delete(normalizeLocation(prefix));
    else this.faults.set(normalizeLocation(prefix), fault);
  }

  async read(uri: string): Promise<StoredObject> {
    if (isFileUri(uri)) return readLocal(uri, fileUriToPath(uri), () => fileNotFound(uri));
    for (const [prefix, fault] of this.faults) if (isChildOf(uri, prefix)) throw cloudError(uri, fault);
    const key = normalizeLocation(uri);
    const content = this.contents.get(key);
    if (content !== undefined) return { stamp: `v${this.versions.get(key)!}`, bytes: async () => Buffer.from(content) };
    const mount = this.mounts.find((m) => isChildOf(key, m.prefix));
    if (mount) {
      const rest = key.slice(mount.prefix.length).replace(/^\/+/, '');
      return readLocal(uri, join(mount.dir, ...rest.split('/')), () => objectNotFound(uri));
    }
    throw objectNotFound(uri);
  }
}

/** The error Polaris answers when the catalog's storage role cannot be assumed (not mapped: a 500). */
export function stsDenied(roleArn: string): PolarisError {
  return new PolarisError(
    500,
    'StsException',
    `User: arn:aws:sts::123456789012:assumed-role/polaris-service/polaris is not authorized to perform: sts:AssumeRole on resource: ${roleArn} (Service: Sts, Status Code: 403, Request ID: emulator)`,
  );
}

async function readLocal(uri: string, path: string, missing: () => PolarisError): Promise<StoredObject> {
  const failed = (e: unknown): PolarisError => {
    if (e instanceof PolarisError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return missing();
    return new PolarisError(503, 'RuntimeIOException', `Failed to read file: ${uri}`);
  };
  try {
    const info = await stat(path);
    if (!info.isFile()) throw missing();
    return { stamp: `${info.mtimeMs}:${info.size}`, bytes: () => readFile(path).catch((e: unknown) => Promise.reject(failed(e))) };
  } catch (e) {
    throw failed(e);
  }
}

function cloudError(uri: string, fault: StorageFault): PolarisError {
  const flavour = FLAVOURS[scheme(uri)] ?? { type: 'SdkClientException', service: scheme(uri) };
  const { status, cloudStatus, text } = FAULTS[fault];
  return new PolarisError(status, flavour.type, `${text} (Service: ${flavour.service}, Status Code: ${cloudStatus}, Request ID: emulator)`);
}

function objectNotFound(uri: string): PolarisError {
  return new PolarisError(400, 'NotFoundException', `Location does not exist: ${uri}`);
}

function fileNotFound(uri: string): PolarisError {
  // Hadoop prints a local path as file:/abs/path.
  return new PolarisError(404, 'NotFoundException', `Failed to open input stream for file: file:${fileUriToPath(uri)}`);
}

export function isFileUri(uri: string): boolean {
  return /^file:/i.test(uri);
}

/** file:///abs/p%20ath → /abs/p ath. Lenient: a stray '%' that is not an escape stays literal. */
export function fileUriToPath(uri: string): string {
  const rest = uri.replace(/^file:(\/\/localhost)?\/*/i, '/');
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

function scheme(uri: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(normalizeLocation(uri));
  return m?.[1]?.toLowerCase() ?? '';
}
