import type { Dirent } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AbsentObservation, ListedItem, PresentObservation } from '../../src/model/observation.js';
import type { SourceAdapter, SourceCheck } from '../../src/model/source-adapter.js';
import type { SourceTable } from '../../src/model/table.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import type { FilesSourceConfig } from './config.js';
import { currentMetadataFile, readMetadataText, summarizeMetadata } from './metadata-file.js';

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

  constructor(config: FilesSourceConfig) {
    this.name = config.name;
    this.root = config.root;
    this.rootUri = config.rootUri;
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
    const item = await this.readTableSteadily(dir, table, order);
    if (item?.kind === 'observation') return item.observation;
    if (item?.kind === 'skipped') {
      // Present but unreadable is not absent: never let a broken metadata file cause a DROP.
      throw new MirrorError(`table ${dir} cannot be read: ${item.skipped.detail ?? item.skipped.reason}`, {
        retryable: false,
        hint: 'fix or remove the broken metadata file',
      });
    }
    return { table, state: 'absent', confirmed: true, order, sourceTimeMs: order };
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
    for (const entry of entries) {
      // Hidden directories hold tooling state (.polaris-mirror, .git), never tables; symlinks could loop.
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const child = join(dir, entry.name);
      const table = { namespace, name: entry.name };
      const item = await this.readTableSteadily(child, table, Date.now());
      if (item) yield item;
      else yield* this.walk(child, [...namespace, entry.name], signal);
    }
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
        if (!(await exists(dir))) return undefined;
        if (attempt >= 3) throw new MirrorError(`table ${dir} keeps changing while it is read`, { retryable: true, cause: error });
      }
    }
  }

  /** The URI Polaris reads a file under root by: below rootUri (object keys are not percent-encoded), or file://. */
  private locationOf(file: string): string {
    if (this.rootUri === undefined) return pathToFileURL(file).href;
    return `${this.rootUri}/${relative(this.root, file).split(sep).join('/')}`;
  }

  /** The table in dir, a skipped entry for a broken one, or undefined when dir is not a table. */
  private async readTable(dir: string, table: SourceTable, order: number): Promise<ListedItem | undefined> {
    let current;
    try {
      current = await currentMetadataFile(join(dir, 'metadata'));
    } catch (error) {
      if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    if (!current) return undefined;
    let summary;
    try {
      summary = summarizeMetadata(await readMetadataText(current.file));
    } catch (error) {
      if (isNotFound(error)) throw error; // replaced by a newer commit meanwhile: the caller reads again
      return { kind: 'skipped', skipped: { table, reason: 'invalid-metadata', detail: `${current.file}: ${messageOf(error)}` } };
    }
    const sourceTimeMs = summary.lastUpdatedMs ?? (await stat(current.file)).mtimeMs;
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
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
  return new MirrorError(`cannot read ${path}: ${messageOf(error)}`, { retryable: true, cause: error });
}
