// HTTP front of the emulator: reads the request, applies realm check and faults, routes to the
// handlers (catalog API under /api/catalog/v1, management API under /api/management/v1) and writes
// the answer. Paths are split on '/' BEFORE percent-decoding so names holding
// '/', '%', spaces or unicode (encoded by the client with encodeURIComponent) survive intact.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Auth } from './auth.js';
import { errorBody, PolarisError } from './errors.js';
import type { Faults } from './faults.js';
import type { Holds } from './holds.js';
import type { MetadataFiles } from './metadata-files.js';
import { managementRoute } from './management.js';
import { handleNotification, type Reply } from './notifications.js';
import type { OpenApiValidator } from './openapi-validator.js';
import { dropNamespace, getConfig, listNamespaces, listTables, loadTable } from './read-routes.js';
import type { RequestRateLimiter } from './ratelimit.js';
import type { Sleeper } from './sleeper.js';
import type { Storage } from './storage.js';
import type { EmulatorState } from './state.js';
import type { FaultOptions, RequestKind } from './types.js';

export interface ServerDeps {
  realm: string;
  state: EmulatorState;
  auth: Auth;
  files: MetadataFiles;
  /** The object store behind `files`: a benchmark's other process writes metadata files into it. */
  storage: Storage;
  validator: OpenApiValidator | null;
  faults: Faults;
  sleeper: Sleeper;
  /** Requests a test holds before they are handled (see holds.ts). */
  holds: Holds;
  /** 'external': tokens come from an identity provider, the token endpoint answers 501 with no body. */
  authentication: 'internal' | 'external';
  /** Polaris's LIST_PAGINATION_ENABLED (list-pages.ts). */
  listPagination: boolean;
  rateLimiter: RequestRateLimiter | null;
}

const BASE = ['', 'api', 'catalog', 'v1'];
const MANAGEMENT_BASE = ['', 'api', 'management', 'v1'];
const MAX_BODY = 16 * 1024 * 1024;

interface Route {
  kind: RequestKind | 'other';
  run: (delay: () => Promise<void>) => Reply | Promise<Reply>;
}

export function createEmulatorServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handle(deps, req, res, body))
      .catch(() => req.socket.destroy()); // aborted upload or write to a dead socket

  });
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, body: Buffer | null): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));

  // Out-of-band control for out-of-process use (benchmarks run the emulator via cli.ts).
  if (pathname.startsWith('/_emulator/')) return control(deps, req, res, pathname, body);

  let route: Route;
  try {
    if (body === null) throw new PolarisError(413, 'BadRequestException', 'Request body too large');
    route = routeOf(deps, req, pathname, query, body);
  } catch (e) {
    return send(deps, req, res, 'other', toReply(e));
  }

  const realm = req.headers['polaris-realm'];
  if (realm !== undefined && realm !== deps.realm) {
    // Polaris's realm filter: an unknown realm is a 404 before authentication.
    return send(deps, req, res, route.kind, { status: 404, body: errorBody(404, 'MissingOrInvalidRealm', 'Missing or invalid realm') });
  }

  const kind = route.kind;
  // Awaited only when held: an await on every request would change the order in which the emulator
  // handles concurrent requests (its per-table lock and arrival history depend on it).
  const held = deps.holds.pass(kind);
  if (held) await held;
  if (deps.rateLimiter && kind !== 'other') {
    try {
      deps.rateLimiter.take();
    } catch (e) {
      return send(deps, req, res, kind, toReply(e));
    }
  }
  const latency = kind === 'other' ? 0 : deps.faults.latencyFor(kind);
  let waited: Promise<void> | undefined;
  const delay = (): Promise<void> => (waited ??= deps.sleeper.sleep(latency));

  const fault = kind === 'other' ? { kind: 'none' as const } : deps.faults.decide(kind);
  if (fault.kind === 'reset') {
    deps.state.countRequest(kind, 'reset');
    req.socket.destroy();
    return;
  }
  if (fault.kind === 'reply') {
    await delay();
    return send(deps, req, res, kind, { status: fault.status, body: fault.body, headers: fault.headers });
  }

  let reply: Reply;
  try {
    reply = await route.run(delay);
  } catch (e) {
    reply = toReply(e);
  }
  await delay();
  if (fault.kind === 'slow') await deps.sleeper.sleep(fault.ms);
  send(deps, req, res, kind, reply);
}

function routeOf(deps: ServerDeps, req: IncomingMessage, pathname: string, query: URLSearchParams, body: Buffer): Route {
  const raw = pathname.split('/');
  const method = req.method ?? 'GET';
  const auth = req.headers.authorization;
  if (raw.length > MANAGEMENT_BASE.length && MANAGEMENT_BASE.every((s, i) => raw[i] === s)) {
    // Management API (management.ts): no faults or latency, like the token endpoint by default.
    const segments = raw.slice(MANAGEMENT_BASE.length).map(decodeSegment);
    const run = managementRoute(deps, { method, segments, query, authorization: auth, contentType: req.headers['content-type'], body });
    if (!run) throw notFound();
    return { kind: 'other', run };
  }
  if (raw.length < BASE.length || BASE.some((s, i) => raw[i] !== s)) throw notFound();
  const seg = raw.slice(BASE.length).map(decodeSegment);
  const n = seg.length;

  if (n === 2 && seg[0] === 'oauth' && seg[1] === 'tokens') {
    return {
      kind: 'token',
      run: () => {
        allow(method, ['POST']);
        // DisabledOAuth2ApiService (polaris.authentication.type=external): the endpoint exists, empty 501.
        if (deps.authentication === 'external') return { status: 501 };
        requireContentType(req, 'application/x-www-form-urlencoded');
        const r = deps.auth.tokenRequest(new URLSearchParams(body.toString('utf8')), auth);
        if (r.status === 200) deps.state.countTokenIssued();
        return { status: r.status, body: r.body, headers: { 'cache-control': 'no-store' } };
      },
    };
  }
  if (n === 1 && seg[0] === 'config') {
    return { kind: 'config', run: () => (allow(method, ['GET']), getConfig(deps, auth, query)) };
  }
  if (n >= 2 && seg[1] === 'namespaces') {
    const catalog = seg[0] as string;
    if (n === 2) {
      const parent = query.get('parent');
      return {
        kind: 'list',
        run: () => (allow(method, ['GET']), listNamespaces(deps, auth, catalog, parent === null ? undefined : parseNamespace(parent), query)),
      };
    }
    const namespace = parseNamespace(seg[2] as string);
    if (n === 3 && method === 'DELETE') {
      // dropNamespace (other methods on a namespace are not emulated: 404 below).
      return { kind: 'other', run: () => dropNamespace(deps, auth, catalog, namespace) };
    }
    if (n === 4 && seg[3] === 'tables') {
      return { kind: 'list', run: () => (allow(method, ['GET']), listTables(deps, auth, catalog, namespace, query)) };
    }
    if (n === 5 && seg[3] === 'tables') {
      const table = seg[4] as string;
      return {
        kind: 'loadTable',
        run: () => (allow(method, ['GET', 'HEAD']), loadTable(deps, auth, catalog, namespace, table, method === 'HEAD')),
      };
    }
    if (n === 6 && seg[3] === 'tables' && seg[5] === 'notifications') {
      const table = seg[4] as string;
      return {
        kind: 'notification',
        run: (delay) => {
          allow(method, ['POST']);
          requireContentType(req, 'application/json');
          return handleNotification(deps, { catalog, namespace, table, authorization: auth, body: body.toString('utf8'), requestId: requestIdOf(req), delay });
        },
      };
    }
  }
  throw notFound();
}

function control(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, pathname: string, body: Buffer | null): void {
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };
  if (pathname === '/_emulator/stats' && req.method === 'GET') return json(200, deps.state.stats());
  if (pathname === '/_emulator/faults' && req.method === 'PUT') {
    try {
      deps.faults.set(JSON.parse(body?.toString('utf8') ?? '{}') as FaultOptions);
      return void res.writeHead(204).end();
    } catch (e) {
      return json(400, errorBody(400, 'BadRequestException', (e as Error).message));
    }
  }
  // A driver in another process (the Glue benchmark) writes the lake's metadata files and reads the
  // arrival times (the `at` of each answered notification, taken in this process).
  if (pathname === '/_emulator/objects' && req.method === 'POST') {
    const objects = JSON.parse(body?.toString('utf8') ?? '{}') as Record<string, string>;
    for (const [uri, content] of Object.entries(objects)) deps.storage.putObject(uri, content);
    return void res.writeHead(204).end();
  }
  // A benchmark's catalog, put in place at once (what a restore of Polaris's database would hold): table
  // `${prefix}${i}` for i < count in the namespace, each at `${location}/${prefix}${i}.metadata.json`.
  if (pathname === '/_emulator/tables' && req.method === 'POST') {
    const seed = JSON.parse(body?.toString('utf8') ?? '{}') as { catalog: string; namespace: string[]; prefix: string; count: number; location: string };
    deps.state.seedTables(seed.catalog, seed.namespace, seed.count, (i) => ({ name: `${seed.prefix}${i}`, metadataLocation: `${seed.location}/${seed.prefix}${i}.metadata.json` }));
    return void res.writeHead(204).end();
  }
  if (pathname === '/_emulator/history' && req.method === 'POST') {
    const query = JSON.parse(body?.toString('utf8') ?? '{}') as { catalog: string; tables: Array<{ namespace: string[]; name: string }> };
    return json(200, query.tables.map((t) => deps.state.history(query.catalog, t.namespace, t.name)));
  }
  json(404, errorBody(404, 'NotFoundException', `Unknown control path ${pathname}`));
}

/** Polaris's request-id filter: the client's X-Request-ID (its default header name since 1.2), if any. */
function requestIdOf(req: IncomingMessage): string | undefined {
  const value = req.headers['x-request-id'];
  return typeof value === 'string' ? value : undefined;
}

function send(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, kind: RequestKind | 'other', reply: Reply): void {
  deps.state.countRequest(kind, reply.status);
  const requestId = requestIdOf(req);
  deps.state.logRequest({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, kind, status: reply.status, requestId });
  if (res.destroyed || res.writableEnded) return; // client gave up (timeout) or server closing
  // Polaris echoes the request id in its answer, as it logs it.
  const headers: Record<string, string | number> = { ...reply.headers, ...(requestId === undefined ? {} : { 'x-request-id': requestId }) };
  let payload: string | undefined;
  if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  res.writeHead(reply.status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

function toReply(e: unknown): Reply {
  if (e instanceof PolarisError) {
    return { status: e.status, body: errorBody(e.status, e.type, e.message), headers: e.headers };
  }
  // A bug in the emulator: answer like a server error, but make it visible.
  console.error('polaris emulator: unexpected error', e);
  return { status: 500, body: errorBody(500, 'RuntimeException', String((e as Error)?.message ?? e)) };
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new PolarisError(400, 'BadRequestException', `Invalid percent-encoding in path segment: ${s}`);
  }
}

/** Namespace path parameter: levels joined by U+001F (already percent-decoded). */
function parseNamespace(decoded: string): string[] {
  const levels = decoded.split('\u001f');
  if (levels.some((l) => l === '')) throw new PolarisError(400, 'BadRequestException', `Invalid namespace: ${JSON.stringify(decoded)}`);
  return levels;
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    throw new PolarisError(405, 'NotAllowedException', `Method ${method} not allowed`, { allow: methods.join(', ') });
  }
}

function requireContentType(req: IncomingMessage, expected: string): void {
  const ct = req.headers['content-type'];
  // Absent is tolerated; a different media type is what JAX-RS answers 415 to.
  if (ct !== undefined && !ct.toLowerCase().startsWith(expected)) {
    throw new PolarisError(415, 'NotSupportedException', `Unsupported media type ${ct}; expected ${expected}`);
  }
}

function notFound(): PolarisError {
  return new PolarisError(404, 'NotFoundException', 'Unable to find matching route');
}
