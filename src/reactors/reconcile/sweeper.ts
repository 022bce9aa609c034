import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { CallbackHandler } from '../../commands/recordCallback/handler.js';
import type { ReconcileConfig } from '../../config.js';
import type { TavusClient } from '../../tavus/client.js';
import { withLease } from '../lease.js';
import { newMetrics, type ReconcileMetrics } from './metrics.js';
import { queueOptions, runPass, summarize, type PassReport } from './pass.js';
import type { DueCriteria } from './pickDue.js';

// The sweeper's lifecycle: a pass every RECONCILE_INTERVAL_S (the next one scheduled when the last
// ends, so passes never overlap), each under the lease so one instance sweeps at a time; stop()
// aborts what is in flight and waits for the pass to end. What a stopped pass did not record stays
// due, and what it recorded is idempotent, so a restart mid-sweep loses and doubles nothing.
//
// The lease is taken for each pass (withLease), not held for as long as the service runs as the
// relay's is: a pass by hand (`tavus-feedback reconcile`) takes the same lease and waits for the
// pass under way to end, which it could never do if a service kept the lease for good. Every
// instance's sweeper takes its turn at no cost, since a pass asks only about what is due. A sweeper
// killed mid-pass keeps the lease until its time to live runs out, seconds against the minute
// between passes.

export const RECONCILE_LEASE = 'reconcile';

export interface SweeperDeps {
  pool: pg.Pool;
  callbacks: CallbackHandler;
  tavus: TavusClient;
  config: ReconcileConfig;
  tokenTtlSeconds: number;
  log: Logger;
  now?: () => Date;
}

/** The sweeper's choice of conversations at `now`, from the configuration. */
export function duePlan(config: ReconcileConfig, now: Date): { due: DueCriteria } {
  return {
    due: {
      now,
      afterSeconds: config.afterSeconds,
      transcriptAfterSeconds: config.transcriptAfterSeconds,
      giveUpAfterSeconds: config.giveUpAfterSeconds,
      honourBackoff: true,
    },
  };
}

export class ReconcileSweeper {
  private readonly metricsSoFar: ReconcileMetrics = newMetrics();
  private readonly queue: PQueue;
  private readonly now: () => Date;
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private waiters: { resolve: (r: PassReport) => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly deps: SweeperDeps) {
    this.now = deps.now ?? (() => new Date());
    this.queue = new PQueue(queueOptions(deps.config.ratePerSecond, deps.config.concurrency));
  }

  start(): void {
    this.schedule(this.deps.config.intervalSeconds);
  }

  /** One pass now, under the lease; null when another instance holds it. */
  runOnce(): Promise<PassReport | null> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => {});
    return pass;
  }

  /** Resolves with the next pass that runs (or rejects with why it failed): a signal for tests. */
  nextPass(): Promise<PassReport> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Counters since start, for /metrics. */
  metrics(): ReconcileMetrics {
    return structuredClone(this.metricsSoFar);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.stopping.abort(new Error('the sweeper is stopping'));
    await this.running;
  }

  private schedule(seconds: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => void this.tick(), seconds * 1000);
    // Never what keeps a process alive.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let wait = this.deps.config.intervalSeconds;
    try {
      const report = await this.runOnce();
      if (report?.rateLimitedForSeconds) wait = Math.max(wait, report.rateLimitedForSeconds);
    } catch (err) {
      this.deps.log.error({ err }, 'reconciliation pass failed; the next one retries');
    }
    this.schedule(wait);
  }

  private async pass(): Promise<PassReport | null> {
    const { log } = this.deps;
    try {
      const outcome = await withLease(
        this.deps.pool,
        RECONCILE_LEASE,
        (lease) =>
          runPass({ ...this.deps, now: this.now, queue: this.queue, metrics: this.metricsSoFar }, duePlan(this.deps.config, this.now()), {
            signal: this.stopping.signal,
            stillHeld: () => lease.held,
          }),
        { onError: (err) => log.warn({ err }, 'reconciliation: the lease could not be renewed') },
      );
      if (!outcome.ran) {
        log.debug('another instance is sweeping; this one skips the pass');
        return null;
      }
      const summary = summarize(outcome.value);
      if (summary.asked > 0) log.info(summary, 'reconciliation pass');
      else log.debug(summary, 'reconciliation pass');
      for (const w of this.waiters.splice(0)) w.resolve(outcome.value);
      return outcome.value;
    } catch (err) {
      for (const w of this.waiters.splice(0)) w.reject(err);
      throw err;
    }
  }
}
