// `status` and `plan` against a PostgreSQL database no `run` or `sync` has written to yet: like a missing
// SQLite file, that is "nothing mirrored yet" (zero counts), not a raw "relation does not exist" — and
// reading creates nothing.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startHarness, type CliResult, type Harness } from '../support/harness.js';
import { sharedPostgresUrl } from '../support/postgres-server.js';

const show = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('read-only commands on a PostgreSQL ledger not created yet', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ ledger: 'postgres' });
    await harness.writeTable(['sales'], 'orders');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('status: zero counts and "no ledger yet" with the database named without its password; nothing created', async () => {
    const json = await runCli(['status', '--json', '--config', harness.configFile]);
    expect(json.code, show(json)).toBe(0);
    expect(JSON.parse(json.stdout).sources).toEqual([expect.objectContaining({ name: 'lake', tables: { total: 0, inSync: 0, pending: 0, failed: 0 } })]);

    const text = await runCli(['status', '--config', harness.configFile]);
    expect(text.code, show(text)).toBe(0);
    expect(text.stdout).toMatch(/no ledger yet at postgresql:\/\/\S+: nothing has been mirrored/);
    const password = new URL(sharedPostgresUrl()).password;
    expect(password.length).toBeGreaterThan(0);
    expect(text.stdout + text.stderr).not.toContain(password);

    const plan = await runCli(['plan', '--json', '--config', harness.configFile]);
    expect(plan.code, show(plan)).toBe(0);
    expect(JSON.parse(plan.stdout).entries).toEqual([expect.objectContaining({ table: 'sales.orders', action: 'create' })]);

    const client = new pg.Client({ connectionString: sharedPostgresUrl() });
    await client.connect();
    try {
      const schema = YAML.parse(readFileSync(harness.configFile, 'utf8')).state.schema as string;
      expect(schema).toMatch(/^h_/);
      const created = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(created.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});
