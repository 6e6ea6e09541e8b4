// The Glue benchmark's Glue + SQS emulator in its own process (test/emulators/glue/cli.ts), driven over
// its control server: the benchmark process holds neither the catalog nor the metadata files.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../src/util/package-info.js';

export interface RemoteGlue {
  /** The `endpoint` of both SDK clients. */
  readonly url: string;
  readonly queueUrl: string;
  calls(): Promise<Record<string, number>>;
  resetCalls(): Promise<void>;
  tableCount(): Promise<number>;
  /** A commit of the table and its UpdateTable event; `at` is when the message became visible (the emulator's clock). */
  commitAndSend(database: string, table: string): Promise<{ location: string; at: number }>;
  stop(): Promise<void>;
}

export async function startRemoteGlue(
  options: { polarisControl: string; root: string; queue: string; tables: number; databases: number },
  benchNodeArgs: readonly string[] = [],
): Promise<RemoteGlue> {
  // BENCH_EMULATOR_NODE_ARGS, e.g. "--max-old-space-size=8192" for a 1,000,000-table lake; after the
  // benchmark's own flags, so they win where both set one.
  const nodeArgs = [...benchNodeArgs, ...(process.env.BENCH_EMULATOR_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, join(packageRoot(), 'dist', 'test', 'emulators', 'glue', 'cli.js'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A benchmark that dies of an uncaught error must not leave a catalog of a million tables running.
  process.once('exit', () => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the Glue emulator exited with ${code}`)));
  });
  const { url, control, queueUrl } = JSON.parse(line) as { url: string; control: string; queueUrl: string };
  const call = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
    const answer = await fetch(`${control}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!answer.ok) throw new Error(`Glue emulator ${method} ${path}: ${answer.status} ${await answer.text()}`);
    return (answer.status === 204 ? undefined : await answer.json()) as T;
  };
  return {
    url,
    queueUrl,
    calls: () => call('/calls'),
    resetCalls: () => call('/reset-calls', 'POST'),
    tableCount: async () => (await call<{ tables: number }>('/tables')).tables,
    commitAndSend: (database, table) => call('/commit', 'POST', { database, table }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
