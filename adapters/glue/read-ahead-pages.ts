/** One page of a paginated listing, and the token of the page after it (none on the last page). */
export interface FetchedPage<T> {
  readonly page: T;
  readonly nextToken: string | undefined;
}

/**
 * Follows a paginated listing one request ahead of its consumer: the next page is asked for as soon as
 * a page arrives, before that page is handed over. A scan's consumer spends its time on each page
 * (normalizing it, storing it in the ledger), and before, each page's round trip and the source's own
 * work on it began only after that; now they overlap. At most one page is held beyond the one being
 * consumed.
 *
 * A failed page is thrown where it would have been consumed, so a listing can never look complete
 * without it; a page read ahead and then not consumed (the consumer stopped) is abandoned quietly.
 */
export async function* readAhead<T>(fetch: (token: string | undefined) => Promise<FetchedPage<T>>): AsyncGenerator<T> {
  let pending = quietly(fetch(undefined));
  let token: string | undefined;
  for (;;) {
    const { page, nextToken } = await pending;
    // The same token twice would loop forever (the SDK's paginators stop there too).
    const more = nextToken !== undefined && nextToken !== '' && nextToken !== token;
    if (more) {
      token = nextToken;
      pending = quietly(fetch(nextToken));
    }
    yield page;
    if (!more) return;
  }
}

/** The same promise, whose rejection does not count as unhandled while nobody awaits it yet. */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
