/**
 * An error an operator can act on: whether trying again may help, and what to do about it.
 * Everything the engine records as a table's last error goes through this shape.
 */
export class MirrorError extends Error {
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(message: string, options: { retryable: boolean; hint?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MirrorError';
    this.retryable = options.retryable;
    this.hint = options.hint;
  }
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
