/**
 * A full garbage collection of an emulator's process, asked by a benchmark before it measures (the
 * process must run with --expose-gc). At 1,000,000 tables an emulator's heap holds the whole catalog,
 * and a collection of it that fell inside a latency phase delayed every event of that second: the
 * emulator's pause, which a real Glue or Polaris does not share with the connector's machine. Collecting
 * before the phase starts it from a tidy heap, as a JVM benchmark does between its iterations.
 * Undefined when the process cannot collect on demand (run without --expose-gc, as in the tests).
 */
export function collectGarbage(): { ms: number } | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return undefined;
  const started = performance.now();
  gc();
  return { ms: performance.now() - started };
}
