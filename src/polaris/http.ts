import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import { OriginPools } from './origin-pools.js';
import { MirrorError } from '../util/errors.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  readonly body: unknown;
}

/**
 * One keep-alive connection pool per Polaris, sized to the configured concurrency, with the custom CA
 * when one is set. Requests never retry inside undici: retries are the engine's decision.
 */
export function createAgent(options: { connections: number; caFile?: string }): OriginPools {
  return new OriginPools({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    connect: options.caFile ? { ca: readFileSync(options.caFile) } : undefined,
  });
}

/**
 * The largest answer each kind of call reads; anything larger is refused while it streams in, so a
 * broken or hostile server cannot make the connector buffer a body without end (a 450 MiB loadTable
 * took 1.5 GB). Table loads carry whole Iceberg metadata; everything else is small JSON.
 */
export const RESPONSE_LIMITS = {
  /** OAuth2 token answers. */
  token: 64 * 1024,
  /** Notifications, errors, /v1/config: the default. */
  small: 1024 * 1024,
  /** One page of an Iceberg REST listing. */
  listingPage: 16 * 1024 * 1024,
  /** loadTable: the table's metadata, inline. */
  table: 64 * 1024 * 1024,
} as const;

/** The answer's body exceeded the limit of its kind of call: a server bug or an attack, not a hiccup. */
export class ResponseTooLargeError extends MirrorError {
  constructor(
    readonly limit: number,
    message: string,
  ) {
    super(message, { retryable: false, hint: 'the server answered far more than this call can return; check that the URL points at the right service' });
    this.name = 'ResponseTooLargeError';
  }
}

/** Thrown when no HTTP answer arrived (refused, reset, timed out): always worth retrying. */
export class NetworkError extends MirrorError {
  constructor(
    readonly code: string,
    message: string,
    cause: unknown,
  ) {
    super(message, { retryable: true, hint: 'check that Polaris is up and reachable from this host', cause });
    this.name = 'NetworkError';
  }
}

export interface HttpRequestInit {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** The whole exchange — connect, headers and the complete body — must end within this. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The largest body read (see RESPONSE_LIMITS); default RESPONSE_LIMITS.small. */
  readonly maxBodyBytes?: number;
}

/**
 * One HTTP exchange with a deadline on the whole of it: undici's own timeouts only bound the wait for
 * headers and each gap between body chunks, so a body trickled one byte a second never timed out.
 *
 * It runs once per notification, so it keeps its bookkeeping to one promise, one timer and one
 * listener: whichever comes first — the answer, the deadline, the caller's abort — settles it. undici
 * is told to give up through a plain EventEmitter (which its request API takes as well as an
 * AbortSignal): an AbortController per request cost about a sixth of the client's CPU per exchange.
 */
export function httpRequest(dispatcher: Dispatcher, url: string, init: HttpRequestInit): Promise<HttpResponse> {
  const limit = init.maxBodyBytes ?? RESPONSE_LIMITS.small;
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    // Configured URLs are checked at load, so this is a bug, not a hiccup: no retry would mend it.
    return Promise.reject(new MirrorError(`${init.method} ${url}: not a URL`, { retryable: false, hint: 'check the configured URI', cause: error }));
  }
  const where = () => `${init.method} ${target.pathname}`;
  const giveUp = new EventEmitter();
  let timedOut = false;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', cancel);
      return true;
    };
    const fail = (error: unknown) => {
      if (settle()) reject(networkError(error, init, timedOut, where));
    };
    // undici only rejects an aborted request once a connection took it: a request left queued in a
    // pool that was closed (undici's Agent closed an origin's pool when its socket count reached zero,
    // see origin-pools.ts) never settles. The deadline settles it anyway.
    const timer = setTimeout(() => {
      timedOut = true;
      giveUp.emit('abort');
      fail(abortError());
    }, init.timeoutMs);
    const cancel = () => {
      giveUp.emit('abort');
      fail(abortError());
    };
    if (init.signal?.aborted) return cancel();
    init.signal?.addEventListener('abort', cancel, { once: true });
    exchange(dispatcher, target, init, giveUp, limit, where).then((response) => {
      if (settle()) resolve(response);
    }, fail);
  });
}

/** What an abandoned exchange rejects with before networkError names it: an AbortError, as fetch's. */
function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

async function exchange(dispatcher: Dispatcher, target: URL, init: HttpRequestInit, giveUp: EventEmitter, limit: number, where: () => string): Promise<HttpResponse> {
  // The dispatcher's own request (origin and path), not undici's top-level request(url), which parses
  // the URL again and costs about a fifth more per exchange.
  const response = await dispatcher.request({
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: giveUp,
    headersTimeout: init.timeoutMs,
    bodyTimeout: init.timeoutMs,
  });
  const text = await readBodyText(response.body, limit, response.headers['content-length'], where);
  return { status: response.statusCode, headers: response.headers, body: parseBody(text, response.headers['content-type']) };
}

/** What a failed exchange is thrown as: the caller's abort and a refused body as they are, anything else a NetworkError. */
function networkError(error: unknown, init: HttpRequestInit, timedOut: boolean, where: () => string): unknown {
  if (init.signal?.aborted || error instanceof ResponseTooLargeError) return error;
  const raw = (error as { code?: string }).code;
  const timeout = timedOut || raw === 'UND_ERR_HEADERS_TIMEOUT' || raw === 'UND_ERR_BODY_TIMEOUT';
  const code = timeout ? 'TIMEOUT' : (raw ?? 'NETWORK');
  const what = timeout ? `no complete answer within ${init.timeoutMs} ms` : (error as Error).message;
  return new NetworkError(code, `${where()} failed: ${what} (${code})`, error);
}

/** The body as text, refused (and the connection dropped) as soon as it exceeds limit bytes. */
async function readBodyText(body: Dispatcher.ResponseData['body'], limit: number, declared: string | string[] | undefined, where: () => string): Promise<string> {
  const tooLarge = () => new ResponseTooLargeError(limit, `${where()}: the answer is larger than ${limit} bytes, the limit for this call`);
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  if (Number.isFinite(length) && length > limit) {
    body.destroy();
    throw tooLarge();
  }
  // Events rather than `for await`: the stream's async iterator costs more than the answer of a notification.
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    body.once('error', reject);
    body.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    // Destroyed without an error (no 'end' then): after 'end' this rejects a settled promise, a no-op.
    body.once('close', () => reject(new Error('the answer ended before its body did')));
  });
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text === '') return undefined;
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (type?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
