// Builds Iceberg tables from the fixture metadata files (fixtures/iceberg-metadata/) so the emulator —
// which reads metadata files as Polaris does — has real files to read. The fixtures point at
// s3://bucket/test/location; the copies are rewritten to live under the given table directory
// (`location`, every snapshot's manifest-list and metadata-log entry), addressed as file:// or, for a
// directory the emulator serves as a bucket (mountBucket), as the object-store location given. Used
// by tests and the demo.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './package-root.js';

export type FixtureName =
  | 'TableMetadataV1Valid.json'
  | 'TableMetadataV2Valid.json'
  | 'TableMetadataV2ValidMinimal.json'
  | 'TableMetadataV3ValidMinimal.json'
  | 'TableMetadataUnsupportedVersion.json'
  | 'TableMetadataV2MissingSchemas.json';

export interface FixtureTable {
  /** URI of the table directory (the metadata's `location`): file://, or the tableLocation asked for. */
  tableLocation: string;
  /** URI of the metadata file written, under tableLocation. */
  metadataLocation: string;
  /** The metadata as written. */
  metadata: Record<string, unknown>;
}

/** The fixture's text, unchanged. */
export async function readFixture(name: FixtureName): Promise<string> {
  return readFile(join(packageRoot(), 'fixtures', 'iceberg-metadata', name), 'utf8');
}

/** A file:// URI for a local directory, without trailing slash. */
export function dirUri(dir: string): string {
  return pathToFileURL(dir).href.replace(/\/+$/, '');
}

/**
 * Rewrites fixture metadata to live at `tableLocation` (any scheme): location, manifest lists and
 * metadata-log entries move under it.
 */
export function relocate(metadata: Record<string, unknown>, tableLocation: string): Record<string, unknown> {
  const m = structuredClone(metadata);
  m['location'] = tableLocation;
  if (Array.isArray(m['snapshots'])) {
    for (const s of m['snapshots'] as Array<Record<string, unknown>>) {
      const list = String(s['manifest-list'] ?? 'snap.avro');
      s['manifest-list'] = `${tableLocation}/metadata/${list.slice(list.lastIndexOf('/') + 1)}`;
    }
  }
  if (Array.isArray(m['metadata-log'])) {
    for (const e of m['metadata-log'] as Array<Record<string, unknown>>) {
      const f = String(e['metadata-file'] ?? 'v0.metadata.json');
      e['metadata-file'] = `${tableLocation}/metadata/${f.slice(f.lastIndexOf('/') + 1)}`;
    }
  }
  return m;
}

/**
 * Writes `<tableDir>/metadata/<version padded>-<uuid>.metadata.json` from a fixture, relocated to
 * the table directory — or to `tableLocation` (e.g. `s3://lake/wh/db/t`) when the directory is served
 * as that object-store location. Snapshot ids above 2^53 lose precision through JSON.parse; harmless here.
 */
export async function writeFixtureTable(
  tableDir: string,
  options: { fixture?: FixtureName; version?: number; edit?: (m: Record<string, unknown>) => void; tableLocation?: string } = {},
): Promise<FixtureTable> {
  const fixture = options.fixture ?? 'TableMetadataV2Valid.json';
  const tableLocation = options.tableLocation ?? dirUri(tableDir);
  const metadata = relocate(JSON.parse(await readFixture(fixture)) as Record<string, unknown>, tableLocation);
  options.edit?.(metadata);
  const version = options.version ?? 1;
  const uuid = typeof metadata['table-uuid'] === 'string' ? metadata['table-uuid'] : '00000000-0000-0000-0000-000000000000';
  const fileName = `${String(version).padStart(5, '0')}-${uuid}.metadata.json`;
  await mkdir(join(tableDir, 'metadata'), { recursive: true });
  await writeFile(join(tableDir, 'metadata', fileName), JSON.stringify(metadata, null, 2));
  // Object keys are not percent-encoded (Iceberg writes them raw); file URIs are.
  const name = options.tableLocation ? fileName : encodeURIComponent(fileName);
  return { tableLocation, metadataLocation: `${tableLocation}/metadata/${name}`, metadata };
}
