// Errors in the shape AWS's JSON protocols use, so the real SDK turns them into its exception classes:
// HTTP 400 (or 5xx) with {"__type": "...", "message": "..."}. Glue (awsJson1_1) names the type bare
// ("EntityNotFoundException") and says "Message"; SQS (awsJson1_0, query-compatible) prefixes its
// namespace and adds the x-amzn-query-error header, which carries the legacy error code.

export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    /** SQS only: the query-protocol code (e.g. AWS.SimpleQueueService.NonExistentQueue). */
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function glueErrorReply(error: AwsError): Reply {
  return { status: error.status, body: { __type: error.type, Message: error.message } };
}

export function sqsErrorReply(error: AwsError): Reply {
  const code = error.queryCode ?? error.type;
  return {
    status: error.status,
    body: { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
    headers: { 'x-amzn-query-error': `${code};${error.status >= 500 ? 'Receiver' : 'Sender'}` },
  };
}

export const notFound = (what: string): AwsError => new AwsError('EntityNotFoundException', `${what} not found.`);
export const accessDenied = (what: string): AwsError =>
  new AwsError('AccessDeniedException', `Insufficient Lake Formation permission(s) on ${what}`);
export const throttled = (): AwsError => new AwsError('ThrottlingException', 'Rate exceeded');
export const invalidInput = (message: string): AwsError => new AwsError('InvalidInputException', message);
