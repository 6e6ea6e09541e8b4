import type { Ledger } from '../ledger/ledger.js';

/** Enough for every directory of a large catalog; past it the memo starts afresh (the ledger still knows). */
const MAX_KEYS = 10_000;

/**
 * The VALIDATE cache as the converger asks it, once per table: the ledger's answer, remembered in
 * memory when it is yes. A VALIDATE result is never withdrawn from the ledger, so a remembered yes
 * stays true; a no is asked again (another replica may have validated meanwhile). Bounded: the memo
 * is cleared when full, which costs only ledger reads.
 */
export class ValidatedMemo {
  private readonly known = new Set<string>();

  constructor(private readonly ledger: Pick<Ledger, 'isValidated' | 'markValidated'>) {}

  async isValidated(cacheScope: string, key: string): Promise<boolean> {
    const id = `${cacheScope}\u0000${key}`;
    if (this.known.has(id)) return true;
    const validated = await this.ledger.isValidated(cacheScope, key);
    if (validated) this.remember(id);
    return validated;
  }

  /** Whether a yes is remembered, without asking the ledger (see TableConverger.prepare). */
  knows(cacheScope: string, key: string): boolean {
    return this.known.has(`${cacheScope}\u0000${key}`);
  }

  async markValidated(cacheScope: string, key: string): Promise<void> {
    await this.ledger.markValidated(cacheScope, key);
    this.remember(`${cacheScope}\u0000${key}`);
  }

  private remember(id: string): void {
    if (this.known.size >= MAX_KEYS) this.known.clear();
    this.known.add(id);
  }
}
