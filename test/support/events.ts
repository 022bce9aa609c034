import { randomUUID } from 'node:crypto';
import { conversationStream, idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';

/** A conversation that started and has a short transcript, as events to append straight to the history. */
export function transcribedConversation(tavusId: string): NewEvent[] {
  const streamId = conversationStream(tavusId);
  const metadata = { receivedAt: '2025-01-01T00:00:00.000Z', source: 'api' as const };
  const transcript = {
    turns: [
      { role: 'user', content: `What happened in ${tavusId}?` },
      { role: 'assistant', content: 'A lot.' },
    ],
    systemPromptRemoved: true,
  };
  return [
    {
      type: 'ConversationStarted',
      streamId,
      idempotencyKey: idempotencyKey(streamId, 'ConversationStarted', []),
      metadata,
      data: {
        id: randomUUID(),
        userId: randomUUID(),
        scenario: { id: randomUUID(), name: 's', description: null, rubric: null },
        replicaId: null,
        personaId: null,
        conversationName: null,
        tavusConversationId: tavusId,
        conversationUrl: null,
        startedAt: '2025-01-01T00:00:00.000Z',
      },
    },
    { type: 'TranscriptReceived', streamId, idempotencyKey: idempotencyKey(streamId, 'TranscriptReceived', transcript), metadata, data: transcript },
  ];
}
