// Secrets never leave the process: the redactor on any text, and the pino logger whatever field, error
// or nesting carries them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/logger.js';
import { REDACTED, Redactor } from '../../src/telemetry/redactor.js';

const SECRET = 'Sup3r-s3cret/value+with=chars';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.payload.sig';

describe('Redactor', () => {
  it('replaces a registered secret wherever it appears', () => {
    const r = new Redactor([SECRET]);
    expect(r.scrub(`x ${SECRET} y ${SECRET}`)).toBe(`x ${REDACTED} y ${REDACTED}`);
    expect(r.scrub('nothing here')).toBe('nothing here');
  });

  it('replaces the JSON-escaped form', () => {
    const secret = 'with"quote\\and\\backslash';
    const r = new Redactor([secret]);
    const line = JSON.stringify({ msg: `failed with ${secret}` });
    expect(line).not.toContain(secret);
    expect(r.scrub(line)).toBe(`{"msg":"failed with ${REDACTED}"}`);
  });

  it('replaces the URL-encoded form', () => {
    const r = new Redactor([SECRET]);
    expect(r.scrub(`GET /cb?x=${encodeURIComponent(SECRET)}&y=1`)).toBe(`GET /cb?x=${REDACTED}&y=1`);
  });

  it('replaces the longest secret first when one contains another', () => {
    const r = new Redactor(['abcd', 'abcdefgh']);
    expect(r.scrub('abcdefgh abcd')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('ignores values shorter than four characters and duplicates', () => {
    const r = new Redactor(['abc', '', undefined as unknown as string]);
    r.add('abc');
    expect(r.scrub('abc abcabc')).toBe('abc abcabc');
  });

  it('secrets added later (issued tokens) are redacted too', () => {
    const r = new Redactor();
    expect(r.scrub('tok-123456')).toBe('tok-123456');
    r.add('tok-123456');
    expect(r.scrub('using tok-123456')).toBe(`using ${REDACTED}`);
  });

  it('masks Bearer and Basic credentials even when not registered', () => {
    const r = new Redactor();
    expect(r.scrub(`authorization: Bearer ${TOKEN}`)).toBe(`authorization: Bearer ${REDACTED}`);
    expect(r.scrub('Authorization: Basic bWlycm9yOnNlY3JldA==')).toBe(`Authorization: Basic ${REDACTED}`);
    expect(r.scrub(`"bearer ${TOKEN}"`)).toBe(`"bearer ${REDACTED}"`);
  });

  it('masks client_secret=… and token=… form fields', () => {
    const r = new Redactor();
    expect(r.scrub('grant_type=client_credentials&client_id=me&client_secret=p%40ss&scope=PRINCIPAL_ROLE%3AALL')).toBe(
      `grant_type=client_credentials&client_id=me&client_secret=${REDACTED}&scope=PRINCIPAL_ROLE%3AALL`,
    );
    expect(r.scrub('refresh_token=abc123 next')).toBe(`refresh_token=${REDACTED} next`);
    expect(r.scrub('access_token=xyz&a=b')).toBe(`access_token=${REDACTED}&a=b`);
  });

  it('masks "access_token":"…" and friends in JSON', () => {
    const r = new Redactor();
    const body = JSON.stringify({ access_token: 'tkn-1', token_type: 'bearer', expires_in: 3600 });
    expect(r.scrub(body)).toBe(`{"access_token":"${REDACTED}","token_type":"bearer","expires_in":3600}`);
    expect(r.scrub('{"clientSecret" : "abc", "client_secret":"def", "refresh_token":"ghi"}')).toBe(
      `{"clientSecret" : "${REDACTED}", "client_secret":"${REDACTED}", "refresh_token":"${REDACTED}"}`,
    );
  });

  it('property: a registered secret never survives, in plain, JSON or URL form', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 24, unit: 'grapheme' }),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        (secret, before, after) => {
          fc.pre(!REDACTED.includes(secret));
          const r = new Redactor([secret]);
          const plain = `${before}${secret}${after}`;
          expect(r.scrub(plain)).not.toContain(secret);
          expect(r.scrub(JSON.stringify({ m: plain }))).not.toContain(JSON.stringify(secret).slice(1, -1));
          expect(r.scrub(`?q=${encodeURIComponent(plain)}`)).not.toContain(encodeURIComponent(secret));
        },
      ),
      { numRuns: 200 },
    );
  });
});

function capture(secrets: string[] = [SECRET, TOKEN]): { lines: string[]; logger: ReturnType<typeof createLogger>; redactor: Redactor } {
  const lines: string[] = [];
  const redactor = new Redactor(secrets);
  const logger = createLogger({ level: 'info', redactor, destination: { write: (line: string) => void lines.push(line) } });
  return { lines, logger, redactor };
}

describe('the logger', () => {
  it('writes JSON lines at the level given, with msg and pid', () => {
    const { lines, logger } = capture();
    logger.debug('hidden');
    logger.info({ table: 'lake.db.t' }, 'hello');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 30, msg: 'hello', table: 'lake.db.t', pid: process.pid });
    expect(typeof parsed.time).toBe('string');
  });

  it('an Error whose message carries the secret', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error(`token request failed: client_id=me secret ${SECRET}`) }, 'boom');
    logger.error(new Error(`plain ${TOKEN}`));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(TOKEN);
      expect(line).toContain(REDACTED);
    }
    expect((JSON.parse(lines[0]!) as { err: { message: string } }).err.message).toBe(`token request failed: client_id=me secret ${REDACTED}`);
  });

  it('an error cause carrying the secret', () => {
    const { lines, logger } = capture();
    logger.warn({ err: new Error('outer', { cause: new Error(`inner ${SECRET}`) }) }, 'x');
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('headers.authorization, with an unregistered token too', () => {
    const { lines, logger } = capture();
    logger.info({ headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, 'request');
    logger.info({ request: { headers: { authorization: 'Bearer never-registered-1234' } } }, 'nested request');
    const first = JSON.parse(lines[0]!) as { headers: Record<string, string> };
    expect(first.headers.authorization).toBe('[REDACTED]');
    expect(first.headers['content-type']).toBe('application/json');
    expect(lines[1]).not.toContain('never-registered-1234');
  });

  it('a nested clientSecret and a top-level token', () => {
    const { lines, logger } = capture();
    logger.info({ config: { polaris: { auth: { clientId: 'me', clientSecret: SECRET } } }, token: TOKEN }, 'config');
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain(TOKEN);
    expect((JSON.parse(lines[0]!) as { config: { polaris: { auth: { clientId: string } } } }).config.polaris.auth.clientId).toBe('me');
  });

  it('a secret in the message, in an arbitrary field, in an array, and a token issued later', () => {
    const { lines, logger, redactor } = capture();
    logger.info({ detail: [`x${SECRET}y`], other: { deep: { deeper: SECRET } } }, `msg with ${SECRET}`);
    redactor.add('late-token-abcdef');
    logger.info({ note: 'late-token-abcdef' }, 'after issue');
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain('late-token-abcdef');
  });

  it('a secret with characters JSON escapes', () => {
    const tricky = 'pa"ss\\word\n2';
    const { lines, logger } = capture([tricky]);
    logger.info({ value: tricky }, 'tricky');
    logger.error(new Error(`bad ${tricky}`));
    const all = lines.join('');
    expect(all).not.toContain(JSON.stringify(tricky).slice(1, -1));
    expect(JSON.parse(lines[0]!).value).toBe(REDACTED);
  });

  it('child loggers are redacted too', () => {
    const { lines, logger } = capture();
    logger.child({ source: 'wh' }).info({ token: TOKEN, note: SECRET }, 'child');
    expect(lines[0]).not.toContain(TOKEN);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0]!).source).toBe('wh');
  });

  it('property: no parsed value of any line contains a registered secret, whatever the secret', () => {
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value !== null && typeof value === 'object'
          ? Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)])
          : [];
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 16, unit: 'binary' }),
        fc.constantFrom('msg', 'field', 'error', 'nested', 'array'),
        (secret, where) => {
          fc.pre(!REDACTED.includes(secret) && !'[REDACTED]'.includes(secret));
          const { lines, logger } = capture([secret]);
          if (where === 'msg') logger.info(`a ${secret} b`);
          if (where === 'field') logger.info({ f: `<${secret}>` }, 'm');
          if (where === 'error') logger.error(new Error(`e ${secret}`));
          if (where === 'nested') logger.info({ a: { b: { c: secret } } }, 'm');
          if (where === 'array') logger.info({ list: ['x', secret] }, 'm');
          expect(lines).toHaveLength(1);
          for (const s of strings(JSON.parse(lines[0]!))) expect(s.includes(secret)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
