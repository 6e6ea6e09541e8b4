// plan's output is written as entries are decided: the JSON must stay byte for byte the document
// JSON.stringify(report, null, 2) gives (a contract), whatever the number of entries and flushes.
import { describe, expect, it } from 'vitest';
import type { PlanAction, PlanEntry, PlanReport, PlanTarget } from '../../src/cli/commands/plan.js';
import { PlanOutput } from '../../src/cli/commands/plan-output.js';
import type { PolarisInstances } from '../../src/polaris/polaris-instances.js';

/** No Polaris instance configured: creates get no VALIDATE (validate stays null), as with an unknown instance. */
const noPolaris = { get: () => undefined } as unknown as PolarisInstances;

const ACTIONS: PlanAction[] = ['create', 'update', 'unchanged', 'drop', 'skip', 'drop-refused', 'pending'];

function entryOf(i: number): PlanEntry {
  const action = ACTIONS[i % ACTIONS.length]!;
  const skipped = action === 'skip';
  return {
    source: 'lake',
    validate: null,
    polarisTable: skipped ? null : `lake_mirror.ns.t${i}`,
    table: `ns.t${i}`,
    polaris: skipped ? null : 'default',
    target: skipped ? null : { catalog: 'lake_mirror', namespace: ['ns'], name: `t${i}` },
    action,
    detail: i % 3 === 0 ? `detail "${i}"\twith escapes` : null,
    metadataLocation: skipped ? null : `s3://lake/ns/t${i}/metadata/1.json`,
  };
}

async function written(entries: PlanEntry[], flushEvery: number, json = true): Promise<{ text: string; counts: Record<PlanAction, number> }> {
  const printed: string[] = [];
  const output = new PlanOutput(json, (text) => printed.push(`${text}\n`), noPolaris);
  for (const [i, entry] of entries.entries()) {
    output.add(entry);
    if ((i + 1) % flushEvery === 0) await output.flush();
  }
  const errors = [{ source: 'lake', message: 'the listing failed: boom' }];
  const targets: PlanTarget[] = [{ polaris: 'default', catalog: 'lake_mirror', complete: true, reason: null, refill: ['a'], refillCount: 1, orphanCount: 0, orphans: [] }];
  await output.finish(errors, targets);
  return { text: printed.join(''), counts: output.counts };
}

describe('plan output', () => {
  for (const [count, flushEvery] of [
    [0, 1],
    [1, 1],
    [2, 1],
    [7, 3],
    [2500, 500],
    [2500, 2500],
  ] as const) {
    it(`--json with ${count} entries flushed every ${flushEvery} is the whole report's JSON, byte for byte`, async () => {
      const entries = Array.from({ length: count }, (_, i) => entryOf(i));
      const { text, counts } = await written(entries.map((e) => ({ ...e })), flushEvery);
      const report: PlanReport = {
        entries,
        counts,
        errors: [{ source: 'lake', message: 'the listing failed: boom' }],
        targets: [{ polaris: 'default', catalog: 'lake_mirror', complete: true, reason: null, refill: ['a'], refillCount: 1, orphanCount: 0, orphans: [] }],
      };
      expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(count);
    });
  }

  it('--json abandoned after 2 chunks were written ends the document: it parses, with the entries written, their counts and the error', async () => {
    const printed: string[] = [];
    const output = new PlanOutput(true, (text) => printed.push(`${text}\n`), noPolaris);
    const entries = Array.from({ length: 2500 }, (_, i) => entryOf(i));
    for (const entry of entries.slice(0, 2000)) output.add({ ...entry });
    await output.flush();
    // A batch added but never flushed (plan failed while deciding it) is in neither the entries nor the counts.
    for (const entry of entries.slice(2000)) output.add({ ...entry });
    expect(printed.length).toBeGreaterThan(0);
    output.abandon({ message: 'the ledger cannot be read: connection refused', hint: null }, [{ source: 'lake', message: 'the listing failed: boom' }], []);
    const document = JSON.parse(printed.join(''));
    expect(document.entries).toEqual(entries.slice(0, 2000));
    expect(Object.values(document.counts).reduce((a: number, b) => a + (b as number), 0)).toBe(2000);
    expect(document.errors).toEqual([{ source: 'lake', message: 'the listing failed: boom' }]);
    expect(document.targets).toEqual([]);
    expect(document.error).toEqual({ message: 'the ledger cannot be read: connection refused', hint: null });
  });

  it('--json abandoned before anything was written prints nothing (the failure goes to stderr alone)', async () => {
    const printed: string[] = [];
    const output = new PlanOutput(true, (text) => printed.push(text), noPolaris);
    output.add(entryOf(0));
    await output.flush();
    output.abandon({ message: 'boom', hint: 'try again' }, [], []);
    expect(printed).toEqual([]);
  });

  it('the text report shows every entry but the unchanged ones, which it counts', async () => {
    const { text } = await written(Array.from({ length: 14 }, (_, i) => entryOf(i)), 4, false);
    expect(text).toContain('plan: 2 to create, 2 to update, 2 to drop, 2 unchanged, 2 skipped, 2 drops refused by the mass-drop brake, 2 pending from ingest');
    expect(text).toMatch(/^ACTION +SOURCE +TABLE/);
    expect(text).not.toMatch(/^unchanged/m);
    expect(text.match(/^(create|update|drop|drop-refused|skip|pending) /gm)).toHaveLength(12);
    expect(text).toContain('lake: the listing failed: boom');
  });
});
