import type { Dirent } from 'node:fs';
import { access, lstat, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_NAMESPACE_DEPTH } from '../../src/model/limits.js';
import type { AbsentObservation, ListedItem, PresentObservation, SkipReason } from '../../src/model/observation.js';
import type { SourceAdapter, SourceCheck } from '../../src/model/source-adapter.js';
import type { SourceTable } from '../../src/model/table.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import type { FilesSourceConfig } from './config.js';
import { currentMetadataFile, readMetadataText, summarizeMetadata } from './metadata-file.js';
import { entryKind, UnreadableFileError } from './regular-file.js';

/** Table directories of one namespace read at once during a listing. */
const READ_AHEAD = 16;

/**
 * A directory tree of Iceberg tables in Hadoop-catalog layout: a table is a directory holding
 * metadata/*.metadata.json, and its namespace is the path of its parent directories below the root.
 * It has no change feed, so its watch is a periodic full listing (pollIntervalSeconds).
 */
export class FilesSource implements SourceAdapter {
  readonly type = 'files';
  readonly name: string;
  readonly listIntervalSeconds: number;
  private readonly root: string;
  /** Where Polaris reads root (rootUri); undefined: root's file:// URI. */
  private readonly rootUri: string | undefined;
  private readonly maxMetadataBytes: number;

  constructor(config: FilesSourceConfig) {
    this.name = config.name;
    this.root = config.root;
    this.rootUri = config.rootUri;
    this.maxMetadataBytes = config.maxMetadataBytes;
    this.listIntervalSeconds = config.pollIntervalSeconds;
  }

  async *list(signal: AbortSignal): AsyncIterable<ListedItem> {
    // An unreadable root must fail the listing: an empty listing would look like "every table dropped".
    await this.assertRootReadable();
    yield* this.walk(this.root, [], signal);
  }

  async read(table: SourceTable): Promise<PresentObservation | AbsentObservation> {
    const order = Date.now();
    const dir = join(this.root, ...table.namespace, table.name);
    const absent: AbsentObservation = { table, state: 'absent', confirmed: true, order, sourceTimeMs: order };
    // The listing never follows a symlink, so a table reached only through one is not there for it either.
    if (!(await this.reachableWithoutSymlinks([...table.namespace, table.name]))) return absent;
    const item = await this.readTableSteadily(dir, table, order);
    if (item?.kind === 'observation') return item.observation;
    if (item?.kind === 'skipped') {
      // Present but unreadable is not absent: never let a broken metadata file cause a DROP.
      throw new MirrorError(`table ${dir} cannot be read: ${item.skipped.detail ?? item.skipped.reason}`, {
        retryable: false,
        hint: 'fix or remove the broken metadata file',
      });
    }
    return absent;
  }

  async check(): Promise<SourceCheck> {
    try {
      await this.assertRootReadable();
      return { ok: true, detail: `warehouse root ${this.root} is readable`, sampleLocations: [this.rootUri ?? pathToFileURL(this.root).href] };
    } catch (error) {
      return { ok: false, detail: messageOf(error), hint: error instanceof MirrorError ? error.hint : undefined };
    }
  }

  private async assertRootReadable(): Promise<void> {
    try {
      const info = await stat(this.root);
      if (!info.isDirectory()) throw new MirrorError(`${this.root} is not a directory`, { retryable: false, hint: 'point root at the warehouse directory' });
      await access(this.root);
      await readdir(this.root);
    } catch (error) {
      if (error instanceof MirrorError) throw error;
      throw asSourceError(error, this.root);
    }
  }

  private async *walk(dir: string, namespace: string[], signal: AbortSignal): AsyncGenerator<ListedItem> {
    if (signal.aborted) throw new MirrorError('the listing was interrupted', { retryable: true });
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      // A namespace or table directory removed while listing: a later pass (or the re-read before a
      // DROP) sees it gone. The root itself was checked before the walk started.
      if (dir !== this.root && isNotFound(error)) return;
      throw asSourceError(error, dir);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Hidden directories hold tooling state (.polaris-mirror, .git), never tables. Symlinks are not
    // followed (readdir reports them as links, not directories): they could loop or leave the root.
    const children = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
    // Reading a table is a handful of file system calls, each a wait: READ_AHEAD of them are read at
    // once (one by one, the listing spent most of its time idle), and yielded in order.
    const reads: Array<Promise<ListedItem | undefined>> = [];
    const startRead = (i: number) => {
      const name = children[i]!;
      const read = this.readTableSteadily(join(dir, name), { namespace, name }, Date.now());
      read.catch(() => undefined); // awaited in turn below; a failure read ahead must not go unhandled meanwhile
      reads[i] = read;
    };
    for (let i = 0; i < Math.min(READ_AHEAD, children.length); i++) startRead(i);
    for (let i = 0; i < children.length; i++) {
      const item = await reads[i]!;
      delete reads[i];
      if (i + READ_AHEAD < children.length) startRead(i + READ_AHEAD);
      const name = children[i]!;
      if (item) yield item;
      else if (namespace.length >= MAX_NAMESPACE_DEPTH) {
        // A tree without end (generated, or a loop of bind mounts) must not keep the pass going.
        yield skipped({ namespace, name }, 'too-deep', `${join(dir, name)} is nested deeper than ${MAX_NAMESPACE_DEPTH} namespace levels; its branch is not listed`);
      } else yield* this.walk(join(dir, name), [...namespace, name], signal);
    }
  }

  /** Whether every level of a table's path below the root is a directory, none of them a symlink. */
  private async reachableWithoutSymlinks(levels: readonly string[]): Promise<boolean> {
    let path = this.root;
    for (const level of levels) {
      path = join(path, level);
      try {
        if ((await entryKind(path)) !== 'directory') return false;
      } catch (error) {
        throw asSourceError(error, path);
      }
    }
    return true;
  }

  /**
   * readTable, robust against a commit racing the read: when the current metadata file vanishes between
   * listing the metadata directory and reading it, read again. Undefined only when dir is really not a
   * table (or is gone) — never because of the race, which would make a live table look dropped.
   */
  private async readTableSteadily(dir: string, table: SourceTable, order: number): Promise<ListedItem | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.readTable(dir, table, order);
      } catch (error) {
        if (!isNotFound(error)) throw asSourceError(error, dir);
        if ((await entryKind(dir)) !== 'directory') return undefined;
        if (attempt >= 3) throw new MirrorError(`table ${dir} keeps changing while it is read`, { retryable: true, cause: error });
      }
    }
  }

  /** The URI Polaris reads a file under root by: below rootUri (object keys are not percent-encoded), or file://. */
  private locationOf(file: string): string {
    if (this.rootUri === undefined) return pathToFileURL(file).href;
    return `${this.rootUri}/${relative(this.root, file).split(sep).join('/')}`;
  }

  /**
   * The table in dir, a skipped entry for a broken one, or undefined when dir is not a table. Its
   * metadata directory and file must be real (no symlink, no FIFO) and the file within the size limit.
   */
  private async readTable(dir: string, table: SourceTable, order: number): Promise<ListedItem | undefined> {
    const metadataDir = join(dir, 'metadata');
    let current;
    try {
      const kind = await entryKind(metadataDir);
      if (kind === 'symlink') return skipped(table, 'not-a-regular-file', `${metadataDir} is a symbolic link; the files source does not follow symlinks`);
      if (kind !== 'directory') return undefined;
      current = await currentMetadataFile(metadataDir);
    } catch (error) {
      if (isNameTooLong(error)) return tooLong(table, dir);
      if (isNotFound(error)) return undefined;
      throw error;
    }
    if (!current) return undefined;
    let summary;
    try {
      summary = summarizeMetadata(await readMetadataText(current.file, this.maxMetadataBytes));
    } catch (error) {
      if (isNotFound(error)) throw error; // replaced by a newer commit meanwhile: the caller reads again
      if (isNameTooLong(error)) return tooLong(table, dir);
      if (error instanceof UnreadableFileError) return skipped(table, error.reason === 'too-large' ? 'metadata-too-large' : 'not-a-regular-file', error.message);
      return skipped(table, 'invalid-metadata', `${current.file}: ${messageOf(error)}`);
    }
    const sourceTimeMs = summary.lastUpdatedMs ?? (await lstat(current.file)).mtimeMs;
    return {
      kind: 'observation',
      observation: {
        table,
        state: 'present',
        metadataLocation: this.locationOf(current.file),
        tableUuid: summary.tableUuid,
        order,
        sourceTimeMs,
      },
    };
  }
}

function skipped(table: SourceTable, reason: SkipReason, detail: string): ListedItem {
  return { kind: 'skipped', skipped: { table, reason, detail } };
}

/**
 * A branch deeper than the system's PATH_MAX cannot be opened by path at all. Skipped with a reason,
 * it still counts as listed, so nothing under it is dropped for it (its re-read fails, never "absent").
 */
function tooLong(table: SourceTable, dir: string): ListedItem {
  return skipped(table, 'path-too-long', `the path below ${dir.slice(0, 200)}… exceeds the system's path length limit (PATH_MAX); its branch is not listed`);
}

function isNameTooLong(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENAMETOOLONG';
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function asSourceError(error: unknown, path: string): MirrorError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new MirrorError(`permission denied reading ${path}`, { retryable: false, hint: 'let the connector user read the warehouse directory', cause: error });
  }
  if (code === 'ENOENT') {
    return new MirrorError(`${path} does not exist`, { retryable: false, hint: 'check the files source root', cause: error });
  }
  if (code === 'ENAMETOOLONG') {
    return new MirrorError(`a path below ${path.slice(0, 200)}… exceeds the system's path length limit`, { retryable: false, hint: 'shorten the directory names of that branch', cause: error });
  }
  return new MirrorError(`cannot read ${path}: ${messageOf(error)}`, { retryable: true, cause: error });
}
