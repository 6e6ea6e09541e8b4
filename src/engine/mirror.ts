import { createSourceAdapter } from '../../adapters/registry.js';
import type { LoadedConfig } from '../config/load.js';
import type { SourceConfig } from '../config/schema.js';
import type { Ledger } from '../ledger/ledger.js';
import { openLedger } from '../ledger/open-ledger.js';
import { SharedCounts } from '../ledger/shared-counts.js';
import type { SourceAdapter } from '../model/source-adapter.js';
import { Normalizer } from '../normalizer/normalize.js';
import type { PolarisClient } from '../polaris/polaris-client.js';
import { PolarisInstances } from '../polaris/polaris-instances.js';
import type { TokenProvider } from '../polaris/token-provider.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import { ActivityRing } from '../telemetry/activity-ring.js';
import { Tracing } from '../telemetry/tracing.js';
import { Dispatcher } from './dispatcher.js';
import { Reconciler } from './reconciler.js';
import { SourceSink } from './source-sink.js';
import { TableConverger } from './table-converger.js';
import { TargetHealth } from './target-health.js';

/** A configured source with everything the engine needs to drive it. */
export interface SourceRuntime {
  readonly config: SourceConfig;
  readonly adapter: SourceAdapter;
  readonly normalizer: Normalizer;
  readonly sink: SourceSink;
}

export interface MirrorDeps {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly redactor: Redactor;
  /** The ledger was just rebuilt: read tables back from Polaris before sending them (sync --rebuild). */
  readonly rebuilding?: boolean;
}

/**
 * The composition root: opens the ledger, builds the Polaris client and the sources, and hands out
 * dispatchers. Commands (run, sync, retry, ...) are thin layers over it.
 */
export class Mirror {
  readonly ledger: Ledger;
  /** Every Polaris instance (the polaris block is "default"), each with its own client and tokens. */
  readonly polaris: PolarisInstances;
  /** The default instance's token provider and client. */
  readonly tokens: TokenProvider;
  readonly client: PolarisClient;
  readonly sources: ReadonlyMap<string, SourceRuntime>;
  readonly reconciler: Reconciler;
  readonly converger: TableConverger;
  /** Notifications and failures per source and minute over the last hour (the console's chart). */
  readonly activity = new ActivityRing();
  /** Instances that had transient trouble since they last answered (the probe redrives their tables). */
  readonly targetHealth = new TargetHealth();
  /** OpenTelemetry traces, when `tracing` is configured. */
  readonly tracing: Tracing | undefined;
  /** The ledger's table counts per source, for /metrics and the console (a costly walk's result is reused a while). */
  readonly tableCounts = new SharedCounts((now) => this.ledger.counts(now));
  private readonly dispatchers = new Set<Dispatcher>();

  constructor(readonly deps: MirrorDeps) {
    const { config } = deps.loaded;
    this.ledger = openLedger(config.state);
    this.polaris = new PolarisInstances(config, deps);
    ({ client: this.client, tokens: this.tokens } = this.polaris.default);

    this.tracing = config.tracing ? new Tracing(config.tracing) : undefined;
    this.reconciler = new Reconciler(this.ledger, deps.metrics, deps.logger, deps.redactor);
    const sources = new Map<string, SourceRuntime>();
    for (const sourceConfig of config.sources) {
      const normalizer = new Normalizer(sourceConfig);
      const sink = new SourceSink(normalizer, this.ledger, deps.metrics, () => this.wakeDispatchers(), deps.logger);
      const adapter = createSourceAdapter(sourceConfig, {
        logger: deps.logger,
        metrics: deps.metrics,
        redactor: deps.redactor,
        storedVersions: (tables) => this.ledger.sourceVersions(sourceConfig.name, tables),
      });
      sink.runPass = (signal) => this.reconciler.pass({ adapter, sink, maxDropFraction: sourceConfig.maxDropFraction }, { signal });
      sources.set(sourceConfig.name, { config: sourceConfig, adapter, normalizer, sink });
    }
    this.sources = sources;
    this.converger = new TableConverger({
      polaris: this.polaris,
      ledger: this.ledger,
      sources,
      metrics: deps.metrics,
      logger: deps.logger,
      redactor: deps.redactor,
      readBackBeforeFirstUpsert: deps.rebuilding ?? false,
      tracing: this.tracing,
      health: this.targetHealth,
    });
  }

  get config() {
    return this.deps.loaded.config;
  }

  /** A dispatcher over all tables, or only some sources' (sync --source) or some rows (retry --table). */
  createDispatcher(scope: { sources?: readonly string[]; onlyIds?: ReadonlySet<number> } = {}): Dispatcher {
    const dispatcher = new Dispatcher({
      ledger: this.ledger,
      converger: this.converger,
      concurrency: new Map(this.polaris.all().map((instance) => [instance.name, instance.config.concurrency])),
      logger: this.deps.logger,
      activity: this.activity,
      // An operation makes a handful of requests, each bounded by its instance's requestTimeoutMs.
      operationDeadlineMs: 10 * Math.max(30_000, ...this.polaris.all().map((instance) => instance.config.requestTimeoutMs)),
      ...scope,
    });
    this.dispatchers.add(dispatcher);
    return dispatcher;
  }

  /** Observations arrived or tables were made due: the dispatchers look at the ledger now. */
  wakeDispatchers(): void {
    for (const dispatcher of this.dispatchers) dispatcher.wake();
  }

  /** Selected sources by name; unknown names are a usage error. */
  selectSources(names: readonly string[] | undefined): SourceRuntime[] {
    if (!names || names.length === 0) return [...this.sources.values()];
    return names.map((name) => {
      const source = this.sources.get(name);
      if (!source) throw new UsageError(`unknown source "${name}"; configured: ${[...this.sources.keys()].join(', ')}`);
      return source;
    });
  }

  async close(): Promise<void> {
    await this.ledger.drained();
    await Promise.all([...this.sources.values()].map((s) => s.adapter.close?.()));
    await this.polaris.close();
    // The spans still queued go out before the process ends (bounded by the exporter's timeout).
    await this.tracing?.shutdown().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not export the last traces'));
    await this.ledger.close();
  }
}

/** A command-line mistake (exit code 2, like a config error). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
