import type Database from 'better-sqlite3';
import { joinNamespace } from '../../model/table.js';
import type { ObserveResult } from '../ledger.js';
import { OBSERVED_COLUMNS, ownerCheckNeeded, planObservation, type ChangeValues, type ObservedRecord, type ObservePlan, type TargetObservation } from '../observe-plan.js';
import { changeDesiredSql } from './change-desired-sql.js';
import { rawRecords } from './raw-records.js';
import type { Statements } from './statements.js';

/** A row's key within one source: the source table on one target (instance and catalog). */
const itemKey = (item: TargetObservation) =>
  `${joinNamespace(item.observation.table.namespace)}\u0000${item.observation.table.name}\u0000${item.polaris}\u0000${item.target.catalog}`;
const columns = OBSERVED_COLUMNS.map((c) => `t.${c}`).join(', ');
/** A Polaris table on one instance, for the owner lookup. */
const ownerKey = (polaris: string, catalog: string, namespace: string, name: string) => `${polaris}\u0000${catalog}\u0000${namespace}\u0000${name}`;
const itemOwnerKey = (item: TargetObservation) => ownerKey(item.polaris, item.target.catalog, joinNamespace(item.target.namespace), item.target.name);

/**
 * Stores a batch of one source's observations (inside the caller's transaction) with two set-wise
 * reads instead of one or two reads per table: every existing row at once (only the columns the plan
 * looks at: materialising every column cost more than the seek), and the Polaris tables
 * another source already mirrors at once (skipped outright when the ledger holds no other source).
 * A table seen again later in the batch is read afresh, so it builds on its own first change. The
 * plans are the same as one by one (observe-plan.ts), and so are the writes.
 */
export class SqliteObserver {
  private readonly rowsOfKeys: (params: { keys: string; source: string }) => Array<ObservedRecord & { item: number }>;
  private readonly rowOfKey: (...key: string[]) => ObservedRecord[];
  private readonly ownersOfTargets: Database.Statement;
  private readonly otherSource: Database.Statement;
  /** changeDesiredSql's variants, prepared on first use. */
  private readonly changes: Array<((values: ChangeValues) => void) | undefined> = [];

  constructor(
    private readonly db: Database.Database,
    private readonly statements: Statements,
  ) {
    // CROSS JOIN keeps json_each outside: one seek of the (source, …) key per item.
    // Read raw and built as fixed-shape records (rawRecords): better-sqlite3's own row objects cost
    // about three times as much, and these reads run for every observation of a batch.
    this.rowsOfKeys = rawRecords(db.prepare(`SELECT j.key AS item, ${columns} FROM json_each(@keys) AS j CROSS JOIN tables AS t
      WHERE t.source = @source AND t.src_namespace = j.value ->> 0 AND t.src_name = j.value ->> 1
        AND t.polaris = j.value ->> 2 AND t.catalog = j.value ->> 3`));
    this.rowOfKey = rawRecords(db.prepare(`SELECT ${columns} FROM tables AS t
      WHERE t.source = ? AND t.src_namespace = ? AND t.src_name = ? AND t.polaris = ? AND t.catalog = ?`));
    this.ownersOfTargets = db.prepare(`SELECT t.polaris, t.catalog, t.namespace, t.name, t.source FROM json_each(@targets) AS j CROSS JOIN tables AS t
      WHERE t.catalog = j.value ->> 1 AND t.namespace = j.value ->> 2 AND t.name = j.value ->> 3 AND t.polaris = j.value ->> 0
        AND t.source <> @source AND t.owner_conflict IS NULL AND (t.desired_state = 'present' OR t.applied_state = 'present')`);
    // Two range seeks on the (source, …) key: whether any row belongs to another source.
    this.otherSource = db.prepare('SELECT EXISTS (SELECT 1 FROM tables WHERE source < @source) OR EXISTS (SELECT 1 FROM tables WHERE source > @source) AS other').pluck();
  }

  /** Whether store() can take these rows: a batch of one source (several would need an owner lookup per source). */
  static fits(items: readonly TargetObservation[]): boolean {
    return items.length > 1 && items.every((item) => item.source === items[0]!.source);
  }

  store(items: readonly TargetObservation[], now: number): ObserveResult[] {
    const source = items[0]!.source;
    const keys = items.map(itemKey);
    const existing = this.existingRows(source, items, keys);
    const owners = this.owners(source, items);
    /** Keys written earlier in this batch: their prefetched row is out of date. */
    const written = new Set<string>();
    return items.map((item, i) => {
      const key = keys[i]!;
      const row = written.has(key) ? this.readRow(item) : existing[i];
      written.add(key);
      const owner = ownerCheckNeeded(row, item) ? owners.get(itemOwnerKey(item)) : undefined;
      const plan = planObservation(item, row, owner, now);
      return writePlan(this.statements, plan, owner, now, (values) => this.changeStatement(row!, values)(values));
    });
  }

  /**
   * Each item's stored row (by position in the batch), as the batch found them. A table observed
   * several times in the batch is read for its first item only: store() reads it again for the later
   * ones, after the first one's write (a log commit of 2,000 events over 5,000 tables repeats ~350).
   */
  private existingRows(source: string, items: readonly TargetObservation[], keys: readonly string[]): Array<ObservedRecord | undefined> {
    const firstOf = new Map<string, number>();
    for (let i = 0; i < keys.length; i++) if (!firstOf.has(keys[i]!)) firstOf.set(keys[i]!, i);
    const positions = [...firstOf.values()];
    const asked = positions.map((i) => {
      const item = items[i]!;
      return [joinNamespace(item.observation.table.namespace), item.observation.table.name, item.polaris, item.target.catalog];
    });
    const rows = this.rowsOfKeys({ keys: JSON.stringify(asked), source });
    const byItem = new Array<ObservedRecord | undefined>(items.length);
    for (const row of rows) byItem[positions[row.item]!] = row;
    return byItem;
  }

  /** Another source's claim on each Polaris table of a present observation (the superset ownerCheckNeeded picks from). */
  private owners(source: string, items: readonly TargetObservation[]): Map<string, string> {
    const owners = new Map<string, string>();
    const present = items.filter((i) => i.observation.state === 'present');
    if (present.length === 0 || this.otherSource.get({ source }) === 0) return owners;
    const targets = present.map((i) => [i.polaris, i.target.catalog, joinNamespace(i.target.namespace), i.target.name]);
    const rows = this.ownersOfTargets.all({ targets: JSON.stringify(targets), source }) as Array<{ polaris: string; catalog: string; namespace: string; name: string; source: string }>;
    for (const r of rows) {
      const key = ownerKey(r.polaris, r.catalog, r.namespace, r.name);
      if (!owners.has(key)) owners.set(key, r.source);
    }
    return owners;
  }

  /** The narrowest UPDATE for this change (see changeDesiredSql). */
  private changeStatement(row: ObservedRecord, values: ChangeValues): (values: ChangeValues) => void {
    const setUuid = values.desired_uuid !== row.desired_uuid;
    const setDue = !(values.status === row.status && row.next_attempt_at === 0);
    const variant = (setUuid ? 1 : 0) + (setDue ? 2 : 0);
    this.changes[variant] ??= positionalChange(this.db, { setUuid, setDue });
    return this.changes[variant];
  }

  private readRow(item: TargetObservation): ObservedRecord | undefined {
    const { source, target, polaris, observation: obs } = item;
    return this.rowOfKey(source, joinNamespace(obs.table.namespace), obs.table.name, polaris, target.catalog)[0];
  }
}

/**
 * changeDesiredSql bound by position: better-sqlite3 looks each named parameter up on the values
 * object through V8's C++ API, which cost about as much as SQLite's own work on the row. The
 * parameter order is read back from the SQL as it is written, so the two cannot drift apart.
 */
function positionalChange(db: Database.Database, options: { readonly setUuid: boolean; readonly setDue: boolean }): (values: ChangeValues) => void {
  const names: Array<keyof ChangeValues> = [];
  const statement = db.prepare(
    changeDesiredSql(options, (name) => {
      names.push(name);
      return '?';
    }),
  );
  return (values) => {
    statement.run(names.map((name) => values[name]));
  };
}

/**
 * Writes one observation's plan (both paths: one at a time and batched). `change` runs the UPDATE of
 * a changed desired state (the batched path narrows it to the columns that change).
 */
export function writePlan(s: Statements, plan: ObservePlan, owner: string | undefined, now: number, change: (values: ChangeValues) => void): ObserveResult {
  switch (plan.kind) {
    case 'stale':
      return 'stale';
    case 'insert':
      s.insert.run(plan.values);
      return plan.result;
    case 'change':
      change(plan.values);
      return plan.result;
    case 'touch':
      (plan.uuidChanged ? s.touchDesired : s.touchKeepingUuid).run(plan.values);
      if (!plan.recheckOwner) return 'unchanged';
      if (owner) return 'rejected';
      s.clearOwner.run({ id: plan.values.id, updated_at: now });
      return 'accepted';
  }
}
