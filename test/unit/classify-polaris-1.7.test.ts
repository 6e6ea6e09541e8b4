// The classifier against every row of polaris.md's "Exact answers that matter on object storage and in
// 1.7", with the messages Polaris really sends: what the connector does (retry, fail, stale, a DROP's
// read-back) and which fix the hint names.
import { describe, expect, it } from 'vitest';
import { classifyResponse, isUnreadableMetadata, mayBeMissingCatalog, type ClassifyContext, type Verdict } from '../../src/polaris/classify.js';
import type { HttpResponse } from '../../src/polaris/http.js';

const ctx: ClassifyContext = { catalog: 'lake', location: 's3://lake/wh/db/t', auth: { staticToken: false, scope: 'PRINCIPAL_ROLE:mirror' } };

function answer(status: number, type: string | undefined, message: string | undefined, headers: HttpResponse['headers'] = {}): HttpResponse {
  return { status, headers, body: type === undefined ? undefined : { error: { message, type, code: status } } };
}

const hintOf = (v: Verdict): string => ('hint' in v && v.hint) || '';

interface Row {
  readonly situation: string;
  readonly response: HttpResponse;
  readonly context?: Partial<ClassifyContext>;
  readonly kind: Verdict['kind'];
  readonly reason?: string;
  /** What the hint must say (the real fix), and what it must not. */
  readonly hint?: RegExp;
  readonly notHint?: RegExp;
  /** Polaris could not find the metadata file: the engine reads the source again before failing the table. */
  readonly metadataNotFound?: true;
}

const ROWS: Row[] = [
  {
    situation: 'CREATE/UPDATE, metadata object missing on S3: 400 NotFoundException',
    response: answer(400, 'NotFoundException', 'Location does not exist: s3://lake/wh/db/t/metadata/00002-a.metadata.json'),
    kind: 'fail',
    hint: /could not find the metadata file in object storage/,
    metadataNotFound: true,
  },
  {
    situation: 'CREATE/UPDATE, metadata file missing on FILE storage: 404 NotFoundException',
    response: answer(404, 'NotFoundException', 'Failed to open input stream for file: file:/srv/wh/db/t/metadata/00002-a.metadata.json'),
    kind: 'fail',
    hint: /could not read the metadata file/,
    notHint: /create catalog/,
    metadataNotFound: true,
  },
  {
    situation: 'storage access denied reading the metadata: 403 S3Exception',
    response: answer(403, 'S3Exception', 'Access Denied (Service: S3, Status Code: 403, Request ID: 8Z5…)'),
    kind: 'fail',
    hint: /storage credentials for catalog "lake".*roleArn.*s3:ListBucket/,
    notHint: /CATALOG_MANAGE_CONTENT/,
  },
  {
    situation: 'storage access denied, message only ("forbidden"), another SDK type',
    response: answer(403, 'StorageException', "polaris@p.iam.gserviceaccount.com does not have storage.objects.get access (Forbidden)"),
    kind: 'fail',
    hint: /storage credentials/,
    notHint: /CATALOG_MANAGE_CONTENT/,
  },
  {
    situation: 'the catalog storage role cannot be assumed: 500 StsException (permanent)',
    response: answer(500, 'StsException', 'User: arn:aws:sts::1:assumed-role/polaris/p is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/lake'),
    kind: 'fail',
    hint: /cannot assume the storage role of catalog "lake" \(STS\).*roleArn.*trust policy/,
    notHint: /CATALOG_MANAGE_CONTENT/,
  },
  {
    situation: 'cloud 5xx while reading: 502 (transient)',
    response: answer(502, 'S3Exception', 'We encountered an internal error. Please try again. (Service: S3, Status Code: 500)'),
    kind: 'retry',
    reason: 'server_error',
    hint: /object store failed/,
  },
  {
    situation: 'cloud 3xx while reading: 422 (wrong region or endpoint, permanent)',
    response: answer(422, 'S3Exception', 'The bucket you are attempting to access must be addressed using the specified endpoint. (Status Code: 301)'),
    kind: 'fail',
    hint: /region\/endpoint of catalog "lake"'s storage configuration/,
  },
  {
    situation: 'cloud 408 while reading (transient)',
    response: answer(408, 'S3Exception', 'Your socket connection to the server was not read from or written to within the timeout period.'),
    kind: 'retry',
    reason: 'transient',
  },
  {
    situation: 'cloud 429 while reading (transient)',
    response: answer(429, 'S3Exception', 'Please reduce your request rate.'),
    kind: 'retry',
    reason: 'rate_limited',
  },
  {
    situation: 'metadata object not JSON: 503 RuntimeIOException (permanent, not "Polaris is failing")',
    response: answer(503, 'RuntimeIOException', 'Failed to read file: s3://lake/wh/db/t/metadata/00002-a.metadata.json'),
    kind: 'fail',
    hint: /not JSON/,
    notHint: /Polaris is failing/,
  },
  {
    situation: 'metadata JSON that is not valid Iceberg: 400 IllegalArgumentException',
    response: answer(400, 'IllegalArgumentException', 'Cannot parse missing int: format-version'),
    kind: 'fail',
    hint: /not valid Iceberg table metadata/,
  },
  {
    situation: 'a new top-level namespace with a custom location (1.7): 400 IllegalArgumentException',
    response: answer(
      400,
      'IllegalArgumentException',
      'Namespace sales has a custom location, which is not enabled. Expected a location in: [s3://lake/sales/]. Got location: s3://lake/warehouse/sales/]',
    ),
    kind: 'fail',
    hint: /default-base-location to one of the allowedLocations, or set the catalog property polaris\.config\.namespace-custom-location\.enabled=true/,
  },
  {
    situation: "notification to a catalog that does not exist: 404 NoSuchNamespaceException '' (told apart via /v1/config)",
    response: answer(404, 'NoSuchNamespaceException', "Namespace does not exist: ''"),
    context: { catalogExists: false },
    kind: 'fail',
    hint: /^create catalog "lake" in Polaris \(type EXTERNAL\) or fix target\.catalog$/,
  },
  {
    situation: 'the same 404 when /v1/config could not tell',
    response: answer(404, 'NoSuchNamespaceException', "Namespace does not exist: ''"),
    kind: 'fail',
    hint: /if catalog "lake" is missing: create catalog/,
  },
  {
    situation: 'a view holds the name: 409 AlreadyExistsException (permanent, not a race)',
    response: answer(409, 'AlreadyExistsException', 'View already exists: db.t'),
    kind: 'fail',
    hint: /a view of that name exists in catalog "lake"/,
  },
  {
    situation: 'a generic table holds the name: 409 AlreadyExistsException (permanent)',
    response: answer(409, 'AlreadyExistsException', 'Generic table already exists: db.t'),
    kind: 'fail',
    hint: /a generic table of that name exists/,
  },
  {
    situation: 'a concurrent create: 409 "Table already exists" (a race)',
    response: answer(409, 'AlreadyExistsException', 'Table already exists: db.t'),
    kind: 'retry',
    reason: 'conflict',
  },
  {
    situation: 'a concurrent update: 409 CommitConflictException',
    response: answer(409, 'CommitConflictException', 'Failed to commit Table or View db.t because it was concurrently modified'),
    kind: 'retry',
    reason: 'conflict',
  },
  {
    situation: 'a stale timestamp: 409 "newer timestamp"',
    response: answer(409, 'AlreadyExistsException', 'A notification with a newer timestamp has been processed for table db.t'),
    kind: 'stale',
  },
  {
    situation: 'a location of the metadata outside the allowed locations: one 403 over the whole set',
    response: answer(
      403,
      'ForbiddenException',
      "Invalid locations '[s3://lake/wh/db/t, s3://elsewhere/data]' for identifier 'db.t': s3://elsewhere/data is not in the list of allowed locations: [s3://lake/wh]",
    ),
    kind: 'fail',
    hint: /^add "s3:\/\/elsewhere\/data" \(or a parent\) to the allowedLocations of catalog "lake"/,
  },
  {
    situation: 'the metadata file itself outside the allowed locations: the hint names the table location',
    response: answer(
      403,
      'ForbiddenException',
      "Invalid locations '[s3://lake/wh/db/t/metadata/1.metadata.json]' for identifier 'db.t': s3://lake/wh/db/t/metadata/1.metadata.json is not in the list of allowed locations: [s3://other]",
    ),
    kind: 'fail',
    hint: /^add "s3:\/\/lake\/wh\/db\/t" \(or a parent\)/,
  },
  {
    situation: 'missing privileges: 403 ForbiddenException "not authorized for op"',
    response: answer(403, 'ForbiddenException', "Principal 'mirror' with activated PrincipalRoles '[r]' and activated grants via '[]' is not authorized for op SEND_NOTIFICATIONS"),
    kind: 'fail',
    hint: /grant CATALOG_MANAGE_CONTENT/,
  },
  {
    situation: 'metadata file outside its table location: 400 BadRequestException',
    response: answer(400, 'BadRequestException', 'Metadata location s3://lake/wh/db/t/m.json is not allowed outside of table location s3://lake/wh/db/other'),
    kind: 'fail',
    hint: /polaris\.config\.allow\.external\.metadata\.file\.location=true on catalog "lake"/,
  },
  {
    situation: 'a token whose scope names a role the principal lacks: 401 on every call',
    response: answer(401, 'NotAuthorizedException', 'Unable to authenticate'),
    kind: 'fail',
    hint: /token scope "PRINCIPAL_ROLE:mirror" \(polaris\.auth\.scope\) names a principal role the principal does not hold/,
  },
  {
    situation: 'a refused static token: 401',
    response: answer(401, 'NotAuthorizedException', 'Unable to authenticate'),
    context: { auth: { staticToken: true, scope: 'PRINCIPAL_ROLE:ALL' } },
    kind: 'fail',
    hint: /static token \(polaris\.auth\.token\).*replace it/,
  },
  {
    situation: "Polaris's rate limiter: 429 TooManyRequestsException without Retry-After",
    response: answer(429, 'TooManyRequestsException', 'Rate exceeded'),
    kind: 'retry',
    reason: 'rate_limited',
  },
];

describe('classifyResponse: Polaris 1.7 answers, one row each', () => {
  it.each(ROWS.map((row) => [row.situation, row] as const))('%s', (_situation, row) => {
    const verdict = classifyResponse(row.response, { ...ctx, ...row.context });
    expect(verdict.kind).toBe(row.kind);
    if (row.reason) expect(verdict).toMatchObject({ reason: row.reason });
    if (verdict.kind !== 'ok') expect(verdict.message).toMatch(/^Polaris answered \d{3} /);
    if (row.hint) expect(hintOf(verdict)).toMatch(row.hint);
    if (row.notHint) expect(hintOf(verdict)).not.toMatch(row.notHint);
    expect(verdict.kind === 'fail' && verdict.metadataNotFound === true).toBe(row.metadataNotFound === true);
  });

  it('429 without Retry-After leaves the delay to the backoff', () => {
    expect(classifyResponse(answer(429, 'TooManyRequestsException', 'Rate exceeded'), ctx)).toMatchObject({ retryAfterMs: undefined });
  });
});

describe("a DROP's read-back (loadTable)", () => {
  it.each([
    ['S3: 400 NotFoundException', answer(400, 'NotFoundException', 'Location does not exist: s3://lake/wh/db/t/metadata/1.metadata.json'), true],
    ['FILE: 404 NotFoundException', answer(404, 'NotFoundException', 'Failed to open input stream for file: file:/wh/db/t/metadata/1.metadata.json'), true],
    ['a missing table (or namespace or catalog): 404 NoSuchTableException', answer(404, 'NoSuchTableException', 'Table does not exist: db.t'), false],
    ['storage access denied: 403 S3Exception', answer(403, 'S3Exception', 'Access Denied'), false],
    ["/v1/config's unknown catalog", answer(404, 'NotFoundException', 'Unable to find warehouse lake'), false],
  ] as const)('%s → Polaris holds the table but cannot read it: %s', (_what, response, unreadable) => {
    expect(isUnreadableMetadata(response)).toBe(unreadable);
  });

  it("a 404 NoSuchNamespaceException or /v1/config's 'Unable to find warehouse' may mean a missing catalog (asked again)", () => {
    expect(mayBeMissingCatalog(answer(404, 'NoSuchNamespaceException', "Namespace does not exist: ''"))).toBe(true);
    expect(mayBeMissingCatalog(answer(404, 'NotFoundException', 'Unable to find warehouse lake'))).toBe(true);
    expect(mayBeMissingCatalog(answer(404, 'NotFoundException', 'Failed to open input stream for file: file:/wh/warehouse/t'))).toBe(false);
    expect(mayBeMissingCatalog(answer(400, 'NotFoundException', 'Location does not exist: s3://x'))).toBe(false);
  });
});
