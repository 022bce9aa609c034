import type { RequestHandler } from 'express';
import type { Histogram } from 'prom-client';

/**
 * Times every answer, labelled with the route's template (`/webhooks/tavus/:token`), never the path
 * itself: a callback's path is its credential, and raw paths would make a series per conversation.
 * A request no route took (a 404, or one refused by a router's middleware first) is `(unmatched)`.
 */
export function requestMetrics(histogram: Histogram<'method' | 'route' | 'status'>): RequestHandler {
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.once('finish', () => {
      const template = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof template === 'string' ? `${req.baseUrl}${template}` : '(unmatched)';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
