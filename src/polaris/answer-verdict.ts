import { classifyResponse, mayBeMissingCatalog, type ClassifyContext, type Verdict } from './classify.js';
import type { HttpResponse } from './http.js';
import type { OperationContext } from './operation-context.js';
import type { PolarisClient } from './polaris-client.js';

/**
 * classifyResponse, with what the answer alone cannot tell: Polaris answers a notification to an unknown
 * catalog with the 404 of a missing namespace ("Namespace does not exist: ''"), so such a 404 is followed
 * by one look at /v1/config to name the real fix; and a refused token's hint depends on how the connector
 * authenticates.
 */
export async function verdictOf(
  client: PolarisClient,
  response: HttpResponse,
  context: Pick<ClassifyContext, 'catalog' | 'location'>,
  signal?: AbortSignal,
  operation?: OperationContext,
): Promise<Verdict> {
  const catalogExists = mayBeMissingCatalog(response) ? await client.catalogExists(context.catalog, signal, operation) : undefined;
  return classifyResponse(response, { ...context, auth: client.authMode, ...(catalogExists === undefined ? {} : { catalogExists }) });
}
