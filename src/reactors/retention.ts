import type { Logger } from 'pino';
import { conversationStream } from '../events/streams.js';
import { eraseConversation, type ErasureDeps } from '../privacy/erase.js';
import { withLease } from './lease.js';

// RETENTION_DAYS: conversations that started longer ago than that are erased, as `retention`. A
// sweep every hour (and one shortly after start), each under the `retention` lease so one instance
// sweeps at a time; a sweep erases page by page until nothing is due, and stops early when its lease
// is lost. An erasure is idempotent, so a sweep killed half-way just leaves the rest to the next.

export const RETENTION_LEASE = 'retention';

const PAGE = 100;
const DUE = `
SELECT id, conversation_id FROM conversations
 WHERE created_at < now() - $1 * interval '1 day'
 ORDER BY created_at LIMIT $2`;

export interface RetentionDeps {
  erasure: ErasureDeps;
  days: number;
  log: Logger;
  /** Between sweeps (an hour). */
  intervalMs?: number;
  /** Before the first (a minute, so a start is not slowed down). */
  firstAfterMs?: number;
}

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: RetentionDeps) {}

  start(): void {
    this.schedule(this.deps.firstAfterMs ?? 60_000);
  }

  /** Erases what is due now; answers how many conversations, or null when another instance holds the lease. */
  async sweep(): Promise<number | null> {
    const { pool } = this.deps.erasure;
    const outcome = await withLease(pool, RETENTION_LEASE, async (lease) => {
      let erased = 0;
      for (;;) {
        const { rows } = await pool.query<{ id: string; conversation_id: string }>(DUE, [this.deps.days, PAGE]);
        for (const row of rows) {
          if (!lease.held || this.stopped) return erased;
          await eraseConversation(this.deps.erasure, { conversationId: row.id, streamId: conversationStream(row.conversation_id) }, 'retention');
          erased++;
        }
        if (rows.length < PAGE) return erased;
      }
    });
    return outcome.ran ? outcome.value : null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running.catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((erased) => {
          if (erased) this.deps.log.info({ erased, retentionDays: this.deps.days }, 'retention: conversations past RETENTION_DAYS erased');
        })
        .catch((err: unknown) => this.deps.log.warn({ err }, 'retention: a sweep failed; the next one tries again'))
        .finally(() => this.schedule(this.deps.intervalMs ?? 3_600_000));
    }, ms);
    this.timer.unref();
  }
}
