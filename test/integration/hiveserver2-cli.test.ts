// The hiveserver2 source through the built CLI: `check` (connection, authentication, catalog access,
// change-log availability, a VALIDATE of a sample table), `plan` (exits: no idle session holds the
// process), the `run` daemon mirroring live, and `status` saying how changes are captured.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/harness.js';
import { freePort, startDaemon, withDaemonLog, type Daemon } from '../support/ingest-client.js';
import { startHs2Kit, type Hs2Kit } from '../emulators/hiveserver2/test-kit.js';

let kit: Hs2Kit | undefined;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.kill();
  daemon = undefined;
  await kit?.close();
  kit = undefined;
});

describe('hiveserver2 source in the CLI', () => {
  it('check: PASS with the change-log state and a VALIDATE; plan exits; FAIL with a hint for a wrong password', async () => {
    kit = await startHs2Kit({ hs2: { auth: 'plain', users: { svc: 'svc-secret' } } });
    await kit.createIceberg('sales', 'orders');
    const ok = await runCli(['check', '--config', kit.harness.configFile, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const checks = JSON.parse(ok.stdout).checks as Array<{ ok: boolean; what: string; detail: string; hint?: string }>;
    expect(checks.find((c) => c.what === 'source hs2')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/127\.0\.0\.1:\d+ \(binary, SASL PLAIN\): connected and authenticated, 2 database\(s\) visible; change log: sys\.notification_log readable, at event 2/),
    });
    expect(checks.find((c) => c.what.startsWith('VALIDATE'))).toMatchObject({ ok: true, what: expect.stringContaining('sales/orders/metadata/') });

    const plan = await runCli(['plan', '--config', kit.harness.configFile, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('orders');

    await kit.configureHs2({ auth: { type: 'plain', username: 'svc', password: 'wrong-password-1' } });
    const refused = await runCli(['check', '--config', kit.harness.configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/FAIL {2}source hs2: 127\.0\.0\.1:\d+ \(binary, SASL PLAIN\): authentication failed: HiveServer2 at 127\.0\.0\.1:\d+ refused the login/);
    expect(refused.stdout).toContain('auth.username and auth.password');
    expect(refused.stdout + refused.stderr).not.toContain('wrong-password-1');
  });

  it('run: bootstraps, follows sys.notification_log until SIGTERM; status shows the capture', async () => {
    kit = await startHs2Kit();
    const port = await freePort();
    await kit.configure({}, (c) => {
      c.sources = [{ name: 'hs2', type: 'hiveserver2', host: kit!.hs2.host, port: kit!.hs2.port, pollIntervalMs: 25, target: { catalog: 'lake_mirror' } }];
      c.server = { host: '127.0.0.1', port };
    });
    const a = await kit.createIceberg('sales', 'a');
    daemon = await startDaemon(kit.harness.configFile, port);
    await withDaemonLog(daemon, kit.waitForPolaris('sales.a', a));
    const a2 = await kit.commit('sales', 'a');
    const b = await kit.createIceberg('sales', 'b');
    await withDaemonLog(daemon, kit.waitForPolaris('sales.a', a2));
    await withDaemonLog(daemon, kit.waitForPolaris('sales.b', b));
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const status = await runCli(['status', '--config', kit.harness.configFile, '--json']);
    const hs2 = JSON.parse(status.stdout).sources.find((s: { name: string }) => s.name === 'hs2');
    expect(hs2).toMatchObject({ type: 'hiveserver2', cursor: String(kit.metastore.currentEventId), tables: { total: 2, inSync: 2 }, capture: 'change log: sys.notification_log' });
    const text = await runCli(['status', '--config', kit.harness.configFile]);
    expect(text.stdout).toContain('hs2: change log: sys.notification_log');
  });
});
