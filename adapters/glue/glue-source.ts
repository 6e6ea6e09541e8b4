import { GetDatabasesCommand, GetTablesCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AbsentObservation, ListedItem, PresentObservation } from '../../src/model/observation.js';
import type { AdapterContext, ObservationSink, SourceAdapter, SourceCheck } from '../../src/model/source-adapter.js';
import type { SourceTable } from '../../src/model/table.js';
import { TableFilter } from '../../src/normalizer/glob.js';
import { RateLimiter } from '../../src/polaris/rate-limiter.js';
import { MirrorError } from '../../src/util/errors.js';
import { createGlueClient, createSqsClient } from './aws-clients.js';
import { callSignal } from './call-signal.js';
import type { GlueSourceConfig } from './config.js';
import { sourceError } from './glue-errors.js';
import { GlueCatalogReader } from './glue-reader.js';
import { classifyGlueTable } from './glue-table.js';
import { observeTable } from './observe-table.js';
import { SqsWatcher } from './sqs-watcher.js';

/** Databases whose first GetTables page `check` searches for a sample Iceberg location to VALIDATE. */
const CHECK_SAMPLE_DATABASES = 3;

/**
 * An AWS Glue Data Catalog: a Glue database is one namespace level, a table keeps its name. `list`
 * scans the whole catalog (GetDatabases, then GetTables per database: the pages carry the parameters,
 * so no GetTable per table); `watch`, when `events` is configured, follows Glue's EventBridge events
 * through SQS. Events are best effort, so `run` also scans every scanIntervalSeconds.
 */
export class GlueSource implements SourceAdapter {
  readonly type = 'glue';
  readonly name: string;
  readonly listIntervalSeconds: number;
  /** Only with `events:` configured: run.ts restarts a watch that returns, so none is better than an idle one. */
  readonly watch?: (sink: ObservationSink, signal: AbortSignal) => Promise<void>;
  /** SQS gives each message to one consumer: every replica may consume the queue. */
  readonly watchIsShared = true;
  private readonly glue: GlueClient;
  private readonly sqs: SQSClient | undefined;
  private readonly reader: GlueCatalogReader;

  constructor(
    private readonly config: GlueSourceConfig,
    context: AdapterContext,
  ) {
    this.name = config.name;
    this.listIntervalSeconds = config.scanIntervalSeconds;
    // Not in the config file, so not known to the redactor yet: keys given through the environment.
    for (const key of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) context.redactor.add(process.env[key]);
    const base = { source: config.name, region: config.region, metrics: context.metrics, logger: context.logger };
    this.glue = createGlueClient({ ...base, endpoint: config.endpoint, limiter: new RateLimiter(config.requestsPerSecond) });
    this.reader = new GlueCatalogReader(this.glue, config.catalogId, context.logger);
    const events = config.events;
    if (events) {
      const sqs = createSqsClient({ ...base, endpoint: events.endpoint, waitSeconds: events.waitSeconds });
      this.sqs = sqs;
      const watcher = new SqsWatcher({
        source: config.name,
        sqs,
        queueUrl: events.queueUrl,
        waitSeconds: events.waitSeconds,
        reader: this.reader,
        filter: new TableFilter(config.include, config.exclude),
        metrics: context.metrics,
        logger: context.logger,
      });
      this.watch = (sink, signal) => watcher.run(sink, signal);
    }
  }

  async *list(signal: AbortSignal): AsyncIterable<ListedItem> {
    const databases = await this.reader.databases(signal);
    for (const database of databases) {
      for await (const page of this.reader.tablePages(database, signal)) {
        for (const table of page.tables) {
          if (table.Name) yield classifyGlueTable({ namespace: [database], name: table.Name }, table, page.startedAt);
        }
      }
    }
    // An interrupted scan must not look complete (the reconciler would drop what it did not reach).
    if (signal.aborted) throw new MirrorError('the Glue scan was interrupted', { retryable: true });
  }

  async read(table: SourceTable, signal?: AbortSignal): Promise<PresentObservation | AbsentObservation> {
    const result = await observeTable(this.reader, table, signal);
    if (result.kind === 'observed') return result.observation;
    // Present but no longer mirrorable is not absent: it is kept in Polaris as last mirrored.
    throw new MirrorError(`Glue table ${table.namespace.join('.')}.${table.name} is no longer mirrorable (${result.skipped.reason}): ${result.skipped.detail ?? ''}`.trim(), {
      retryable: false,
      hint: 'it was not dropped from Polaris; drop it there by hand if it should go, or exclude it from this source',
    });
  }

  async check(signal: AbortSignal): Promise<SourceCheck> {
    const catalog = `Glue catalog ${this.config.catalogId ?? '(the caller\'s account)'} in ${this.config.region}`;
    let detail: string;
    const sampleLocations: string[] = [];
    try {
      const { DatabaseList = [] } = await this.glue.send(new GetDatabasesCommand({ CatalogId: this.config.catalogId, MaxResults: 100 }), { abortSignal: callSignal(signal) });
      for (const database of DatabaseList.slice(0, CHECK_SAMPLE_DATABASES)) {
        const { TableList = [] } = await this.glue.send(new GetTablesCommand({ CatalogId: this.config.catalogId, DatabaseName: database.Name, MaxResults: 100 }), { abortSignal: callSignal(signal) });
        const item = TableList.map((t) => classifyGlueTable({ namespace: [database.Name!], name: t.Name ?? '' }, t, Date.now())).find((i) => i.kind === 'observation');
        if (item?.kind === 'observation') {
          sampleLocations.push(item.observation.metadataLocation);
          break;
        }
      }
      detail = `${catalog} is readable (${DatabaseList.length}${DatabaseList.length === 100 ? '+' : ''} database(s))`;
    } catch (error) {
      const failure = sourceError(error, `${catalog}: GetDatabases/GetTables`);
      return { ok: false, detail: failure.message, hint: failure.hint };
    }
    if (this.sqs && this.config.events) {
      try {
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: this.config.events.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'RedrivePolicy'] }),
          { abortSignal: callSignal(signal) },
        );
        detail += `; queue ${this.config.events.queueUrl} is reachable (about ${Attributes.ApproximateNumberOfMessages ?? '?'} message(s) waiting${Attributes.RedrivePolicy ? '' : ', no dead-letter queue configured'})`;
      } catch (error) {
        const failure = sourceError(error, `SQS GetQueueAttributes of ${this.config.events.queueUrl}`, 'sqs');
        return { ok: false, detail: `${detail}; ${failure.message}`, hint: failure.hint };
      }
    }
    return { ok: true, detail, sampleLocations };
  }

  async close(): Promise<void> {
    this.glue.destroy();
    this.sqs?.destroy();
  }
}
