import { randomBytes } from 'node:crypto';
import pg from 'pg';

// One LISTEN connection for a process (or a thread), shared by every reader in it. LISTEN is session
// state, which a transaction pooler (Supavisor, PgBouncer pool_mode=transaction) does not keep, so it
// runs on a URL that keeps sessions (DATABASE_DIRECT_URL, or DATABASE_URL when that is direct). A
// notification only makes readers look sooner: every reader also polls (wakeup.ts), so a lost or
// never-delivered notification delays, and never loses, anything. When the connection breaks it is
// made again every second, and every subscriber is told to look at everything (payload null), since
// what was announced meanwhile went to nobody.

export type NotificationHandler = (payload: string | null) => void;

export interface ListenerOptions {
  /** The connection broke, or could not be made; it is tried again every `retryMs`. Once per outage. */
  onError?: (err: unknown) => void;
  /** Listening again after an outage. */
  onRestored?: () => void;
  retryMs?: number;
}

export class Listener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly url: string,
    private readonly options: ListenerOptions = {},
  ) {}

  /** Connects; resolves (not rejects) when that fails, and keeps trying in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  /** True while a LISTEN connection is up (whether notifications reach it is what probe() tells). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Calls `handler` with each payload sent on `channel`, and with null after a reconnection. */
  subscribe(channel: string, handler: NotificationHandler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      this.client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch((err: unknown) => this.lost(err));
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /**
   * Whether a notification sent through `pool` (the connections everything else uses) arrives here
   * within `timeoutMs`. A LISTEN on a transaction pooler succeeds and then hears nothing; this is
   * how such a URL is told apart from a direct one.
   */
  async probe(pool: pg.Pool, timeoutMs = 2_000): Promise<boolean> {
    if (!this.client) return false;
    const channel = `tavus_feedback_probe_${randomBytes(6).toString('hex')}`;
    let heard: () => void = () => {};
    const arrived = new Promise<boolean>((resolve) => {
      heard = () => resolve(true);
      setTimeout(() => resolve(false), timeoutMs).unref();
    });
    const unsubscribe = this.subscribe(channel, (payload) => payload === channel && heard());
    try {
      await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      await pool.query('SELECT pg_notify($1, $1)', [channel]);
      return await arrived;
    } catch {
      return false;
    } finally {
      unsubscribe();
      this.handlers.delete(channel);
      await this.client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
    }
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.stopped || this.client) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'tavus-feedback listener', connectionTimeoutMillis: 5_000 });
    client.on('error', (err) => this.lost(err, client));
    client.on('end', () => this.lost(new Error('the LISTEN connection closed'), client));
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      this.failed(err);
      this.retryLater();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    if (this.failing) {
      this.failing = false;
      this.options.onRestored?.();
    }
    // Whatever was announced while nobody listened is found by looking at everything.
    for (const set of this.handlers.values()) for (const handler of set) handler(null);
  }

  private lost(err: unknown, client = this.client): void {
    if (!client || client !== this.client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    if (this.stopped) return;
    this.failed(err);
    this.retryLater();
  }

  private failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.options.onError?.(err);
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.options.retryMs ?? 1_000);
    this.retryTimer.unref();
  }
}
