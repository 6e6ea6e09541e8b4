import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXCERPT_CHARS, excerpt } from '../telemetry/safe-text.js';

/** Reads a request body up to limit bytes; 'too-large' as soon as it is exceeded (the rest is not buffered). */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string, contentType: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Error bodies of the connector's own endpoints: {"error": "...", "details": [...]}. Messages often
 * quote the request (a name, a key, a content type): they are made printable and bounded here.
 */
export function sendError(response: ServerResponse, status: number, message: string, details?: unknown[], headers?: Record<string, string>): void {
  const error = excerpt(message, 2 * EXCERPT_CHARS);
  sendJson(response, status, details ? { error, details } : { error }, headers);
}

/** Details listed in one error answer at most: a body of a thousand bad events must not answer megabytes. */
export const MAX_ERROR_DETAILS = 100;

/** A 400's problems, sorted by path, at most MAX_ERROR_DETAILS of them, each bounded; `omitted` counts the rest. */
export function boundedDetails(problems: ReadonlyArray<{ path: string; message: string }>): {
  details: Array<{ path: string; message: string }>;
  omitted: number;
} {
  const sorted = [...problems].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
  return {
    details: sorted.slice(0, MAX_ERROR_DETAILS).map((p) => ({ path: excerpt(p.path, 200), message: excerpt(p.message, 300) })),
    omitted: Math.max(0, sorted.length - MAX_ERROR_DETAILS),
  };
}
