// The Glue adapter's shape as the engine sees it, without any AWS call: the scan interval, change
// capture only when configured, secrets from the environment registered for redaction, and a read of
// a name that cannot be a Glue table refused.
import { afterEach, describe, expect, it } from 'vitest';
import type { GlueSourceConfig } from '../../adapters/glue/config.js';
import { GlueSource } from '../../adapters/glue/glue-source.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { MirrorError } from '../../src/util/errors.js';
import { glueSourceConfig } from './support.js';

const config = (extra: Partial<GlueSourceConfig> = {}): GlueSourceConfig =>
  glueSourceConfig({ name: 'glue-main', endpoint: 'http://127.0.0.1:9', ...extra });

const sources: GlueSource[] = [];
function build(extra: Partial<GlueSourceConfig> = {}, redactor = new Redactor()): GlueSource {
  const source = new GlueSource(config(extra), { logger: silentLogger(), metrics: new Metrics(), redactor });
  sources.push(source);
  return source;
}
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  delete process.env.AWS_SESSION_TOKEN;
});

describe('GlueSource', () => {
  it('lists every scanIntervalSeconds; watches only with events configured', () => {
    const plain = build();
    expect(plain.type).toBe('glue');
    expect(plain.listIntervalSeconds).toBe(600);
    expect(plain.watch).toBeUndefined();
    const withEvents = build({ events: { queueUrl: 'http://127.0.0.1:9/123456789012/q', waitSeconds: 20 } });
    expect(withEvents.watch).toBeTypeOf('function');
  });

  it('registers AWS secrets given through the environment with the redactor', () => {
    process.env.AWS_SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN';
    const redactor = new Redactor();
    build({}, redactor);
    expect(redactor.scrub('token FwoGZXIvYXdzEXAMPLESESSIONTOKEN in a message')).toBe('token [REDACTED] in a message');
  });

  it('refuses to read a name that is not database.table, without calling Glue', async () => {
    const error = await build()
      .read({ namespace: ['a', 'b'], name: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MirrorError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(/not a table of this Glue source's catalogs/) });
  });
});
