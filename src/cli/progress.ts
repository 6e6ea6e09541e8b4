/**
 * Progress for long one-shot runs, on stderr so stdout keeps the summary: a line rewritten in place on a
 * terminal; on a pipe or in CI, a plain line every few seconds.
 */
export interface ProgressState {
  readonly listed: number;
  readonly sent: number;
  readonly failed: number;
  readonly pending: number;
}

export function startProgress(read: () => ProgressState, options: { intervalMs?: number; stream?: NodeJS.WriteStream } = {}): () => void {
  const stream = options.stream ?? process.stderr;
  const started = Date.now();
  const tty = stream.isTTY === true;
  const render = () => {
    const s = read();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = s.sent / seconds;
    const eta = rate > 0 && s.pending > 0 ? ` · ETA ${Math.ceil(s.pending / rate)} s` : '';
    return `listed ${s.listed} · sent ${s.sent} · failed ${s.failed} · pending ${s.pending} · ${rate.toFixed(0)}/s${eta}`;
  };
  const bar = () => {
    const s = read();
    const total = s.sent + s.failed + s.pending;
    const filled = total === 0 ? 0 : Math.round(((s.sent + s.failed) / total) * 20);
    return `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] `;
  };
  const timer = setInterval(
    () => {
      if (tty) stream.write(`\r\x1b[2K${bar()}${render()}`);
      else stream.write(`progress: ${render()}\n`);
    },
    tty ? 250 : (options.intervalMs ?? 5_000),
  );
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) stream.write('\r\x1b[2K');
  };
}
