import { GlueClient, type GlueClientConfig } from '@aws-sdk/client-glue';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RateLimiter } from '../../src/polaris/rate-limiter.js';
import type { Logger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';

type SdkLogger = NonNullable<GlueClientConfig['logger']>;
import { callOutcome, sourceError } from './glue-errors.js';

// The AWS SDK prints a NodeVersionSupportWarning on Node < 22 when the first client is built. The SDK
// version is pinned by the lockfile, so the warning tells operators nothing they can act on, and it
// would land in the middle of command output. It is read at client construction, so setting it here
// (unless the operator chose otherwise) is early enough.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** SDK attempts per call. Adaptive mode slows the client down after throttling answers. */
const MAX_ATTEMPTS = 6;

export interface AwsClientDeps {
  readonly source: string;
  readonly region: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** The role the Glue calls are made as (cross-account catalogs): STS AssumeRole, with the default chain's credentials. */
export interface AssumedRole {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly sessionName: string;
  /** A VPC endpoint of STS or an emulator; default: the region's. */
  readonly endpoint?: string;
}

/**
 * The SDK's own provider makes the AssumeRole call and refreshes the credentials before they expire.
 * Its failures become MirrorErrors that name sts:AssumeRole, so `check` and the logs say which
 * permission (or trust policy) is missing rather than blaming Glue.
 */
export function assumedRoleCredentials(role: AssumedRole, region: string): ReturnType<typeof fromTemporaryCredentials> {
  const provider = fromTemporaryCredentials({
    params: { RoleArn: role.roleArn, RoleSessionName: role.sessionName, ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }) },
    clientConfig: { region, ...(role.endpoint === undefined ? {} : { endpoint: role.endpoint }), maxAttempts: MAX_ATTEMPTS },
  });
  return async (options) => {
    try {
      return await provider(options);
    } catch (error) {
      throw sourceError(error, `STS AssumeRole of ${role.roleArn}`, 'sts');
    }
  };
}

export function createGlueClient(deps: AwsClientDeps & { endpoint?: string; limiter: RateLimiter; role?: AssumedRole }): GlueClient {
  const client = new GlueClient({
    region: deps.region,
    endpoint: deps.endpoint,
    ...(deps.role ? { credentials: assumedRoleCredentials(deps.role, deps.region) } : {}),
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    logger: sdkLogger(deps.logger),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
  client.middlewareStack.add(accounting(deps, deps.limiter), ACCOUNTING);
  return client;
}

export function createSqsClient(deps: AwsClientDeps & { endpoint?: string; waitSeconds: number }): SQSClient {
  const client = new SQSClient({
    region: deps.region,
    endpoint: deps.endpoint,
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    logger: sdkLogger(deps.logger),
    // A long poll holds the request for waitSeconds: the timeout only catches a dead connection.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: (deps.waitSeconds + 15) * 1000 },
  });
  client.middlewareStack.add(accounting(deps, undefined), ACCOUNTING);
  return client;
}

/**
 * In the deserialize step, so it runs once per HTTP attempt (inside the SDK's retry loop) and sees the
 * deserialized AWS error: every attempt waits for the rate limiter and is counted by outcome, and
 * every throttling answer is counted even when a retry then succeeds.
 */
const ACCOUNTING = { step: 'deserialize', priority: 'high', name: 'polarisMirrorAccounting' } as const;

function accounting(deps: AwsClientDeps, limiter: RateLimiter | undefined) {
  return <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    async (args: A): Promise<R> => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      await limiter?.acquire();
      try {
        const result = await next(args);
        deps.metrics.sourceCalls.inc({ source: deps.source, operation, outcome: 'ok' });
        return result;
      } catch (error) {
        const outcome = callOutcome(error);
        deps.metrics.sourceCalls.inc({ source: deps.source, operation, outcome });
        if (outcome === 'throttled') deps.metrics.sourceThrottles.inc({ source: deps.source });
        throw error;
      }
    };
}

/**
 * The SDK's own warnings (e.g. a QueueUrl host that differs from the endpoint) go to our log. Its
 * info and error output is dropped: it logs every failed call at error level (an EntityNotFound is a
 * normal answer here) with the call's input, which includes SQS receipt handles. Failures reach the
 * log through the adapter, with context and without secrets.
 *
 * `info` and `error` are left out rather than made no-ops: the SDK calls `logger.info?.(…)` after
 * every call with a copy of the whole response filtered for sensitive fields, and builds that copy only
 * when the method exists. For a GetTables page of 100 tables that copy cost about 5% of a no-change
 * scan's CPU, for a log line nobody reads. The SDK's Logger type names all four methods, hence the cast.
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const text = (content: unknown[]) => content.filter((c): c is string => typeof c === 'string').join(' ').trim();
  const warnOnly = {
    debug: () => undefined,
    warn: (...content: unknown[]) => {
      const message = text(content);
      if (message) logger.warn(`AWS SDK: ${message}`);
    },
  };
  return warnOnly as SdkLogger;
}
