import { randomUUID } from 'node:crypto';
import { openedData, TEST_DATA_KEK } from '../support/keys.js';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { compareBuilds } from '../../src/projections/builds/compareBuilds.js';
import { dropFeedback, rebuildFeedback, useFeedback } from '../../src/projections/builds/rebuild.js';
import { startService } from '../../src/service.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { runCliAsync } from '../support/cli.js';
import { callbackPath, json, JWT_SECRET, startHarness, type Harness } from '../support/harness.js';
import { FOREIGN_QUOTE, startLlmStandIn, type LlmStandIn } from '../support/llmStandIn.js';

// llm@1 end to end: a real service on a database of its own, the LLM stand-in over real HTTP. The
// service's reactor asks the stand-in about each transcript once, appends the answer to the
// history, and the feedback projection scores it; failures back off or are parked without holding
// up other conversations; a rebuild replays what is recorded without a call. Waits between the
// client's retries return at once (recorded), and the reactor's clock is the test's, so backoffs
// are checked without waiting for them.

let h: Harness;
let standIn: LlmStandIn;
let clockMs = Date.now();
const clientWaits: number[] = [];

function llmEnv(model = 'stand-in-model'): Record<string, string> {
  return { LLM_MODEL: model, LLM_BASE_URL: standIn.baseUrl, LLM_API_KEY: standIn.apiKey, LLM_REQUESTS_PER_SECOND: '1000', LLM_TIMEOUT_S: '1' };
}

beforeAll(async () => {
  standIn = await startLlmStandIn();
  h = await startHarness({
    analyzer: 'llm@1',
    env: llmEnv(),
    serviceOptions: {
      llm: {
        client: {
          sleep: async (ms) => {
            clientWaits.push(ms);
          },
          now: () => clockMs,
          random: () => 1,
        },
        backoff: { baseMs: 1_000, maxMs: 10_000, parkAfter: 3, parkedRetryMs: 3_600_000 },
      },
    },
  });
});
afterAll(async () => {
  await h.close();
  await standIn.close();
});
beforeEach(() => {
  standIn.setDefault({ kind: 'valid' });
  clientWaits.length = 0;
});

/** A conversation whose first line names `marker`, so the stand-in can be told how to answer it. */
async function converse(marker: string) {
  const user = randomUUID();
  const c = await h.startConversation(user);
  const body = singleBodyCallback(c.conversationId, 6);
  (body.transcript as { content: string }[])[0]!.content = `Hello, I am ${marker} and I want to talk about the project.`;
  expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
  return { ...c, user, marker, streamId: `conversation-${c.conversationId}` };
}

/** Everything committed is projected, the reactor has asked about all it can now, and its answers are scored. */
async function settle() {
  await h.service.runner.drain();
  await h.service.llm!.reactor!.settled();
  await h.service.runner.drain();
}

async function feedbackOf(c: { id: string; user: string }) {
  const response = await h.get(`/conversations/${c.id}/feedback`, c.user);
  return { status: response.status, body: response.status === 200 ? await json(response) : undefined };
}

async function recordingsOf(streamId: string) {
  return openedData(h.db, streamId, 'AnalysisRecorded');
}

async function parked(streamId: string) {
  const { rows } = await h.db.query<{ error: string; attempts: number; retry_at: Date | null }>(
    `SELECT error, attempts, retry_at FROM dead_letters WHERE projection = 'reactor:llm@1' AND stream_id = $1`,
    [streamId],
  );
  return rows[0];
}

describe('llm@1 feedback through the reactor', () => {
  it('asks once per transcript, records the answer in the history and serves feedback read from it', async () => {
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    standIn.scriptFor('Avery', [{ kind: 'held', until }]);
    const c = await converse('Avery');
    await h.service.runner.drain();
    // The call is in flight: no feedback yet (no zeros either), and nothing is lost.
    const settled = h.service.llm!.reactor!.settled();
    await standIn.waitForRequests('Avery', 1);
    expect((await feedbackOf(c)).status).toBe(404);
    release();
    await settled;
    await h.service.runner.drain();

    const { status, body } = await feedbackOf(c);
    expect(status).toBe(200);
    expect(body.analyzer).toBe('llm');
    expect(body.analysis).toMatchObject({ status: 'answered', model: 'stand-in-model', droppedQuotes: [] });
    // The stand-in quotes the person's lines: each quote points at the turn that holds it.
    for (const quotes of body.analysis.evidence.strengths) {
      for (const { turn, quote } of quotes) {
        expect(body.transcript[turn].role).toBe('user');
        expect(body.transcript[turn].content).toContain(quote);
      }
    }
    const [recording, ...more] = await recordingsOf(c.streamId);
    expect(more).toEqual([]);
    expect(recording).toMatchObject({ analyzer: 'llm@1', model: 'stand-in-model', servedModel: 'stand-in-model-2025-01-01', attempts: 1 });
    expect(body.analysis.promptSha256).toBe(recording!.promptSha256);

    // Settled again, and the same conversation touched again (a shorter transcript, not chosen): no call.
    const requests = standIn.requests.length;
    await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, 2));
    await settle();
    expect(standIn.requests.length).toBe(requests);
  });

  it('retries 429, 500 and a slow answer, waiting what the endpoint asks', async () => {
    standIn.scriptFor('Blake', [
      { kind: 'rate-limited', retryAfterMs: '40' },
      { kind: 'server-error', status: 503 },
      { kind: 'slow', ms: 1_500 },
      { kind: 'slow', ms: 100 },
    ]);
    const c = await converse('Blake');
    await settle();
    expect(standIn.requestsFor('Blake').length).toBe(4);
    // Retry-After exactly, then backoff (1 s doubling) after the 503 and after the timeout.
    expect(clientWaits).toEqual([40, 2_000, 4_000]);
    expect((await recordingsOf(c.streamId))[0]).toMatchObject({ attempts: 4 });
    expect((await feedbackOf(c)).body.analysis.status).toBe('answered');
  });

  it('defers a transcript at least as long as a Retry-After the client does not wait for', async () => {
    standIn.scriptFor('Casey', [{ kind: 'rate-limited', retryAfter: '120' }]);
    const c = await converse('Casey');
    await settle();
    expect(standIn.requestsFor('Casey').length).toBe(1);
    expect(await recordingsOf(c.streamId)).toEqual([]);
    expect(await parked(c.streamId)).toBeUndefined();

    clockMs += 119_000;
    await settle();
    expect(standIn.requestsFor('Casey').length).toBe(1);
    clockMs += 2_000;
    await settle();
    expect(standIn.requestsFor('Casey').length).toBe(2);
    expect((await feedbackOf(c)).body.analysis.status).toBe('answered');
  });

  it('asks again after an answer that is not JSON; a quote the transcript does not hold is dropped and noted', async () => {
    standIn.scriptFor('Devon', [{ kind: 'invalid-json' }]);
    standIn.scriptFor('Emery', [{ kind: 'foreign-quote' }]);
    const a = await converse('Devon');
    const b = await converse('Emery');
    await settle();
    expect(standIn.requestsFor('Devon').length).toBe(2);
    expect((await feedbackOf(a)).body.analysis.status).toBe('answered');

    const { analysis } = (await feedbackOf(b)).body;
    expect(analysis.droppedQuotes).toEqual([{ section: 'strengths', item: 0, quote: FOREIGN_QUOTE }]);
    expect(analysis.evidence.strengths.flat().map((q: { quote: string }) => q.quote)).not.toContain(FOREIGN_QUOTE);
    // The point it backed stays.
    expect(analysis.strengths[0]).toBe('You opened the conversation clearly.');
  });

  it('parks a permanent failure at once and a repeated one after three rounds, without holding up another conversation', async () => {
    standIn.scriptFor('Finley', [], { kind: 'rejected' });
    standIn.scriptFor('Gray', [], { kind: 'server-error' });
    const refused = await converse('Finley');
    const failing = await converse('Gray');
    const fine = await converse('Harper');
    await settle();

    expect((await feedbackOf(fine)).body.analysis.status).toBe('answered');
    expect(standIn.requestsFor('Finley').length).toBe(1);
    expect(await parked(refused.streamId)).toMatchObject({ attempts: 1, retry_at: null });
    expect((await parked(refused.streamId))!.error).toMatch(/request-rejected \(400\)/);
    // Gray: each round is four requests (the client's retries); the reactor waits 1 s, then 2 s.
    expect(standIn.requestsFor('Gray').length).toBe(4);
    expect(await parked(failing.streamId)).toBeUndefined();
    clockMs += 1_001;
    await settle();
    clockMs += 2_001;
    await settle();
    expect(standIn.requestsFor('Gray').length).toBe(12);
    const gray = (await parked(failing.streamId))!;
    expect(gray.error).toMatch(/server-error \(500\) after 4 requests/);
    // Parked for a failure that may pass: it is tried again by itself, an hour later.
    expect(gray.retry_at!.getTime() - Date.now()).toBeGreaterThan(3_500_000);
    expect((await feedbackOf(failing)).status).toBe(404);

    // tavus-feedback deadletters lists both.
    const listed = await runCliAsync(['deadletters'], { env: { DATABASE_URL: h.databaseUrl } });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`${refused.streamId}  reactor:llm@1`);
    expect(listed.stdout).toContain(`${failing.streamId}  reactor:llm@1`);

    // The endpoint works again: an operator's retry and the hour passing both get feedback, and unpark.
    standIn.scriptFor('Finley', [], { kind: 'valid' });
    standIn.scriptFor('Gray', [], { kind: 'valid' });
    // The CLI waits for the service's reactor to take the retry up and says how it went.
    const retried = await runCliAsync(['deadletters', 'retry', refused.streamId], { env: { DATABASE_URL: h.databaseUrl } });
    expect(retried.status, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toContain(`${refused.streamId}  reactor:llm@1: applied`);
    await h.db.query(`UPDATE dead_letters SET retry_at = now() - interval '1 second' WHERE stream_id = $1`, [failing.streamId]);
    await settle();
    expect((await feedbackOf(refused)).body.analysis.status).toBe('answered');
    expect((await feedbackOf(failing)).body.analysis.status).toBe('answered');
    expect(await parked(refused.streamId)).toBeUndefined();
    expect(await parked(failing.streamId)).toBeUndefined();
  });

  it('rebuilds after a drop without a call, and a dry run asks nothing and changes nothing', async () => {
    const { rows: before } = await h.db.query<{ conversation_id: string; score: number; analysis: unknown }>(
      `SELECT conversation_id, score, analysis FROM feedback_scores WHERE analyzer = 'llm@1' ORDER BY conversation_id`,
    );
    expect(before.length).toBeGreaterThanOrEqual(8);
    await rebuildFeedback(h.service.pool, findAnalyzer('baseline@1')!);
    await dropFeedback(h.service.pool, 'llm@1');

    // llm@1 is neither live nor being built: nobody pays for its answers.
    const late = await converse('Indigo');
    await settle();
    expect(standIn.requestsFor('Indigo').length).toBe(0);

    const requests = standIn.requests.length;
    const snapshot = () =>
      h.db.query(
        `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM feedback_scores) AS scores, (SELECT count(*) FROM feedback_builds) AS builds,
                (SELECT count(*) FROM dead_letters) AS parked, (SELECT json_agg(c ORDER BY name) FROM projection_checkpoints c) AS checkpoints`,
      );
    const unchanged = (await snapshot()).rows[0];
    const dry = await runCliAsync(['rebuild', 'feedback', '--analyzer', 'llm@1', '--dry-run', '--input-price', '2.5', '--output-price', '10'], {
      env: { DATABASE_URL: h.databaseUrl, ...llmEnv() },
    });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/1 transcripts have no answer yet: 1 model calls/);
    const tokens = Number(/prompt tokens: (\d+)/.exec(dry.stdout)![1]);
    expect(tokens).toBeGreaterThan(500);
    expect(dry.stdout).toMatch(/cost: at most \$0\.0\d/);
    expect(standIn.requests.length).toBe(requests);
    expect((await snapshot()).rows[0]).toEqual(unchanged);

    // The rebuild asks for what is missing (here the service's reactor does, as the build is under
    // way) and replays the rest: one call, for the one transcript never answered.
    const rebuilt = await runCliAsync(['rebuild', 'feedback', '--analyzer', 'llm@1'], { env: { DATABASE_URL: h.databaseUrl, ...llmEnv() } });
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(standIn.requests.length).toBe(requests + 1);
    expect(standIn.requestsFor('Indigo').length).toBe(1);
    const { rows: after } = await h.db.query<{ conversation_id: string; score: number; analysis: unknown }>(
      `SELECT conversation_id, score, analysis FROM feedback_scores WHERE analyzer = 'llm@1' AND conversation_id = ANY($1::uuid[]) ORDER BY conversation_id`,
      [before.map((r) => r.conversation_id)],
    );
    expect(after).toEqual(before);
    await h.service.runner.drain();
    expect((await feedbackOf(late)).body).toMatchObject({ analyzer: 'llm', analysis: { status: 'answered' } });

    // Like any build: compared with another, switched away from and back to.
    const comparison = await compareBuilds(h.service.pool, 'baseline@1', 'llm@1');
    expect(comparison.common).toBe(before.length + 1);
    await useFeedback(h.service.pool, findAnalyzer('baseline@1')!);
    expect((await feedbackOf(late)).body.analyzer).toBe('baseline');
    await useFeedback(h.service.pool, findAnalyzer('llm@1')!);
    expect((await feedbackOf(late)).body.analyzer).toBe('llm');
    expect(standIn.requests.length).toBe(requests + 1);
  });

  it('refuses to ask another model than the one that answered, and the service runs on without it', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const config = loadConfig({ PORT: '0', WEBHOOK_AUTH: 'none', DATA_KEK: TEST_DATA_KEK, ...llmEnv('another-model') });
    const other = await startService({ ...config, databaseUrl: h.databaseUrl, jwtSecret: JWT_SECRET }, log);
    try {
      expect(other.llm!.reactor).toBeUndefined();
      expect(lines.join('\n')).toMatch(/LLM_MODEL is another-model, but llm@1's answers in the history came from stand-in-model/);
      expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    } finally {
      await other.stop();
    }
    expect(standIn.requests.some((r) => r.body.model === 'another-model')).toBe(false);
  });
});
