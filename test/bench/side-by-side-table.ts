// The table two benchmark runs at different catalog sizes are printed in: one row per measure, the
// small and the large run's figure, and the large / small ratio (the memory target is peak RSS ≤ 1.5×
// at 10× the tables). Shared by the Glue and the files side-by-side benchmarks.

export type SideBySideRow = [measure: string, small: string, large: string, ratio: string];

export const figure = (n: number | undefined, digits = 1): string => (n === undefined ? 'n/a' : n.toFixed(digits));

/** large / small, as printed ("n/a" when either is unknown or the small one is 0). */
export const ratio = (small: number | undefined, large: number | undefined): string =>
  small === undefined || large === undefined || small === 0 ? 'n/a' : `${(large / small).toFixed(2)}×`;

/** The peak RSS row's ratio, with the target beside it. */
export const rssRatio = (small: number | undefined, large: number | undefined): string => `${ratio(small, large)} (target ≤ 1.5×)`;

/** Columns padded to their widest cell (by a loop: a spread over many rows could exceed the argument limit). */
export function formatSideBySideTable(head: SideBySideRow, rows: readonly SideBySideRow[]): string {
  const all = [head, ...rows];
  const width = [0, 0, 0, 0];
  for (const row of all) row.forEach((cell, i) => (width[i] = Math.max(width[i]!, cell.length)));
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
