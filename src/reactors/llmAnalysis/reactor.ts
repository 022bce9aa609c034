import type pg from 'pg';
import type { Listener } from '../../db/listener.js';
import { Wakeup } from '../../db/wakeup.js';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';
import type { Asker } from './asker.js';
import type { LeasedJob } from '../lease.js';
import { checkModel } from './recordedModels.js';
import { llmAnswersWanted } from './wanted.js';

// The llm@1 reactor's lifecycle: each pass fills the asker's free slots with transcripts that still
// lack an answer, while llm@1's answers are wanted (src/reactors/llmAnalysis/wanted.ts). What it asks
// about is read from feedback_inputs, which the conversations projection writes: so it polls that
// projection's checkpoint (a transcript's arrival moves it), and NOTIFY of new events wakes it sooner.
// It runs under a lease (one instance at a time); everything it learns goes back through the store.

export interface ReactorOptions {
  pool: pg.Pool;
  asker: Asker;
  /** LLM_MODEL: the reactor refuses to start when llm@1's answers came from another model. */
  model: string;
  listener?: Listener;
  /** A pass runs at least this often (a build of llm@1 started, a parked transcript due again). */
  pollIntervalMs?: number;
  /** Least time between two fills woken by NOTIFY: a burst of callbacks costs a few queries, not thousands. */
  minWakeIntervalMs?: number;
  /** Wall-clock ms, the asker's clock (its backoffs end on it). */
  now?: () => number;
  onError?: (err: unknown) => void;
}

// How far the conversations projection has got: what the reactor may find to ask about moves with it.
const PROJECTED_HEAD = `SELECT coalesce((SELECT position::text FROM projection_checkpoints WHERE name = 'conversations'), '0') AS head`;

export class LlmAnalysisReactor implements LeasedJob {
  private readonly waker: Wakeup;
  private dueTimer: NodeJS.Timeout | undefined;
  private abort = new AbortController();

  constructor(private readonly options: ReactorOptions) {
    this.waker = new Wakeup(() => this.fill(), {
      listener: options.listener,
      channel: EVENTS_CHANNEL,
      readHead: async () => (await options.pool.query<{ head: string }>(PROJECTED_HEAD)).rows[0]!.head,
      pollMs: 500,
      passEveryMs: options.pollIntervalMs ?? 5_000,
      minIntervalMs: options.minWakeIntervalMs ?? 250,
      onError: options.onError,
    });
  }

  /** Throws ModelChangedError, and starts nothing, when LLM_MODEL is not the model of the recordings. */
  async start(): Promise<void> {
    await checkModel(this.options.pool, this.options.model);
    this.abort = new AbortController();
    this.waker.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.dueTimer);
    // Calls in flight end as aborted: not failures, asked again by whoever holds the lease next.
    this.abort.abort();
    await this.waker.stop();
    await this.options.asker.idle();
  }

  /**
   * Fills now and waits until nothing is running and a fill starts nothing: every transcript
   * awaiting an answer has been asked about, and what failed is backing off or parked. For tests
   * and the CLI, so nobody sleeps and hopes.
   */
  async settled(): Promise<void> {
    for (;;) {
      await this.waker.passNow();
      if (this.options.asker.busy === 0) return;
      await this.options.asker.oneEnded();
    }
  }

  /** Asks for a fill soon; a fill running now is followed by another. */
  wake(): void {
    this.waker.wake();
  }

  private async fill(): Promise<void> {
    if (this.waker.stopped || !(await llmAnswersWanted(this.options.pool))) return;
    await this.options.asker.fill(this.abort.signal);
    this.scheduleDue();
  }

  /** A transcript backing off is asked again when its wait ends, not at the next poll. */
  private scheduleDue(): void {
    const due = this.options.asker.nextDue();
    if (due === undefined || this.waker.stopped) return;
    clearTimeout(this.dueTimer);
    const now = this.options.now ?? Date.now;
    this.dueTimer = setTimeout(() => this.wake(), Math.max(0, due - now()) + 10);
    this.dueTimer.unref();
  }
}
