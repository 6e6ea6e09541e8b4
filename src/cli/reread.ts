import PQueue from 'p-queue';
import type { Mirror } from '../engine/mirror.js';
import { dottedName } from '../model/table.js';
import { messageOf } from '../util/errors.js';

/**
 * Tables re-read at once. One at a time, a retry of 1,000 tables waited for each source round trip in
 * turn (a Glue GetTable, a metastore get_table): a minute or more before anything was sent. The
 * dispatcher already reads tables concurrently (a re-read before a DROP), so every adapter's `read` may
 * be called this way.
 */
export const REREADS_AT_ONCE = 8;

/**
 * Re-reads tables from their sources (where the source can be re-read) and commits what they hold now,
 * so a command that re-drives or resets a table acts on the current state rather than a stored one. A
 * table that cannot be re-read keeps its stored state, and says so; a ledger error ends the command.
 */
export async function rereadFromSources(mirror: Pick<Mirror, 'ledger' | 'sources'>, ids: readonly number[], print: (text: string) => void): Promise<void> {
  const queue = new PQueue({ concurrency: REREADS_AT_ONCE });
  await Promise.all(ids.map((id) => queue.add(() => rereadOne(mirror, id, print))));
}

async function rereadOne(mirror: Pick<Mirror, 'ledger' | 'sources'>, id: number, print: (text: string) => void): Promise<void> {
  const row = await mirror.ledger.get(id);
  const source = row ? mirror.sources.get(row.source) : undefined;
  if (!row || !source?.adapter.read) return;
  try {
    await source.sink.commit([await source.adapter.read(row.table)]);
  } catch (error) {
    print(`could not re-read ${row.source}: ${dottedName(row.table)} (${messageOf(error)}); its stored state is kept`);
  }
}
