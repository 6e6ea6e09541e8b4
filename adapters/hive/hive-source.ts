import type { AbsentObservation, ListedItem, PresentObservation } from '../../src/model/observation.js';
import type { AdapterContext, IngestEndpoint, ObservationSink, SourceAdapter, SourceCheck } from '../../src/model/source-adapter.js';
import type { SourceTable } from '../../src/model/table.js';
import { TableFilter } from '../../src/normalizer/glob.js';
import type { HiveSourceConfig } from './config.js';
import { EventClock } from '../hive-log/event-clock.js';
import { HiveHookEndpoint } from './hook-endpoint.js';
import { listMetastore } from './listing.js';
import { LogWatcher } from '../hive-log/log-watcher.js';
import { checkMetastores } from './metastore-check.js';
import { HmsClient } from './metastore/hms-client.js';
import { parseHmsUri, type HmsAddress } from './metastore/hms-uri.js';
import { observeTable } from '../hive-log/table-reader.js';
import { MetastoreTransport } from './transport/metastore-transport.js';

/**
 * A Hive Metastore. With `uris`: listed over Thrift (get_all_databases, get_all_tables,
 * get_table_objects_by_name_req), re-read before drops (get_table_req), and watched through the
 * notification log. With `ingestToken`: also (or only) a hook endpoint for a metastore listener.
 */
export class HiveSource implements SourceAdapter {
  readonly type = 'hive';
  readonly name: string;
  readonly list?: (signal: AbortSignal) => AsyncIterable<ListedItem>;
  readonly read?: (table: SourceTable, signal?: AbortSignal) => Promise<PresentObservation | AbsentObservation>;
  readonly ingest?: IngestEndpoint;
  /** The log watcher bootstraps (a full pass) without a cursor and replays the log with one. */
  readonly watchCatchesUpAtStart: boolean;

  private readonly addresses: HmsAddress[];
  private readonly clock = new EventClock();
  private readonly filter: TableFilter;
  /** Listings, re-reads and checks; the log watcher has a connection of its own. */
  private readonly client: HmsClient | undefined;
  /** How connections are opened and secured; one Kerberos login for all of the source's clients. */
  private readonly transport: MetastoreTransport;
  private watcher: LogWatcher | undefined;
  private sink: ObservationSink | undefined;

  constructor(
    private readonly config: HiveSourceConfig,
    private readonly context: AdapterContext,
  ) {
    this.name = config.name;
    this.addresses = config.uris.map((uri) => parseHmsUri(uri)!);
    this.filter = new TableFilter(config.include, config.exclude);
    this.watchCatchesUpAtStart = this.addresses.length > 0;
    this.transport = new MetastoreTransport(config);
    if (this.addresses.length > 0) {
      const client = (this.client = this.newClient());
      this.list = (signal) => listMetastore(client, this.clock, this.filter, signal);
      this.read = (table, signal) => observeTable(client, async () => this.clock.orderOfReadAfter(await client.currentNotificationEventId(signal)), table, signal);
    }
    if (config.ingestToken !== undefined) {
      this.ingest = new HiveHookEndpoint({
        source: config.name,
        token: config.ingestToken,
        signature: config.signature,
        rateLimit: config.rateLimit,
        catalogName: config.catalogName,
        metrics: context.metrics,
        log:
          this.addresses.length === 0
            ? undefined
            : { clock: this.clock, committed: () => this.watcher?.committed, head: () => this.watcher?.head, wake: () => this.watcher?.wake() },
        sink: () => this.sink,
      });
    }
  }

  /**
   * The notification log, until the signal aborts. Hook-only sources have no log: the watch only hands
   * the hook endpoint the sink (for the tables of a dropped database) and waits.
   */
  async watch(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    this.sink = sink;
    if (this.addresses.length === 0) {
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      return;
    }
    const client = this.newClient();
    const watcher = new LogWatcher({
      source: this.name,
      client,
      clock: this.clock,
      filter: this.filter,
      batchSize: this.config.batchSize,
      pollIntervalMs: this.config.pollIntervalMs,
      catalogName: this.config.catalogName,
      logger: this.context.logger,
      metrics: this.context.metrics,
    });
    this.watcher = watcher;
    // Aborting fails the call in flight at once rather than after its timeout.
    const stop = () => client.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await watcher.run(sink, signal);
    } finally {
      signal.removeEventListener('abort', stop);
      client.close();
      if (this.watcher === watcher) this.watcher = undefined;
    }
  }

  async check(): Promise<SourceCheck> {
    if (this.addresses.length === 0) {
      return { ok: true, detail: `hook-only (no uris): a metastore listener posts events to POST /v1/sources/${this.name}/hive-events` };
    }
    return checkMetastores(this.addresses, (address) => this.newClient([address], 1), this.filter, this.transport.describe());
  }

  async close(): Promise<void> {
    this.client?.close();
  }

  private newClient(addresses: readonly HmsAddress[] = this.addresses, rounds?: number): HmsClient {
    return new HmsClient({
      source: this.name,
      addresses,
      transport: this.transport,
      catalogName: this.config.catalogName,
      connectTimeoutMs: this.config.connectTimeoutMs,
      callTimeoutMs: this.config.callTimeoutMs,
      metrics: this.context.metrics,
      logger: this.context.logger,
      rounds,
    });
  }
}
