// The ingest benchmark's raw ceiling: the connector's notifications posted by a bare keep-alive loop,
// a CREATE per table after its directory's one VALIDATE (as src/engine/validation-scope.ts sends them).
// Shared by the ingest benchmark (the ceiling) and the budget benchmark (the same loop with work added).
import { join } from 'node:path';
import { Pool } from 'undici';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { CLIENT_ID, CLIENT_SECRET } from './bench-kit.js';

/** The tables of the benchmark's warehouse live under ns{i % NAMESPACES}/ (see generateWarehouse). */
export const NAMESPACES = 20;
export const BENCH_CATALOG = 'hooks_mirror';

/** Posts one notification body to a path under the emulator's origin; resolves with the HTTP status. */
export type NotificationPoster = (path: string, body: string) => Promise<number>;

export interface BareLoopOptions {
  readonly post: NotificationPoster;
  readonly warehouse: string;
  readonly locations: readonly string[];
  readonly concurrency: number;
  /**
   * Synchronous CPU work added to each notification on the loop's thread, half before it is posted and
   * half after its answer: what a connector does around each send, without any of its waiting.
   */
  readonly workMicros?: number;
  /** Called with the count of answered CREATEs after each. */
  readonly onCreated?: (created: number) => void;
}

/** Runs the loop to the end: `concurrency` workers, each taking the next table. Throws on any answer but 204. */
export async function runBareLoop(options: BareLoopOptions): Promise<void> {
  const { post, warehouse, locations, concurrency, workMicros = 0, onCreated } = options;
  const send = async (i: number, type: string, metadataLocation: string) => {
    busyFor(workMicros / 2);
    const status = await post(notificationPath(i), notificationBody(i, type, metadataLocation));
    if (status !== 204) throw new Error(`the bare loop's ${type} of t${i} got ${status}`);
    busyFor(workMicros / 2);
  };
  const validations = new Map<number, Promise<void>>();
  const validateDirectory = (i: number) => {
    const namespace = i % NAMESPACES;
    let validation = validations.get(namespace);
    if (!validation) {
      validation = send(i, 'VALIDATE', `${dirUri(join(warehouse, `ns${namespace}`))}/`);
      validations.set(namespace, validation);
    }
    return validation;
  };
  let next = 0;
  let created = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < locations.length; i = next++) {
        await validateDirectory(i);
        await send(i, 'CREATE', locations[i]!);
        onCreated?.(++created);
      }
    }),
  );
}

/** A bearer token from the emulator's OAuth endpoint, for the benchmark's principal. */
export async function benchToken(origin: string): Promise<string> {
  const response = await fetch(`${origin}/api/catalog/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'PRINCIPAL_ROLE:ALL' }).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Posts through a keep-alive pool of `connections` sockets on this thread. */
export function poolPoster(pool: Pool, token: string): NotificationPoster {
  return async (path, body) => {
    const response = await pool.request({ path, method: 'POST', headers: notificationHeaders(token), body });
    await response.body.dump();
    return response.statusCode;
  };
}

export function notificationHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

function notificationPath(i: number): string {
  return `/api/catalog/v1/${BENCH_CATALOG}/namespaces/ns${i % NAMESPACES}/tables/t${i}/notifications`;
}

function notificationBody(i: number, type: string, metadataLocation: string): string {
  return JSON.stringify({ 'notification-type': type, payload: { 'table-name': `t${i}`, timestamp: Date.now(), 'table-uuid': 'x', 'metadata-location': metadataLocation } });
}

/** Keeps this thread's CPU busy for `micros` (a loop on the high-resolution clock: no sleep, no yield). */
function busyFor(micros: number): void {
  if (micros <= 0) return;
  const end = process.hrtime.bigint() + BigInt(Math.round(micros * 1000));
  while (process.hrtime.bigint() < end);
}
