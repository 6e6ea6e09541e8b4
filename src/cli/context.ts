import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { Metrics } from '../telemetry/metrics.js';
import { Redactor } from '../telemetry/redactor.js';
import { neutraliseControls } from '../telemetry/safe-text.js';
import type { Writable } from 'node:stream';

/** What every command starts from: the validated config, a redacting logger and the metrics. */
export interface CommandContext {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly redactor: Redactor;
  /** Writes command output to stdout with secrets scrubbed and control characters made visible. */
  readonly print: (text: string) => void;
  /**
   * The same, resolved once stdout takes more: for output written as it goes. Node writes to a pipe
   * asynchronously, so a command printing faster than the reader reads (`plan --json | jq`) would
   * otherwise hold the whole output in memory.
   */
  readonly printPaced: (text: string) => Promise<void>;
}

export function commandContext(configPath: string, options: { daemon?: boolean; level?: string } = {}): CommandContext {
  const loaded = loadConfig(configPath);
  const redactor = new Redactor(loaded.secrets);
  // One-shot commands print a summary that already lists failed tables: only errors are logged.
  const level = options.level ?? loaded.config.log.level ?? (options.daemon ? 'info' : 'error');
  const logger = createLogger({ level, redactor });
  const metrics = new Metrics({ processMetrics: options.daemon ?? false });
  // Remote messages reach the output (status, sync, check): no escape sequence in them may act on the terminal.
  const line = (text: string) => `${neutraliseControls(redactor.scrub(text), { keepLineBreaks: true })}\n`;
  const print = (text: string) => {
    process.stdout.write(line(text));
  };
  const printPaced = (text: string) => (process.stdout.write(line(text)) ? Promise.resolve() : drained(process.stdout));
  return { loaded, logger, metrics, redactor, print, printPaced };
}

/** Resolves when the stream drains; rejects when it fails or closes first (a reader gone: never a hang). */
export function drained(stream: Writable): Promise<void> {
  // Closed already (a write after the reader went away): no event will come.
  if (stream.destroyed || stream.writableFinished) return Promise.reject(new Error('stdout was closed before the output was written'));
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (error: Error) => done(error);
    const onClose = () => done(new Error('stdout was closed before the output was written'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
