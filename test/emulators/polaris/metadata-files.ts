// Polaris reads the table metadata JSON itself on CREATE/UPDATE (and loadTable). This module does
// that reading: `file://` URIs from local disk, every other scheme from an in-memory object store
// (tests put s3://, gs://, abfs:// objects there). Parsed files are cached by URI + (mtime, size) or
// object version, so a hot path of repeated notifications costs one stat per request.
//
// Errors follow what Iceberg's TableMetadataParser + Polaris's exception mapper produce:
// - missing file: 404 NotFoundException on local/other file systems; 400 on S3/GCS/Azure (Polaris
//   maps the cloud SDK's 404 to a 400);
// - unparseable JSON: RuntimeIOException "Failed to read file", mapped by Polaris to 503;
// - parseable but not Iceberg metadata: 400 "Cannot parse table metadata from <uri>: <detail>".
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { PolarisError } from './errors.js';

const gunzip = promisify(gunzipCb);

export interface MetadataFile {
  /** The file's text, served verbatim by loadTable (keeps int64 snapshot ids exact). */
  raw: string;
  formatVersion: number;
  location: string;
  /** Every path the metadata references, for allowed-location checks (location first). */
  referencedPaths: string[];
}

type Parsed = { ok: true; file: MetadataFile } | { ok: false; status: number; type: string; detail: string };

const CLOUD_SCHEMES = new Set(['s3', 's3a', 's3n', 'gs', 'abfs', 'abfss', 'wasb', 'wasbs']);
const CACHE_LIMIT = 10_000;

export class MetadataFiles {
  private readonly objects = new Map<string, { content: string; version: number }>();
  private readonly cache = new Map<string, { stamp: string; parsed: Parsed }>();
  private version = 0;

  putObject(uri: string, content: string): void {
    this.objects.set(uri, { content, version: ++this.version });
  }

  deleteObject(uri: string): void {
    this.objects.delete(uri);
  }

  /** Reads and checks the metadata file at `uri`; throws PolarisError as Polaris would answer. */
  async read(uri: string): Promise<MetadataFile> {
    const parsed = isFileUri(uri) ? await this.readLocal(uri) : await this.readObject(uri);
    if (parsed.ok) return parsed.file;
    throw new PolarisError(parsed.status, parsed.type, parsed.detail.replaceAll('<uri>', uri));
  }

  private async readLocal(uri: string): Promise<Parsed> {
    const path = fileUriToPath(uri);
    let stamp: string;
    try {
      const st = await stat(path);
      if (!st.isFile()) return notFound(404);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch (e) {
      return fsError(e);
    }
    const hit = this.cache.get(uri);
    if (hit && hit.stamp === stamp) return hit.parsed;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      return fsError(e);
    }
    return this.remember(uri, stamp, await parseBytes(bytes));
  }

  private async readObject(uri: string): Promise<Parsed> {
    const obj = this.objects.get(uri);
    if (!obj) return notFound(CLOUD_SCHEMES.has(scheme(uri)) ? 400 : 404);
    const stamp = String(obj.version);
    const hit = this.cache.get(uri);
    if (hit && hit.stamp === stamp) return hit.parsed;
    return this.remember(uri, stamp, await parseBytes(Buffer.from(obj.content, 'utf8')));
  }

  private remember(uri: string, stamp: string, parsed: Parsed): Parsed {
    if (this.cache.size >= CACHE_LIMIT && !this.cache.has(uri)) {
      // Oldest insertion first: good enough to bound memory for long benchmarks.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(uri, { stamp, parsed });
    return parsed;
  }
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
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  return m?.[1]?.toLowerCase() ?? '';
}

function notFound(status: 400 | 404): Parsed {
  return status === 404
    ? { ok: false, status, type: 'NotFoundException', detail: 'Failed to open input stream for file: <uri>' }
    : { ok: false, status, type: 'BadRequestException', detail: 'Location does not exist: <uri>' };
}

function fsError(e: unknown): Parsed {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return notFound(404);
  return { ok: false, status: 503, type: 'RuntimeIOException', detail: `Failed to read file: <uri> (${code ?? 'error'})` };
}

async function parseBytes(bytes: Buffer): Promise<Parsed> {
  let text: string;
  try {
    // Iceberg writes gzip metadata when write.metadata.compression-codec=gzip; detect by magic bytes.
    text = bytes[0] === 0x1f && bytes[1] === 0x8b ? (await gunzip(bytes)).toString('utf8') : bytes.toString('utf8');
  } catch {
    return { ok: false, status: 503, type: 'RuntimeIOException', detail: 'Failed to read file: <uri>' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, status: 503, type: 'RuntimeIOException', detail: 'Failed to read file: <uri>' };
  }
  const checked = checkTableMetadata(json);
  if (typeof checked === 'string') {
    return { ok: false, status: 400, type: 'BadRequestException', detail: `Cannot parse table metadata from <uri>: ${checked}` };
  }
  return { ok: true, file: { raw: text, ...checked } };
}

/**
 * The subset of TableMetadataParser.fromJson's checks that matter for a mirror: the fields every
 * reader needs, per format version. Returns a message (Iceberg's wording) or the extracted facts.
 */
export function checkTableMetadata(json: unknown): string | Omit<MetadataFile, 'raw'> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return `Cannot parse metadata from a non-object: ${JSON.stringify(json)?.slice(0, 40)}`;
  }
  const m = json as Record<string, unknown>;
  const fv = m['format-version'];
  if (fv === undefined) return 'Cannot parse missing int: format-version';
  if (typeof fv !== 'number' || !Number.isInteger(fv)) return `Cannot parse to an integer value: format-version: ${JSON.stringify(fv)}`;
  if (fv < 1 || fv > 3) return `Cannot read unsupported version ${fv}`;
  const str = (k: string): boolean => typeof m[k] === 'string';
  const int = (k: string): boolean => typeof m[k] === 'number' && Number.isInteger(m[k]);
  if (fv >= 2 && !str('table-uuid')) return 'Cannot parse missing string: table-uuid';
  if (m['table-uuid'] !== undefined && !str('table-uuid')) return 'Cannot parse to a string value: table-uuid';
  if (!str('location')) return 'Cannot parse missing string: location';
  if (fv >= 2 && !int('last-sequence-number')) return 'Cannot parse missing long: last-sequence-number';
  if (!int('last-updated-ms')) return 'Cannot parse missing long: last-updated-ms';
  if (!int('last-column-id')) return 'Cannot parse missing int: last-column-id';
  if (fv >= 3 && !int('next-row-id')) return 'Cannot parse missing long: next-row-id';
  if (fv >= 2 && !Array.isArray(m['schemas'])) return `schemas must exist in format v${fv}`;
  if (fv === 1 && !Array.isArray(m['schemas']) && (m['schema'] === null || typeof m['schema'] !== 'object')) {
    return 'Cannot parse missing field: schema';
  }
  if (fv >= 2 && !int('current-schema-id')) return 'Cannot parse missing int: current-schema-id';
  if (fv >= 2 && !Array.isArray(m['partition-specs'])) return `partition-specs must exist in format v${fv}`;
  if (fv === 1 && !Array.isArray(m['partition-specs']) && !Array.isArray(m['partition-spec'])) {
    return 'Cannot parse missing field: partition-spec';
  }
  if (fv >= 2 && !int('last-partition-id')) return `last-partition-id must exist in format v${fv}`;
  if (fv >= 2 && !Array.isArray(m['sort-orders'])) return `sort-orders must exist in format v${fv}`;

  const location = m['location'] as string;
  const paths: string[] = [location];
  const props = m['properties'];
  if (props !== undefined) {
    if (props === null || typeof props !== 'object' || Array.isArray(props)) return 'Cannot parse to a string map: properties';
    for (const key of ['write.data.path', 'write.metadata.path']) {
      const v = (props as Record<string, unknown>)[key];
      if (typeof v === 'string') paths.push(v);
    }
  }
  const snapshots = m['snapshots'];
  if (snapshots !== undefined && snapshots !== null) {
    if (!Array.isArray(snapshots)) return 'Cannot parse snapshots from non-array';
    for (const s of snapshots) {
      if (s === null || typeof s !== 'object') return 'Cannot parse snapshot from non-object';
      const list = (s as Record<string, unknown>)['manifest-list'];
      if (typeof list === 'string') paths.push(list);
      else if (fv >= 2) return 'Cannot parse missing string: manifest-list';
    }
  }
  const log = m['metadata-log'];
  if (log !== undefined && log !== null) {
    if (!Array.isArray(log)) return 'Cannot parse metadata-log from non-array';
    for (const e of log) {
      const f = e !== null && typeof e === 'object' ? (e as Record<string, unknown>)['metadata-file'] : undefined;
      if (typeof f !== 'string') return 'Cannot parse missing string: metadata-file';
      paths.push(f);
    }
  }
  return { formatVersion: fv, location, referencedPaths: [...new Set(paths)] };
}
