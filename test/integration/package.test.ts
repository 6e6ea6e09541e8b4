// Packaging: `npm pack`, then installing the tarball in an empty directory gives a working
// `polaris-mirror` — the demo runs end to end from the installed package (dist/, fixtures/, bin/),
// on the Node that runs the tests.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, packageVersion } from '../../src/util/package-info.js';

const execFileAsync = promisify(execFile);
/** npm and the installed CLI run on the Node that runs the tests (.ci/run runs the suite on several). */
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
const exec = (file: string, args: string[], options: { cwd?: string; timeout?: number } = {}) => execFileAsync(file, args, { ...options, env });
let dir: string | undefined;
let mirror: Server | undefined;
afterAll(async () => {
  mirror?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * better-sqlite3's install script (prebuild-install) downloads a prebuilt binary from the host named by
 * npm_config_better_sqlite3_binary_host — an internal mirror, for machines without a route to GitHub —
 * and only compiles (minutes of CPU) when there is none. The test plays that mirror with the binary
 * this checkout built for the running Node, so the install takes seconds, even on a busy machine.
 */
async function servePrebuiltSqlite(into: string): Promise<string> {
  const root = join(packageRoot(), 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await exec('tar', ['-czf', join(into, name), '-C', root, 'build/Release/better_sqlite3.node']);
  const tarball = await readFile(join(into, name));
  mirror = createServer((request, response) => {
    if (request.url !== `/v${version}/${name}`) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': tarball.length }).end(tarball);
  });
  await new Promise<void>((resolve) => mirror!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
}

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
    env.npm_config_better_sqlite3_binary_host = await servePrebuiltSqlite(dir);
    delete env.npm_config_build_from_source; // .ci/run sets it: there, nothing else could provide a binary
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball!)], { cwd: app, timeout: 600_000 });
    // The binary came from the mirror, not from a compiler.
    expect(await readdir(join(app, 'node_modules', 'better-sqlite3', 'build', 'Release'))).toEqual(['better_sqlite3.node']);

    const cli = (args: string[], timeout?: number) => exec(process.execPath, [join(app, 'node_modules', 'polaris-mirror', 'bin', 'polaris-mirror.js'), ...args], { cwd: app, timeout });
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/Usage: polaris-mirror .*\n[\s\S]*sync \[options\]/);
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toBe(packageVersion());
    // The installed bin link works too (its shebang finds the same Node first on PATH).
    expect((await exec(join(app, 'node_modules', '.bin', 'polaris-mirror'), ['--version'], { cwd: app })).stdout.trim()).toBe(packageVersion());
    const demo = await cli(['demo'], 120_000);
    expect(demo.stdout).toContain('Polaris matches the warehouse');
    // The console's front end ships as plain files (no build step, nothing fetched at run time).
    expect((await readdir(join(app, 'node_modules', 'polaris-mirror', 'ui'))).sort()).toEqual(['console.css', 'console.js']);
  }, 600_000);
});
