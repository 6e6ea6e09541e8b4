import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Mirror } from '../engine/mirror.js';
import { bearerMatches } from './bearer.js';

/** Console sessions held at once; the oldest goes first beyond this. */
const MAX_SESSIONS = 1000;
/** A console session lasts this long after its login. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'polaris_mirror_console';
/** The header that carries a session's CSRF token on every console action (POST). */
export const CSRF_HEADER = 'x-console-csrf';

export interface ConsoleSession {
  readonly id: string;
  /** Sent in a custom header by the console's script: a cross-site form cannot set it, so the cookie alone never acts. */
  readonly csrf: string;
  readonly expiresAt: number;
}

export type Verdict = { readonly ok: true; readonly session?: ConsoleSession } | { readonly ok: false; readonly reason: 'disabled' | 'missing' | 'wrong' };

/**
 * Who may read the console and act through the control API: a caller with `server.console.token` (or,
 * when none is set, the token of any ingest endpoint) as a bearer token, or a console session opened
 * with it. The token itself never leaves the login request: the browser holds an HttpOnly session
 * cookie, and every action also needs the session's CSRF token in a header.
 */
export class ConsoleAuth {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly configured: string | undefined,
    private readonly mirror: Mirror,
  ) {}

  /** The tokens that open the console now (ingest tokens are read live: sources own them). */
  private tokens(): string[] {
    if (this.configured !== undefined) return [this.configured];
    return [...this.mirror.sources.values()].flatMap((s) => (s.adapter.ingest ? [s.adapter.ingest.token] : []));
  }

  get enabled(): boolean {
    return this.tokens().length > 0;
  }

  tokenMatches(token: string): boolean {
    return this.tokens().some((expected) => bearerMatches(`Bearer ${token}`, expected));
  }

  /**
   * Reading: a bearer token or a live session cookie. Acting (`action`): a bearer token, or a session
   * cookie together with its CSRF header.
   */
  check(request: IncomingMessage, action: boolean, now = Date.now()): Verdict {
    if (!this.enabled) return { ok: false, reason: 'disabled' };
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      return this.tokens().some((expected) => bearerMatches(authorization, expected)) ? { ok: true } : { ok: false, reason: 'wrong' };
    }
    const session = this.sessionOf(request, now);
    if (!session) return { ok: false, reason: 'missing' };
    if (action && request.headers[CSRF_HEADER] !== session.csrf) return { ok: false, reason: 'missing' };
    return { ok: true, session };
  }

  openSession(now = Date.now()): ConsoleSession {
    this.expire(now);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), expiresAt: now + SESSION_TTL_MS };
    this.sessions.set(session.id, session);
    return session;
  }

  closeSession(request: IncomingMessage): void {
    const id = cookieOf(request, SESSION_COOKIE);
    if (id !== undefined) this.sessions.delete(id);
  }

  private sessionOf(request: IncomingMessage, now: number): ConsoleSession | undefined {
    const id = cookieOf(request, SESSION_COOKIE);
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session || session.expiresAt <= now) return undefined;
    return session;
  }

  private expire(now: number): void {
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
