import { MirrorError } from '../util/errors.js';

/** The ledger file is not a readable SQLite database, or fails its integrity check. */
export class LedgerDamagedError extends MirrorError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`the ledger ${path} is damaged (${detail})`, {
      retryable: false,
      hint: 'run `polaris-mirror sync --rebuild`: it moves the damaged file aside and re-derives the ledger from the sources and Polaris (see "Recovering the ledger" in the README)',
    });
    this.name = 'LedgerDamagedError';
  }
}
