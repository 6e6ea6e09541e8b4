// A notification sent to an emulated Polaris directly, bypassing the connector and its ledger: another
// writer of the same catalog, or a table lost or added behind the mirror's back.
import type { PolarisEmulator } from '../emulators/polaris/types.js';

export interface DirectNotification {
  readonly catalog: string;
  readonly namespace: readonly string[];
  readonly name: string;
  readonly type: 'CREATE' | 'UPDATE' | 'DROP';
  readonly timestamp: number;
  /** The metadata location (the schema requires one, a DROP's included). */
  readonly location: string;
  /** The principal whose token is used. */
  readonly clientId: string;
  /** The Polaris-Realm header, for an emulator serving another realm than the default. */
  readonly realm?: string;
}

/** POSTs the notification; resolves with Polaris's HTTP status. */
export async function notifyDirectly(emulator: PolarisEmulator, n: DirectNotification): Promise<number> {
  const path = `${emulator.url}/v1/${n.catalog}/namespaces/${encodeURIComponent(n.namespace.join('\u001f'))}/tables/${encodeURIComponent(n.name)}/notifications`;
  const payload = { 'table-name': n.name, timestamp: n.timestamp, 'table-uuid': 'x', 'metadata-location': n.location };
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.issueToken(n.clientId)}`, 'content-type': 'application/json', ...(n.realm ? { 'polaris-realm': n.realm } : {}) },
    body: JSON.stringify({ 'notification-type': n.type, payload }),
  });
  await response.arrayBuffer();
  return response.status;
}
