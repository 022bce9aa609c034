import type pg from 'pg';
import type { Listener } from '../../db/listener.js';
import { Wakeup } from '../../db/wakeup.js';
import { readHistoryHead } from '../../events/historyHead.js';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';
import { checkpointOf, isAfter, readAll, type Checkpoint } from '../../events/readAll.js';
import { lockCheckpoints, saveCheckpointsAndCommit } from './checkpoints.js';
import { readParked } from './deadLetters.js';
import { announceFeedbackChanged } from './feedbackChanges.js';
import { applyIsolated, retryParked, type Parked } from './isolation.js';
import type { Projection } from './projection.js';

// Feeds projections from the history: polls its head, wakes sooner on NOTIFY, reads in the history's
// one order, and writes each batch's read models and checkpoints in one transaction, so a crash can
// neither lose nor double an update and a restart resumes where the last commit left off.

export interface RunnerOptions {
  /** The projections to feed, chosen again for every batch (the live analyzer can change). */
  projections: (client: pg.PoolClient) => Promise<Projection[]>;
  batchSize?: number;
  /** The process's LISTEN connection; without it the runner polls alone. */
  listener?: Listener;
  pollIntervalMs?: number;
  onError?: (err: unknown) => void;
  /** A stream a projection could not apply was parked (dead_letters); everything else went on. */
  onParked?: (parked: Parked) => void;
  /** An operator's retry of a parked stream was applied (error null) or failed again. */
  onRetried?: (retry: { projection: string; streamId: string; error: Error | null }) => void;
}

/** What the service runs its live projections with: in this thread or in one of its own. */
export interface LiveRunner {
  start(): Promise<void>;
  /** Looks for new events now, rather than at the next poll. */
  wake(): void;
  /** Applies everything committed so far; resolves with the events applied once caught up. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export type BatchResult = { status: 'applied'; events: number; caughtUp: boolean } | { status: 'busy' };

export class ProjectionRunner implements LiveRunner {
  private readonly batchSize: number;
  private readonly waker: Wakeup;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: RunnerOptions,
  ) {
    // Large: under load the batch's fixed cost (a dozen round trips) is what limits how fast the
    // runner drains; measured at 1,000 callbacks/s, batches of 500 fell behind where 2,000 kept up.
    this.batchSize = options.batchSize ?? 2_000;
    this.waker = new Wakeup(() => this.follow(), {
      listener: options.listener,
      channel: EVENTS_CHANNEL,
      readHead: () => readHistoryHead(pool),
      pollMs: options.pollIntervalMs ?? 500,
      // Work the head does not show: an operator's retry of a parked stream, a switch of the live build.
      passEveryMs: 5_000,
      onError: options.onError,
    });
  }

  start(): Promise<void> {
    this.waker.start();
    return Promise.resolve();
  }

  /** Looks for new events now (a notification from elsewhere in this process). */
  wake(): void {
    this.waker.wake();
  }

  stop(): Promise<void> {
    return this.waker.stop();
  }

  /**
   * Applies everything committed before the call; resolves with the number of events applied. For
   * tests and CLI commands: an awaiter, so nobody sleeps and hopes. "Caught up" alone would not do:
   * another runner (another instance) may hold the checkpoints for a batch of its own.
   */
  async drain(): Promise<number> {
    return this.whenCaughtUp(await readHistoryHead(this.pool));
  }

  /** Applies events until every committed event at or below `position` has been applied. */
  async whenCaughtUp(position: string): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.exclusive(() => this.runBatch());
      // Another runner holds the checkpoints for its batch: one of ours must run after the call too,
      // so that what was asked before it (an operator's retry) is done when this resolves.
      if (result.status === 'busy') {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      total += result.events;
      if (!result.caughtUp) continue;
      if (await this.hasApplied(position)) return total;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async hasApplied(position: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      const names = (await this.options.projections(client)).map((p) => p.name);
      const { rows } = await client.query<{ done: boolean }>(
        `SELECT NOT EXISTS (
           SELECT 1 FROM projection_checkpoints c JOIN events e
             ON (e.transaction_id, e.position) > (c.transaction_id, c.position)
          WHERE c.name = ANY($1::text[]) AND e.position <= $2::bigint
         ) AS done`,
        [names, position],
      );
      return rows[0]!.done;
    } finally {
      client.release();
    }
  }

  /** One batch in one transaction. */
  async runBatch(): Promise<BatchResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const projections = await this.options.projections(client);
      const names = projections.map((p) => p.name);
      const checkpoints = await lockCheckpoints(client, names);
      if (!checkpoints) {
        await client.query('ROLLBACK');
        return { status: 'busy' };
      }
      const from = [...checkpoints.values()].reduce((a, b) => (isAfter(a, b) ? b : a));
      const events = await readAll(client, from, this.batchSize);
      const { parked, retries } = await readParked(client, names, [...new Set(events.map((e) => e.streamId))]);
      const feedbackChanged = new Set<string>();
      for (const projection of projections) {
        const checkpoint = checkpoints.get(projection.name) as Checkpoint;
        // A parked stream's later events wait with it: applying them would only fail again.
        const unseen = events.filter((e) => isAfter(e, checkpoint) && !parked.has(`${projection.name} ${e.streamId}`));
        if (unseen.length === 0) continue;
        const applied = await applyIsolated(client, projection, unseen);
        for (const p of applied.parked) this.options.onParked?.(p);
        for (const id of applied.feedbackChanged) feedbackChanged.add(id);
      }
      for (const retry of retries) {
        const projection = projections.find((p) => p.name === retry.projection);
        if (!projection) continue;
        const { error, feedbackChanged: changed } = await retryParked(client, projection, retry.streamId);
        for (const id of changed) feedbackChanged.add(id);
        this.options.onRetried?.({ ...retry, error });
      }
      if (events.length > 0) await saveCheckpointsAndCommit(client, names, checkpointOf(events[events.length - 1]!));
      else await client.query('COMMIT');
      // Committed: a lost notification only delays live streams until their next check, never the batch.
      await announceFeedbackChanged(client, [...feedbackChanged]).catch((err: unknown) => this.options.onError?.(err));
      return { status: 'applied', events: events.length, caughtUp: events.length < this.batchSize };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Applies batches until caught up; a failure waits for the next wake (the poll retries). */
  private async follow(): Promise<void> {
    while (!this.waker.stopped) {
      let result: BatchResult;
      try {
        result = await this.runBatch();
      } catch (err) {
        this.options.onError?.(err);
        return;
      }
      if (result.status === 'busy' || result.caughtUp) return;
    }
  }

  private chain: Promise<unknown> = Promise.resolve();

  /** Serialises drain() with itself; the background loop and other processes are kept apart by the row locks. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }
}
