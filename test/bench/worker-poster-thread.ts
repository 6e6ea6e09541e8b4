// The worker thread of worker-poster.ts: posts each batch of notifications it is sent through its own
// keep-alive pool and sends the answers back a batch per event-loop turn.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { notificationHeaders } from './bare-notification-loop.js';
import type { PostAnswer, PostRequest, WorkerPosterData } from './worker-poster.js';

const { origin, token, connections } = workerData as WorkerPosterData;
const pool = new Pool(origin, { connections, pipelining: 1 });
const headers = notificationHeaders(token);
let answers: PostAnswer[] = [];

parentPort!.on('message', (batch: PostRequest[]) => {
  for (const { id, path, body } of batch) {
    pool.request({ path, method: 'POST', headers, body }).then(
      async (response) => {
        await response.body.dump();
        answer({ id, status: response.statusCode });
      },
      (error: unknown) => answer({ id, status: 0, error: String(error) }),
    );
  }
});

function answer(one: PostAnswer): void {
  answers.push(one);
  if (answers.length > 1) return;
  setImmediate(() => {
    parentPort!.postMessage(answers);
    answers = [];
  });
}
