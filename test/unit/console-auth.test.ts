import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import { ConsoleAuth, CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_MS } from '../../src/server/console-auth.js';

const TOKEN = 'console-token-0123456789';

/** A Mirror stand-in with only what ConsoleAuth reads: the sources' ingest tokens. */
function mirrorWith(ingestTokens: string[]): Mirror {
  const sources = new Map(ingestTokens.map((token, i) => [`s${i}`, { adapter: { ingest: { token } } }]));
  return { sources } as unknown as Mirror;
}

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('ConsoleAuth', () => {
  it('off without a console token and without ingest tokens; ingest tokens open it when no console token is set', () => {
    expect(new ConsoleAuth(undefined, mirrorWith([])).check(request({ authorization: `Bearer ${TOKEN}` }), false)).toEqual({ ok: false, reason: 'disabled' });
    const byIngest = new ConsoleAuth(undefined, mirrorWith(['ingest-token-abcdef']));
    expect(byIngest.check(request({ authorization: 'Bearer ingest-token-abcdef' }), true).ok).toBe(true);
    // A console token, once set, is the only one.
    const byConsole = new ConsoleAuth(TOKEN, mirrorWith(['ingest-token-abcdef']));
    expect(byConsole.check(request({ authorization: 'Bearer ingest-token-abcdef' }), false)).toEqual({ ok: false, reason: 'wrong' });
    expect(byConsole.check(request({ authorization: `Bearer ${TOKEN}` }), true).ok).toBe(true);
  });

  it('a session reads with its cookie, acts only with its CSRF header too, and ends after its lifetime', () => {
    const auth = new ConsoleAuth(TOKEN, mirrorWith([]));
    const now = 1_000_000;
    const session = auth.openSession(now);
    expect(session.id).not.toContain(TOKEN);
    const cookie = `other=1; ${SESSION_COOKIE}=${session.id}`;
    expect(auth.check(request({ cookie }), false, now).ok).toBe(true);
    expect(auth.check(request({ cookie }), true, now)).toEqual({ ok: false, reason: 'missing' });
    expect(auth.check(request({ cookie, [CSRF_HEADER]: 'guess' }), true, now)).toEqual({ ok: false, reason: 'missing' });
    expect(auth.check(request({ cookie, [CSRF_HEADER]: session.csrf }), true, now).ok).toBe(true);
    expect(auth.check(request({ cookie }), false, now + SESSION_TTL_MS)).toEqual({ ok: false, reason: 'missing' });
    expect(auth.check(request({ cookie: `${SESSION_COOKIE}=made-up` }), false, now).ok).toBe(false);
  });

  it('logging out ends the session; sessions are bounded (the oldest goes first)', () => {
    const auth = new ConsoleAuth(TOKEN, mirrorWith([]));
    const first = auth.openSession(0);
    auth.closeSession(request({ cookie: `${SESSION_COOKIE}=${first.id}` }));
    expect(auth.check(request({ cookie: `${SESSION_COOKIE}=${first.id}` }), false, 0).ok).toBe(false);
    const oldest = auth.openSession(0);
    for (let i = 0; i < 1000; i++) auth.openSession(0);
    expect(auth.check(request({ cookie: `${SESSION_COOKIE}=${oldest.id}` }), false, 0).ok).toBe(false);
    expect(auth.tokenMatches(TOKEN)).toBe(true);
    expect(auth.tokenMatches(`${TOKEN}x`)).toBe(false);
  });
});
