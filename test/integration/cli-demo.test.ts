// `demo` end to end through the built CLI: a Polaris emulator, a sample warehouse, sync, changes, sync.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/harness.js';

describe('demo', () => {
  it('exits 0 and prints "Polaris matches the warehouse", with each step and the final state', async () => {
    const result = await runCli(['demo']);
    expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('Polaris matches the warehouse');
    expect(result.stdout).not.toContain('does NOT match');
    // Step 1 creates the 8 valid tables; the unsupported one is reported with a hint.
    expect(result.stdout).toMatch(/Step 1[^\n]*\n(?:.*\n)*?\s+notifications Polaris received: .*CREATE:204 ×8/);
    expect(result.stdout).toMatch(/! staging\.unsupported not mirrored: .*\n\s+hint: /);
    // Step 2: the update, the rename (create new + drop old), the drop and the new table.
    expect(result.stdout).toMatch(/~ sales\.orders\s+updated/);
    expect(result.stdout).toMatch(/\+ marketing\.campaigns_2025\s+created/);
    expect(result.stdout).toMatch(/- marketing\.campaigns\s+dropped/);
    expect(result.stdout).toMatch(/- ops\.jobs\s+dropped/);
    expect(result.stdout).toMatch(/\+ sales\.returns\s+created/);
    // Step 3: nothing changed: nothing sent for the tables in sync; a one-shot sync tries the failed one again.
    expect(result.stdout).toMatch(/Step 3[^\n]*\n\s+\(no change in Polaris\)\n\s+notifications Polaris received: CREATE:400 ×1\n/);
    expect(result.stdout).toMatch(/^NAMESPACE\s+TABLE\s+METADATA FILE\s+TIMESTAMP$/m);
    // The temporary directory is removed.
    const dir = /^warehouse: (\S+)/m.exec(result.stdout)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
  });
});
