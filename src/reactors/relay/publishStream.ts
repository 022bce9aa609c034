import type { RelayEvent } from './readRelayEvents.js';
import type { ExpectedRevision, StreamStore } from './kurrentStreams.js';

// One stream's share of a batch, published exactly once. The fast path is one append at the
// revision Postgres derives for the first event: KurrentDB writes the events, or, when the same
// ids are already there after that revision (a retry after an unknown outcome, a batch published
// again after a crash or a reset), answers success and writes nothing. Any other answer is a
// wrong expected version: then the stream is read, the events whose ids are in it are done, and the
// rest are appended at the revision just read, so a stream that moved meanwhile is caught by
// KurrentDB rather than doubled. Never with "any" expected: that would append blindly.
//
// Events that together exceed KurrentDB's MaxAppendSize go one append each; an event that alone
// exceeds it cannot be published until an operator raises the setting, and is refused (the relay
// parks its stream). A stream that another writer keeps moving is refused too.

const MAX_ATTEMPTS = 5;

/** The stream cannot be published as it is: waiting will not help, an operator must act. */
export class StreamRefusedError extends Error {
  override name = 'StreamRefusedError';
  /** Events of the stream sent before the one refused (when they went one append each). */
  sentBefore = 0;
  constructor(
    message: string,
    /** The first of the stream's events that was not published. */
    readonly position: string,
  ) {
    super(message);
  }
}

export class StreamConflictError extends StreamRefusedError {
  override name = 'StreamConflictError';
}

export class EventTooLargeError extends StreamRefusedError {
  override name = 'EventTooLargeError';
}

function tooLarge(event: RelayEvent, maxAppendSize: number): EventTooLargeError {
  return new EventTooLargeError(
    `event ${event.position} (${event.type}) of ${event.streamId} is over KurrentDB's MaxAppendSize of ${maxAppendSize} bytes; raise MaxAppendSize (callbacks may be up to 2 MB), then retry it (tavus-feedback deadletters retry ${event.streamId})`,
    event.position,
  );
}

export type StreamOutcome = 'appended' | 'reconciled';

/** `events` are consecutive events of one stream, in order. */
export async function publishStream(store: StreamStore, events: RelayEvent[]): Promise<StreamOutcome> {
  const [first] = events;
  if (!first) return 'appended';
  const stream = first.streamId;
  const expected: ExpectedRevision = first.revision === 0n ? 'no_stream' : first.revision - 1n;
  const answer = await store.append(stream, events, expected);
  if (answer.status === 'appended') return 'appended';
  if (answer.status === 'too large') return publishOneByOne(store, events, answer.maxAppendSize);

  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    const ids = await store.readIds(stream);
    const present = new Set(ids);
    const missing = events.filter((e) => !present.has(e.id));
    if (missing.length === 0) return 'reconciled';
    const at: ExpectedRevision = ids.length === 0 ? 'no_stream' : BigInt(ids.length - 1);
    const retried = await store.append(stream, missing, at);
    if (retried.status === 'appended') return 'reconciled';
    if (retried.status === 'too large') {
      await publishOneByOne(store, missing, retried.maxAppendSize);
      return 'reconciled';
    }
  }
  throw new StreamConflictError(
    `${stream} kept moving while the relay reconciled it with KurrentDB (${MAX_ATTEMPTS} attempts); is another writer appending to it?`,
    first.position,
  );
}

async function publishOneByOne(store: StreamStore, events: RelayEvent[], maxAppendSize: number): Promise<StreamOutcome> {
  if (events.length === 1) throw tooLarge(events[0]!, maxAppendSize);
  // In order: an event refused stops the stream there, and the ones after it wait with it.
  let outcome: StreamOutcome = 'appended';
  for (const [i, event] of events.entries()) {
    try {
      if ((await publishStream(store, [event])) === 'reconciled') outcome = 'reconciled';
    } catch (err) {
      if (err instanceof StreamRefusedError) err.sentBefore = i;
      throw err;
    }
  }
  return outcome;
}
