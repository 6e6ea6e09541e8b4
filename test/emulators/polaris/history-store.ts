// Per table, the notifications it received in arrival order with the status each got: what tests and
// benchmarks read back (the `at` of each answered notification is the Glue benchmark's arrival time).
//
// An entry is recorded when its request arrives, before the handler's first await, so two
// notifications of one table keep their arrival order whichever is answered first. It stays an object
// only while its answer is pending; once it and every entry that arrived before it are answered, it is
// kept as one JSON string. As for the tables (table-store.ts), a 1,000,000-table benchmark's history as
// objects made this process's full collections long enough to show in the measured latencies.
import type { HistoryEntry } from './types.js';

/** Per-table cap: keeps week-long benchmarks on one hot table from growing without bound. */
const HISTORY_LIMIT = 100_000;

type Encoded = [type: string, timestamp: number, metadataLocation: string, status: number, at: number, requestId: string | null];

export class HistoryStore {
  /** By table key: the answered entries, one string for a table's first, an array once it has more. */
  private readonly answered = new Map<string, string | string[]>();
  /** By table key: the entries from the first unanswered one on, in arrival order. */
  private readonly pending = new Map<string, HistoryEntry[]>();

  /** Records an entry at its arrival; `answer` gives it its status later. */
  arrive(key: string, entry: HistoryEntry): void {
    const list = this.pending.get(key);
    if (list) list.push(entry);
    else this.pending.set(key, [entry]);
  }

  /** Gives an arrived entry its status; answered entries with none pending before them are encoded. */
  answer(key: string, entry: HistoryEntry, status: number): void {
    entry.status = status;
    const list = this.pending.get(key);
    if (!list) return;
    let settled = 0;
    while (settled < list.length && list[settled]!.status !== 0) this.append(key, encode(list[settled++]!));
    if (settled === list.length) this.pending.delete(key);
    else if (settled > 0) list.splice(0, settled);
  }

  /** Copies of a table's entries, oldest first (pending ones with status 0). */
  of(key: string): HistoryEntry[] {
    const answered = this.answered.get(key);
    const lines = answered === undefined ? [] : typeof answered === 'string' ? [answered] : answered;
    return [...lines.map(decode), ...(this.pending.get(key) ?? []).map((e) => ({ ...e }))];
  }

  private append(key: string, line: string): void {
    const answered = this.answered.get(key);
    if (answered === undefined) return void this.answered.set(key, line);
    if (typeof answered === 'string') return void this.answered.set(key, [answered, line]);
    answered.push(line);
    if (answered.length > HISTORY_LIMIT * 1.1) answered.splice(0, answered.length - HISTORY_LIMIT);
  }
}

function encode(e: HistoryEntry): string {
  const encoded: Encoded = [e.type, e.timestamp, e.metadataLocation, e.status, e.at, e.requestId ?? null];
  return JSON.stringify(encoded);
}

function decode(line: string): HistoryEntry {
  const [type, timestamp, metadataLocation, status, at, requestId] = JSON.parse(line) as Encoded;
  return { type, timestamp, metadataLocation, status, at, ...(requestId === null ? {} : { requestId }) };
}
