// Runs one files-source operation (list, or read of one table) as an unprivileged user and prints the
// result as JSON. Permission tests need it when the suite runs as root (CI does): chmod 000 does not
// deny root. The modules are loaded first, while still root, so the repository need not be readable
// by that user; then the process gives up root for good and only the operation runs unprivileged.
//
// node dist/test/support/files-source-unprivileged.js '<json: {config, op: "list"|"read", table?}>'
import { FilesSource } from '../../adapters/files/files-source.js';
import type { FilesSourceConfig } from '../../adapters/files/config.js';
import type { SourceTable } from '../../src/model/table.js';

/** nobody / nogroup on Debian. */
export const UNPRIVILEGED_ID = 65534;

interface Request {
  readonly config: FilesSourceConfig;
  readonly op: 'list' | 'read';
  readonly table?: SourceTable;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as Request;
  const source = new FilesSource(request.config);
  if (process.getuid?.() === 0) {
    process.setgroups?.([UNPRIVILEGED_ID]);
    process.setgid?.(UNPRIVILEGED_ID);
    process.setuid?.(UNPRIVILEGED_ID);
  }
  try {
    if (request.op === 'read') {
      process.stdout.write(JSON.stringify({ ok: true, result: await source.read(request.table!) }));
      return;
    }
    const items = [];
    for await (const item of source.list(new AbortController().signal)) items.push(item);
    process.stdout.write(JSON.stringify({ ok: true, result: items }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ ok: false, name: (error as Error).name, message: (error as Error).message }));
  }
}

await main();
