import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { readRegularFile, tooLarge } from './regular-file.js';

const inflate = promisify(gunzip);

/** version-hint.text holds a number; anything longer is not a hint. */
const MAX_HINT_BYTES = 4096;

/**
 * Which metadata file is current in a Hadoop-catalog table directory: the version named by
 * metadata/version-hint.text when that file exists, otherwise the highest version. Both Hadoop names
 * (v12.metadata.json) and the names other catalogs write (00012-<uuid>.metadata.json) are understood,
 * plain or gzip-compressed (v12.gz.metadata.json, and the older v12.metadata.json.gz).
 */
const METADATA_FILE = /^(?:v(\d+)|(\d+)-[^/]*?)(?:\.gz)?\.metadata\.json(?:\.gz)?$/;

export interface CurrentMetadata {
  readonly file: string;
  readonly version: number;
}

/** Undefined when the directory holds no metadata file (it is not a table, or no longer one). */
export async function currentMetadataFile(metadataDir: string): Promise<CurrentMetadata | undefined> {
  const names = await readdir(metadataDir);
  const versions = new Map<number, string>();
  for (const name of names) {
    const match = METADATA_FILE.exec(name);
    if (!match) continue;
    const version = Number(match[1] ?? match[2]);
    // Two files claiming one version (a crashed writer): the Hadoop name wins, then the later name.
    const existing = versions.get(version);
    if (existing === undefined || (!existing.startsWith('v') && (name.startsWith('v') || name > existing))) versions.set(version, name);
  }
  if (versions.size === 0) return undefined;
  if (names.includes('version-hint.text')) {
    const hinted = await readHint(join(metadataDir, 'version-hint.text'));
    const file = hinted === undefined ? undefined : versions.get(hinted);
    if (file !== undefined) return { file: join(metadataDir, file), version: hinted! };
  }
  const highest = Math.max(...versions.keys());
  return { file: join(metadataDir, versions.get(highest)!), version: highest };
}

async function readHint(path: string): Promise<number | undefined> {
  try {
    // A hint that is no regular file (a symlink, a FIFO) or too long is no hint: the highest version wins.
    const text = (await readRegularFile(path, MAX_HINT_BYTES)).toString('utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The fields of Iceberg table metadata the mirror needs. */
export interface MetadataSummary {
  readonly tableUuid: string | undefined;
  readonly lastUpdatedMs: number | undefined;
}

/**
 * The metadata file's JSON text; gzip-compressed files (by name or by magic bytes) are inflated. At most
 * maxBytes are read, and at most maxBytes inflated: a small gzip file can inflate a thousandfold (a
 * "decompression bomb"), and it would be inflated again at every poll.
 */
export async function readMetadataText(file: string, maxBytes: number): Promise<string> {
  const bytes = await readRegularFile(file, maxBytes);
  const gzipped = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gzipped) return bytes.toString('utf8');
  try {
    return (await inflate(bytes, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(`${file} (inflated)`, maxBytes);
    throw error;
  }
}

export function summarizeMetadata(text: string): MetadataSummary {
  const parsed = parseJson(text) as Record<string, unknown>;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
  if (typeof parsed['format-version'] !== 'number') throw new Error('no format-version: not Iceberg table metadata');
  return {
    tableUuid: typeof parsed['table-uuid'] === 'string' ? parsed['table-uuid'] : undefined,
    lastUpdatedMs: typeof parsed['last-updated-ms'] === 'number' ? parsed['last-updated-ms'] : undefined,
  };
}

/**
 * JSON.parse, with an error that does not quote the text: V8 puts a snippet of the input in its message,
 * and that message reaches `plan` output, `status` and the logs.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /at position \d+/.exec((error as Error).message);
    throw new SyntaxError(`not valid JSON${position ? ` (${position[0]})` : ''}`);
  }
}
