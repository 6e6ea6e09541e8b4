import type { OriginPools } from '../../src/polaris/origin-pools.js';
import type { AbsentObservation, ListedItem, PresentObservation } from '../../src/model/observation.js';
import type { AdapterContext, ObservationSink, SourceAdapter, SourceCheck } from '../../src/model/source-adapter.js';
import { dottedName, type SourceTable } from '../../src/model/table.js';
import { Normalizer } from '../../src/normalizer/normalize.js';
import { createAgent } from '../../src/polaris/http.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { listCatalog } from './catalog-listing.js';
import type { RestSourceConfig } from './config.js';
import { decodeEntry } from './etag-entry.js';
import { secretHeaderValues } from './headers.js';
import { PollLoop } from './poll-loop.js';
import { RestCatalogClient, type CatalogSession } from './rest-client.js';
import { EVENTS_ENDPOINT } from './rest-paths.js';
import { sampleTableLocation } from './sample-table.js';
import { readTable } from './table-read.js';
import { createTokenSource } from './token-source.js';

/**
 * An Iceberg REST catalog (Nessie, Lakekeeper, Gravitino, Unity's or Glue's Iceberg endpoint, another
 * Polaris). The spec has no change feed yet, so the source polls: every poll is a complete listing
 * with a conditional load of each table (If-None-Match → 304 for unchanged ones).
 *
 * Where ETags live: in the ledger, in each table's row, stored with the observation they stand for
 * (the observation's sourceVersion, committed in the same transaction). `watch()` drives the polls
 * (PollLoop); each poll is the engine's own reconciliation pass (`sink.reconcile`), so listings,
 * drops, the mass-drop brake and pass records work as for any listing source. A listing reads the
 * stored ETags a table page at a time (AdapterContext.storedVersions), so the source keeps nothing per
 * table between pages and its memory does not follow the catalog; every listing (`sync`, `plan`,
 * run's reconciliation, a poll, after a restart) is conditional.
 */
export class RestSource implements SourceAdapter {
  readonly type = 'rest';
  readonly name: string;
  // No listIntervalSeconds: the watch polls every pollIntervalSeconds; run's own reconciliation loop
  // stays at reconcileIntervalSeconds (a second listing per interval would only double the requests).
  /** The watch's polls are full passes: /readyz judges freshness by them. */
  readonly passIntervalSeconds: number;
  private readonly agent: OriginPools;
  private readonly client: RestCatalogClient;
  private readonly normalizer: Normalizer;
  private session: CatalogSession | undefined;
  private eventsNoted = false;
  private readonly pollLoop: PollLoop;

  constructor(
    private readonly config: RestSourceConfig,
    private readonly context: AdapterContext,
  ) {
    this.name = config.name;
    this.passIntervalSeconds = config.pollIntervalSeconds;
    this.normalizer = new Normalizer(config);
    for (const value of secretHeaderValues(config.headers)) context.redactor.add(value);
    // Listing pages and loads share `concurrency`; one more connection for the token endpoint.
    this.agent = createAgent({ connections: config.concurrency + 1, caFile: config.tls?.caFile });
    const tokens = createTokenSource(config.auth, {
      uri: config.uri,
      headers: config.headers,
      dispatcher: this.agent,
      timeoutMs: config.requestTimeoutMs,
      redactor: context.redactor,
      metrics: context.metrics,
      source: config.name,
    });
    this.client = new RestCatalogClient({ config, dispatcher: this.agent, tokens, metrics: context.metrics });
    this.pollLoop = new PollLoop({
      source: config.name,
      intervalMs: config.pollIntervalSeconds * 1000,
      metrics: context.metrics,
      logger: context.logger,
    });
  }

  async *list(signal: AbortSignal): AsyncIterable<ListedItem> {
    this.pollLoop.listingStarted();
    try {
      const session = await this.refreshSession(signal);
      yield* listCatalog({
        client: this.client,
        session,
        concurrency: this.config.concurrency,
        outOfScope: (table) => this.normalizer.check(table),
        storedVersions: this.context.storedVersions,
        signal,
        onLoadFailed: (table, error) =>
          this.context.logger.warn({ source: this.name, table: dottedName(table) }, `source ${this.name}: table ${dottedName(table)} could not be loaded, skipped this time: ${messageOf(error)}`),
      });
    } finally {
      this.pollLoop.listingEnded();
    }
  }

  /**
   * Right before a DROP (and after a stale 409): HEAD when the server advertises it — 404 is a
   * confirmed absence — then a (conditional) load for the current state. Without HEAD, a GET whose
   * 404 body names NoSuchTable / NoSuchNamespace confirms it. Any other answer throws: a permission
   * error or an outage never looks like a drop.
   */
  async read(table: SourceTable, signal?: AbortSignal): Promise<PresentObservation | AbsentObservation> {
    const order = Date.now();
    const session = this.session ?? (await this.refreshSession(signal));
    const absent: AbsentObservation = { table, state: 'absent', confirmed: true, order, sourceTimeMs: order };
    if (this.client.supportsHead(session) && !(await this.client.tableExists(session, table.namespace, table.name, signal))) return absent;
    const stored = this.context.storedVersions ? (await this.context.storedVersions([table]))[0] : undefined;
    const read = await readTable(this.client, session, table, decodeEntry(stored), signal);
    if (read.kind === 'gone') return absent;
    if (read.kind === 'skipped') {
      throw new MirrorError(`table ${dottedName(table)} cannot be mirrored now: ${read.skipped.detail ?? read.skipped.reason}`, {
        retryable: true,
        hint: 'the table exists but has no committed metadata yet; it is read again later',
      });
    }
    return read.observation;
  }

  watch(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    return this.pollLoop.run(sink, signal);
  }

  /** One poll now, as watch() does every interval: true when it was complete (its observations and ETags committed). */
  pollOnce(sink: ObservationSink, signal: AbortSignal = new AbortController().signal): Promise<boolean> {
    return this.pollLoop.poll(sink, signal);
  }

  async check(signal: AbortSignal): Promise<SourceCheck> {
    try {
      const session = await this.refreshSession(signal);
      const sample = await sampleTableLocation(this.client, session, signal);
      const head = this.client.supportsHead(session) ? 'HEAD on tables advertised' : 'no HEAD on tables advertised: disappearances are confirmed with a GET';
      const where = session.prefix === undefined ? 'no prefix' : `prefix ${session.prefix}`;
      const found = sample ? `, table ${sample.table} readable` : ', no table found to sample';
      return { ok: true, detail: `catalog ${this.config.uri} answers (${where}; ${head})${found}`, sampleLocations: sample ? [sample.metadataLocation] : [] };
    } catch (error) {
      return { ok: false, detail: messageOf(error), hint: error instanceof MirrorError ? error.hint : 'check uri, warehouse, auth and headers' };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** /v1/config at the start of every listing: the prefix and endpoints may change between polls. */
  private async refreshSession(signal?: AbortSignal): Promise<CatalogSession> {
    const session = await this.client.session(signal);
    this.session = session;
    if (!this.eventsNoted && session.endpoints?.has(EVENTS_ENDPOINT)) {
      this.eventsNoted = true;
      this.context.logger.info(
        { source: this.name, endpoint: EVENTS_ENDPOINT },
        `source ${this.name} advertises ${EVENTS_ENDPOINT}: an events mode is possible (not implemented yet); polling every ${this.config.pollIntervalSeconds} s`,
      );
    }
    return session;
  }
}
