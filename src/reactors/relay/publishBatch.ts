import { publishStream, StreamRefusedError } from './publishStream.js';
import type { RelayEvent } from './readRelayEvents.js';
import type { StreamStore } from './kurrentStreams.js';

// A batch is published stream by stream: order matters within a stream, not across streams, so
// streams go out side by side (KurrentDB's client multiplexes them over one connection) while each
// stream's events go in one append, in order. A stream KurrentDB refuses for good (an event over
// its MaxAppendSize, another writer) is handed back to be parked, so it holds up no other stream.

const IN_FLIGHT = 32;

export interface BatchOutcome {
  streams: number;
  /** Streams that answered a wrong expected version and were read and compared. */
  reconciled: number;
  /** Events sent and held by KurrentDB (of a refused stream, those before the one refused). */
  published: number;
  /** Streams that cannot be published until an operator acts, with why. */
  refused: { streamId: string; error: StreamRefusedError }[];
  /** Set when a stream failed for a reason that may pass: the batch must be tried again (after parking the refused). */
  failure?: Error;
}

export async function publishBatch(store: StreamStore, events: RelayEvent[]): Promise<BatchOutcome> {
  const byStream = new Map<string, RelayEvent[]>();
  for (const e of events) {
    const list = byStream.get(e.streamId);
    if (list) list.push(e);
    else byStream.set(e.streamId, [e]);
  }
  const groups = [...byStream.values()];
  let next = 0;
  let reconciled = 0;
  let published = 0;
  const refused: BatchOutcome['refused'] = [];
  const errors: Error[] = [];
  // Every stream is tried even when one fails, so a retry has less to do; the batch is tried again
  // as a whole when one failed for a reason that may pass (KurrentDB unreachable, a deadline).
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++]!;
      try {
        if ((await publishStream(store, group)) === 'reconciled') reconciled++;
        published += group.length;
      } catch (err) {
        if (err instanceof StreamRefusedError) {
          refused.push({ streamId: group[0]!.streamId, error: err });
          published += err.sentBefore;
        } else errors.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, groups.length) }, worker));
  return { streams: groups.length, reconciled, published, refused, ...(errors.length > 0 ? { failure: errors[0] } : {}) };
}
