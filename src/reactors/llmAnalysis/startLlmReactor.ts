import type { Logger } from 'pino';
import type { LlmConfig } from '../../config.js';
import type { DatabaseAccess } from '../../db/access.js';
import { createPool } from '../../db/pool.js';
import { LLM_ANALYZER_ID } from '../../analysis/llm/version.js';
import { Lease } from '../lease.js';
import { Asker, type AskOutcome, type BackoffPolicy } from './asker.js';
import { createLlmClient, type LlmClientDeps } from './client.js';
import { LlmAnalysisReactor } from './reactor.js';
import { checkModel, ModelChangedError } from './recordedModels.js';

// The llm@1 reactor as the service runs it: connections of its own, the client built from the
// LLM_* configuration, under a lease so one instance asks at a time. When LLM_MODEL is not the
// model llm@1's answers came from, it logs why and stays off; the service runs on without it.
// The lease is a row with the default 5 s time to live: an instance killed outright is replaced
// that long after (the advisory lock it replaced went at once), a few seconds more before feedback,
// after a crash only; what it was asking is asked again by the next holder.

export interface LlmReactorHandle {
  /** Undefined when it refused to start (LLM_MODEL is not the model of the recordings). */
  reactor: LlmAnalysisReactor | undefined;
  lease: Lease | undefined;
  stop(): Promise<void>;
}

export interface LlmReactorOverrides {
  client?: LlmClientDeps;
  backoff?: Partial<BackoffPolicy>;
  pollIntervalMs?: number;
  leaseTtlMs?: number;
}

/** The lease one instance holds while it asks; a rebuild of llm@1 asks itself only when it is free. */
export const LLM_LEASE = LLM_ANALYZER_ID;

export function logOutcome(log: Logger, outcome: AskOutcome): void {
  switch (outcome.kind) {
    case 'recorded':
      return log.info({ streamId: outcome.streamId, attempts: outcome.attempts }, `${LLM_ANALYZER_ID}: answer recorded`);
    case 'deferred':
      return log.warn(
        { streamId: outcome.streamId, failure: outcome.failure, retryInMs: outcome.retryInMs },
        `${LLM_ANALYZER_ID}: the model call failed; trying again later`,
      );
    case 'parked':
      return log.warn(
        { streamId: outcome.streamId, failure: outcome.failure, retryInMs: outcome.retryInMs },
        `${LLM_ANALYZER_ID}: the model call keeps failing; the transcript is parked (tavus-feedback deadletters), the others go on`,
      );
    default:
      return;
  }
}

export async function startLlmReactor(
  database: DatabaseAccess,
  config: LlmConfig,
  log: Logger,
  /** This instance's name in the leases table. */
  owner: string,
  overrides: LlmReactorOverrides = {},
): Promise<LlmReactorHandle> {
  // One connection more than the answers take, so the lease's renewals never wait behind them.
  const pool = createPool(database.url, {
    max: 4,
    applicationName: `tavus-feedback ${LLM_ANALYZER_ID}`,
    statementTimeoutMs: 10_000,
    pooled: database.pooled,
  });
  // Checked here, so the refusal is in the log at start even while another instance holds the
  // lease; checked again whenever this one takes the lease.
  try {
    await checkModel(pool, config.model);
  } catch (err) {
    await pool.end();
    if (!(err instanceof ModelChangedError)) throw err;
    log.error({ configured: err.configured, recorded: err.recorded }, err.message);
    return { reactor: undefined, lease: undefined, stop: async () => {} };
  }
  const client = createLlmClient(config, overrides.client);
  const asker = new Asker({
    pool,
    keyring: database.keyring,
    client,
    prompt: { maxPromptTokens: config.maxPromptTokens },
    slots: config.concurrency * 2,
    backoff: overrides.backoff,
    now: overrides.client?.now,
    onOutcome: (o) => logOutcome(log, o),
    onSlotFree: () => reactor.wake(),
    onError: (err) => log.error({ err }, `${LLM_ANALYZER_ID}: could not record an answer; it is asked again later`),
  });
  // The asker calls back into the reactor only once both exist.
  const reactor = new LlmAnalysisReactor({
    pool,
    asker,
    model: config.model,
    listener: database.listener,
    pollIntervalMs: overrides.pollIntervalMs,
    now: overrides.client?.now,
    onError: (err) => log.error({ err }, `${LLM_ANALYZER_ID} reactor failed; it tries again at the next poll`),
  });
  const lease: Lease = new Lease(
    pool,
    {
      name: LLM_LEASE,
      owner,
      ttlMs: overrides.leaseTtlMs,
      onChange: (held) => log.info({ held }, held ? `${LLM_ANALYZER_ID} reactor: this instance asks the model` : `${LLM_ANALYZER_ID} reactor: stopped asking`),
      onError: (err) => {
        if (err instanceof ModelChangedError) {
          // A new model is a new version: refuse, say why, and let the service go on without it.
          log.error({ configured: err.configured, recorded: err.recorded }, err.message);
          void lease.stop();
          return;
        }
        log.error({ err }, `${LLM_ANALYZER_ID} reactor: the lease failed; trying again`);
      },
    },
    reactor,
  );
  await lease.start();
  return {
    reactor,
    lease,
    async stop() {
      await lease.stop();
      await pool.end();
    },
  };
}
