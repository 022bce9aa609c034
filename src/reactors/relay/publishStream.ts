import type { RelayEvent } from './readRelayEvents.js';
import type { ExpectedRevision, StreamStore } from './kurrentStreams.js';

// One stream's share of a batch, published exactly once. The fast path is one append at the
// revision Postgres derives for the first event: KurrentDB writes the events, or, when the same
// ids are already there after that revision (a retry after an unknown outcome, a batch published
// again after a crash or a reset), answers success and writes nothing. Any other answer is a
// wrong expected version: then the stream is read, the events whose ids are in it are done, and the
// rest are appended at the revision just read, so a stream that moved meanwhile is caught by
// KurrentDB rather than doubled. Never with "any" expected: that would append blindly.

const MAX_ATTEMPTS = 5;

export class StreamConflictError extends Error {
  override name = 'StreamConflictError';
}

export type StreamOutcome = 'appended' | 'reconciled';

/** `events` are consecutive events of one stream, in order. */
export async function publishStream(store: StreamStore, events: RelayEvent[]): Promise<StreamOutcome> {
  const [first] = events;
  if (!first) return 'appended';
  const stream = first.streamId;
  const expected: ExpectedRevision = first.revision === 0n ? 'no_stream' : first.revision - 1n;
  if ((await store.append(stream, events, expected)).status === 'appended') return 'appended';

  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    const ids = await store.readIds(stream);
    const present = new Set(ids);
    const missing = events.filter((e) => !present.has(e.id));
    if (missing.length === 0) return 'reconciled';
    const at: ExpectedRevision = ids.length === 0 ? 'no_stream' : BigInt(ids.length - 1);
    if ((await store.append(stream, missing, at)).status === 'appended') return 'reconciled';
  }
  throw new StreamConflictError(
    `${stream} kept moving while the relay reconciled it with KurrentDB (${MAX_ATTEMPTS} attempts); is another writer appending to it?`,
  );
}
