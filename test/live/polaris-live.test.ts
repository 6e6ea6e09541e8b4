// `npm run test:live`: the connector against a REAL Polaris (never part of `npm test`). It fails, saying
// what to set, unless POLARIS_URI and admin credentials are given; POLARIS_LIVE_S3_LOCATION puts the
// tables in an S3-compatible bucket instead of a shared directory — see the README section "Live test
// against a real Polaris" for the exact steps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runLiveScenario } from '../support/live-scenario.js';
import { expectLiveScenarioPassed } from './expect-live.js';
import { liveEnvironment } from './live-environment.js';

describe('live: a real Polaris at POLARIS_URI', () => {
  it('mirrors a files warehouse into a new EXTERNAL catalog, follows a change and a purged drop, and cleans up', async () => {
    const env = liveEnvironment(process.env);
    process.stdout.write(`live test: ${env.polaris.uri}, tables on ${env.storage.name}\n`);
    const report = await runLiveScenario({
      ...env.polaris,
      sharedDir: process.env.POLARIS_SHARED_DIR ?? mkdtempSync(join(tmpdir(), 'pm-live-')),
      storage: env.storage.create(),
    });
    expectLiveScenarioPassed(report);
  });
});
