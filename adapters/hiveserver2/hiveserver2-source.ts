import { readFileSync } from 'node:fs';
import type { AbsentObservation, ListedItem, PresentObservation } from '../../src/model/observation.js';
import { CAPTURE_STATE_KEY, type AdapterContext, type ObservationSink, type SourceAdapter, type SourceCheck } from '../../src/model/source-adapter.js';
import type { SourceTable } from '../../src/model/table.js';
import { TableFilter } from '../../src/normalizer/glob.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { sleep } from '../../src/util/sleep.js';
import { EventClock } from '../hive-log/event-clock.js';
import { LogWatcher } from '../hive-log/log-watcher.js';
import { observeTable } from '../hive-log/table-reader.js';
import { KerberosLogin } from '../hive/kerberos/kerberos-login.js';
import { servicePrincipalFor } from '../hive/kerberos/service-principal.js';
import type { HiveServer2SourceConfig } from './config.js';
import { gssapiExchange } from './gssapi-exchange.js';
import { Hs2Catalog } from './hs2-catalog.js';
import { checkHiveServer2, probeChangeLog } from './hs2-check.js';
import { Hs2Client, type Hs2ClientSettings } from './hs2-client.js';
import { listHiveServer2 } from './listing.js';

/** SHOW TABLES of one database may return this many names at most. */
const MAX_ROWS_PER_STATEMENT = 1_000_000;
/** The longest pause after repeated failures to reach HiveServer2 in the watch. */
const MAX_BACKOFF_MS = 30_000;

/**
 * A Hive catalog read through HiveServer2 (hive-driver): listed with SHOW DATABASES / SHOW TABLES /
 * SHOW TBLPROPERTIES, re-read before drops, and watched through `sys.notification_log` when this user
 * may read it (changeLog: auto) with the hive source's log logic (adapters/hive-log); otherwise the
 * watch scans in full every scanIntervalSeconds, and records why for `status`.
 */
export class HiveServer2Source implements SourceAdapter {
  readonly type = 'hiveserver2';
  readonly name: string;
  readonly list: (signal: AbortSignal) => AsyncIterable<ListedItem>;
  readonly read: (table: SourceTable, signal?: AbortSignal) => Promise<PresentObservation | AbsentObservation>;
  /** The watch bootstraps itself (a full pass) with the log, and scans by itself without it. */
  readonly watchCatchesUpAtStart = true;
  /** Without a change log the watch completes a scan this often (for /readyz). */
  readonly passIntervalSeconds: number | undefined;

  private readonly clock = new EventClock();
  private readonly filter: TableFilter;
  private readonly settings: Omit<Hs2ClientSettings, 'sessions'>;
  /** Listings and re-reads; the watch has a session of its own. */
  private readonly catalog: Hs2Catalog;
  /** Set by the watch: reads are then ordered after the log's current event (see EventClock). */
  private changeLogReadable = false;

  constructor(
    private readonly config: HiveServer2SourceConfig,
    private readonly context: AdapterContext,
  ) {
    this.name = config.name;
    this.filter = new TableFilter(config.include, config.exclude);
    this.passIntervalSeconds = config.changeLog === 'off' ? config.scanIntervalSeconds : undefined;
    this.settings = clientSettings(config);
    this.catalog = this.newCatalog(config.sessions);
    this.list = (signal) => listHiveServer2(this.catalog, () => this.orderNow(signal), this.filter, config.sessions, signal);
    this.read = (table, signal) => observeTable(this.catalog, () => this.orderNow(signal), table, signal);
  }

  async watch(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    const catalog = this.newCatalog(1);
    const stop = () => catalog.close();
    signal.addEventListener('abort', stop, { once: true });
    let failures = 0;
    let capture: string | undefined;
    try {
      while (!signal.aborted) {
        let reason = 'changeLog: off';
        try {
          if (this.config.changeLog === 'auto') {
            const probe = await probeChangeLog(catalog, signal);
            if (probe.readable) {
              this.changeLogReadable = true;
              await this.recordCapture(sink, 'change log: sys.notification_log');
              await this.logWatcher(catalog).run(sink, signal);
              return;
            }
            reason = probe.reason;
          }
          if (capture !== reason) {
            capture = reason;
            this.context.logger.info({ source: this.name, reason }, `${this.name} has no change log (${reason}): scanning HiveServer2 in full every ${this.config.scanIntervalSeconds} s`);
            await this.recordCapture(sink, `scans only: ${reason}`);
          }
          await sink.reconcile(signal);
          failures = 0;
          await sleep(this.config.scanIntervalSeconds * 1000, signal);
        } catch (error) {
          if (signal.aborted) break;
          failures++;
          const delay = Math.min(MAX_BACKOFF_MS, this.config.pollIntervalMs * 2 ** failures);
          this.context.logger.warn(
            { source: this.name, err: messageOf(error), hint: error instanceof MirrorError ? error.hint : undefined, retryInMs: delay },
            `reaching HiveServer2 for ${this.name} failed: ${messageOf(error)}; trying again in ${delay} ms`,
          );
          await sleep(delay, signal);
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      catalog.close();
    }
  }

  async check(signal?: AbortSignal): Promise<SourceCheck> {
    const catalog = this.newCatalog(1);
    try {
      return await checkHiveServer2(catalog, this.filter, { changeLog: this.config.changeLog, security: this.describeSecurity(), address: this.address() }, signal);
    } finally {
      catalog.close();
    }
  }

  async close(): Promise<void> {
    this.catalog.close();
  }

  private async orderNow(signal?: AbortSignal): Promise<number> {
    return this.changeLogReadable ? this.clock.orderOfReadAfter(await this.catalog.currentNotificationEventId(signal)) : this.clock.tick();
  }

  private logWatcher(catalog: Hs2Catalog): LogWatcher {
    return new LogWatcher({
      source: this.name,
      client: catalog,
      clock: this.clock,
      filter: this.filter,
      batchSize: this.config.batchSize,
      pollIntervalMs: this.config.pollIntervalMs,
      catalogName: undefined,
      logger: this.context.logger,
      metrics: this.context.metrics,
    });
  }

  private async recordCapture(sink: ObservationSink, capture: string): Promise<void> {
    if ((await sink.state()).get(CAPTURE_STATE_KEY) !== capture) await sink.commit([], { state: { [CAPTURE_STATE_KEY]: capture } });
  }

  private newCatalog(sessions: number): Hs2Catalog {
    return new Hs2Catalog(new Hs2Client({ ...this.settings, sessions }));
  }

  private address(): string {
    const { host, port, transport, httpPath } = this.config;
    return transport === 'http' ? `${this.config.tls ? 'https' : 'http'}://${host}:${port}/${(httpPath ?? 'cliservice').replace(/^\/+/, '')}` : `${host}:${port}`;
  }

  private describeSecurity(): string {
    const { auth, tls, transport } = this.config;
    const parts = [transport, auth.type === 'kerberos' ? 'Kerberos' : auth.type === 'plain' ? (transport === 'http' ? 'HTTP Basic' : 'SASL PLAIN') : 'no authentication'];
    if (tls) parts.push('TLS');
    return parts.join(', ');
  }
}

function clientSettings(config: HiveServer2SourceConfig): Omit<Hs2ClientSettings, 'sessions'> {
  const { auth } = config;
  let ca: Buffer | undefined;
  const caFile = config.tls?.caFile;
  if (caFile) {
    try {
      ca = readFileSync(caFile);
    } catch (error) {
      throw new MirrorError(`cannot read tls.caFile ${caFile} of source ${config.name}: ${messageOf(error)}`, { retryable: false, hint: 'check tls.caFile (a PEM file with the CA certificate)' });
    }
  }
  const login = auth.type === 'kerberos' ? new KerberosLogin({ principal: auth.principal, keytab: auth.keytab }, config.name) : undefined;
  return {
    host: config.host,
    port: config.port,
    transport: config.transport,
    httpPath: config.httpPath ?? 'cliservice',
    auth: auth.type === 'plain' ? { type: 'plain', username: auth.username, password: auth.password } : { type: auth.type },
    tls: config.tls ? { ca } : undefined,
    connectTimeoutMs: config.connectTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
    maxReplyBytes: config.maxReplyBytes,
    maxRows: MAX_ROWS_PER_STATEMENT,
    kerberos: login && auth.type === 'kerberos' ? () => gssapiExchange(login, servicePrincipalFor(auth.servicePrincipal, config.host), `${config.host}:${config.port}`) : undefined,
  };
}
