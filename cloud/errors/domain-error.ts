import type { z } from 'zod';

/**
 * The one root of the cloud's domain errors: what went wrong, with the HTTP status, the RFC 9457
 * problem type and title it is answered with (by the problem handler in `api/errors.ts`), and
 * extra members for the problem document. Services throw its subclasses; the API does not translate.
 */
export class DomainError extends Error {
  readonly status: number;
  readonly title: string;
  /** The problem type (a URI); `about:blank` when the status and title say it all. */
  readonly type: string;
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    title: string,
    detail: string,
    extra: Record<string, unknown> = {},
    options: { type?: string; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.title = title;
    this.type = options.type ?? 'about:blank';
    this.extra = extra;
  }
}

/** 400: the request (or a definition in it) is malformed. */
export class InvalidRequestError extends DomainError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(400, 'Invalid request', detail, extra);
  }
}

/** 400 from a zod error: one `{ path, message }` per issue, each path prefixed by where the value came from. */
export class ValidationError extends DomainError {
  constructor(where: string, error: z.ZodError, title = 'Invalid request') {
    const errors = error.issues.map((i) => ({
      path: [where, ...i.path.map(String)].join('.'),
      message: i.message,
    }));
    super(400, title, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
}

/** 401: no valid credentials. */
export class UnauthorizedError extends DomainError {
  constructor(detail: string) {
    super(401, 'Unauthorized', detail);
  }
}

/** 403: the credentials do not allow this. */
export class ForbiddenError extends DomainError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends DomainError {
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}

/** 409: the request conflicts with the current state (an alert already resolved, a rule that exists). */
export class ConflictError extends DomainError {
  constructor(detail: string) {
    super(409, 'Conflict', detail);
  }
}

/** 422: understood, but nothing to do it on (e.g. no device matches a command's target). */
export class UnprocessableError extends DomainError {
  constructor(title: string, detail: string) {
    super(422, title, detail);
  }
}

/** 429: over a rate limit. */
export class TooManyRequestsError extends DomainError {
  constructor(detail: string) {
    super(429, 'Too Many Requests', detail);
  }
}
