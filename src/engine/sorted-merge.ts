import type { TargetPageRow } from '../ledger/target-sql.js';

/**
 * Byte order of the strings' UTF-8 forms (SQLite's BINARY collation, PostgreSQL's "C"), computed on
 * UTF-16 without encoding: code units differ from code points in order only for surrogates, which
 * rank above U+E000–U+FFFF in UTF-8.
 */
export function compareBytewise(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** A ledger's rows read page by page (each page a bounded query after the last key), as one sorted stream. */
export async function* pagedRows(
  read: (after: { name: string; id: number } | undefined, limit: number) => Promise<readonly TargetPageRow[]>,
  pageSize: number,
): AsyncGenerator<TargetPageRow> {
  let after: { name: string; id: number } | undefined;
  for (;;) {
    const page = await read(after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { name: last.name, id: last.id };
  }
}

export interface MergeVisitor {
  /** A ledger row whose name the listing lacks. */
  missing(row: TargetPageRow): void | Promise<void>;
  /** A listed name no ledger row has. */
  unknown(name: string): void | Promise<void>;
}

/**
 * Walks two streams sorted bytewise — a target's listed names (unique) and the ledger's rows (several
 * rows may share a name) — once, side by side, holding one item of each: memory stays the same
 * whatever their length.
 */
export async function mergeSorted(listed: AsyncIterable<string> | Iterable<string>, rows: AsyncIterable<TargetPageRow>, visit: MergeVisitor): Promise<void> {
  const names = toAsync(listed)[Symbol.asyncIterator]();
  const ledger = rows[Symbol.asyncIterator]();
  let name = await names.next();
  let row = await ledger.next();
  while (!name.done || !row.done) {
    const order = name.done ? 1 : row.done ? -1 : compareBytewise(name.value, row.value.name);
    if (order < 0) {
      await visit.unknown(name.value as string);
      name = await names.next();
    } else if (order > 0) {
      await visit.missing(row.value as TargetPageRow);
      row = await ledger.next();
    } else {
      // Listed and in the ledger: every row of that name is matched; the name is consumed after them.
      const current = name.value as string;
      while (!row.done && row.value.name === current) row = await ledger.next();
      name = await names.next();
    }
  }
}

async function* toAsync<T>(items: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
