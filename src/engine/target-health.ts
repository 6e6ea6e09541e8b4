/**
 * Which Polaris instances had transient trouble (network, 5xx, 429) since they last answered the
 * daemon's probe. When such an instance answers again, its tables that failed or wait out a retry
 * delay because of that trouble are made due at once: a target that comes back converges by itself,
 * not after the slow failed-table delay.
 */
export class TargetHealth {
  private readonly troubled = new Set<string>();

  /** A request to this instance failed in a way that says nothing about the table. */
  troubleOn(polaris: string): void {
    this.troubled.add(polaris);
  }

  isTroubled(polaris: string): boolean {
    return this.troubled.has(polaris);
  }

  /** The instance answered: true when it had trouble before (its tables should be retried now). */
  answered(polaris: string): boolean {
    return this.troubled.delete(polaris);
  }
}

/** Retry reasons that are the target's trouble, not the table's. */
export const TARGET_TROUBLE = new Set(['network', 'server_error', 'rate_limited', 'transient']);
