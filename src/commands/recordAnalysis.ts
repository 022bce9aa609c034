import type pg from 'pg';
import { conversationStream, idempotencyKey } from '../events/streams.js';
import type { EventData, NewEvent } from '../events/types.js';
import type { Keyring } from '../privacy/keyring.js';
import { GroupCommit } from './groupCommit.js';
import type { Rejection } from './rejections.js';

// A model's answer becomes the AnalysisRecorded fact of its conversation. Pure: what was asked, of
// which transcript, and the answer come in; the event to append goes out.
//
// The idempotency key names the stream, the analyzer version and the transcript's content key, and
// nothing of the answer: a transcript is answered once per version. A second answer (two reactors
// racing, a retry after an unknown outcome) is the same fact and the store appends it never.

export interface RecordAnalysis {
  tavusConversationId: string;
  /** The idempotency key of the TranscriptReceived event the prompt was built from. */
  transcriptKey: string;
  recording: Omit<EventData<'AnalysisRecorded'>, 'transcriptKey'>;
  /** When the answer came; passed in, so this stays a function of its input. */
  answeredAt: Date;
}

export function analysisRecordedKey(streamId: string, analyzer: string, transcriptKey: string): string {
  return idempotencyKey(streamId, 'AnalysisRecorded', [analyzer, transcriptKey]);
}

export function analysisRecordedEvent(command: RecordAnalysis): NewEvent {
  const streamId = conversationStream(command.tavusConversationId);
  const data: EventData<'AnalysisRecorded'> = { ...command.recording, transcriptKey: command.transcriptKey };
  return {
    type: 'AnalysisRecorded',
    data,
    streamId,
    idempotencyKey: analysisRecordedKey(streamId, data.analyzer, command.transcriptKey),
    metadata: { receivedAt: command.answeredAt.toISOString(), source: 'llm' },
  };
}

/**
 * Answers go through the one door like every other write; an answer is a fact of its own, so the
 * state to decide on is nothing, and repeats are the store's idempotency key's to refuse.
 */
export function analysisRecords(pool: pg.Pool, keyring: Keyring): GroupCommit<RecordAnalysis, null, Rejection> {
  return new GroupCommit<RecordAnalysis, null, Rejection>(pool, keyring, {
    streamOf: (command) => conversationStream(command.tavusConversationId),
    loadStates: (_db, commands) => Promise.resolve(commands.map(() => null)),
    decide: (_state, command) => ({ accepted: true, events: [analysisRecordedEvent(command)] }),
    claimLost: { reason: 'foreign_token' },
    unstorable: (detail) => ({ reason: 'invalid_value', detail }),
  });
}
