// STS AssumeRole as the AWS SDK's STS client speaks it (awsQuery: a form-encoded POST with
// Action=AssumeRole&Version=2011-06-15, an XML answer, XML errors), and the identities behind the
// keys that sign requests. Keys the emulator did not issue belong to its own account; keys it issued
// belong to the role's account, and only with their session token (x-amz-security-token): so a Glue
// call reaches another account's catalog only when it is signed with the credentials AssumeRole gave.
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from './aws-errors.js';
import { ACCOUNT_ID } from './types.js';

export interface RoleSpec {
  /** arn:aws:iam::<account>:role/<name> */
  arn: string;
  /** When set, AssumeRole must pass this ExternalId (a trust policy's sts:ExternalId condition). */
  externalId?: string;
}

export interface Caller {
  readonly accessKeyId: string;
  readonly account: string;
  /** The assumed role's ARN, for credentials AssumeRole issued. */
  readonly role?: string;
}

interface Issued {
  secretAccessKey: string;
  sessionToken: string;
  account: string;
  role: string;
  expiresAt: number;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export class StsService {
  private readonly roles = new Map<string, RoleSpec>();
  private readonly issued = new Map<string, Issued>();
  /**
   * How long issued credentials live (their Expiration), overriding DurationSeconds: below the SDK's
   * five-minute refresh window it fetches new ones before each request, which is how a test sees a
   * long-running client keep working as credentials rotate, without waiting an hour.
   */
  issuedLifetimeSeconds: number | undefined;
  /** AssumeRole calls that succeeded, with the session name and external id each asked for. */
  readonly assumed: { role: string; sessionName: string; externalId?: string; by: string }[] = [];

  addRole(spec: RoleSpec): void {
    const match = ROLE_ARN.exec(spec.arn);
    if (!match) throw new Error(`not a role ARN: ${spec.arn}`);
    this.roles.set(spec.arn, { ...spec });
  }

  /** Every issued credential expires now (the SDK's provider must call AssumeRole again). */
  expireAll(): void {
    for (const issued of this.issued.values()) issued.expiresAt = 0;
  }

  /** Who signed a request: its Authorization header's access key, checked against its session token. */
  caller(authorization: string, securityToken: string | undefined): Caller {
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
    if (!accessKeyId) throw new AwsError('IncompleteSignatureException', 'Authorization header requires a Credential parameter', 403);
    const issued = this.issued.get(accessKeyId);
    if (!issued) {
      if (accessKeyId.startsWith('ASIA')) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
      return { accessKeyId, account: ACCOUNT_ID };
    }
    if (securityToken !== issued.sessionToken) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    if (Date.now() >= issued.expiresAt) throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400);
    return { accessKeyId, account: issued.account, role: issued.role };
  }

  /** One awsQuery request: the XML answer, or an AwsError the server renders as XML. */
  handle(body: string, caller: Caller): string {
    const form = new URLSearchParams(body);
    const action = form.get('Action');
    if (form.get('Version') !== '2011-06-15') throw new AwsError('InvalidAction', `Could not find operation ${action ?? ''} for version ${form.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
    if (action !== 'AssumeRole') throw new AwsError('InvalidAction', `The emulator does not implement ${action ?? '(no Action)'}`);
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const externalId = form.get('ExternalId') ?? undefined;
    const duration = Number(form.get('DurationSeconds') ?? 3600);
    if (!ROLE_ARN.test(roleArn)) throw new AwsError('ValidationError', `${roleArn} is invalid`);
    if (!SESSION_NAME.test(sessionName)) throw new AwsError('ValidationError', "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) throw new AwsError('ValidationError', "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint");
    const role = this.roles.get(roleArn);
    const denied = (): AwsError =>
      new AwsError('AccessDenied', `User: arn:aws:iam::${caller.account}:user/${caller.accessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    if (!role || (role.externalId !== undefined && role.externalId !== externalId)) throw denied();

    const account = ROLE_ARN.exec(roleArn)![1]!;
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const issued: Issued = {
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      account,
      role: roleArn,
      expiresAt: Date.now() + (this.issuedLifetimeSeconds ?? duration) * 1000,
    };
    this.issued.set(accessKeyId, issued);
    this.assumed.push({ role: roleArn, sessionName, ...(externalId === undefined ? {} : { externalId }), by: caller.accessKeyId });
    const roleName = roleArn.slice(roleArn.indexOf(':role/') + 6);
    return (
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${xml(issued.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${xml(issued.sessionToken)}</SessionToken><Expiration>${new Date(issued.expiresAt).toISOString()}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(6).toString('hex').toUpperCase()}:${xml(sessionName)}</AssumedRoleId>` +
      `<Arn>arn:aws:sts::${account}:assumed-role/${xml(roleName)}/${xml(sessionName)}</Arn></AssumedRoleUser>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  }
}

/** awsQuery's error document. */
export function stsErrorXml(error: AwsError): string {
  return (
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${xml(error.type)}</Code><Message>${xml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
