import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SourceRuntime } from '../engine/mirror.js';
import type { Observation } from '../model/observation.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { messageOf } from '../util/errors.js';
import { bearerMatches } from './bearer.js';
import { readBody, sendError, sendJson } from './http-util.js';
import { RequestRateLimiter } from './request-rate-limiter.js';
import { SIGNATURE_HEADER, signatureProblem, TIMESTAMP_HEADER } from './signature.js';

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface IngestDeps {
  readonly sources: ReadonlyMap<string, SourceRuntime>;
  readonly maxBodyBytes: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** One rate limiter per source with a rate limit, kept by the server across requests. */
  readonly limiters: Map<string, RequestRateLimiter>;
}

/**
 * POST /v1/sources/{name}/{path} for every source with an ingest endpoint (the webhook source's
 * `events`, Hive hooks, ...). All-or-nothing: any invalid event → 400 naming each problem and nothing
 * stored; otherwise 202 only after the observations are committed to the ledger.
 */
export async function handleIngest(
  name: string,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
  deps: IngestDeps,
): Promise<void> {
  const source = deps.sources.get(name);
  const endpoint = source?.adapter.ingest;
  const reply = (status: number, send: () => void) => {
    deps.metrics.ingestRequests.inc({ source: source ? name : 'unknown', status: String(status) });
    send();
  };
  if (!source || !endpoint || endpoint.path !== path) {
    return reply(404, () => sendError(response, 404, `no source named "${name}" takes events at /v1/sources/${name}/${path}`));
  }
  if (endpoint.rateLimit) {
    let limiter = deps.limiters.get(name);
    if (!limiter) deps.limiters.set(name, (limiter = new RequestRateLimiter(endpoint.rateLimit.requestsPerSecond, endpoint.rateLimit.burst)));
    const waitSeconds = limiter.take();
    if (waitSeconds !== undefined) {
      response.setHeader('connection', 'close'); // the body is not read
      return reply(429, () =>
        sendError(response, 429, `source ${name} takes at most ${endpoint.rateLimit!.requestsPerSecond} requests/s; slow down`, undefined, {
          'retry-after': String(waitSeconds),
        }),
      );
    }
  }
  if (!bearerMatches(request.headers.authorization, endpoint.token)) {
    return reply(401, () =>
      sendError(response, 401, 'missing or wrong bearer token', undefined, { 'www-authenticate': 'Bearer realm="polaris-mirror"' }),
    );
  }
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return reply(415, () => sendError(response, 415, `content-type must be application/json, not "${contentType || 'none'}"`));
  }
  const body = await readBody(request, deps.maxBodyBytes);
  if (body === 'too-large') {
    // Close the connection: the rest of an oversized body is not worth reading.
    response.setHeader('connection', 'close');
    return reply(413, () => sendError(response, 413, `the body is larger than ${deps.maxBodyBytes} bytes; send fewer events per request`));
  }

  if (endpoint.signature) {
    const problem = signatureProblem(
      endpoint.signature,
      { signature: header(request, SIGNATURE_HEADER), timestamp: header(request, TIMESTAMP_HEADER) },
      body,
    );
    if (problem) return reply(401, () => sendError(response, 401, problem));
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return reply(400, () => sendError(response, 400, `the body is not valid JSON: ${messageOf(error)}`));
  }
  const result = endpoint.parse(parsed, Date.now());

  // Names Polaris cannot represent, far-future times and locations outside allowedLocations are bad
  // events too; tables outside the filters are accepted and ignored.
  const problems: Array<{ path: string; message: string }> = [...result.problems];
  const observations: Observation[] = [];
  let filtered = 0;
  for (const { path: at, observation } of result.items) {
    const refused = source.normalizer.admit(observation);
    if (refused?.reason === 'invalid-identifier') problems.push({ path: at, message: `Polaris cannot represent this table: ${refused.detail}` });
    else if (refused?.reason === 'filtered') filtered++;
    else if (refused) problems.push({ path: at, message: refused.detail ?? refused.reason });
    else observations.push(observation);
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
    return reply(400, () => sendError(response, 400, result.message ?? `${problems.length} problem(s) in the events; nothing was stored`, problems));
  }

  try {
    const stored = await source.sink.commit(observations);
    reply(202, () =>
      sendJson(response, 202, { accepted: result.accepted, stored: stored.accepted, unchanged: stored.unchanged, stale: stored.stale, filtered }),
    );
  } catch (error) {
    deps.logger.error({ err: error, source: name }, 'could not store ingested events');
    reply(503, () => sendError(response, 503, 'the events could not be stored; nothing was accepted, send them again', undefined, { 'retry-after': '1' }));
  }
}
