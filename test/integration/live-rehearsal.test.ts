// The live test's scenario against the Polaris emulator's management API, on every `npm test`: the
// scenario `npm run test:live` runs against a real Polaris is itself known to work — on FILE storage,
// and on S3 with the real AWS SDK uploading (and purging) the tables through an S3-compatible endpoint
// whose objects the Polaris emulator reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import { startS3Emulator, type S3Emulator } from '../emulators/s3/index.js';
import { expectLiveScenarioPassed } from '../live/expect-live.js';
import { runLiveScenario } from '../support/live-scenario.js';
import { s3Storage } from '../support/live-storage.js';

let emulator: PolarisEmulator | undefined;
let s3: S3Emulator | undefined;
let shared: string | undefined;
afterEach(async () => {
  await s3?.close();
  await emulator?.close();
  if (shared) await rm(shared, { recursive: true, force: true });
  s3 = emulator = shared = undefined;
});

async function expectCatalogGone(polaris: PolarisEmulator, catalog: string): Promise<void> {
  const token = polaris.issueToken('root');
  const response = await fetch(`${polaris.managementUrl}/catalogs/${catalog}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(404);
}

describe('the live scenario, rehearsed against the emulator', () => {
  it('FILE storage: sets Polaris up through the management API, mirrors, follows changes, and cleans up', async () => {
    emulator = await startPolarisEmulator({ rootCredentials: { clientId: 'root', clientSecret: 's3cr3t' } });
    shared = await mkdtemp(join(tmpdir(), 'pm-live-rehearsal-'));
    const report = await runLiveScenario({ uri: emulator.rootUrl, adminClientId: 'root', adminClientSecret: 's3cr3t', sharedDir: shared });
    expectLiveScenarioPassed(report);
    await expectCatalogGone(emulator, report.catalog);
  }, 120_000);

  it('S3 storage: tables uploaded with the AWS SDK, a purged drop, and every object removed again', async () => {
    emulator = await startPolarisEmulator({ rootCredentials: { clientId: 'root', clientSecret: 's3cr3t' } });
    const polaris = emulator;
    const live = new Set<string>();
    s3 = await startS3Emulator({
      putObject: (uri, content) => (polaris.putObject(uri, content), live.add(uri)),
      deleteObject: (uri) => (polaris.deleteObject(uri), live.delete(uri)),
    });
    shared = await mkdtemp(join(tmpdir(), 'pm-live-rehearsal-s3-'));
    const storage = s3Storage({
      location: 's3://live-bucket/tests',
      storageConfig: { roleArn: 'arn:aws:iam::123456789012:role/polaris-live' },
      endpoint: s3.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'rehearsal-secret' },
    });
    const report = await runLiveScenario({ uri: polaris.rootUrl, adminClientId: 'root', adminClientSecret: 's3cr3t', sharedDir: shared, storage });
    expectLiveScenarioPassed(report);
    for (const location of report.expectedFirst.values()) expect(location).toMatch(/^s3:\/\/live-bucket\/tests\/polaris-mirror-live-[0-9a-f]{8}\/warehouse\//);
    // The dropped table's files were deleted before the second sync (a purged drop), and nothing is left.
    expect(s3.calls.filter((c) => c.startsWith('DELETE ') && c.includes('/ops/jobs/'))).not.toEqual([]);
    expect([...live]).toEqual([]);
    await expectCatalogGone(polaris, report.catalog);
  }, 120_000);
});
