import { dottedName, type SourceTable } from '../model/table.js';

/**
 * Include/exclude globs on "namespace.table": `*` matches any run of characters (dots included, so
 * "sales.*" covers nested namespaces too), `?` one character; everything else is literal.
 *
 * Matched without regular expressions: a glob compiled to a backtracking RegExp (`^.*\..*_backup$`)
 * takes time polynomial in the name's length, and one long table name blocked the daemon for most of
 * a minute. Here the glob is split at its stars and each literal part is found leftmost, in turn — for
 * globs that is exact (a later star can absorb whatever an earlier, leftmost choice left over) — so a
 * match costs at most (name length × glob length) character comparisons, and never backtracks.
 */
export class Glob {
  /** The parts between stars, as code points ('?' in a part matches any one). */
  private readonly parts: readonly (readonly string[])[];

  constructor(readonly pattern: string) {
    this.parts = pattern.split('*').map((part) => Array.from(part));
  }

  matches(name: string): boolean {
    const text = Array.from(name);
    const parts = this.parts;
    const first = parts[0]!;
    if (parts.length === 1) return text.length === first.length && partAt(first, text, 0);
    const last = parts[parts.length - 1]!;
    // The first part is anchored at the start, the last at the end; they must not overlap.
    const end = text.length - last.length;
    if (end < first.length || !partAt(first, text, 0) || !partAt(last, text, end)) return false;
    let position = first.length;
    for (let i = 1; i < parts.length - 1; i++) {
      const found = indexOfPart(parts[i]!, text, position, end);
      if (found < 0) return false;
      position = found + parts[i]!.length;
    }
    return true;
  }
}

/** Whether part matches text at `at` ('?' matches any one code point). */
function partAt(part: readonly string[], text: readonly string[], at: number): boolean {
  for (let i = 0; i < part.length; i++) {
    const wanted = part[i]!;
    if (wanted !== '?' && wanted !== text[at + i]) return false;
  }
  return true;
}

/** The leftmost position in [from, end - part.length] where part matches, or -1. */
function indexOfPart(part: readonly string[], text: readonly string[], from: number, end: number): number {
  for (let at = from; at + part.length <= end; at++) if (partAt(part, text, at)) return at;
  return -1;
}

/** A compiled include/exclude pair: a name passes when it matches an include (or none are set) and no exclude. */
export class TableFilter {
  private readonly include: Glob[];
  private readonly exclude: Glob[];

  /** No globs at all (the common case): every table passes, and its dotted name need not be built. */
  private readonly everything: boolean;

  constructor(include: readonly string[], exclude: readonly string[]) {
    this.include = include.map((glob) => new Glob(glob));
    this.exclude = exclude.map((glob) => new Glob(glob));
    this.everything = include.length === 0 && exclude.length === 0;
  }

  /** accepts() for a table (its dotted name): for every event of a log, so no name is built without globs. */
  acceptsTable(table: SourceTable): boolean {
    return this.everything || this.accepts(dottedName(table));
  }

  accepts(dottedName: string): boolean {
    if (this.include.length > 0 && !this.include.some((glob) => glob.matches(dottedName))) return false;
    return !this.exclude.some((glob) => glob.matches(dottedName));
  }
}
