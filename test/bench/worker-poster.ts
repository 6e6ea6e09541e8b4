// Posts the bare loop's notifications from a worker thread (worker-poster-thread.ts): the loop's thread
// keeps only its own work, as a connector would that took its sends off the thread running its ledger.
import { Worker } from 'node:worker_threads';
import type { NotificationPoster } from './bare-notification-loop.js';

export interface WorkerPosterData {
  readonly origin: string;
  readonly token: string;
  readonly connections: number;
}
export interface PostRequest {
  readonly id: number;
  readonly path: string;
  readonly body: string;
}
export interface PostAnswer {
  readonly id: number;
  /** 0 when no answer came (the error says why). */
  readonly status: number;
  readonly error?: string;
}

export interface WorkerPoster {
  readonly post: NotificationPoster;
  close(): Promise<void>;
}

/** The requests of one turn go to the worker as one message, and its answers come back the same way. */
export function startWorkerPoster(data: WorkerPosterData): WorkerPoster {
  const worker = new Worker(new URL('./worker-poster-thread.js', import.meta.url), { workerData: data });
  const waiting = new Map<number, { resolve: (status: number) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let outbox: PostRequest[] = [];
  worker.on('message', (answers: PostAnswer[]) => {
    for (const { id, status, error } of answers) {
      const waiter = waiting.get(id)!;
      waiting.delete(id);
      if (error !== undefined) waiter.reject(new Error(error));
      else waiter.resolve(status);
    }
  });
  const failAll = (error: Error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  worker.on('error', failAll);
  // A worker that ends without an error (killed, out of memory) must not leave its posts waiting.
  worker.on('exit', (code) => failAll(new Error(`the posting worker exited (code ${code})`)));
  const post: NotificationPoster = (path, body) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      outbox.push({ id, path, body });
      if (outbox.length > 1) return;
      queueMicrotask(() => {
        worker.postMessage(outbox);
        outbox = [];
      });
    });
  return { post, close: async () => void (await worker.terminate()) };
}
