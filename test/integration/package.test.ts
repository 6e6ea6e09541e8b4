// Packaging: `npm pack`, then installing the tarball in an empty directory gives a working
// `polaris-mirror` — the demo runs end to end from the installed package (dist/, fixtures/, bin/),
// on the Node that runs the tests.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, packageVersion } from '../../src/util/package-info.js';

const execFileAsync = promisify(execFile);
/** npm and the installed CLI run on the Node that runs the tests (.ci/run runs the suite on several). */
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
const exec = (file: string, args: string[], options: { cwd?: string; timeout?: number } = {}) => execFileAsync(file, args, { ...options, env });
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
    // What a project depending on polaris-mirror needs with npm 12 (the README says so): allow the
    // ledger's native module to run its install script. npm 11 only warns without it.
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(app, 'package.json'), JSON.stringify({ ...manifest, allowScripts: { 'better-sqlite3': true } }, null, 2));
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball!)], { cwd: app, timeout: 600_000 });

    const cli = (args: string[], timeout?: number) => exec(process.execPath, [join(app, 'node_modules', 'polaris-mirror', 'bin', 'polaris-mirror.js'), ...args], { cwd: app, timeout });
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/Usage: polaris-mirror .*\n[\s\S]*sync \[options\]/);
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toBe(packageVersion());
    // The installed bin link works too (its shebang finds the same Node first on PATH).
    expect((await exec(join(app, 'node_modules', '.bin', 'polaris-mirror'), ['--version'], { cwd: app })).stdout.trim()).toBe(packageVersion());
    const demo = await cli(['demo'], 120_000);
    expect(demo.stdout).toContain('Polaris matches the warehouse');
  }, 900_000);
});
