import { Mirror, UsageError } from '../../engine/mirror.js';
import { checkScope, describeScope, type RefreshScope } from '../../engine/refresh-scope.js';
import { ScopedRefresh, type RefreshReport } from '../../engine/scoped-refresh.js';
import { MirrorError } from '../../util/errors.js';
import { sleep } from '../../util/sleep.js';
import { commandContext } from '../context.js';
import { DaemonClient } from '../daemon-client.js';
import { EXIT } from '../exit-codes.js';
import { abortOnSignals, holdLease } from '../lease.js';

/** How often the command asks the daemon how its refresh is going. */
const POLL_MS = 500;

/**
 * `refresh`: re-reads a source, namespace or table from the source now and converges it. When a daemon
 * (`run`) holds the ledger, it asks the daemon (POST /v1/refresh, then GET /v1/refresh/{id}) and
 * reports what it did; otherwise it does the work itself. Exit 0 when every table of the scope is in
 * sync, 1 when some failed or are still pending (or the re-read failed), 2 for a bad scope.
 */
export async function refreshCommand(options: { config: string; source: string; namespace?: string; table?: string; json?: boolean }): Promise<number> {
  const context = commandContext(options.config);
  const scope: RefreshScope = { source: options.source, namespace: options.namespace?.split('.'), table: options.table };
  const mirror = new Mirror(context);
  try {
    checkScope(mirror, scope);
    const holder = await mirror.ledger.leaseHolder();
    const report = holder?.command === 'run' ? await throughDaemon(mirror, scope, context.print, options.json ?? false) : await byItself(mirror, scope, context.print, options.json ?? false);
    context.print(options.json ? JSON.stringify(report, null, 2) : render(report));
    return report.state === 'done' && report.tables.failed === 0 && report.tables.pending === 0 ? EXIT.OK : EXIT.FAILED;
  } finally {
    await mirror.close();
  }
}

async function byItself(mirror: Mirror, scope: RefreshScope, print: (text: string) => void, json: boolean): Promise<RefreshReport> {
  const refresh = new ScopedRefresh(mirror, scope);
  const release = await holdLease(mirror.ledger, 'refresh');
  const { signal, dispose } = abortOnSignals();
  try {
    if (!json) print(`refreshing ${describeScope(scope)}`);
    return await refresh.run(async (ids, runSignal) => {
      const dispatcher = mirror.createDispatcher({ onlyIds: new Set(ids) });
      runSignal.addEventListener('abort', () => void dispatcher.stop(), { once: true });
      await dispatcher.runUntilSettled(runSignal);
    }, signal);
  } finally {
    dispose();
    await release();
  }
}

async function throughDaemon(mirror: Mirror, scope: RefreshScope, print: (text: string) => void, json: boolean): Promise<RefreshReport> {
  const client = new DaemonClient(mirror);
  const { signal, dispose } = abortOnSignals();
  try {
    const started = await client.call('POST', '/v1/refresh', { source: scope.source, namespace: scope.namespace ? [...scope.namespace] : undefined, table: scope.table });
    if (started.status === 400) throw new UsageError(errorText(started.body));
    if (started.status !== 202) throw refused(client.address, started);
    const { id } = started.body as { id: string };
    if (!json) print(`refreshing ${describeScope(scope)} through the running daemon at ${client.address} (refresh ${id})`);
    for (;;) {
      const answer = await client.call('GET', `/v1/refresh/${id}`);
      if (answer.status !== 200) throw refused(client.address, answer);
      const report = answer.body as RefreshReport;
      if (report.state === 'done' || report.state === 'failed') return report;
      if (signal.aborted) throw new MirrorError(`interrupted; the daemon goes on with refresh ${id}`, { retryable: false, hint: `see GET /v1/refresh/${id}` });
      await sleep(POLL_MS, signal);
    }
  } finally {
    dispose();
    await client.close();
  }
}

function refused(address: string, answer: { status: number; body: unknown }): MirrorError {
  const hint =
    answer.status === 401 || answer.status === 403
      ? 'the daemon refused the console token: run it with the same server.console.token as this configuration'
      : 'see the daemon\'s log';
  return new MirrorError(`the daemon at ${address} answered ${answer.status}: ${errorText(answer.body)}`, { retryable: false, hint });
}

function errorText(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : typeof body === 'string' ? body.slice(0, 300) : 'no details';
}

function render(report: RefreshReport): string {
  const lines = [`read ${report.read.tables} table(s) from the source: ${report.read.changed} changed, ${report.read.unchanged} unchanged`];
  for (const r of report.results) {
    if (r.status === 'in_sync') {
      lines.push(`${r.desired === 'absent' ? 'absent ' : 'ok     '} ${r.table}`);
      continue;
    }
    lines.push(`${r.status.padEnd(7)} ${r.table}${r.message ? ` — ${r.message}` : ''}`);
    if (r.hint) lines.push(`        hint: ${r.hint}`);
    if (r.requestId) lines.push(`        request id: ${r.requestId}`);
  }
  if (report.resultsTruncated) lines.push(`… and more (${report.tables.total} tables in all)`);
  if (report.error) lines.push(`error: ${report.error}`, ...(report.hint ? [`  hint: ${report.hint}`] : []));
  lines.push(`result: ${report.tables.inSync} in sync, ${report.tables.pending} pending, ${report.tables.failed} failed`);
  return lines.join('\n');
}
