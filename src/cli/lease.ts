import type { Ledger, LeaseHolder } from '../ledger/ledger.js';

/** Only one process may send for a ledger: "one operation in flight per table" holds across processes too. */
export class LeaseRefused extends Error {
  constructor(readonly holder: LeaseHolder) {
    super(
      `another polaris-mirror (${holder.command}, pid ${holder.pid} on ${holder.host}) is sending for this ledger; ` +
        'stop it first, or let it do the work (it re-drives failed tables marked by `retry`)',
    );
    this.name = 'LeaseRefused';
  }
}

/**
 * Takes the sender lease and keeps it fresh; the returned function releases it. A heartbeat that cannot
 * be written (a full disk) must not end the process: the ledger's write health records it for /readyz,
 * onHeartbeatError logs it, and the next heartbeat tries again.
 */
export async function holdLease(ledger: Ledger, command: string, onHeartbeatError?: (error: unknown) => void): Promise<() => Promise<void>> {
  const holder = await ledger.acquireLease(command);
  if (holder) throw new LeaseRefused(holder);
  const timer = setInterval(() => {
    ledger.heartbeat().catch((error: unknown) => onHeartbeatError?.(error));
  }, 10_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    try {
      await ledger.releaseLease();
    } catch (error) {
      // The lease lapses by itself (its heartbeat stops); failing to clear it must not hide why we stop.
      onHeartbeatError?.(error);
    }
  };
}

/** An AbortController that fires on SIGINT/SIGTERM; the returned function removes the handlers. */
export function abortOnSignals(onSignal?: (signal: NodeJS.Signals) => void): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    onSignal?.(signal);
    controller.abort(new Error(`received ${signal}`));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
