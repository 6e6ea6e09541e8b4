import type { Outcome } from '../ledger/outcome.js';
import type { Action } from './table-converger.js';

/** What the dispatcher did during one process's life: the numbers behind `sync`'s summary and progress. */
export class RunStats {
  created = 0;
  updated = 0;
  dropped = 0;
  /** Found already applied in Polaris after a rebuild: recorded, not sent again. */
  recovered = 0;
  retried = 0;
  failed = 0;
  deferred = 0;
  readonly startedAt = Date.now();

  record(outcome: Outcome, action: Action): void {
    if (outcome.kind === 'applied') {
      if (action === 'create') this.created++;
      else if (action === 'update') this.updated++;
      else if (action === 'drop') this.dropped++;
      else if (action === 'recovered') this.recovered++;
    } else if (outcome.kind === 'retry') this.retried++;
    else if (outcome.kind === 'failed') this.failed++;
    else this.deferred++;
  }

  get sent(): number {
    return this.created + this.updated + this.dropped;
  }
}
