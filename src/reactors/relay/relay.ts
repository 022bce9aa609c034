import type pg from 'pg';
import type { Logger } from 'pino';
import type { Listener } from '../../db/listener.js';
import { Wakeup } from '../../db/wakeup.js';
import { readHistoryHead } from '../../events/historyHead.js';
import { EVENTS_CHANNEL } from '../../events/notifyAppended.js';
import { checkpointOf, isAfter, readAll } from '../../events/readAll.js';
import type { LeasedJob } from '../lease.js';
import { moveRelayCheckpoint, readRelayCheckpoint } from './checkpoint.js';
import type { StreamStore } from './kurrentStreams.js';
import { readRelayLag } from './lag.js';
import { lastCommitted } from './lastCommitted.js';
import { heldBack, parkStream, retryParked } from './parkedStreams.js';
import { publishBatch } from './publishBatch.js';
import { readRelayEvents } from './readRelayEvents.js';

// The outbox relay's lifecycle: poll the history's head (NOTIFY wakes it sooner), read the next batch
// in the history's one order from its checkpoint, publish it, move the checkpoint, until caught up. When
// KurrentDB fails, wait (doubling, up to a limit) and try the same batch again; a stream KurrentDB
// refuses for good is parked instead (parkedStreams.ts), so it holds up no other. Ingestion never
// waits on any of this, as the relay only reads the history.

export interface RelayOptions {
  logger: Logger;
  /** The process's LISTEN connection; without it the relay polls alone. */
  listener?: Listener;
  batchSize?: number;
  pollIntervalMs?: number;
  /** First wait after a failure; doubled after each further failure up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How often the lag is logged while the relay runs. */
  lagLogEveryMs?: number;
}

export interface BatchResult {
  published: number;
  caughtUp: boolean;
}

/** What this relay has done since it was made: GET /metrics serves it as counters. */
export interface RelayMetrics {
  /** Events sent to KurrentDB and held there (one sent again, after a reset or a retry, counts again). */
  publishedEvents: number;
  failedBatches: number;
  /** Streams parked (a stream refused again after a retry counts again). */
  parkedStreams: number;
  /** Parked streams published after a retry. */
  unparkedStreams: number;
}

export class Relay implements LeasedJob {
  private readonly batchSize: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly lagLogEveryMs: number;
  private readonly log: Logger;
  private readonly waker: Wakeup;
  private lagTimer: NodeJS.Timeout | undefined;
  /** Ends a wait between retries early, when stopping. */
  private interruptWait: (() => void) | undefined;
  private failures = 0;
  private readonly counts: RelayMetrics = { publishedEvents: 0, failedBatches: 0, parkedStreams: 0, unparkedStreams: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: StreamStore,
    options: RelayOptions,
  ) {
    this.log = options.logger;
    this.batchSize = options.batchSize ?? 500;
    this.waker = new Wakeup(() => this.follow(), {
      listener: options.listener,
      channel: EVENTS_CHANNEL,
      readHead: () => readHistoryHead(pool),
      pollMs: options.pollIntervalMs ?? 500,
      // An operator's retry of a parked stream is not in the head.
      passEveryMs: 5_000,
      onError: (err) => this.log.warn({ err }, 'relay: could not look for new events; trying again at the next poll'),
    });
    this.retryMinMs = options.retryMinMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.lagLogEveryMs = options.lagLogEveryMs ?? 10_000;
  }

  metrics(): RelayMetrics {
    return { ...this.counts };
  }

  /** Batches that failed in a row (0 while publishing works). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  start(): Promise<void> {
    this.waker.start();
    this.lagTimer = setInterval(() => void this.logLag(), this.lagLogEveryMs);
    this.lagTimer.unref();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    clearInterval(this.lagTimer);
    const stopped = this.waker.stop();
    // A pass waiting out a backoff stops waiting.
    this.interruptWait?.();
    await stopped;
  }

  /** Publishes everything committed before the call, then resolves; a failure rejects. For tests and tools. */
  async drain(): Promise<number> {
    const target = await lastCommitted(this.pool);
    let total = 0;
    for (;;) {
      const result = await this.runBatch();
      total += result.published;
      if (!result.caughtUp) continue;
      // Caught up; another relay (one that lost its lease mid-batch) may have moved the checkpoint back.
      if (!target || !isAfter(target, await readRelayCheckpoint(this.pool))) return total;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** One batch: parked streams asked for again, then read, publish, move the checkpoint. */
  async runBatch(): Promise<BatchResult> {
    const from = await readRelayCheckpoint(this.pool);
    const heads = await readAll(this.pool, from, this.batchSize);
    const held = await heldBack(this.pool, [...new Set(heads.map((h) => h.streamId))]);
    // Before the batch, so that a stream that flows again has its older events in KurrentDB first.
    for (const streamId of held.retries) {
      const sent = await retryParked(this.pool, this.store, streamId, from, this.log);
      if (sent === null) {
        held.parked.add(streamId);
        this.counts.parkedStreams++;
      } else {
        this.counts.unparkedStreams++;
        this.counts.publishedEvents += sent;
      }
    }
    if (heads.length === 0) return { published: 0, caughtUp: true };
    const events = (
      await readRelayEvents(
        this.pool,
        heads.map((h) => h.position),
      )
    ).filter((e) => !held.parked.has(e.streamId));
    const outcome = await publishBatch(this.store, events);
    for (const { streamId, error } of outcome.refused) {
      await parkStream(this.pool, streamId, error, this.log);
      this.counts.parkedStreams++;
    }
    if (outcome.failure !== undefined) throw outcome.failure;
    const to = checkpointOf(heads[heads.length - 1]!);
    if (!(await moveRelayCheckpoint(this.pool, from, to))) {
      // Another relay, or an operator's reset, moved it meanwhile: carry on from where it is now.
      this.log.info({ from: from.position, to: to.position }, 'relay: checkpoint moved by someone else during the batch; continuing from it');
    }
    if (outcome.reconciled > 0) this.log.info({ streams: outcome.reconciled }, 'relay: streams already partly in KurrentDB, compared by id and completed');
    this.log.debug({ events: events.length, streams: outcome.streams, to: to.position }, 'relay: batch published');
    this.counts.publishedEvents += outcome.published;
    return { published: events.length, caughtUp: heads.length < this.batchSize };
  }

  /** Publishes batches until caught up; a failed batch is retried after a backoff. */
  private async follow(): Promise<void> {
    while (!this.waker.stopped) {
      try {
        const result = await this.runBatch();
        if (this.failures > 0) this.log.info({ after: this.failures }, 'relay: publishing again');
        this.failures = 0;
        if (result.caughtUp) return;
      } catch (err) {
        this.failures++;
        this.counts.failedBatches++;
        const waitMs = Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(this.failures - 1, 20));
        this.log.warn({ err, failures: this.failures, retryInMs: waitMs }, 'relay: batch failed (KurrentDB or Postgres unavailable?); retrying the same batch');
        await this.wait(waitMs);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interruptWait = done;
    });
  }

  private async logLag(): Promise<void> {
    try {
      const lag = await readRelayLag(this.pool);
      const fields = { lagEvents: lag.events, lagSeconds: Math.round(lag.seconds * 10) / 10 };
      if (lag.events > 0) this.log.info(fields, 'relay: behind');
      else this.log.debug(fields, 'relay: caught up');
    } catch (err) {
      this.log.debug({ err }, 'relay: could not read its lag');
    }
  }
}
