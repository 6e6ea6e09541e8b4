// The hive source through the built CLI: `check` (reachability, the notification API, a VALIDATE of a
// sample table) and the `run` daemon mirroring a metastore live.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/harness.js';
import { freePort, startDaemon, withDaemonLog, type Daemon } from '../support/ingest-client.js';
import { startHiveKit, type HiveKit } from '../emulators/hive/test-kit.js';

let kit: HiveKit;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.kill();
  daemon = undefined;
  await kit?.close();
});

describe('hive source in the CLI', () => {
  it('check: PASS with the event id and a VALIDATE of a sample Iceberg table; FAIL with a hint when the notification API is refused', async () => {
    kit = await startHiveKit();
    await kit.createIceberg('sales', 'orders');
    const ok = await runCli(['check', '--config', kit.harness.configFile, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const checks = JSON.parse(ok.stdout).checks as Array<{ ok: boolean; what: string; detail: string; hint?: string }>;
    expect(checks.find((c) => c.what === 'source hms')).toMatchObject({ ok: true, detail: expect.stringMatching(/notification log at event 2, 2 database\(s\)/) });
    expect(checks.find((c) => c.what.startsWith('VALIDATE'))).toMatchObject({ ok: true, what: expect.stringContaining('sales/orders/metadata/') });

    // plan lists the metastore (and exits: an idle metastore connection does not hold the process).
    const plan = await runCli(['plan', '--config', kit.harness.configFile, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('orders');

    kit.hms.denyNotifications(true);
    const refused = await runCli(['check', '--config', kit.harness.configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the metastore at .* failed get_current_notificationEventId: Internal error processing get_current_notificationEventId/);
    expect(refused.stdout).toContain('hive.metastore.event.db.notification.api.auth');
  });

  it('run: bootstraps, then follows the log until SIGTERM', async () => {
    kit = await startHiveKit();
    const port = await freePort();
    await kit.configure({}, (c) => (c.server = { host: '127.0.0.1', port }));
    const a = await kit.createIceberg('sales', 'a');
    daemon = await startDaemon(kit.harness.configFile, port);
    await withDaemonLog(daemon, kit.waitForPolaris('sales.a', a));
    const a2 = await kit.commit('sales', 'a');
    const b = await kit.createIceberg('sales', 'b');
    await withDaemonLog(daemon, kit.waitForPolaris('sales.a', a2));
    await withDaemonLog(daemon, kit.waitForPolaris('sales.b', b));
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/polaris_mirror_source_events_total\{source="hms",outcome="applied"\} 2/);
    expect(metrics).toMatch(/polaris_mirror_source_calls_total\{source="hms",operation="get_next_notification",outcome="ok"\} \d+/);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const status = await runCli(['status', '--config', kit.harness.configFile, '--json']);
    const hms = JSON.parse(status.stdout).sources.find((s: { name: string }) => s.name === 'hms');
    expect(hms).toMatchObject({ type: 'hive', cursor: String(kit.metastore.currentEventId), tables: { total: 2, inSync: 2 } });
  });
});
