import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import type { Mirror } from '../engine/mirror.js';
import { MirrorError } from '../util/errors.js';

/** A control-API answer body is a report of at most a thousand tables: far below this. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

/**
 * Talks to the running daemon's control API (src/server/control-api.ts) with the console token, at the
 * address of `server` in the same configuration. Over HTTPS, the server's own certificate is trusted
 * besides the usual roots (a self-signed certificate is its own authority).
 */
export class DaemonClient {
  private readonly base: string;
  private readonly agent: Agent;
  private readonly token: string;

  constructor(mirror: Mirror) {
    const server = mirror.config.server;
    if (!server) throw new MirrorError('a daemon (`run`) holds the ledger, but this configuration has no `server`, so it cannot be asked to refresh', { retryable: false, hint: 'add server: { host, port } and console.token to the configuration and restart the daemon, or stop it and refresh without it' });
    const token = server.console?.token ?? [...mirror.sources.values()].find((s) => s.adapter.ingest)?.adapter.ingest?.token;
    if (!token) throw new MirrorError('the daemon is asked through its control API, which needs a console token', { retryable: false, hint: 'set server.console.token in the configuration (the daemon must run with the same one)' });
    const host = server.host === '0.0.0.0' ? '127.0.0.1' : server.host === '::' ? '::1' : server.host;
    this.base = `${server.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    this.token = token;
    this.agent = new Agent({ connect: server.tls ? { ca: [...rootCertificates, readFileSync(server.tls.certFile, 'utf8')] } : undefined });
  }

  get address(): string {
    return this.base;
  }

  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let response;
    try {
      response = await request(`${this.base}${path}`, {
        method,
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
    } catch (error) {
      throw new MirrorError(`the daemon does not answer at ${this.base}: ${(error as Error).message}`, { retryable: true, hint: 'check that `run` is up and server.host/port in this configuration are the ones it listens on', cause: error });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        response.body.destroy();
        throw new MirrorError(`the daemon's answer is larger than ${MAX_ANSWER_BYTES} bytes`, { retryable: false });
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the error message
    }
    return { status: response.statusCode, body: parsed };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
