// The layout the side-by-side benchmarks print (`npm run bench -- glue-scale`, `rest-scale`): one row
// per figure, a column per catalog size, and the ratio of the large run to the small one.

/** A row: what is measured, its figure in the small run, in the large run, and the ratio or the target. */
export type SideBySideRow = readonly [label: string, small: string, large: string, note: string];

/** A figure with `digits` decimals; n/a when the run did not measure it. */
export function fmt(n: number | undefined, digits = 1): string {
  return n === undefined ? 'n/a' : n.toFixed(digits);
}

/** large / small, as "1.23×"; n/a when either is unknown or small is 0. */
export function ratio(small: number | undefined, large: number | undefined): string {
  return small === undefined || large === undefined || small === 0 ? 'n/a' : `${(large / small).toFixed(2)}×`;
}

/** The rows under their heading, each column as wide as its widest cell. */
export function sideBySideTable(head: SideBySideRow, rows: readonly SideBySideRow[]): string {
  const all = [head, ...rows];
  const width = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => `  ${r.map((cell, i) => cell.padEnd(width[i]!)).join('   ')}`.trimEnd()).join('\n');
}
