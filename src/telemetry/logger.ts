import { pino, type Logger } from 'pino';
import { readableLine } from './readable-lines.js';
import type { Redactor } from './redactor.js';
import { neutraliseControls } from './safe-text.js';
import { RepeatLimiter } from './repeat-limiter.js';

export type { Logger };

export interface LoggerOptions {
  readonly level: string;
  readonly redactor: Redactor;
  /** Where lines go; stderr by default so stdout stays for command output (status --json, plan). */
  readonly destination?: { write(line: string): void };
  /** Readable lines instead of JSON; default: when stderr is a terminal. */
  readonly readable?: boolean;
  /** Window of the repeated-message limiter (ms); 0 turns it off. */
  readonly repeatWindowMs?: number;
}

/** Levels at and above which identical messages are rate-limited (warn and up). */
const LIMITED_FROM_LEVEL = 40;

/**
 * JSON lines by pino (readable lines on a terminal). Every serialized line passes through the redactor,
 * so a secret cannot reach the log whichever field or error message carries it; the structured redact
 * paths catch headers, credentials and SQS receipt handles before serialization as a second line of
 * defence. Repeated identical warnings and errors are rate-limited with a count.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = process.env.LOG_LEVEL ?? options.level;
  const readable = options.readable ?? (!options.destination && process.stderr.isTTY === true);
  const sink = options.destination ?? { write: (line: string) => process.stderr.write(line) };
  const limiter = options.repeatWindowMs === 0 ? undefined : new RepeatLimiter(options.repeatWindowMs);
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
          'receiptHandle',
          '*.receiptHandle',
          'ReceiptHandle',
          '*.ReceiptHandle',
        ],
        censor: '[REDACTED]',
      },
      hooks: {
        // JSON escapes C0 controls but not C1 ones or bidi overrides: those are made visible here too.
        streamWrite: (line) => neutraliseControls(options.redactor.scrub(line), { keepLineBreaks: true }),
        logMethod(args, method, levelValue) {
          if (!limiter || levelValue < LIMITED_FROM_LEVEL) return method.apply(this, args);
          const message = args.find((arg): arg is string => typeof arg === 'string') ?? '';
          const suppressed = limiter.admit(`${levelValue}\u0000${message}`);
          if (suppressed === undefined) return;
          if (suppressed === 0) return method.apply(this, args);
          // Same message again after the window: log it once more, saying how many were held back.
          const [first, ...rest] = args as unknown[];
          const fields = typeof first === 'object' && first !== null ? { ...first, repeatedSinceLastLog: suppressed } : { repeatedSinceLastLog: suppressed };
          const tail = typeof first === 'object' && first !== null ? rest : args;
          return (method as (...a: unknown[]) => void).apply(this, [fields, ...tail]);
        },
      },
    },
    { write: (line: string) => sink.write(readable ? readableLine(line, options.destination === undefined) : line) },
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
