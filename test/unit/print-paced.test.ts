// A command writing its output as it goes (plan) waits for stdout to drain, so that a slow reader of a
// pipe does not make it hold the whole output; a reader that goes away must end the wait, never hang it.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { drained } from '../../src/cli/context.js';

/** A stream of a 4-byte buffer whose writes complete only when `take()` is called, like a pipe nobody reads. */
function slowReader(): { stream: Writable; take: () => void } {
  const pending: Array<() => void> = [];
  const stream = new Writable({ highWaterMark: 4, write: (_chunk, _encoding, callback) => void pending.push(() => callback()) });
  return { stream, take: () => pending.splice(0).forEach((done) => done()) };
}

const state = (promise: Promise<void>) => Promise.race([promise.then(() => 'resolved', () => 'rejected'), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);

describe('drained', () => {
  it('resolves once the reader took what was written, not before', async () => {
    const { stream, take } = slowReader();
    expect(stream.write('a line of output\n')).toBe(false);
    const wait = drained(stream);
    expect(await state(wait)).toBe('waiting');
    take();
    expect(await state(wait)).toBe('resolved');
    expect(stream.listenerCount('drain') + stream.listenerCount('close')).toBe(0);
  });

  it('rejects with the error when the stream fails first (a reader gone: EPIPE)', async () => {
    const { stream } = slowReader();
    stream.write('a line of output\n');
    const wait = drained(stream);
    stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(wait).rejects.toThrow('write EPIPE');
  });

  it('rejects when the stream closes first without an error', async () => {
    const { stream } = slowReader();
    stream.write('a line of output\n');
    const wait = drained(stream);
    stream.destroy();
    await expect(wait).rejects.toThrow('stdout was closed before the output was written');
  });

  it('rejects at once when the stream was closed before (plan ending a document after its reader went away)', async () => {
    const { stream } = slowReader();
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    await expect(drained(stream)).rejects.toThrow('stdout was closed before the output was written');
  });
});
