import { setMaxListeners } from 'node:events';
import type { Keyring } from '../../privacy/keyring.js';
import type pg from 'pg';
import { needsAnswer } from '../../analysis/llm/index.js';
import { buildPrompt, type PromptOptions } from '../../analysis/llm/prompt.js';
import { analysisRecords } from '../../commands/recordAnalysis.js';
import { describeRejection } from '../../commands/rejections.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { tavusIdOfStream } from '../../events/streams.js';
import { withoutAnswered } from './answeredAlready.js';
import { readAwaitingAnswers, type AwaitingAnswer } from './awaitingAnswers.js';
import type { LlmClient } from './client.js';
import type { LlmFailure } from './failures.js';
import { inputOf } from './inputOf.js';
import { parkTranscript, unparkTranscript } from './parking.js';

// Asks the model about transcripts that have no llm@1 answer, a few at a time, and appends each
// answer to its conversation's stream (AnalysisRecorded, through the commands' one door: the projections then
// fold it in and llm@1 scores it). Shared by the reactor and by a rebuild of llm@1.
//
// Failures never hold up the others: each transcript is its own task, and slots are refilled as
// tasks end. A failure that may pass (rate limit, the endpoint down, a timeout) is tried again
// after a backoff, at least as long as the endpoint's Retry-After; after `parkAfter` rounds, or at
// once for one that will not pass by waiting (a refused key, a model that answers no JSON), the
// transcript is parked in dead_letters, where an operator sees it and can ask for a retry. Parked
// for failures that may pass, it is also tried again by itself after `parkedRetryMs`.

export interface BackoffPolicy {
  /** Wait after the first failed round: doubles each round, at most maxMs. */
  baseMs: number;
  maxMs: number;
  /** Failed rounds (each already retried inside the client) before the transcript is parked. */
  parkAfter: number;
  /** When a transcript parked for a failure that may pass is tried again by itself. */
  parkedRetryMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 10 * 60_000, parkAfter: 3, parkedRetryMs: 60 * 60_000 };

export type AskOutcome =
  | { kind: 'recorded'; streamId: string; attempts: number }
  | { kind: 'deferred'; streamId: string; failure: LlmFailure; retryInMs: number }
  | { kind: 'parked'; streamId: string; failure: LlmFailure; retryInMs: number | null }
  | { kind: 'no-call'; streamId: string }
  | { kind: 'aborted'; streamId: string };

export interface AskerOptions {
  pool: pg.Pool;
  keyring: Keyring;
  client: LlmClient;
  prompt: PromptOptions;
  /** Transcripts asked about at once; the client bounds the requests in flight. */
  slots?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Wall-clock ms: when backoffs end and answers were recorded. */
  now?: () => number;
  onOutcome?: (outcome: AskOutcome) => void;
  /** A task ended, so a slot is free (the reactor fills it). */
  onSlotFree?: () => void;
  onError?: (err: unknown) => void;
}

interface Backoff {
  rounds: number;
  notBefore: number;
}

export class Asker {
  /** Answers are recorded through the one door every write takes (src/commands/groupCommit.ts). */
  private readonly answers: ReturnType<typeof analysisRecords>;
  private readonly policy: BackoffPolicy;
  private readonly slots: number;
  private readonly now: () => number;
  // By the transcript's position: a fuller transcript arriving is a new question, with no backoff.
  private readonly running = new Map<string, Promise<void>>();
  private readonly backoffs = new Map<string, Backoff>();
  /** Transcripts the index counts as spoken that llm@1 finds silent (kept before the talk was cleaned). */
  private readonly noCall = new Set<string>();

  constructor(private readonly options: AskerOptions) {
    this.answers = analysisRecords(options.pool, options.keyring);
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.slots = options.slots ?? 8;
    this.now = options.now ?? Date.now;
  }

  get busy(): number {
    return this.running.size;
  }

  /** The earliest instant (ms) a transcript now backing off may be asked again. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const b of this.backoffs.values()) if (next === undefined || b.notBefore < next) next = b.notBefore;
    return next;
  }

  /** Starts tasks for awaiting transcripts until the slots are full or none is due; answers how many started. */
  async fill(signal: AbortSignal): Promise<number> {
    // Each running task listens on the signal (to stop its call): as many listeners as slots, by design.
    setMaxListeners(this.slots + 16, signal);
    let started = 0;
    let after: string | undefined;
    while (!signal.aborted && this.running.size < this.slots) {
      const limit = this.slots - this.running.size;
      const now = this.now();
      const notDue = [...this.backoffs].filter(([, b]) => b.notBefore > now).map(([id]) => id);
      const rows = await readAwaitingAnswers(this.options.pool, { after, exclude: [...this.running.keys(), ...notDue, ...this.noCall], limit });
      for (const row of await withoutAnswered(this.options.pool, this.options.keyring, rows)) {
        const task = this.ask(row, signal).finally(() => {
          this.running.delete(row.transcript_position);
          this.options.onSlotFree?.();
        });
        this.running.set(row.transcript_position, task);
        started++;
      }
      if (rows.length < limit) {
        // Every due transcript still awaiting was just read: a due backoff not started is one that
        // no longer awaits (answered by another instance, say), and is forgotten.
        for (const [id, b] of this.backoffs) if (b.notBefore <= now && !this.running.has(id)) this.backoffs.delete(id);
        break;
      }
      after = rows[rows.length - 1]!.transcript_position;
    }
    return started;
  }

  /** Resolves when one of the running tasks ends (at once when none runs). */
  async oneEnded(): Promise<void> {
    if (this.running.size > 0) await Promise.race(this.running.values());
  }

  /** Resolves when every running task has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async ask(row: AwaitingAnswer, signal: AbortSignal): Promise<void> {
    const streamId = row.stream_id;
    try {
      const input = inputOf(row);
      if (!needsAnswer(input)) {
        this.noCall.add(row.transcript_position);
        return this.options.onOutcome?.({ kind: 'no-call', streamId });
      }
      const result = await this.options.client.analyze(buildPrompt(input, this.options.prompt), { signal });
      if (result.ok) {
        const recorded = await this.answers.submit({
          tavusConversationId: tavusIdOfStream(streamId),
          transcriptKey: row.transcript_key,
          recording: result.recording,
          answeredAt: new Date(this.now()),
        });
        if (recorded.outcome === 'rejected') throw new Error(describeRejection(recorded.rejection));
        this.backoffs.delete(row.transcript_position);
        if (row.parked_attempts !== null) await unparkTranscript(this.options.pool, streamId);
        return this.options.onOutcome?.({ kind: 'recorded', streamId, attempts: result.recording.attempts });
      }
      await this.failed(row, result.failure);
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        // Nothing is lost: the transcript stays awaiting and is asked again once the database is back.
        this.backoffs.set(row.transcript_position, {
          rounds: this.backoffs.get(row.transcript_position)?.rounds ?? 0,
          notBefore: this.now() + this.policy.baseMs,
        });
        this.options.onError?.(err);
        return;
      }
      // An answer the store refuses (text Postgres cannot hold, say) will be refused again.
      const message = `the answer could not be recorded: ${err instanceof Error ? err.message : String(err)}`;
      await this.park(row, { kind: 'unexpected', retryable: false, message, attempts: 1 }, null).catch((e) => this.options.onError?.(e));
    }
  }

  private async failed(row: AwaitingAnswer, failure: LlmFailure): Promise<void> {
    const streamId = row.stream_id;
    // Our own stop: not the endpoint's failure, asked again next time.
    if (failure.kind === 'aborted') return this.options.onOutcome?.({ kind: 'aborted', streamId });
    if (!failure.retryable) return this.park(row, failure, null);
    const rounds = (this.backoffs.get(row.transcript_position)?.rounds ?? 0) + 1;
    // Parked before and failing again when due: back to the dead letters until the next time.
    if (rounds >= this.policy.parkAfter || row.parked_attempts !== null)
      return this.park(row, failure, Math.max(this.policy.parkedRetryMs, failure.retryAfterMs ?? 0));
    const retryInMs = Math.max(failure.retryAfterMs ?? 0, Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (rounds - 1)));
    this.backoffs.set(row.transcript_position, { rounds, notBefore: this.now() + retryInMs });
    this.options.onOutcome?.({ kind: 'deferred', streamId, failure, retryInMs });
  }

  private async park(row: AwaitingAnswer, failure: LlmFailure, retryInMs: number | null): Promise<void> {
    this.backoffs.delete(row.transcript_position);
    const detail = `${failure.kind}${failure.status ? ` (${failure.status})` : ''} after ${failure.attempts} request${failure.attempts === 1 ? '' : 's'}: ${failure.message}`;
    await parkTranscript(this.options.pool, row.stream_id, row.transcript_position, detail, retryInMs);
    this.options.onOutcome?.({ kind: 'parked', streamId: row.stream_id, failure, retryInMs });
  }
}
