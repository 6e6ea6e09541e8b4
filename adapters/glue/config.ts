import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';
import { CATALOG_ID_HELP, catalogIdProblem, derivedLevel, parseCatalogId } from './catalog-ids.js';

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what})` });

/** `events:` — change capture from an SQS queue that an EventBridge rule feeds with Glue's events. */
export const glueEventsSchema = z.strictObject({
  /** https://sqs.<region>.amazonaws.com/<account>/<queue> */
  queueUrl: httpUrl('the queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/glue-changes'),
  /** A VPC endpoint or a local emulator; default: the SQS endpoint of the region. */
  endpoint: httpUrl('e.g. https://vpce-….sqs.us-east-1.vpce.amazonaws.com').optional(),
  /** Long-poll wait of each ReceiveMessage (SQS allows 1–20 s; 0 would poll in a busy loop). */
  waitSeconds: z.number().int().min(1).max(20).default(20),
});

const catalogIdSchema = z.string().superRefine((id, ctx) => {
  const problem = catalogIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: `"${id}" ${problem}: ${CATALOG_ID_HELP}` });
});

/** A namespace level for a catalog; "" puts its databases at the top, as with a single catalog. */
const catalogLevelSchema = z
  .string()
  .max(255)
  .refine((level) => !level.includes('.') && !level.includes('\u001f') && level.trim() === level, {
    error: 'a catalog namespace level cannot contain "." (it separates levels in table names) nor leading or trailing spaces; use "" for no level',
  });

/** Catalogs listed at most: each is listed in full every scan. */
const MAX_CATALOGS = 100;

/** `type: glue` — AWS Glue Data Catalogs, listed in full and optionally followed through SQS. */
const glueSourceObject = z.strictObject({
  type: z.literal('glue'),
  ...commonSourceFields,
  /** The catalog's region, e.g. us-east-1. Credentials come from the AWS default provider chain. */
  region: z.string().min(1, 'the AWS region of the Glue catalog is required, e.g. us-east-1'),
  /** A VPC endpoint or a local emulator; default: the Glue endpoint of the region. */
  endpoint: httpUrl('e.g. https://glue.us-east-1.amazonaws.com').optional(),
  /** One catalog other than the caller's default (older key; `catalogs` supersedes it). */
  catalogId: catalogIdSchema.optional(),
  /** The catalogs to mirror; default: the account's catalog. Several put the catalog first in names. */
  catalogs: z.array(catalogIdSchema).min(1, 'list at least one catalog id, or leave catalogs out').max(MAX_CATALOGS).optional(),
  /** List the catalogs with GetCatalogs (recursive) on every scan and mirror every one found. */
  discoverCatalogs: z.boolean().default(false),
  /** The namespace level of a catalog, by catalog id, instead of the derived one ("" = none). */
  catalogNamespaces: z.record(catalogIdSchema, catalogLevelSchema).default({}),
  /** Another account's catalogs: the connector assumes this role (STS AssumeRole) for its Glue calls. */
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN, e.g. arn:aws:iam::210987654321:role/polaris-mirror-reader')
    .optional(),
  /** The external id the role's trust policy requires (sts:ExternalId), if any. */
  externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'an external id has 2 to 1224 letters, digits or +=,.@:/-').optional(),
  /** The role session name, seen in the other account's CloudTrail. */
  sessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, 'a session name has 2 to 64 letters, digits or +=,.@-').default('polaris-mirror'),
  /** A VPC endpoint of STS or a local emulator; default: the regional STS endpoint. */
  stsEndpoint: httpUrl('e.g. https://sts.us-east-1.amazonaws.com').optional(),
  events: glueEventsSchema.optional(),
  /** How often `run` lists the whole catalog; events are best effort, so this repairs what they miss. */
  scanIntervalSeconds: z.number().positive().default(900),
  /** Client-side limit on Glue calls per second (every attempt, retries included); 0 = none. */
  requestsPerSecond: z.number().min(0).default(10),
});

export const glueSourceSchema = glueSourceObject.superRefine((config, ctx) => {
  const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
  if (config.catalogId !== undefined && (config.catalogs !== undefined || config.discoverCatalogs)) {
    issue('catalogId', 'catalogId names one catalog; with catalogs or discoverCatalogs leave it out (list it in catalogs instead)');
  }
  if (config.catalogs !== undefined && config.discoverCatalogs) {
    issue('discoverCatalogs', 'choose one: catalogs lists the catalogs to mirror, discoverCatalogs: true mirrors every catalog GetCatalogs finds');
  }
  if ((config.externalId !== undefined || config.stsEndpoint !== undefined) && config.roleArn === undefined) {
    issue(config.externalId !== undefined ? 'externalId' : 'stsEndpoint', 'only used with roleArn (the role to assume)');
  }
  const listed = config.catalogs ?? [];
  const duplicate = listed.find((id, i) => listed.indexOf(id) !== i);
  if (duplicate !== undefined) issue('catalogs', `"${duplicate}" is listed twice`);
  if (!config.discoverCatalogs) {
    const known = new Set(config.catalogs ?? (config.catalogId !== undefined ? [config.catalogId] : []));
    for (const id of Object.keys(config.catalogNamespaces)) {
      if (!known.has(id)) issue('catalogNamespaces', `"${id}" is not a mirrored catalog: list it in catalogs (written the same way), or remove its mapping`);
    }
  }
  if (listed.length > 1 && listed.every((id) => catalogIdProblem(id) === undefined)) {
    const problem = levelClash(listed.map((id) => ({ id, level: config.catalogNamespaces[id] ?? derivedLevel(parseCatalogId(id)) })));
    if (problem) issue('catalogNamespaces', problem);
  }
});

/** Why the catalogs' namespace levels would make names ambiguous, or undefined when they do not. */
export function levelClash(catalogs: readonly { id: string; level: string }[]): string | undefined {
  const seen = new Map<string, string>();
  for (const { id, level } of catalogs) {
    const other = seen.get(level);
    if (other !== undefined) {
      return level === ''
        ? `both "${other}" and "${id}" are mapped to no namespace level: at most one catalog can have its databases at the top`
        : `"${other}" and "${id}" would both be the namespace level "${level}": give one another level in catalogNamespaces, e.g. catalogNamespaces: { "${id}": "${level}_2" }`;
    }
    seen.set(level, id);
  }
  return undefined;
}

export type GlueSourceConfig = z.output<typeof glueSourceSchema>;
export type GlueEventsConfig = z.output<typeof glueEventsSchema>;
