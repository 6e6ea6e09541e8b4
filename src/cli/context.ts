import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { Metrics } from '../telemetry/metrics.js';
import { Redactor } from '../telemetry/redactor.js';
import { neutraliseControls } from '../telemetry/safe-text.js';

/** What every command starts from: the validated config, a redacting logger and the metrics. */
export interface CommandContext {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly redactor: Redactor;
  /** Writes command output to stdout with secrets scrubbed and control characters made visible. */
  readonly print: (text: string) => void;
}

export function commandContext(configPath: string, options: { daemon?: boolean; level?: string } = {}): CommandContext {
  const loaded = loadConfig(configPath);
  const redactor = new Redactor(loaded.secrets);
  // One-shot commands print a summary that already lists failed tables: only errors are logged.
  const level = options.level ?? loaded.config.log.level ?? (options.daemon ? 'info' : 'error');
  const logger = createLogger({ level, redactor });
  const metrics = new Metrics({ processMetrics: options.daemon ?? false });
  // Remote messages reach the output (status, sync, check): no escape sequence in them may act on the terminal.
  const print = (text: string) => process.stdout.write(`${neutraliseControls(redactor.scrub(text), { keepLineBreaks: true })}\n`);
  return { loaded, logger, metrics, redactor, print };
}
