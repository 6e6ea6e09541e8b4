import { polarisInstancesOf, type MirrorConfig, type PolarisConfig } from '../config/schema.js';
import { DEFAULT_POLARIS } from '../config/targets.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import { connectPolaris, type PolarisConnection } from './create-client.js';

/** One Polaris instance (or realm) with its own connection pool, token provider and rate limit. */
export interface PolarisInstance extends PolarisConnection {
  readonly name: string;
  readonly config: PolarisConfig;
}

/**
 * Every configured Polaris instance, "default" first: each has its own client, so tokens are cached
 * and refreshed per instance and realm, and a slow or refusing instance spends only its own
 * connections and request budget.
 */
export class PolarisInstances {
  private readonly byName = new Map<string, PolarisInstance>();

  constructor(config: Pick<MirrorConfig, 'polaris' | 'polarisInstances'>, deps: { metrics: Metrics; redactor: Redactor }) {
    for (const [name, instanceConfig] of polarisInstancesOf(config)) {
      this.byName.set(name, { name, config: instanceConfig, ...connectPolaris(instanceConfig, deps) });
    }
  }

  /** The instance of that name; undefined for one no longer configured (a row written before the config changed). */
  get(name: string): PolarisInstance | undefined {
    return this.byName.get(name);
  }

  get default(): PolarisInstance {
    return this.byName.get(DEFAULT_POLARIS)!;
  }

  all(): PolarisInstance[] {
    return [...this.byName.values()];
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((instance) => instance.agent.close()));
  }
}
