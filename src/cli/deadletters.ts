import type pg from 'pg';
import { listDeadLetters, requestRetry } from '../projections/runtime/deadLetters.js';

/** `tavus-feedback deadletters`: the parked conversations, one a line, with their errors. */
export async function printDeadLetters(pool: pg.Pool): Promise<void> {
  const parked = await listDeadLetters(pool);
  if (parked.length === 0) {
    console.log('no parked conversations');
    return;
  }
  for (const d of parked) {
    const retry = d.retryRequested ? ' (retry requested)' : '';
    console.log(
      `${d.streamId}  ${d.projection}  attempts ${d.attempts}  since ${d.parkedAt.toISOString()}${retry}\n  at event ${d.failedPosition}: ${d.error}`,
    );
  }
}

/**
 * `tavus-feedback deadletters retry <stream>|--all`: asks the live runner to apply them again, then
 * waits up to `waitMs` to say how each went (the runner is the service's; it must be running).
 */
export async function retryDeadLetters(pool: pg.Pool, streamId: string | null, waitMs = 15_000): Promise<boolean> {
  const before = (await listDeadLetters(pool)).filter((d) => streamId === null || d.streamId === streamId);
  if (before.length === 0) throw new Error(streamId ? `${streamId} is not parked` : 'no parked conversations');
  await requestRetry(pool, streamId);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = await listDeadLetters(pool);
    const pending = before.filter((b) => now.some((n) => n.projection === b.projection && n.streamId === b.streamId && n.retryRequested));
    if (pending.length === 0 || Date.now() > deadline) {
      let ok = true;
      for (const b of before) {
        const still = now.find((n) => n.projection === b.projection && n.streamId === b.streamId);
        if (!still) {
          console.log(`${b.streamId}  ${b.projection}: applied`);
          continue;
        }
        ok = false;
        console.log(`${b.streamId}  ${b.projection}: ${still.retryRequested ? 'not retried yet (is the service running?)' : `failed again: ${still.error}`}`);
      }
      return ok;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
