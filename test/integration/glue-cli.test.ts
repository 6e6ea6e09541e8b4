// The built CLI with a `type: glue` source, as operators run it: check, sync (skipped kinds in the
// summary), plan, and `run` killed with SIGKILL between the ledger commit and the SQS delete.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { glueEvents } from '../emulators/glue/eventbridge.js';
import { hiveTable, viewTable } from '../emulators/glue/glue-tables.js';
import { runCli, spawnCli, type CliResult } from '../support/harness.js';
import { QUEUE, SOURCE, startGlueHarness, waitFor, type GlueHarness } from './glue-harness.js';

let h: GlueHarness;
beforeEach(async () => {
  h = await startGlueHarness({ visibilityTimeoutSeconds: 1 });
});
afterEach(async () => {
  await h.close();
});

const env = () => ({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret-key' });
const cli = (command: string, ...args: string[]) => runCli([command, '--config', h.configFile, ...args], env());
const show = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('glue source through the CLI', () => {
  it('check passes for the catalog and the queue and VALIDATEs a sample table location', async () => {
    h.lake.commit('sales', 'orders');
    const result = await cli('check');
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`PASS  source ${SOURCE}: Glue catalog .* is readable \\(1 database\\(s\\)\\); queue .* is reachable`));
    expect(result.stdout).toMatch(/PASS {2}VALIDATE glue_mirror ← s3:\/\/lake\/warehouse\/sales\.db\/orders\/metadata\//);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('check fails with a permission hint when Glue denies access', async () => {
    h.glue.faults.set({ accessDenied: ['sales'] });
    h.lake.commit('sales', 'orders');
    const result = await cli('check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}source glue-main: .*AccessDeniedException/);
    expect(result.stdout).toMatch(/hint: the connector lacks permission/);
  });

  it('check fails with a hint when the queue does not exist', async () => {
    await h.writeConfig((source) => (source.events.queueUrl = `${h.queueUrl}-typo`));
    const result = await cli('check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}source glue-main: .*is readable .*QueueDoesNotExist/);
    expect(result.stdout).toMatch(/hint: check events.queueUrl/);
  });

  it('sync --json and status --json report skipped tables by reason; plan exits on its own', async () => {
    h.lake.commit('sales', 'orders');
    h.glue.catalog.createTable('sales', hiveTable('raw', 's3://lake/raw'));
    h.glue.catalog.createTable('sales', viewTable('v'));
    const result = await cli('sync', '--json');
    expect(result.code, show(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ converged: true, created: 1, listed: 3, skipped: { 'not-iceberg': 1, view: 1 } });
    expect(result.stderr).toBe('');

    const status = await cli('status', '--json');
    expect(status.code, show(status)).toBe(0);
    expect(JSON.parse(status.stdout).sources[0]).toMatchObject({ name: SOURCE, type: 'glue', lastPass: { complete: true, summary: { skipped: { 'not-iceberg': 1, view: 1 } } } });

    const plan = await cli('plan');
    expect(plan.code, show(plan)).toBe(0);
    expect(plan.stdout).toMatch(/skip\s+glue-main\s+sales\.raw/);
  });

  it('run killed between the ledger commit and the SQS delete: the message comes back and is applied', async () => {
    h.lake.commit('db', 'a');
    const first = await cli('sync');
    expect(first.code, show(first)).toBe(0);
    await h.writeConfig((source) => (source.scanIntervalSeconds = 3600));
    h.glue.sqs.holdDeletes(true);
    const newer = h.lake.commit('db', 'a');
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('db', 'a'));

    const daemon = spawnCli(['run', '--config', h.configFile], { ...env(), LOG_LEVEL: 'warn' });
    let stderr = '';
    daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => daemon.once('close', resolve));
    try {
      await waitFor(() => h.glue.sqs.heldDeletes() === 1, 60_000, 'the DeleteMessage after the commit');
    } finally {
      daemon.kill('SIGKILL');
      await exited;
    }
    h.glue.sqs.holdDeletes(false);
    expect(h.glue.sqs.messages(QUEUE)).toMatchObject([{ receiveCount: 1 }]);
    // The observation was durable before the delete was sent.
    const mirror = h.openMirror();
    try {
      expect((await mirror.ledger.rowsOfSource(SOURCE)).find((r) => r.table.name === 'a')!.desired.metadataLocation).toBe(newer);
    } finally {
      await mirror.close();
    }

    const again = spawnCli(['run', '--config', h.configFile], { ...env(), LOG_LEVEL: 'warn' });
    const closed = new Promise((resolve) => again.once('close', resolve));
    try {
      await waitFor(() => h.glue.sqs.messages(QUEUE).length === 0 && h.polarisState().get('db.a') === newer, 60_000, 'the redelivered message');
    } finally {
      again.kill('SIGTERM');
      await closed;
    }
    expect(stderr).not.toMatch(/ReceiptHandle|receipt/i);
  });
});
