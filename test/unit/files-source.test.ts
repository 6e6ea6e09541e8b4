// The files source: Hadoop-catalog warehouses on a local disk, built in temp directories.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FilesSourceConfig } from '../../adapters/files/config.js';
import { FilesSource } from '../../adapters/files/files-source.js';
import { currentMetadataFile, summarizeMetadata } from '../../adapters/files/metadata-file.js';
import { MAX_NAMESPACE_DEPTH } from '../../src/model/limits.js';
import type { AbsentObservation, ListedItem, PresentObservation } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import { MirrorError } from '../../src/util/errors.js';
import { writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { tempDir } from './support.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: root, cleanup } = tempDir('pm-files-'));
  // The unprivileged child of the permission tests must be able to reach the warehouse.
  chmodSync(root, 0o755);
});
afterEach(() => {
  // undo any chmod so the cleanup can remove everything
  cleanup();
});

const isRoot = process.getuid?.() === 0;
const UNPRIVILEGED_CHILD = fileURLToPath(new URL('../../dist/test/support/files-source-unprivileged.js', import.meta.url));

/**
 * A files-source operation as a user that file permissions apply to. chmod 000 does not deny root, and
 * CI runs as root: there the operation runs in a child process that gives up root (the built CLI's
 * modules, dist/, are loaded before it does). Otherwise it runs right here.
 */
async function asUnprivileged(op: 'list', cfg?: FilesSourceConfig): Promise<ListedItem[]>;
async function asUnprivileged(op: 'read', cfg: FilesSourceConfig, table: SourceTable): Promise<PresentObservation | AbsentObservation>;
async function asUnprivileged(op: 'list' | 'read', cfg = config(), table?: SourceTable): Promise<unknown> {
  if (!isRoot) return op === 'list' ? list(new FilesSource(cfg)) : new FilesSource(cfg).read(table!);
  if (!existsSync(UNPRIVILEGED_CHILD)) throw new Error(`${UNPRIVILEGED_CHILD} is missing: run npm run build first`);
  const { stdout } = await promisify(execFile)(process.execPath, [UNPRIVILEGED_CHILD, JSON.stringify({ config: cfg, op, table })]);
  const answer = JSON.parse(stdout) as { ok: true; result: unknown } | { ok: false; name: string; message: string };
  if (answer.ok) return answer.result;
  throw Object.assign(new Error(answer.message), { name: answer.name });
}

/** Writes a Hadoop-named metadata file (vN.metadata.json) with the given uuid and last-updated-ms. */
function writeHadoop(tableDir: string, version: number, fields: { uuid?: string; lastUpdatedMs?: number; formatVersion?: number } = {}): string {
  mkdirSync(join(tableDir, 'metadata'), { recursive: true });
  const file = join(tableDir, 'metadata', `v${version}.metadata.json`);
  writeFileSync(
    file,
    JSON.stringify({
      'format-version': fields.formatVersion ?? 2,
      'table-uuid': fields.uuid ?? `uuid-${version}`,
      location: pathToFileURL(tableDir).href,
      'last-updated-ms': fields.lastUpdatedMs ?? 1_700_000_000_000 + version,
    }),
  );
  return file;
}

function hint(tableDir: string, text: string): void {
  writeFileSync(join(tableDir, 'metadata', 'version-hint.text'), text);
}

function config(overrides: { root?: string; rootUri?: string; maxMetadataBytes?: number } = {}): FilesSourceConfig {
  return {
    type: 'files',
    name: 'wh',
    root: overrides.root ?? root,
    ...(overrides.rootUri ? { rootUri: overrides.rootUri } : {}),
    target: { catalog: 'lake', namespacePrefix: [] },
    include: [],
    exclude: [],
    reconcileIntervalSeconds: 3600,
    maxDropFraction: 0.25,
    pollIntervalSeconds: 7,
    maxMetadataBytes: overrides.maxMetadataBytes ?? 64 * 1024 * 1024,
  };
}

function source(overrides: { root?: string; rootUri?: string; maxMetadataBytes?: number } = {}): FilesSource {
  return new FilesSource(config(overrides));
}

async function list(src = source()): Promise<ListedItem[]> {
  const items: ListedItem[] = [];
  for await (const item of src.list!(new AbortController().signal)) items.push(item);
  return items;
}

function summary(items: ListedItem[]): Array<[string, string]> {
  return items.map((i) =>
    i.kind === 'observation'
      ? [[...i.observation.table.namespace, i.observation.table.name].join('.'), i.observation.metadataLocation]
      : [[...i.skipped.table.namespace, i.skipped.table.name].join('.'), `skipped:${i.skipped.reason}`],
  );
}

describe('currentMetadataFile', () => {
  it('the highest version wins without a hint; both naming styles are understood', async () => {
    const t = join(root, 't');
    writeHadoop(t, 1);
    writeHadoop(t, 3);
    writeFileSync(join(t, 'metadata', '00002-abc.metadata.json'), '{}');
    writeFileSync(join(t, 'metadata', '00010-def.metadata.json'), '{}');
    writeFileSync(join(t, 'metadata', 'snap-1.avro'), '');
    expect(await currentMetadataFile(join(t, 'metadata'))).toEqual({ file: join(t, 'metadata', '00010-def.metadata.json'), version: 10 });
  });

  it('version-hint.text wins when the file it names exists', async () => {
    const t = join(root, 't');
    writeHadoop(t, 1);
    writeHadoop(t, 2);
    writeHadoop(t, 3);
    hint(t, '2\n');
    expect(await currentMetadataFile(join(t, 'metadata'))).toEqual({ file: join(t, 'metadata', 'v2.metadata.json'), version: 2 });
  });

  it('a hint naming a missing version, or garbage, falls back to the highest', async () => {
    const t = join(root, 't');
    writeHadoop(t, 1);
    writeHadoop(t, 2);
    hint(t, '7');
    expect((await currentMetadataFile(join(t, 'metadata')))!.version).toBe(2);
    hint(t, 'not-a-number');
    expect((await currentMetadataFile(join(t, 'metadata')))!.version).toBe(2);
  });

  it('the hint also selects a uuid-named file', async () => {
    const t = join(root, 't');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(join(t, 'metadata', '00001-a.metadata.json'), '{}');
    writeFileSync(join(t, 'metadata', '00002-b.metadata.json'), '{}');
    hint(t, '1');
    expect(await currentMetadataFile(join(t, 'metadata'))).toEqual({ file: join(t, 'metadata', '00001-a.metadata.json'), version: 1 });
  });

  it('two files claiming one version: the Hadoop name wins', async () => {
    const t = join(root, 't');
    writeFileSync(join((mkdirSync(join(t, 'metadata'), { recursive: true }), t), 'metadata', '00004-z.metadata.json'), '{}');
    writeHadoop(t, 4);
    expect((await currentMetadataFile(join(t, 'metadata')))!.file).toBe(join(t, 'metadata', 'v4.metadata.json'));
  });

  it('undefined when no metadata file is there; throws ENOENT when the directory is missing', async () => {
    mkdirSync(join(root, 'empty', 'metadata'), { recursive: true });
    expect(await currentMetadataFile(join(root, 'empty', 'metadata'))).toBeUndefined();
    await expect(currentMetadataFile(join(root, 'missing', 'metadata'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('summarizeMetadata', () => {
  it('reads table-uuid and last-updated-ms', () => {
    expect(summarizeMetadata('{"format-version":2,"table-uuid":"u","last-updated-ms":5}')).toEqual({ tableUuid: 'u', lastUpdatedMs: 5 });
    expect(summarizeMetadata('{"format-version":1}')).toEqual({ tableUuid: undefined, lastUpdatedMs: undefined });
  });

  it('refuses JSON that is not Iceberg table metadata', () => {
    expect(() => summarizeMetadata('{"location":"x"}')).toThrow('no format-version: not Iceberg table metadata');
    expect(() => summarizeMetadata('[1,2]')).toThrow();
    expect(() => summarizeMetadata('null')).toThrow('not a JSON object');
    expect(() => summarizeMetadata('{not json')).toThrow(SyntaxError);
  });
});

describe('FilesSource.list', () => {
  it('lists fixture tables with file:// locations, uuid and last-updated-ms', async () => {
    const t = await writeFixtureTable(join(root, 'sales', 'orders'), { fixture: 'TableMetadataV2Valid.json', version: 3 });
    const items = await list();
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(item.kind).toBe('observation');
    if (item.kind !== 'observation') return;
    expect(item.observation).toMatchObject({
      table: { namespace: ['sales'], name: 'orders' },
      state: 'present',
      metadataLocation: t.metadataLocation,
      tableUuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1',
      sourceTimeMs: 1602638573590,
    });
    expect(item.observation.metadataLocation.startsWith('file:///')).toBe(true);
    expect(Math.abs(item.observation.order - Date.now())).toBeLessThan(10_000);
  });

  it('derives nested namespaces from directories and lists in name order', async () => {
    writeHadoop(join(root, 'a', 'b', 'c', 't1'), 1);
    writeHadoop(join(root, 'a', 't2'), 1);
    writeHadoop(join(root, 'z', 't3'), 1);
    expect(summary(await list()).map(([name]) => name)).toEqual(['a.b.c.t1', 'a.t2', 'z.t3']);
  });

  it('does not descend into a table directory (its data/ and metadata/ are not tables)', async () => {
    writeHadoop(join(root, 'db', 't'), 1);
    writeHadoop(join(root, 'db', 't', 'data', 'inner'), 1);
    expect(summary(await list()).map(([name]) => name)).toEqual(['db.t']);
  });

  it('skips hidden directories and plain files', async () => {
    writeHadoop(join(root, '.polaris-mirror', 't'), 1);
    writeHadoop(join(root, 'db', '.trash'), 1);
    writeHadoop(join(root, 'db', 'visible'), 1);
    writeFileSync(join(root, 'README.md'), 'hi');
    expect(summary(await list()).map(([name]) => name)).toEqual(['db.visible']);
  });

  it('the version hint chooses the listed metadata location', async () => {
    const t = join(root, 'db', 't');
    writeHadoop(t, 1, { lastUpdatedMs: 111, uuid: 'uu' });
    writeHadoop(t, 2, { lastUpdatedMs: 222, uuid: 'uu' });
    hint(t, '1');
    const [item] = await list();
    expect(item).toMatchObject({
      kind: 'observation',
      observation: { metadataLocation: pathToFileURL(join(t, 'metadata', 'v1.metadata.json')).href, sourceTimeMs: 111, tableUuid: 'uu' },
    });
  });

  it('invalid metadata JSON → a skipped item with reason invalid-metadata, and the listing goes on', async () => {
    const bad = join(root, 'db', 'bad');
    mkdirSync(join(bad, 'metadata'), { recursive: true });
    writeFileSync(join(bad, 'metadata', 'v1.metadata.json'), '{ "format-version": 2, ');
    writeHadoop(join(root, 'db', 'good'), 1);
    const items = await list();
    expect(summary(items)).toEqual([
      ['db.bad', 'skipped:invalid-metadata'],
      ['db.good', pathToFileURL(join(root, 'db', 'good', 'metadata', 'v1.metadata.json')).href],
    ]);
    const skipped = items[0]!;
    expect(skipped.kind === 'skipped' && skipped.skipped.detail).toContain(join(bad, 'metadata', 'v1.metadata.json'));
  });

  it('JSON without format-version is invalid metadata too', async () => {
    const t = join(root, 'db', 'noticeberg');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(join(t, 'metadata', 'v1.metadata.json'), '{"location":"x"}');
    expect(summary(await list())).toEqual([['db.noticeberg', 'skipped:invalid-metadata']]);
  });

  it('falls back to the file mtime when last-updated-ms is missing', async () => {
    const t = join(root, 'db', 't');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(join(t, 'metadata', 'v1.metadata.json'), '{"format-version":1}');
    const [item] = await list();
    expect(item!.kind === 'observation' && Math.abs(item!.observation.sourceTimeMs - Date.now())).toBeLessThan(60_000);
  });

  it('a directory with an empty metadata/ is not a table and is descended into', async () => {
    mkdirSync(join(root, 'ns', 'metadata'), { recursive: true });
    writeHadoop(join(root, 'ns', 'inner'), 1);
    expect(summary(await list()).map(([name]) => name)).toEqual(['ns.inner']);
  });

  it('a namespace directory called "metadata" holding tables is a namespace', async () => {
    writeHadoop(join(root, 'db', 'metadata', 't'), 1);
    expect(summary(await list()).map(([name]) => name)).toEqual(['db.metadata.t']);
  });

  it('an empty warehouse lists nothing', async () => {
    expect(await list()).toEqual([]);
  });

  it('a missing root throws (it must never look like an empty warehouse)', async () => {
    await expect(list(source({ root: join(root, 'does-not-exist') }))).rejects.toThrow(MirrorError);
    await expect(list(source({ root: join(root, 'does-not-exist') }))).rejects.toThrow(/does not exist/);
  });

  it('a root that is a file throws', async () => {
    writeFileSync(join(root, 'file'), 'x');
    await expect(list(source({ root: join(root, 'file') }))).rejects.toThrow(`${join(root, 'file')} is not a directory`);
  });

  it('an aborted listing throws', async () => {
    writeHadoop(join(root, 'db', 't'), 1);
    const controller = new AbortController();
    controller.abort();
    const iterate = async () => {
      for await (const _ of source().list!(controller.signal)) void _;
    };
    await expect(iterate()).rejects.toThrow('the listing was interrupted');
  });

  it('an unreadable root throws (as root: listed by an unprivileged child)', async () => {
    const locked = join(root, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    try {
      await expect(asUnprivileged('list', config({ root: locked }))).rejects.toThrow(/permission denied/);
    } finally {
      chmodSync(locked, 0o755);
    }
  }, 120_000);

  it('an unreadable table directory fails the listing (as root: listed by an unprivileged child)', async () => {
    writeHadoop(join(root, 'db', 't'), 1);
    writeHadoop(join(root, 'db', 'u'), 1);
    // The control: readable, the same tree lists fine for the same user.
    expect(summary(await asUnprivileged('list')).map(([name]) => name)).toEqual(['db.t', 'db.u']);
    chmodSync(join(root, 'db', 't'), 0o000);
    try {
      await expect(asUnprivileged('list')).rejects.toThrow(/permission denied/);
    } finally {
      chmodSync(join(root, 'db', 't'), 0o755);
    }
  }, 120_000);

  // Regression (fixed; this was the bug): a table directory removed while the listing runs (a DROP ... PURGE during the pass) is not a
  // table any more, so walk() descends into it and readdir's raw ENOENT fails the whole listing, although
  // the comment in walk() says "removed while listing: a later pass sees it gone". With tables created and
  // dropped all the time, listings keep failing and reconciliation never completes.
  it('a directory removed while the listing runs is left out, and the listing completes', async () => {
    writeHadoop(join(root, 'a', 't1'), 1);
    writeHadoop(join(root, 'b', 't2'), 1);
    writeHadoop(join(root, 'c', 't3'), 1);
    const names: string[] = [];
    for await (const item of source().list!(new AbortController().signal)) {
      if (item.kind === 'observation') names.push(item.observation.table.name);
      // root's entries [a, b, c] are already read: drop b before the walk gets to it
      if (names.length === 1) rmSync(join(root, 'b'), { recursive: true });
    }
    expect(names).toEqual(['t1', 't3']);
  });

  // Regression (fixed; this was the bug): Iceberg writes gzip-compressed metadata as 00001-<uuid>.gz.metadata.json (and Hadoop tables as
  // v1.gz.metadata.json) when write.metadata.compression-codec=gzip; Polaris reads them, but the files
  // source reads them as UTF-8 text and reports the table as invalid-metadata (never mirrored).
  it('gzip-compressed metadata is read', async () => {
    const { gzipSync } = await import('node:zlib');
    const t = join(root, 'db', 'gz');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(
      join(t, 'metadata', '00001-a.gz.metadata.json'),
      gzipSync(JSON.stringify({ 'format-version': 2, 'table-uuid': 'gz-uuid', 'last-updated-ms': 5 })),
    );
    expect(await list()).toEqual([
      expect.objectContaining({ kind: 'observation', observation: expect.objectContaining({ tableUuid: 'gz-uuid', sourceTimeMs: 5 }) }),
    ]);
  });
});

describe('FilesSource.read', () => {
  it('present: file:// metadata location, uuid and source time', async () => {
    const t = join(root, 'sales', 'eu', 'orders');
    writeHadoop(t, 1, { uuid: 'u-1', lastUpdatedMs: 1_650_000_000_000 });
    writeHadoop(t, 2, { uuid: 'u-1', lastUpdatedMs: 1_650_000_000_999 });
    const obs = await source().read({ namespace: ['sales', 'eu'], name: 'orders' });
    expect(obs).toMatchObject({
      table: { namespace: ['sales', 'eu'], name: 'orders' },
      state: 'present',
      metadataLocation: pathToFileURL(join(t, 'metadata', 'v2.metadata.json')).href,
      tableUuid: 'u-1',
      sourceTimeMs: 1_650_000_000_999,
    });
  });

  it('percent-encodes special characters in the file:// location', async () => {
    const t = join(root, 'my db', 'tab#1');
    writeHadoop(t, 1);
    const obs = await source().read({ namespace: ['my db'], name: 'tab#1' });
    expect(obs.state === 'present' && obs.metadataLocation).toBe(`${pathToFileURL(root).href}/my%20db/tab%231/metadata/v1.metadata.json`);
  });

  it('absent (confirmed) when the directory is gone', async () => {
    const t = join(root, 'db', 't');
    writeHadoop(t, 1);
    rmSync(t, { recursive: true });
    const before = Date.now();
    const obs = await source().read({ namespace: ['db'], name: 't' });
    expect(obs).toMatchObject({ table: { namespace: ['db'], name: 't' }, state: 'absent', confirmed: true });
    expect(obs.order).toBeGreaterThanOrEqual(before);
    expect(obs.sourceTimeMs).toBe(obs.order);
  });

  it('absent when the namespace directory is gone too, or the path runs through a file', async () => {
    expect((await source().read({ namespace: ['nope', 'deeper'], name: 't' })).state).toBe('absent');
    writeFileSync(join(root, 'afile'), 'x');
    expect((await source().read({ namespace: ['afile'], name: 't' })).state).toBe('absent');
  });

  it('absent when the directory holds no metadata file any more', async () => {
    mkdirSync(join(root, 'db', 't', 'metadata'), { recursive: true });
    expect((await source().read({ namespace: ['db'], name: 't' })).state).toBe('absent');
  });

  it('broken metadata throws instead of reporting absent', async () => {
    const t = join(root, 'db', 't');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(join(t, 'metadata', 'v1.metadata.json'), 'garbage');
    const error = await source()
      .read({ namespace: ['db'], name: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MirrorError);
    expect((error as MirrorError).retryable).toBe(false);
    expect((error as MirrorError).message).toContain('cannot be read');
  });

  it('a permission error throws (as root: read by an unprivileged child)', async () => {
    const t = join(root, 'db', 't');
    writeHadoop(t, 1);
    expect(await asUnprivileged('read', config(), { namespace: ['db'], name: 't' })).toMatchObject({ state: 'present' });
    chmodSync(join(t, 'metadata'), 0o000);
    try {
      const error = await asUnprivileged('read', config(), { namespace: ['db'], name: 't' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('MirrorError');
      expect((error as Error).message).toMatch(/permission denied/);
    } finally {
      chmodSync(join(t, 'metadata'), 0o755);
    }
  }, 120_000);
});

describe('FilesSource.check and identity', () => {
  it('check reports a readable root with a sample location', async () => {
    expect(await source().check()).toEqual({ ok: true, detail: `warehouse root ${root} is readable`, sampleLocations: [pathToFileURL(root).href] });
  });

  it('check reports a missing root with a hint', async () => {
    const result = await source({ root: join(root, 'gone') }).check();
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(`${join(root, 'gone')} does not exist`);
    expect(result.hint).toBe('check the files source root');
  });

  it('name, type and poll interval come from the config', () => {
    const s = source();
    expect([s.name, s.type, s.listIntervalSeconds]).toEqual(['wh', 'files', 7]);
  });
});

describe('rootUri: a warehouse Polaris reads from object storage', () => {
  it('metadata locations are rootUri plus the path below root (object keys unencoded), and check VALIDATEs rootUri', async () => {
    writeHadoop(join(root, 'sales', 'eu', 'orders'), 2);
    writeHadoop(join(root, 'my db', 'my table'), 1);
    const src = source({ rootUri: 's3://lake/warehouse' });
    expect(summary(await list(src))).toEqual([
      ['my db.my table', 's3://lake/warehouse/my db/my table/metadata/v1.metadata.json'],
      ['sales.eu.orders', 's3://lake/warehouse/sales/eu/orders/metadata/v2.metadata.json'],
    ]);
    const read = await src.read({ namespace: ['sales', 'eu'], name: 'orders' });
    expect(read).toMatchObject({ state: 'present', metadataLocation: 's3://lake/warehouse/sales/eu/orders/metadata/v2.metadata.json' });
    expect((await src.check!()).sampleLocations).toEqual(['s3://lake/warehouse']);
  });
});

describe('FilesSource: hostile trees', () => {
  const names = (items: ListedItem[]) => summary(items);

  // Regression (fixed; this was the bug): a 1 MB .metadata.json.gz inflated without limit (2.2 GB RSS,
  // 21 s), at every poll. Several gzip members of zeros make a stream that inflates a thousandfold.
  it('a decompression bomb is skipped as metadata-too-large without inflating it all', async () => {
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 96 }, () => member)); // ~100 KB → 96 MiB
    const t = join(root, 'db', 'bomb');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(join(t, 'metadata', 'v1.metadata.json.gz'), bomb);
    writeHadoop(join(root, 'db', 'good'), 1);
    const items = await list(source({ maxMetadataBytes: 8 * 1024 * 1024 }));
    expect(names(items)).toEqual([
      ['db.bomb', 'skipped:metadata-too-large'],
      ['db.good', pathToFileURL(join(root, 'db', 'good', 'metadata', 'v1.metadata.json')).href],
    ]);
    expect(items[0]!.kind === 'skipped' && items[0]!.skipped.detail).toMatch(/inflated.*8388608-byte limit/);
    // The default limit (64 MiB) holds too.
    expect(names(await list())[0]).toEqual(['db.bomb', 'skipped:metadata-too-large']);
  }, 120_000);

  it('a metadata file above the limit is skipped from its size, before it is read', async () => {
    const t = join(root, 'db', 'big');
    writeHadoop(t, 1);
    writeFileSync(join(t, 'metadata', 'v2.metadata.json'), JSON.stringify({ 'format-version': 2, pad: 'x'.repeat(4096) }));
    const items = await list(source({ maxMetadataBytes: 1024 }));
    expect(names(items)).toEqual([['db.big', 'skipped:metadata-too-large']]);
    expect(items[0]!.kind === 'skipped' && items[0]!.skipped.detail).toMatch(/larger than the 1024-byte limit \(\d+ bytes\)/);
    await expect(source({ maxMetadataBytes: 1024 }).read({ namespace: ['db'], name: 'big' })).rejects.toThrow(/cannot be read.*1024-byte limit/);
  });

  // Regression (fixed; this was the bug): a symlinked metadata directory or file was followed outside
  // the root, and a few bytes of the target reached `plan` output through the JSON parse error.
  it('a symlinked metadata directory is not followed: skipped, and nothing of its target is read', async () => {
    const outside = tempDir('pm-outside-');
    try {
      mkdirSync(join(outside.dir, 'metadata'));
      writeFileSync(join(outside.dir, 'metadata', 'v1.metadata.json'), 'root:x:0:0:SECRET-CONTENT');
      mkdirSync(join(root, 'db', 't'), { recursive: true });
      symlinkSync(join(outside.dir, 'metadata'), join(root, 'db', 't', 'metadata'));
      const items = await list();
      expect(names(items)).toEqual([['db.t', 'skipped:not-a-regular-file']]);
      expect(JSON.stringify(items)).not.toContain('SECRET');
      await expect(source().read({ namespace: ['db'], name: 't' })).rejects.toThrow(/symbolic link/);
    } finally {
      outside.cleanup();
    }
  });

  it('a symlinked metadata file is not followed', async () => {
    const outside = tempDir('pm-outside-');
    try {
      writeFileSync(join(outside.dir, 'secret'), 'root:x:0:0:SECRET-CONTENT');
      const t = join(root, 'db', 't');
      writeHadoop(t, 1);
      symlinkSync(join(outside.dir, 'secret'), join(t, 'metadata', 'v2.metadata.json'));
      const items = await list();
      expect(names(items)).toEqual([['db.t', 'skipped:not-a-regular-file']]);
      expect(JSON.stringify(items)).not.toContain('SECRET');
    } finally {
      outside.cleanup();
    }
  });

  it('JSON errors do not quote the file', async () => {
    const t = join(root, 'db', 't');
    mkdirSync(join(t, 'metadata'), { recursive: true });
    writeFileSync(join(t, 'metadata', 'v1.metadata.json'), 'root:x:0:0:SECRET-CONTENT');
    const [item] = await list();
    expect(item).toMatchObject({ kind: 'skipped', skipped: { reason: 'invalid-metadata' } });
    expect(JSON.stringify(item)).not.toContain('SECRET');
  });

  // Regression (fixed; this was the bug): a FIFO named like a metadata file blocked the listing forever
  // (open() waits for a writer), and with it every later file read and the shutdown.
  it('FIFOs named like metadata files or the version hint are never opened for a blocking read', async () => {
    const t = join(root, 'db', 'fifo');
    writeHadoop(t, 1);
    execFileSync('mkfifo', [join(t, 'metadata', 'v2.metadata.json')]);
    const hinted = join(root, 'db', 'hinted');
    writeHadoop(hinted, 1);
    writeHadoop(hinted, 2);
    execFileSync('mkfifo', [join(hinted, 'metadata', 'version-hint.text')]);
    const items = await list();
    expect(names(items)).toEqual([
      ['db.fifo', 'skipped:not-a-regular-file'],
      ['db.hinted', pathToFileURL(join(hinted, 'metadata', 'v2.metadata.json')).href],
    ]);
    expect(items[0]!.kind === 'skipped' && items[0]!.skipped.detail).toMatch(/named pipe/);
  });

  it('a table reached only through a symlinked namespace is neither listed nor read', async () => {
    const real = join(root, 'real');
    writeHadoop(join(real, 't'), 1);
    symlinkSync(real, join(root, 'alias'));
    expect(names(await list()).map(([name]) => name)).toEqual(['real.t']);
    expect(await source().read({ namespace: ['alias'], name: 't' })).toMatchObject({ state: 'absent' });
  });

  // Regression (fixed; this was the bug): one branch deeper than PATH_MAX failed every listing.
  it('a branch deeper than PATH_MAX is skipped with a reason; the rest is listed', async () => {
    const level = 'd'.repeat(250);
    // Built with relative paths from a child process that walks down with chdir: no absolute path of
    // that length could be used to create it.
    execFileSync(process.execPath, [
      '-e',
      `const fs = require('fs');
       for (let i = 0; i < 20; i++) { fs.mkdirSync(${JSON.stringify(level)}); process.chdir(${JSON.stringify(level)}); }
       fs.mkdirSync('t/metadata', { recursive: true });
       fs.writeFileSync('t/metadata/v1.metadata.json', '{"format-version":2}');`,
    ], { cwd: root });
    writeHadoop(join(root, 'a', 'shallow'), 1);
    try {
      const items = await list();
      const listed = names(items);
      expect(listed[0]).toEqual(['a.shallow', pathToFileURL(join(root, 'a', 'shallow', 'metadata', 'v1.metadata.json')).href]);
      expect(listed.slice(1).map(([, what]) => what)).toEqual(['skipped:path-too-long']);
      const deep = items[1]!;
      expect(deep.kind === 'skipped' && deep.skipped.table.namespace.every((l) => l === level)).toBe(true);
      // A table down there is never "absent" (that could drop it): its read fails.
      await expect(source().read({ namespace: Array(20).fill(level), name: 't' })).rejects.toThrow(/path length limit/);
    } finally {
      execFileSync('rm', ['-rf', join(root, level)]); // rm walks relative to each directory: it can remove it
    }
  }, 120_000);

  it(`a tree nested deeper than ${MAX_NAMESPACE_DEPTH} namespace levels is cut there with a reason`, async () => {
    const levels = Array.from({ length: MAX_NAMESPACE_DEPTH + 5 }, (_, i) => `n${i}`);
    writeHadoop(join(root, ...levels, 't'), 1);
    writeHadoop(join(root, ...levels.slice(0, MAX_NAMESPACE_DEPTH), 'ok'), 1);
    const items = await list();
    expect(names(items)).toEqual([
      [[...levels.slice(0, MAX_NAMESPACE_DEPTH), 'n32'].join('.'), 'skipped:too-deep'],
      [[...levels.slice(0, MAX_NAMESPACE_DEPTH), 'ok'].join('.'), pathToFileURL(join(root, ...levels.slice(0, MAX_NAMESPACE_DEPTH), 'ok', 'metadata', 'v1.metadata.json')).href],
    ]);
  });

  it('property: whatever bytes a metadata file holds, the listing completes and says what it skipped', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string().map((text) => Buffer.from(text)),
      fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')),
      fc.uint8Array({ maxLength: 300 }).map((b) => gzipSync(b)),
      fc.jsonValue().map((value) => gzipSync(JSON.stringify({ 'format-version': 2, extra: value }))),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([gzipSync(Buffer.from('{"format-version":2}')).subarray(0, 12), b])),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (content) => {
        const t = join(root, 'db', 't');
        mkdirSync(join(t, 'metadata'), { recursive: true });
        writeFileSync(join(t, 'metadata', 'v1.metadata.json'), content);
        const items = await list(source({ maxMetadataBytes: 4096 }));
        expect(items).toHaveLength(1);
        const item = items[0]!;
        if (item.kind === 'skipped') expect(['invalid-metadata', 'metadata-too-large']).toContain(item.skipped.reason);
        else expect(item.observation.metadataLocation).toMatch(/^file:\/\//);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
