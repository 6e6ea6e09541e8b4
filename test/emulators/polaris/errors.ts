// Polaris answers catalog errors as Iceberg REST `IcebergErrorResponse`s (see ../iceberg-error.ts).
// Handlers throw PolarisError; the server turns it into that body.
import { errorBody, IcebergError } from '../iceberg-error.js';

export { errorBody };

/** An error Polaris answers, with its status, exception name and headers. */
export class PolarisError extends IcebergError {}

/** Exception names used when a status is produced without a more specific cause (fault injection). */
const DEFAULT_TYPES: Record<number, [string, string]> = {
  400: ['BadRequestException', 'Malformed request'],
  401: ['NotAuthorizedException', 'Not authorized'],
  403: ['ForbiddenException', 'Forbidden'],
  404: ['NotFoundException', 'Not found'],
  409: ['CommitConflictException', 'Conflict'],
  419: ['AuthenticationTimeoutException', 'Credentials have timed out'],
  429: ['TooManyRequestsException', 'Rate exceeded'],
  500: ['RuntimeException', 'Internal server error'],
  502: ['BadGatewayException', 'Bad gateway'],
  503: ['ServiceUnavailableException', 'Service unavailable'],
  504: ['GatewayTimeoutException', 'Gateway timeout'],
};

export function defaultErrorBody(status: number): ReturnType<typeof errorBody> {
  const [type, message] = DEFAULT_TYPES[status] ?? ['RuntimeException', `HTTP ${status}`];
  return errorBody(status, type, message);
}

export const badRequest = (message: string): PolarisError => new PolarisError(400, 'BadRequestException', message);
export const forbidden = (message: string): PolarisError => new PolarisError(403, 'ForbiddenException', message);
