// The emulator loads the OpenAPI specs from `fixtures/polaris-spec/` of the package. It runs both
// from source (vitest: test/emulators/polaris/*.ts) and compiled (dist/test/emulators/polaris/*.js),
// so the package root is found by walking up to the first directory holding a package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`polaris emulator: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
