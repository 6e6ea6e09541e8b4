// Packaging: `npm pack`, then installing the tarball in an empty directory gives a working
// `polaris-mirror` — the demo runs end to end from the installed package (dist/, fixtures/, bin/).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, packageVersion } from '../../src/util/package-info.js';

const exec = promisify(execFile);
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('installs into an empty directory and runs: --help, --version, demo', async () => {
    dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-pack-'));
    // --ignore-scripts: dist/ is already built (npm test builds first); rebuilding it here would
    // rewrite files other test processes are running.
    await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: packageRoot() });
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBe(`polaris-mirror-${packageVersion()}.tgz`);

    const app = join(dir, 'app');
    await exec('mkdir', ['-p', app]);
    await exec('npm', ['init', '-y'], { cwd: app });
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball!)], { cwd: app, timeout: 600_000 });

    const bin = join(app, 'node_modules', '.bin', 'polaris-mirror');
    const help = await exec(bin, ['--help'], { cwd: app });
    expect(help.stdout).toMatch(/Usage: polaris-mirror .*\n[\s\S]*sync \[options\]/);
    const version = await exec(bin, ['--version'], { cwd: app });
    expect(version.stdout.trim()).toBe(packageVersion());
    const demo = await exec(bin, ['demo'], { cwd: app, timeout: 120_000 });
    expect(demo.stdout).toContain('Polaris matches the warehouse');
  }, 900_000);
});
