import type { MirrorRow } from '../ledger/rows.js';

/** Where a table that left the scope was. */
const LEFT = -1;

/**
 * The tables a retry or a scoped refresh converges (the dispatcher's `onlyIds`), read from where the last
 * look stopped. Each dispatcher turn reads only as many rows as it can start, not the whole scope: a
 * `retry --all-failed` of a million tables read every one of them at every turn, and copied its list of
 * due ids once per id, so it never got far. A table seen settled (applied or failed, or gone) leaves the
 * scope; the scope is settled once none is left.
 */
export class IdScope {
  private ids: number[];
  /** Tables still in the scope (the others' places hold LEFT until the list is compacted). */
  private live: number;
  /** Where the next look starts. */
  private next = 0;

  constructor(ids: Iterable<number>) {
    this.ids = [...new Set(ids)];
    this.live = this.ids.length;
  }

  get size(): number {
    return this.live;
  }

  /**
   * Reads the scope's tables in turn from where the last call stopped, each at most once. A settled
   * table leaves the scope; each pending one is offered, and the look stops as soon as `offer` says it
   * wants no more. Returns whether it went once round (every table still in the scope was read).
   */
  async look(read: (id: number) => Promise<MirrorRow | undefined>, offer: (row: MirrorRow) => boolean): Promise<boolean> {
    this.compact();
    for (let visited = 0, places = this.ids.length; visited < places && this.live > 0; visited++) {
      if (this.next >= this.ids.length) this.next = 0;
      const at = this.next++;
      const id = this.ids[at]!;
      if (id === LEFT) continue;
      const row = await read(id);
      if (row === undefined || row.status !== 'pending') {
        this.ids[at] = LEFT;
        this.live -= 1;
        continue;
      }
      if (offer(row)) return false;
    }
    return true;
  }

  /** Whether every table of the scope has settled: a look once round, which drops those that have. */
  async settled(read: (id: number) => Promise<MirrorRow | undefined>): Promise<boolean> {
    await this.look(read, () => false);
    return this.live === 0;
  }

  /** Drops the places of tables that left, once they are half the list, keeping the order and the next look's start. */
  private compact(): void {
    if ((this.ids.length - this.live) * 2 <= this.ids.length) return;
    const before = this.ids.slice(0, this.next).filter((id) => id !== LEFT).length;
    this.ids = this.ids.filter((id) => id !== LEFT);
    this.next = before;
  }
}
