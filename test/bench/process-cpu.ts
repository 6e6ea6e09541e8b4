import { readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux; undefined elsewhere). On a
 * shared machine wall time grows with other load while CPU time per unit of work barely moves, so a
 * benchmark reports both.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) — utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux the project runs on (getconf CLK_TCK). */
function ticksPerSecond(): number {
  return 100;
}
