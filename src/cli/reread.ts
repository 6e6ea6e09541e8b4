import type { Mirror } from '../engine/mirror.js';
import { dottedName } from '../model/table.js';
import { messageOf } from '../util/errors.js';

/**
 * Re-reads tables from their sources (where the source can be re-read) and commits what they hold now,
 * so a command that re-drives or resets a table acts on the current state rather than a stored one.
 */
export async function rereadFromSources(mirror: Mirror, ids: readonly number[], print: (text: string) => void): Promise<void> {
  for (const id of ids) {
    const row = await mirror.ledger.get(id);
    const source = row ? mirror.sources.get(row.source) : undefined;
    if (!row || !source?.adapter.read) continue;
    try {
      await source.sink.commit([await source.adapter.read(row.table)]);
    } catch (error) {
      print(`could not re-read ${row.source}: ${dottedName(row.table)} (${messageOf(error)}); its stored state is kept`);
    }
  }
}
