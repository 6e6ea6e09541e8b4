// The Glue benchmark's lake, built in the Glue emulator's process: `tables` Iceberg tables spread over
// `databases` databases (t<i> in db<i % databases>), their metadata files written into a Polaris
// emulator running in another process (its POST /_emulator/objects), as engines write to S3 that
// Polaris then reads.
import type { ObjectStore } from './lake.js';

/** The database of table t<i>: the same on both sides of the benchmark's control channel. */
export function benchDatabaseOf(i: number, databases: number): string {
  return `db${String(i % databases).padStart(2, '0')}`;
}

/**
 * An object store that forwards puts to a Polaris emulator's control endpoint in batches. Flushes are
 * chained, so once a flush resolves every object put before it is readable in Polaris (an event is
 * only sent after its metadata file is there). It cannot delete: the benchmark purges nothing.
 */
export class ForwardingObjectStore implements ObjectStore {
  private pending: Record<string, string> = {};
  private count = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly polarisControl: string) {}

  get pendingCount(): number {
    return this.count;
  }

  putObject(uri: string, content: string): void {
    this.pending[uri] = content;
    this.count++;
  }

  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = {};
    this.count = 0;
    this.chain = this.chain.then(async () => {
      if (Object.keys(batch).length === 0) return;
      const answer = await fetch(`${this.polarisControl}/objects`, { method: 'POST', body: JSON.stringify(batch) });
      if (answer.status !== 204) throw new Error(`Polaris emulator refused the metadata files: ${answer.status} ${await answer.text()}`);
    });
    return this.chain;
  }
}
