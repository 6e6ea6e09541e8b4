// The web console in a real browser: Debian's Chromium driven by playwright-core, against a daemon
// with a files source and the Polaris emulator. Logs in, reads the sources and the failed tables
// (hostile names shown as text), filters, clicks "Retry now" and "Refresh", and checks what Polaris
// received; keeps screenshots of the main views in docs/.
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore as Ledger } from '../../src/ledger/sqlite/sqlite-store.js';
import { packageRoot } from '../../src/util/package-info.js';
import { command } from '../support/system-packages.js';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

const CONSOLE_TOKEN = 'console-token-5e8a1c3f9b7d';
/** A table name that would run a script if the console put it into the page as HTML. */
const HOSTILE = '<img src=x onerror="window.pwned=1">';
const WAIT_MS = 60_000;
/**
 * Screenshots go to docs/ (the README shows them) only when asked, so a test run leaves the tree
 * clean: CONSOLE_SCREENSHOTS=docs npx vitest run test/integration/console-browser.test.ts
 */
const screenshot = (name: string) => (process.env.CONSOLE_SCREENSHOTS === 'docs' ? join(packageRoot(), 'docs', name) : join(h.dir, name));

let h: Harness;

describe('the web console', () => {
  let daemon: Daemon;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  const failedCount = () => {
    const ledger = Ledger.open(h.statePath, { readonly: true });
    try {
      return ledger.counts().reduce((n, c) => n + c.failed, 0);
    } finally {
      ledger.close();
    }
  };

  beforeAll(async () => {
    h = await startHarness();
    await h.writeTable(['sales'], 'orders');
    await h.writeTable(['sales'], HOSTILE);
    await h.writeTable(['ops'], 'jobs');
    // Polaris cannot assume the catalog's storage role: every table fails until it can.
    h.emulator.denyStorageRole(CATALOG);
    const port = await freePort();
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port, console: { token: '${TEST_CONSOLE_TOKEN}' } };
      c.polaris.retry = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 };
      c.sources[0].pollIntervalSeconds = 3600;
      c.sources[0].reconcileIntervalSeconds = 3600;
    });
    daemon = await startDaemon(h.configFile, port, { TEST_CONSOLE_TOKEN: CONSOLE_TOKEN });
    await waitFor('three failed tables', () => failedCount() === 3, WAIT_MS);
    browser = await chromium.launch({ executablePath: command('chromium'), args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await daemon?.kill();
    await h?.close();
  });

  it('asks for the token, refuses a wrong one, and keeps the right one out of URLs and scripts', async () => {
    await page.goto(`${daemon.baseUrl}/ui/`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('#token', 'not-the-console-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#login-error')).toContain('not the console token');

    await page.fill('#token', CONSOLE_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${daemon.baseUrl}/ui/`);
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toContain(CONSOLE_TOKEN);
    expect(await page.content()).not.toContain(CONSOLE_TOKEN);
    expect(page.url()).not.toContain(CONSOLE_TOKEN);
    // The session cookie is HttpOnly: no script on the page can read it.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows the source and its failed tables with reason, hint, attempts and request id; hostile names stay text', async () => {
    const card = page.locator('.card[data-source="lake"]');
    await expect.poll(() => card.locator('.n-failed').textContent()).toBe('3 failed');
    expect(await card.locator('.type').textContent()).toBe('files');
    expect(await card.locator('figcaption').textContent()).toMatch(/last hour: \d+ notifications, [1-9]\d* failures/);

    const rows = page.locator('table.problems tbody tr');
    expect(await rows.count()).toBe(3);
    const hostileRow = page.locator(`table.problems tr[data-table="${`sales.${HOSTILE}`.replace(/"/g, '\\"')}"]`);
    expect(await hostileRow.locator('td').nth(1).textContent()).toBe(`sales.${HOSTILE}`);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    const orders = page.locator('table.problems tr[data-table="sales.orders"]');
    expect(await orders.locator('.status').textContent()).toBe('failed');
    expect(await orders.locator('.message').textContent()).toMatch(/\S/);
    expect(await orders.locator('.hint').textContent()).toMatch(/^hint: /);
    expect(await orders.locator('.request-id code').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    await page.screenshot({ path: screenshot('console-overview.png'), fullPage: true });
  });

  it('filters by status and searches names, errors and hints', async () => {
    await page.fill('input[name=q]', 'orders');
    await page.click('form.filter button[type=submit]');
    await page.waitForURL(/q=orders/);
    expect(await page.locator('table.problems tbody tr').count()).toBe(1);
    await page.selectOption('select[name=status]', 'retrying');
    await page.click('form.filter button[type=submit]');
    await page.waitForURL(/status=retrying/);
    expect(await page.locator('table.problems').count()).toBe(0);
    expect(await page.locator('p.empty').first().textContent()).toContain('No failed or retrying tables');
    await page.goto(`${daemon.baseUrl}/ui/`);
  });

  it('"Retry now" on one table: Polaris receives it, and only it', async () => {
    h.emulator.denyStorageRole(CATALOG, false);
    await page.click('table.problems tr[data-table="sales.orders"] button[data-action="retry"]');
    await expect.poll(() => page.textContent('#notice')).toContain('Retry of lake: sales.orders: 1 table(s) due now');
    await waitFor('sales.orders in Polaris', () => h.polarisState().has('sales.orders'), WAIT_MS);
    expect(h.polarisState().has('ops.jobs')).toBe(false);
    const created = h.emulator.history(CATALOG, ['sales'], 'orders').find((e) => e.type === 'CREATE' && e.status === 204);
    expect(created?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('"Refresh source": the daemon re-reads the source and converges the rest; the page follows it to the end', async () => {
    await page.goto(`${daemon.baseUrl}/ui/`);
    await page.click('.card[data-source="lake"] button[data-action="refresh"]');
    await expect.poll(() => page.textContent('#notice'), { timeout: WAIT_MS }).toMatch(/Refresh of lake done: 3 in sync, 0 pending, 0 failed/);
    expect([...h.polarisState().keys()].sort()).toEqual(['ops.jobs', 'sales.orders', `sales.${HOSTILE}`].sort());
    await page.reload();
    expect(await page.locator('.card[data-source="lake"] .n-sync').textContent()).toBe('3 in sync');
    expect(await page.locator('table.refreshes tbody tr').first().locator('.status').textContent()).toBe('done');
  });

  it('the table page: desired vs applied, and its last operations with the request ids Polaris saw', async () => {
    await page.goto(`${daemon.baseUrl}/ui/`);
    // The table is in sync now: reach it through the last refresh's scope… or straight from its id.
    const ledger = Ledger.open(h.statePath, { readonly: true });
    const id = ledger.rowsNamed('sales.orders')[0]!.id;
    ledger.close();
    await page.goto(`${daemon.baseUrl}/ui/table?id=${id}`);
    expect(await page.textContent('h1')).toBe('sales.orders');
    const location = h.polarisState().get('sales.orders')!;
    expect(await page.textContent('#desired-location')).toBe(location);
    expect(await page.textContent('#applied-location')).toBe(location);
    const seen = new Set(h.emulator.history(CATALOG, ['sales'], 'orders').map((e) => e.requestId));
    const shown = await page.locator('table.history tbody tr td:nth-child(4) code').allTextContents();
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown.some((requestId) => seen.has(requestId))).toBe(true);
    expect(await page.locator('table.history tbody tr').first().locator('.status').textContent()).toBe('applied');
    await page.screenshot({ path: screenshot('console-table.png'), fullPage: true });
  });

  it('actions need the CSRF header with the cookie, or the token; the pages need a session', async () => {
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const body = JSON.stringify({ source: 'lake' });
    const cookieOnly = await fetch(`${daemon.baseUrl}/v1/refresh`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    expect(cookieOnly.status).toBe(401);
    const nothing = await fetch(`${daemon.baseUrl}/v1/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(nothing.status).toBe(401);
    const anonymous = await fetch(`${daemon.baseUrl}/ui/`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/ui/login');
    const withSession = await fetch(`${daemon.baseUrl}/ui/`, { headers: { cookie } });
    expect(withSession.status).toBe(200);
    expect(withSession.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(daemon.output().stderr).not.toContain(CONSOLE_TOKEN);
  });
});
