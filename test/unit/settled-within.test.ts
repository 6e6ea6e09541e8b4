// settledWithin: how `run` bounds its wait for the sources' loops at shutdown (a loop stuck in a call
// that ignores the abort must not keep the process from exiting).
import { describe, expect, it } from 'vitest';
import { settledWithin } from '../../src/util/settled-within.js';

describe('settledWithin', () => {
  it('true once every promise has settled, rejections included', async () => {
    expect(await settledWithin([Promise.resolve(1), Promise.reject(new Error('x')), new Promise((r) => setTimeout(r, 5))], 60_000)).toBe(true);
    expect(await settledWithin([], 1)).toBe(true);
  });

  it('false when one never settles, after the wait', async () => {
    const never = new Promise(() => undefined);
    expect(await settledWithin([Promise.resolve(), never], 20)).toBe(false);
  });
});
