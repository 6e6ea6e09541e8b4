import { formatPath } from '../../src/config/config-error.js';
import { ProblemList } from '../../src/model/problem-list.js';
import type { IngestEndpoint, IngestParseResult, SourceAdapter } from '../../src/model/source-adapter.js';
import { WorkSlicer } from '../../src/util/work-slicer.js';
import type { WebhookSourceConfig } from './config.js';
import { eventToObservation, ingestBodySchema, ingestEventSchema } from './events.js';

/**
 * The HTTP ingest source. Events arrive at POST /v1/sources/{name}/events (served by src/server/); this
 * adapter cannot list or re-read, so it is never reconciled and its drops are trusted as they arrive
 * (still ordered per table by sourceTimestampMs).
 */
export class WebhookSource implements SourceAdapter {
  readonly type = 'webhook';
  readonly name: string;
  readonly ingest: IngestEndpoint;

  constructor(config: WebhookSourceConfig) {
    this.name = config.name;
    this.ingest = {
      path: 'events',
      token: config.token,
      signature: config.signature,
      rateLimit: config.rateLimit,
      countEvents: countIngestEvents,
      parse: parseIngestBody,
    };
  }
}

/** Events in {"events":[…]}; anything else holds none (and gets its 400 from the parser). */
export function countIngestEvents(body: unknown): number {
  const events = (body as { events?: unknown } | null)?.events;
  return Array.isArray(events) ? events.length : 0;
}

/** Events validated between two yields to the event loop. */
const EVENTS_PER_SLICE = 100;

/** {"events":[…]}: an observation per valid event, and a problem per bad field. */
export async function parseIngestBody(body: unknown, receivedAt: number): Promise<IngestParseResult> {
  const envelope = ingestBodySchema.safeParse(body);
  if (!envelope.success) {
    return {
      items: [],
      accepted: 0,
      message: 'the body must be {"events": [ ... ]}',
      problems: envelope.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    };
  }
  const problems = new ProblemList();
  const items: Array<{ path: string; observation: ReturnType<typeof eventToObservation> }> = [];
  const slicer = new WorkSlicer(EVENTS_PER_SLICE);
  for (const [index, raw] of envelope.data.events.entries()) {
    const event = ingestEventSchema.safeParse(raw);
    if (event.success) items.push({ path: formatPath(['events', index]), observation: eventToObservation(event.data, receivedAt) });
    else for (const issue of event.error.issues) problems.push({ path: formatPath(['events', index, ...issue.path]), message: issue.message });
    await slicer.spend();
  }
  return { items, problems: problems.kept, problemCount: problems.total, accepted: envelope.data.events.length };
}
