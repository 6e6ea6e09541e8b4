import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../config/schema.js';
import type { Mirror } from '../engine/mirror.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { messageOf } from '../util/errors.js';
import { RefreshRegistry } from '../engine/refresh-registry.js';
import { AuthFailureLimiter } from './auth-failures.js';
import { ConsoleAuth } from './console-auth.js';
import { handleControl } from './control-api.js';
import { handleConsole } from '../console/console-routes.js';
import { bearerMatches } from './bearer.js';
import { readiness, type ReadinessView } from './health.js';
import { sendError, sendJson, sendText } from './http-util.js';
import { handleIngest } from './ingest.js';
import { RequestRateLimiter } from './request-rate-limiter.js';

const INGEST_PATH = /^\/v1\/sources\/([^/]+)\/([^/]+)$/;

/**
 * The connector's HTTP server: webhook ingest, /healthz, /readyz, /metrics and the control API
 * (/v1/refresh, /v1/retry). Plain node:http: a handful of routes do not need a framework, and the
 * ingest path stays allocation-light.
 */
export class MirrorServer {
  private readonly server: Server;
  private readonly limiters = new Map<string, RequestRateLimiter>();
  private readonly authFailures = new AuthFailureLimiter();
  private readonly consoleAuth: ConsoleAuth;
  /** Ends the refreshes still running when the server closes. */
  private readonly stopping = new AbortController();
  readonly refreshes: RefreshRegistry;

  constructor(
    private readonly config: ServerConfig,
    private readonly mirror: Mirror,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.consoleAuth = new ConsoleAuth(config.console?.token, mirror);
    this.refreshes = new RefreshRegistry(mirror, logger, this.stopping.signal);
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      this.route(request, response).catch((error: unknown) => {
        this.logger.error({ err: error, url: request.url }, 'request failed');
        if (!response.headersSent) sendError(response, 500, `internal error: ${messageOf(error)}`);
        else response.destroy();
      });
    };
    this.server = config.tls
      ? createTlsServer({ keepAliveTimeout: 30_000, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, handler)
      : createServer({ keepAliveTimeout: 30_000 }, handler);
  }

  async listen(): Promise<{ host: string; port: number; scheme: 'http' | 'https' }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port, scheme: this.config.tls ? 'https' : 'http' };
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0]!;
    const control = { mirror: this.mirror, auth: this.consoleAuth, authFailures: this.authFailures, refreshes: this.refreshes };
    if (await handleControl(path, request, response, control)) return;
    if (await handleConsole(path, request, response, { ...control, metrics: this.metrics, tls: this.config.tls !== undefined })) return;
    const ingest = INGEST_PATH.exec(path);
    if (ingest) {
      if (request.method !== 'POST') return sendError(response, 405, 'use POST', undefined, { allow: 'POST' });
      let name: string;
      let endpoint: string;
      try {
        name = decodeURIComponent(ingest[1]!);
        endpoint = decodeURIComponent(ingest[2]!);
      } catch {
        return sendError(response, 404, 'no such source');
      }
      return handleIngest(name, endpoint, request, response, {
        sources: this.mirror.sources,
        maxBodyBytes: this.config.maxBodyBytes,
        maxEventsPerRequest: this.config.maxEventsPerRequest,
        metrics: this.metrics,
        logger: this.logger,
        limiters: this.limiters,
        authFailures: this.authFailures,
      });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendError(response, 405, 'use GET', undefined, { allow: 'GET' });
    switch (path) {
      case '/healthz':
        return sendJson(response, 200, { status: 'ok', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) });
      case '/readyz': {
        const view = this.readinessView(request);
        if (view === 'refused') return this.refuseCredentials(response);
        const result = await readiness(this.mirror, Date.now(), view);
        return sendJson(response, result.ready ? 200 : 503, { status: result.ready ? 'ready' : 'not ready', checks: result.checks });
      }
      case '/metrics':
        await this.refreshGauges();
        return sendText(response, 200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
      default:
        return sendError(response, 404, `no route for ${path}`);
    }
  }

  /**
   * /readyz tells anyone which checks fail; the error texts behind them (Polaris's, the sources', the
   * disk's) only to a caller with the credentials of the ingest: the bearer token of any source's
   * endpoint. A wrong token is a failed authentication like on the ingest (401, or 429 when many).
   */
  private readinessView(request: IncomingMessage): ReadinessView | 'refused' {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return 'summary';
    for (const source of this.mirror.sources.values()) {
      if (source.adapter.ingest && bearerMatches(authorization, source.adapter.ingest.token)) return 'detail';
    }
    return 'refused';
  }

  private refuseCredentials(response: ServerResponse): void {
    const waitSeconds = this.authFailures.failed();
    if (waitSeconds !== undefined) {
      return sendError(response, 429, `too many failed authentications; wait ${waitSeconds} s`, undefined, { 'retry-after': String(waitSeconds) });
    }
    return sendError(response, 401, 'wrong bearer token: /readyz shows error details with the token of an ingest endpoint, and a summary without one', undefined, {
      'www-authenticate': 'Bearer realm="polaris-mirror"',
    });
  }

  /** Gauges read from the ledger at scrape time, so they are right even after a restart. */
  private async refreshGauges(): Promise<void> {
    try {
      await this.readGauges();
    } catch (error) {
      // An unreachable ledger must not cost the scrape: the other metrics still tell what happens.
      this.logger.warn({ err: error }, `metrics: the ledger cannot be read: ${messageOf(error)}`);
    }
  }

  private async readGauges(): Promise<void> {
    const all = await this.mirror.tableCounts.read();
    this.metrics.tables.reset();
    for (const counts of all) {
      this.metrics.tables.set({ source: counts.source, status: 'in_sync' }, counts.inSync);
      this.metrics.tables.set({ source: counts.source, status: 'pending' }, counts.pending);
      this.metrics.tables.set({ source: counts.source, status: 'failed' }, counts.failed);
    }
    this.metrics.backlog.set(all.reduce((sum, counts) => sum + counts.due, 0));
    for (const [name, source] of this.mirror.sources) {
      const state = await this.mirror.ledger.sourceState(name);
      if (!state?.passComplete || !state.passEndedAt) continue;
      const age = (Date.now() - state.passEndedAt) / 1000;
      this.metrics.lastPassAge.set({ source: name }, age);
      // Sources with change capture report their own lag; for scans and polls it is the pass age.
      if (!source.adapter.watch) this.metrics.sourceLag.set({ source: name }, age);
    }
  }
}
