// Fuzzing the configuration loader: whatever the file holds, loading either succeeds or throws a
// ConfigError whose every issue has a message — never another exception, never a crash.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { fuzzRuns, NASTY_STRINGS } from './fuzz-runs.js';

const dir = mkdtempSync(join(tmpdir(), 'pm-fuzz-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string): void {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  try {
    loadConfig(file, { SET: 'value' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    for (const issue of (error as ConfigError).issues) expect(issue.message.length).toBeGreaterThan(0);
  }
}

const value = fc.oneof(fc.string(), fc.constantFrom(...NASTY_STRINGS, '${SET}', '${UNSET}', '${UNSET:-d}', '$${X}'), fc.integer(), fc.boolean(), fc.constant(null));
const almostValid = fc.record({
  polaris: fc.record(
    {
      uri: fc.oneof(fc.constant('http://127.0.0.1:8181/api/catalog'), value),
      auth: fc.oneof(fc.record({ clientId: value, clientSecret: value }, { requiredKeys: [] }), value),
      concurrency: value,
      nonsense: value,
    },
    { requiredKeys: [] },
  ),
  sources: fc.array(
    fc.record(
      {
        name: value,
        type: fc.oneof(fc.constantFrom('files', 'webhook', 'glue', 'hive', 'rest'), value),
        root: value,
        token: value,
        target: fc.oneof(fc.record({ catalog: value, namespacePrefix: fc.array(value) }, { requiredKeys: [] }), value),
        include: fc.array(value),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
});

describe('loadConfig (fuzz)', () => {
  it('random text: a config or a ConfigError, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), async (text) => {
        // Yields to the event loop before each run: 500 runs writing and reading config files took 38 s on
        // a busy machine, and as one synchronous block they starve the worker's messages to vitest (it
        // gives up after 60 s).
        await yieldToEventLoop();
        load(text);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('random objects near the real shape (as YAML and as JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(almostValid, fc.boolean(), async (object, asJson) => {
        await yieldToEventLoop();
        load(asJson ? JSON.stringify(object) : YAML.stringify(object));
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});
