import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { UsageError, type Mirror } from '../engine/mirror.js';
import { TooManyRefreshes, type RefreshRegistry } from '../engine/refresh-registry.js';
import type { RefreshScope } from '../engine/refresh-scope.js';
import type { AuthFailureLimiter } from './auth-failures.js';
import type { ConsoleAuth } from './console-auth.js';
import { readBody, sendError, sendJson } from './http-util.js';

/** A control request is a few names: anything larger is not one. */
const MAX_CONTROL_BODY = 16 * 1024;
const REFRESH_PATH = /^\/v1\/refresh\/([A-Za-z0-9-]{1,64})$/;

const name = z.string().min(1).max(1024);
const refreshBody = z.strictObject({
  source: name,
  /** Levels joined by "." ("sales.eu"), or the levels as a list when a level holds a dot. */
  namespace: z.union([name, z.array(name).min(1).max(16)]).optional(),
  table: name.optional(),
});
const retryBody = z.strictObject({ source: name, table: name.optional() });

export interface ControlDeps {
  readonly mirror: Mirror;
  readonly auth: ConsoleAuth;
  readonly authFailures: AuthFailureLimiter;
  readonly refreshes: RefreshRegistry;
}

/**
 * The control API: POST /v1/refresh, GET /v1/refresh/{id}, POST /v1/retry. Callers authenticate with
 * the console token (Authorization: Bearer), or are the console itself (session cookie + CSRF header).
 * Returns false when the path is not one of these.
 */
export async function handleControl(path: string, request: IncomingMessage, response: ServerResponse, deps: ControlDeps): Promise<boolean> {
  const status = REFRESH_PATH.exec(path);
  if (path !== '/v1/refresh' && path !== '/v1/retry' && !status) return false;
  const action = !status;
  if (action && request.method !== 'POST') return (sendError(response, 405, 'use POST', undefined, { allow: 'POST' }), true);
  if (!action && request.method !== 'GET') return (sendError(response, 405, 'use GET', undefined, { allow: 'GET' }), true);
  if (!authorized(request, response, deps, action)) return true;

  if (status) {
    const report = await deps.refreshes.get(status[1]!);
    if (!report) sendError(response, 404, `no refresh ${status[1]} (the daemon keeps the last ones since it started)`);
    else sendJson(response, 200, report);
    return true;
  }
  const body = await readJson(request, response);
  if (body === undefined) return true;
  if (path === '/v1/retry') return (await retry(body, response, deps), true);
  const parsed = refreshBody.safeParse(body);
  if (!parsed.success) return (badBody(response, parsed.error, '{"source": "lake", "namespace": "sales.eu", "table": "orders"} (namespace and table optional)'), true);
  const { source, namespace, table } = parsed.data;
  const scope: RefreshScope = { source, namespace: typeof namespace === 'string' ? namespace.split('.') : namespace, table };
  try {
    const refresh = deps.refreshes.start(scope);
    sendJson(response, 202, { id: refresh.id, state: (await refresh.report()).state, status: `/v1/refresh/${refresh.id}` }, { location: `/v1/refresh/${refresh.id}` });
  } catch (error) {
    if (error instanceof UsageError) sendError(response, 400, error.message);
    else if (error instanceof TooManyRefreshes) sendError(response, 429, `${error.message}; ${error.hint}`, undefined, { 'retry-after': '5' });
    else throw error;
  }
  return true;
}

/** POST /v1/retry {source, table?}: failed tables (of the source, or the one named) are due now. */
async function retry(body: unknown, response: ServerResponse, deps: ControlDeps): Promise<void> {
  const parsed = retryBody.safeParse(body);
  if (!parsed.success) return badBody(response, parsed.error, '{"source": "lake", "table": "sales.orders"} (table optional: all failed tables of the source)');
  const { source, table } = parsed.data;
  if (!deps.mirror.sources.has(source)) return sendError(response, 400, `unknown source "${source}"; configured: ${[...deps.mirror.sources.keys()].join(', ')}`);
  const ids = await deps.mirror.ledger.redrive({ source, table, allFailed: table === undefined });
  deps.mirror.wakeDispatchers();
  sendJson(response, 200, { retried: ids.length });
}

function authorized(request: IncomingMessage, response: ServerResponse, deps: ControlDeps, action: boolean): boolean {
  const verdict = deps.auth.check(request, action);
  if (verdict.ok) return true;
  if (verdict.reason === 'disabled') {
    sendError(response, 403, 'the control API is off: set server.console.token in the configuration (or give a source an ingest token)');
    return false;
  }
  const waitSeconds = deps.authFailures.failed();
  if (waitSeconds !== undefined) {
    sendError(response, 429, `too many failed authentications; wait ${waitSeconds} s`, undefined, { 'retry-after': String(waitSeconds) });
  } else {
    sendError(response, 401, 'send the console token: Authorization: Bearer <server.console.token>', undefined, { 'www-authenticate': 'Bearer realm="polaris-mirror"' });
  }
  return false;
}

async function readJson(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    sendError(response, 415, 'send the body as JSON (Content-Type: application/json)');
    return undefined;
  }
  const body = await readBody(request, MAX_CONTROL_BODY);
  if (body === 'too-large') {
    sendError(response, 413, `the body is larger than ${MAX_CONTROL_BODY} bytes`);
    return undefined;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    sendError(response, 400, 'the body is not valid JSON');
    return undefined;
  }
}

function badBody(response: ServerResponse, error: z.ZodError, example: string): void {
  const details = error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
  sendError(response, 400, `the body must be ${example}`, details);
}
