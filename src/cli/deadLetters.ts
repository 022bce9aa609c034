import type pg from 'pg';
import { conversationStream } from '../events/streams.js';
import { listDeadLetters, requestRetry } from '../projections/runtime/deadLetters.js';

// `tavus-feedback deadletters`: conversations parked by a projection (one it could not apply) or by
// a reactor (`reactor:llm@1`: the model kept failing for its transcript), and asking for a retry.
// The service's runner and reactor pick a retry up at once (they are woken).

export async function printDeadLetters(pool: pg.Pool, asJson: boolean): Promise<void> {
  const letters = await listDeadLetters(pool);
  if (asJson) return console.log(JSON.stringify(letters, null, 2));
  if (letters.length === 0) return console.log('nothing is parked');
  for (const d of letters) {
    const retry = d.retryRequested ? 'retry requested' : d.retryAt ? `retried by itself after ${d.retryAt.toISOString()}` : 'retried on request';
    console.log(`${d.projection}  ${d.streamId}  ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, last ${d.lastFailedAt.toISOString()}, ${retry}\n    ${d.error}`);
  }
}

/** `ref` is a stream id or a Tavus conversation id; undefined retries everything parked. */
export async function retryDeadLetters(pool: pg.Pool, ref: string | undefined): Promise<void> {
  const streamId = ref === undefined ? null : ref.startsWith('conversation-') ? ref : conversationStream(ref);
  const n = await requestRetry(pool, streamId);
  console.log(n === 0 ? `nothing parked${streamId ? ` for ${streamId}` : ''}` : `retry requested for ${n} parked entr${n === 1 ? 'y' : 'ies'}`);
}
