import type { SourceAdapter } from '../../src/model/source-adapter.js';
import type { WebhookSourceConfig } from './config.js';

/**
 * The HTTP ingest source. Events arrive at POST /v1/sources/{name}/events (src/server/); this
 * adapter cannot list or re-read, so it is never reconciled and its drops are trusted as they arrive
 * (still ordered per table by sourceTimestampMs).
 */
export class WebhookSource implements SourceAdapter {
  readonly type = 'webhook';
  readonly name: string;
  readonly token: string;

  constructor(config: WebhookSourceConfig) {
    this.name = config.name;
    this.token = config.token;
  }
}
