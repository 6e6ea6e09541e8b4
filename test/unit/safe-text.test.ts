// Remote text on its way out (src/telemetry/safe-text.ts): secrets scrubbed before anything is cut,
// control characters made visible, a bound on length — and the printers that use it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readableLine } from '../../src/telemetry/readable-lines.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { Redactor, REDACTED, scrubProcessSecrets } from '../../src/telemetry/redactor.js';
import { excerpt, neutraliseControls, truncateText } from '../../src/telemetry/safe-text.js';

/** Every character a terminal may act on: C0 (but \n and \t where kept), DEL, C1, line separators, bidi. */
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('neutraliseControls', () => {
  it('spells control characters as \\uXXXX, which is also a valid JSON escape', () => {
    expect(neutraliseControls('a\u001b[2Jb\u0007c\u009bd\u202ee')).toBe('a\\u001b[2Jb\\u0007c\\u009bd\\u202ee');
    const json = JSON.stringify({ m: 'x\u009by\u2028z' });
    expect(JSON.parse(neutraliseControls(json))).toEqual({ m: 'x\u009by\u2028z' });
  });

  it('keeps line breaks and tabs only when asked (output layout), never \\r', () => {
    expect(neutraliseControls('a\nb\tc\rd')).toBe('a\\u000ab\\u0009c\\u000dd');
    expect(neutraliseControls('a\nb\tc\rd', { keepLineBreaks: true })).toBe('a\nb\tc\\u000dd');
  });

  it('property: nothing a terminal acts on survives', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(DANGEROUS.test(neutraliseControls(text))).toBe(false);
        expect(/[\n\t]/.test(neutraliseControls(text))).toBe(false);
      }),
    );
  });
});

describe('truncateText', () => {
  it('keeps short text, cuts long text to the bound and says how much was cut', () => {
    expect(truncateText('short', 10)).toBe('short');
    const cut = truncateText('x'.repeat(5000), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/^x+… \[\d+ more characters\]$/);
    expect(Number(/\[(\d+) more/.exec(cut)![1]) + cut.indexOf('…')).toBe(5000);
  });

  it('never leaves half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 50, maxLength: 200 }), fc.integer({ min: 40, max: 100 }), (text, max) => {
        const cut = truncateText(text, max);
        expect(cut.length).toBeLessThanOrEqual(Math.max(max, text.length <= max ? text.length : max));
        expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(cut)).toBe(false);
      }),
    );
  });
});

describe('excerpt', () => {
  const secret = 'Zq8-secret-Wv41xY';
  new Redactor([secret]);

  it('property: a registered secret anywhere in the text, at any bound, leaves no piece of four characters or more', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.'), maxLength: 400 }), fc.integer({ min: 30, max: 500 }), (before, max) => {
        const out = excerpt(`${before}${secret}${before}`, max);
        expect(out.length).toBeLessThanOrEqual(max);
        for (let i = 0; i + 4 <= secret.length; i++) expect(out).not.toContain(secret.slice(i, i + 4));
      }),
      { numRuns: 300 },
    );
  });

  it('scrubs with secrets registered by any redactor of the process, e.g. a token issued later', () => {
    expect(scrubProcessSecrets('issued tok-0f9e8d7c6b')).toBe('issued tok-0f9e8d7c6b');
    new Redactor().add('tok-0f9e8d7c6b');
    expect(excerpt('issued tok-0f9e8d7c6b')).toBe(`issued ${REDACTED}`);
  });
});

describe('log lines carry no live control characters', () => {
  const hostile = 'Polaris said: \u001b]0;pwned\u0007\u001b[2J\r\u009b1A\u202eevil';

  it('JSON lines: C1 controls and bidi overrides are escaped too (JSON itself only escapes C0)', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', redactor: new Redactor(), destination: { write: (line) => void lines.push(line) }, readable: false });
    logger.warn({ detail: hostile }, hostile);
    expect(lines).toHaveLength(1);
    expect(DANGEROUS.test(lines[0]!)).toBe(false);
    expect(JSON.parse(lines[0]!).msg).toBe(hostile); // still valid JSON, same content for a log shipper
  });

  it('readable lines (a terminal): the message and every field are inert, only the level is coloured', () => {
    const json = JSON.stringify({ level: 40, time: '2026-01-01T04:12:33.000Z', msg: hostile, table: hostile, err: { message: hostile } });
    const line = readableLine(json, true);
    const withoutLevelColour = line.replace(/\u001b\[(33|0)m/g, '');
    expect(DANGEROUS.test(withoutLevelColour.trimEnd())).toBe(false);
    expect(line.trimEnd().split('\n')).toHaveLength(1);
  });
});
