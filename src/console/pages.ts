import { dottedName, polarisDisplayName } from '../model/table.js';
import type { RefreshReport } from '../engine/scoped-refresh.js';
import { ACTIVITY_MINUTES, type MinuteCounts } from '../telemetry/activity-ring.js';
import { timeText } from '../util/time-text.js';
import type { Overview, Problem, ProblemFilter, SourceView, TableDetail } from './console-data.js';
import { html, query, type Html } from './html.js';

/** The frame of every page: no inline script or style (the Content-Security-Policy forbids both). */
export function layout(title: string, body: Html, csrf?: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${csrf === undefined ? '' : html`<meta name="console-csrf" content="${csrf}">`}
<title>${title} · polaris-mirror</title>
<link rel="stylesheet" href="/ui/console.css">
<script src="/ui/console.js" defer></script>
</head>
<body>
<header class="top"><a class="brand" href="/ui/">polaris-mirror</a>${csrf === undefined ? '' : html`<button type="button" class="link" data-action="logout">Log out</button>`}</header>
<div id="notice" role="status" aria-live="polite" hidden></div>
<main>
${body}
</main>
</body>
</html>`;
}

export function loginPage(error?: string): Html {
  return layout(
    'Log in',
    html`<section class="login">
<h1>Console</h1>
<p>Enter the console token (<code>server.console.token</code>, or an ingest endpoint's token when none is set).</p>
${error === undefined ? '' : html`<p class="error" id="login-error">${error}</p>`}
<form method="post" action="/ui/login" autocomplete="off">
<label for="token">Token</label>
<input id="token" name="token" type="password" required maxlength="1024" autofocus>
<button type="submit">Log in</button>
</form>
</section>`,
  );
}

export function disabledPage(): Html {
  return layout(
    'Console off',
    html`<section class="login"><h1>The console is off</h1>
<p>Set <code>server.console.token</code> in the configuration (it may be <code>\${ENV_VAR}</code>) and restart <code>run</code>.</p></section>`,
  );
}

export function overviewPage(view: Overview, filter: ProblemFilter, csrf: string, now = Date.now()): Html {
  return layout(
    'Overview',
    html`<h1>Sources</h1>
<div class="sources">${view.sources.map((s) => sourceCard(s, now))}</div>
<h2 id="problems">Failed and retrying tables <span class="count">${view.problemsTotal}</span></h2>
${problemFilter(view, filter)}
${problemTable(view.problems, view.problemsTotal)}
<h2>Recent refreshes</h2>
${refreshList(view.refreshes)}`,
    csrf,
  );
}

function sourceCard(s: SourceView, now: number): Html {
  const summary = (s.lastPass?.summary ?? null) as { listed?: number; observed?: { accepted?: number; unchanged?: number } } | null;
  return html`<section class="card" data-source="${s.name}">
<header><h3>${s.name}</h3><span class="type">${s.type}</span><span class="health ${s.health.ok ? 'ok' : 'bad'}" title="${s.health.detail}">${s.health.ok ? 'healthy' : 'unhealthy'}</span></header>
${s.health.ok ? '' : html`<p class="error">${s.health.detail}</p>`}
<dl>
<dt>Tables</dt><dd><span class="n-sync">${s.tables.inSync} in sync</span> · <span class="n-pending">${s.tables.pending} pending</span> · <span class="n-failed">${s.tables.failed} failed</span></dd>
<dt>Lag</dt><dd>${s.lagSeconds === null ? '—' : duration(s.lagSeconds)}</dd>
<dt>Cursor</dt><dd class="mono">${s.cursor === null ? '—' : clip(s.cursor, 80)}</dd>
<dt>Last pass</dt><dd>${s.lastPass?.endedAt ? html`${ago(now, s.lastPass.endedAt)}${s.lastPass.complete ? '' : ' (incomplete)'}${summary ? html` — ${summary.listed ?? 0} listed, ${summary.observed?.accepted ?? 0} changed, ${summary.observed?.unchanged ?? 0} unchanged` : ''}` : '—'}</dd>
</dl>
${s.lastError ? html`<p class="error">${s.lastError}${s.lastHint ? html`<br><span class="hint">hint: ${s.lastHint}</span>` : ''}</p>` : ''}
${chart(s.activity)}
<div class="actions">
<button type="button" data-action="retry" data-source="${s.name}">Retry failed</button>
<button type="button" data-action="refresh" data-source="${s.name}">Refresh source</button>
</div>
</section>`;
}

/** Notifications (bars) and failures (red, on top) per minute over the last hour, as inline SVG. */
export function chart(minutes: readonly MinuteCounts[]): Html {
  const width = 4;
  const height = 40;
  const max = Math.max(1, ...minutes.map((m) => m.notifications + m.failures));
  const total = minutes.reduce((n, m) => n + m.notifications, 0);
  const failures = minutes.reduce((n, m) => n + m.failures, 0);
  const bars = minutes.map((m, i) => {
    const n = Math.round((m.notifications / max) * height);
    const f = Math.round((m.failures / max) * height);
    const label = `${timeText(m.minute).slice(11, 16)} UTC: ${m.notifications} notifications, ${m.failures} failures`;
    return html`<g><title>${label}</title>${n > 0 ? html`<rect class="bar-n" x="${i * width}" y="${height - n}" width="${width - 1}" height="${n}"></rect>` : ''}${f > 0 ? html`<rect class="bar-f" x="${i * width}" y="${height - n - f}" width="${width - 1}" height="${f}"></rect>` : ''}</g>`;
  });
  return html`<figure class="chart"><svg viewBox="0 0 ${ACTIVITY_MINUTES * width} ${height}" preserveAspectRatio="none" role="img" aria-label="notifications and failures per minute over the last hour">${bars}</svg>
<figcaption>last hour: <span class="chart-n">${total} notifications</span>, <span class="chart-f">${failures} failures</span></figcaption></figure>`;
}

function problemFilter(view: Overview, filter: ProblemFilter): Html {
  return html`<form class="filter" method="get" action="/ui/" role="search">
<label>Source <select name="source"><option value="">all</option>${view.sources.map((s) => html`<option value="${s.name}"${s.name === filter.source ? html` selected` : ''}>${s.name}</option>`)}</select></label>
<label>Status <select name="status"><option value="">failed and retrying</option><option value="failed"${filter.status === 'failed' ? html` selected` : ''}>failed</option><option value="retrying"${filter.status === 'retrying' ? html` selected` : ''}>retrying</option></select></label>
<label>Search <input type="search" name="q" value="${filter.search ?? ''}" maxlength="200" placeholder="table, error or hint"></label>
<button type="submit">Filter</button>
</form>`;
}

function problemTable(problems: readonly Problem[], total: number): Html {
  if (problems.length === 0) return html`<p class="empty">No failed or retrying tables.</p>`;
  return html`<table class="problems">
<thead><tr><th>Source</th><th>Table</th><th>Status</th><th>Reason and hint</th><th>Attempts</th><th>Next attempt</th><th></th></tr></thead>
<tbody>${problems.map(({ row, kind }) => {
    const table = dottedName(row.table);
    return html`<tr data-table="${table}">
<td>${row.source}</td>
<td><a href="/ui/table${query({ id: row.id })}">${table}</a></td>
<td><span class="status ${kind}">${kind}</span></td>
<td><div class="message">${row.lastError ?? ''}</div>${row.lastHint ? html`<div class="hint">hint: ${row.lastHint}</div>` : ''}${row.lastRequestId ? html`<div class="request-id">request id <code>${row.lastRequestId}</code></div>` : ''}</td>
<td>${row.attempts}</td>
<td>${row.nextAttemptAt > 0 ? timeText(row.nextAttemptAt) : 'now'}</td>
<td class="actions"><button type="button" data-action="retry" data-source="${row.source}" data-table="${table}">Retry now</button>
<button type="button" data-action="refresh" data-source="${row.source}" data-namespace="${JSON.stringify(row.table.namespace)}" data-table="${row.table.name}">Refresh</button></td>
</tr>`;
  })}</tbody></table>${total > problems.length ? html`<p class="empty">… ${total - problems.length} more; narrow the filter.</p>` : ''}`;
}

function refreshList(refreshes: readonly RefreshReport[]): Html {
  if (refreshes.length === 0) return html`<p class="empty">None since the daemon started.</p>`;
  return html`<table class="refreshes"><thead><tr><th>Scope</th><th>State</th><th>Started</th><th>Result</th></tr></thead><tbody>${refreshes.map(
    (r) => html`<tr data-refresh="${r.id}"><td>${r.scope.source}${r.scope.namespace ? html`: ${[...r.scope.namespace, ...(r.scope.table ? [r.scope.table] : [])].join('.')}` : ''}</td>
<td><span class="status ${r.state}">${r.state}</span></td><td>${r.startedAt}</td>
<td>${r.tables.inSync} in sync, ${r.tables.pending} pending, ${r.tables.failed} failed${r.error ? html`<div class="message">${r.error}</div>` : ''}</td></tr>`,
  )}</tbody></table>`;
}

export function tablePage(detail: TableDetail, csrf: string): Html {
  const { row, history } = detail;
  const table = dottedName(row.table);
  return layout(
    table,
    html`<p class="crumbs"><a href="/ui/">Overview</a> › ${row.source}</p>
<h1>${table}</h1>
<p>In Polaris: <code>${polarisDisplayName(row.target)}</code> · <span class="status ${row.status}">${row.status.replace('_', ' ')}</span></p>
<div class="actions">
<button type="button" data-action="retry" data-source="${row.source}" data-table="${table}">Retry now</button>
<button type="button" data-action="refresh" data-source="${row.source}" data-namespace="${JSON.stringify(row.table.namespace)}" data-table="${row.table.name}">Refresh table</button>
<button type="button" data-action="refresh" data-source="${row.source}" data-namespace="${JSON.stringify(row.table.namespace)}">Refresh namespace</button>
</div>
<table class="compare">
<thead><tr><th></th><th>Desired (the source)</th><th>Applied (Polaris accepted)</th></tr></thead>
<tbody>
<tr><th>State</th><td>${row.desired.state}</td><td>${row.applied.state ?? 'never sent'}</td></tr>
<tr><th>Metadata location</th><td class="mono" id="desired-location">${row.desired.metadataLocation ?? '—'}</td><td class="mono" id="applied-location">${row.applied.metadataLocation ?? '—'}</td></tr>
<tr><th>Timestamp</th><td>${row.desired.timestamp} (${timeText(row.desired.timestamp)})</td><td>${row.applied.timestamp === null ? '—' : html`${row.applied.timestamp} (${timeText(row.applied.timestamp)})`}</td></tr>
<tr><th>When</th><td>source time ${timeText(row.desired.sourceTimeMs)}</td><td>${row.applied.at === null ? '—' : html`applied ${timeText(row.applied.at)}`}</td></tr>
<tr><th>Table UUID</th><td class="mono">${row.desired.tableUuid ?? '—'}</td><td class="mono">${row.applied.tableUuid ?? '—'}</td></tr>
</tbody></table>
${row.lastError ? html`<p class="error">${row.lastError}${row.lastHint ? html`<br><span class="hint">hint: ${row.lastHint}</span>` : ''}</p>` : ''}
<h2>Last operations</h2>
${history.length === 0 ? html`<p class="empty">No operation recorded yet.</p>` : html`<table class="history"><thead><tr><th>When</th><th>Action</th><th>Outcome</th><th>Request id</th><th>Polaris requests</th></tr></thead><tbody>${history.map(
      (op) => html`<tr><td>${timeText(op.at)}</td><td>${op.action}</td><td><span class="status ${op.outcome}">${op.outcome}</span>${op.detail ? html`<div class="message">${op.detail}</div>` : ''}</td><td><code>${op.requestId ?? '—'}</code></td><td><ul class="calls">${op.calls.map((c) => html`<li class="mono">${c}</li>`)}</ul></td></tr>`,
    )}</tbody></table>`}`,
    csrf,
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function ago(now: number, at: number): string {
  return `${duration(Math.max(0, (now - at) / 1000))} ago`;
}

function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}…`;
}
