// Bulk set-up for benchmarks: `tables` tables spread evenly over the leaves of a namespace tree whose
// fan-out per level is given (e.g. [10, 10, 2] → 200 leaf namespaces three levels deep).
import type { RestCatalogEmulator } from './types.js';

export function leafNamespaces(fanout: readonly number[]): string[][] {
  let level: string[][] = [[]];
  fanout.forEach((width, depth) => {
    level = level.flatMap((parent) => Array.from({ length: width }, (_, i) => [...parent, `l${depth}_${i}`]));
  });
  return level;
}

export async function populate(emulator: RestCatalogEmulator, options: { tables: number; fanout: readonly number[]; parallel?: number }): Promise<number> {
  const leaves = leafNamespaces(options.fanout);
  const parallel = options.parallel ?? 64;
  for (let start = 0; start < options.tables; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, options.tables - start) }, (_, k) => start + k);
    await Promise.all(batch.map((i) => emulator.createTable(leaves[i % leaves.length]!, `t${i}`)));
  }
  return options.tables;
}
