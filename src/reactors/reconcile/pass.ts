import { randomUUID } from 'node:crypto';
import type PQueue from 'p-queue';
import type { Logger } from 'pino';
import { backoffSeconds } from './backoff.js';
import { catchUp } from './catchUp.js';
import type { ReconcileMetrics } from './metrics.js';
import { pickDue, type DueConversation, type DueCriteria } from './pickDue.js';
import { reconcileConversation, type ConversationResult, type ReconcileDeps } from './reconcileConversation.js';
import { recordAttempt } from './recordAttempt.js';

// One pass: learn the newest starts and ends from the history, then ask Tavus about each conversation
// that is due, a few at a time and no faster than the rate allows, recording how each went.

export interface PassDeps extends ReconcileDeps {
  /** Shared by every pass of a process: its concurrency and interval cap are the rate limit. */
  queue: PQueue;
  metrics: ReconcileMetrics;
  log: Logger;
}

export type PassPlan = { due: DueCriteria } | { only: DueConversation };

export interface ConversationReport {
  conversationId: string;
  tavusConversationId: string;
  outcome: ConversationResult;
  nextAttemptAt: Date | null;
}

export interface PassReport {
  passId: string;
  startedAt: Date;
  finishedAt: Date;
  /** Events of the history read to bring the conversations' rows up to date. */
  eventsRead: number;
  conversations: ConversationReport[];
  /** Tavus asked us to slow down: the next pass should wait at least this long. */
  rateLimitedForSeconds: number | null;
  /** Stopped before the end (the process is stopping, or the lease was lost); the rest stays due. */
  stopped: boolean;
}

export interface PassControl {
  signal?: AbortSignal;
  /** False once the lease is lost: another instance may be sweeping now. */
  stillHeld?: () => boolean;
}

function nextAttemptAt(now: Date, conversation: DueConversation, outcome: ConversationResult): Date | null {
  if (outcome.result === 'complete' || outcome.result === 'unknown') return null;
  const retryAfter = outcome.result === 'failed' ? (outcome.retryAfterSeconds ?? 0) : 0;
  return new Date(now.getTime() + backoffSeconds(conversation.attempts + 1, retryAfter) * 1000);
}

function count(metrics: ReconcileMetrics, outcome: ConversationResult): void {
  if (outcome.result === 'unknown') metrics.failed.not_found++;
  else if (outcome.result === 'failed') metrics.failed[outcome.kind]++;
  else {
    metrics.pulled++;
    metrics.results[outcome.result]++;
    metrics.recoveredEvents += outcome.recovered.length;
    metrics.unreadableEvents += outcome.unreadable.length;
    metrics.refusedEvents += outcome.refused.length;
  }
}

export async function runPass(deps: PassDeps, plan: PassPlan, control: PassControl = {}): Promise<PassReport> {
  const passId = randomUUID();
  const startedAt = deps.now();
  const { signal } = control;
  const eventsRead = await catchUp(deps.pool, { signal });
  const conversations: ConversationReport[] = [];
  const asked = new Set<string>();
  let rateLimitedForSeconds: number | null = null;
  let stopped = false;

  const attempt = async (conversation: DueConversation): Promise<void> => {
    // Tavus said to slow down: what is still queued in this pass waits for the next one.
    if (rateLimitedForSeconds !== null) return;
    deps.metrics.requests++;
    const outcome = await reconcileConversation(deps, conversation, passId, signal);
    const now = deps.now();
    const next = nextAttemptAt(now, conversation, outcome);
    const recovered = 'recovered' in outcome ? outcome.recovered.length : 0;
    const error =
      outcome.result === 'failed' ? `${outcome.kind}: ${outcome.error}` : outcome.result === 'unknown' ? 'Tavus does not know this conversation (404)' : null;
    await recordAttempt(deps.pool, {
      streamId: conversation.streamId,
      at: now,
      result: outcome.result,
      nextAttemptAt: next,
      error,
      recoveredEvents: recovered,
    });
    count(deps.metrics, outcome);
    conversations.push({ conversationId: conversation.conversationId, tavusConversationId: conversation.tavusConversationId, outcome, nextAttemptAt: next });
    const fields = { passId, conversationId: conversation.conversationId, tavusConversationId: conversation.tavusConversationId, result: outcome.result };
    if (outcome.result === 'failed') deps.log.warn({ ...fields, kind: outcome.kind, error: outcome.error }, 'reconciliation could not fetch a conversation');
    else if (outcome.result === 'unknown') deps.log.warn(fields, 'Tavus does not know this conversation; it will not be asked again');
    else deps.log.debug({ ...fields, recovered: outcome.recovered, refused: outcome.refused, unreadable: outcome.unreadable }, 'conversation reconciled');
    if (outcome.result === 'failed' && outcome.kind === 'rate_limited')
      rateLimitedForSeconds = Math.max(rateLimitedForSeconds ?? 0, outcome.retryAfterSeconds ?? backoffSeconds(1));
  };

  // Pages a little larger than the concurrency keep the queue fed without reading far ahead.
  const pageSize = Math.max(1, deps.queue.concurrency * 2);
  for (;;) {
    if (signal?.aborted || (control.stillHeld && !control.stillHeld())) {
      stopped = true;
      break;
    }
    if (rateLimitedForSeconds !== null) break;
    const page = 'only' in plan ? (asked.size === 0 ? [plan.only] : []) : await pickDue(deps.pool, { ...plan.due }, [...asked], pageSize);
    if (page.length === 0) break;
    for (const c of page) asked.add(c.streamId);
    const settled = await Promise.allSettled(page.map((c) => deps.queue.add(() => attempt(c), { signal })));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      // Stopping aborts requests in flight: what they would have recorded stays due.
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      throw failure.reason;
    }
  }

  deps.metrics.passes++;
  return { passId, startedAt, finishedAt: deps.now(), eventsRead, conversations, rateLimitedForSeconds, stopped };
}

/** The rate limit and concurrency of the requests to Tavus, as a queue's options. */
export function queueOptions(ratePerSecond: number, concurrency: number) {
  const intervalCap = Math.max(1, Math.floor(ratePerSecond));
  // strict: a sliding window, so no burst of twice the rate across a window's edge.
  return { concurrency, intervalCap, interval: Math.round((1000 * intervalCap) / ratePerSecond), strict: true };
}

/** Counts of a pass, for its log line. */
export function summarize(report: PassReport) {
  const by = (r: ConversationResult['result']) => report.conversations.filter((c) => c.outcome.result === r).length;
  return {
    passId: report.passId,
    eventsRead: report.eventsRead,
    asked: report.conversations.length,
    complete: by('complete'),
    active: by('active'),
    incomplete: by('incomplete'),
    unknown: by('unknown'),
    failed: by('failed'),
    recoveredEvents: report.conversations.reduce((n, c) => n + ('recovered' in c.outcome ? c.outcome.recovered.length : 0), 0),
    ms: report.finishedAt.getTime() - report.startedAt.getTime(),
    ...(report.stopped ? { stopped: true } : {}),
    ...(report.rateLimitedForSeconds !== null ? { rateLimitedForSeconds: report.rateLimitedForSeconds } : {}),
  };
}
