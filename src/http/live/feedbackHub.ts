import type pg from 'pg';
import type { Listener } from '../../db/listener.js';
import { Wakeup } from '../../db/wakeup.js';
import { findLiveFeedbackRows, findLiveFeedbackVersions } from '../../projections/readModels/feedbackQueries.js';
import { ALL, decodeChanged, FEEDBACK_CHANNEL } from '../../projections/runtime/feedbackChanges.js';

// This instance's live feedback streams. The runner announces which conversations' feedback it
// changed (whichever instance projected the batch); the hub then reads the live rows of the
// conversations it watches among those and hands each stream the row when its version moved. Checks
// run one at a time, so a stream never receives an older row after a newer one. Announcements only
// make it sooner: the hub polls the live build's checkpoint, and when it moved checks everything
// watched, so streams stay live without LISTEN (a transaction pooler) or after a lost notification.

export interface FeedbackWatcher {
  conversationId: string;
  /** The version this stream's client already has (Last-Event-ID), or null. */
  lastVersion: string | null;
  send(version: string, row: Record<string, unknown>): void;
  heartbeat(): void;
  close(): void;
}

export interface FeedbackHubOptions {
  maxConnections: number;
  /** Streams one user may hold at once (the operator is not counted here). */
  maxPerUser: number;
  /** Heartbeats go out, and everything watched is checked again, this often. */
  heartbeatMs: number;
  /** The process's LISTEN connection; without it the hub polls alone. */
  listener?: Listener;
  /** How often the live build's checkpoint is polled. */
  pollMs?: number;
  onError: (err: unknown) => void;
}

export type Admission = { ok: true; release: () => void } | { ok: false; reason: 'full' | 'user_full' };

/** Rows are read this many conversations at a time. */
const CHUNK = 500;

// Where the live build has got to: feedback rows change only when this moves (or the build switches).
const LIVE_HEAD = `
SELECT l.analyzer || ' ' || coalesce(c.position::text, '0') AS head
  FROM feedback_live l LEFT JOIN projection_checkpoints c ON c.name = 'feedback:' || l.analyzer`;

export class FeedbackHub {
  private readonly watchers = new Map<string, Set<FeedbackWatcher>>();
  private readonly perUser = new Map<string, number>();
  private connections = 0;
  private readonly waker: Wakeup;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private pending = new Set<string>();
  private pendingAll = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: FeedbackHubOptions,
  ) {
    this.waker = new Wakeup((notified) => this.check(notified === null ? ALL : changedIn(notified)), {
      listener: options.listener,
      channel: FEEDBACK_CHANNEL,
      readHead: async () => (await pool.query<{ head: string }>(LIVE_HEAD)).rows[0]?.head ?? '',
      pollMs: options.pollMs ?? 500,
      onError: options.onError,
    });
  }

  start(): Promise<void> {
    this.stopped = false;
    this.waker.start();
    this.timer = setInterval(() => this.tick(), this.options.heartbeatMs);
    this.timer.unref();
    return Promise.resolve();
  }

  /** Ends every stream (clients reconnect to another instance, or to this one once it is back). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const set of this.watchers.values()) for (const w of set) w.close();
    this.watchers.clear();
    await this.waker.stop();
    await this.running;
  }

  /** A place for one more stream, or why there is none; `user` null for the operator. */
  admit(user: string | null): Admission {
    if (this.stopped || this.connections >= this.options.maxConnections) return { ok: false, reason: 'full' };
    if (user !== null && (this.perUser.get(user) ?? 0) >= this.options.maxPerUser) return { ok: false, reason: 'user_full' };
    this.connections++;
    if (user !== null) this.perUser.set(user, (this.perUser.get(user) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.connections--;
        if (user === null) return;
        const left = (this.perUser.get(user) ?? 1) - 1;
        if (left === 0) this.perUser.delete(user);
        else this.perUser.set(user, left);
      },
    };
  }

  /** Watches from now on, and sends the current row if the client lacks it; answers the unwatch. */
  watch(watcher: FeedbackWatcher): { checked: Promise<void>; unwatch: () => void } {
    let set = this.watchers.get(watcher.conversationId);
    if (!set) this.watchers.set(watcher.conversationId, (set = new Set()));
    set.add(watcher);
    // Watching before the first read: a change committed in between is then caught by one or the other.
    const checked = this.check([watcher.conversationId]);
    return {
      checked,
      unwatch: () => {
        const current = this.watchers.get(watcher.conversationId);
        current?.delete(watcher);
        if (current?.size === 0) this.watchers.delete(watcher.conversationId);
      },
    };
  }

  get openStreams(): number {
    return this.connections;
  }

  /** Resolves once these conversations (or all watched) have been checked. */
  check(conversationIds: string[] | typeof ALL): Promise<void> {
    if (conversationIds === ALL) this.pendingAll = true;
    else for (const id of conversationIds) if (this.watchers.has(id)) this.pending.add(id);
    this.running ??= this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    // Cleared in the same step as the last check (no await between): a check asked after it starts
    // a drain of its own rather than waiting on one that has already finished. The first await
    // comes before anything, so that `running` is set before a drain with nothing to do can end.
    await Promise.resolve();
    try {
      while (this.pendingAll || this.pending.size > 0) {
        const ids = this.pendingAll ? [...this.watchers.keys()] : [...this.pending].filter((id) => this.watchers.has(id));
        this.pendingAll = false;
        this.pending.clear();
        for (let i = 0; i < ids.length; i += CHUNK) {
          try {
            await this.deliver(ids.slice(i, i + CHUNK));
          } catch (err) {
            // The next announcement or periodic check tries again; the streams stay open.
            this.options.onError(err);
          }
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private async deliver(ids: string[]): Promise<void> {
    // Versions first (small), whole rows (transcripts) only where some stream lacks this version.
    const versions = await findLiveFeedbackVersions(this.pool, ids);
    const stale = [...versions].filter(([id, version]) => [...(this.watchers.get(id) ?? [])].some((w) => w.lastVersion !== version)).map(([id]) => id);
    if (stale.length === 0) return;
    const rows = await findLiveFeedbackRows(this.pool, stale);
    for (const [id, { version, row }] of rows) {
      for (const w of this.watchers.get(id) ?? []) {
        if (w.lastVersion === version) continue;
        w.lastVersion = version;
        w.send(version, row);
      }
    }
  }

  private tick(): void {
    for (const set of this.watchers.values()) for (const w of set) w.heartbeat();
    if (this.watchers.size > 0) void this.check(ALL);
  }
}

/** The conversations a batch of announcements names, or ALL when any says all. */
function changedIn(payloads: string[]): string[] | typeof ALL {
  const ids: string[] = [];
  for (const payload of payloads) {
    const changed = decodeChanged(payload);
    if (changed === ALL) return ALL;
    ids.push(...changed);
  }
  return ids;
}
