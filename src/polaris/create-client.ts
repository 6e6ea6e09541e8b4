import type { OriginPools } from './origin-pools.js';
import type { PolarisConfig } from '../config/schema.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import { createAgent } from './http.js';
import { PolarisClient } from './polaris-client.js';
import { RateLimiter } from './rate-limiter.js';
import { ClientCredentialsTokenProvider, StaticTokenProvider, type TokenProvider } from './token-provider.js';

export interface PolarisConnection {
  readonly client: PolarisClient;
  readonly tokens: TokenProvider;
  readonly agent: OriginPools;
}

/** The Polaris client with its connection pool, token provider and rate limit, from the config. */
export function connectPolaris(config: PolarisConfig, deps: { metrics: Metrics; redactor: Redactor }): PolarisConnection {
  const agent = createAgent({ connections: config.concurrency + 2, caFile: config.tls?.caFile });
  const tokens =
    config.auth.token !== undefined
      ? new StaticTokenProvider(config.auth.token)
      : new ClientCredentialsTokenProvider(config, agent, deps.redactor, deps.metrics);
  const client = new PolarisClient(config, tokens, agent, new RateLimiter(config.requestsPerSecond), deps.metrics);
  return { client, tokens, agent };
}
