// Errors answer in the spec's IcebergErrorResponse shape: {"error":{"message","type","code"}}.
// Handlers throw RestError; the server turns it into that body (no body for HEAD).

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(status: number, type: string, message: string): { error: { message: string; type: string; code: number } } {
  return { error: { message, type, code: status } };
}

/** Types and messages of the spec's examples, for injected faults. */
const DEFAULTS: Record<number, [string, string]> = {
  400: ['BadRequestException', 'Malformed request'],
  401: ['NotAuthorizedException', 'Not authorized to make this request'],
  403: ['ForbiddenException', 'Not authorized to make this request'],
  404: ['NoSuchTableException', 'The given table does not exist'],
  419: ['AuthenticationTimeoutException', 'Credentials have timed out'],
  429: ['TooManyRequestsException', 'Too many requests'],
  500: ['InternalServerError', 'Internal Server Error'],
  503: ['SlowDownException', 'Slow down'],
};

export function defaultError(status: number): RestError {
  const [type, message] = DEFAULTS[status] ?? ['ServerError', `HTTP ${status}`];
  return new RestError(status, type, message);
}

export const noSuchNamespace = (levels: readonly string[]): RestError =>
  new RestError(404, 'NoSuchNamespaceException', `Namespace does not exist: ${levels.join('.')}`);

export const noSuchTable = (namespace: readonly string[], name: string): RestError =>
  new RestError(404, 'NoSuchTableException', `Table does not exist: ${[...namespace, name].join('.')}`);
