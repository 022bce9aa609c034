import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { analysisRecordedEvent } from '../../src/commands/recordAnalysis.js';
import type { NewEvent, RecordedEvent } from '../../src/events/types.js';
import { foldConversation } from '../../src/projections/readModels/conversationFold.js';
import { transcribedConversation } from '../support/events.js';

// The fold's part in llm@1: the answers recorded for the chosen transcript go to scoring (their
// positions) and into the input hash; answers for another transcript do not.

let position = 0;
/** As the history would give them back to the fold: with positions. */
function stored(events: NewEvent[]): RecordedEvent[] {
  return events.map((e) => ({ ...e, position: String(++position), transactionId: '1', schemaVersion: 1, recordedAt: new Date('2025-01-01T00:01:00Z') }));
}

function answerFor(tavusId: string, transcriptKey: string, analyzer = 'llm@1'): NewEvent {
  return analysisRecordedEvent({
    tavusConversationId: tavusId,
    transcriptKey,
    recording: { analyzer, model: 'm', servedModel: null, promptSha256: `sha-${analyzer}`, answer: {}, usage: null, latencyMs: 5, attempts: 1 },
    answeredAt: new Date('2025-01-01T00:02:00Z'),
  });
}

describe('the fold and recorded answers', () => {
  it('keeps the hash of an input without answers as it was before answers existed', () => {
    const events = transcribedConversation('fold-a');
    const input = foldConversation(stored(events))!.feedbackInput!;
    const transcriptKey = events[1]!.idempotencyKey;
    const before = createHash('sha256')
      .update(JSON.stringify([transcriptKey, null, input.context]))
      .digest('base64url');
    expect(input.input_hash).toBe(before);
    expect(input).toMatchObject({ user_present: true, recording_positions: [], recorded_analyzers: [] });
  });

  it('carries the answers for the chosen transcript, whatever their order, and changes the hash', () => {
    const events = transcribedConversation('fold-b');
    const key = events[1]!.idempotencyKey;
    const answers = stored([answerFor('fold-b', key), answerFor('fold-b', key, 'llm@2')]);
    const base = stored(events);
    const one = foldConversation([...base, ...answers])!.feedbackInput!;
    const other = foldConversation([...answers].reverse().concat(base))!.feedbackInput!;
    expect(one).toEqual(other);
    expect(one.recorded_analyzers).toEqual(['llm@1', 'llm@2']);
    expect([...one.recording_positions].sort()).toEqual(answers.map((a) => a.position).sort());
    expect(one.input_hash).not.toBe(foldConversation(base)!.feedbackInput!.input_hash);
  });

  it('leaves out answers recorded for another transcript', () => {
    const events = transcribedConversation('fold-c');
    const stale = stored([answerFor('fold-c', 'conversation-fold-c/TranscriptReceived/an-older-one')]);
    const input = foldConversation([...stored(events), ...stale])!.feedbackInput!;
    expect(input.recording_positions).toEqual([]);
    expect(input.input_hash).toBe(foldConversation(stored(events))!.feedbackInput!.input_hash);
  });
});
