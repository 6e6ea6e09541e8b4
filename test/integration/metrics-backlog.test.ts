// /metrics's table gauges and backlog come from one walk over the ledger (Ledger.counts; on SQLite a span
// of rows at a time, see test/unit/sqlite-unseen-spans.test.ts): the backlog is the tables not in sync
// whose retry time has come.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMirror, type ServedMirror } from '../support/engine.js';
import { CATALOG } from '../support/harness.js';
import { present } from '../unit/support.js';

const location = (name: string) => `s3://lake/db/${name}/metadata/00001-a.metadata.json`;

/** One sample's value from the exposition text, undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('/metrics: tables by status and the backlog', () => {
  let served: ServedMirror;

  beforeAll(async () => {
    served = await serveMirror((c) => {
      c.server = { host: '127.0.0.1', port: 0 };
      c.sources = [{ name: 'hooks', type: 'webhook', token: 'backlog-token-5d1f', target: { catalog: CATALOG } }];
    });
  });
  afterAll(async () => {
    await served?.close();
  });

  const scrape = async () => await (await fetch(`${served.base}/metrics`)).text();

  it('counts the tables due now, not those waiting for their retry time', async () => {
    const { mirror } = served;
    // No dispatcher runs here: what is committed stays pending, and due at once.
    await mirror.ledger.commit({ observations: ['a', 'b', 'c', 'd'].map((name) => present(location(name), { order: 1, name, source: 'hooks' })) });
    let text = await scrape();
    expect(sample(text, 'polaris_mirror_tables{source="hooks",status="pending"}')).toBe(4);
    expect(sample(text, 'polaris_mirror_ledger_backlog')).toBe(4);

    const rows = (await mirror.ledger.rowsOfSource('hooks')).sort((x, y) => x.table.name.localeCompare(y.table.name));
    const [a, b, c] = rows;
    // Failed, retried in a minute; a transient failure retried in a minute; applied.
    await mirror.ledger.applyOutcome({ kind: 'failed', id: a!.id, rev: a!.rev, error: 'refused', hint: 'fix it', delayMs: 60_000 });
    await mirror.ledger.applyOutcome({ kind: 'retry', id: b!.id, rev: b!.rev, error: 'busy', delayMs: 60_000 });
    await mirror.ledger.applyOutcome({ kind: 'applied', id: c!.id, rev: c!.rev, applied: { state: 'present', metadataLocation: location('c'), tableUuid: null, timestamp: c!.desired.timestamp } });
    text = await scrape();
    expect(sample(text, 'polaris_mirror_tables{source="hooks",status="pending"}')).toBe(2);
    expect(sample(text, 'polaris_mirror_tables{source="hooks",status="failed"}')).toBe(1);
    expect(sample(text, 'polaris_mirror_tables{source="hooks",status="in_sync"}')).toBe(1);
    expect(sample(text, 'polaris_mirror_ledger_backlog')).toBe(1);

    // Once their retry time has come, both count again.
    const counts = await mirror.ledger.counts(Date.now() + 120_000);
    expect(counts).toEqual([{ source: 'hooks', inSync: 1, pending: 2, failed: 1, due: 3 }]);
  });
});
