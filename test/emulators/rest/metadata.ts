// Table metadata the emulator serves: built from a fixture (relocated under the table's location, so
// a Polaris emulator reading the same file accepts every path in it), one new snapshot per commit,
// and the two views loadTable offers (`snapshots=all`, `snapshots=refs`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { relocate, type FixtureName } from '../polaris/fixture-warehouse.js';
import { packageRoot } from '../polaris/package-root.js';

type Metadata = Record<string, unknown>;

const templates = new Map<FixtureName, Metadata>();

function template(fixture: FixtureName): Metadata {
  let t = templates.get(fixture);
  if (!t) {
    t = JSON.parse(readFileSync(join(packageRoot(), 'fixtures', 'iceberg-metadata', fixture), 'utf8')) as Metadata;
    templates.set(fixture, t);
  }
  return t;
}

/** Version 1 of a new table's metadata. */
export function initialMetadata(fixture: FixtureName, tableLocation: string, uuid: string, lastUpdatedMs: number): Metadata {
  const m = relocate(template(fixture), tableLocation);
  m['table-uuid'] = uuid;
  m['last-updated-ms'] = lastUpdatedMs;
  const current = m['current-snapshot-id'];
  if (typeof current === 'number' && current >= 0) m['refs'] = { main: { 'snapshot-id': current, type: 'branch' } };
  return m;
}

/** The metadata after one more commit: an appended snapshot becomes current; the old file is logged. */
export function committedMetadata(previous: Metadata, previousLocation: string, lastUpdatedMs: number, snapshotId: number): Metadata {
  const m = structuredClone(previous);
  const parent = typeof m['current-snapshot-id'] === 'number' && (m['current-snapshot-id'] as number) >= 0 ? m['current-snapshot-id'] : undefined;
  const sequence = (typeof m['last-sequence-number'] === 'number' ? (m['last-sequence-number'] as number) : 0) + 1;
  const snapshots = Array.isArray(m['snapshots']) ? (m['snapshots'] as Metadata[]) : [];
  snapshots.push({
    'snapshot-id': snapshotId,
    ...(parent === undefined ? {} : { 'parent-snapshot-id': parent }),
    'timestamp-ms': lastUpdatedMs,
    'sequence-number': sequence,
    summary: { operation: 'append' },
    'manifest-list': `${String(m['location'])}/metadata/snap-${snapshotId}.avro`,
    'schema-id': m['current-schema-id'] ?? 0,
  });
  m['snapshots'] = snapshots;
  m['last-sequence-number'] = sequence;
  m['current-snapshot-id'] = snapshotId;
  m['refs'] = { ...((m['refs'] as Metadata | undefined) ?? {}), main: { 'snapshot-id': snapshotId, type: 'branch' } };
  m['snapshot-log'] = [...(Array.isArray(m['snapshot-log']) ? (m['snapshot-log'] as Metadata[]) : []), { 'snapshot-id': snapshotId, 'timestamp-ms': lastUpdatedMs }];
  m['metadata-log'] = [
    ...(Array.isArray(m['metadata-log']) ? (m['metadata-log'] as Metadata[]) : []),
    { 'metadata-file': previousLocation, 'timestamp-ms': previous['last-updated-ms'] },
  ];
  m['last-updated-ms'] = lastUpdatedMs;
  return m;
}

/**
 * `snapshots=refs`: only the snapshots a branch or tag points at (the spec: "all snapshots referenced
 * by branches or tags"); `all` (the default) is the file as written.
 */
export function snapshotsView(metadata: Metadata, mode: 'all' | 'refs'): Metadata {
  if (mode === 'all' || !Array.isArray(metadata['snapshots'])) return metadata;
  const refs = (metadata['refs'] as Record<string, { 'snapshot-id'?: unknown }> | undefined) ?? {};
  const referenced = new Set(Object.values(refs).map((r) => r['snapshot-id']));
  if (referenced.size === 0 && metadata['current-snapshot-id'] !== undefined) referenced.add(metadata['current-snapshot-id']);
  return { ...metadata, snapshots: (metadata['snapshots'] as Metadata[]).filter((s) => referenced.has(s['snapshot-id'])) };
}
