import { setMaxListeners } from 'node:events';

/**
 * The signal to hand the SDK for a call under `signal`. The SDK puts two abort listeners on the signal
 * of every call in flight (and removes them when the call ends); on a signal shared by many concurrent
 * calls — the engine's, during concurrent reads — that trips Node's "possible memory leak" warning.
 * So each engine signal gets one relay of ours, linked by a single listener, with no listener limit.
 * Relays live as long as their engine signal (WeakMap), unlike AbortSignal.any(), whose dependent
 * signals stay referenced by a long-lived parent (Node 20) and would pile up in a daemon.
 */
const relays = new WeakMap<AbortSignal, AbortSignal>();

export function callSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (signal === undefined || signal.aborted) return signal;
  let relay = relays.get(signal);
  if (!relay) {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    relay = controller.signal;
    relays.set(signal, relay);
  }
  return relay;
}
