import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric polaris-mirror exposes, defined in this one file (names are listed in the README).
 * Code never calls prom-client directly: it bumps these.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly notifications = new Counter({
    name: 'polaris_mirror_notifications_total',
    help: 'Notifications sent to Polaris, by type (CREATE, UPDATE, DROP, VALIDATE) and outcome (ok, stale, retry, fail).',
    labelNames: ['type', 'outcome', 'target'] as const,
    registers: [this.registry],
  });

  readonly polarisResponses = new Counter({
    name: 'polaris_mirror_polaris_responses_total',
    help: 'HTTP responses from Polaris by status class (2xx, 4xx, 5xx) or "network" when none arrived.',
    labelNames: ['status_class'] as const,
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'polaris_mirror_retries_total',
    help: 'Table operations scheduled again after a transient failure, by reason.',
    labelNames: ['reason', 'target'] as const,
    registers: [this.registry],
  });

  readonly reconciliations = new Counter({
    name: 'polaris_mirror_conflict_reconciliations_total',
    help: '409 answers reconciled by reading the table back, by result (same_location, resent, another_writer, conflict_retry).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly observations = new Counter({
    name: 'polaris_mirror_observations_total',
    help: 'Observations offered to the ledger, by source and result (accepted, unchanged, stale, rejected).',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  readonly skipped = new Counter({
    name: 'polaris_mirror_skipped_tables_total',
    help: 'Listed tables not mirrored, by source and reason (not-iceberg, filtered, invalid-identifier, ...).',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });

  readonly passes = new Counter({
    name: 'polaris_mirror_reconciliation_passes_total',
    help: 'Full reconciliation passes by source and outcome (complete, failed, drops_refused).',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly tokenRefreshes = new Counter({
    name: 'polaris_mirror_token_refreshes_total',
    help: 'OAuth2 tokens fetched from the token endpoint, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestRequests = new Counter({
    name: 'polaris_mirror_ingest_requests_total',
    help: 'HTTP ingest requests by source and response status.',
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });

  readonly sourceCalls = new Counter({
    name: 'polaris_mirror_source_calls_total',
    help: 'Calls to a source API (Glue, SQS, Hive Metastore, Iceberg REST), by source, operation and outcome (ok, not_found, throttled, error).',
    labelNames: ['source', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly sourceThrottles = new Counter({
    name: 'polaris_mirror_source_throttles_total',
    help: 'Throttling answers from a source API (e.g. Glue ThrottlingException), by source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly sourceEvents = new Counter({
    name: 'polaris_mirror_source_events_total',
    help: 'Change events read from a source (SQS messages, Hive notifications, hook events), by source and outcome (applied, ignored, unparseable, failed: left in the queue to retry, catalog_not_mirrored: a Glue event of a catalog the source does not mirror).',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly sourceGaps = new Counter({
    name: 'polaris_mirror_source_gaps_total',
    help: 'Gaps found in a source change log (events expired before they were read), each followed by a full pass.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly sourceLag = new Gauge({
    name: 'polaris_mirror_source_lag_seconds',
    help: 'How far behind a source the mirror is: now minus the time of the last applied event (Hive), the age of the oldest message seen (SQS), or the age of the last complete pass (scans and polls).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly tables = new Gauge({
    name: 'polaris_mirror_tables',
    help: 'Mirrored tables by source and status (in_sync, pending, failed), read from the ledger at scrape time.',
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });

  readonly backlog = new Gauge({
    name: 'polaris_mirror_ledger_backlog',
    help: 'Tables whose change is ready to be sent now (pending, retry time reached), read from the ledger at scrape time.',
    registers: [this.registry],
  });

  readonly lastPassAge = new Gauge({
    name: 'polaris_mirror_last_complete_pass_age_seconds',
    help: 'Seconds since the last complete reconciliation pass of a source.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  /**
   * Node.js process metrics (`run` only) under the names prom-client's default collector gives them
   * (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_p99_seconds, …):
   * the names existing Node.js dashboards and alerts query. Prometheus tells processes apart by `job`
   * and `instance`.
   */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
