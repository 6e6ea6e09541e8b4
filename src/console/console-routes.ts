import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Mirror } from '../engine/mirror.js';
import type { RefreshRegistry } from '../engine/refresh-registry.js';
import type { AuthFailureLimiter } from '../server/auth-failures.js';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_MS, type ConsoleAuth } from '../server/console-auth.js';
import { readBody } from '../server/http-util.js';
import type { Metrics } from '../telemetry/metrics.js';
import { packageRoot } from '../util/package-info.js';
import { overview, tableDetail, type ProblemFilter } from './console-data.js';
import type { Html } from './html.js';
import { disabledPage, loginPage, overviewPage, tablePage } from './pages.js';

export interface ConsoleDeps {
  readonly mirror: Mirror;
  readonly metrics: Metrics;
  readonly auth: ConsoleAuth;
  readonly authFailures: AuthFailureLimiter;
  readonly refreshes: RefreshRegistry;
  readonly tls: boolean;
}

/** The login form posts a token and nothing else. */
const MAX_LOGIN_BODY = 4096;

/**
 * Pages may load only this server's script and style sheet, and be framed by no one: an escaped
 * value that still slipped through could not run a script.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** The shipped front end (ui/ in the package): plain files, no build step, nothing from a CDN. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/ui/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/ui/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};
const assetCache = new Map<string, Buffer>();

/**
 * The web console under /ui/: server-rendered pages over the ledger and the daemon's counters, plus
 * the script that sends actions to the control API. Returns false for paths outside /ui.
 */
export async function handleConsole(path: string, request: IncomingMessage, response: ServerResponse, deps: ConsoleDeps): Promise<boolean> {
  if (path !== '/ui' && !path.startsWith('/ui/')) return false;
  const method = request.method ?? 'GET';
  const asset = ASSETS[path];
  if (asset) return (sendAsset(response, asset), true);
  if (path === '/ui') return (redirect(response, '/ui/'), true);
  if (!deps.auth.enabled) return (sendPage(response, 403, disabledPage(), deps), true);

  if (path === '/ui/login') {
    if (method === 'GET') return (sendPage(response, 200, loginPage(), deps), true);
    if (method !== 'POST') return (sendPlain(response, 405, 'use GET or POST'), true);
    await login(request, response, deps);
    return true;
  }
  if (path === '/ui/logout') {
    if (method !== 'POST') return (sendPlain(response, 405, 'use POST'), true);
    const verdict = deps.auth.check(request, true);
    if (!verdict.ok) return (sendPlain(response, 403, `log out from the console (the ${CSRF_HEADER} header is missing)`), true);
    deps.auth.closeSession(request);
    response.writeHead(204, { 'set-cookie': cookie('', 0, deps.tls), ...SECURITY_HEADERS });
    response.end();
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') return (sendPlain(response, 405, 'use GET'), true);
  const verdict = deps.auth.check(request, false);
  // A page is read with the session cookie; anything else (no session, an expired one) logs in first.
  if (!verdict.ok || !verdict.session) return (redirect(response, '/ui/login'), true);
  const { csrf } = verdict.session;
  const params = new URL(request.url ?? '/', 'http://console').searchParams;

  if (path === '/ui/') {
    const filter = problemFilter(params, deps.mirror);
    return (sendPage(response, 200, overviewPage(await overview(deps.mirror, deps.metrics, deps.refreshes, filter), filter, csrf), deps), true);
  }
  if (path === '/ui/table') {
    const id = Number(params.get('id'));
    const detail = Number.isSafeInteger(id) ? await tableDetail(deps.mirror, id) : undefined;
    if (!detail) return (sendPlain(response, 404, 'no such table in the ledger'), true);
    return (sendPage(response, 200, tablePage(detail, csrf), deps), true);
  }
  sendPlain(response, 404, `no console page at ${path}`);
  return true;
}

async function login(request: IncomingMessage, response: ServerResponse, deps: ConsoleDeps): Promise<void> {
  const body = await readBody(request, MAX_LOGIN_BODY);
  const token = body === 'too-large' ? '' : (new URLSearchParams(body.toString('utf8')).get('token') ?? '');
  if (token !== '' && deps.auth.tokenMatches(token)) {
    const session = deps.auth.openSession();
    response.writeHead(303, { location: '/ui/', 'set-cookie': cookie(session.id, SESSION_TTL_MS / 1000, deps.tls), ...SECURITY_HEADERS });
    response.end();
    return;
  }
  const waitSeconds = deps.authFailures.failed();
  if (waitSeconds !== undefined) return sendPage(response, 429, loginPage(`Too many failed logins; wait ${waitSeconds} s.`), deps);
  sendPage(response, 401, loginPage('That is not the console token.'), deps);
}

function problemFilter(params: URLSearchParams, mirror: Mirror): ProblemFilter {
  const source = params.get('source') ?? '';
  const status = params.get('status');
  const search = (params.get('q') ?? '').slice(0, 200).trim();
  return {
    source: mirror.sources.has(source) ? source : undefined,
    status: status === 'failed' || status === 'retrying' ? status : undefined,
    search: search === '' ? undefined : search,
  };
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over HTTPS. */
function cookie(value: string, maxAgeSeconds: number, tls: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeSeconds)}${tls ? '; Secure' : ''}`;
}

function sendPage(response: ServerResponse, status: number, page: Html, deps: ConsoleDeps): void {
  // Texts shown went through the redactor when stored; the page is scrubbed once more as a whole.
  const text = deps.mirror.deps.redactor.scrub(page.text);
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text), ...SECURITY_HEADERS });
  response.end(text);
}

function sendPlain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...SECURITY_HEADERS });
  response.end(text);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, ...SECURITY_HEADERS });
  response.end();
}

function sendAsset(response: ServerResponse, asset: { file: string; type: string }): void {
  let content = assetCache.get(asset.file);
  if (!content) assetCache.set(asset.file, (content = readFileSync(join(packageRoot(), 'ui', asset.file))));
  response.writeHead(200, { 'content-type': asset.type, 'content-length': content.length, ...SECURITY_HEADERS, 'cache-control': 'no-cache' });
  response.end(content);
}
