// A Retry-After beyond any sense (or a ledger holding an absurd time) must neither stall `sync` nor
// break `status`: the wait is capped at polaris.retry.maxDelayMs, and every stored time renders.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/util/backoff.js';
import { findRow, syncWith } from '../support/engine.js';
import { runCli, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('Retry-After is capped at retry.maxDelayMs', () => {
  it('a Retry-After far beyond maxDelayMs waits maxDelayMs at most', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 60_000 };
    for (const retryAfterMs of [1e20, Number.MAX_SAFE_INTEGER, Infinity, 86_400_000]) {
      expect(backoffDelay(0, { ...options, retryAfterMs }, () => 0.5)).toBe(60_000);
    }
    // Within the cap it stays a floor.
    expect(backoffDelay(0, { ...options, retryAfterMs: 5_000 }, () => 0)).toBe(5_000);
  });

  it('sync converges after a 429 with Retry-After: 99999999999 instead of waiting for ever', async () => {
    const v1 = await h.writeTable(['sales'], 'orders');
    await h.writeConfig((c) => (c.polaris.retry = { baseDelayMs: 20, maxDelayMs: 300 }));
    h.emulator.failNext(1, { status: 429, headers: { 'retry-after': '99999999999' }, kinds: ['notification'] });
    const { summary, rows } = await syncWith(h);
    expect(summary).toMatchObject({ converged: true, created: 1, retries: 1 });
    expect(h.polarisState().get('sales.orders')).toBe(v1);
    expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'in_sync' });
  });
});

describe('every stored time renders', () => {
  it('status and status --json print times out of Date range instead of crashing', async () => {
    await h.writeTable(['sales'], 'orders');
    await h.writeTable(['sales'], 'broken', { fixture: 'TableMetadataUnsupportedVersion.json' });
    await syncWith(h);
    // A ledger written before the cap (or edited by hand) may hold any number.
    const db = new Database(h.statePath);
    db.prepare(`UPDATE tables SET next_attempt_at = ?, last_error = 'rate limited' WHERE name = 'broken'`).run(1e20);
    db.prepare(`UPDATE sources SET pass_started_at = ?, pass_ended_at = ?`).run(-1e20, 8.64e15 + 1);
    db.close();

    const json = await runCli(['status', '--config', h.configFile, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const [lake] = JSON.parse(json.stdout).sources;
    expect(lake.failed[0]).toMatchObject({ table: 'sales.broken', nextAttemptAt: expect.stringMatching(/^not a valid time: 100000000000000000000 ms/) });
    expect(lake.lastPass.startedAt).toMatch(/^not a valid time: -100000000000000000000 ms/);
    expect(lake.lastPass.endedAt).toMatch(/^not a valid time: 8640000000000001 ms/);

    const text = await runCli(['status', '--config', h.configFile]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/sales\.broken failed \(attempt \d+, next try not a valid time: 100000000000000000000 ms/);
  });
});
