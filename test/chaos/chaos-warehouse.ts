// The chaos run's source: a files warehouse changed by creates, commits, drops, re-creates and renames,
// every change made atomic with a rename (as a real writer's commit is) and recorded on a timeline, so
// the run can check afterwards that Polaris ended equal to it and never dropped a table that existed.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dirUri, relocate } from '../emulators/polaris/fixture-warehouse.js';
import { packageRoot } from '../../src/util/package-info.js';

interface Table {
  readonly uuid: string;
  version: number;
}

export type ChangeKind = 'create' | 'update' | 'drop' | 'recreate' | 'rename';

export class ChaosWarehouse {
  private readonly tables = new Map<string, Table>();
  private readonly dropped: string[] = [];
  /** Per table: the moments it appeared (true) or disappeared (false). */
  readonly timeline = new Map<string, Array<{ at: number; present: boolean }>>();
  readonly changes: Record<ChangeKind, number> = { create: 0, update: 0, drop: 0, recreate: 0, rename: 0 };
  private template: Record<string, unknown> | undefined;
  private renames = 0;

  constructor(
    readonly root: string,
    private readonly namespaces: number,
    private readonly random: () => number,
  ) {}

  get size(): number {
    return this.tables.size;
  }

  /** "ns3.t17" → the table's current metadata file URI, as the files source names it. */
  state(): Map<string, string> {
    return new Map([...this.tables].map(([key, t]) => [key, `${dirUri(this.dir(key))}/metadata/v${t.version}.metadata.json`]));
  }

  /** Was the table absent at some moment within [from, to]? */
  absentDuring(key: string, from: number, to: number): boolean {
    let present = false;
    for (const event of this.timeline.get(key) ?? []) {
      if (event.at > to) break;
      if (event.at >= from && !event.present) return true;
      present = event.present;
    }
    return !present;
  }

  async create(key: string): Promise<void> {
    await this.publish(key, { uuid: randomUUID(), version: 1 });
    this.changes.create++;
  }

  /** One change picked at random: mostly commits, some drops, re-creates and renames. */
  async change(): Promise<ChangeKind> {
    const keys = [...this.tables.keys()];
    const roll = this.random();
    if (keys.length === 0 || (roll < 0.1 && this.dropped.length > 0)) {
      const key = this.dropped.splice(Math.floor(this.random() * this.dropped.length), 1)[0];
      if (key !== undefined) {
        await this.publish(key, { uuid: randomUUID(), version: 1 });
        this.changes.recreate++;
        return 'recreate';
      }
    }
    const key = keys[Math.floor(this.random() * keys.length)]!;
    if (roll < 0.2) {
      await this.drop(key);
      return 'drop';
    }
    if (roll < 0.3) {
      await this.rename(key);
      return 'rename';
    }
    const table = this.tables.get(key)!;
    await this.publish(key, { uuid: table.uuid, version: table.version + 1 });
    this.changes.update++;
    return 'update';
  }

  private async drop(key: string): Promise<void> {
    await this.remove(key);
    this.dropped.push(key);
    this.changes.drop++;
  }

  private async rename(key: string): Promise<void> {
    const table = this.tables.get(key)!;
    const [namespace, name] = key.split('.');
    // The renamed table: same UUID, its metadata now located in the new directory; then the old goes.
    await this.publish(`${namespace}.r${++this.renames}_${name}`, { uuid: table.uuid, version: table.version + 1 });
    await this.remove(key);
    this.changes.rename++;
  }

  /** Out of the tree in one step (a rename), then deleted: a listing never sees half a table. */
  private async remove(key: string): Promise<void> {
    const trash = join(this.root, `.trash-${randomUUID()}`);
    await rename(this.dir(key), trash);
    this.tables.delete(key);
    this.mark(key, false);
    await rm(trash, { recursive: true, force: true });
  }

  /** Writes the table's next metadata file (or a new table) so that it appears in one step. */
  private async publish(key: string, table: Table): Promise<void> {
    const dir = this.dir(key);
    const metadata = relocate(await this.fixture(), dirUri(dir));
    metadata['table-uuid'] = table.uuid;
    metadata['last-updated-ms'] = Date.now();
    const text = JSON.stringify(metadata);
    if (this.tables.has(key)) {
      const temp = join(dir, 'metadata', `.v${table.version}.tmp`);
      await writeFile(temp, text);
      await rename(temp, join(dir, 'metadata', `v${table.version}.metadata.json`));
    } else {
      const staging = join(this.root, `.staging-${randomUUID()}`);
      await mkdir(join(staging, 'metadata'), { recursive: true });
      await writeFile(join(staging, 'metadata', `v${table.version}.metadata.json`), text);
      await mkdir(join(this.root, key.split('.')[0]!), { recursive: true });
      await rename(staging, dir);
      this.mark(key, true);
    }
    this.tables.set(key, table);
  }

  private mark(key: string, present: boolean): void {
    let events = this.timeline.get(key);
    if (!events) this.timeline.set(key, (events = []));
    events.push({ at: Date.now(), present });
  }

  private dir(key: string): string {
    const [namespace, name] = key.split('.');
    return join(this.root, namespace!, name!);
  }

  private async fixture(): Promise<Record<string, unknown>> {
    this.template ??= JSON.parse(
      await readFile(join(packageRoot(), 'fixtures', 'iceberg-metadata', 'TableMetadataV2ValidMinimal.json'), 'utf8'),
    ) as Record<string, unknown>;
    return this.template;
  }

  /** A new table name in one of the namespaces. */
  nameFor(index: number): string {
    return `ns${index % this.namespaces}.t${index}`;
  }
}
