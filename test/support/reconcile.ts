import { Writable } from 'node:stream';
import pino from 'pino';
import type { ReconcileConfig } from '../../src/config.js';
import { catchUp } from '../../src/reactors/reconcile/catchUp.js';
import type { PassReport } from '../../src/reactors/reconcile/pass.js';
import { ReconcileSweeper } from '../../src/reactors/reconcile/sweeper.js';
import { createTavusClient } from '../../src/tavus/client.js';
import { EXAMPLE_TYPES, exampleCallback } from './callbacks.js';
import type { Harness } from './harness.js';

// Reconciliation against a harness: a sweeper of the test's own on the service's pool and callback
// handler, with a clock the test moves, and its log lines kept for inspection.

export const RECONCILE_DEFAULTS: ReconcileConfig = {
  intervalSeconds: 60,
  afterSeconds: 3900,
  transcriptAfterSeconds: 300,
  giveUpAfterSeconds: 7 * 86400,
  ratePerSecond: 50,
  concurrency: 4,
};

export interface TestSweeper {
  sweeper: ReconcileSweeper;
  /** One pass, once the conversations' rows hold everything committed so far. */
  run(): Promise<PassReport | null>;
  /** Moves the sweeper's clock to `seconds` after the moment the test began. */
  at(seconds: number): void;
  /** The sweeper's clock now. */
  now(): Date;
  logs: string[];
}

export function testSweeper(h: Harness, config: Partial<ReconcileConfig> = {}, timeoutMs = 2_000): TestSweeper {
  const base = Date.now();
  let now = new Date(base);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const sweeper = new ReconcileSweeper({
    pool: h.service.pool,
    callbacks: h.service.callbacks,
    tavus: createTavusClient({ apiUrl: h.tavus.url, apiKey: h.tavus.apiKey, timeoutMs }),
    config: { ...RECONCILE_DEFAULTS, ...config },
    tokenTtlSeconds: 7 * 86400,
    log: pino({ level: 'debug' }, sink),
    now: () => now,
  });
  const run = async () => {
    await catchUp(h.db);
    return sweeper.runOnce();
  };
  return { sweeper, run, at: (seconds) => (now = new Date(base + seconds * 1000)), now: () => now, logs };
}

/** Every documented callback of a conversation, as Tavus's verbose GET replays them. */
export function allEvents(tavusConversationId: string): Record<string, unknown>[] {
  return EXAMPLE_TYPES.map((type) => exampleCallback(type, tavusConversationId));
}

/** How many events of each type a conversation's stream holds. */
export async function eventCounts(h: Harness, tavusConversationId: string): Promise<Record<string, number>> {
  const { rows } = await h.db.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM events WHERE stream_id = $1 GROUP BY type', [
    `conversation-${tavusConversationId}`,
  ]);
  return Object.fromEntries(rows.map((r) => [r.type, r.n]));
}

export const ONE_OF_EACH = {
  ConversationStarted: 1,
  ReplicaJoined: 1,
  ConversationEnded: 1,
  TranscriptReceived: 1,
  RecordingReady: 1,
  PerceptionAnalysisReceived: 1,
};
