import type { PolarisTable } from '../model/table.js';
import { namespaceSegment } from './paths.js';
import type { PolarisClient } from './polaris-client.js';

/** Bounds of one target listing: a catalog larger or deeper than this is reported incomplete, never acted on. */
export const TARGET_LISTING_LIMITS = { namespaces: 100_000, tables: 1_000_000, depth: 16, pages: 100_000 } as const;

export type TargetListing =
  | { readonly complete: true; readonly tables: PolarisTable[] }
  | { readonly complete: false; readonly reason: string };

/**
 * Every table a Polaris catalog holds under a namespace prefix, by the cheap Iceberg REST listings
 * (namespaces level by level, then each namespace's tables, following next-page-token). Only a
 * complete listing is returned as such: refills and orphan reports never rest on a partial one.
 */
export async function listTargetTables(client: PolarisClient, catalog: string, under: readonly string[], signal?: AbortSignal): Promise<TargetListing> {
  const tables: PolarisTable[] = [];
  const queue: string[][] = under.length > 0 ? [[...under]] : [];
  let pages = 0;
  const page = async (path: string, key: 'namespaces' | 'identifiers'): Promise<unknown[] | string> => {
    const items: unknown[] = [];
    let token: string | undefined;
    do {
      if (++pages > TARGET_LISTING_LIMITS.pages) return `more than ${TARGET_LISTING_LIMITS.pages} listing pages`;
      const separator = path.includes('?') ? '&' : '?';
      const response = await client.listPage(catalog, token === undefined ? path : `${path}${separator}pageToken=${encodeURIComponent(token)}`, signal);
      if (response.status === 404 && items.length === 0) return [];
      if (response.status !== 200) return `listing ${path} answered HTTP ${response.status}`;
      const body = response.body as Record<string, unknown> | undefined;
      const found = body?.[key];
      if (!Array.isArray(found)) return `listing ${path} answered without "${key}"`;
      items.push(...found);
      const next = body?.['next-page-token'];
      token = typeof next === 'string' && next !== '' ? next : undefined;
    } while (token !== undefined);
    return items;
  };

  try {
    if (under.length === 0) {
      const top = await page('/namespaces', 'namespaces');
      if (typeof top === 'string') return { complete: false, reason: top };
      queue.push(...top.filter(isLevels));
    }
    let seen = 0;
    while (queue.length > 0) {
      const namespace = queue.shift()!;
      if (++seen > TARGET_LISTING_LIMITS.namespaces) return { complete: false, reason: `more than ${TARGET_LISTING_LIMITS.namespaces} namespaces` };
      const ns = namespaceSegment(namespace);
      const identifiers = await page(`/namespaces/${ns}/tables`, 'identifiers');
      if (typeof identifiers === 'string') return { complete: false, reason: identifiers };
      for (const id of identifiers) {
        const name = (id as { name?: unknown }).name;
        if (typeof name === 'string') tables.push({ catalog, namespace, name });
      }
      if (tables.length > TARGET_LISTING_LIMITS.tables) return { complete: false, reason: `more than ${TARGET_LISTING_LIMITS.tables} tables` };
      if (namespace.length >= TARGET_LISTING_LIMITS.depth) continue;
      const children = await page(`/namespaces?parent=${ns}`, 'namespaces');
      if (typeof children === 'string') return { complete: false, reason: children };
      queue.push(...children.filter(isLevels).filter((child) => child.length === namespace.length + 1));
    }
  } catch (error) {
    return { complete: false, reason: (error as Error).message };
  }
  return { complete: true, tables };
}

function isLevels(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((level) => typeof level === 'string');
}
