import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** One error hierarchy for the API; rendered as RFC 9457 problem+json by `problemHandler`. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.status = status;
    this.title = title;
    this.extra = extra;
  }
}

export class NotFoundError extends ApiError {
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}

export class ValidationError extends ApiError {
  constructor(where: string, error: z.ZodError) {
    const errors = error.issues.map((i) => ({
      path: [where, ...i.path.map(String)].join('.'),
      message: i.message,
    }));
    super(400, 'Invalid request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(where, result.error);
  return result.data;
}

export const notFoundHandler: RequestHandler = (req) => {
  throw new NotFoundError(`no route for ${req.method} ${req.path}`);
};

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = error instanceof ApiError;
    const status = known ? error.status : typeof error?.status === 'number' ? error.status : 500;
    if (status >= 500) log.error({ err: error, path: req.path }, 'request failed');
    else log.info({ status, path: req.path, detail: error?.message }, 'request refused');
    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: known ? error.title : status >= 500 ? 'Internal Server Error' : 'Bad Request',
        status,
        // Internals never leak: a 500 says only that something failed.
        detail: known || status < 500 ? error.message : 'the server failed to handle this request',
        instance: req.originalUrl,
        ...(known ? error.extra : {}),
      });
  };
}
