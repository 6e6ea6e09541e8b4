// Request ids end to end: every request to Polaris carries X-Request-ID (one id per table operation,
// shared by its VALIDATE, load and notification), and the same id is in the connector's log line, in
// the ledger's last error, in the table's operation history and in `status --json`.
import type { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { Mirror } from '../../src/engine/mirror.js';
import { runSync } from '../../src/cli/commands/sync.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { findRow, syncWith } from '../support/engine.js';
import { CATALOG, runCli, startHarness, type Harness } from '../support/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** A sync in-process whose log lines are kept (JSON, one object per line). */
async function syncLogged(): Promise<{ lines: Array<Record<string, unknown>> }> {
  const loaded = loadConfig(h.configFile);
  const lines: Array<Record<string, unknown>> = [];
  const redactor = new Redactor(loaded.secrets);
  const logger = createLogger({ level: 'info', redactor, destination: { write: (line) => void lines.push(JSON.parse(line)) }, repeatWindowMs: 0 });
  const mirror = new Mirror({ loaded, logger, metrics: new Metrics(), redactor });
  try {
    await runSync(mirror, { progress: false });
  } finally {
    await mirror.close();
  }
  return { lines };
}

describe('X-Request-ID', () => {
  it('every request to Polaris carries one; a table operation uses one id for all its requests, each operation its own', async () => {
    await h.writeTable(['sales'], 'orders');
    // Another namespace: tables of one directory and namespace share one VALIDATE (validation-scope.ts).
    await h.writeTable(['stock'], 'items');
    const { rows } = await syncWith(h);

    const requests = h.emulator.requests().filter((r) => r.kind !== 'token');
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r.requestId, `${r.method} ${r.path}`).toMatch(UUID);

    const orders = h.emulator.history(CATALOG, ['sales'], 'orders');
    const items = h.emulator.history(CATALOG, ['stock'], 'items');
    expect(orders.map((e) => e.type)).toEqual(['VALIDATE', 'CREATE']);
    // VALIDATE and CREATE are one operation: one id. Another table's operation: another id.
    expect(orders[0]!.requestId).toBe(orders[1]!.requestId);
    expect(items[1]!.requestId).not.toBe(orders[1]!.requestId);
    expect(findRow(rows, 'sales.orders')!.lastRequestId).toBe(orders[1]!.requestId);

    // The next operation on the same table gets a new id.
    await h.writeTable(['sales'], 'orders');
    const second = await syncWith(h);
    const after = h.emulator.history(CATALOG, ['sales'], 'orders');
    expect(after[2]).toMatchObject({ type: 'UPDATE', status: 204 });
    expect(after[2]!.requestId).not.toBe(orders[1]!.requestId);
    expect(findRow(second.rows, 'sales.orders')!.lastRequestId).toBe(after[2]!.requestId);
  });

  it('a failed operation: its id is in the log line, the ledger, the table history and status --json, and Polaris logged it', async () => {
    await h.writeTable(['sales'], 'orders');
    // Polaris refuses the CREATE (after VALIDATE passed), as a lost privilege would.
    h.emulator.failNext(1, { status: 403, body: { error: { message: 'Principal is not authorized', type: 'ForbiddenException', code: 403 } }, kinds: ['notification'] });
    const { lines } = await syncLogged();

    const failedLine = lines.find((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('failed lake_mirror.sales.orders'));
    expect(failedLine, JSON.stringify(lines)).toBeDefined();
    const requestId = failedLine!.requestId as string;
    expect(requestId).toMatch(UUID);
    expect(failedLine!.msg).toContain(`(request id ${requestId})`);

    // Polaris saw that id on the refused request.
    const refused = h.emulator.requests().filter((r) => r.requestId === requestId);
    expect(refused.map((r) => r.status)).toContain(403);

    const status = await runCli(['status', '--json', '--config', h.configFile]);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { sources: Array<{ failed: Array<{ table: string; requestId: string | null; message: string }> }> };
    expect(report.sources[0]!.failed).toEqual([expect.objectContaining({ table: 'sales.orders', requestId })]);

    const text = await runCli(['status', '--config', h.configFile]);
    expect(text.stdout).toContain(`request id: ${requestId}`);

    const mirror = new Mirror({ loaded: loadConfig(h.configFile), logger: createLogger({ level: 'silent', redactor: new Redactor([]) }), metrics: new Metrics(), redactor: new Redactor([]) });
    try {
      const row = (await mirror.ledger.rowsNamed('sales.orders'))[0]!;
      expect(row.lastRequestId).toBe(requestId);
      const history = await mirror.ledger.history(row.id);
      expect(history[0]).toMatchObject({ requestId, action: 'none', outcome: 'failed' });
      expect(history[0]!.calls.some((c) => /^POST .*\/notifications → 403 \(\d+ ms\)$/.test(c))).toBe(true);
    } finally {
      await mirror.close();
    }
  });

  it('the table history keeps only the last operations of each table', async () => {
    const { OPERATIONS_KEPT_PER_TABLE } = await import('../../src/ledger/operation-history.js');
    await h.writeTable(['sales'], 'orders');
    for (let i = 0; i < OPERATIONS_KEPT_PER_TABLE + 3; i++) {
      await h.writeTable(['sales'], 'orders');
      await syncWith(h);
    }
    const mirror = new Mirror({ loaded: loadConfig(h.configFile), logger: createLogger({ level: 'silent', redactor: new Redactor([]) }), metrics: new Metrics(), redactor: new Redactor([]) });
    try {
      const row = (await mirror.ledger.rowsNamed('sales.orders'))[0]!;
      const history = await mirror.ledger.history(row.id);
      expect(history).toHaveLength(OPERATIONS_KEPT_PER_TABLE);
      expect(history[0]!.requestId).toBe(row.lastRequestId);
      expect(history.every((op) => op.action === 'update' && op.outcome === 'applied')).toBe(true);
      const count = (mirror.ledger as SqliteLedger).store.db.prepare('SELECT COUNT(*) AS n FROM table_operations WHERE table_id = ?').get(row.id) as { n: number };
      expect(count.n).toBe(OPERATIONS_KEPT_PER_TABLE);
    } finally {
      await mirror.close();
    }
  });
});
