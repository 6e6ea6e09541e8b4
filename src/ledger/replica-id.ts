import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A replica among those sharing a ledger: host, pid and a random part (a pid is reused after a restart,
 * and two containers often both run as pid 1). One per opened ledger, so two in one process (tests) are
 * two replicas too.
 */
export function newReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
