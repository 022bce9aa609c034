import type { Worker } from 'node:worker_threads';
import type { Kek } from '../../privacy/kek.js';
import { startWorker } from './startWorker.js';
import type { LiveRunner, RunnerOptions } from './runner.js';

// The service's live projections, run by a ProjectionRunner in a worker thread. On one event loop,
// a projection batch (reading events, folding, scoring) and a burst of callbacks wait on each other:
// replies slow down and feedback falls behind. In a thread each gets a core when one is free.
// Analyzers come from the registry by id, as a thread cannot be handed functions.

export interface RunnerThreadData {
  databaseUrl: string;
  /** DATABASE_URL is a transaction pooler: connect without session settings. */
  pooled?: boolean;
  /** Where the thread LISTENs (a URL that keeps sessions); without it, it polls alone. */
  listenUrl?: string;
  /** How often the history's head is polled (the runner's default unless given). */
  pollIntervalMs?: number;
  /** The key-encryption keys: the thread opens what it folds with keys they unwrap. */
  keks: Kek[];
}

export type ToRunnerThread = { type: 'drain'; id: number } | { type: 'wake' } | { type: 'stop' };

export type FromRunnerThread =
  | { type: 'started' }
  | { type: 'drained'; id: number; events?: number; error?: ThreadError }
  | { type: 'batchFailed'; error: ThreadError }
  | { type: 'parked'; projection: string; streamId: string; error: ThreadError }
  | { type: 'retried'; projection: string; streamId: string; error: ThreadError | null };

interface ThreadError {
  message: string;
  stack?: string;
}

function toError(e: ThreadError): Error {
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/** How long after an unexpected exit the thread is started again. */
const RESTART_DELAY_MS = 1_000;
/** How long stop() lets a batch in flight finish before ending the thread regardless. */
const STOP_GRACE_MS = 10_000;

export class ThreadedRunner implements LiveRunner {
  private worker: Worker | undefined;
  private readonly drains = new Map<number, { resolve: (events: number) => void; reject: (err: Error) => void }>();
  private nextDrain = 0;
  private stopping = false;
  private started = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly data: RunnerThreadData,
    private readonly onError: (err: Error) => void = () => {},
    private readonly events: Pick<RunnerOptions, 'onParked' | 'onRetried'> = {},
  ) {}

  /** Resolves once the thread listens for events and has started applying them. */
  async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
    this.started = true;
  }

  drain(): Promise<number> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the projection thread is not running'));
    const id = this.nextDrain++;
    return new Promise((resolve, reject) => {
      this.drains.set(id, { resolve, reject });
      worker.postMessage({ type: 'drain', id } satisfies ToRunnerThread);
    });
  }

  /** Looks for new events now: this process has just appended some. */
  wake(): void {
    this.worker?.postMessage({ type: 'wake' } satisfies ToRunnerThread);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToRunnerThread);
    // A batch stuck on the database must not hold up shutdown; its transaction is simply rolled back.
    const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    await exited;
    clearTimeout(grace);
  }

  private spawn(): Promise<void> {
    const worker = startWorker(import.meta.url, 'runnerThread', { workerData: this.data });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromRunnerThread) => {
        if (message.type === 'started') resolve();
        else if (message.type === 'batchFailed') this.onError(toError(message.error));
        else if (message.type === 'parked')
          this.events.onParked?.({ projection: message.projection, streamId: message.streamId, error: toError(message.error) });
        else if (message.type === 'retried') {
          this.events.onRetried?.({ projection: message.projection, streamId: message.streamId, error: message.error && toError(message.error) });
        } else {
          const drain = this.drains.get(message.id);
          this.drains.delete(message.id);
          if (message.error) drain?.reject(toError(message.error));
          else drain?.resolve(message.events ?? 0);
        }
      });
      worker.on('error', (err) => this.onError(err));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        const lost = new Error(`the projection thread exited (code ${code})`);
        reject(lost);
        for (const drain of this.drains.values()) drain.reject(lost);
        this.drains.clear();
        // A thread that never started (a bad configuration, say) fails start() instead.
        if (this.stopping || !this.started) return;
        // Events stay in the history and checkpoints only move on commit: a new thread resumes
        // exactly where the last committed batch left off.
        this.onError(new Error(`${lost.message}; starting it again`));
        this.restartTimer = setTimeout(() => void this.spawn().catch((err: Error) => this.onError(err)), RESTART_DELAY_MS);
        this.restartTimer.unref();
      });
    });
  }
}
