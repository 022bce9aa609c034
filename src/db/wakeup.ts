import type { Listener } from './listener.js';

// The one lifecycle of everything that follows the database (the projection runner, the relay, the
// llm@1 reactor, live feedback streams, a rebuild waiting for answers): run a pass "when something
// may have changed", one at a time, and once more when woken during one, so nothing goes unseen.
//
// Polling is what makes it correct: every `pollMs` a cheap head (the last position, a checkpoint) is
// read, and a pass runs when it moved; so a reader woken for nothing, or never woken (no LISTEN, a
// transaction pooler, a dropped connection), is still caught up within one poll. A notification on
// `channel` only makes it sooner. `passEveryMs` runs a pass whatever the head says, for work the head
// does not show (a backoff ending, an operator's retry).

export interface WakeupOptions {
  /** The process's LISTEN connection, or none: then polling alone. */
  listener?: Listener;
  channel?: string;
  /** Read every `pollMs`; a pass runs when it changes. Without it, a pass runs every `pollMs`. */
  readHead?: () => Promise<string>;
  pollMs: number;
  passEveryMs?: number;
  /** Least time between two passes woken by notifications: a burst costs a few passes, not thousands. */
  minIntervalMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * A pass is given the payloads of the notifications that woke it, or null when it should look at
 * everything (a poll, a reconnection, a wake by hand).
 */
export type Pass = (notified: string[] | null) => Promise<void>;

export class Wakeup {
  private running: Promise<void> | undefined;
  private again = false;
  private everything = false;
  private payloads: string[] = [];
  private halted = true;
  private pollTimer: NodeJS.Timeout | undefined;
  private throttleTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private head: string | undefined;
  private lastPassAt = 0;
  /** The head could not be read at the last poll: reported once per outage, not every poll. */
  private headFailing = false;
  private passesStarted = 0;
  private passesEnded = 0;
  private waiters: { after: number; resolve: () => void }[] = [];

  constructor(
    private readonly pass: Pass,
    private readonly options: WakeupOptions,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  /** Subscribes, starts polling, and runs a first pass. */
  start(): void {
    this.halted = false;
    if (this.options.listener && this.options.channel) {
      this.unsubscribe = this.options.listener.subscribe(this.options.channel, (payload) => this.notified(payload));
    }
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollMs);
    this.pollTimer.unref();
    this.wake();
  }

  /** Stops waking and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.halted = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.throttleTimer);
    this.unsubscribe?.();
    await this.running;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** Runs a pass that looks at everything, now or right after the one running. */
  wake(): void {
    this.everything = true;
    this.schedule();
  }

  /** wake(), resolving once a pass begun after the call has ended (at once when stopped). */
  passNow(): Promise<void> {
    if (this.halted) return Promise.resolve();
    // The next pass to begin is number passesStarted + 1, whether or not one is running now.
    const after = this.passesStarted;
    const done = new Promise<void>((resolve) => this.waiters.push({ after, resolve }));
    this.wake();
    return done;
  }

  private notified(payload: string | null): void {
    if (payload === null) this.everything = true;
    else this.payloads.push(payload);
    const wait = this.lastPassAt + (this.options.minIntervalMs ?? 0) - performance.now();
    if (wait <= 0) return this.schedule();
    this.throttleTimer ??= setTimeout(() => {
      this.throttleTimer = undefined;
      this.schedule();
    }, wait);
  }

  private async poll(): Promise<void> {
    if (this.halted) return;
    const due = this.options.passEveryMs !== undefined && performance.now() - this.lastPassAt >= this.options.passEveryMs;
    if (!this.options.readHead || due) return this.wake();
    try {
      const head = await this.options.readHead();
      this.headFailing = false;
      if (head !== this.head) {
        this.head = head;
        this.wake();
      }
    } catch (err) {
      if (!this.headFailing) this.options.onError?.(err);
      this.headFailing = true;
    }
  }

  private schedule(): void {
    if (this.halted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    // `running` is cleared in the same step as the last check of `again` (no await in between): a
    // wake that comes once that check has passed starts a loop of its own instead of being lost.
    try {
      do {
        this.again = false;
        const notified = this.everything ? null : this.payloads;
        this.everything = false;
        this.payloads = [];
        this.lastPassAt = performance.now();
        this.passesStarted++;
        try {
          await this.pass(notified);
        } catch (err) {
          this.options.onError?.(err);
        }
        this.passesEnded++;
        this.waiters = this.waiters.filter((w) => w.after >= this.passesEnded || (w.resolve(), false));
      } while (this.again && !this.halted);
    } finally {
      this.running = undefined;
    }
  }
}
