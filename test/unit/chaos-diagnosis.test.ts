// The chaos run's diagnosis of a divergent table: it is read only when a run fails, so it is checked
// here, where nothing has to fail first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { diagnose } from '../chaos/chaos-diagnosis.js';

const dir = mkdtempSync(join(tmpdir(), 'chaos-diagnosis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('names the source timeline, the histories and the daemon log lines of that table only (ns12.t32, not ns12.t320)', async () => {
  const log = join(dir, 'daemon.log');
  const lines = ['{"msg":"update chaos_mirror.ns12.t320"}', 'xns12.t32 is another name', ...Array.from({ length: 15 }, (_, i) => `{"msg":"retrying chaos_dr.ns12.t32: 503 (${i})"}`)];
  writeFileSync(log, lines.join('\n'));
  const text = await diagnose(
    [{ key: 'ns12.t32', timeline: [{ at: 1_000, present: true }, { at: 2_500, present: false }], histories: { 'dr/chaos_dr': [{ type: 'CREATE', timestamp: 7, metadataLocation: 'file:///w/ns12/t32/metadata/v2.metadata.json', status: 404, at: 2_000 }] } }],
    { path: join(dir, 'no-ledger.db') } as Parameters<typeof diagnose>[1],
    log,
    0,
  );
  expect(text).toContain('== ns12.t32');
  expect(text).toContain('source: ++1.0s -+2.5s');
  expect(text).toContain('  +2.0s CREATE 404 ts=7 v2.metadata.json');
  expect(text).not.toContain('t320');
  expect(text).not.toContain('xns12');
  // The newest 12 lines that name it.
  expect(text).not.toContain('503 (2)');
  expect(text).toContain('503 (3)');
  expect(text).toContain('503 (14)');
});

it('says nothing when nothing diverged', async () => {
  expect(await diagnose([], { path: join(dir, 'x.db') } as Parameters<typeof diagnose>[1], join(dir, 'none.log'), 0)).toBe('');
});
