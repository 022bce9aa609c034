import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { readStreamForAudit } from '../../src/events/readStreams.js';
import { dropFeedback, rebuildFeedback, useFeedback } from '../../src/projections/builds/rebuild.js';
import { singleBodyCallback, wildCallback } from '../support/callbacks.js';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { testKeyring } from '../support/keys.js';
import { startKurrentDbStandIn, type KurrentDbStandIn } from '../support/kurrentDbStandIn/server.js';

// A property of erasure: whatever the interleaving of callbacks (before, racing with and after an
// erasure), erasures (twice, or of a conversation that got nothing yet), rebuilds of another
// version and the relay publishing all along, once everything has settled no text a person put into
// an erased conversation is anywhere (database rows, what the relay published), and every other
// conversation still has all of its own, readable by its owner, with its feedback.

let h: Harness;
let kurrent: KurrentDbStandIn;

beforeAll(async () => {
  kurrent = await startKurrentDbStandIn();
  h = await startHarness({ analyzer: 'baseline@1', env: { KURRENTDB_URL: kurrent.url } });
});

afterAll(async () => {
  await h?.close();
  await kurrent?.close();
});

type Action =
  { kind: 'callback'; conversation: number; shape: 'transcript' | 'perception' | 'objective' } | { kind: 'erase'; conversation: number } | { kind: 'rebuild' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('callback' as const),
      conversation: fc.nat(3),
      shape: fc.constantFrom('transcript' as const, 'perception' as const, 'objective' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('erase' as const), conversation: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebuild' as const) }) },
);

interface Conversation {
  id: string;
  tavusId: string;
  user: string;
  path: string;
  markers: string[];
  transcript: boolean;
  erased: boolean;
}

function callbackBody(c: Conversation, shape: 'transcript' | 'perception' | 'objective', marker: string): Record<string, unknown> {
  if (shape === 'perception') return wildCallback('application.perception_analysis', c.tavusId, { analysis: `seen ${marker}` });
  if (shape === 'objective') return wildCallback('conversation.objective.completed', c.tavusId, { objective_name: 'ask', output_variables: { said: marker } });
  const body = singleBodyCallback(c.tavusId, 4);
  (body.transcript as { content: string }[])[0]!.content = `I said ${marker} today`;
  return body;
}

async function perform(c: Conversation[], a: Action): Promise<void> {
  if (a.kind === 'rebuild') {
    // Another version built from the history as it is, then the live one back.
    await rebuildFeedback(h.db, findAnalyzer('coach@1')!);
    await useFeedback(h.db, findAnalyzer('baseline@1')!);
    await dropFeedback(h.db, 'coach@1');
    return;
  }
  const target = c[a.conversation]!;
  if (a.kind === 'erase') {
    const r = await fetch(`${h.service.url}/conversations/${target.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await h.tokenFor(target.user)}` },
    });
    // 404 once it is gone: erasing again changes nothing.
    expect([204, 404]).toContain(r.status);
    target.erased = true;
    return;
  }
  const marker = `MARK${randomBytes(6).toString('hex')}`;
  target.markers.push(marker);
  const r = await h.post(target.path, callbackBody(target, a.shape, marker));
  expect(r.status).toBe(200);
  if (a.shape === 'transcript') target.transcript = true;
}

/** Every row of every table, and everything the relay published, as text. */
async function everything(): Promise<string> {
  const { rows: tables } = await h.db.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`);
  const parts: string[] = [];
  for (const t of tables)
    parts.push((await h.db.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\\n') AS text FROM ${t.name} t`)).rows[0]!.text ?? '');
  for (const events of kurrent.streams.values()) for (const e of events) parts.push(e.data.toString(), e.customMetadata.toString());
  return parts.join('\n');
}

async function settle(): Promise<void> {
  await h.service.runner.drain();
  const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  const deadline = Date.now() + 10_000;
  while ([...kurrent.streams.values()].reduce((n, s) => n + s.length, 0) < rows[0]!.n) {
    if (Date.now() > deadline) throw new Error('the relay did not catch up');
    await new Promise((r) => setTimeout(r, 50));
  }
  // A projection pass that read a stream just before its erasure committed may have written it
  // again; the tombstone after it purges it. Drained once more, that has happened.
  await h.service.runner.drain();
}

describe('erasure under any interleaving', () => {
  it('leaves no plaintext of an erased conversation and loses nothing of the others', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          // One rebuild at a time: a second one beside it is refused, by design.
          fc.array(action, { minLength: 1, maxLength: 3 }).filter((step) => step.filter((a) => a.kind === 'rebuild').length <= 1),
          { minLength: 2, maxLength: 6 },
        ),
        async (steps) => {
          const conversations: Conversation[] = [];
          // Two of one user's, and two of others'.
          const shared = randomUUID();
          for (const owner of [shared, shared, randomUUID(), randomUUID()]) {
            const started = await h.startConversation(owner);
            conversations.push({
              id: started.id,
              tavusId: started.conversationId,
              user: owner,
              path: callbackPath(started.callbackUrl),
              markers: [],
              transcript: false,
              erased: false,
            });
          }
          // Each step's actions run at once (a callback racing an erasure, a rebuild beside both).
          for (const step of steps) await Promise.all(step.map((a) => perform(conversations, a)));
          await settle();

          const text = await everything();
          for (const c of conversations) {
            if (c.erased) {
              // Not in the clear anywhere, and not to be opened with the service's own keys either.
              const opened = JSON.stringify(await readStreamForAudit(h.db, testKeyring(), `conversation-${c.tavusId}`));
              for (const m of c.markers) {
                expect(text, `${m} of an erased conversation`).not.toContain(m);
                expect(opened, `${m} opened`).not.toContain(m);
              }
              expect((await h.get(`/conversations/${c.id}`, c.user)).status).toBe(404);
              continue;
            }
            const events = JSON.stringify(await json(await h.get(`/conversations/${c.id}/events`, c.user)));
            for (const m of c.markers) expect(events).toContain(m);
            if (c.transcript) expect((await h.get(`/conversations/${c.id}/feedback`, c.user)).status).toBe(200);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
