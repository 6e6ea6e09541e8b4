// The pieces every side-by-side benchmark prints with (`glue-scale`, `hive-scale`, …): a benchmark at a
// small and a large catalog size, one row per figure, and the ratio of the large run to the small one
// (the memory target is peak RSS ≤ 1.5× at 10× the tables).

/** One printed row: the figure's name, its value in the small and the large run, and a note (ratio, target). */
export type SideBySideRow = readonly [label: string, small: string, large: string, note: string];

/** A number with fixed digits, or n/a when the figure could not be taken (no GNU time, no /proc). */
export function fmt(n: number | undefined, digits = 1): string {
  return n === undefined ? 'n/a' : n.toFixed(digits);
}

/** large / small, as "1.04×". */
export function ratio(small: number | undefined, large: number | undefined): string {
  return small === undefined || large === undefined || small === 0 ? 'n/a' : `${(large / small).toFixed(2)}×`;
}

/** The rows under a head row, each column padded to its widest cell. */
export function formatSideBySide(head: SideBySideRow, rows: readonly SideBySideRow[]): string {
  const all = [head, ...rows];
  const width = [0, 1, 2, 3].map((i) => all.reduce((widest, row) => Math.max(widest, row[i]!.length), 0));
  return all.map((row) => `  ${row.map((cell, i) => cell.padEnd(width[i]!)).join('   ')}`.trimEnd()).join('\n');
}
