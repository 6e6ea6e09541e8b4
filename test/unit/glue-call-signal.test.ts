// The signal handed to the AWS SDK: one relay per engine signal, so concurrent calls neither add
// listeners to the engine's signal nor pile up dependent signals in a long-running daemon.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { callSignal } from '../../adapters/glue/call-signal.js';

describe('callSignal', () => {
  it('one relay per signal, linked by a single listener, aborting with the same reason', () => {
    const parent = new AbortController();
    const relays = new Set(Array.from({ length: 50 }, () => callSignal(parent.signal)));
    expect(relays.size).toBe(1);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    const relay = [...relays][0]!;
    expect(relay).not.toBe(parent.signal);
    expect(relay.aborted).toBe(false);
    parent.abort(new Error('shutting down'));
    expect(relay.aborted).toBe(true);
    expect((relay.reason as Error).message).toBe('shutting down');
  });

  it('many listeners on the relay raise no leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const relay = callSignal(new AbortController().signal)!;
      for (let i = 0; i < 40; i++) relay.addEventListener('abort', () => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('no signal, or one already aborted, is passed through', () => {
    expect(callSignal(undefined)).toBeUndefined();
    const aborted = AbortSignal.abort();
    expect(callSignal(aborted)).toBe(aborted);
  });
});
