// `npm run bench -- files-scale [small] [large]`: the files benchmark at two warehouse sizes (100,000
// and 1,000,000 tables by default), printed side by side with the ratio of the large to the small run —
// the memory target is peak RSS ≤ 1.5× at 10× the tables. Namespaces grow with the warehouse (5,000
// tables each, 20 at least, as the files benchmark's 100,000 tables have always been laid out), as a
// real warehouse grows by adding namespaces. Each figure carries the 1-minute load average when it was
// taken: the times are inflated by whatever else runs on the machine, the memory and the counts are not.
import { benchFilesSync, type FilesSyncResult } from './files-sync.js';
import { eachSize, fmt, formatSideBySide, ratio, rssRatio, smallAndLarge, type SideBySideRow } from './side-by-side.js';

const TABLES_PER_NAMESPACE = 5_000;

export async function benchFilesSideBySide(small = 100_000, large = 1_000_000): Promise<FilesSyncResult[]> {
  return eachSize([small, large], (tables) => benchFilesSync(tables, Math.max(20, Math.round(tables / TABLES_PER_NAMESPACE))));
}

export function formatFilesSideBySide(runs: FilesSyncResult[]): string {
  const [a, b] = smallAndLarge(runs);
  const rows: SideBySideRow[] = [
    ['first sync, seconds', fmt(a.firstSeconds), fmt(b.firstSeconds), ratio(a.firstSeconds, b.firstSeconds)],
    ['first sync, connector CPU seconds', fmt(a.firstCpuSeconds), fmt(b.firstCpuSeconds), ratio(a.firstCpuSeconds, b.firstCpuSeconds)],
    ['first sync, peak RSS MB', fmt(a.firstRssMb, 0), fmt(b.firstRssMb, 0), rssRatio(a.firstRssMb, b.firstRssMb)],
    ['first sync, notifications', String(a.firstNotifications), String(b.firstNotifications), ratio(a.firstNotifications, b.firstNotifications)],
    ['first sync, load average', fmt(a.firstLoadAverage, 2), fmt(b.firstLoadAverage, 2), ''],
    ['no-change sync, seconds', fmt(a.secondSeconds), fmt(b.secondSeconds), ratio(a.secondSeconds, b.secondSeconds)],
    ['no-change sync, connector CPU seconds', fmt(a.secondCpuSeconds), fmt(b.secondCpuSeconds), ratio(a.secondCpuSeconds, b.secondCpuSeconds)],
    ['no-change sync, peak RSS MB', fmt(a.secondRssMb, 0), fmt(b.secondRssMb, 0), rssRatio(a.secondRssMb, b.secondRssMb)],
    ['no-change sync, notifications', String(a.secondNotifications), String(b.secondNotifications), 'target 0'],
    ['no-change sync, load average', fmt(a.secondLoadAverage, 2), fmt(b.secondLoadAverage, 2), ''],
  ];
  return formatSideBySide(['', `${a.tables} tables (${a.namespaces} namespaces)`, `${b.tables} tables (${b.namespaces} namespaces)`, 'large / small'], rows);
}
