import { parseArgs } from 'node:util';
import type { Keyring } from '../privacy/keyring.js';
import PQueue from 'p-queue';
import type pg from 'pg';
import pino from 'pino';
import { CallbackHandler } from '../commands/recordCallback/handler.js';
import { ConfigError, type Config } from '../config.js';
import { withLease, type HeldLease } from '../reactors/lease.js';
import { catchUp } from '../reactors/reconcile/catchUp.js';
import { newMetrics } from '../reactors/reconcile/metrics.js';
import { queueOptions, runPass, type ConversationReport, type PassPlan, type PassReport } from '../reactors/reconcile/pass.js';
import { findTracked } from '../reactors/reconcile/pickDue.js';
import { duePlan, RECONCILE_LEASE } from '../reactors/reconcile/sweeper.js';
import { createTavusClient } from '../tavus/client.js';
import { UsageError } from './usage.js';

// `tavus-feedback reconcile [--conversation <id>] [--older-than <seconds>]`: one pass by hand. The
// same pass the sweeper runs, under the same lease, except that it does not wait out backoffs.
// Exit code 1 when some conversation could not be fetched.

export interface ReconcileByHand {
  /** Our id or Tavus's: that conversation only (asked even if Tavus once said it did not know it). */
  conversation?: string;
  /** Every incomplete conversation that started more than this long ago; 0: all of them. */
  olderThanSeconds?: number;
}

export function parseReconcileArgs(args: string[]): ReconcileByHand {
  const { values } = parseArgs({ args, options: { conversation: { type: 'string' }, 'older-than': { type: 'string' } } });
  const olderThan = values['older-than'];
  if (olderThan !== undefined && !/^\d+$/.test(olderThan)) throw new UsageError('--older-than takes whole seconds, 0 or more');
  if (olderThan !== undefined && values.conversation !== undefined) throw new UsageError('--conversation and --older-than do not go together');
  return { conversation: values.conversation, olderThanSeconds: olderThan === undefined ? undefined : Number(olderThan) };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line a conversation: what was recovered, and what comes next. */
export function describeReport(c: ConversationReport): string {
  const name = `${c.tavusConversationId} (${c.conversationId})`;
  const o = c.outcome;
  if (o.result === 'unknown') return `${name}: could not fetch: Tavus does not know this conversation (404); it will not be asked again`;
  if (o.result === 'failed')
    return `${name}: could not fetch: ${o.kind}: ${o.error}${c.nextAttemptAt ? `; asked again from ${c.nextAttemptAt.toISOString()}` : ''}`;
  const recovered = o.recovered.length ? `recovered ${o.recovered.join(', ')}` : 'nothing new';
  const extra = [...o.refused.map((r) => `refused ${r}`), ...o.unreadable.map((u) => `unreadable ${u}`)];
  const next =
    o.result === 'complete'
      ? 'complete'
      : o.result === 'active'
        ? `Tavus reports it still active; asked again from ${c.nextAttemptAt?.toISOString()}`
        : `ended, still incomplete; asked again from ${c.nextAttemptAt?.toISOString()}`;
  return `${name}: ${[recovered, ...extra, next].join('; ')}`;
}

const notFetched = (report: PassReport) => report.conversations.filter((c) => c.outcome.result === 'unknown' || c.outcome.result === 'failed');

export async function reconcileByHand(
  pool: pg.Pool,
  keyring: Keyring,
  config: Config,
  options: ReconcileByHand,
  print: (line: string) => void = console.log,
): Promise<number> {
  if (!config.tavusApiKey) throw new ConfigError('TAVUS_API_KEY is not set: reconciliation asks Tavus with it');
  const now = () => new Date();
  const deps = {
    pool,
    callbacks: new CallbackHandler(pool, keyring),
    tavus: createTavusClient({ apiUrl: config.tavusApiUrl, apiKey: config.tavusApiKey }),
    now,
    tokenTtlSeconds: config.callbackTokenTtlSeconds,
    queue: new PQueue(queueOptions(config.reconcile.ratePerSecond, config.reconcile.concurrency)),
    metrics: newMetrics(),
    log: pino({ level: 'silent' }),
  };

  // Everything committed before the command counts, even behind a long transaction elsewhere.
  await catchUp(pool);
  let plan: PassPlan;
  if (options.conversation !== undefined) {
    const tracked = await findTracked(pool, options.conversation);
    if (!tracked) {
      print(`${options.conversation}: could not fetch: no such conversation started here`);
      return 1;
    }
    if (tracked.complete) {
      print(`${tracked.tavusConversationId} (${tracked.conversationId}): already complete; not fetched`);
      return 0;
    }
    plan = { only: tracked };
  } else {
    const base = duePlan(config.reconcile, now());
    const n = options.olderThanSeconds;
    plan = { due: { ...base.due, honourBackoff: false, ...(n === undefined ? {} : { afterSeconds: n, transcriptAfterSeconds: n, giveUpAfterSeconds: null }) } };
  }

  const pass = (lease: HeldLease) => runPass(deps, plan, { stillHeld: () => lease.held });
  let outcome = await withLease(pool, RECONCILE_LEASE, pass);
  if (!outcome.ran) {
    console.error('another instance is sweeping; waiting for its pass to end');
    outcome = await withLease(pool, RECONCILE_LEASE, pass, { wait: true });
  }
  if (!outcome.ran) throw new Error('the reconciliation lease could not be taken');
  const report = outcome.value;

  for (const c of report.conversations) print(describeReport(c));
  const failed = notFetched(report);
  const recovered = report.conversations.reduce((n, c) => n + ('recovered' in c.outcome ? c.outcome.recovered.length : 0), 0);
  const complete = report.conversations.filter((c) => c.outcome.result === 'complete').length;
  print(
    `${plural(report.conversations.length, 'conversation')} asked, ${complete} now complete, ${plural(recovered, 'event')} recovered` +
      (failed.length ? `; could not fetch ${failed.length}: ${failed.map((c) => c.tavusConversationId).join(', ')}` : ''),
  );
  if (report.rateLimitedForSeconds !== null) print(`Tavus asked to slow down (429): the pass stopped early; run it again in ${report.rateLimitedForSeconds} s`);
  if (recovered > 0) print('feedback follows as the service applies the recovered events');
  return failed.length > 0 || report.rateLimitedForSeconds !== null ? 1 : 0;
}
