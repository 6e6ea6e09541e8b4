// HTTP front of the REST emulator: splits the path (before percent-decoding, so names holding '/' or
// '%' survive), finds the operation, applies injected faults, then authentication, then the handler,
// and answers in the spec's shapes. Counts every answer for stats() and keeps a request log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { RestAuth } from './auth.js';
import type { CatalogState } from './catalog.js';
import { errorBody, RestError } from './errors.js';
import type { Faults, RequestFacts } from './faults.js';
import { pageRequest } from './paging.js';
import { getConfig, headTable, listNamespaces, listTables, loadTable, type Reply, type RouteSettings } from './routes.js';
import type { RequestRecord, RestEmulatorStats, RestOperation } from './types.js';

export interface ServerDeps {
  basePath: string;
  settings: RouteSettings;
  catalog: CatalogState;
  auth: RestAuth;
  faults: Faults;
  latencyMs: number;
  stats: RestEmulatorStats;
  log: RequestRecord[];
  logSize: number;
  resetStats: () => void;
}

interface Route extends RequestFacts {
  methods: string[];
  run: () => Reply;
}

export function createRestServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(deps, req, res, Buffer.concat(chunks).toString('utf8')).catch(() => req.socket.destroy()));
    req.on('error', () => req.socket.destroy());
  });
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const method = req.method ?? 'GET';
  // Out-of-band control for out-of-process use (benchmarks run the emulator via cli.ts).
  if (pathname.startsWith('/_emulator/')) return control(deps, method, pathname, res);
  let route: Route | undefined;
  let reply: Reply;
  try {
    route = routeOf(deps, req, pathname, query, body);
    if (!route.methods.includes(method)) throw new RestError(405, 'MethodNotAllowedException', `Method ${method} not allowed`, { allow: route.methods.join(', ') });
    const fault = deps.faults.decide(route);
    if (fault.kind === 'reset') {
      record(deps, req, route.operation, pathname, query, 0);
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'error') throw fault.error;
    if (fault.kind === 'reply') reply = fault;
    else {
      if (route.operation !== 'token' && route.operation !== 'other') deps.auth.authenticate(req.headers.authorization);
      reply = route.run();
    }
  } catch (error) {
    reply = toReply(error);
  }
  if (deps.latencyMs > 0) await delay(deps.latencyMs);
  record(deps, req, route?.operation ?? 'other', pathname, query, reply.status);
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  res.writeHead(reply.status, headers);
  res.end(method === 'HEAD' ? undefined : payload);
}

function routeOf(deps: ServerDeps, req: IncomingMessage, pathname: string, query: URLSearchParams, body: string): Route {
  const raw = pathname.split('/');
  const base = `${deps.basePath.replace(/\/+$/, '')}/v1`.split('/');
  if (raw.length < base.length || base.some((s, i) => raw[i] !== s)) throw notFound();
  let seg = raw.slice(base.length).map(decodeSegment);
  const { catalog, settings } = deps;

  if (seg.length === 1 && seg[0] === 'config') return { operation: 'config', methods: ['GET'], run: () => getConfig(settings, query) };
  if (seg.length === 2 && seg[0] === 'oauth' && seg[1] === 'tokens') {
    return {
      operation: 'token',
      methods: ['POST'],
      run: () => deps.auth.tokenRequest(new URLSearchParams(body), req.headers.authorization),
    };
  }
  if (settings.prefix !== null) {
    const prefix = settings.prefix.split('/');
    if (seg.length < prefix.length || prefix.some((p, i) => seg[i] !== p)) throw notFound();
    seg = seg.slice(prefix.length);
  }
  if (seg.length === 1 && seg[0] === 'events' && settings.advertiseEvents) {
    return { operation: 'events', methods: ['POST'], run: () => { throw new RestError(406, 'UnsupportedOperationException', 'The emulator only advertises events'); } };
  }
  if (seg[0] !== 'namespaces') throw notFound();
  if (seg.length === 1) {
    const parent = query.get('parent');
    return {
      operation: 'listNamespaces',
      namespace: parent ? parent.split('\u001f') : [],
      page: pageNumber(query, settings.paging),
      methods: ['GET'],
      run: () => listNamespaces(catalog, settings, query),
    };
  }
  const namespace = parseNamespace(seg[1]!);
  if (seg.length === 3 && seg[2] === 'tables') {
    return { operation: 'listTables', namespace, page: pageNumber(query, settings.paging), methods: ['GET'], run: () => listTables(catalog, settings, namespace, query) };
  }
  if (seg.length === 4 && seg[2] === 'tables') {
    const table = seg[3]!;
    const head = req.method === 'HEAD';
    const ifNoneMatch = req.headers['if-none-match'];
    return {
      operation: head ? 'headTable' : 'loadTable',
      namespace,
      table,
      methods: ['GET', 'HEAD'],
      run: () => (head ? headTable(catalog, namespace, table) : loadTable(catalog, settings, namespace, table, query, ifNoneMatch)),
    };
  }
  throw notFound();
}

function control(deps: ServerDeps, method: string, pathname: string, res: ServerResponse): void {
  if (pathname === '/_emulator/stats' && method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...deps.stats, tokensIssued: deps.auth.issuedCount }));
    return;
  }
  if (pathname === '/_emulator/reset-stats' && method === 'POST') {
    deps.resetStats();
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(404, 'NotFoundException', `Unknown control path ${pathname}`)));
}

function record(deps: ServerDeps, req: IncomingMessage, operation: RestOperation, path: string, query: URLSearchParams, status: number): void {
  deps.stats.requests++;
  const byStatus = (deps.stats.byOperation[operation] ??= {});
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  const ifNoneMatch = req.headers['if-none-match'];
  const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
  deps.log.push({ method: req.method ?? 'GET', operation, path, query: Object.fromEntries(query), status, at: Date.now(), headers, ...(ifNoneMatch ? { ifNoneMatch } : {}) });
  if (deps.log.length > deps.logSize) deps.log.splice(0, deps.log.length - deps.logSize);
}

/** The page asked for, for fault targeting; an invalid token is answered 400 by the handler. */
function pageNumber(query: URLSearchParams, paging: boolean): number | undefined {
  try {
    return pageRequest(query, paging).number;
  } catch {
    return undefined;
  }
}

function toReply(error: unknown): Reply {
  if (error instanceof RestError) return { status: error.status, body: errorBody(error.status, error.type, error.message), headers: error.headers };
  console.error('rest emulator: unexpected error', error);
  return { status: 500, body: errorBody(500, 'InternalServerError', String((error as Error)?.message ?? error)) };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RestError(400, 'BadRequestException', `Invalid percent-encoding in path segment: ${s}`);
  }
}

function parseNamespace(decoded: string): string[] {
  const levels = decoded.split('\u001f');
  if (levels.some((l) => l === '')) throw new RestError(400, 'BadRequestException', `Invalid namespace: ${JSON.stringify(decoded)}`);
  return levels;
}

function notFound(): RestError {
  return new RestError(404, 'NotFoundException', 'Unable to find matching route');
}
