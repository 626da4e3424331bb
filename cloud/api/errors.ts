import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DomainError, NotFoundError, ValidationError } from '../errors/domain-error.ts';

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(where, result.error);
  return result.data;
}

export const notFoundHandler: RequestHandler = (req) => {
  throw new NotFoundError(`no route for ${req.method} ${req.path}`);
};

/** The one renderer of errors: RFC 9457 problem+json, from a `DomainError` or anything else thrown. */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = error instanceof DomainError;
    const status = known ? error.status : typeof error?.status === 'number' ? error.status : 500;
    // Logs carry the route, never the request's values: a path, a query or a body may hold anything.
    const route = `${req.method} ${req.baseUrl}${req.route?.path ?? ''}`;
    if (status >= 500) log.error({ err: error, route }, 'request failed');
    else log.info({ status, route, type: known ? error.type : 'about:blank' }, 'request refused');
    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: known ? error.type : 'about:blank',
        title: known ? error.title : status >= 500 ? 'Internal Server Error' : 'Bad Request',
        status,
        // Internals never leak: a 500 says only that something failed.
        detail: known || status < 500 ? error.message : 'the server failed to handle this request',
        instance: req.originalUrl,
        ...(known ? error.extra : {}),
      });
  };
}
