import { jsonEvent, KurrentDBClient, MaxAppendSizeExceededError, StreamNotFoundError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import type { RelayEvent } from './readRelayEvents.js';

// KurrentDB as the relay sees it: append with an expected revision, and which ids a stream holds.
// A wrong expected version is an answer, not a failure, and so is an append over the server's
// MaxAppendSize (waiting will not make it fit); everything else (KurrentDB down, a deadline
// passed) is thrown, and the relay backs off and tries again.

/** The stream's revision the append expects: its last event's, or none yet. */
export type ExpectedRevision = bigint | 'no_stream';

export type AppendOutcome = { status: 'appended'; revision: bigint } | { status: 'wrong expected version' } | { status: 'too large'; maxAppendSize: number };

export interface StreamStore {
  append(stream: string, events: RelayEvent[], expected: ExpectedRevision): Promise<AppendOutcome>;
  /** The ids of the stream's events in order; none when the stream does not exist. */
  readIds(stream: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface KurrentStreamsOptions {
  /** How long one call may take before its outcome counts as unknown. */
  deadlineMs?: number;
}

export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

/**
 * The client enforces no deadline of its own on batch appends (it waits until the connection is
 * found dead, which takes its keep-alive's 20 s), so the relay gives up after `ms`: the append's
 * outcome is then unknown, and the retry of the same ids settles it.
 */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerError(`KurrentDB did not answer ${what} within ${ms} ms`)), ms);
  });
  promise.catch(() => {}); // settles after we stopped waiting: nothing to do with it
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function kurrentStreams(connectionString: string, options: KurrentStreamsOptions = {}): StreamStore {
  const client = KurrentDBClient.connectionString(connectionString);
  const deadline = options.deadlineMs ?? 10_000;
  return {
    async append(stream, events, expected) {
      const proposed = events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: e.metadata as never }));
      try {
        const result = await within(deadline, `an append to ${stream}`, client.appendToStream(stream, proposed, { streamState: expected, deadline }));
        return { status: 'appended', revision: result.nextExpectedRevision };
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) return { status: 'wrong expected version' };
        if (err instanceof MaxAppendSizeExceededError) return { status: 'too large', maxAppendSize: err.maxAppendSize };
        throw err;
      }
    },
    async readIds(stream) {
      const ids: string[] = [];
      try {
        for await (const resolved of client.readStream(stream, { deadline })) {
          if (resolved.event) ids.push(resolved.event.id.toLowerCase());
        }
      } catch (err) {
        if (err instanceof StreamNotFoundError) return [];
        throw err;
      }
      return ids;
    },
    close: () => client.dispose(),
  };
}
