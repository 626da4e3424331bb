import { z } from 'zod';
import type { ZodOpenApiRequestBodyObject, ZodOpenApiResponsesObject } from 'zod-openapi';

/**
 * The pieces every route module builds its OpenAPI paths from (`export const xPaths:
 * ZodOpenApiPathsObject` next to its routes); cloud/api/openapi.ts merges them.
 */

/** RFC 9457 problem details, as every error of the API is answered. */
export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'With validation errors: the dotted path of each field and what is wrong' }),
  })
  .meta({ id: 'Problem' });

const problems = {
  400: 'Invalid request: the problem names each field in `errors`',
  401: 'No valid API token or session',
  403: 'The caller lacks the role this needs (or, signed in by cookie, the X-CSRF-Token header)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  422: 'Valid but cannot be done',
  429: 'Too many requests',
} as const;

/** Problem answers by status, e.g. `...refusals(400, 404)`. */
export function refusals(...statuses: (keyof typeof problems)[]): ZodOpenApiResponsesObject {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: problems[status], content: { 'application/problem+json': { schema: problem } } },
    ]),
  );
}

/** A JSON answer with its schema. */
export function answer(description: string, schema: z.ZodType, status = '200'): ZodOpenApiResponsesObject {
  return { [status]: { description, content: { 'application/json': { schema } } } };
}

/** `204 No Content`. */
export const noContent: ZodOpenApiResponsesObject = { '204': { description: 'Done; no body' } };

/** A JSON request body. */
export function jsonBody(schema: z.ZodType, description?: string): ZodOpenApiRequestBodyObject {
  return { required: true, ...(description && { description }), content: { 'application/json': { schema } } };
}

/** The `{id}` path parameter. */
export function idPath(description: string) {
  return z.object({ id: z.string().meta({ description }) });
}

/** A page of a list: `total` matches, the `limit` and `offset` asked for, and the items. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ total: z.int(), limit: z.int(), offset: z.int(), items: z.array(item) });
}

/** A whole list: `{ items }`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
