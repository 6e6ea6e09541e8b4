// A source catalog whose listings never end, end to end: `sync` records a failed pass with the reason
// and drops nothing that was mirrored; `plan` ends with exit 1 and says why (it used to hang).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncWith } from '../support/engine.js';
import { runCli } from '../support/harness.js';
import { startRestScenario, type RestScenario } from './rest-support.js';

describe('REST listings that never end', () => {
  let s: RestScenario;
  beforeAll(async () => {
    s = await startRestScenario({ rest: { maxPageSize: 1 } });
    await s.rest.createTable(['sales'], 'orders');
    await s.rest.createTable(['sales'], 'returns');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  }, 180_000);

  it('sync: a failed pass naming the cause, and nothing dropped', async () => {
    const first = await syncWith(s.h);
    expect(first.summary.converged).toBe(true);
    expect([...s.h.polarisState().keys()].sort()).toEqual(['sales.orders', 'sales.returns']);

    for (const mode of ['cycling-tokens', 'endless-depth'] as const) {
      s.rest.misbehave(mode);
      const { summary } = await syncWith(s.h);
      expect(summary.passes).toHaveLength(1);
      expect(summary.passes[0]).toMatchObject({ complete: false });
      expect(summary.passes[0]!.error).toMatch(mode === 'cycling-tokens' ? /go round in a circle/ : /levels deep/);
      expect(summary.passes[0]!.error).toMatch(/nothing was dropped/);
      expect(summary.dropped).toBe(0);
      expect([...s.h.polarisState().keys()].sort()).toEqual(['sales.orders', 'sales.returns']);
    }
    s.rest.misbehave(undefined);
  }, 180_000);

  it('plan ends with exit 1 and the reason instead of hanging', async () => {
    s.rest.misbehave('endless-depth');
    try {
      const result = await runCli(['plan', '--config', s.h.configFile], {}, 150_000);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout + result.stderr).toMatch(/the listing failed: .*levels deep, more than the 32 a listing follows/);
    } finally {
      s.rest.misbehave(undefined);
    }
  });
});
