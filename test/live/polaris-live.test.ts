// `npm run test:live`: the connector against a REAL Polaris (never part of `npm test`). It fails, saying
// what to set, unless POLARIS_URI and admin credentials are given — see the README section "Live test
// against a real Polaris" for the exact steps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runLiveScenario } from '../support/live-scenario.js';
import { expectLiveScenarioPassed } from './expect-live.js';
import { liveEnvironment } from './live-environment.js';

describe('live: a real Polaris at POLARIS_URI', () => {
  it('mirrors a files warehouse into a new EXTERNAL catalog, follows a change and a drop, and cleans up', async () => {
    const env = liveEnvironment(process.env);
    const report = await runLiveScenario({
      ...env.polaris,
      sharedDir: process.env.POLARIS_SHARED_DIR ?? mkdtempSync(join(tmpdir(), 'pm-live-')),
    });
    expectLiveScenarioPassed(report);
  });
});
