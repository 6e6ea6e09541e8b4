// The files source under hostile trees, seen from the daemon: a FIFO named like a metadata file used
// to hang the listing forever — /readyz stayed ready and SIGTERM could not stop `run`. Now the pass
// completes with the FIFO skipped, and a pass that really does not end shows in /readyz.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListedItem } from '../../src/model/observation.js';
import { readiness } from '../../src/server/health.js';
import { openMirror } from '../support/engine.js';
import { startHarness, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor } from '../support/ingest-client.js';

describe('files source: FIFOs and stuck passes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.writeTable(['db'], 'good');
    await h.writeTable(['db'], 'fifo');
    execFileSync('mkfifo', [join(h.warehouse, 'db', 'fifo', 'metadata', 'v9999.metadata.json')]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a FIFO named like a metadata file: the pass completes, the table is skipped, SIGTERM stops run', async () => {
    const port = await freePort();
    await h.writeConfig((c) => {
      c.server = { port };
      c.sources[0].pollIntervalSeconds = 1;
    });
    const daemon = await startDaemon(h.configFile, port, {}, 60_000);
    try {
      const ready = await waitFor('a complete pass in /readyz', async () => {
        const body = (await (await fetch(`${daemon.baseUrl}/readyz`)).json()) as { checks: Record<string, { ok: boolean; detail: string }> };
        return body.checks['source:lake']?.detail.startsWith('last complete pass') ? body : undefined;
      }, 60_000);
      expect(ready.checks['source:lake']!.ok).toBe(true);
      await waitFor('db.good in Polaris', () => h.polarisState().has('db.good'), 60_000);
      expect(h.polarisState().has('db.fifo')).toBe(false);
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toEqual({ code: 0, signal: null });
      expect(daemon.output().stderr).toMatch(/not-a-regular-file|named pipe/);
    } finally {
      await daemon.kill();
    }
  }, 180_000);

  it('a pass that does not end turns /readyz unready after 3× the poll interval', async () => {
    await h.writeConfig((c) => {
      c.sources[0].pollIntervalSeconds = 10;
      c.state.path = join(h.dir, 'fresh', 'state.db'); // no pass recorded yet
    });
    const mirror = openMirror(h);
    const lake = mirror.sources.get('lake')!;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // A listing that hangs the way a dead NFS mount would: it yields nothing and never ends by itself.
    const hung = { name: 'lake', type: 'files', async *list(): AsyncIterable<ListedItem> { await released; } };
    try {
      const pass = mirror.reconciler.pass({ adapter: hung, sink: lake.sink, maxDropFraction: 0.25 });
      const started = Date.now();
      expect((await readiness(mirror, started + 5_000)).checks['source:lake']).toEqual({ ok: true, detail: 'first pass not finished yet' });
      const late = (await readiness(mirror, started + 31_000)).checks['source:lake']!;
      expect(late.ok).toBe(false);
      expect(late.detail).toMatch(/a pass has been running for 3\d s without finishing/);
      release();
      expect(await pass).toMatchObject({ complete: true, source: 'lake' });
      expect((await readiness(mirror)).checks['source:lake']).toMatchObject({ ok: true, detail: expect.stringMatching(/^last complete pass/) });
    } finally {
      release();
      await mirror.close();
    }
  });
});
