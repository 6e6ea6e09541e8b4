// A shortened chaos run inside `npm test` (the full one is `npm run chaos`): the real daemon under
// Polaris faults, killed with SIGKILL while the source changes, must still converge exactly, never
// drop a table that existed, and explain every failure. Few tables with Polaris latency make changes
// land while their table is in flight, the race the ledger's revision check exists for.
import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/chaos-run.js';
import { startPostgres } from '../support/postgres-server.js';

describe('chaos, shortened', () => {
  it('converges after SIGKILLs under 503/429/resets/slow answers/expiring tokens', async () => {
    // Convergence is waited for, not timed: a table that meets several faults in a row backs off for tens
    // of seconds, and a loaded machine (load average 20+) stretches every step, so the wait is generous.
    const report = await runChaos({ tables: 60, changes: 1_200, kills: 3, changeSeconds: 15, latencyMs: 40, convergeTimeoutSeconds: 180 });
    expect(report.killsSurvived).toBe(3);
    // Faults did happen (about 17% of requests; how many requests a run makes varies with the machine).
    expect(report.faultsInjected).toBeGreaterThan(10);
    expect(report.divergent, report.diagnosis).toEqual([]);
    expect(report.wrongDrops).toEqual([]);
    expect(report.converged).toBe(true);
    expect(report.failed.filter((f) => !f.message || !f.hint)).toEqual([]);
    expect(report.exitCode).toBe(0);
  }, 420_000);

  it('three replicas on PostgreSQL converge after SIGKILLs of random replicas and an abrupt database stop', async () => {
    const postgres = await startPostgres();
    try {
      const report = await runChaos({
        tables: 40,
        changes: 600,
        kills: 2,
        changeSeconds: 12,
        latencyMs: 40,
        convergeTimeoutSeconds: 120,
        postgres: { url: postgres.url, schema: 'chaos', crash: postgres.crash, start: postgres.start },
        replicas: 3,
        databaseCrashes: 1,
      });
      expect(report).toMatchObject({ replicas: 3, databaseCrashes: 1, killsSurvived: 2 });
      expect(report.divergent, report.diagnosis).toEqual([]);
      expect(report.wrongDrops).toEqual([]);
      expect(report.converged).toBe(true);
      expect(report.failed.filter((f) => !f.message || !f.hint)).toEqual([]);
      expect(report.exitCode).toBe(0);
    } finally {
      postgres.stop();
    }
  }, 300_000);
});
