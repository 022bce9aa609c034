import type { Request, RequestHandler } from 'express';
import type pg from 'pg';
import { findConversation } from '../../projections/readModels/conversationQueries.js';
import { readerOf } from '../auth.js';
import type { FeedbackHub } from '../live/feedbackHub.js';
import { HttpError } from '../problems.js';

// GET /conversations/:id/feedback/stream: server-sent events. `event: feedback` carries the live
// feedback row whenever it changes (projected on any instance, or a build switch), with its version
// as the event id, so a client reconnecting with Last-Event-ID gets only what it lacks.

/** A slow reader's unsent answers are dropped past this; it reconnects and gets the latest row. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** How long a browser waits before reconnecting (EventSource's `retry`). */
const RETRY_MS = 3_000;
const VERSION = /^[0-9a-f]{32}$/;
const STREAM_PATH = /^\/conversations\/[^/]+\/feedback\/stream$/;

/** EventSource cannot send headers: on this route alone the token may come as `?access_token=`. */
export function acceptsQueryToken(req: Request): boolean {
  return req.method === 'GET' && STREAM_PATH.test(req.originalUrl.split('?')[0]!);
}

export function feedbackStream(deps: { pool: pg.Pool; hub: FeedbackHub }): RequestHandler {
  return async (req, res) => {
    const reader = readerOf(req.principal);
    const ref = String(req.params.id);
    const conversation = await findConversation(deps.pool, ref, reader);
    if (!conversation) throw new HttpError(404, `no conversation ${ref}`);
    const admission = deps.hub.admit(reader);
    if (!admission.ok) {
      if (admission.reason === 'full') {
        res.setHeader('Retry-After', '30');
        throw new HttpError(503, 'this instance holds as many feedback streams as it may; retry');
      }
      throw new HttpError(429, 'you hold as many feedback streams as one user may; close one first');
    }

    const given = req.headers['last-event-id'];
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      // A stream's connection is never reused; closing it with the stream lets a stopping server
      // finish at once instead of waiting out the keep-alive timeout.
      Connection: 'close',
    });
    res.flushHeaders();
    res.write(`retry: ${RETRY_MS}\n\n`);

    const write = (text: string) => {
      if (res.writableLength > MAX_BUFFERED_BYTES) return void res.end();
      res.write(text);
    };
    const watcher = {
      conversationId: conversation.id,
      lastVersion: typeof given === 'string' && VERSION.test(given) ? given : null,
      // JSON.stringify escapes newlines, so the row is one data line.
      send: (version: string, row: Record<string, unknown>) => write(`id: ${version}\nevent: feedback\ndata: ${JSON.stringify(row)}\n\n`),
      heartbeat: () => write(': heartbeat\n\n'),
      close: () => res.end(),
    };
    const { unwatch } = deps.hub.watch(watcher);
    res.once('close', () => {
      unwatch();
      admission.release();
    });
  };
}
