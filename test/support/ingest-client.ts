// Helpers for the CLI and ingest integration tests: a free loopback port, the real `run` daemon
// spawned with its output captured, a small client for the ingest endpoint and polling with deadlines.
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './harness.js';
export { freePort } from './free-port.js';


/** Polls check() until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The `run` daemon as a child process, with its output so far and its exit. */
export interface Daemon {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code and signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL when still running (cleanup). */
  kill(): Promise<void>;
}

/** Log lines a failed wait on the daemon carries. */
const EXPLAIN_LOG_LINES = 30;

/**
 * `work`, which fails with the daemon's last log lines added to its error: when a test waits in vain
 * for the daemon to do something, its log says why (a CI run keeps only the failure's message).
 */
export function withDaemonLog<T>(daemon: Daemon, work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    const lines = daemon.output().stderr.trimEnd().split('\n').slice(-EXPLAIN_LOG_LINES).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- the daemon's last ${EXPLAIN_LOG_LINES} log lines:\n${lines}`);
  });
}

/** Spawns `run --config file` and waits until it says it is listening and GET /healthz answers 200. */
export async function startDaemon(configFile: string, port: number, env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<Daemon> {
  const child = spawnCli(['run', '--config', configFile], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const daemon: Daemon = {
    child,
    baseUrl,
    output: () => ({ stdout, stderr }),
    exited,
    async kill() {
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  try {
    await waitFor(
      'the daemon to answer /healthz',
      async () => {
        if (done) throw new Error(`the daemon exited early\nstdout: ${stdout}\nstderr: ${stderr}`);
        // Its own server first: another process on the port would answer /healthz for a daemon that
        // could not bind it.
        if (!/listening on https?:\/\//.test(stderr)) return false;
        const response = await fetch(`${baseUrl}/healthz`);
        return response.status === 200;
      },
      timeoutMs,
      100,
    );
  } catch (error) {
    await daemon.kill();
    throw new Error(`${String(error)}\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
  return daemon;
}

export interface IngestEvent {
  namespace: string[];
  table: string;
  operation: string;
  metadataLocation?: string;
  tableUuid?: string;
  sourceTimestampMs?: number;
  [extra: string]: unknown;
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: any;
}

export async function readResponse(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** POST /v1/sources/{source}/events with a JSON body (or a raw string), bearer token unless null. */
export async function postEvents(
  baseUrl: string,
  source: string,
  body: { events: unknown[] } | string,
  options: { token?: string | null; contentType?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}/v1/sources/${encodeURIComponent(source)}/events`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readResponse(response);
}
