import type { ErrorRequestHandler, Response } from 'express';
import { isDatabaseUnavailable } from '../db/errors.js';
import { BatcherFullError } from '../events/batcher.js';
import type { FieldError } from '../validation.js';

// Failures are mapped to answers once, here, as problem details (RFC 9457).

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
    /** Seconds to send as Retry-After (a 503's). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function sendProblem(res: Response, status: number, detail: string, errors?: FieldError[]): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) });
}

export function errorHandler(onUnexpected: (err: unknown, req: Parameters<ErrorRequestHandler>[1]) => void): ErrorRequestHandler {
  // Express knows an error handler by its four parameters, so `_next` stays though it is not called.
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return sendProblem(res, err.status, err.message, err.errors);
    }
    // body-parser's own errors carry the status they mean (413 too large, 400 bad JSON, 415 bad charset).
    const parserError = err as { status?: unknown; type?: unknown; limit?: unknown; message?: unknown } | null | undefined;
    const status = typeof parserError?.status === 'number' ? parserError.status : undefined;
    if (parserError && status && status >= 400 && status < 500) {
      const detail =
        parserError.type === 'entity.too.large' ? `body is larger than the limit of ${String(parserError.limit)} bytes` : String(parserError.message);
      return sendProblem(res, status, detail);
    }
    if (err instanceof BatcherFullError) {
      res.setHeader('Retry-After', '1');
      return sendProblem(res, 503, 'too many callbacks are waiting for the database; nothing was recorded, please retry');
    }
    if (isDatabaseUnavailable(err)) {
      res.setHeader('Retry-After', '5');
      return sendProblem(res, 503, 'the database cannot be reached; nothing was recorded, please retry');
    }
    onUnexpected(err, req);
    sendProblem(res, 500, 'unexpected error; it has been logged');
  };
}
