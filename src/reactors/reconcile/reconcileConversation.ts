import type pg from 'pg';
import type { CallbackHandler } from '../../commands/recordCallback/handler.js';
import { describeRejection } from '../../commands/rejections.js';
import { callbackType } from '../../tavus/callbacks.js';
import { TavusError, TavusFailingError, TavusNotFoundError, TavusRateLimitedError, type TavusClient } from '../../tavus/client.js';
import { readProgress, type Progress } from './readProgress.js';
import { replayedCallbacks } from './replay.js';
import { saveProgress } from './saveProgress.js';

// One conversation: ask Tavus's verbose GET, send every replayed event through the callback command
// (group commit, the same decide), then read back what the history now holds.

export type FailureKind = 'rate_limited' | 'failing' | 'timeout' | 'unreachable' | 'rejected' | 'invalid_answer';

export type ConversationResult =
  | {
      result: 'complete' | 'active' | 'incomplete';
      /** Tavus's event types whose facts were new to the history. */
      recovered: string[];
      /** Events the command refused, with why (e.g. text Postgres cannot store). */
      refused: string[];
      unreadable: string[];
    }
  | { result: 'unknown' }
  | { result: 'failed'; kind: FailureKind; error: string; retryAfterSeconds?: number };

export interface ReconcileDeps {
  pool: pg.Pool;
  callbacks: CallbackHandler;
  tavus: TavusClient;
  now: () => Date;
  tokenTtlSeconds: number;
}

export const isComplete = (p: Progress | undefined): boolean => p !== undefined && p.endedAt !== null && (p.failed || p.hasTranscript);

function failure(err: unknown): ConversationResult {
  if (err instanceof TavusNotFoundError) return { result: 'unknown' };
  if (err instanceof TavusRateLimitedError)
    return {
      result: 'failed',
      kind: 'rate_limited',
      error: err.message,
      ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    };
  if (err instanceof TavusFailingError) return { result: 'failed', kind: err.failure === 'status' ? 'failing' : err.failure, error: err.message };
  if (err instanceof TavusError)
    return { result: 'failed', kind: err.status !== undefined && err.status < 300 ? 'invalid_answer' : 'rejected', error: err.message };
  throw err;
}

export async function reconcileConversation(
  deps: ReconcileDeps,
  conversation: { streamId: string; tavusConversationId: string },
  passId: string,
  signal?: AbortSignal,
): Promise<ConversationResult> {
  const id = conversation.tavusConversationId;
  let answer;
  try {
    answer = await deps.tavus.getConversation(id, { verbose: true, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    return failure(err);
  }
  if (answer.conversationId !== id) return { result: 'failed', kind: 'invalid_answer', error: `asked for ${id}, Tavus answered about another conversation` };

  const replay = replayedCallbacks(answer.events, { tavusConversationId: id, receivedAt: deps.now(), passId, tokenTtlSeconds: deps.tokenTtlSeconds });
  // Submitted together, so group commit writes them in one statement and one commit.
  const outcomes = await Promise.all(replay.commands.map((c) => deps.callbacks.handle(c)));
  const recovered: string[] = [];
  const refused: string[] = [];
  outcomes.forEach((o, i) => {
    const type = callbackType(replay.commands[i]!.callback);
    if (o.outcome === 'rejected') refused.push(`${type}: ${describeRejection(o.rejection)}`);
    else if (o.appended > 0) recovered.push(type);
  });

  // Our appends are committed (handle resolves after the commit): the row learns them now, not at
  // the next catch-up, so a complete conversation is never asked about again.
  const [progress] = await readProgress(deps.pool, [conversation.streamId]);
  if (progress) await saveProgress(deps.pool, [progress]);
  const ended = answer.status === 'ended' || replay.commands.some((c) => c.callback.kind === 'shutdown');
  const result = isComplete(progress) ? 'complete' : ended ? 'incomplete' : 'active';
  return { result, recovered, refused, unreadable: replay.unreadable };
}
