import { joinNamespace } from '../model/table.js';
import { recreatedInPlace } from '../model/observation.js';
import type { NormalizedObservation } from '../normalizer/normalize.js';

/** An observation about the table on one target (see perTarget in the normalizer). */
export type TargetObservation = NormalizedObservation & { readonly polaris: string };
import { nextTimestamp } from '../normalizer/timestamp.js';
import type { ObserveResult } from './ledger.js';
import { desiredMatchesApplied, type TableRecord } from './rows.js';
import { ownedHint, ownedMessage } from './table-ownership.js';

/** Column values of a new table row: the stored row's columns an observation sets (see TableRecord), and its source version. */
export type InsertValues = Pick<
  TableRecord,
  | 'source'
  | 'src_namespace'
  | 'src_name'
  | 'catalog'
  | 'namespace'
  | 'name'
  | 'desired_state'
  | 'desired_location'
  | 'desired_uuid'
  | 'desired_order'
  | 'desired_source_time'
  | 'desired_timestamp'
  | 'desired_confirmed'
  | 'last_present_location'
  | 'last_timestamp'
  | 'status'
  | 'last_error'
  | 'last_hint'
  | 'owner_conflict'
  | 'updated_at'
> & {
  polaris: string;
  /** The observation's sourceVersion (null without one, and for an absence). */
  source_version: string | null;
};

export interface TouchValues {
  id: number;
  desired_order: number;
  desired_uuid: string | null;
  desired_confirmed: number;
  source_version: string | null;
  updated_at: number;
}

/** The columns of a stored row that storing an observation looks at (a narrow read is much cheaper than SELECT *). */
export const OBSERVED_COLUMNS = [
  'id',
  'desired_state',
  'desired_location',
  'desired_uuid',
  'desired_order',
  'desired_confirmed',
  'last_present_location',
  'last_timestamp',
  'applied_state',
  'applied_location',
  'owner_conflict',
  // Not for the plan: the SQLite batch path leaves the due index alone when the row is already due.
  'status',
  'next_attempt_at',
] as const;

/** A stored row as far as storing an observation needs it. */
export type ObservedRecord = Pick<TableRecord, (typeof OBSERVED_COLUMNS)[number]>;

export type ChangeValues = Omit<InsertValues, 'source' | 'polaris' | 'src_namespace' | 'src_name' | 'catalog' | 'namespace' | 'name'> & { id: number };

/**
 * What storing one observation does to its table's row, decided the same way by every ledger: the
 * backends only read the row (and the owner, when ownerCheckNeeded says so) and write the plan.
 */
export type ObservePlan =
  | { readonly kind: 'stale' }
  | { readonly kind: 'insert'; readonly result: ObserveResult; readonly values: InsertValues }
  /**
   * Same state again: newer order and UUID only; a row held by another source's claim is looked at
   * again. `uuidChanged` lets a ledger leave an unchanged UUID out of its UPDATE (see touchDesiredSql).
   */
  | { readonly kind: 'touch'; readonly values: TouchValues; readonly recheckOwner: boolean; readonly uuidChanged: boolean }
  | { readonly kind: 'change'; readonly result: ObserveResult; readonly values: ChangeValues };

/**
 * The state the row already wants: absent again, or present at the same metadata location and not
 * re-created there meanwhile. A table re-created in place is a change: its row is converged again at
 * once (a failure of the old table, such as its file vanishing before Polaris read it, says nothing
 * of the new one, which would otherwise wait out the failed-table delay).
 */
function sameState(existing: ObservedRecord, obs: NormalizedObservation['observation']): boolean {
  if (existing.desired_state !== obs.state) return false;
  return obs.state === 'absent' || (existing.desired_location === obs.metadataLocation && !recreatedInPlace(existing.desired_uuid, obs.tableUuid));
}

/** Whether the plan needs to know which other source (if any) mirrors the same Polaris table. */
export function ownerCheckNeeded(existing: ObservedRecord | undefined, { observation: obs }: NormalizedObservation): boolean {
  if (obs.state !== 'present') return false;
  if (!existing) return true;
  if (obs.order < existing.desired_order) return false;
  return sameState(existing, obs) ? existing.owner_conflict !== null : true;
}

/**
 * The observation's effect. An observation older (by `order`) than the stored one is stale; a changed
 * state gets the table's next timestamp (above every one assigned before); `owner` is another source
 * mirroring the same Polaris table (looked up only when ownerCheckNeeded).
 */
export function planObservation(item: TargetObservation, existing: ObservedRecord | undefined, owner: string | undefined, now: number): ObservePlan {
  const { source, target, polaris, observation: obs } = item;
  const location = obs.state === 'present' ? obs.metadataLocation : null;
  const uuid = obs.state === 'present' ? (obs.tableUuid ?? null) : null;
  const confirmed = obs.state === 'absent' && obs.confirmed === true ? 1 : 0;
  // Always the observation's own: a version stored with another observation would make a later
  // "unchanged" answer stand for a state the row does not hold.
  const sourceVersion = obs.state === 'present' ? (obs.sourceVersion ?? null) : null;
  const conflict = {
    owner_conflict: owner ?? null,
    last_error: owner ? ownedMessage(owner) : null,
    last_hint: owner ? ownedHint(owner) : null,
  };

  if (!existing) {
    const timestamp = nextTimestamp(obs.sourceTimeMs, undefined);
    return {
      kind: 'insert',
      result: owner ? 'rejected' : 'accepted',
      values: {
        source,
        polaris,
        src_namespace: joinNamespace(obs.table.namespace),
        src_name: obs.table.name,
        catalog: target.catalog,
        namespace: joinNamespace(target.namespace),
        name: target.name,
        desired_state: obs.state,
        desired_location: location,
        desired_uuid: uuid,
        desired_order: obs.order,
        desired_source_time: Math.trunc(obs.sourceTimeMs),
        desired_timestamp: timestamp,
        desired_confirmed: confirmed,
        source_version: sourceVersion,
        // A rejected observation was never ours to send: it must not make a later absence a DROP.
        last_present_location: owner ? null : location,
        last_timestamp: timestamp,
        // A first sighting of an absent table is a tombstone: nothing to send, but its order stops a
        // late, older "present" from resurrecting it.
        status: owner ? 'failed' : obs.state === 'absent' ? 'in_sync' : 'pending',
        ...conflict,
        updated_at: now,
      },
    };
  }

  if (obs.order < existing.desired_order) return { kind: 'stale' };

  if (sameState(existing, obs)) {
    const desiredUuid = uuid ?? existing.desired_uuid;
    return {
      kind: 'touch',
      values: {
        id: existing.id,
        desired_order: obs.order,
        desired_uuid: desiredUuid,
        desired_confirmed: Math.max(confirmed, existing.desired_confirmed),
        source_version: sourceVersion,
        updated_at: now,
      },
      recheckOwner: existing.owner_conflict !== null && obs.state === 'present',
      uuidChanged: desiredUuid !== existing.desired_uuid,
    };
  }

  const timestamp = nextTimestamp(obs.sourceTimeMs, existing.last_timestamp);
  const lastPresentLocation = owner ? existing.last_present_location : (location ?? existing.last_present_location);
  const matchesApplied = desiredMatchesApplied({
    desired: { state: obs.state, metadataLocation: location },
    applied: { state: existing.applied_state, metadataLocation: existing.applied_location },
    lastPresentLocation,
  });
  return {
    kind: 'change',
    result: owner ? 'rejected' : 'accepted',
    values: {
      id: existing.id,
      desired_state: obs.state,
      desired_location: location,
      desired_uuid: obs.state === 'present' ? uuid : existing.desired_uuid,
      desired_order: obs.order,
      desired_source_time: Math.trunc(obs.sourceTimeMs),
      desired_timestamp: timestamp,
      desired_confirmed: confirmed,
      source_version: sourceVersion,
      last_present_location: lastPresentLocation,
      last_timestamp: timestamp,
      // Applied is what Polaris last confirmed, and it is certain only while the table is in sync. Once an
      // attempt has been sent, its answer may never have come (a timeout, a reset, a kill) while Polaris
      // applied it: a desired state that comes back to the applied one is then converged again (an
      // UPDATE with a newer timestamp, or a DROP that first reads what Polaris holds), not taken as done.
      // (A row held by another source's claim never sent anything: its applied state stays certain.)
      status: owner ? 'failed' : matchesApplied && (existing.status === 'in_sync' || existing.owner_conflict !== null) ? 'in_sync' : 'pending',
      ...conflict,
      updated_at: now,
    },
  };
}
