// HTTP front of the Glue + SQS + STS emulator. Glue and SQS are AWS JSON protocols on `POST /`: the
// operation is named by the x-amz-target header ("AWSGlue.GetTables" with awsJson1_1,
// "AmazonSQS.ReceiveMessage" with awsJson1_0), the input is the JSON body. STS is awsQuery: a
// form-encoded `POST /` (Action=AssumeRole) answered in XML. Requests must be SigV4-signed; the
// signature itself is not verified, but its access key names the caller (sts.ts), and keys that
// AssumeRole issued count only with their session token. Every call is counted by operation and outcome.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AwsError, glueErrorReply, sqsErrorReply, type Reply } from './aws-errors.js';
import { handleGlue, type GlueApiDeps } from './glue-api.js';
import type { SqsService } from './sqs-api.js';
import { stsErrorXml, type StsService } from './sts.js';

export interface ServerDeps extends GlueApiDeps {
  sqs: SqsService;
  sts: StsService;
  calls: Map<string, number>;
  /** Pending sleeps, cut short on close. */
  sleep: (ms: number) => Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export function createGlueServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handle(deps, req, res, body))
      .catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  if (req.headers['x-amz-target'] === undefined && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    handleSts(deps, req, res, body);
    return;
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const [service, operation = ''] = target.split('.');
  const isSqs = service === 'AmazonSQS';
  const errorReply = isSqs ? sqsErrorReply : glueErrorReply;
  const contentType = isSqs ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  let gone = false;
  res.on('close', () => {
    gone = !res.writableFinished;
    // An abandoned long poll must end now, not at its wait time: its messages go back to the queue.
    if (gone) deps.sqs.wakePolls();
  });

  let reply: Reply;
  try {
    if (req.method !== 'POST' || (service !== 'AWSGlue' && !isSqs)) throw new AwsError('UnknownOperationException', `unknown target "${target}"`);
    const caller = callerOf(deps, req);
    const input = parseInput(body);
    if (isSqs) reply = { status: 200, body: await deps.sqs.handle(operation, input, () => gone) };
    else {
      await deps.sleep(deps.faults.latencyMs());
      reply = { status: 200, body: handleGlue(deps, operation, input, caller) };
    }
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    reply = errorReply(error);
  }
  const outcome = reply.status === 200 ? 'ok' : String((reply.body as { __type: string }).__type).replace(/^.*#/, '');
  const key = `${operation || '?'}:${outcome}`;
  deps.calls.set(key, (deps.calls.get(key) ?? 0) + 1);
  if (gone) return;
  res.writeHead(reply.status, { 'content-type': contentType, 'x-amzn-requestid': crypto.randomUUID(), ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

function callerOf(deps: ServerDeps, req: IncomingMessage) {
  const authorization = String(req.headers.authorization ?? '');
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ')) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  const token = req.headers['x-amz-security-token'];
  return deps.sts.caller(authorization, typeof token === 'string' ? token : undefined);
}

function handleSts(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, body: string): void {
  const action = new URLSearchParams(body).get('Action') ?? '?';
  let status = 200;
  let xml: string;
  try {
    xml = deps.sts.handle(body, callerOf(deps, req));
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    status = error.status;
    xml = stsErrorXml(error);
  }
  const key = `${action}:${status === 200 ? 'ok' : /<Code>([^<]*)/.exec(xml)?.[1] ?? 'error'}`;
  deps.calls.set(key, (deps.calls.get(key) ?? 0) + 1);
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': crypto.randomUUID() });
  res.end(xml);
}

function parseInput(body: string): Record<string, unknown> {
  if (body === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Could not parse the request body as JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AwsError('SerializationException', 'The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
