import { randomUUID } from 'node:crypto';
import type { DataKey, Keyring } from '../../src/privacy/keyring.js';
import { sealEvent } from '../../src/privacy/sealing.js';
import type pg from 'pg';
import { appendEvents } from '../../src/events/appendEvents.js';
import { conversationStream, idempotencyKey } from '../../src/events/streams.js';
import { uuid7 } from '../../src/events/uuid7.js';
import type { AppendableEvent, NewEvent, Turn } from '../../src/events/types.js';

// Benchmark inputs: a practice conversation of 30 turns and about 400 words, and histories of them.

const USER_LINES = [
  'Thanks for making time today, how have the last few weeks felt for you?',
  'It sounds like the deadline pressure has been heavy on you.',
  'What would help you most right now?',
  'So you are saying the handover was unclear from the start.',
  'I appreciate how openly you are telling me this.',
  'What do you think we could try differently next sprint?',
  'Let me summarise what I heard so far, and tell me if I missed anything.',
  'How would you feel about checking in every Friday for a month?',
];
const REPLICA_LINES = [
  'Honestly it has been a rough stretch, I keep falling behind.',
  'Yes, and nobody told me the scope had changed until late.',
  'Maybe clearer priorities, I never know what comes first.',
  'Right, I only found the spec two days before the review.',
  'I was worried you would be annoyed with me about it.',
  'Perhaps a short planning call at the start of each week.',
  'That is fair, you got most of it, the tooling was also slow.',
];

export function practiceTranscript(seed = 0): Turn[] {
  const start = Date.parse('2025-03-01T10:00:00Z');
  return Array.from({ length: 30 }, (_, i) => {
    const user = i % 2 === 0;
    const lines = user ? USER_LINES : REPLICA_LINES;
    return { role: user ? 'user' : 'assistant', content: lines[(i + seed) % lines.length]!, timestamp: new Date(start + i * 9_000).toISOString() };
  });
}

export const CONVERSATION_ID_PLACEHOLDER = '__CONVERSATION_ID__';

/** The original design's single-body callback, about 4.4 KB, for a conversation id to fill in. */
export function singleBodyTemplate(): string {
  return JSON.stringify({
    conversation_id: CONVERSATION_ID_PLACEHOLDER,
    status: 'completed',
    end_reason: 'participant_left',
    started_at: '2025-03-01T10:00:00Z',
    ended_at: '2025-03-01T10:04:30Z',
    duration: 270,
    participant_name: 'Sam Rivera',
    recording_url: 'https://recordings.example.com/sessions/2025/03/01/recording.mp4',
    participant_left_at: '2025-03-01T10:04:29Z',
    transcript: practiceTranscript(),
  });
}

export interface SeededConversation {
  id: string;
  tavusId: string;
}

/** ConversationStarted events straight into the store, in chunks (one statement each). */
export async function seedStartedConversations(pool: pg.Pool, count: number, prefix = 'c', keyring?: Keyring): Promise<SeededConversation[]> {
  const seeded: SeededConversation[] = [];
  const scenario = { id: randomUUID(), name: 'Giving feedback', description: null, rubric: null };
  const userId = randomUUID();
  for (let from = 0; from < count; from += 5_000) {
    const events: NewEvent[] = [];
    for (let i = from; i < Math.min(count, from + 5_000); i++) {
      const c = { id: uuid7(), tavusId: `${prefix}${i.toString(36).padStart(8, '0')}` };
      seeded.push(c);
      const streamId = conversationStream(c.tavusId);
      events.push({
        type: 'ConversationStarted',
        streamId,
        idempotencyKey: idempotencyKey(streamId, 'ConversationStarted', []),
        metadata: { receivedAt: '2025-03-01T10:00:00.000Z', source: 'api' },
        data: {
          id: c.id,
          userId,
          scenario,
          replicaId: 'r1',
          personaId: null,
          conversationName: null,
          tavusConversationId: c.tavusId,
          conversationUrl: null,
          // Now: callback tokens are honoured for CALLBACK_TOKEN_TTL after the start.
          startedAt: new Date().toISOString(),
        },
      });
    }
    await appendEvents(pool, keyring ? await sealed(pool, keyring, events) : events);
  }
  return seeded;
}

/** The events as the door appends them: each under its conversation's data key, made here. */
async function sealed(pool: pg.Pool, keyring: Keyring, events: NewEvent[]): Promise<AppendableEvent[]> {
  const keys = await keyring.forWriting(
    pool,
    events.map((e) => e.streamId),
  );
  return events.map((e) => sealEvent(e, keys.get(e.streamId) as DataKey));
}

/** Waits until the live projections have applied every event (the service's runner is working). */
export async function waitForProjections(pool: pg.Pool, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ behind: boolean }>(
      // In the history's order: a position-only comparison waited forever under the old order.
      `SELECT EXISTS (SELECT 1 FROM events e, projection_checkpoints c WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position)) AS behind`,
    );
    if (!rows[0]!.behind) return;
    if (Date.now() > deadline) throw new Error('projections did not catch up in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A history of ended conversations as the service writes it: for each, a ConversationStarted, a
 * ConversationEnded and a TranscriptReceived of 30 turns (one turn names the conversation, so no two
 * transcripts are alike), each conversation's events sealed under its own data key. Built in this
 * process, since Postgres cannot seal.
 */
export async function generateSealedHistory(pool: pg.Pool, count: number, keyring: Keyring, chunk = 2_000): Promise<void> {
  const userId = randomUUID();
  const scenario = { id: randomUUID(), name: 'Giving feedback', description: null, rubric: null };
  const turns = practiceTranscript();
  const metadata = { receivedAt: '2025-03-01T10:05:00.000Z', source: 'tavus-callback' as const };
  for (let from = 0; from < count; from += chunk) {
    const events: NewEvent[] = [];
    for (let g = from; g < Math.min(count, from + chunk); g++) {
      const streamId = `conversation-h${g}`;
      const fact = (type: NewEvent['type'], data: object): NewEvent => ({ streamId, type, data, metadata, idempotencyKey: `${streamId}/${type}` }) as NewEvent;
      events.push(
        fact('ConversationStarted', {
          id: `00000000-0000-7000-8000-${g.toString(16).padStart(12, '0')}`,
          userId,
          scenario,
          replicaId: 'r1',
          personaId: null,
          conversationName: null,
          tavusConversationId: `h${g}`,
          conversationUrl: null,
          startedAt: '2025-03-01T10:00:00.000Z',
        }),
        fact('ConversationEnded', {
          outcome: 'completed',
          reason: 'participant_left',
          at: '2025-03-01T10:04:30.000Z',
          startedAt: null,
          durationSeconds: 150 + (g % 600),
          participantName: null,
          participantLeftAt: null,
        }),
        fact('TranscriptReceived', {
          turns: turns.map((t, i) =>
            i === 0 ? { ...t, content: t.content.replace('Thanks for making time today', `Thanks for making time today (${g})`) } : t,
          ),
          systemPromptRemoved: true,
        }),
      );
    }
    await appendEvents(pool, await sealed(pool, keyring, events));
  }
}
