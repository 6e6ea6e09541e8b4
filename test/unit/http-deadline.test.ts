// The deadline of an exchange holds even when undici never settles the request. Regression: the
// 300,000-table Glue run left requests queued inside a pool that undici had closed; an aborted request
// only rejects once a connection takes it, so those never settled, held their dispatcher slots, and the
// sync sat idle for 17 minutes with 270,482 tables due.
import { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { httpRequest, NetworkError } from '../../src/polaris/http.js';
import { MirrorError } from '../../src/util/errors.js';

/**
 * A dispatcher that accepts every request and never answers nor fails it, whatever the abort signal
 * says. undici's Dispatcher base class gives it the request API on top of dispatch, as it gives the
 * connector's pools.
 */
function swallowing(): { dispatcher: Dispatcher; taken: () => number } {
  let taken = 0;
  class Swallowing extends Dispatcher {
    override dispatch(): boolean {
      taken += 1;
      return true;
    }
  }
  return { dispatcher: new Swallowing(), taken: () => taken };
}

describe('httpRequest deadline', () => {
  it('fails as a timeout when the HTTP library never settles the request', async () => {
    const { dispatcher, taken } = swallowing();
    const error = await httpRequest(dispatcher, 'http://127.0.0.1:9/api/catalog/v1/c/namespaces/n/tables/t/notifications', {
      method: 'POST',
      headers: {},
      body: '{}',
      timeoutMs: 50,
    }).catch((e: unknown) => e);
    expect(taken()).toBe(1);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('TIMEOUT');
    expect((error as Error).message).toMatch(/no complete answer within 50 ms/);
  }, 30_000);

  it("fails at once when the caller's signal aborts, however the library behaves", async () => {
    const { dispatcher } = swallowing();
    const caller = new AbortController();
    const pending = httpRequest(dispatcher, 'http://127.0.0.1:9/v1/config', { method: 'GET', headers: {}, timeoutMs: 600_000, signal: caller.signal });
    caller.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow();
  }, 30_000);

  it('refuses a URL it cannot parse at once, as an error no retry would mend', async () => {
    const { dispatcher, taken } = swallowing();
    const error = await httpRequest(dispatcher, '//polaris:8181/api', { method: 'GET', headers: {}, timeoutMs: 600_000 }).catch((e: unknown) => e);
    expect(taken()).toBe(0);
    expect(error).toBeInstanceOf(MirrorError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect((error as MirrorError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/not a URL/);
  }, 30_000);
});
