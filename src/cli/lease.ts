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

/** Takes the sender lease and keeps it fresh; the returned function releases it. */
export function holdLease(ledger: Ledger, command: string): () => void {
  const holder = ledger.acquireLease(command);
  if (holder) throw new LeaseRefused(holder);
  const timer = setInterval(() => ledger.heartbeat(), 10_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    ledger.releaseLease();
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
