import { Dispatcher, Pool } from 'undici';

/**
 * One keep-alive pool per origin, kept for the life of the client. undici's Agent closes an origin's
 * pool as soon as its count of connected sockets reaches zero, and that count is shared by every pool
 * the origin ever had: events of a pool already closed move the count of its successor. After a blocked
 * event loop timed out every request at once (the 300,000-table Glue run), requests failed with "The
 * client is closed" and the rest sat in a closed pool's queue, where an abort never reaches them. A
 * pool that is never closed behind the connector's back has neither problem; its idle sockets still
 * close after keepAliveTimeout.
 */
export class OriginPools extends Dispatcher {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: Pool.Options) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin);
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, this.options);
      this.pools.set(origin, pool);
    }
    return pool.dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = Promise.all([...this.pools.values()].map((pool) => pool.close())).then(() => undefined);
    this.pools.clear();
    if (!callback) return closing;
    void closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | void {
    const error = typeof first === 'function' ? null : (first ?? null);
    const callback = typeof first === 'function' ? first : second;
    const destroying = Promise.all([...this.pools.values()].map((pool) => pool.destroy(error))).then(() => undefined);
    this.pools.clear();
    if (!callback) return destroying;
    void destroying.then(callback, callback);
  }
}
