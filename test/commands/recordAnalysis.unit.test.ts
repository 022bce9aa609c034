import { describe, expect, it } from 'vitest';
import { analysisRecordedEvent, type RecordAnalysis } from '../../src/commands/recordAnalysis.js';
import { eventSchemas } from '../../src/events/types.js';

const command: RecordAnalysis = {
  tavusConversationId: 'c123',
  transcriptKey: 'conversation-c123/TranscriptReceived/abc',
  recording: {
    analyzer: 'llm@1',
    model: 'gpt-4o-mini',
    servedModel: 'gpt-4o-mini-2024-07-18',
    promptSha256: 'f'.repeat(64),
    answer: { overallScore: 70 },
    usage: { promptTokens: 900, completionTokens: 300, totalTokens: 1200 },
    latencyMs: 2100,
    attempts: 1,
  },
  answeredAt: new Date('2025-03-01T10:06:00Z'),
};

describe('recording an analysis', () => {
  const event = analysisRecordedEvent(command);

  it("appends the answer to the conversation's stream as AnalysisRecorded", () => {
    expect(event).toMatchObject({
      type: 'AnalysisRecorded',
      streamId: 'conversation-c123',
      data: { ...command.recording, transcriptKey: command.transcriptKey },
      metadata: { receivedAt: '2025-03-01T10:06:00.000Z', source: 'llm' },
    });
    expect(eventSchemas.AnalysisRecorded.parse(event.data)).toEqual(event.data);
  });

  it('is one fact per transcript and analyzer version, whatever the answer says', () => {
    const again = analysisRecordedEvent({
      ...command,
      recording: { ...command.recording, answer: { overallScore: 20 }, latencyMs: 9000, attempts: 3 },
      answeredAt: new Date('2025-03-02T00:00:00Z'),
    });
    expect(again.idempotencyKey).toBe(event.idempotencyKey);
    expect(event.idempotencyKey.startsWith('conversation-c123/AnalysisRecorded/')).toBe(true);
  });

  it('is another fact for another transcript, version or conversation', () => {
    const keys = [
      analysisRecordedEvent({ ...command, transcriptKey: 'conversation-c123/TranscriptReceived/other' }),
      analysisRecordedEvent({ ...command, recording: { ...command.recording, analyzer: 'llm@2' } }),
      analysisRecordedEvent({ ...command, tavusConversationId: 'c999' }),
    ].map((e) => e.idempotencyKey);
    expect(new Set([event.idempotencyKey, ...keys]).size).toBe(4);
  });
});
