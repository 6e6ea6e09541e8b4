import { excerpt } from '../../src/telemetry/safe-text.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';

/**
 * How AWS errors are read. The one rule that matters for safety: only EntityNotFoundException means a
 * table (or database) is gone. AccessDenied — notably Lake Formation revoking access, which makes a
 * table vanish from GetTables — is never absence, and neither is any other error.
 */

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown']);
const PERMISSION = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'KMS.AccessDeniedException',
]);

function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
}

export function isEntityNotFound(error: unknown): boolean {
  return nameOf(error) === 'EntityNotFoundException';
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(nameOf(error)) || (error as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable?.throttling === true;
}

export function isPermissionError(error: unknown): boolean {
  return PERMISSION.has(nameOf(error));
}

/** The `outcome` label of polaris_mirror_source_calls_total for one failed attempt. */
export function callOutcome(error: unknown): 'not_found' | 'throttled' | 'error' {
  if (isEntityNotFound(error)) return 'not_found';
  if (isThrottling(error)) return 'throttled';
  return 'error';
}

export const PERMISSION_HINT = {
  glue: "the connector lacks permission to read it: allow glue:GetDatabases, glue:GetDatabase, glue:GetTables and glue:GetTable to the connector's IAM principal, and grant it Lake Formation DESCRIBE on the databases and tables; a table the connector may not read is never treated as dropped",
  glueCatalogs: "the connector lacks permission to list catalogs: allow glue:GetCatalogs (and glue:GetCatalog) to the connector's IAM principal on arn:aws:glue:<region>:<account>:catalog and catalog/*, or list the catalogs to mirror in catalogs instead of discoverCatalogs",
  sts: "the connector may not assume the role: allow sts:AssumeRole on the role to the connector's IAM principal, and make the role's trust policy trust that principal (with the sts:ExternalId condition matching externalId, if it has one)",
  sqs: "the connector lacks permission on the queue: allow sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility and sqs:GetQueueAttributes to its IAM principal (and kms:Decrypt when the queue is encrypted with a KMS key)",
} as const;

/** Any failed Glue or SQS call as a MirrorError saying whether retrying may help and what to do. */
export function sourceError(error: unknown, what: string, service: keyof typeof PERMISSION_HINT = 'glue'): MirrorError {
  if (error instanceof MirrorError) return error;
  const name = nameOf(error);
  // AWS's text is remote: scrubbed, made printable and bounded (src/telemetry/safe-text.ts).
  const message = excerpt(messageOf(error));
  const said = `${what} failed: ${name && !message.startsWith(name) ? `${excerpt(name, 200)}: ` : ''}${message}`;
  if (isPermissionError(error)) return new MirrorError(said, { retryable: false, hint: PERMISSION_HINT[service], cause: error });
  if (name === 'CredentialsProviderError') {
    return new MirrorError(said, {
      retryable: false,
      hint: 'no AWS credentials were found: provide them through the default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, or an instance/task role)',
      cause: error,
    });
  }
  if (isThrottling(error)) {
    const hint = service === 'sqs' ? 'SQS is throttling: the call is tried again' : service === 'sts' ? 'STS is throttling: the call is tried again' : 'Glue is throttling the account: lower requestsPerSecond, or ask AWS for a higher quota';
    return new MirrorError(said, { retryable: true, hint, cause: error });
  }
  if (name === 'EntityNotFoundException') return new MirrorError(said, { retryable: false, hint: 'check the database name and the catalog id (catalogId or catalogs)', cause: error });
  if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
    return new MirrorError(said, { retryable: false, hint: 'check events.queueUrl and the region; create the queue and the EventBridge rule that feeds it', cause: error });
  }
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  // A client fault (bad input) will not go away by itself; server faults and network errors may.
  if (fault === 'client') return new MirrorError(said, { retryable: false, hint: 'see the message', cause: error });
  return new MirrorError(said, { retryable: true, hint: 'check that the AWS endpoint is reachable; the call is tried again later', cause: error });
}
