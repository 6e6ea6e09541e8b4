// Polaris and Iceberg REST catalogs answer errors in the Iceberg REST spec's IcebergErrorResponse shape:
// {"error":{"message","type","code"}}, where `type` is the Java exception's simple name. Both emulators'
// handlers throw a subclass of IcebergError (PolarisError, RestError); their servers turn it into that body.

export class IcebergError extends Error {
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
