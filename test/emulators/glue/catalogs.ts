// The Glue catalogs the emulator holds, across accounts: each account's default (root) catalog, named
// by the account id, and child catalogs named "<account>:<path>" — e.g. the S3 Tables integration's
// container "<account>:s3tablescatalog" and one federated child per table bucket,
// "<account>:s3tablescatalog/<bucket>". Resolves the CatalogId of a call as Glue does (absent: the
// caller's account; without an account: relative to the caller's) and answers GetCatalogs.
import { GlueCatalog } from './catalog.js';
import { invalidInput, notFound } from './aws-errors.js';
import { ACCOUNT_ID, REGION } from './types.js';

export interface CatalogMeta {
  /** "<account>" (a root catalog) or "<account>:<path>". */
  readonly id: string;
  readonly account: string;
  /** The parent's id; undefined for a root catalog. */
  readonly parent: string | undefined;
  /** Only holds other catalogs (as s3tablescatalog does): GetDatabases on it finds nothing. */
  readonly container: boolean;
  readonly federated?: { Identifier: string; ConnectionName: string; ConnectionType?: string };
  readonly createTime: number;
}

const ACCOUNT = /^\d{12}$/;

export class GlueCatalogs {
  private readonly entries = new Map<string, { meta: CatalogMeta; catalog: GlueCatalog }>();

  constructor(private readonly now: () => number = () => Date.now()) {
    this.addRoot(ACCOUNT_ID);
  }

  /** The default catalog of another account (reached with a role in that account). */
  addRoot(account: string): GlueCatalog {
    if (!ACCOUNT.test(account)) throw new Error(`not an account id: ${account}`);
    return this.add({ id: account, account, parent: undefined, container: false, createTime: this.now() });
  }

  /**
   * A table bucket integrated with Glue: "<account>:s3tablescatalog/<bucket>", under the container
   * "<account>:s3tablescatalog" (created with the first bucket).
   */
  addS3TablesBucket(bucket: string, account = ACCOUNT_ID): GlueCatalog {
    const container = `${account}:s3tablescatalog`;
    if (!this.entries.has(container)) {
      this.add({
        id: container,
        account,
        parent: account,
        container: true,
        federated: { Identifier: 'aws:s3tables', ConnectionName: 'aws:s3tables', ConnectionType: 'aws:s3tables' },
        createTime: this.now(),
      });
    }
    return this.add({
      id: `${container}/${bucket}`,
      account,
      parent: container,
      container: false,
      federated: { Identifier: `arn:aws:s3tables:${REGION}:${account}:bucket/${bucket}`, ConnectionName: 'aws:s3tables', ConnectionType: 'aws:s3tables' },
      createTime: this.now(),
    });
  }

  /** A plain child catalog of an account's root (e.g. one created with CreateCatalog). */
  addChild(name: string, account = ACCOUNT_ID): GlueCatalog {
    return this.add({ id: `${account}:${name}`, account, parent: account, container: false, createTime: this.now() });
  }

  remove(id: string): void {
    for (const other of [...this.entries.keys()]) if (other === id || other.startsWith(`${id}/`)) this.entries.delete(other);
  }

  get(id: string): GlueCatalog {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no catalog ${id}`);
    return entry.catalog;
  }

  /** The full id a call's CatalogId names, for a caller of `callerAccount`. */
  resolveId(catalogId: unknown, callerAccount: string): string {
    if (catalogId === undefined || catalogId === null) return callerAccount;
    if (typeof catalogId !== 'string' || catalogId === '' || catalogId.length > 255) throw invalidInput('CatalogId must be a string of 1 to 255 characters');
    if (ACCOUNT.test(catalogId) || catalogId.includes(':')) return catalogId;
    return `${callerAccount}:${catalogId}`;
  }

  /** The catalog a call addresses: a catalog that does not exist is not found; another account's, denied by the caller. */
  lookup(id: string): { meta: CatalogMeta; catalog: GlueCatalog } | undefined {
    return this.entries.get(id);
  }

  /**
   * GetCatalogs: the children of `parent` (or, Recursive, every catalog below it), with the root itself
   * when IncludeRoot; HasDatabases leaves out containers. In id order, `after` a paging cursor.
   */
  list(parent: string, options: { recursive: boolean; includeRoot: boolean; hasDatabases: boolean }): CatalogMeta[] {
    if (!this.entries.has(parent)) throw notFound(`Catalog ${parent}`);
    const below = (meta: CatalogMeta): boolean => {
      for (let up = meta.parent; up !== undefined; up = this.entries.get(up)?.meta.parent) {
        if (up === parent) return true;
        if (!options.recursive) return false;
      }
      return false;
    };
    return [...this.entries.values()]
      .map((e) => e.meta)
      .filter((meta) => below(meta) || (options.includeRoot && meta.id === parent))
      .filter((meta) => !(options.hasDatabases && meta.container))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  wire(meta: CatalogMeta): Record<string, unknown> {
    const path = meta.parent === undefined ? '' : meta.id.slice(meta.account.length + 1);
    return {
      CatalogId: meta.id,
      Name: meta.parent === undefined ? meta.account : path.slice(path.lastIndexOf('/') + 1),
      ResourceArn: `arn:aws:glue:${REGION}:${meta.account}:catalog${path ? `/${path}` : ''}`,
      Parameters: {},
      CreateTime: meta.createTime / 1000,
      UpdateTime: meta.createTime / 1000,
      ...(meta.federated ? { FederatedCatalog: meta.federated } : {}),
      CreateTableDefaultPermissions: [],
      CreateDatabaseDefaultPermissions: [],
    };
  }

  private add(meta: CatalogMeta): GlueCatalog {
    if (this.entries.has(meta.id)) throw new Error(`catalog ${meta.id} exists`);
    const catalog = new GlueCatalog(meta.id);
    this.entries.set(meta.id, { meta, catalog });
    return catalog;
  }
}
