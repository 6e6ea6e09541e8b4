import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
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
export function createAgent(options: { connections: number; caFile?: string }): Agent {
  return new Agent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    connect: options.caFile ? { ca: readFileSync(options.caFile) } : undefined,
  });
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

export async function httpRequest(
  dispatcher: Dispatcher,
  url: string,
  init: { method: 'GET' | 'POST' | 'HEAD'; headers: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpResponse> {
  try {
    // undici's own timeouts (no timer or AbortSignal per request): no headers, or a body stalled, this long.
    const response = await request(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      dispatcher,
      signal: init.signal,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: parseBody(text, response.headers['content-type']) };
  } catch (error) {
    if (init.signal?.aborted) throw error;
    const raw = (error as { code?: string }).code;
    const code = raw === 'UND_ERR_HEADERS_TIMEOUT' || raw === 'UND_ERR_BODY_TIMEOUT' ? 'TIMEOUT' : (raw ?? 'NETWORK');
    const what = code === 'TIMEOUT' ? `no answer within ${init.timeoutMs} ms` : (error as Error).message;
    throw new NetworkError(code, `${init.method} ${new URL(url).pathname} failed: ${what} (${code})`, error);
  }
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
