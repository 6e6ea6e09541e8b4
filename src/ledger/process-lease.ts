import { hostname } from 'node:os';

/** Whether a lease holder is alive: a fresh heartbeat and, on this host, a running pid. */
export function leaseIsLive(holder: { pid: number; host: string; heartbeat_at: number }, now: number, staleMs: number): boolean {
  if (now - holder.heartbeat_at > staleMs) return false;
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
