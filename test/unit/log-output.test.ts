// Log output for people: readable lines on a terminal, repeated identical errors rate-limited with a
// count, secrets (including SQS receipt handles) never shown.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logger.js';
import { readableLine } from '../../src/telemetry/readable-lines.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { RepeatLimiter } from '../../src/telemetry/repeat-limiter.js';

function capture(options: { readable?: boolean; repeatWindowMs?: number } = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', redactor: new Redactor(['s3cr3t-value']), destination: { write: (l) => lines.push(l) }, ...options });
  return { logger, lines };
}

describe('RepeatLimiter', () => {
  it('admits the first, counts repeats within the window, and reports them with the next one after it', () => {
    let now = 0;
    const limiter = new RepeatLimiter(1_000, () => now);
    expect(limiter.admit('a')).toBe(0);
    now = 10;
    expect(limiter.admit('a')).toBeUndefined();
    expect(limiter.admit('a')).toBeUndefined();
    expect(limiter.admit('b')).toBe(0);
    now = 1_000;
    expect(limiter.admit('a')).toBe(2);
    now = 1_500;
    expect(limiter.admit('a')).toBeUndefined();
  });
});

describe('createLogger', () => {
  it('rate-limits identical warnings and errors, but never info lines or different messages', () => {
    const { logger, lines } = capture({ repeatWindowMs: 60_000 });
    for (let i = 0; i < 5; i++) logger.error({ table: 't' }, 'Polaris is unreachable');
    logger.error('another problem');
    for (let i = 0; i < 3; i++) logger.info('progress');
    const messages = lines.map((l) => JSON.parse(l).msg);
    expect(messages).toEqual(['Polaris is unreachable', 'another problem', 'progress', 'progress', 'progress']);
  });

  it('says how many identical messages were held back once the window has passed', async () => {
    // The three must fall in one window even on a busy machine, hence a whole second.
    const { logger, lines } = capture({ repeatWindowMs: 1000 });
    logger.warn({ source: 'lake' }, 'listing failed');
    logger.warn({ source: 'lake' }, 'listing failed');
    logger.warn({ source: 'lake' }, 'listing failed');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    logger.warn({ source: 'lake' }, 'listing failed');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ msg: 'listing failed', source: 'lake' }),
      expect.objectContaining({ msg: 'listing failed', source: 'lake', repeatedSinceLastLog: 2 }),
    ]);
  });

  it('redacts SQS receipt handles and registered secrets in readable lines too', () => {
    const { logger, lines } = capture({ readable: true });
    logger.warn({ receiptHandle: 'AQEB-handle', message: { ReceiptHandle: 'AQEB-other' }, detail: 'with s3cr3t-value inside' }, 'cannot parse');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN  cannot parse {2}/);
    expect(lines[0]).not.toMatch(/AQEB|s3cr3t-value/);
    expect(lines[0]).toContain('receiptHandle=[REDACTED]');
  });
});

describe('readableLine', () => {
  it('shows time, level, message and the other fields; errors by their message', () => {
    const line = readableLine(
      JSON.stringify({ level: 50, time: '2026-11-25T04:12:33.123Z', pid: 1, msg: 'failed x', table: 'a.b', err: { message: 'boom happened', stack: '…' } }),
      false,
    );
    expect(line).toBe('04:12:33 ERROR failed x  table=a.b err="boom happened"\n');
    expect(readableLine('not json', false)).toBe('not json');
  });
});
