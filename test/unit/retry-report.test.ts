import { describe, expect, it } from 'vitest';
import { NOT_IN_SYNC_LISTED, reportRetry, RESULT_LINES_AT_MOST } from '../../src/cli/commands/retry-report.js';
import type { MirrorRow, TableStatus } from '../../src/ledger/rows.js';

/** The fields a retry's report reads, for table `t<id>` of namespace `db`. */
function row(id: number, status: TableStatus, hint?: string): MirrorRow {
  return {
    id,
    source: 'lake',
    table: { namespace: ['db'], name: `t${id}` },
    status,
    lastError: status === 'in_sync' ? null : `Polaris answered 403 ForbiddenException: not allowed on db.t${id}`,
    lastHint: status === 'in_sync' ? null : (hint ?? null),
    lastRequestId: status === 'in_sync' ? null : `req-${id}`,
  } as unknown as MirrorRow;
}

async function report(rows: MirrorRow[]): Promise<{ lines: string[]; notInSync: number }> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lines: string[] = [];
  const notInSync = await reportRetry({ get: async (id) => byId.get(id) }, rows.map((r) => r.id), async (text) => void lines.push(...text.split('\n')), 'mirror.yaml');
  return { lines, notInSync };
}

describe("retry's report", () => {
  it('a line per table up to the limit, with error, hint and request id; no summary', async () => {
    const rows = Array.from({ length: RESULT_LINES_AT_MOST }, (_, i) => row(i + 1, i % 2 === 0 ? 'in_sync' : 'failed', 'grant it'));
    const { lines, notInSync } = await report(rows);
    expect(notInSync).toBe(RESULT_LINES_AT_MOST / 2);
    expect(lines.filter((l) => l.startsWith('ok      lake: db.t'))).toHaveLength(RESULT_LINES_AT_MOST / 2);
    expect(lines.filter((l) => l.startsWith('failed  lake: db.t'))).toHaveLength(RESULT_LINES_AT_MOST / 2);
    expect(lines.slice(0, 5)).toEqual([
      'ok      lake: db.t1',
      'failed  lake: db.t2 — Polaris answered 403 ForbiddenException: not allowed on db.t2',
      '        hint: grant it',
      '        request id: req-2',
      'ok      lake: db.t3',
    ]);
    expect(lines.some((l) => l.startsWith('retried '))).toBe(false);
  });

  it('above the limit: the first tables not in sync, the counts, the commonest reasons first, the rest counted', async () => {
    // 3,000 tables: 1,000 in sync, then 1,900 failed for six reasons, then 100 pending for the first reason.
    const rows: MirrorRow[] = [];
    for (let id = 1; id <= 1000; id++) rows.push(row(id, 'in_sync'));
    const failing = { a: 200, b: 600, c: 500, d: 400, e: 150, f: 50 };
    let id = 1001;
    for (const [reason, tables] of Object.entries(failing)) for (let n = 0; n < tables; n++) rows.push(row(id++, 'failed', reason));
    for (let n = 0; n < 100; n++) rows.push(row(id++, 'pending', 'a'));
    const { lines, notInSync } = await report(rows);
    expect(notInSync).toBe(2000);

    const listed = lines.filter((l) => /^(ok|failed|pending) +lake: /.test(l));
    expect(listed).toHaveLength(NOT_IN_SYNC_LISTED);
    expect(listed[0]).toBe('failed  lake: db.t1001 — Polaris answered 403 ForbiddenException: not allowed on db.t1001');
    expect(listed.at(-1)).toBe(`failed  lake: db.t${1000 + NOT_IN_SYNC_LISTED} — Polaris answered 403 ForbiddenException: not allowed on db.t${1000 + NOT_IN_SYNC_LISTED}`);

    const summary = lines.slice(lines.indexOf(`retried 3000 tables: 1000 in sync, 1900 failed, 100 pending (the first ${NOT_IN_SYNC_LISTED} not in sync are listed above)`));
    expect(summary.length).toBeGreaterThan(1);
    expect(summary.filter((l) => l.includes(' × hint: '))).toEqual(['  600 × hint: b', '  500 × hint: c', '  400 × hint: d', '  300 × hint: a', '  150 × hint: e']);
    expect(summary[2]).toBe('      e.g. lake: db.t1201 — Polaris answered 403 ForbiddenException: not allowed on db.t1201');
    expect(summary).toContain('  50 more for other reasons');
    expect(summary.at(-1)).toBe('`polaris-mirror status --config mirror.yaml` lists the failed tables with their hints');
  });

  it('reasons past the five it names are counted together', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => row(i + 1, 'failed', `reason ${i}`));
    const { lines } = await report(rows);
    expect(lines.filter((l) => l.includes(' × hint: '))).toHaveLength(5);
    expect(lines).toContain('  1495 more for other reasons');
  });

  it("a hint naming each table's own location counts as one reason", async () => {
    const rows = Array.from({ length: RESULT_LINES_AT_MOST + 1 }, (_, i) =>
      row(i + 1, 'failed', `add "s3://lake/db/t${i + 1}" (or a parent) to the allowedLocations of catalog "lake_mirror"`),
    );
    const { lines } = await report(rows);
    expect(lines.filter((l) => l.includes(' × hint: '))).toEqual([`  ${RESULT_LINES_AT_MOST + 1} × hint: add "…" (or a parent) to the allowedLocations of catalog "lake_mirror"`]);
    expect(lines).not.toContain(expect.stringContaining('other reasons'));
  });

  it('above the limit, all in sync: the counts alone', async () => {
    const rows = Array.from({ length: RESULT_LINES_AT_MOST + 1 }, (_, i) => row(i + 1, 'in_sync'));
    const { lines, notInSync } = await report(rows);
    expect(notInSync).toBe(0);
    expect(lines).toEqual([`retried ${RESULT_LINES_AT_MOST + 1} tables: ${RESULT_LINES_AT_MOST + 1} in sync, 0 failed, 0 pending`]);
  });
});
