import { readlinkSync } from 'node:fs';
import { Keyring } from '../../privacy/keyring.js';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Listener } from '../../db/listener.js';
import { createPool } from '../../db/pool.js';
import { liveProjections } from './live.js';
import { ProjectionRunner } from './runner.js';
import type { FromRunnerThread, RunnerThreadData, ToRunnerThread } from './threadedRunner.js';

// The live projections in a thread of their own (see threadedRunner.ts): its own event loop and
// its own connections, so folding and scoring never hold up an HTTP reply, nor the reverse.

// Under overload, acknowledging callbacks (durably) comes first and projections catch up after the
// burst: this thread yields the CPU to the HTTP thread. Linux lets one thread be niced by its id;
// elsewhere this is skipped and the thread keeps the process's priority.
try {
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(threadId, 10);
} catch {
  // not Linux, or not allowed: run at normal priority
}

const port = parentPort!;
const data = workerData as RunnerThreadData;
const post = (message: FromRunnerThread) => port.postMessage(message);
const describe = (err: unknown) => (err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) });

const pool = createPool(data.databaseUrl, { max: 4, applicationName: 'tavus-feedback projections', parallelQuery: false, pooled: data.pooled });
const onListenError = (err: unknown) => post({ type: 'batchFailed', error: describe(err) });
const listener = data.listenUrl ? new Listener(data.listenUrl, { onError: onListenError }) : undefined;
await listener?.start();
// Buffers arrive as plain Uint8Arrays.
const keyring = new Keyring(data.keks.map((k) => ({ id: k.id, key: Buffer.from(k.key) })));
const runner = new ProjectionRunner(pool, {
  projections: liveProjections(keyring),
  listener,
  pollIntervalMs: data.pollIntervalMs,
  onError: (err) => post({ type: 'batchFailed', error: describe(err) }),
  onParked: (p) => post({ type: 'parked', projection: p.projection, streamId: p.streamId, error: describe(p.error) }),
  onRetried: (r) => post({ type: 'retried', projection: r.projection, streamId: r.streamId, error: r.error && describe(r.error) }),
});

port.on('message', (message: ToRunnerThread) => {
  if (message.type === 'drain') {
    runner.drain().then(
      (events) => post({ type: 'drained', id: message.id, events }),
      (err: unknown) => post({ type: 'drained', id: message.id, error: describe(err) }),
    );
  } else if (message.type === 'wake') {
    runner.wake();
  } else {
    void runner
      .stop()
      .then(() => listener?.stop())
      .then(() => pool.end())
      .finally(() => port.close());
  }
});

await runner.start();
post({ type: 'started' });
