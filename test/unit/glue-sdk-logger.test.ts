// The logger handed to the AWS SDK clients: warnings reach our log; there is no info or error method,
// because the SDK builds a filtered copy of every response for `logger.info?.(…)` only when it exists
// (a whole GetTables page per call), and its error lines would carry receipt handles.
import { describe, expect, it } from 'vitest';
import { sdkLogger } from '../../adapters/glue/aws-clients.js';
import type { Logger } from '../../src/telemetry/logger.js';

function recordingLogger(): { logger: Logger; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
  return { logger, warnings };
}

describe('the AWS SDK logger', () => {
  it('forwards the SDK warnings as text', () => {
    const { logger, warnings } = recordingLogger();
    sdkLogger(logger).warn('QueueUrl host', { detail: 1 }, 'differs from the endpoint');
    expect(warnings).toEqual([['AWS SDK: QueueUrl host differs from the endpoint']]);
  });

  it('drops a warning with no text', () => {
    const { logger, warnings } = recordingLogger();
    sdkLogger(logger).warn({ only: 'an object' });
    expect(warnings).toEqual([]);
  });

  it('has no info or error method, so the SDK builds no log copy of each call', () => {
    const sdk = sdkLogger(recordingLogger().logger) as Partial<Record<'info' | 'error', unknown>>;
    expect(sdk.info).toBeUndefined();
    expect(sdk.error).toBeUndefined();
  });
});
