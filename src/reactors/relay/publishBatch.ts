import { publishStream } from './publishStream.js';
import type { RelayEvent } from './readRelayEvents.js';
import type { StreamStore } from './kurrentStreams.js';

// A batch is published stream by stream: order matters within a stream, not across streams, so
// streams go out side by side (KurrentDB's client multiplexes them over one connection) while each
// stream's events go in one append, in order.

const IN_FLIGHT = 32;

export interface BatchOutcome {
  streams: number;
  /** Streams that answered a wrong expected version and were read and compared. */
  reconciled: number;
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
  const errors: unknown[] = [];
  // Every stream is tried even when one fails, so a retry has less to do; the batch fails as a whole.
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++]!;
      try {
        if ((await publishStream(store, group)) === 'reconciled') reconciled++;
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, groups.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return { streams: groups.length, reconciled };
}
