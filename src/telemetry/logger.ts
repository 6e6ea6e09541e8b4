import { pino, type Logger } from 'pino';
import type { Redactor } from './redactor.js';

export type { Logger };

export interface LoggerOptions {
  readonly level: string;
  readonly redactor: Redactor;
  /** Where lines go; stderr by default so stdout stays for command output (status --json, plan). */
  readonly destination?: NodeJS.WritableStream | { write(line: string): void };
}

/**
 * JSON lines by pino. Every serialized line passes through the redactor, so a secret cannot reach the
 * log whichever field or error message carries it; the structured redact paths catch headers and
 * credentials before serialization as a second line of defence.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = process.env.LOG_LEVEL ?? options.level;
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          '*.headers.authorization',
          'headers.authorization',
          'clientSecret',
          '*.clientSecret',
          'token',
          '*.token',
          'access_token',
          '*.access_token',
        ],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: (line) => options.redactor.scrub(line) },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
