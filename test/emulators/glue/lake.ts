// A lake shared by the two emulators, as in production: engines commit Iceberg tables to Glue while the
// metadata files live in S3 (or on a shared file system), and Polaris reads those same files. Writing a
// table here puts a new metadata file into the store Polaris reads (the Polaris emulator's object store,
// or a directory) and creates or updates the Glue table the way Iceberg's Glue catalog does
// (metadata_location, previous_metadata_location).
import { randomUUID } from 'node:crypto';
import { readFixture, relocate } from '../polaris/fixture-warehouse.js';
import type { GlueCatalog } from './catalog.js';
import { icebergTable } from './glue-tables.js';

export interface ObjectStore {
  putObject(uri: string, content: string): void;
  /** Absent for a store that cannot delete (the benchmark's): the lake then keeps no file list for purges. */
  deleteObject?(uri: string): void;
}

export interface WriteOptions {
  /** Keep (or set) this Iceberg table UUID; by default each table name keeps the UUID it got first. */
  uuid?: string;
  /** Also expose the UUID as the table's `uuid` parameter (as some writers do). Default true. */
  uuidParameter?: boolean;
}

export class GlueLake {
  private readonly uuids = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  /** Metadata files written per table location, for a purging drop (kept only if the store can delete). */
  private readonly files = new Map<string, string[]>();

  private constructor(
    private readonly catalog: GlueCatalog,
    private readonly store: ObjectStore,
    /** s3://bucket/prefix (or file:///dir) the tables live under; the Polaris catalog must allow it. */
    readonly root: string,
    private readonly template: Record<string, unknown>,
  ) {}

  static async create(catalog: GlueCatalog, store: ObjectStore, root = 's3://lake/warehouse'): Promise<GlueLake> {
    const template = JSON.parse(await readFixture('TableMetadataV2ValidMinimal.json')) as Record<string, unknown>;
    return new GlueLake(catalog, store, root, template);
  }

  tableLocation(database: string, name: string): string {
    return `${this.root}/${database}.db/${name}`;
  }

  /** A commit: a new metadata file, then CreateTable or UpdateTable in Glue. Returns the metadata location. */
  commit(database: string, name: string, options: WriteOptions = {}): string {
    const { metadataLocation, publish } = this.prepare(database, name, options);
    publish();
    return metadataLocation;
  }

  /**
   * A commit whose metadata file goes to a store in another process: Glue points at the file only once
   * `written` resolves (the file is readable), as an engine writes S3 before it commits to Glue.
   */
  async commitAfter(written: () => Promise<void>, database: string, name: string, options: WriteOptions = {}): Promise<string> {
    const { metadataLocation, publish } = this.prepare(database, name, options);
    await written();
    publish();
    return metadataLocation;
  }

  /** Writes the metadata file; `publish` is the Glue side of the commit. */
  private prepare(database: string, name: string, options: WriteOptions): { metadataLocation: string; publish: () => void } {
    if (!this.catalog.hasDatabase(database)) this.catalog.createDatabase({ name: database });
    const key = `${database}.${name}`;
    const uuid = options.uuid ?? this.uuids.get(key) ?? randomUUID();
    this.uuids.set(key, uuid);
    const metadataLocation = this.writeMetadata(database, name, uuid);
    const publish = (): void => {
      const exists = this.catalog.hasTable(database, name);
      const previous = exists ? this.catalog.tableSpec(database, name).parameters?.['metadata_location'] : undefined;
      const spec = icebergTable(name, {
        location: this.tableLocation(database, name),
        metadataLocation,
        previous,
        uuid: options.uuidParameter === false ? undefined : uuid,
      });
      if (exists) this.catalog.updateTable(database, spec);
      else this.catalog.createTable(database, spec);
    };
    return { metadataLocation, publish };
  }

  /**
   * DeleteTable; the name forgets its UUID, so a re-created table is a new Iceberg table. `purge`
   * (Athena's DROP TABLE, Spark's DROP TABLE … PURGE) deletes the metadata files too.
   */
  drop(database: string, name: string, options: { purge?: boolean } = {}): void {
    const deleteObject = this.store.deleteObject?.bind(this.store);
    // Refused before anything changes: a half-done drop would leave the table gone and its files kept.
    if (options.purge && !deleteObject) throw new Error('this lake\'s object store cannot delete: a purging drop needs one that can');
    this.catalog.deleteTable(database, name);
    this.uuids.delete(`${database}.${name}`);
    if (options.purge && deleteObject) {
      const location = this.tableLocation(database, name);
      for (const uri of this.files.get(location) ?? []) deleteObject(uri);
      this.files.delete(location);
    }
  }

  /** Iceberg's rename in Glue: CreateTable(new) with the same metadata, then DeleteTable(old). */
  rename(database: string, from: string, to: string): void {
    this.catalog.renameTable(database, from, to);
    const uuid = this.uuids.get(`${database}.${from}`);
    this.uuids.delete(`${database}.${from}`);
    if (uuid) this.uuids.set(`${database}.${to}`, uuid);
  }

  uuidOf(database: string, name: string): string | undefined {
    return this.uuids.get(`${database}.${name}`);
  }

  private writeMetadata(database: string, name: string, uuid: string): string {
    const location = this.tableLocation(database, name);
    const version = (this.versions.get(location) ?? 0) + 1;
    this.versions.set(location, version);
    const metadata = relocate(this.template, location);
    metadata['table-uuid'] = uuid;
    metadata['last-updated-ms'] = Date.now();
    const uri = `${location}/metadata/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
    this.store.putObject(uri, JSON.stringify(metadata));
    // A million-table benchmark lake would keep a list per table for purges it never makes.
    if (this.store.deleteObject) this.files.set(location, [...(this.files.get(location) ?? []), uri]);
    return uri;
  }
}
