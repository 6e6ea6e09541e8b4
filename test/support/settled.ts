// "Nothing more will be sent": the condition a test waits for before it checks that an input changed
// nothing in Polaris (a stale event, a resent one, a drop the source refutes). The engine only sends for
// rows that are not in sync, and a row stays pending while its operation is in flight, so once no row
// of the source is pending the dispatcher has nothing left to do. Waiting for that proves what a fixed
// sleep only hoped for, and holds on a busy machine.
import type { SourceCounts } from '../../src/ledger/ledger.js';
import { runCli } from './harness.js';
import { waitFor } from './ingest-client.js';

/** Waits until no table of `source` is pending in a ledger of this process (an in-process mirror). */
export async function waitForNothingPending(ledger: { counts(): Promise<SourceCounts[]> }, source: string): Promise<void> {
  await waitFor(`no table of ${source} pending in the ledger`, async () => ((await ledger.counts()).find((c) => c.source === source)?.pending ?? 0) === 0);
}

/** The same for the ledger of a `run` daemon, read as an operator would: `status --json`. */
export async function waitForDaemonNothingPending(configFile: string, source: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  await waitFor(
    `no table of ${source} pending (status --json)`,
    async () => {
      const result = await runCli(['status', '--config', configFile, '--json'], env);
      if (result.code !== 0) throw new Error(`status failed (${result.code}): ${result.stderr}`);
      const found = (JSON.parse(result.stdout) as { sources: Array<{ name: string; tables: { pending: number } }> }).sources.find((s) => s.name === source);
      if (!found) throw new Error(`status --json has no source ${source}`);
      return found.tables.pending === 0;
    },
    60_000,
    200,
  );
}
