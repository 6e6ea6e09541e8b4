import type { HmsTable } from '../catalog-records.js';

/**
 * The TJSON tables of recent messages, so that a table's next message is read without parsing all of
 * it. An Iceberg commit through a Hive Metastore changes only the table's parameters (the new
 * metadata_location, previous_metadata_location, transient_lastDdlTime): the rest of the table object —
 * names, storage descriptor, columns, serde — comes back byte for byte, and building it is most of
 * the parse (~7 µs of a 1.3 KB table, against <1 µs for its parameters).
 *
 * Exact by construction, whatever the key finds: a text is taken from the memo only when everything
 * before and after the remembered table's top-level parameters (field 9) is the same text, and what is
 * between parses alone as one JSON value. JSON's grammar then reads every other field exactly as it
 * read them in the remembered text, so the result is the one a full parse gives. Anything else —
 * another table, a changed column, a parameter map that does not parse or check — is parsed in full,
 * with its usual errors.
 *
 * Bounded in characters (about a byte each for the ASCII of real tables); the oldest entry goes first.
 */
export class RecentTjsonTables {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  /** Texts read from the memo, parsed in full, and scanned to be remembered (for tests and benchmarks). */
  readonly counts = { hits: 0, misses: 0, remembered: 0 };

  constructor(
    private readonly maxChars = 8 * 1024 * 1024,
    /** Larger tables are rare and would push out many small ones. */
    private readonly maxEntryChars = 256 * 1024,
  ) {}

  /**
   * The table `text` holds, when a remembered table differs from it only in its parameters;
   * `readParameters` checks and reads the parameter map as the full parse does (it may throw).
   */
  lookup(text: string, readParameters: (value: unknown) => ReadonlyMap<string, string>): HmsTable | undefined {
    const entry = this.entries.get(keyOf(text));
    const table = entry && readWithEntry(entry, text, readParameters);
    this.counts[table ? 'hits' : 'misses']++;
    if (entry) entry[table ? 'hits' : 'misses']++;
    return table;
  }

  /** Remembers a fully parsed table (when its text has one plain top-level parameters field). */
  remember(text: string, table: HmsTable): void {
    if (text.length > this.maxEntryChars) return;
    const key = keyOf(text);
    // A table whose every commit changes more than its parameters (a writer that touches another field
    // each time) would pay the scan below on every event for nothing: an entry never read from is
    // replaced only at its REPLACE_UNREAD_AFTER-th miss. One that was read is replaced at once (the
    // table's schema changed: its next commits will match the new text).
    const old = this.entries.get(key);
    if (old && old.hits === 0 && old.misses < REPLACE_UNREAD_AFTER) return;
    const range = topLevelValueRange(text, '9');
    if (!range) return;
    this.forget(key);
    // The parsed parameters are not kept: each hit parses its own, and the budget counts characters.
    const { tableName, dbName, tableType, location, catName } = table;
    const fields = { tableName, dbName, tableType, location, catName };
    this.entries.set(key, { prefix: text.slice(0, range.start), suffix: text.slice(range.end), chars: text.length, fields, hits: 0, misses: 0 });
    this.chars += text.length;
    this.counts.remembered++;
    for (const oldest of this.entries.keys()) {
      if (this.chars <= this.maxChars) break;
      this.forget(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.chars -= entry.chars;
  }
}

interface Entry {
  /** The remembered text up to its parameters' value, and from the end of that value on (slices of it). */
  readonly prefix: string;
  readonly suffix: string;
  readonly chars: number;
  /** Every field of the remembered table but its parameters. */
  readonly fields: Omit<HmsTable, 'parameters'>;
  /** Texts read from this entry, and texts its key found that it could not read. */
  hits: number;
  misses: number;
}

/** How many misses an entry that was never read from waits before a new text replaces it (a scan). */
const REPLACE_UNREAD_AFTER = 8;

/**
 * Where to look: a table's TJSON starts with its name and database (fields 1 and 2, written first, then
 * the owner, field 3), so the text before field 3 names the table, whatever else its commits change.
 * Without a field 3 early enough, the opening characters. Two tables that share a key only take turns
 * in one entry: the key never decides a result.
 */
const MAX_NAMES_CHARS = 512;
const OPENING_CHARS = 128;
function keyOf(text: string): string {
  const owner = text.indexOf(',"3":');
  return text.slice(0, owner > 0 && owner <= MAX_NAMES_CHARS ? owner : OPENING_CHARS);
}

function readWithEntry(entry: Entry, text: string, readParameters: (value: unknown) => ReadonlyMap<string, string>): HmsTable | undefined {
  const { prefix, suffix } = entry;
  const end = text.length - suffix.length;
  if (end < prefix.length || text.slice(0, prefix.length) !== prefix || text.slice(end) !== suffix) return undefined;
  let parameters: ReadonlyMap<string, string>;
  try {
    parameters = readParameters(JSON.parse(text.slice(prefix.length, end)));
  } catch {
    return undefined; // the full parse says what is wrong
  }
  const { tableName, dbName, tableType, location, catName } = entry.fields;
  return { tableName, dbName, tableType, location, parameters, catName };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * Where the value of the top-level member `id` lies in `text`, a JSON object that JSON.parse has
 * already accepted (so only strings and nesting need following). Undefined when there is no such
 * member, when it appears twice (JSON.parse keeps the last, the memo would not know which), or when a
 * top-level key is written with escapes (it could spell `id` in another way).
 */
export function topLevelValueRange(text: string, id: string): { start: number; end: number } | undefined {
  let depth = 0;
  let keyNext = false;
  let start = -1;
  let end = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = closingQuote(text, i);
      if (depth === 1 && keyNext) {
        const key = text.slice(i + 1, close);
        if (key.includes('\\')) return undefined;
        if (key === id) {
          if (start >= 0) return undefined;
          start = skipSpace(text, skipSpace(text, close + 1) + 1); // past the colon
          if (text.charCodeAt(skipSpace(text, close + 1)) !== COLON) return undefined;
        }
        keyNext = false;
      }
      i = close;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) keyNext = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d || (c === COMMA && depth === 1)) {
      // A member of the top level ends here: the value of `id`, if that was the member.
      if (depth === 1 && start >= 0 && end < 0) end = trimSpaceBefore(text, i);
      if (c === COMMA) keyNext = true;
      else depth--;
    }
  }
  return start >= 0 && end > start ? { start, end } : undefined;
}

/** The index of the quote that closes the string opening at `open` (one preceded by an even run of backslashes). */
function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  for (;;) {
    if (quote < 0) return text.length; // not JSON: the caller has parsed it, so never here
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

function trimSpaceBefore(text: string, i: number): number {
  while (i > 0 && isSpace(text.charCodeAt(i - 1))) i--;
  return i;
}
