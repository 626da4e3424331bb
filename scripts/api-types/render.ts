import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

/**
 * TypeScript types of an OpenAPI document for openapi-fetch, by openapi-typescript. This folder is an
 * npm workspace of its own because openapi-typescript prints with the TypeScript 5 compiler API,
 * which TypeScript 7 (the project's tsc) no longer has.
 */
export async function renderApiTypes(document: unknown): Promise<string> {
  // Fields with a default stay optional in requests (the server fills them in).
  return astToString(await openapiTS(document as OpenAPI3, { defaultNonNullable: false }));
}
