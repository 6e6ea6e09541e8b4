import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SourceRuntime } from '../engine/mirror.js';
import type { Observation } from '../model/observation.js';
import type { IngestEndpoint } from '../model/source-adapter.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { messageOf } from '../util/errors.js';
import { WorkSlicer } from '../util/work-slicer.js';
import type { AuthFailureLimiter } from './auth-failures.js';
import { bearerMatches } from './bearer.js';
import { boundedDetails, readBody, sendError, sendJson } from './http-util.js';
import { RequestRateLimiter } from './request-rate-limiter.js';
import { SIGNATURE_HEADER, signatureProblem, TIMESTAMP_HEADER } from './signature.js';

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface IngestDeps {
  readonly sources: ReadonlyMap<string, SourceRuntime>;
  readonly maxBodyBytes: number;
  readonly maxEventsPerRequest: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** One rate limiter per source with a rate limit, kept by the server across requests. */
  readonly limiters: Map<string, RequestRateLimiter>;
  /** Failed authentications, limited on their own (src/server/auth-failures.ts). */
  readonly authFailures: AuthFailureLimiter;
}

/** Observations checked against the source's filters and identifier rules between two yields. */
const CHECKS_PER_SLICE = 200;

/**
 * POST /v1/sources/{name}/{path} for every source with an ingest endpoint (the webhook source's
 * `events`, Hive hooks, ...). All-or-nothing: any invalid event → 400 naming the problems and nothing
 * stored; otherwise 202 only after the observations are committed to the ledger.
 *
 * Order matters: credentials first (token, then the body signature), and only an authenticated request
 * counts against the source's rate limit — anonymous ones are limited apart (AuthFailureLimiter). Then
 * every bound before any work: body bytes, events per body; the parsing yields to the event loop.
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
  const refuseCredentials = (problem: string) => {
    const waitSeconds = deps.authFailures.failed();
    response.setHeader('connection', 'close'); // the body, if any, is not read
    if (waitSeconds !== undefined) {
      return reply(429, () =>
        sendError(response, 429, `too many failed authentications; wait ${waitSeconds} s (${problem})`, undefined, { 'retry-after': String(waitSeconds) }),
      );
    }
    return reply(401, () => sendError(response, 401, problem, undefined, { 'www-authenticate': 'Bearer realm="polaris-mirror"' }));
  };
  if (!bearerMatches(request.headers.authorization, endpoint.token)) return refuseCredentials('missing or wrong bearer token');

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
    if (problem) return refuseCredentials(problem);
  }
  const waitSeconds = rateLimited(name, endpoint, deps.limiters);
  if (waitSeconds !== undefined) {
    return reply(429, () =>
      sendError(response, 429, `source ${name} takes at most ${endpoint.rateLimit!.requestsPerSecond} requests/s; slow down`, undefined, {
        'retry-after': String(waitSeconds),
      }),
    );
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return reply(400, () => sendError(response, 400, `the body is not valid JSON: ${messageOf(error)}`));
  }
  const events = endpoint.countEvents(parsed);
  if (events > deps.maxEventsPerRequest) {
    return reply(413, () =>
      sendError(response, 413, `the body holds ${events} events, more than server.maxEventsPerRequest (${deps.maxEventsPerRequest}); send fewer per request`),
    );
  }
  const result = await endpoint.parse(parsed, Date.now());
  if (result.tooLarge) return reply(413, () => sendError(response, 413, result.tooLarge!));

  // Names Polaris cannot represent, far-future times and locations outside allowedLocations are bad
  // events too; tables outside the filters are accepted and ignored.
  const problems: Array<{ path: string; message: string }> = [...result.problems];
  let problemCount = result.problemCount ?? result.problems.length;
  const observations: Observation[] = [];
  let filtered = 0;
  const slicer = new WorkSlicer(CHECKS_PER_SLICE);
  for (const { path: at, observation } of result.items) {
    const refused = source.normalizer.admit(observation);
    if (refused?.reason === 'filtered') filtered++;
    else if (refused) {
      problemCount++;
      const message = refused.reason === 'invalid-identifier' ? `Polaris cannot represent this table: ${refused.detail}` : (refused.detail ?? refused.reason);
      problems.push({ path: at, message });
    }
    else observations.push(observation);
    await slicer.spend();
  }
  if (problemCount > 0) {
    const { details } = boundedDetails(problems);
    const listed = problemCount > details.length ? ` (the first ${details.length} are listed)` : '';
    const message = result.message ?? `${problemCount} problem(s) in the events; nothing was stored${listed}`;
    return reply(400, () => sendError(response, 400, message, details));
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

/** Seconds to wait when the source's rate limit is used up (429), undefined to go ahead. */
function rateLimited(name: string, endpoint: IngestEndpoint, limiters: Map<string, RequestRateLimiter>): number | undefined {
  if (!endpoint.rateLimit) return undefined;
  let limiter = limiters.get(name);
  if (!limiter) limiters.set(name, (limiter = new RequestRateLimiter(endpoint.rateLimit.requestsPerSecond, endpoint.rateLimit.burst)));
  return limiter.take();
}
