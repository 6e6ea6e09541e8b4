// One FilesSource operation in its own process, its outcome printed as JSON. The permission tests of the
// files source run it as an unprivileged user when the suite runs as root (CI does), since chmod denies
// nothing to root: so those tests run everywhere instead of being skipped.
//   node dist/test/support/files-source-probe.js list <root>
//   node dist/test/support/files-source-probe.js read <root> '{"namespace":["db"],"name":"t"}'
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FilesSource } from '../../adapters/files/files-source.js';
import type { SourceTable } from '../../src/model/table.js';
import { MirrorError } from '../../src/util/errors.js';
import { packageRoot } from '../../src/util/package-info.js';

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly items?: number;
  readonly message?: string;
  readonly retryable?: boolean;
}

const NOBODY = 65534;

/** Runs the probe as `nobody` when this process is root, as the current user otherwise. */
export function probeFilesSource(op: 'list' | 'read', root: string, table?: SourceTable): ProbeOutcome {
  const asRoot = process.getuid?.() === 0;
  const script = join(packageRoot(), 'dist', 'test', 'support', 'files-source-probe.js');
  const result = spawnSync(process.execPath, [script, op, root, JSON.stringify(table ?? null)], {
    encoding: 'utf8',
    timeout: 30_000,
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (result.status !== 0) throw new Error(`the files source probe failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as ProbeOutcome;
}

async function main(): Promise<void> {
  const [op, root, tableJson] = process.argv.slice(2);
  const source = new FilesSource({
    type: 'files',
    name: 'probe',
    root: root!,
    target: { catalog: 'probe', namespacePrefix: [] },
    include: [],
    exclude: [],
    reconcileIntervalSeconds: 3600,
    maxDropFraction: 0.25,
    pollIntervalSeconds: 30,
  });
  let outcome: ProbeOutcome;
  try {
    if (op === 'list') {
      let items = 0;
      for await (const _ of source.list(new AbortController().signal)) items++;
      outcome = { ok: true, items };
    } else {
      await source.read(JSON.parse(tableJson!) as SourceTable);
      outcome = { ok: true };
    }
  } catch (error) {
    outcome = { ok: false, message: (error as Error).message, retryable: error instanceof MirrorError ? error.retryable : undefined };
  }
  process.stdout.write(JSON.stringify(outcome));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
