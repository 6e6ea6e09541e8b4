/** Renders rows as an aligned plain-text table (no colours: output is often piped or logged). */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  // A loop, not Math.max(...spread): a plan can show hundreds of thousands of rows, past the argument limit.
  const widths = headers.map((h, i) => rows.reduce((width, r) => Math.max(width, (r[i] ?? '').length), h.length));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
