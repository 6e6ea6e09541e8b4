import type { AbsentObservation, Observation } from '../../src/model/observation.js';
import { joinNamespace, type SourceTable } from '../../src/model/table.js';
import { FairQueue } from '../../src/util/fair-queue.js';
import type { GlueLocation } from './catalog-set.js';
import { observeTable } from './observe-table.js';

/** GetTable calls in flight for all messages together; the Glue rate limiter paces them further. */
const READS_IN_FLIGHT = 16;

/**
 * The Glue reads the SQS messages in flight need. They share one concurrency limit, taken in turn by
 * message (FairQueue): a message naming thousands of tables gets its turn like any other, so a small
 * message behind it is read at the next free slot instead of minutes later.
 *
 * A table several messages name is read once only while that read has not started yet: a read that
 * started before a message arrived may predate that message's change, so it is not shared with it.
 */
export class TableReads {
  private readonly queue = new FairQueue(READS_IN_FLIGHT);
  private readonly notStarted = new Map<string, Promise<Observation | undefined>>();

  constructor(private readonly signal: AbortSignal) {}

  /** GetTable for `message`: present or absent; undefined when the table exists but is not mirrorable. */
  table(message: string, where: GlueLocation, table: SourceTable): Promise<Observation | undefined> {
    const key = `${joinNamespace(table.namespace)}\u0000${table.name}`;
    const waiting = this.notStarted.get(key);
    if (waiting) return waiting;
    const read = this.queue
      .run(message, () => {
        this.notStarted.delete(key);
        return observeTable(where.catalog.reader, where.database, table, this.signal);
      })
      .then((result) => (result.kind === 'observed' ? result.observation : undefined));
    this.notStarted.set(key, read);
    return read;
  }

  /**
   * Every mirrored table of a deleted database (`known`), confirmed gone: one GetDatabase when the
   * database is gone, otherwise (re-created meanwhile) a GetTable per table.
   */
  async deletedDatabase(message: string, where: GlueLocation, known: readonly SourceTable[]): Promise<Observation[]> {
    const { exists, startedAt } = await this.queue.run(message, () => where.catalog.reader.databaseExists(where.database, this.signal));
    if (exists) {
      const reads = await Promise.all(known.map((table) => this.table(message, where, table)));
      return reads.filter((o): o is Observation => o !== undefined);
    }
    return known.map((table): AbsentObservation => ({ table, state: 'absent', confirmed: true, order: startedAt, sourceTimeMs: startedAt }));
  }
}
