// Errors answer in the spec's IcebergErrorResponse shape (see ../iceberg-error.ts). Handlers throw
// RestError; the server turns it into that body (no body for HEAD).
import { errorBody, IcebergError } from '../iceberg-error.js';

export { errorBody };

/** An error the catalog answers, with its status, exception name and headers. */
export class RestError extends IcebergError {}

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
