import type pg from 'pg';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';
import type { Asker } from './asker.js';
import type { LeasedJob } from '../lease.js';
import { checkModel } from './recordedModels.js';
import { llmAnswersWanted } from './wanted.js';

// The llm@1 reactor's lifecycle: wakes on NOTIFY of new events (a transcript's arrival is one),
// polls as a fallback, and each time fills the asker's free slots with transcripts that still
// lack an answer, while llm@1's answers are wanted (src/reactors/llmAnalysis/wanted.ts). It runs
// under a lease (one instance at a time); everything it learns goes back through the store.

export interface ReactorOptions {
  pool: pg.Pool;
  asker: Asker;
  /** LLM_MODEL: the reactor refuses to start when llm@1's answers came from another model. */
  model: string;
  pollIntervalMs?: number;
  /** Least time between two fills woken by NOTIFY: a burst of callbacks costs a few queries, not thousands. */
  minWakeIntervalMs?: number;
  /** Wall-clock ms, the asker's clock (its backoffs end on it). */
  now?: () => number;
  onError?: (err: unknown) => void;
}

export class LlmAnalysisReactor implements LeasedJob {
  private listener: pg.PoolClient | undefined;
  private poll: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private throttle: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private filling: Promise<void> | undefined;
  private fillAgain = false;
  private lastFill = 0;
  private stopped = true;

  constructor(private readonly options: ReactorOptions) {}

  /** Throws ModelChangedError, and starts nothing, when LLM_MODEL is not the model of the recordings. */
  async start(): Promise<void> {
    await checkModel(this.options.pool, this.options.model);
    this.stopped = false;
    this.abort = new AbortController();
    await this.listen().catch((err) => this.options.onError?.(err));
    this.poll = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 5_000);
    this.poll.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.dueTimer);
    clearTimeout(this.throttle);
    // Calls in flight end as aborted: not failures, asked again by whoever holds the lease next.
    this.abort.abort();
    const listener = this.listener;
    this.listener = undefined;
    listener?.release(true);
    await this.filling;
    await this.options.asker.idle();
  }

  /**
   * Fills now and waits until nothing is running and a fill starts nothing: every transcript
   * awaiting an answer has been asked about, and what failed is backing off or parked. For tests
   * and the CLI, so nobody sleeps and hopes.
   */
  async settled(): Promise<void> {
    for (;;) {
      await this.fillNow();
      if (this.options.asker.busy === 0) return;
      await this.options.asker.oneEnded();
    }
  }

  /** Asks for a fill soon; a fill running now is followed by another. */
  wake(): void {
    if (this.stopped) return;
    const wait = this.lastFill + (this.options.minWakeIntervalMs ?? 250) - performance.now();
    if (wait > 0) {
      this.throttle ??= setTimeout(() => {
        this.throttle = undefined;
        this.wake();
      }, wait);
      return;
    }
    void this.fillNow();
  }

  private fillNow(): Promise<void> {
    if (this.filling) {
      this.fillAgain = true;
      return this.filling;
    }
    this.lastFill = performance.now();
    this.filling = this.fill()
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        this.filling = undefined;
        if (this.fillAgain && !this.stopped) {
          this.fillAgain = false;
          this.wake();
        }
      });
    return this.filling;
  }

  private async fill(): Promise<void> {
    if (this.stopped || !(await llmAnswersWanted(this.options.pool))) return;
    if (!this.listener) await this.listen().catch(() => {});
    await this.options.asker.fill(this.abort.signal);
    this.scheduleDue();
  }

  /** A transcript backing off is asked again when its wait ends, not at the next poll. */
  private scheduleDue(): void {
    const due = this.options.asker.nextDue();
    if (due === undefined || this.stopped) return;
    clearTimeout(this.dueTimer);
    const now = this.options.now ?? Date.now;
    this.dueTimer = setTimeout(() => this.wake(), Math.max(0, due - now()) + 10);
    this.dueTimer.unref();
  }

  private async listen(): Promise<void> {
    if (this.listener || this.stopped) return;
    const client = await this.options.pool.connect();
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.options.onError?.(err);
      client.release(true);
      // The poll goes on; listen again at the next start.
    });
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    if (this.stopped) return client.release(true);
    this.listener = client;
  }
}
