import type pg from 'pg';
import type { Keyring } from '../privacy/keyring.js';
import pino from 'pino';
import { LLM_ANALYZER_ID } from '../analysis/llm/version.js';
import type { LlmConfig } from '../config.js';
import { BuildError } from '../projections/builds/rebuild.js';
import { Wakeup } from '../db/wakeup.js';
import { notifyAppended } from '../events/notifyAppended.js';
import { startBuild } from '../projections/builds/builds.js';
import { conversationsProjection } from '../projections/readModels/conversations.js';
import { ensureCheckpoints } from '../projections/runtime/checkpoints.js';
import { readLiveAnalyzer } from '../projections/runtime/live.js';
import { ProjectionRunner } from '../projections/runtime/runner.js';
import { withLease } from '../reactors/lease.js';
import { readLeaseHolder } from '../reactors/leaseRows.js';
import { askAll } from '../reactors/llmAnalysis/askAll.js';
import { Asker } from '../reactors/llmAnalysis/asker.js';
import { createLlmClient } from '../reactors/llmAnalysis/client.js';
import { countAwaiting } from '../reactors/llmAnalysis/countAwaiting.js';
import { checkModel, ModelChangedError } from '../reactors/llmAnalysis/recordedModels.js';
import { LLM_LEASE, logOutcome } from '../reactors/llmAnalysis/startLlmReactor.js';

// Before `rebuild feedback --analyzer llm@1` scores, it asks for what is not yet recorded: the
// transcripts without an llm@1 answer get one (the reactor's work, run to the end), so the build is
// made from answers in the history. A service already running its reactor does the asking (it holds
// the llm@1 lease); then the rebuild waits for it, and takes the asking over when that holder stops
// renewing its lease (its service died or stopped). Otherwise the rebuild takes the lease itself while
// it asks, so a service starting meanwhile does not ask the same questions. Transcripts that keep
// failing are parked and get their feedback when a retry succeeds; the rest of the build does not
// wait for them.

/** The conversations read model up to everything committed, so feedback_inputs holds the latest answers. */
async function projectConversations(pool: pg.Pool, keyring: Keyring): Promise<void> {
  await ensureCheckpoints(pool, ['conversations']);
  await new ProjectionRunner(pool, { projections: () => Promise.resolve([conversationsProjection(keyring)]) }).drain();
}

const STALLED_MS = 15 * 60_000;

/**
 * Waits while another process asks: 'done' when nothing is left to ask, 'stalled' when nothing moved
 * for STALLED_MS, 'free' when nobody holds the llm@1 lease any more (so this process may ask). Looks
 * every second: answers are appended by the other process, and its lease may expire at any time.
 */
function waitForOtherAsker(pool: pg.Pool, keyring: Keyring, say: (line: string) => void): Promise<'done' | 'stalled' | 'free'> {
  let last = -1;
  let movedAt = Date.now();
  return new Promise((resolve, reject) => {
    const finish = (outcome: 'done' | 'stalled' | 'free') => void waker.stop().then(() => resolve(outcome));
    const look = async () => {
      await projectConversations(pool, keyring);
      const { waiting } = await countAwaiting(pool);
      if (waiting === 0) return finish('done');
      const holder = await readLeaseHolder(pool, LLM_LEASE);
      if (!holder || holder.expired) return finish('free');
      if (waiting !== last) {
        say(`another process (the service's ${LLM_ANALYZER_ID} reactor) is asking the model: ${waiting} transcripts still to answer`);
        last = waiting;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > STALLED_MS) {
        // Its failures back off for minutes and then park; this long without any change, it is not asking.
        say(`no answer recorded for ${STALLED_MS / 60_000} minutes; building with what is recorded (the rest gets feedback when answered)`);
        return finish('stalled');
      }
    };
    const waker = new Wakeup(look, {
      pollMs: 1_000,
      onError: (err) => void waker.stop().then(() => reject(err instanceof Error ? err : new Error(String(err)))),
    });
    waker.start();
  });
}

/** Asks the model for every transcript awaiting an answer; false when the lease was lost first. */
async function askMissing(pool: pg.Pool, keyring: Keyring, llm: LlmConfig, waiting: number, lost: AbortSignal, say: (line: string) => void): Promise<boolean> {
  say(`asking ${llm.model} about ${waiting} transcripts with no ${LLM_ANALYZER_ID} answer (at most ${llm.concurrency} at once, ${llm.requestsPerSecond}/s)`);
  const log = pino({ level: 'warn' }, pino.destination(2));
  let recorded = 0;
  const asker = new Asker({
    pool,
    keyring,
    client: createLlmClient(llm),
    prompt: { maxPromptTokens: llm.maxPromptTokens },
    slots: llm.concurrency * 2,
    onOutcome: (o) => {
      logOutcome(log, o);
      if (o.kind === 'recorded' && ++recorded % 50 === 0) say(`${recorded}/${waiting} answers recorded`);
    },
    onError: (err) => log.error({ err }, 'could not record an answer; it is asked again'),
  });
  // Calls in flight when the lease is lost end as aborted, to be asked by the new holder.
  await askAll(asker, { signal: lost });
  say(`${recorded} answers recorded`);
  return !lost.aborted;
}

export async function askBeforeRebuild(
  pool: pg.Pool,
  keyring: Keyring,
  llm: LlmConfig | null,
  say: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<{ parked: number }> {
  if ((await readLiveAnalyzer(pool)) === LLM_ANALYZER_ID) return { parked: 0 }; // the rebuild refuses it with its own message
  await projectConversations(pool, keyring);
  const before = await countAwaiting(pool);
  if (before.waiting > 0) {
    if (!llm) {
      throw new BuildError(
        `${before.waiting} transcripts have no ${LLM_ANALYZER_ID} answer recorded yet and LLM_MODEL is not set: configure the model ` +
          '(LLM_MODEL, LLM_BASE_URL, LLM_API_KEY) and run again; `--dry-run` shows what it would cost',
      );
    }
    try {
      await checkModel(pool, llm.model);
    } catch (err) {
      if (err instanceof ModelChangedError) throw new BuildError(err.message);
      throw err;
    }
    // A build under way is what makes a running service's reactor ask too; wake it now.
    await startBuild(pool, LLM_ANALYZER_ID);
    await notifyAppended(pool);
    for (;;) {
      const { waiting } = await countAwaiting(pool);
      if (waiting === 0) break;
      const asked = await withLease(pool, LLM_LEASE, (lease) => askMissing(pool, keyring, llm, waiting, lease.lost, say));
      if (asked.ran && asked.value) break;
      if (asked.ran) say(`the ${LLM_ANALYZER_ID} lease was lost (the database was out of reach, or another process took it); waiting for whoever holds it now`);
      const waited = await waitForOtherAsker(pool, keyring, say);
      if (waited !== 'free') break;
      say(`nobody holds the ${LLM_ANALYZER_ID} lease any more (its holder stopped renewing it); asking the rest here`);
    }
    await projectConversations(pool, keyring);
  }
  return { parked: (await countAwaiting(pool)).parked };
}
