// plan's output is written as entries are decided: the JSON must stay byte for byte the document
// JSON.stringify(report, null, 2) gives (a contract), whatever the number of entries and flushes.
import { describe, expect, it, vi } from 'vitest';
import type { PlanAction, PlanEntry, PlanReport, PlanTarget } from '../../src/cli/commands/plan.js';
import { PlanOutput } from '../../src/cli/commands/plan-output.js';
import { PlanTextTable, TEXT_BLOCK_ROWS } from '../../src/cli/commands/plan-text.js';
import { formatTable } from '../../src/cli/table-format.js';
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
  const output = new PlanOutput(json, (text) => void printed.push(`${text}\n`), noPolaris);
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
    const output = new PlanOutput(true, (text) => void printed.push(`${text}\n`), noPolaris);
    const entries = Array.from({ length: 2500 }, (_, i) => entryOf(i));
    for (const entry of entries.slice(0, 2000)) output.add({ ...entry });
    await output.flush();
    // A batch added but never flushed (plan failed while deciding it) is in neither the entries nor the counts.
    for (const entry of entries.slice(2000)) output.add({ ...entry });
    expect(printed.length).toBeGreaterThan(0);
    await output.abandon({ message: 'the ledger cannot be read: connection refused', hint: null }, [{ source: 'lake', message: 'the listing failed: boom' }], []);
    const document = JSON.parse(printed.join(''));
    expect(document.entries).toEqual(entries.slice(0, 2000));
    expect(Object.values(document.counts).reduce((a: number, b) => a + (b as number), 0)).toBe(2000);
    expect(document.errors).toEqual([{ source: 'lake', message: 'the listing failed: boom' }]);
    expect(document.targets).toEqual([]);
    expect(document.error).toEqual({ message: 'the ledger cannot be read: connection refused', hint: null });
  });

  it('--json abandoned before anything was written prints nothing (the failure goes to stderr alone)', async () => {
    const printed: string[] = [];
    const output = new PlanOutput(true, (text) => void printed.push(text), noPolaris);
    output.add(entryOf(0));
    await output.flush();
    await output.abandon({ message: 'boom', hint: 'try again' }, [], []);
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

  it('a text report of up to a block of shown rows is one table aligned over all of them, printed at the end in one piece', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => entryOf(i)).filter((e) => e.action !== 'unchanged');
    expect(entries.length).toBeLessThanOrEqual(TEXT_BLOCK_ROWS);
    const printed: string[] = [];
    const output = new PlanOutput(false, (text) => void printed.push(text), noPolaris);
    for (const entry of entries) output.add(entry);
    await output.flush();
    expect(printed).toEqual([]);
    await output.finish([], []);
    expect(printed).toHaveLength(1);
    const rows = entries.map((e) => [e.action, e.source, e.table, e.polarisTable ?? '-', '-', e.detail ?? '']);
    const summary = `plan: ${entries.filter((e) => e.action === 'create').length} to create`;
    expect(printed[0]!.startsWith(`${formatTable(['ACTION', 'SOURCE', 'TABLE', 'POLARIS TABLE', 'VALIDATE', 'DETAIL'], rows)}\n\n${summary}`)).toBe(true);
  });

  it('a longer text report is printed a block at a time as it is decided, every row once, the header once', async () => {
    const entries = Array.from({ length: 7000 }, (_, i) => entryOf(i));
    const shown = entries.filter((e) => e.action !== 'unchanged');
    const printed: string[] = [];
    const output = new PlanOutput(false, (text) => void printed.push(text), noPolaris);
    for (const entry of entries.slice(0, 3500)) output.add({ ...entry });
    await output.flush();
    // Blocks already out before the plan ends: nothing holds the whole table.
    const before = printed.length;
    expect(before).toBe(Math.floor(shown.filter((e) => entries.indexOf(e) < 3500).length / TEXT_BLOCK_ROWS));
    expect(printed[0]).toMatch(/^ACTION +SOURCE +TABLE/);
    for (const entry of entries.slice(3500)) output.add({ ...entry });
    await output.flush();
    await output.finish([], []);
    const lines = printed.join('\n').split('\n');
    expect(lines.filter((l) => l.startsWith('ACTION '))).toHaveLength(1);
    const tableLines = lines.filter((l) => / ns\.t\d+ /.test(l));
    expect(tableLines.map((l) => l.match(/ (ns\.t\d+) /)![1])).toEqual(shown.map((e) => e.table));
    expect(lines.at(-1)).toMatch(/^plan: 1000 to create, 1000 to update, 1000 to drop, 1000 unchanged, 1000 skipped/);
  });

  it('a text report that fails after blocks were printed says below them that it stopped, and why; before that, nothing', async () => {
    const printed: string[] = [];
    const output = new PlanOutput(false, (text) => void printed.push(text), noPolaris);
    output.add(entryOf(0));
    await output.flush();
    await output.abandon({ message: 'the ledger cannot be read', hint: null }, [], []);
    expect(printed).toEqual([]);
    for (let i = 1; i <= 2 * TEXT_BLOCK_ROWS; i++) output.add({ ...entryOf(i), action: 'create' });
    await output.flush();
    expect(printed).toHaveLength(2);
    await output.abandon({ message: 'the ledger cannot be read', hint: null }, [], []);
    expect(printed.at(-1)).toBe(`\nplan stopped after ${2 * TEXT_BLOCK_ROWS} row(s) shown, before its end: the ledger cannot be read`);
  });
});

describe('plan output and a slow reader', () => {
  for (const json of [true, false]) {
    it(`${json ? '--json' : 'text'}: writes its next chunk only once the last one was taken`, async () => {
      const printed: string[] = [];
      const taken: Array<() => void> = [];
      const output = new PlanOutput(json, (text) => {
        printed.push(text);
        return new Promise<void>((resolve) => taken.push(resolve));
      }, noPolaris);
      for (let i = 0; i < 3 * TEXT_BLOCK_ROWS + 10; i++) output.add({ ...entryOf(i), action: 'create' });
      const flushed = output.flush();
      let done = false;
      void flushed.then(() => (done = true));
      let chunks = 0;
      for (;;) {
        await vi.waitFor(() => expect(printed.length > chunks || done).toBe(true));
        if (done) break;
        chunks += 1;
        // However long the reader takes, nothing more is written (nor held) meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        expect(printed).toHaveLength(chunks);
        expect(done).toBe(false);
        taken.shift()!();
      }
      await flushed;
      expect(chunks).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('the text plan table', () => {
  const row = (table: string, detail = '') => ['create', 'lake', table, `cat.${table}`, 'ok', detail];

  it('widens a column for a later block that needs it, never narrows one, and cuts no cell', () => {
    const printed: string[] = [];
    const table = new PlanTextTable();
    const add = (r: string[]) => {
      const block = table.add(r);
      if (block !== undefined) printed.push(block);
    };
    for (let i = 0; i < TEXT_BLOCK_ROWS; i++) add(row(`ns.t${i % 10}`));
    const long = `ns.${'x'.repeat(60)}`;
    add(row(long));
    add(row('ns.a'));
    printed.push(table.end(['plan: …']));
    const [first, rest] = printed;
    const columnOf = (line: string) => line.indexOf('cat.');
    const firstLines = first!.split('\n').slice(2);
    expect(new Set(firstLines.map(columnOf)).size).toBe(1);
    const restLines = rest!.split('\n');
    expect(restLines[0]).toContain(long);
    expect(columnOf(restLines[0]!)).toBe(columnOf(restLines[1]!));
    expect(columnOf(restLines[1]!)).toBeGreaterThan(columnOf(firstLines[0]!));
    expect(restLines.slice(-2)).toEqual(['', 'plan: …']);
  });

  it('a table of exactly one block ends with the summary after one blank line, and an empty one with the summary alone', () => {
    const table = new PlanTextTable();
    const blocks = Array.from({ length: TEXT_BLOCK_ROWS }, (_, i) => table.add(row(`ns.t${i}`))).filter((b) => b !== undefined);
    expect(blocks).toHaveLength(1);
    expect(table.end(['plan: …'])).toBe('\nplan: …');
    expect(new PlanTextTable().end(['plan: …'])).toBe('plan: …');
  });
});
