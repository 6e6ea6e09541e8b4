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

/** The benchmark at each size in turn: two runs at once would share the machine's cores and skew both. */
export async function eachSize<T>(sizes: readonly number[], run: (tables: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (const tables of sizes) results.push(await run(tables));
  return results;
}

/** The small and the large run of a side-by-side table. */
export function smallAndLarge<T>(runs: readonly T[]): [T, T] {
  const [small, large] = runs;
  if (small === undefined || large === undefined) throw new Error('two runs are needed side by side');
  return [small, large];
}

/** The peak RSS row's note: the ratio with the target beside it. */
export function rssRatio(small: number | undefined, large: number | undefined): string {
  return `${ratio(small, large)} (target ≤ 1.5×)`;
}
