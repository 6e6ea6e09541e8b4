/** Renders rows as an aligned plain-text table (no colours: output is often piped or logged). */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columnWidths(headers.map((h) => h.length), rows);
  return [tableLine(headers, widths), tableLine(widths.map((w) => '-'.repeat(w)), widths), ...rows.map((r) => tableLine(r, widths))].join('\n');
}

/** Each column's width: the widest of `widths` and the rows' cells (widths only grow). */
export function columnWidths(widths: readonly number[], rows: ReadonlyArray<readonly string[]>): number[] {
  // A loop, not Math.max(...spread): a table can have hundreds of thousands of rows, past the argument limit.
  return widths.map((width, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), width));
}

/** One row padded to the widths; the last cell is not padded, and no line ends in spaces. */
export function tableLine(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
