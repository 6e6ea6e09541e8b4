import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Error bodies of the connector's own endpoints: {"error": "...", "details": [...]}. */
export function sendError(response: ServerResponse, status: number, message: string, details?: unknown[], headers?: Record<string, string>): void {
  sendJson(response, status, details ? { error: message, details } : { error: message }, headers);
}
