// `npm run bench -- rest-scale [small] [large]`: the REST poll benchmark at two catalog sizes (100,000
// and 1,000,000 tables by default, in the same 310 nested namespaces, so a leaf namespace holds 500 or
// 5,000 tables), printed side by side with the ratio of the large run to the small one — the memory
// target is peak RSS ≤ 1.5× at 10× the tables. The connector runs in this process, the emulators in
// their own; each phase carries its load average and the connector's CPU seconds, which a shared
// machine inflates less than wall time.
import { benchRestPoll, type RestPollResult } from './rest-poll.js';
import { fmt, formatSideBySide, ratio, type SideBySideRow } from './side-by-side.js';

export async function benchRestSideBySide(small = 100_000, large = 1_000_000): Promise<RestPollResult[]> {
  const results: RestPollResult[] = [];
  for (const tables of [small, large]) results.push(await benchRestPoll(tables));
  return results;
}

export function formatRestSideBySide([a, b]: RestPollResult[]): string {
  if (!a || !b) throw new Error('two runs are needed side by side');
  const phases = [
    ['first poll', 'firstPoll', (r: RestPollResult) => r.firstPollSeconds],
    ['sending', 'send', (r: RestPollResult) => r.firstSendSeconds],
    ['no-change poll', 'noChangePoll', (r: RestPollResult) => r.noChangePollSeconds],
  ] as const;
  const rows: SideBySideRow[] = [];
  for (const [label, key, seconds] of phases) {
    rows.push(
      [`${label}, seconds`, fmt(seconds(a)), fmt(seconds(b)), ratio(seconds(a), seconds(b))],
      [`${label}, connector CPU s`, fmt(a.cpuSeconds[key]), fmt(b.cpuSeconds[key]), ratio(a.cpuSeconds[key], b.cpuSeconds[key])],
      [`${label}, peak RSS MB`, fmt(a.peakRssMb[key], 0), fmt(b.peakRssMb[key], 0), `${ratio(a.peakRssMb[key], b.peakRssMb[key])} (target ≤ 1.5×)`],
      [`${label}, live heap after GC MB`, fmt(a.liveHeapMb[key], 0), fmt(b.liveHeapMb[key], 0), ratio(a.liveHeapMb[key], b.liveHeapMb[key])],
      [`${label}, load average`, fmt(a.loadAverage[key], 2), fmt(b.loadAverage[key], 2), ''],
    );
  }
  const peak = (r: RestPollResult) => Math.max(r.peakRssMb.firstPoll, r.peakRssMb.send, r.peakRssMb.noChangePoll);
  rows.push(
    ['peak RSS of the run MB', fmt(peak(a), 0), fmt(peak(b), 0), `${ratio(peak(a), peak(b))} (target ≤ 1.5×)`],
    ['first poll, requests', String(a.firstPollRequests), String(b.firstPollRequests), ratio(a.firstPollRequests, b.firstPollRequests)],
    ['first sending, notifications', String(a.firstNotifications), String(b.firstNotifications), ratio(a.firstNotifications, b.firstNotifications)],
    ['no-change poll, requests per table', fmt(a.requestsPerTable, 3), fmt(b.requestsPerTable, 3), 'target ≈ 1 (a 304)'],
    ['no-change poll, notifications', String(a.noChangeNotifications), String(b.noChangeNotifications), 'target 0'],
  );
  return formatSideBySide(['', `${a.tables} tables (${a.namespaces} namespaces)`, `${b.tables} tables (${b.namespaces} namespaces)`, 'large / small'], rows);
}
