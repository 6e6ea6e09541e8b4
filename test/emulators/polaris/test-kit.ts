// Helpers for the emulator's own tests and for other tests that need a ready Polaris: an emulator
// with a few catalogs, a connector principal, a token and a temporary warehouse directory, plus
// raw-fetch helpers that encode paths the way a Polaris client must. No test framework imports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirUri } from './fixture-warehouse.js';
import { startPolarisEmulator } from './index.js';
import type { PolarisEmulator, PolarisEmulatorOptions } from './types.js';

export interface Kit {
  emu: PolarisEmulator;
  /** Base URI, …/api/catalog */
  base: string;
  /** Token of the `mirror` principal (CATALOG_MANAGE_CONTENT on every catalog below). */
  token: string;
  /** Temporary warehouse directory; catalog `lake` allows dirUri(root). */
  root: string;
  close(): Promise<void>;
}

export const CLIENT_ID = 'mirror';
export const CLIENT_SECRET = 's3cret';

/**
 * Catalogs: `lake` (EXTERNAL, allows the temp dir), `s3lake` (EXTERNAL, allows s3://lake/wh),
 * `internal` (INTERNAL), `federated` (EXTERNAL with connection config), `nostorage` (no storage config).
 */
export async function startKit(options: PolarisEmulatorOptions = {}): Promise<Kit> {
  const root = await mkdtemp(join(tmpdir(), 'polaris-emu-'));
  const emu = await startPolarisEmulator(options);
  const rootUri = dirUri(root);
  emu.createCatalog({ name: 'lake', allowedLocations: [rootUri] });
  emu.createCatalog({ name: 's3lake', allowedLocations: ['s3://lake/wh'] });
  emu.createCatalog({ name: 'internal', type: 'INTERNAL', allowedLocations: [rootUri] });
  emu.createCatalog({ name: 'federated', allowedLocations: [rootUri], federated: true });
  emu.createCatalog({ name: 'nostorage', allowedLocations: [rootUri], storageConfigured: false });
  const all = ['CATALOG_MANAGE_CONTENT'];
  emu.createPrincipal({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    roles: { mirror_role: { lake: all, s3lake: all, internal: all, federated: all, nostorage: all } },
  });
  return {
    emu,
    base: emu.url,
    token: emu.issueToken(CLIENT_ID),
    root,
    close: async () => {
      await emu.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** …/v1/{catalog}/namespaces/{a%1Fb}/tables/{table}: every part percent-encoded, levels joined by U+001F. */
export function tablePath(base: string, catalog: string, namespace: string[], table: string): string {
  return `${base}/v1/${encodeURIComponent(catalog)}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables/${encodeURIComponent(table)}`;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when empty / not JSON. */
  json: any;
}

export async function raw(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface NotifyPayload {
  'table-name'?: string;
  timestamp?: number;
  'table-uuid'?: string;
  'metadata-location'?: string;
  [k: string]: unknown;
}

/** POSTs a notification; `body` may be a ready string (for malformed JSON tests). */
export function notify(
  kit: Pick<Kit, 'base' | 'token'>,
  catalog: string,
  namespace: string[],
  table: string,
  body: string | { 'notification-type': string; payload?: NotifyPayload; [k: string]: unknown },
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return raw(`${tablePath(kit.base, catalog, namespace, table)}/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${kit.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A complete, schema-valid notification body. */
export function notification(
  type: string,
  table: string,
  metadataLocation: string,
  timestamp: number,
): { 'notification-type': string; payload: NotifyPayload } {
  return {
    'notification-type': type,
    payload: {
      'table-name': table,
      timestamp,
      'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1',
      'metadata-location': metadataLocation,
    },
  };
}

/** The Iceberg error body Polaris answers. */
export function err(code: number, type: string, message: string): { error: { message: string; type: string; code: number } } {
  return { error: { message, type, code } };
}
