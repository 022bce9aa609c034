import type pg from 'pg';
import pino from 'pino';
import { LLM_ANALYZER_ID } from '../analysis/llm/version.js';
import type { LlmConfig } from '../config.js';
import { BuildError } from '../projections/builds/rebuild.js';
import { EVENTS_CHANNEL, notifyAppended } from '../events/notifyAppended.js';
import { startBuild } from '../projections/builds/builds.js';
import { conversationsProjection } from '../projections/readModels/conversations.js';
import { ensureCheckpoints } from '../projections/runtime/checkpoints.js';
import { readLiveAnalyzer } from '../projections/runtime/live.js';
import { ProjectionRunner } from '../projections/runtime/runner.js';
import { askAll } from '../reactors/llmAnalysis/askAll.js';
import { Asker } from '../reactors/llmAnalysis/asker.js';
import { createLlmClient } from '../reactors/llmAnalysis/client.js';
import { countAwaiting } from '../reactors/llmAnalysis/countAwaiting.js';
import { tryAdvisoryLock } from '../reactors/llmAnalysis/lease.js';
import { checkModel, ModelChangedError } from '../reactors/llmAnalysis/recordedModels.js';
import { LLM_LEASE, logOutcome } from '../reactors/llmAnalysis/startLlmReactor.js';

// Before `rebuild feedback --analyzer llm@1` scores, it asks for what is not yet recorded: the
// transcripts without an llm@1 answer get one (the reactor's work, run to the end), so the build is
// made from answers in the history. A service already running its reactor does the asking; then the
// rebuild waits for it. Transcripts that keep failing are parked and get their feedback when a
// retry succeeds; the rest of the build does not wait for them.

/** The conversations read model up to everything committed, so feedback_inputs holds the latest answers. */
async function projectConversations(pool: pg.Pool): Promise<void> {
  await ensureCheckpoints(pool, ['conversations']);
  await new ProjectionRunner(pool, { projections: () => Promise.resolve([conversationsProjection]) }).drain();
}

const STALLED_MS = 15 * 60_000;

async function waitForOtherAsker(pool: pg.Pool, say: (line: string) => void): Promise<void> {
  const listener = await pool.connect();
  let wake: () => void = () => {};
  listener.on('notification', () => wake());
  try {
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    let last = -1;
    let movedAt = Date.now();
    for (;;) {
      await projectConversations(pool);
      const { waiting } = await countAwaiting(pool);
      if (waiting === 0) return;
      if (waiting !== last) {
        say(`another process (the service's ${LLM_ANALYZER_ID} reactor) is asking the model: ${waiting} transcripts still to answer`);
        last = waiting;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > STALLED_MS) {
        // Its failures back off for minutes and then park; this long without any change, it is not asking.
        say(`no answer recorded for ${STALLED_MS / 60_000} minutes; building with what is recorded (the rest gets feedback when answered)`);
        return;
      }
      // Woken by the next answer appended, or after a while regardless.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    listener.release(true);
  }
}

export async function askBeforeRebuild(
  pool: pg.Pool,
  llm: LlmConfig | null,
  say: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<{ parked: number }> {
  if ((await readLiveAnalyzer(pool)) === LLM_ANALYZER_ID) return { parked: 0 }; // the rebuild refuses it with its own message
  await projectConversations(pool);
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
    const lock = await tryAdvisoryLock(pool, LLM_LEASE);
    if (!lock) {
      await waitForOtherAsker(pool, say);
    } else {
      try {
        say(
          `asking ${llm.model} about ${before.waiting} transcripts with no ${LLM_ANALYZER_ID} answer (at most ${llm.concurrency} at once, ${llm.requestsPerSecond}/s)`,
        );
        const log = pino({ level: 'warn' }, pino.destination(2));
        let recorded = 0;
        const asker = new Asker({
          pool,
          client: createLlmClient(llm),
          prompt: { maxPromptTokens: llm.maxPromptTokens },
          slots: llm.concurrency * 2,
          onOutcome: (o) => {
            logOutcome(log, o);
            if (o.kind === 'recorded' && ++recorded % 50 === 0) say(`${recorded}/${before.waiting} answers recorded`);
          },
          onError: (err) => log.error({ err }, 'could not record an answer; it is asked again'),
        });
        await askAll(asker);
        say(`${recorded} answers recorded`);
      } finally {
        await lock.release();
      }
    }
    await projectConversations(pool);
  }
  return { parked: (await countAwaiting(pool)).parked };
}
