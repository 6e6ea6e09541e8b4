import PQueue from 'p-queue';
import type { AbsentObservation, Observation } from '../../src/model/observation.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import { joinNamespace, type SourceTable } from '../../src/model/table.js';
import type { GlueCatalogReader } from './glue-reader.js';
import { observeTable } from './observe-table.js';

/** GetTable calls in flight for one batch; the Glue rate limiter paces them further. */
const READS_IN_FLIGHT = 16;

/**
 * The Glue reads one batch of SQS messages needs, shared between its messages: a table named by several
 * messages (or a database deleted twice) is read once, and all reads share one concurrency limit. The
 * observations of every read that succeeded are collected for one commit.
 */
export class BatchReads {
  private readonly limit = new PQueue({ concurrency: READS_IN_FLIGHT });
  private readonly tables = new Map<string, Promise<void>>();
  private readonly databases = new Map<string, Promise<void>>();
  private readonly seen: Observation[] = [];

  constructor(
    private readonly reader: GlueCatalogReader,
    private readonly sink: ObservationSink,
    private readonly signal: AbortSignal,
  ) {}

  /** GetTable: present or absent is recorded; a table that exists but is not mirrorable records nothing. */
  table(table: SourceTable): Promise<void> {
    const key = `${joinNamespace(table.namespace)}\u0000${table.name}`;
    let read = this.tables.get(key);
    if (!read) {
      read = this.limit
        .add(() => observeTable(this.reader, table, this.signal))
        .then((result) => {
          if (result.kind === 'observed') this.seen.push(result.observation);
        });
      read.catch(() => undefined); // the messages naming the table see the failure
      this.tables.set(key, read);
    }
    return read;
  }

  /**
   * Every mirrored table of a deleted database, confirmed gone: one GetDatabase when the database is
   * gone, otherwise (re-created meanwhile) a GetTable per table. Undefined when none is mirrored.
   */
  deletedDatabase(database: string): Promise<void> | undefined {
    const known = this.sink.knownTables([database]);
    if (known.length === 0) return undefined;
    let work = this.databases.get(database);
    if (!work) {
      work = this.limit
        .add(() => this.reader.databaseExists(database, this.signal))
        .then(async ({ exists, startedAt }) => {
          if (exists) {
            await Promise.all(known.map((t) => this.table(t)));
            return;
          }
          for (const table of known) {
            const absent: AbsentObservation = { table, state: 'absent', confirmed: true, order: startedAt, sourceTimeMs: startedAt };
            this.seen.push(absent);
          }
        });
      work.catch(() => undefined);
      this.databases.set(database, work);
    }
    return work;
  }

  /** Waits for every read started, including those a failed message no longer waits for. */
  async settled(): Promise<void> {
    let started = -1;
    while (started !== this.tables.size + this.databases.size) {
      started = this.tables.size + this.databases.size;
      await Promise.allSettled([...this.tables.values(), ...this.databases.values()]);
    }
  }

  /** What the successful reads saw, for one commit. */
  observations(): Observation[] {
    return [...this.seen];
  }
}
