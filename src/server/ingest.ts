import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventToObservation, ingestBodySchema, ingestEventSchema } from '../../adapters/webhook/events.js';
import { WebhookSource } from '../../adapters/webhook/webhook-source.js';
import { formatPath } from '../config/config-error.js';
import type { SourceRuntime } from '../engine/mirror.js';
import type { Observation } from '../model/observation.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { messageOf } from '../util/errors.js';
import { bearerMatches } from './bearer.js';
import { readBody, sendError, sendJson } from './http-util.js';

export interface IngestDeps {
  readonly sources: ReadonlyMap<string, SourceRuntime>;
  readonly maxBodyBytes: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

interface EventProblem {
  readonly index: number;
  readonly path: string;
  readonly message: string;
}

/**
 * POST /v1/sources/{name}/events. All-or-nothing: any invalid event → 400 naming each problem and
 * nothing stored; otherwise 202 only after the observations are committed to the ledger.
 */
export async function handleIngest(name: string, request: IncomingMessage, response: ServerResponse, deps: IngestDeps): Promise<void> {
  const source = deps.sources.get(name);
  const reply = (status: number, send: () => void) => {
    deps.metrics.ingestRequests.inc({ source: source ? name : 'unknown', status: String(status) });
    send();
  };
  if (!source || !(source.adapter instanceof WebhookSource)) {
    return reply(404, () => sendError(response, 404, `no webhook source named "${name}"`));
  }
  if (!bearerMatches(request.headers.authorization, source.adapter.token)) {
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

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return reply(400, () => sendError(response, 400, `the body is not valid JSON: ${messageOf(error)}`));
  }
  const envelope = ingestBodySchema.safeParse(parsed);
  if (!envelope.success) {
    const details = envelope.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    return reply(400, () => sendError(response, 400, 'the body must be {"events": [ ... ]}', details));
  }

  const receivedAt = Date.now();
  const problems: EventProblem[] = [];
  const observations: Observation[] = [];
  let filtered = 0;
  envelope.data.events.forEach((raw, index) => {
    const event = ingestEventSchema.safeParse(raw);
    if (!event.success) {
      for (const issue of event.error.issues) problems.push({ index, path: formatPath(['events', index, ...issue.path]), message: issue.message });
      return;
    }
    const observation = eventToObservation(event.data, receivedAt);
    const outOfScope = source.normalizer.check(observation.table);
    if (outOfScope?.reason === 'invalid-identifier') {
      problems.push({ index, path: formatPath(['events', index]), message: `Polaris cannot represent this table: ${outOfScope.detail}` });
    } else if (outOfScope) {
      filtered++; // excluded by the source's filters: accepted and deliberately ignored
    } else observations.push(observation);
  });
  if (problems.length > 0) {
    return reply(400, () => sendError(response, 400, `${problems.length} invalid event field(s); nothing was stored`, problems));
  }

  try {
    const result = await source.sink.commit(observations);
    reply(202, () =>
      sendJson(response, 202, { accepted: envelope.data.events.length, stored: result.accepted, unchanged: result.unchanged, stale: result.stale, filtered }),
    );
  } catch (error) {
    deps.logger.error({ err: error, source: name }, 'could not store ingested events');
    reply(503, () => sendError(response, 503, 'the events could not be stored; nothing was accepted, send them again', undefined, { 'retry-after': '1' }));
  }
}
