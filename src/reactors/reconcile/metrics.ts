import type { FailureKind } from './reconcileConversation.js';

// Counters since the process started, as a plain object a /metrics endpoint (or a test) can read.

export interface ReconcileMetrics {
  passes: number;
  /** GETs sent to Tavus. */
  requests: number;
  /** Answers received and replayed. */
  pulled: number;
  /** Events that were new to the history. */
  recoveredEvents: number;
  /** Answers by what they left: complete, still active at Tavus, or ended but still lacking something. */
  results: Record<'complete' | 'active' | 'incomplete', number>;
  /** Why asking failed, by kind; `not_found` is Tavus not knowing the conversation (404). */
  failed: Record<FailureKind | 'not_found', number>;
  /** Replayed events that were not a readable callback, or that the command refused. */
  unreadableEvents: number;
  refusedEvents: number;
}

export function newMetrics(): ReconcileMetrics {
  return {
    passes: 0,
    requests: 0,
    pulled: 0,
    recoveredEvents: 0,
    results: { complete: 0, active: 0, incomplete: 0 },
    failed: { not_found: 0, rate_limited: 0, failing: 0, timeout: 0, unreachable: 0, rejected: 0, invalid_answer: 0 },
    unreadableEvents: 0,
    refusedEvents: 0,
  };
}
