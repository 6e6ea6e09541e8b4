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
import { CatalogSet, type MirroredCatalog } from './catalog-set.js';
import type { GlueSourceConfig } from './config.js';
import { sourceError } from './glue-errors.js';
import { classifyGlueTable } from './glue-table.js';
import { observeTable } from './observe-table.js';
import { SqsWatcher } from './sqs-watcher.js';

/** Databases whose first GetTables page `check` searches for a sample Iceberg location to VALIDATE. */
const CHECK_SAMPLE_DATABASES = 3;

/**
 * AWS Glue Data Catalogs: a Glue database is one namespace level (after the catalog's own level when
 * the source mirrors several, see catalog-set.ts), a table keeps its name. `list` scans every catalog
 * in full (GetDatabases, then GetTables per database: the pages carry the parameters, so no GetTable
 * per table); `watch`, when `events` is configured, follows Glue's EventBridge events through SQS.
 * Events are best effort, so `run` also scans every scanIntervalSeconds. With `roleArn`, every Glue
 * call is made as that role (STS AssumeRole through the SDK's provider); SQS keeps the default chain.
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
  private readonly catalogs: CatalogSet;

  constructor(
    private readonly config: GlueSourceConfig,
    context: AdapterContext,
  ) {
    this.name = config.name;
    this.listIntervalSeconds = config.scanIntervalSeconds;
    // Not in the config file, so not known to the redactor yet: keys given through the environment.
    for (const key of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) context.redactor.add(process.env[key]);
    const base = { source: config.name, region: config.region, metrics: context.metrics, logger: context.logger };
    const role = config.roleArn === undefined ? undefined : { roleArn: config.roleArn, externalId: config.externalId, sessionName: config.sessionName, endpoint: config.stsEndpoint };
    this.glue = createGlueClient({ ...base, endpoint: config.endpoint, limiter: new RateLimiter(config.requestsPerSecond), role });
    this.catalogs = new CatalogSet(config, this.glue, context.logger);
    const events = config.events;
    if (events) {
      const sqs = createSqsClient({ ...base, endpoint: events.endpoint, waitSeconds: events.waitSeconds });
      this.sqs = sqs;
      const watcher = new SqsWatcher({
        source: config.name,
        sqs,
        queueUrl: events.queueUrl,
        waitSeconds: events.waitSeconds,
        catalogs: this.catalogs,
        filter: new TableFilter(config.include, config.exclude),
        metrics: context.metrics,
        logger: context.logger,
      });
      this.watch = (sink, signal) => watcher.run(sink, signal);
    }
  }

  async *list(signal: AbortSignal): AsyncIterable<ListedItem> {
    for (const catalog of await this.catalogs.forScan(signal)) {
      const databases = await catalog.reader.databases(signal);
      for (const database of databases) {
        for await (const page of catalog.reader.tablePages(database, signal)) {
          for (const table of page.tables) {
            if (table.Name) yield classifyGlueTable(CatalogSet.tableName(catalog, database, table.Name), table, page.startedAt);
          }
        }
      }
    }
    // An interrupted scan must not look complete (the reconciler would drop what it did not reach).
    if (signal.aborted) throw new MirrorError('the Glue scan was interrupted', { retryable: true });
  }

  async read(table: SourceTable, signal?: AbortSignal): Promise<PresentObservation | AbsentObservation> {
    const where = await this.catalogs.locate(table, signal ?? new AbortController().signal);
    const result = await observeTable(where.catalog.reader, where.database, table, signal);
    if (result.kind === 'observed') return result.observation;
    // Present but no longer mirrorable is not absent: it is kept in Polaris as last mirrored.
    throw new MirrorError(`Glue table ${table.namespace.join('.')}.${table.name} is no longer mirrorable (${result.skipped.reason}): ${result.skipped.detail ?? ''}`.trim(), {
      retryable: false,
      hint: 'it was not dropped from Polaris; drop it there by hand if it should go, or exclude it from this source',
    });
  }

  /**
   * Each catalog in turn: readable (GetDatabases, and GetTables on a few databases for a sample
   * location to VALIDATE), or what failed with the IAM action to grant — glue:GetCatalogs for
   * discovery, sts:AssumeRole for the role, glue:GetDatabases/GetTables for a catalog.
   */
  async check(signal: AbortSignal): Promise<SourceCheck> {
    const as = this.config.roleArn === undefined ? '' : ` as ${this.config.roleArn}`;
    let catalogs: readonly MirroredCatalog[];
    try {
      catalogs = await this.catalogs.forScan(signal);
    } catch (error) {
      const failure = sourceError(error, `Glue catalogs in ${this.config.region}${as}`);
      return { ok: false, detail: failure.message, hint: failure.hint };
    }
    const sampleLocations: string[] = [];
    const single = catalogs.length === 1 && !this.catalogs.discovers;
    const results = [];
    for (const catalog of catalogs) {
      const name = single
        ? `Glue catalog ${catalog.id ?? "(the caller's account)"} in ${this.config.region}${as}`
        : `${catalog.label}${catalog.level === undefined ? '' : ` (namespace level "${catalog.level}")`}`;
      results.push(await this.checkCatalog(catalog, name, sampleLocations, signal));
    }
    const failed = results.filter((r) => !r.ok);
    let detail: string;
    if (single) detail = results[0]!.detail;
    else {
      const found = this.catalogs.discovers ? ` found by GetCatalogs` : '';
      detail = `${catalogs.length} Glue catalog(s)${found} in ${this.config.region}${as}, ${catalogs.length - failed.length} readable:${results.map((r) => `\n      ${r.ok ? 'ok  ' : 'FAIL'}  ${r.detail}`).join('')}`;
    }
    if (failed.length > 0) return { ok: false, detail, hint: [...new Set(failed.map((r) => r.hint).filter((h) => h !== undefined))].join('; ') };
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

  private async checkCatalog(catalog: MirroredCatalog, name: string, sampleLocations: string[], signal: AbortSignal): Promise<{ ok: boolean; detail: string; hint?: string }> {
    try {
      const { DatabaseList = [] } = await this.glue.send(new GetDatabasesCommand({ CatalogId: catalog.id, MaxResults: 100 }), { abortSignal: callSignal(signal) });
      for (const database of sampleLocations.length > 0 ? [] : DatabaseList.slice(0, CHECK_SAMPLE_DATABASES)) {
        const { TableList = [] } = await this.glue.send(new GetTablesCommand({ CatalogId: catalog.id, DatabaseName: database.Name, MaxResults: 100 }), { abortSignal: callSignal(signal) });
        const item = TableList.map((t) => classifyGlueTable(CatalogSet.tableName(catalog, database.Name!, t.Name ?? ''), t, Date.now())).find((i) => i.kind === 'observation');
        if (item?.kind === 'observation') {
          sampleLocations.push(item.observation.metadataLocation);
          break;
        }
      }
      return { ok: true, detail: `${name} is readable (${DatabaseList.length}${DatabaseList.length === 100 ? '+' : ''} database(s))` };
    } catch (error) {
      const failure = sourceError(error, `${name}: GetDatabases/GetTables`);
      return { ok: false, detail: failure.message, hint: failure.hint };
    }
  }

  async close(): Promise<void> {
    this.glue.destroy();
    this.sqs?.destroy();
  }
}
