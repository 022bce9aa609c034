import type pg from 'pg';
import { EVENTS_CHANNEL } from './notifyAppended.js';

// What every follower of the history (the projection runner, the relay) needs to run "when events
// may have been appended": woken by NOTIFY from any writer, by a poll as the fallback, or on demand;
// never two passes at once, and one more pass when woken during one, so no append goes unseen.

export interface AppendWakerOptions {
  pollIntervalMs: number;
  /** LISTEN failed or its connection broke: the poll carries on until it listens again. */
  onListenError?: (err: unknown) => void;
}

export class AppendWaker {
  private listener: pg.PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private halted = true;

  constructor(
    private readonly pool: pg.Pool,
    /** Follows the history until caught up (or failing); it should stop early once `stopped`. */
    private readonly pass: () => Promise<void>,
    private readonly options: AppendWakerOptions,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  async start(): Promise<void> {
    this.halted = false;
    await this.listen().catch((err: unknown) => this.options.onListenError?.(err));
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (this.halted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
        // A listener lost since (its connection broke) is replaced once the pass is done.
        if (!this.listener) await this.listen().catch(() => {});
      } while (this.again && !this.halted);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops waking and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.halted = true;
    clearInterval(this.timer);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      listener.removeAllListeners('notification');
      listener.release(true);
    }
    await this.running;
  }

  private async listen(): Promise<void> {
    if (this.listener || this.halted) return;
    const client = await this.pool.connect();
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      // Only the current listener is ours to release; stop() has already released a retired one.
      if (this.listener !== client) return;
      this.listener = undefined;
      this.options.onListenError?.(err);
      client.release(true);
    });
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    if (this.halted) {
      client.release(true);
      return;
    }
    this.listener = client;
  }
}
