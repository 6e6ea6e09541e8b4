// Polaris reads the table metadata JSON itself on CREATE/UPDATE (and loadTable), from the catalog's
// storage (storage.ts: file:// from disk, object stores from memory or a mounted directory). This module
// parses and checks what it read, and caches the result by URI + the object's stamp (mtime and size, or
// object version), so a hot path of repeated notifications costs one stat per request.
//
// Errors follow what Iceberg's TableMetadataParser + Polaris's exception mapper produce:
// - missing or unreadable object: storage.ts;
// - unparseable JSON (or bad gzip): 503 RuntimeIOException "Failed to read file: <uri>" — permanent for
//   that file, however transient a 503 looks;
// - parseable but not Iceberg metadata: 400 IllegalArgumentException with Iceberg's own text
//   ("Cannot parse missing int: format-version").
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { PolarisError } from './errors.js';
import type { Storage } from './storage.js';

const gunzip = promisify(gunzipCb);

export interface MetadataFile {
  /** The file's text, served verbatim by loadTable (keeps int64 snapshot ids exact). */
  raw: string;
  formatVersion: number;
  location: string;
  /**
   * The locations Polaris 1.7 checks against the allowed locations after reading the file, in one
   * check: the table location, write.data.path, write.metadata.path, manifest lists, statistics and
   * partition-statistics files (metadata-log entries are not checked).
   */
  checkedLocations: string[];
}

type Parsed = { ok: true; file: MetadataFile } | { ok: false; status: number; type: string; detail: string };

const CACHE_LIMIT = 10_000;

export class MetadataFiles {
  private readonly cache = new Map<string, { stamp: string; parsed: Parsed }>();

  constructor(private readonly storage: Storage) {}

  /** Reads and checks the metadata file at `uri`; throws PolarisError as Polaris would answer. */
  async read(uri: string): Promise<MetadataFile> {
    const object = await this.storage.read(uri);
    const hit = this.cache.get(uri);
    const parsed = hit && hit.stamp === object.stamp ? hit.parsed : this.remember(uri, object.stamp, await parseBytes(await object.bytes()));
    if (parsed.ok) return parsed.file;
    throw new PolarisError(parsed.status, parsed.type, parsed.detail.replaceAll('<uri>', uri));
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
    return { ok: false, status: 400, type: 'IllegalArgumentException', detail: checked };
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
  for (const key of ['statistics', 'partition-statistics']) {
    const files = m[key];
    if (files === undefined || files === null) continue;
    if (!Array.isArray(files)) return `Cannot parse ${key} from non-array`;
    for (const f of files) {
      const path = f !== null && typeof f === 'object' ? (f as Record<string, unknown>)['statistics-path'] : undefined;
      if (typeof path !== 'string') return 'Cannot parse missing string: statistics-path';
      paths.push(path);
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
    }
  }
  return { formatVersion: fv, location, checkedLocations: [...new Set(paths)] };
}
